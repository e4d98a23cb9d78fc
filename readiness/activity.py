"""What the run is waiting for right now, for the progress line: network adapters say when an
operation starts and ends ("DNS px1.example.com", "TLS px1.example.com:443"). Thread-safe and
free of asyncio, so the offline path can hold one without importing it."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Activity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._serial = itertools.count()
        self._open: dict[int, str] = {}

    @contextmanager
    def waiting(self, label: str) -> Iterator[None]:
        token = next(self._serial)
        with self._lock:
            self._open[token] = label
        try:
            yield
        finally:
            with self._lock:
                self._open.pop(token, None)

    def snapshot(self) -> list[str]:
        """What is awaited, oldest first."""
        with self._lock:
            return list(self._open.values())
