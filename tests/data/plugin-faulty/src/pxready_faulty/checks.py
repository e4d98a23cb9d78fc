from __future__ import annotations

from readiness import Context, Finding, check


@check("faulty.raises", "A check with a bug", reference="tests", remediation="Fix the plugin.")
def raises(ctx: Context) -> Finding:
    """Raises, as a buggy third-party check would."""
    raise RuntimeError("something inside the plugin went wrong")
