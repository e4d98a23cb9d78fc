"""How an Azure check is declared: its spec, and what it does under --offline.

Under --offline an Azure check reads export files only. When none of the files it reads is
given (neither its flag or key nor an evidence folder), it is `skip` naming them, decided
without starting an event loop, so the offline pre-commit path stays free of asyncio. When
evidence is given, the check runs as it does online, on an event loop of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from readiness import Context, Needs, Scope
from readiness import check as _check
from readiness.check import CheckSpec

AzureCheck = Callable[[Context], Coroutine[Any, Any, Any]]
ORDER = 70


def azure_check(
    check_id: str,
    title: str,
    *,
    kinds: tuple[str, ...],
    reference: str,
    remediation: str,
    scope: Scope = Scope.CONNECTOR,
    applies: Callable[[Context], object] | None = None,
) -> Callable[[AzureCheck], CheckSpec]:
    """`@check` for an Azure check that reads the exports of `kinds` (the first one named when
    it is skipped). `applies` raises CheckSkipped when the check does not apply at all, which
    is said before any missing evidence."""

    def decorate(function: AzureCheck) -> CheckSpec:
        def offline(ctx: Context) -> Any:
            if applies is not None:
                applies(ctx)
            if not has_evidence(ctx, kinds):
                from checks.azure.sources import Facts

                raise Facts(ctx, None).unavailable(kinds[0])
            import asyncio

            return asyncio.run(function(ctx))

        return _check(
            check_id,
            title,
            reference=reference,
            remediation=remediation,
            needs=Needs.AZURE,
            scope=scope,
            order=ORDER,
            offline=offline,
        )(function)

    return decorate


def has_evidence(ctx: Context, kinds: tuple[str, ...]) -> bool:
    from checks.azure.evidence import EXPORTS

    azure = ctx.deployment.azure
    if azure.evidence is not None:
        return True
    keys = [key for key in (EXPORTS[kind].key for kind in kinds) if key is not None]
    return any(getattr(azure, key) is not None for key in keys)
