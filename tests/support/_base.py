"""Plumbing shared by the loopback servers: daemon threads, tracked sockets, an accept loop.

Every server owns one `Workers`. Its `stop()` wakes whatever is blocked (accept loops through a
wake-up socket pair, connection threads by shutting their sockets down), joins every thread with
a timeout and closes every socket still open, so a test never leaves threads or sockets behind.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

HOST = "127.0.0.1"
JOIN_TIMEOUT = 2.0


class Workers:
    """The daemon threads and open sockets of one server, and the event that tells them to stop."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._wake_r, self._wake_w = socket.socketpair()

    def spawn(self, target: Callable[..., object], *args: Any) -> None:
        """Run `target(*args)` in a new daemon thread that `stop()` joins."""

        def run() -> None:
            try:
                target(*args)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name=f"{self.name}-worker", daemon=True)
        with self._lock:
            if self.stopping.is_set():
                return
            self._threads.add(thread)
        thread.start()

    def track(self, sock: socket.socket) -> bool:
        """Own `sock` until `stop()`; False (and the socket closed) when already stopping."""
        with self._lock:
            if not self.stopping.is_set():
                self._sockets.add(sock)
                return True
        sock.close()
        return False

    def release(self, sock: socket.socket) -> None:
        """Close `sock` now and forget it."""
        with self._lock:
            self._sockets.discard(sock)
        sock.close()

    def wait(self, seconds: float | None) -> bool:
        """Sleep up to `seconds` (forever if None); True when the server is stopping."""
        return self.stopping.wait(seconds)

    def accept_loop(
        self, listener: socket.socket, on_connection: Callable[[socket.socket], None]
    ) -> None:
        """Accept on `listener` until `stop()`, handing each connection to a new worker thread."""
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        conn, _addr = listener.accept()
                    except OSError:
                        continue
                    if self.track(conn):
                        self.spawn(self._serve, conn, on_connection)

    def _serve(self, conn: socket.socket, on_connection: Callable[[socket.socket], None]) -> None:
        try:
            on_connection(conn)
        except OSError:
            pass  # the client went away, or stop() shut the socket down
        finally:
            self.release(conn)

    def wake_selector_socket(self) -> socket.socket:
        """A socket that becomes readable when `stop()` is called (for custom select loops)."""
        return self._wake_r

    def stop(self) -> None:
        """Wake everything, join the threads (each for at most JOIN_TIMEOUT), close what is left.

        Sockets are only shut down while their threads may still use them; each thread closes
        its own on the way out, so none is closed under a thread's feet.
        """
        with self._lock:
            self.stopping.set()
            sockets = list(self._sockets)
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        for sock in sockets:
            with contextlib.suppress(OSError):
                # the plain socket method: SSLSocket.shutdown would drop its TLS state mid-use
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        with self._lock:
            threads = [t for t in self._threads if t is not threading.current_thread()]
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        with self._lock:
            leftovers = list(self._sockets)
            self._sockets.clear()
        for sock in leftovers:
            sock.close()
        self._wake_r.close()
        self._wake_w.close()


class Running:
    """A server used as a context manager: `with Server() as server:` starts it and, whatever
    happens in the block, stops it."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class TcpServer(Running):
    """A TCP server on an ephemeral port of 127.0.0.1; each connection goes to `_serve` in its
    own thread. A context manager, or `start()` / `stop()`."""

    name = "tcp"

    def __init__(self) -> None:
        self.host = HOST
        self.port = 0
        self._workers = Workers(self.name)
        self._listener: socket.socket | None = None

    def start(self) -> Self:
        """Listen and start accepting; `port` is known from here on."""
        self._listener = listen_tcp()
        self.port = self._listener.getsockname()[1]
        self._workers.spawn(self._workers.accept_loop, self._listener, self._serve)
        return self

    def stop(self) -> None:
        """Close the listener and every connection, and join every thread."""
        self._workers.stop()
        if self._listener is not None:
            self._listener.close()

    def _serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


def listen_tcp(port: int = 0) -> socket.socket:
    """A TCP listener on 127.0.0.1 (`port` 0: an ephemeral port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def send_rst_and_close(sock: socket.socket) -> None:
    """Close `sock` abortively: SO_LINGER 0 makes the kernel send RST instead of FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
