"""Real TLS endpoints on 127.0.0.1 standing in for Conferencing Nodes in pxready's TLS checks.

`TlsServer` completes handshakes with the given chain and key under the given protocol range and
ciphers (optionally requesting a client certificate), then waits for the client to hang up and
closes, so a client sees a clean end, never a reset. It survives clients that abort mid-handshake
and records what happened in `handshakes` and `failures`. `SilentTcpServer` accepts and never
sends a byte. The legacy helpers build servers that only old clients would accept (3DES,
TLS 1.0/1.1); whether the local OpenSSL can do that at all is answered by the `*_supported()`
probes, which make a real loopback handshake so tests can skip when it cannot.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
import warnings
from pathlib import Path
from typing import NamedTuple

from tests.support._base import TcpServer
from tests.support.pki import make_leaf, make_root

HANDSHAKE_TIMEOUT = 10.0
TLS_3DES_CIPHERS = "DES-CBC3-SHA:@SECLEVEL=0"
LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"


class Handshake(NamedTuple):
    """One completed handshake: "TLSv1.3", the cipher name, the client's certificate (DER)."""

    version: str | None
    cipher: str | None
    client_cert: bytes | None


def _set_versions(ctx: ssl.SSLContext, low: ssl.TLSVersion, high: ssl.TLSVersion) -> None:
    with warnings.catch_warnings():  # TLSv1 and TLSv1_1 are deprecated in the ssl module
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = low
        ctx.maximum_version = high


