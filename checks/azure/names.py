"""What the installer will create in Azure for one connector, from its variables script: the
subscription and region it works in, the resource groups, the Azure Bot names, the VM size and
count. Shared by the Azure checks and `pxready azure-commands`."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from readiness import Context
    from readiness.connector import ConnectorVariables

# Sizes of the planning guide's Fs series and their successors, for when no SKU data is at hand
# (an offline run with a usage export only). The SKU data, when present, always wins.
FALLBACK_SIZES: dict[str, tuple[str, int]] = {
    "standard_f2s": ("standardFSFamily", 2),
    "standard_f4s": ("standardFSFamily", 4),
    "standard_f8s": ("standardFSFamily", 8),
    "standard_f16s": ("standardFSFamily", 16),
    "standard_f2s_v2": ("standardFSv2Family", 2),
    "standard_f4s_v2": ("standardFSv2Family", 4),
    "standard_f8s_v2": ("standardFSv2Family", 8),
    "standard_f16s_v2": ("standardFSv2Family", 16),
}


class Plan(NamedTuple):
    """One connector as Azure will see it."""

    label: str  # how reports name the connector: its FQDN, else its script
    subscription: str | None
    location: str | None  # $PxAzureLocation as written (a display name is resolved later)
    base: str | None
    region: str | None  # $PxVmssRegion
    instances: int | None
    vm_size: str
    disk_encryption: bool
    groups: tuple[str, ...]  # the regional resource groups: main, then static
    bot_group: str | None

    @property
    def bot_names(self) -> tuple[str, ...]:
        if not self.base:
            return ()
        return (f"{self.base}-Trusted-TeamsBot", f"{self.base}-Guest-TeamsBot")


def plan(variables: ConnectorVariables, vm_size: str, label: str) -> Plan:
    base = variables.text("PxBaseConnName")
    region = variables.text("PxVmssRegion")
    derived = (
        (f"{base}-TeamsConn-{region}-RG", f"{base}-TeamsConn-{region}-static-RG")
        if base and region
        else (None, None)
    )
    main = variables.text("PxTeamsConnResourceGroupName") or derived[0]
    static = variables.text("PxTeamsConnStaticResourceGroupName") or derived[1]
    return Plan(
        label=label,
        subscription=(variables.text("PxSubscriptionId") or "").lower() or None,
        location=variables.text("PxAzureLocation"),
        base=base,
        region=region,
        instances=variables.instance_count,
        vm_size=vm_size,
        disk_encryption=variables.value("PxTeamsConnDiskEncryption") is True,
        groups=tuple(g for g in (main, static) if g),
        bot_group=f"{base}-TeamsBotChan-RG" if base else None,
    )


def connector_plan(ctx: Context) -> Plan:
    """The plan of the context's connector (`skip` when its script cannot be read)."""
    variables = ctx.variables()
    return plan(variables, ctx.deployment.azure.vm_size, ctx.default_target)


def deployment_plans(ctx: Context) -> list[tuple[Plan, ConnectorVariables]]:
    """The plan of every connector whose script reads, with its variables (for their lines)."""
    from readiness import CheckSkipped

    found = []
    for connector in ctx.deployment.connectors:
        other = ctx.for_connector(connector)
        try:
            variables = other.variables()
        except CheckSkipped:
            continue
        found.append(
            (plan(variables, ctx.deployment.azure.vm_size, other.default_target), variables)
        )
    return found


def fallback_size(size: str) -> tuple[str, int] | None:
    """(quota family, vCPUs) of a known size, without SKU data."""
    return FALLBACK_SIZES.get(size.lower())
