"""HTTP fetches of URLs taken from certificates (AIA caIssuers, CRL, OCSP): hostile input.

Only http:// and https:// are fetched; redirects are never followed (the answer is the 3xx);
proxies, .netrc and cookies from the environment are ignored; the whole exchange (connect,
head, body) is bounded by --timeout, so a server that trickles a byte a second costs one
timeout; the body is read up to 1 MiB and the rest refused. Each (method, URL, body) is fetched
once per run, and a host that could not be reached is not tried again.
"""

from __future__ import annotations

import asyncio
import socket
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx

from readiness.adapters.limits import Limits, seconds
from readiness.adapters.urls import url_problem
from readiness.text import one_line

MAX_BODY = 1024 * 1024
USER_AGENT = "pxready (Teams Connector readiness check)"


class Fetched(NamedTuple):
    url: str
    status: int | None = None  # None: no HTTP answer (see `problem`)
    reason: str = ""
    location: str | None = None  # a redirect's target, as sent
    content_type: str | None = None
    body: bytes = b""
    problem: str | None = None  # why there is no complete answer, in one line
    too_large: bool = False  # the body went past MAX_BODY (and was not read further)

    @property
    def answered(self) -> bool:
        return self.status is not None and self.problem is None


class Fetcher:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                trust_env=False,
                follow_redirects=False,
                timeout=httpx.Timeout(self.limits.timeout),
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=16),
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            )
        return self._client

    async def get(self, url: str) -> Fetched:
        return await self.limits.once(("GET", url), lambda: self._fetch("GET", url, None, None))

    async def post(self, url: str, body: bytes, content_type: str) -> Fetched:
        key = ("POST", url, body)
        return await self.limits.once(key, lambda: self._fetch("POST", url, body, content_type))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def _fetch(
        self, method: str, url: str, body: bytes | None, content_type: str | None
    ) -> Fetched:
        problem = url_problem(url)
        if problem:
            return Fetched(url, problem=problem)
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        async with self.limits.connection(host, f"HTTP {url}"):
            if host in self.limits.unreachable:
                return Fetched(url, problem=self.limits.unreachable[host])
            timeout = self.limits.timeout
            headers = {"Content-Type": content_type} if content_type else {}
            answered: list[bool] = []
            try:
                async with asyncio.timeout(timeout):
                    return await self._exchange(method, url, body, headers, answered)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                why = _connect_problem(exc, parts.hostname or "", timeout)
                self.limits.unreachable[host] = why
                return Fetched(url, problem=why)
            except (TimeoutError, httpx.TimeoutException):
                if not answered:
                    # Not even a status line: the host is as good as dead for this run.
                    why = f"{parts.hostname} gave no answer within {seconds(timeout)}"
                    self.limits.unreachable[host] = why
                    return Fetched(url, problem=why)
                return Fetched(url, problem=f"no complete answer within {seconds(timeout)}")
            except httpx.RemoteProtocolError as exc:
                return Fetched(url, problem=f"the server broke off the answer ({one_line(exc)})")
            except httpx.HTTPError as exc:
                return Fetched(url, problem=one_line(exc))
            except (OSError, ValueError) as exc:
                return Fetched(url, problem=one_line(exc))

    async def _exchange(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        answered: list[bool],
    ) -> Fetched:
        client = self._http()
        async with client.stream(method, url, content=body, headers=headers) as response:
            answered.append(True)
            received = bytearray()
            too_large = False
            try:
                async for chunk in response.aiter_raw():
                    received += chunk
                    if len(received) > MAX_BODY:
                        too_large = True
                        break
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                return Fetched(
                    url,
                    status=response.status_code,
                    reason=response.reason_phrase,
                    content_type=response.headers.get("content-type"),
                    body=bytes(received[:MAX_BODY]),
                    problem=f"the connection broke off after {len(received)} bytes of the body "
                    f"({one_line(exc) if str(exc) else type(exc).__name__})",
                )
            return Fetched(
                url,
                status=response.status_code,
                reason=response.reason_phrase,
                location=response.headers.get("location"),
                content_type=response.headers.get("content-type"),
                body=bytes(received[:MAX_BODY]),
                too_large=too_large,
            )


def _connect_problem(exc: Exception, host: str, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection to {host} within {seconds(timeout)}"
    cause = _root_cause(exc)
    if isinstance(cause, socket.gaierror):
        return f"{host} does not resolve"
    if isinstance(cause, ConnectionRefusedError):
        return f"{host} refused the connection"
    return f"no connection to {host} ({one_line(cause)})"


def _root_cause(exc: BaseException) -> BaseException:
    """The deepest error under httpx's and anyio's wrappers ("All connection attempts failed"
    hides "connection refused")."""
    for _ in range(10):
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return exc
