"""Where the connector will run: azure.region, azure.automation, azure.vm-size, azure.quota.

Each is judged per connector, for its $PxSubscriptionId and $PxAzureLocation, from Azure
Resource Manager or the export files (see `sources`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from checks.azure import location_key
from checks.azure.declare import azure_check
from readiness import (
    CheckSkipped,
    Context,
    Finding,
    failed,
    passed,
    warned,
)
from readiness.text import count, quoted

if TYPE_CHECKING:
    from checks.azure.model import Region, Sku, Usage
    from checks.azure.names import Plan
    from checks.azure.sources import Facts


GUIDE = "Pexip Teams Connector planning guide"
REGIONS = f"{GUIDE}: Decide Azure deployment region(s) and check quota"
# Microsoft's announcement for the F, Fs and Fsv2 series (the planning guide's Fs size).
RETIRING = re.compile(r"^standard_f\d+(s|s_v2)?$", re.IGNORECASE)
RETIREMENT = "November 2028"


class Where(NamedTuple):
    """The connector's region, as far as it is known."""

    plan: Plan
    facts: Facts
    location: str  # programmatic
    region: Region | None  # None when no region list is at hand


async def where(ctx: Context) -> Where:
    """The connector's plan and programmatic region; a display name is mapped through the
    subscription's regions when they are at hand, else by Azure's own spelling rule."""
    import asyncio

    from checks.azure.names import connector_plan
    from checks.azure.sources import facts

    plan = await asyncio.to_thread(connector_plan, ctx)
    if not plan.location:
        raise CheckSkipped("$PxAzureLocation is not set (see vars.required)", because="no region")
    source = facts(ctx, plan.subscription)
    try:
        regions = await source.regions()
    except CheckSkipped:
        regions = []  # offline without a regions export: judge by the name as written
    found = match_region(plan.location, regions)
    location = found.name if found is not None else location_key(plan.location)
    return Where(plan, source, location, found)


def match_region(written: str, regions: list[Region]) -> Region | None:
    wanted = " ".join(written.split()).lower()
    for region in regions:
        if wanted == region.name.lower():
            return region
    for region in regions:
        names = (region.display_name, region.regional_display_name)
        if wanted in (" ".join(n.split()).lower() for n in names if n):
            return region
        if location_key(written) == region.name.lower():
            return region
    return None


# -- azure.region ---------------------------------------------------------------------------------


