"""Secrets are held in a type that will not print itself, and scrubbed from every result."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

MASK = "********"
# Shorter values would mask ordinary words in messages; passwords that short fail anyway.
_MIN_SCRUB_LENGTH = 6


class Secret:
    """A password or key. Its repr and str never show the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


class SecretRegistry:
    """Every secret value seen during a run, so that no output can carry one by accident."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | Secret | None) -> None:
        raw = value.reveal() if isinstance(value, Secret) else value
        if raw and len(raw) >= _MIN_SCRUB_LENGTH:
            with self._lock:
                self._values.add(raw)

    def scrub_text(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def scrub(self, data: Any) -> Any:
        """Scrub strings anywhere inside JSON-like data."""
        if isinstance(data, str):
            return self.scrub_text(data)
        if isinstance(data, Mapping):
            return {self.scrub_text(str(k)): self.scrub(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.scrub(v) for v in data]
        return data