def server_context(
    chain_pem: bytes,
    key_pem: bytes,
    *,
    min_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
    ciphers: str | None = None,
    request_client_cert: bool = False,
    client_ca_pem: bytes | None = None,
) -> ssl.SSLContext:
    """The server side context; raises ssl.SSLError when OpenSSL cannot do what is asked."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _set_versions(ctx, min_version, max_version)
    if ciphers is None and min_version < ssl.TLSVersion.TLSv1_2:
        ciphers = LEGACY_CIPHERS  # OpenSSL 3 refuses TLS 1.0/1.1 above security level 0
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "chain.pem").write_bytes(chain_pem)
        Path(tmp, "key.pem").write_bytes(key_pem)
        ctx.load_cert_chain(Path(tmp, "chain.pem"), Path(tmp, "key.pem"))
    if request_client_cert:
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(cadata=(client_ca_pem or chain_pem).decode("ascii"))
    return ctx


class TlsServer(TcpServer):
    """A TLS endpoint; a context manager, or `start()` / `stop()`. The context is built at once."""

    name = "tls"

    def __init__(
        self,
        chain_pem: bytes,
        key_pem: bytes,
        *,
        min_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
        max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
        ciphers: str | None = None,
        request_client_cert: bool = False,
        client_ca_pem: bytes | None = None,
    ) -> None:
        """`client_ca_pem` (default: `chain_pem`) verifies client certificates when requested."""
        self.context = server_context(
            chain_pem, key_pem, min_version=min_version, max_version=max_version,
            ciphers=ciphers, request_client_cert=request_client_cert, client_ca_pem=client_ca_pem,
        )  # fmt: skip
        super().__init__()
        self._lock = threading.Condition()
        self._handshakes: list[Handshake] = []
        self._failures: list[str] = []

    @property
    def handshakes(self) -> list[Handshake]:
        """The completed handshakes, in the order the server finished them."""
        with self._lock:
            return list(self._handshakes)

    @property
    def failures(self) -> list[str]:
        """Why handshakes failed (the server side's error text), in order."""
        with self._lock:
            return list(self._failures)

    def wait_for(self, handshakes: int = 0, failures: int = 0, timeout: float = 5.0) -> bool:
        """Wait until the server has recorded at least that many handshakes and failures.

        The client may finish before the server's side does; call this before asserting on
        `handshakes` or `failures`. False on timeout.
        """
        with self._lock:
            return self._lock.wait_for(
                lambda: len(self._handshakes) >= handshakes and len(self._failures) >= failures,
                timeout,
            )

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(HANDSHAKE_TIMEOUT)
        tls = self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        if not self._workers.track(tls):  # the raw socket is detached now; own the TLS one
            return
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            with self._lock:
                self._failures.append(str(exc))
                self._lock.notify_all()
            self._workers.release(tls)
            return
        cipher = tls.cipher()
        with self._lock:
            self._handshakes.append(
                Handshake(tls.version(), cipher[0] if cipher else None, tls.getpeercert(True))
            )
            self._lock.notify_all()
        try:
            tls.settimeout(None)  # hold the line until the client (or stop()) ends it
            while tls.recv(4096):
                pass
        except (ssl.SSLError, OSError):
            pass
        finally:
            self._workers.release(tls)


class SilentTcpServer(TcpServer):
    """Accepts TCP connections and never sends a byte; they stay open until the client leaves
    or `stop()`. A TLS client talking to it has to time out in the handshake."""

    name = "silent"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._connections = 0

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return self._connections

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections += 1
        while conn.recv(4096):
            pass


def legacy_3des_server(chain_pem: bytes, key_pem: bytes) -> TlsServer:
    """A TLS 1.2-max server offering only DES-CBC3-SHA (needs an RSA key); ssl.SSLError when
    the local OpenSSL has no 3DES."""
    return TlsServer(
        chain_pem, key_pem, max_version=ssl.TLSVersion.TLSv1_2, ciphers=TLS_3DES_CIPHERS
    )


def legacy_tls10_server(
    chain_pem: bytes, key_pem: bytes, *, max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3
) -> TlsServer:
    """A server that also accepts TLS 1.0 and 1.1 (security level 0), up to `max_version`."""
    return TlsServer(
        chain_pem, key_pem, min_version=ssl.TLSVersion.TLSv1, max_version=max_version,
        ciphers=LEGACY_CIPHERS,
    )  # fmt: skip


def permissive_client_context(
    *, ciphers: str = LEGACY_CIPHERS, min_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1,
    max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
) -> ssl.SSLContext:  # fmt: skip
    """A client that verifies nothing and allows whatever OpenSSL still can (security level 0)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    _set_versions(ctx, min_version, max_version)
    ctx.set_ciphers(ciphers)
    return ctx


def _probe_handshake(server: TlsServer, client: ssl.SSLContext) -> Handshake | None:
    with server, socket.create_connection((server.host, server.port), timeout=5) as raw:
        try:
            with client.wrap_socket(raw) as tls:
                cipher = tls.cipher()
                return Handshake(tls.version(), cipher[0] if cipher else None, None)
        except (ssl.SSLError, OSError):
            return None


def legacy_3des_supported() -> bool:
    """Whether the local OpenSSL really negotiates DES-CBC3-SHA with a client that allows it."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).set_ciphers(TLS_3DES_CIPHERS)
        client = permissive_client_context(
            ciphers=TLS_3DES_CIPHERS, max_version=ssl.TLSVersion.TLSv1_2
        )
        leaf = make_leaf(make_root(key_type="rsa"), ["legacy.test"], key_type="rsa")
        server = legacy_3des_server(leaf.pem(), leaf.key_pem())
    except ssl.SSLError:
        return False
    result = _probe_handshake(server, client)
    return result is not None and result.cipher == "DES-CBC3-SHA"


def legacy_tls10_supported() -> bool:
    """Whether the local OpenSSL really completes a TLS 1.0 handshake (at security level 0)."""
    try:
        client = permissive_client_context(
            min_version=ssl.TLSVersion.TLSv1, max_version=ssl.TLSVersion.TLSv1
        )
        leaf = make_leaf(make_root(), ["legacy.test"])
        server = legacy_tls10_server(leaf.pem(), leaf.key_pem())
    except (ssl.SSLError, ValueError):
        return False
    result = _probe_handshake(server, client)
    return result is not None and result.version == "TLSv1"
