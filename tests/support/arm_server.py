"""A loopback HTTPS stand-in for Azure Resource Manager (ARM) that serves recorded answers.

Tests point the *real* Azure SDK clients at :attr:`ArmServer.endpoint` and trust
:attr:`ArmServer.ca_file`; nothing is mocked inside the SDK. HTTPS is required because
azure-core's bearer-token policy refuses to send a token over plain HTTP.

    with ArmServer() as server:
        server.route("GET", "/subscriptions/s1/locations", load_sample("synthetic/..."))
        server.route("GET", "/x", **error(403, "AuthorizationFailed", "no"), times=1)
        server.paged("/subscriptions/s1/providers/Microsoft.Compute/locations/westus/usages",
                     items, page_size=40)
        ...  # run the client
        assert server.requests[0].headers["Authorization"] == "Bearer test-token"

Routing is by method and path (exact, case-insensitive as in ARM, percent-decoded); the query
string is parsed separately and can narrow a route (``query=``). Several routes for the same
method and path form a queue: a route with ``times=n`` answers n calls and is then used up,
a route with ``times=None`` answers forever. Among the routes that are not used up and whose
query matches, the one naming more query parameters wins, then the one registered first.
An unknown path, or a path whose answers are all used up, gets 404 with an ARM error envelope.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Any, NamedTuple, TypedDict
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from tests.support._base import Running
from tests.support.loopback_tls import LoopbackTls, make_loopback_tls

Body = dict[str, Any] | list[Any] | bytes | str | None
"""A response body: dict/list are sent as JSON, bytes as-is, str as UTF-8 text, None as empty."""


class Headers(Mapping[str, str]):
    """Request headers, looked up case-insensitively: ``h["authorization"]`` works."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in items:
            key = name.lower()
            if key in self._items:
                value = f"{self._items[key][1]}, {value}"
            self._items[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


class RecordedRequest(NamedTuple):
    """One request as the server received it."""

    method: str
    path: str
    """Percent-decoded path, without the query string, in the case the client sent."""
    query: dict[str, str]
    """Decoded query parameters (the last value wins if a name repeats)."""
    headers: Headers
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    @property
    def api_version(self) -> str | None:
        """The ``api-version`` query parameter, if any."""
        return next((v for k, v in self.query.items() if k.lower() == "api-version"), None)


Responder = Callable[[RecordedRequest], Body]
"""A function computing the body from the request (used by :meth:`ArmServer.paged`)."""


@dataclass
class Route:
    """One recorded answer for a method and path; see :meth:`ArmServer.route`."""

    method: str
    path: str
    body: Body | Responder
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = None
    query: dict[str, str | None] | None = None
    served: int = 0
    """How many requests this route has answered so far."""

    @property
    def used_up(self) -> bool:
        """True once a ``times=n`` route has answered n requests."""
        return self.times is not None and self.served >= self.times

    def matches(self, query: Mapping[str, str]) -> bool:
        """Whether the request's query satisfies this route's ``query`` (``None`` = absent)."""
        if not self.query:
            return True
        given = {k.lower(): v for k, v in query.items()}
        return all(given.get(k.lower()) == v for k, v in self.query.items())


class ErrorReply(TypedDict):
    """Keyword arguments for :meth:`ArmServer.route` describing an ARM error answer."""

    status: int
    body: dict[str, Any]


def error(status: int, code: str, message: str) -> ErrorReply:
    """An ARM error answer to unpack into :meth:`ArmServer.route`: ``route(m, p, **error(...))``."""
    return {"status": status, "body": {"error": {"code": code, "message": message}}}


def samples_dir() -> Path:
    """The recorded Azure payloads: ``tests/data/azure-samples``, an unchanged copy of the
    shared ``azure-samples`` folder (its README gives their provenance), so that the tests run
    from any clone."""
    return Path(__file__).resolve().parents[1] / "data" / "azure-samples"


def load_sample(name: str, *, status: str = "200") -> Any:
    """Load a sample from ``azure-samples`` (``name`` may include ``synthetic/``).

    REST-spec examples (``{"parameters": ..., "responses": {...}}``) are unwrapped to
    ``responses[status]["body"]``; other files are returned as parsed.
    """
    data = json.loads((samples_dir() / name).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "responses" in data and "parameters" in data:
        return data["responses"][status]["body"]
    return data


class ArmServer(Running):
    """A loopback HTTPS server answering like ARM from routes registered by the test.

    Binds 127.0.0.1 on an ephemeral port. Use as a context manager or call
    :meth:`start`/:meth:`stop`. Routes can be added before or after starting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, str], list[Route]] = {}
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._stopping = threading.Event()
        self._tempdir: Path | None = None
        self._tls: LoopbackTls | None = None
        self._httpd: _HttpsServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ArmServer:
        """Generate the test CA and certificate, bind, and serve in a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("ArmServer already started")
        self._stopping.clear()
        self._tempdir = Path(tempfile.mkdtemp(prefix="pxready-arm-"))
        try:
            self._tls = make_loopback_tls(self._tempdir)
            self._httpd = _HttpsServer(self, self._tls.server_context())
        except BaseException:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
            raise
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"ArmServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, join threads and delete the TLS files."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()  # wakes delayed answers
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        httpd.join_connections(timeout=5.0)
        if thread is not None:
            thread.join(timeout=5.0)
        self._httpd = self._thread = None
        self._tls = None
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    # -- where to connect --------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The ephemeral port the server listens on."""
        if self._httpd is None:
            raise RuntimeError("ArmServer not started")
        return int(self._httpd.server_address[1])

    @property
    def endpoint(self) -> str:
        """``https://127.0.0.1:PORT``, for the SDK's ``base_url``."""
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> str:
        """Path of the test CA's PEM file, for the SDK's ``connection_verify=``.

        httpx 0.28 deprecates a path for ``verify=``: give it ``tls.client_context()``.
        """
        if self._tls is None:
            raise RuntimeError("ArmServer not started")
        return str(self._tls.ca_file)

    @property
    def tls(self) -> LoopbackTls:
        """The TLS material (CA, certificate, key paths; client/server contexts)."""
        if self._tls is None:
            raise RuntimeError("ArmServer not started")
        return self._tls

    # -- routes ------------------------------------------------------------------------------

    def route(
        self,
        method: str,
        path: str,
        body: Body | Responder = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        *,
        times: int | None = None,
        query: Mapping[str, str | None] | None = None,
    ) -> Route:
        """Register an answer for ``method path``; returns it (see :attr:`Route.served`).

        ``body`` may also be a function of the :class:`RecordedRequest`. ``headers`` are added
        to the response (e.g. ``{"Retry-After": "1"}``). ``delay`` seconds pass before the
        answer is sent. ``times=n`` answers n requests, then lets the next route answer.
        ``query`` narrows the route to requests with these query values (``None`` = absent).
        """
        if "?" in path:
            raise ValueError("pass query parameters as query=..., not in the path")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for a permanent answer)")
        new = Route(
            method=method.upper(),
            path=unquote(path),
            body=body,
            status=status,
            headers=dict(headers or {}),
            delay=delay,
            times=times,
            query=dict(query) if query else None,
        )
        with self._lock:
            self._routes.setdefault((new.method, new.path.lower()), []).append(new)
        return new

    def paged(
        self,
        path: str,
        items: list[Any],
        page_size: int,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> list[Route]:
        """Serve ``items`` as ARM pages ``{"value": [...], "nextLink": ...}`` of ``page_size``.

        Page n+1 is at ``<endpoint><path>?<the request's own query>&$skiptoken=n+1``, so
        ``api-version`` and ``$filter`` carry over to the next page as ARM's nextLinks do.
        The last page has no ``nextLink``. No items still makes one (empty) page.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        pages = [items[i : i + page_size] for i in range(0, len(items), page_size)] or [[]]
        routes = []
        for number, page in enumerate(pages, start=1):
            following = str(number + 1) if number < len(pages) else None
            routes.append(
                self.route(
                    method,
                    path,
                    self._page(path, page, following),
                    headers=headers,
                    query={"$skiptoken": None if number == 1 else str(number)},
                )
            )
        return routes

    def _page(self, path: str, page: list[Any], following: str | None) -> Responder:
        def respond(request: RecordedRequest) -> Body:
            body: dict[str, Any] = {"value": page}
            if following is not None:
                params = {k: v for k, v in request.query.items() if k.lower() != "$skiptoken"}
                params["$skiptoken"] = following
                query = urlencode(params, safe="$", quote_via=quote)
                body["nextLink"] = f"{self.endpoint}{quote(path)}?{query}"
            return body

        return respond

    # -- what happened -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """The requests received, optionally only those for ``method`` and/or ``path``."""
        return [
            r
            for r in self.requests
            if (method is None or r.method.upper() == method.upper())
            and (path is None or r.path.lower() == unquote(path).lower())
        ]

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions raised while serving (a broken route body, a server bug)."""
        with self._lock:
            return list(self._errors)

    # -- used by the request handler ---------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _note_error(self, exc: BaseException) -> None:
        with self._lock:
            self._errors.append(exc)

    def _choose(self, request: RecordedRequest) -> tuple[Route | None, bool]:
        """The route answering ``request`` (counted as served), and whether the path is known."""
        with self._lock:
            routes = self._routes.get((request.method.upper(), request.path.lower()), [])
            live = [r for r in routes if not r.used_up and r.matches(request.query)]
            if not live:
                return None, bool(routes)
            chosen = min(live, key=lambda r: -len(r.query or {}))  # first of the most specific
            chosen.served += 1
            return chosen, True

    def _answer(self, request: RecordedRequest) -> tuple[int, Body, dict[str, str], float]:
        """Status, body, extra headers and delay for ``request``."""
        chosen, known = self._choose(request)
        if chosen is None:
            why = "no more recorded answers (or none for this query)" if known else "no route"
            reply = error(404, "NotFound", f"ArmServer: {why} for {request.method} {request.path}")
            return reply["status"], reply["body"], {}, 0.0
        body = chosen.body(request) if callable(chosen.body) else chosen.body
        return chosen.status, body, chosen.headers, chosen.delay


def _encode(body: Body) -> tuple[bytes, str | None]:
    if body is None:
        return b"", None
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return json.dumps(body).encode(), "application/json; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's requests session expects
    timeout = 30  # idle keep-alive backstop; stop() closes connections long before that
    server: _HttpsServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        arm = self.server.arm
        split = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=unquote(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=Headers(self.headers.items()),
            body=self._read_body(),
        )
        arm._record(request)
        try:
            status, body, extra, delay = arm._answer(request)
        except Exception as exc:  # a broken Responder: answer 500 and remember why
            arm._note_error(exc)
            reply = error(500, "ArmServerError", f"{type(exc).__name__}: {exc}")
            status, body, extra, delay = reply["status"], reply["body"], {}, 0.0
        if delay > 0 and arm._stopping.wait(delay):
            self.close_connection = True
            return
        payload, content_type = _encode(body)
        self.send_response(status)
        defaults = {"x-ms-request-id": str(uuid.uuid4()), "Content-Length": str(len(payload))}
        if content_type:
            defaults["Content-Type"] = content_type
        overrides = {k.lower() for k in extra}
        for name, value in defaults.items():
            if name.lower() not in overrides:
                self.send_header(name, value)
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


class _HttpsServer(ThreadingHTTPServer):
    """Threaded HTTP server doing the TLS handshake in each connection's own thread."""

    daemon_threads = True

    def __init__(self, arm: ArmServer, context: ssl.SSLContext) -> None:
        self.arm = arm
        self.context = context
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which may wait on DNS: skip it.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._serve_connection, args=(request, client_address), daemon=True
        )
        with self._conn_lock:
            self._workers.add(worker)
            self._connections.add(request)
        worker.start()

    def _serve_connection(self, raw: socket.socket, client_address: Any) -> None:
        conn = raw
        try:
            raw.settimeout(10.0)  # bound the handshake
            conn = self.context.wrap_socket(raw, server_side=True)
            with self._conn_lock:
                self._connections.add(conn)
            if not self.arm._stopping.is_set():
                self.finish_request(conn, client_address)
        except OSError:
            pass  # client went away, timed out, or failed the handshake: not a server error
        except Exception as exc:
            self.arm._note_error(exc)
        finally:
            with self._conn_lock:
                self._connections.discard(raw)
                self._connections.discard(conn)
                self._workers.discard(threading.current_thread())
            self.shutdown_request(conn)

    def close_connections(self) -> None:
        """Shut down every open connection so idle keep-alive workers return."""
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def join_connections(self, timeout: float) -> None:
        """Wait for the connection workers to finish."""
        with self._conn_lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join(timeout)
