"""What the variables-script reader produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

Value: TypeAlias = "str | int | float | bool | None | list[Value]"


@dataclass(frozen=True)
class Assignment:
    """One `$Name = value` statement. `value` is None with a `problem` when not evaluable."""

    name: str
    line: int
    value: Value
    problem: str | None = None
    literal: bool = False  # written as a plain literal (no variables, no commands)
    source_head: str | None = None  # for an unevaluable value: the command it runs

    @property
    def resolved(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class IgnoredStatement:
    line: int
    head: str  # the command word only: arguments may hold secrets


@dataclass(frozen=True)
class ScriptSyntaxProblem:
    line: int
    message: str


@dataclass(frozen=True)
class VariablesScript:
    path: Path
    encoding: str
    assignments: tuple[Assignment, ...]
    ignored: tuple[IgnoredStatement, ...]
    syntax: ScriptSyntaxProblem | None
    # The decoded text, for checks that look at a statement's shape. Never put into a result:
    # it may hold secrets. Kept out of repr for the same reason.
    source: str = field(default="", repr=False)

    def get(self, name: str) -> Assignment | None:
        """The last assignment to `name` (PowerShell names are case-insensitive)."""
        wanted = name.lstrip("$").lower()
        for assignment in reversed(self.assignments):
            if assignment.name.lower() == wanted:
                return assignment
        return None

    def line_text(self, line: int) -> str:
        lines = self.source.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def location(self, name: str) -> int | None:
        found = self.get(name)
        return found.line if found else None
