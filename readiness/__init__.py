"""pxready: readiness checks for the Pexip Teams Connector.

This module is the plugin author's API. A check is a function decorated with `@check` that
takes a `Context` and returns `Finding`s::

    from readiness import Context, check, failed, passed

    @check("acme.naming", "Connector name follows ACME policy",
           reference="ACME video standard 4.2", remediation="Rename it acme-*.")
    def acme_naming(ctx: Context):
        fqdn = ctx.variables().fqdn
        ...

Register the module under the `pxready.checks` entry-point group of your package.

The names below (but the few from `readiness.check`) are imported when first used, so that
`pxready --version` and the start of every command pay only for what they use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# `check` is both the decorator and the module that defines it: importing the module sets the
# package attribute to the module, so the decorator is bound here, after that import, at once.
from readiness.check import (
    CheckError,
    CheckSkipped,
    CheckSpec,
    Needs,
    PasswordNeed,
    Scope,
    check,
)

_HOMES = {
    "ConnectorVariables": "readiness.connector",
    "Context": "readiness.context",
    "Finding": "readiness.model",
    "Location": "readiness.model",
    "Status": "readiness.model",
    "errored": "readiness.model",
    "failed": "readiness.model",
    "passed": "readiness.model",
    "skipped": "readiness.model",
    "warned": "readiness.model",
    "Secret": "readiness.secrets",
}

__all__ = [
    "CheckError",
    "CheckSkipped",
    "CheckSpec",
    "ConnectorVariables",
    "Context",
    "Finding",
    "Location",
    "Needs",
    "PasswordNeed",
    "Scope",
    "Secret",
    "Status",
    "__version__",
    "check",
    "errored",
    "failed",
    "passed",
    "skipped",
    "warned",
]

if TYPE_CHECKING:
    from readiness.connector import ConnectorVariables
    from readiness.context import Context
    from readiness.model import (
        Finding,
        Location,
        Status,
        errored,
        failed,
        passed,
        skipped,
        warned,
    )
    from readiness.secrets import Secret


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'readiness' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
