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
"""

from readiness.check import CheckError, CheckSkipped, CheckSpec, Needs, Scope, check
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

__version__ = "0.1.0"

__all__ = [
    "CheckError",
    "CheckSkipped",
    "CheckSpec",
    "ConnectorVariables",
    "Context",
    "Finding",
    "Location",
    "Needs",
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
