"""How a check is declared: its spec (id, title, needs, reference, remediation) and its function.

A check function takes a `Context` and returns (or yields) `Finding`s. It may be a plain
function or a coroutine function. It raises `CheckSkipped` when it does not apply and
`CheckError` when it cannot reach a verdict; any other exception is a bug in the check and
becomes an `error` result, never a crash.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from readiness.context import Context

# Returns a Finding, an iterable of them, an async iterator of them, or None.
CheckFunction: TypeAlias = Callable[["Context"], Any]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
# Where a check's area stands in reports when its author says nothing: after the built-ins.
DEFAULT_ORDER = 1000


class Needs(StrEnum):
    """What a check needs beyond the files on disk."""

    OFFLINE = "offline"  # nothing: runs in the pre-commit hook
    NETWORK = "network"  # DNS, HTTP or TLS to the outside: `skip` under --offline
    AZURE = "azure"  # Azure Resource Manager, or an export file that stands in for it


class Scope(StrEnum):
    """Whether a check runs once per `[[connector]]` or once for the whole deployment."""

    CONNECTOR = "connector"
    DEPLOYMENT = "deployment"


class CheckSkipped(Exception):  # it reads as the verdict it carries
    """The check does not apply, or something it needs is missing: a `skip` result.
    `because` says why in a few words, to group what was not checked ("no node certificates")."""

    def __init__(
        self, reason: str, *, target: str | None = None, because: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.target = target
        self.because = because


class CheckError(Exception):
    """The check could not reach a verdict (timeout, unreachable server): an `error` result."""

    def __init__(self, reason: str, *, target: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.target = target


class PasswordNeed(NamedTuple):
    """A password a check will ask the context for: the environment variable that holds it
    and the file it opens. The CLI asks for it before the run, on a terminal only."""

    env: str
    path: Path


# Which passwords a check needs for one context (a connector, or the deployment).
PasswordNeeds: TypeAlias = Callable[["Context"], Iterable[PasswordNeed]]


class CheckSpec(NamedTuple):
    id: str
    title: str
    needs: Needs
    scope: Scope
    reference: str
    remediation: str
    explanation: str
    function: CheckFunction
    passwords: PasswordNeeds | None = None
    # Reports show areas in ascending order (then by first registration).
    order: int = DEFAULT_ORDER
    # What a network or Azure check does under --offline instead (a plain function): judge
    # what it can without the network, or say what it would need.
    offline: CheckFunction | None = None

    @property
    def area(self) -> str:
        """The group a check is shown under: the part of its id before the first dot."""
        return self.id.split(".", 1)[0]

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function) or inspect.isasyncgenfunction(
            self.function
        )


class PlannedCheck(NamedTuple):
    """A check id that a plugin reserves before the check is built: selecting it is no typo,
    it never runs, and `pxready explain` says so and quotes the requirement it will verify."""

    id: str
    title: str
    requirement: str
    needs: Needs = Needs.OFFLINE

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]


def check(
    id: str,
    title: str,
    *,
    reference: str,
    remediation: str,
    needs: Needs = Needs.OFFLINE,
    scope: Scope = Scope.CONNECTOR,
    passwords: PasswordNeeds | None = None,
    order: int = DEFAULT_ORDER,
    offline: CheckFunction | None = None,
) -> Callable[[CheckFunction], CheckSpec]:
    """Declare a check. The decorated function's docstring is its `pxready explain` text."""
    if not ID_PATTERN.match(id):
        raise ValueError(f"check id {id!r} must be lower-case words joined by '.' or '-'")

    def decorate(function: CheckFunction) -> CheckSpec:
        return CheckSpec(
            id=id,
            title=title,
            needs=needs,
            scope=scope,
            reference=reference,
            remediation=inspect.cleandoc(remediation),
            explanation=inspect.cleandoc(function.__doc__ or "").strip(),
            function=function,
            passwords=passwords,
            order=order,
            offline=offline,
        )

    return decorate