@azure_check(
    "azure.region",
    "$PxAzureLocation is an Azure region of the subscription",
    kinds=("locations",),
    reference=f"{REGIONS}; Azure: the subscription's locations (az account list-locations)",
    remediation="""
    Set $PxAzureLocation to the programmatic name of a region the subscription can use, as
    `az account list-locations -o table` lists it in its Name column (westeurope, not "West
    Europe").
    """,
)
async def region_exists(ctx: Context) -> Finding:
    """The installer creates every regional resource in $PxAzureLocation. It must be a physical
    region the subscription can use, written as Azure's programmatic name ("westeurope"); a
    display name ("West Europe") is recognised and the programmatic name suggested; a
    geography ("europe") or a misspelling fails with the nearest names. The installer's
    failure this prevents is Azure's "LocationNotAvailableForResourceType" / "The provided
    location … is not available for resource type …" at its first deployment step.
    """
    place = await where(ctx)
    source = place.facts.source("locations")
    written = place.plan.location or ""
    location_line = ctx.variables().location("PxAzureLocation")
    region = place.region
    if region is None:
        import difflib

        regions = await place.facts.regions()  # raises the skip when there is no source
        names = [r.name for r in regions if r.physical]
        close = difflib.get_close_matches(location_key(written), names, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return failed(
            f"{quoted(written)} is not a region of the subscription (from {source}){hint}",
            location=location_line,
            details={"source": source},
        )
    details = {"region": region.name, "display_name": region.display_name, "source": source}
    if not region.physical:
        return failed(
            f"{quoted(written)} is a geography, not a region: name one of its regions",
            location=location_line,
            details=details,
        )
    if written != region.name:
        return warned(
            f"{quoted(written)} is the region {region.name}: write $PxAzureLocation = "
            f'"{region.name}", the programmatic name (from {source})',
            location=location_line,
            details=details,
            remediation=f'Write $PxAzureLocation = "{region.name}".',
        )
    return passed(
        f"{region.name} ({region.display_name}) is a region of the subscription (from {source})",
        details=details,
    )


# -- azure.automation -----------------------------------------------------------------------------


@azure_check(
    "azure.automation",
    "The region offers Azure Automation",
    kinds=("provider",),
    reference=f'{REGIONS}: "The Azure region must support Automation and Fs series instance types"',
    remediation="""
    Choose a region where Microsoft.Automation offers automation accounts (`az provider show
    --namespace Microsoft.Automation --query "resourceTypes[?resourceType=='automationAccounts']
    .locations"`), or ask Pexip support about this region.
    """,
)
async def automation_offered(ctx: Context) -> Finding:
    """The installer creates an Azure Automation account in the connector's region to run its
    maintenance runbooks. Microsoft.Automation lists the regions of its `automationAccounts`
    resource type by display name; they are matched to the region through the subscription's
    region list, or by Azure's spelling rule when that list is not at hand. The installer's
    failure this prevents is Azure's "LocationNotAvailableForResourceType" when it creates the
    automation account, after the network and scale set are already deployed.
    """
    place = await where(ctx)
    provider = await place.facts.provider()
    source = place.facts.source("provider")
    offered = provider.locations.get("automationaccounts")
    if offered is None:
        return failed(
            f"Microsoft.Automation lists no automationAccounts resource type (from {source})",
            details={"source": source},
        )
    keys = {location_key(name) for name in offered}
    details: dict[str, Any] = {"source": source, "registration": provider.registration}
    note = ""
    if provider.registration and provider.registration.lower() != "registered":
        note = (
            f"; Microsoft.Automation is {provider.registration} for the subscription (the "
            "installer registers it, which needs Contributor)"
        )
    if place.location in keys:
        return passed(
            f"Azure Automation is offered in {place.location} (from {source}){note}",
            details=details,
        )
    listed = ", ".join(sorted(offered)[:12])
    return failed(
        f"Azure Automation is not offered in {place.location}; it is in {listed}"
        f"{' and more' if len(offered) > 12 else ''} (from {source})",
        details=details,
    )


# -- azure.vm-size --------------------------------------------------------------------------------


@azure_check(
    "azure.vm-size",
    "The VM size is offered in the region",
    kinds=("skus",),
    reference=f"{REGIONS}; Azure: Resource SKUs (restrictions NotAvailableForSubscription); "
    "Microsoft's retirement of the F, Fs and Fsv2 series",
    remediation="""
    Choose a region that offers the size to the subscription, or another size ([azure] vm_size
    or --vm-size) that your Pexip release supports; a restriction for the subscription can be
    lifted by a support request to Microsoft.
    """,
)
async def size_offered(ctx: Context) -> Finding:
    """Each connector instance is one VM of the configured size (Standard_F4s by default, the
    planning guide's Fs series). The Resource SKUs API says whether the region offers it and
    whether it is restricted for the subscription: a Location restriction
    (NotAvailableForSubscription, QuotaId) fails; a Zone restriction warns, naming the zones
    that stay usable. A usable size of a series whose retirement Microsoft has announced (F, Fs,
    Fsv2) warns with the date. The installer's failure this prevents is Azure's
    "SkuNotAvailable: The requested size for resource … is currently not available in location".
    """
    place = await where(ctx)
    size = place.plan.vm_size
    skus = await place.facts.skus(place.location)
    source = place.facts.source("skus", location=place.location)
    sku = next((s for s in skus if s.name.lower() == size.lower()), None)
    details: dict[str, Any] = {"size": size, "source": source}
    if sku is None:
        return failed(_absent(size, place.location, skus, source), details=details)
    details.update(vcpus=sku.vcpus, family=sku.family)
    blocking = [r for r in sku.restrictions if r.kind.lower() == "location"]
    if blocking:
        reason = blocking[0].reason or "restricted"
        return failed(
            f"{size} is restricted in {place.location} for this subscription ({reason}); "
            f"the installer would stop with SkuNotAvailable (from {source})",
            details=details,
        )
    findings: list[str] = []
    zonal = [r for r in sku.restrictions if r.kind.lower() == "zone"]
    if zonal:
        restricted = sorted({z for r in zonal for z in r.zones})
        usable = [z for z in sku.zones if z not in restricted]
        findings.append(
            f"{size} is restricted for this subscription in {_zones(restricted)} of "
            f"{place.location}; usable in {_zones(usable) if usable else 'no zone'}"
        )
    if RETIRING.match(size):
        findings.append(
            f"Microsoft has announced the retirement of the F, Fs and Fsv2 series ({size}) for "
            f"{RETIREMENT}: plan the move to a successor size your Pexip release supports"
        )
    if findings:
        return warned("; ".join(findings) + f" (from {source})", details=details,
                      remediation=_vm_size_advice(bool(zonal)))  # fmt: skip
    return passed(
        f"{size} ({count(sku.vcpus or 0, 'vCPU')}, {sku.family}) is offered in "
        f"{place.location} without restriction (from {source})",
        details=details,
    )


def _zones(zones: list[str]) -> str:
    if len(zones) == 1:
        return f"zone {zones[0]}"
    return f"zones {', '.join(zones[:-1])} and {zones[-1]}"


def _absent(size: str, location: str, skus: list[Sku], source: str) -> str:
    text = f"{size} is not offered in {location} to this subscription (from {source})"
    if source != "Azure Resource Manager" and not any(
        r.kind.lower() == "location" for s in skus for r in s.restrictions
    ):
        text += (
            "; `az vm list-skus` leaves out sizes restricted for the subscription unless --all "
            "is given, so the export may hide why"
        )
    return text


def _vm_size_advice(zonal: bool) -> str:
    advice = []
    if zonal:
        advice.append(
            "Deploy where the size is usable, or ask Microsoft to lift the zone restriction."
        )
    advice.append(
        "Plan the move off the F, Fs and Fsv2 series with Pexip before Microsoft retires them; "
        "until then, accept this warning with a [[waiver]] that expires before the retirement."
    )
    return " ".join(advice)


# -- azure.quota ----------------------------------------------------------------------------------


@azure_check(
    "azure.quota",
    "Free vCPU quota covers the instances",
    kinds=("usage",),
    reference=f"{REGIONS}: quota per VM series and per region; each instance uses 4 vCPUs of "
    "the Fs series; ask for more than the minimum, such as 40",
    remediation="""
    Request a quota increase for the subscription in the Azure portal (Help + support >
    Service and subscription limits (quotas) > Compute-VM (cores-vCPUs) subscription limit
    increases), for the VM family and for Total Regional vCPUs, by at least what the message
    says; a request can take days. The planning guide recommends asking for more than the
    minimum, such as 40 vCPUs.
    """,
)
async def quota_enough(ctx: Context) -> Finding:
    """Azure enforces two vCPU quotas per subscription and region, and the instances must fit
    both: the VM family's ("standardFSFamily") and Total Regional vCPUs ("cores"). Needed =
    $PxTeamsConnInstanceCount × the size's vCPUs, added up over every connector of the
    deployment in the same subscription and region; free = limit − current usage. Less free
    than needed fails with the arithmetic; a family limit below [azure] recommended_vcpus (40 by
    default, as the planning guide recommends) warns. The installer's failure this prevents is
    Azure's "Operation could not be completed as it results in exceeding approved … Cores
    quota".
    """
    place = await where(ctx)
    plan = place.plan
    if plan.instances is None:
        raise CheckSkipped(
            "$PxTeamsConnInstanceCount is not set to a whole number (see vars.required)",
            because="no instance count",
        )
    family, vcpus, size_source = await _family(place)
    sharing = await _sharing(ctx, place)
    needed = sum(instances for _, instances in sharing) * vcpus
    arithmetic = " + ".join(f"{n} × {vcpus}" for _, n in sharing)
    if len(sharing) > 1:
        arithmetic += f" over {len(sharing)} connectors in {place.location}"
    usages = await place.facts.usages(place.location)
    source = place.facts.source("usage", location=place.location)
    by_name = {u.name.lower(): u for u in usages}
    family_usage = by_name.get(family.lower())
    regional = by_name.get("cores")
    details: dict[str, Any] = {
        "needed": needed,
        "family": family,
        "vcpus_per_instance": vcpus,
        "connectors": [label for label, _ in sharing],
        "source": source,
        "size_source": size_source,
    }
    missing = [what for what, usage in ((family, family_usage), ("cores", regional)) if not usage]
    if missing or family_usage is None or regional is None:
        return failed(
            f"the quota data has no {' and no '.join(missing)} entry for {place.location} "
            f"(from {source}): the subscription cannot run {family} VMs there",
            details=details,
        )
    details.update(family_free=family_usage.free, regional_free=regional.free)
    shortages = [
        _short(what, needed, arithmetic, usage)
        for what, usage in ((family, family_usage), ("Total Regional vCPUs", regional))
        if usage.free < needed
    ]
    if shortages:
        return failed("; ".join(shortages) + f" (from {source})", details=details)
    recommended = ctx.deployment.azure.recommended_vcpus
    summary = (
        f"needs {needed} {family} vCPUs ({arithmetic}): {family_usage.free} of "
        f"{family_usage.limit} free; Total Regional vCPUs {regional.free} of {regional.limit} "
        f"free (from {source})"
    )
    if family_usage.limit < recommended:
        return warned(
            f"{summary}; the {family} limit of {family_usage.limit} is below the "
            f"{recommended} vCPUs the planning guide recommends asking for, to add instances "
            "later",
            details=details,
        )
    return passed(summary, details=details)


def _short(what: str, needed: int, arithmetic: str, usage: Usage) -> str:
    what = what if what.endswith("vCPUs") else f"{what} vCPUs"
    return (
        f"needs {needed} {what} ({arithmetic}); {usage.free} of {usage.limit} free: request "
        f"{needed - usage.free} more"
    )


async def _family(place: Where) -> tuple[str, int, str]:
    """The size's quota family and vCPUs: from the SKU data, else the built-in table."""
    size = place.plan.vm_size
    try:
        skus = await place.facts.skus(place.location)
    except CheckSkipped:
        skus = []
    sku = next((s for s in skus if s.name.lower() == size.lower()), None)
    if sku is not None and sku.family and sku.vcpus:
        return sku.family, sku.vcpus, place.facts.source("skus", location=place.location)
    from checks.azure.names import fallback_size

    known = fallback_size(size)
    if known is None:
        raise CheckSkipped(
            f"the vCPUs and quota family of {size} are not known without the VM size data "
            "(--azure-skus or --azure-evidence)",
            because="no Azure evidence",
        )
    return known[0], known[1], "pxready's table of Fs sizes"


async def _sharing(ctx: Context, place: Where) -> list[tuple[str, int]]:
    """(label, instances) of every connector in the same subscription and region."""
    import asyncio

    from checks.azure.names import deployment_plans

    found: list[tuple[str, int]] = []
    for other, _ in await asyncio.to_thread(deployment_plans, ctx):
        same = (
            other.subscription == place.plan.subscription
            and other.location
            and (
                location_key(other.location) == place.location
                or (place.region is not None and match_region(other.location, [place.region]))
            )
        )
        if same and other.instances:
            found.append((other.label, other.instances))
    return found or [(place.plan.label, place.plan.instances or 0)]
