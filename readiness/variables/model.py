"""What the variables-script reader produces."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple, TypeAlias

Value: TypeAlias = "str | int | float | bool | list[Value] | None"

# Variables whose value is a secret: their text never goes into a problem, a message or details.
_SECRET_NAME = re.compile(
    r"pass(?:word|wd|phrase)?|pwd|secret|api_?key|token|credential", re.IGNORECASE
)


def looks_secret(name: str) -> bool:
    """Whether a variable name says its value is a secret ($PxWinAdminPassword, $ApiKey, …)."""
    return bool(_SECRET_NAME.search(name))


class Assignment(NamedTuple):
    """One `$Name = value` statement. `value` is None with a `problem` when not evaluable."""

    name: str
    line: int
    value: Value
    problem: str | None = None
    literal: bool = False  # written as a plain literal (no variables, no commands)
    # Some of the value is text typed into the script (a quoted string or a number), even when
    # the rest cannot be evaluated: "Pa$$w0rd" is still a password written in plain text.
    plain_text: bool = False

    @property
    def resolved(self) -> bool:
        return self.problem is None


class IgnoredStatement(NamedTuple):
    line: int
    head: str  # the command word only: arguments may hold secrets


class ScriptSyntaxProblem(NamedTuple):
    line: int
    message: str
    ours: bool = False  # pxready's own limit, not text that PowerShell would reject


class VariablesScript(NamedTuple):
    path: Path
    encoding: str
    assignments: tuple[Assignment, ...]
    ignored: tuple[IgnoredStatement, ...]
    syntax: ScriptSyntaxProblem | None
    # The decoded text, for checks that look at a statement's shape. Never put into a result:
    # it may hold secrets. Kept out of repr for the same reason.
    source: str = ""

    def __repr__(self) -> str:
        return f"VariablesScript(path={self.path!r}, {len(self.assignments)} assignments)"

    def get(self, name: str) -> Assignment | None:
        """The last assignment to `name` (PowerShell names are case-insensitive)."""
        wanted = name.lstrip("$").lower()
        for assignment in reversed(self.assignments):
            if assignment.name.lower() == wanted:
                return assignment
        return None

    def line_text(self, line: int) -> str:
        # Only the line ends PowerShell knows: str.splitlines() also splits at \f, \x85, U+2028…,
        # which would shift every line after one of them.
        lines = self.source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def location(self, name: str) -> int | None:
        found = self.get(name)
        return found.line if found else None
