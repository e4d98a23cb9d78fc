"""What the subscription lets the install do: azure.permissions and azure.features."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checks.azure import DISK_ENCRYPTION_FEATURE
from checks.azure.declare import azure_check
from readiness import CheckSkipped, Context, Finding, failed, passed, warned

if TYPE_CHECKING:
    from checks.azure.names import Plan

GUIDE = "Pexip Teams Connector planning guide"
PERMISSIONS = (
    f'{GUIDE}: Obtain an Azure subscription and an Azure tenant ID ("Most of the installation '
    "steps can be performed by somebody with Contributor permissions … one step that the Owner "
    'of the Azure subscription must perform"); Azure RBAC: the permissions API'
)
PIM = (
    "If your role is eligible through Privileged Identity Management, activate it first and run "
    "pxready again: the permissions Azure reports are the active ones only (deny assignments "
    "and conditions are not visible to it either)."
)


@azure_check(
    "azure.permissions",
    "The signed-in identity can install",
    kinds=("permissions",),
    reference=PERMISSIONS,
    remediation=f"""
    {PIM} Otherwise ask for Contributor on the subscription for the installing account, and
    have the subscription Owner run the one step that creates a role assignment (or grant
    User Access Administrator as well).
    """,
)
async def can_install(ctx: Context) -> Finding:
    """Contributor on the subscription runs most of the install; one step creates a role
    assignment, which needs Owner (or User Access Administrator). The signed-in identity's
    effective permissions (every role assignment at the subscription and above, group
    memberships included, as the permissions API returns them) must grant the writes the
    installer makes: resource groups, deployments, the VM scale set, network, key vault,
    storage, automation and bot resources. Missing any of those fails; missing only
    `Microsoft.Authorization/roleAssignments/write` warns, naming the Owner step. A
    subscription Owner is never warned. From exports, "signed-in identity" is whoever ran the
    export. The installer's failure this prevents is Azure's "AuthorizationFailed: The client …
    does not have authorization to perform action …".
    """
    import asyncio

    from checks.azure.names import connector_plan
    from checks.azure.permissions import ASSIGN_ROLE, CREATE, missing, role_guess
    from checks.azure.sources import LIVE, facts

    plan = await asyncio.to_thread(connector_plan, ctx)
    source_facts = facts(ctx, plan.subscription)
    sets = await source_facts.permissions()
    source = source_facts.source("permissions")
    who = ""
    if source == LIVE:
        used = ctx.azure().signed_in_with
        who = f"; signed in with {used}" if used else ""
    role = role_guess(sets)
    details: dict[str, Any] = {"role": role, "source": source}
    lacking = missing(sets, CREATE)
    if lacking:
        details["missing"] = lacking
        listed = ", ".join(lacking[:4]) + (
            f" and {len(lacking) - 4} more" if len(lacking) > 4 else ""
        )
        return failed(
            f"cannot create the Teams Connector's resources: not granted {listed} (appears to "
            f"hold {role}; from {source}{who})",
            details=details,
        )
    if missing(sets, (ASSIGN_ROLE,)):
        details["missing"] = [ASSIGN_ROLE]
        return warned(
            f"can create the resources but not the role assignment ({ASSIGN_ROLE}): the "
            f"subscription Owner must run that step of the install (appears to hold {role}; "
            f"from {source}{who})",
            details=details,
            remediation=f"{PIM} Otherwise have the subscription Owner run the install step that "
            "creates the role assignment, as the planning guide describes.",
        )
    return passed(
        f"can create the resources and the role assignment (appears to hold {role}; from "
        f"{source}{who})",
        details=details,
    )


FEATURE = "/".join(DISK_ENCRYPTION_FEATURE)


def _encrypts_disks(ctx: Context) -> Plan:
    """The connector's plan; `skip` when it does not encrypt its disks."""
    from checks.azure.names import connector_plan

    plan = connector_plan(ctx)
    if not plan.disk_encryption:
        raise CheckSkipped(
            "$PxTeamsConnDiskEncryption is not $true, so no feature is needed",
            because="not applicable",
        )
    return plan


@azure_check(
    "azure.features",
    "The disk-encryption feature is registered",
    kinds=("features",),
    applies=_encrypts_disks,
    reference=f"{GUIDE}: installation variables ($PxTeamsConnDiskEncryption); Azure: "
    f"subscription preview features ({FEATURE})",
    remediation=f"""
    Register the feature, then the provider again: `az feature register --namespace
    {DISK_ENCRYPTION_FEATURE[0]} --name {DISK_ENCRYPTION_FEATURE[1]}`, wait until `az feature
    show --namespace {DISK_ENCRYPTION_FEATURE[0]} --name {DISK_ENCRYPTION_FEATURE[1]}` says
    Registered, then `az provider register --namespace {DISK_ENCRYPTION_FEATURE[0]}`. Or set
    $PxTeamsConnDiskEncryption = $false.
    """,
)
async def disk_encryption_feature(ctx: Context) -> Finding:
    """With $PxTeamsConnDiskEncryption = $true the installer encrypts the instances' disks,
    which needs the subscription feature Microsoft.Compute/UnifiedDiskEncryption registered;
    without it the scale-set deployment fails. Skipped when disk encryption is off.
    """
    import asyncio

    from checks.azure.sources import facts

    plan = await asyncio.to_thread(_encrypts_disks, ctx)
    source_facts = facts(ctx, plan.subscription)
    found = await source_facts.feature(*DISK_ENCRYPTION_FEATURE)
    source = source_facts.source("features")
    where = ctx.variables().location("PxTeamsConnDiskEncryption")
    if found is None:
        return failed(
            f"{FEATURE} is not registered for the subscription (from {source}), and "
            "$PxTeamsConnDiskEncryption is $true",
            location=where,
            details={"source": source},
        )
    if found.state.lower() != "registered":
        return failed(
            f"{FEATURE} is {found.state}, not Registered (from {source}), and "
            "$PxTeamsConnDiskEncryption is $true",
            location=where,
            details={"state": found.state, "source": source},
        )
    return passed(f"{FEATURE} is registered (from {source})", details={"source": source})
