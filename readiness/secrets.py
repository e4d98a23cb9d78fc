"""Secrets are held in a type that will not print itself, and scrubbed from every output."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readiness.variables import VariablesScript

MASK = "********"
# Shorter values would mask ordinary words ("eu") in messages. They are still never shown:
# a value made from a secret is never used or printed (the variables reader's taint).
_MIN_SCRUB_LENGTH = 4
_QUOTED = r"\"[^\"]*\"|'[^']*'"


class Secret:
    """A password or key. Its repr and str never show the value."""

    __slots__ = ("_value", "typed")

    def __init__(self, value: str, *, typed: bool = False) -> None:
        self._value = value
        self.typed = typed  # typed at pxready's prompt, rather than read from the environment

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
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str | Secret | None) -> None:
        raw = value.reveal() if isinstance(value, Secret) else value
        if raw and len(raw.strip()) >= _MIN_SCRUB_LENGTH:
            with self._lock:
                if raw not in self._values:
                    self._values.add(raw)
                    self._pattern = None

    def add_script(self, script: VariablesScript) -> None:
        """Every value of a secret-named variable is scrubbed from all output, and so is every
        quoted text on its line (a value pxready cannot evaluate may still hold a password)."""
        from readiness.variables.model import looks_secret

        for assignment in script.assignments:
            if not looks_secret(assignment.name):
                continue
            values = assignment.value if isinstance(assignment.value, list) else [assignment.value]
            for value in values:
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    self.add(str(value))
            for quoted in re.findall(_QUOTED, script.line_text(assignment.line)):
                self.add(quoted[1:-1])

    def scrub_text(self, text: str) -> str:
        """`text` with every secret masked, in any letter case (a value may be lower-cased on
        its way into a message, as host names are)."""
        with self._lock:
            if not self._values:
                return text
            if self._pattern is None:
                longest_first = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile(
                    "|".join(re.escape(v) for v in longest_first), re.IGNORECASE
                )
            pattern = self._pattern
        return pattern.sub(MASK, text)

    def scrub(self, data: Any) -> Any:
        """Scrub strings anywhere inside JSON-like data."""
        if isinstance(data, str):
            return self.scrub_text(data)
        if isinstance(data, Mapping):
            return {self.scrub_text(str(k)): self.scrub(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.scrub(v) for v in data]
        return data
