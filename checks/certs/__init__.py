"""Certificate helpers for the connector-cert.* and node-cert.* checks.

These modules import cryptography, pyasn1 and service_identity at their top. The check modules
import them only inside check functions, so listing checks and the pre-commit path never pay
for those imports; that is why the module-level imports here carry `noqa: TID253`.
"""


class InputProblem(Exception):
    """A certificate file that cannot be used: `kind` is stable (tests and details use it),
    `message` is one line for the user."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
