"""Certificate helpers for the connector-cert.* and node-cert.* checks.

These modules import cryptography at their top. The check modules import them only inside
check functions, so listing checks and the pre-commit path never pay for those imports; that
is why the module-level imports here carry `noqa: TID253`. Every helper that judges something
returns a `Verdict`; a check turns it into a finding with `Verdict.finding`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from readiness.model import EMPTY, Finding, Location, Status


class InputProblem(Exception):
    """A certificate file that cannot be used: `kind` is stable (tests and details use it),
    `message` is one line for the user."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class Verdict(NamedTuple):
    """What a certificate helper concludes: a status, one line, and what backs it."""

    status: Status
    message: str
    details: Mapping[str, Any] = EMPTY
    remediation: str | None = None  # replaces the check's general fix when set

    def finding(self, *, target: str | None = None, location: Location | None = None) -> Finding:
        return Finding(
            self.status,
            self.message,
            target=target,
            details=dict(self.details),
            location=location,
            remediation=self.remediation,
        )
