"""Certificate helpers for the connector-cert.* and node-cert.* checks.

These modules import cryptography, pyasn1 and service_identity at their top. The check modules
import them only inside check functions, so listing checks and the pre-commit path never pay
for those imports; that is why the module-level imports here carry `noqa: TID253`.
"""

from __future__ import annotations

from typing import Any

from readiness.model import Finding, Status


class InputProblem(Exception):
    """A certificate file that cannot be used: `kind` is stable (tests and details use it),
    `message` is one line for the user."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def as_finding(status: str, message: str, **kw: Any) -> Finding:
    """A verdict of the certificate helpers ("pass", "warn", "fail") as a check's finding."""
    return Finding(Status(status), message, **kw)
