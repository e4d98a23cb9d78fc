"""A raw HTTP/1.1 server on 127.0.0.1 for testing pxready's AIA, CRL and OCSP fetches.

It is written on plain sockets so that it can misbehave the way real servers do: bodies that
never end, that arrive a byte a second, that are cut off by a TCP reset, or no answer at all.
Each path is routed to a behaviour built by the helpers below (`respond`, `redirect`, `endless`,
`huge`, `trickle`, `reset_mid_body`, `stall`, `delay`, `handler`); unknown paths get 404. Every
connection is served in its own thread and closed after one response (`Connection: close`).

    with HttpServer() as http:
        http.route("/ca.crt", respond(body=root.der(), headers={"Content-Type": "..."}))
        leaf = make_leaf(..., aia_issuers=[http.url("/ca.crt")])
"""

from __future__ import annotations

import http
import socket
import threading
from collections.abc import Callable
from typing import NamedTuple

from tests.support._base import TcpServer, Workers, send_rst_and_close

MAX_HEAD = 64 * 1024


class Request(NamedTuple):
    """One request as received; header names are lowercased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Exchange:
    """What a behaviour gets: the request, the client socket and the server's stop signal."""

    def __init__(self, sock: socket.socket, request: Request, workers: Workers) -> None:
        self.sock = sock
        self.request = request
        self._workers = workers

    def send_head(self, status: int, headers: dict[str, str]) -> None:
        """Send the status line and `headers`, plus `Connection: close`."""
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Whatever"
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
        self.send(("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1"))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def wait(self, seconds: float | None) -> bool:
        """Sleep up to `seconds`; True when the server is stopping (the behaviour should end)."""
        return self._workers.wait(seconds)


Behaviour = Callable[[Exchange], None]
HandlerFn = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def respond(
    status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None
) -> Behaviour:
    """A complete response with Content-Length."""

    def run(ex: Exchange) -> None:
        ex.send_head(status, {**(headers or {}), "Content-Length": str(len(body))})
        if ex.request.method != "HEAD":
            ex.send(body)

    return run


def redirect(status: int, location: str) -> Behaviour:
    """A 301/302/303/307/308 to `location` (two routes redirecting to each other make a loop)."""
    return respond(status, b"", {"Location": location})


def endless(chunk: bytes = b"x" * 1024) -> Behaviour:
    """A chunked 200 whose body never ends (sent as fast as the client reads)."""

    def run(ex: Exchange) -> None:
        ex.send_head(
            200, {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"}
        )
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not ex.wait(0):
            ex.send(framed)

    return run


def huge(size_bytes: int) -> Behaviour:
    """A 200 announcing Content-Length `size_bytes` and streaming that many bytes."""

    def run(ex: Exchange) -> None:
        ex.send_head(
            200, {"Content-Type": "application/octet-stream", "Content-Length": str(size_bytes)}
        )
        block, left = b"x" * 65536, size_bytes
        while left > 0 and not ex.wait(0):
            ex.send(block[:left])
            left -= len(block)

    return run


def trickle(body: bytes, bytes_per_second: float = 1) -> Behaviour:
    """A 200 with the full Content-Length whose body arrives `bytes_per_second` bytes a second."""

    def run(ex: Exchange) -> None:
        ex.send_head(200, {"Content-Length": str(len(body))})
        for i in range(len(body)):
            ex.send(body[i : i + 1])
            if ex.wait(1 / bytes_per_second):
                return

    return run


def reset_mid_body(body: bytes, after: int) -> Behaviour:
    """Announce the full Content-Length, send `after` bytes, then abort the connection (RST)."""

    def run(ex: Exchange) -> None:
        ex.send_head(200, {"Content-Length": str(len(body))})
        ex.send(body[:after])
        ex.wait(0.05)  # let the partial body leave before the reset discards the send queue
        send_rst_and_close(ex.sock)

    return run


def stall() -> Behaviour:
    """Read the request and never answer; the connection stays open until the client leaves."""

    def run(ex: Exchange) -> None:
        while ex.sock.recv(4096):
            pass

    return run


def delay(seconds: float, inner: Behaviour) -> Behaviour:
    """Wait `seconds` before behaving like `inner`."""

    def run(ex: Exchange) -> None:
        if not ex.wait(seconds):
            inner(ex)

    return run


def handler(fn: HandlerFn) -> Behaviour:
    """A dynamic answer: `fn(method, path, headers, body) -> (status, headers, body)`."""

    def run(ex: Exchange) -> None:
        status, headers, body = fn(*ex.request)
        respond(status, body, headers)(ex)

    return run


class HttpServer(TcpServer):
    """An HTTP/1.1 server with routed behaviours; a context manager, or `start()` / `stop()`."""

    name = "http"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._routes: dict[str, Behaviour] = {}
        self._prefixes: dict[str, Behaviour] = {}
        self._requests: list[Request] = []

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    @property
    def requests(self) -> list[Request]:
        """A copy of the request log, in arrival order: (method, path, headers, body)."""
        with self._lock:
            return list(self._requests)

    def route(self, path: str, behaviour: Behaviour, *, prefix: bool = False) -> None:
        """Serve `path` (the exact target, query string optional) or, with `prefix`, every path
        starting with it (e.g. "/ocsp/" for GET requests that carry the OCSP request)."""
        with self._lock:
            (self._prefixes if prefix else self._routes)[path] = behaviour

    def _serve(self, sock: socket.socket) -> None:
        request = _read_request(sock)
        if request is None:
            return
        with self._lock:
            self._requests.append(request)
            behaviour = self._find(request.path)
        behaviour(Exchange(sock, request, self._workers))

    def _find(self, target: str) -> Behaviour:
        for key in (target, target.split("?", 1)[0]):
            if key in self._routes:
                return self._routes[key]
        for prefix in sorted(self._prefixes, key=len, reverse=True):
            if target.startswith(prefix):
                return self._prefixes[prefix]
        return respond(404, b"not found\n", {"Content-Type": "text/plain"})


def _read_request(sock: socket.socket) -> Request | None:
    """Read one request (Content-Length or chunked body); None if the client sent none."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk or len(data) > MAX_HEAD:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    reader = _Reader(sock, rest)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while size := int(reader.line().split(b";")[0], 16):
            body += reader.exactly(size)
            reader.line()
        while reader.line():  # trailers end with an empty line
            pass
    else:
        body = reader.exactly(int(headers.get("content-length", "0")))
    return Request(method, target, headers, body)


class _Reader:
    def __init__(self, sock: socket.socket, buffered: bytes) -> None:
        self.sock, self.buf = sock, buffered

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("client closed mid-request")
        self.buf += chunk

    def exactly(self, size: int) -> bytes:
        while len(self.buf) < size:
            self._fill()
        out, self.buf = self.buf[:size], self.buf[size:]
        return out

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill()
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out
