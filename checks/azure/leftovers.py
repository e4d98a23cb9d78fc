"""Names the install needs free: azure.bot-name and azure.resource-groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checks.azure.declare import azure_check
from readiness import (
    CheckSkipped,
    Context,
    Finding,
    Scope,
    failed,
    passed,
    warned,
)
from readiness.text import count

if TYPE_CHECKING:
    from checks.azure.model import Group, NameAvailability, Resource


GUIDE = "Pexip Teams Connector planning guide"
BOT_TAKEN = "InvalidBotData - Bot is not valid - Id is already in use"
WEB_SPACE = "Web space with name … already exists for subscription …"


@azure_check(
    "azure.bot-name",
    "The Azure Bot names are free",
    kinds=("bot-names",),
    reference=f"{GUIDE}: installation variables ($PxBaseConnName); the installer registers the "
    f"Azure Bots <base>-Trusted-TeamsBot and <base>-Guest-TeamsBot, names unique across all "
    f'of Azure ("{BOT_TAKEN}")',
    remediation="""
    Choose another $PxBaseConnName (the bot names are made from it, and bot names are unique
    across every Azure tenant), or free the name if your organisation owns the bot.
    """,
    scope=Scope.DEPLOYMENT,
)
async def bot_names_free(ctx: Context) -> list[Finding]:
    """The installer registers two Azure Bots named from $PxBaseConnName,
    <base>-Trusted-TeamsBot and <base>-Guest-TeamsBot. Bot names are unique across every
    Azure tenant, so a name another organisation already uses stops the install with "InvalidBotData
    - Bot is not valid - Id is already in use". Each name is checked with the Bot Service's
    name availability; a name taken by a bot of this subscription (an earlier install being
    upgraded or redeployed) passes with a note.
    """
    import asyncio

    from checks.azure.names import deployment_plans
    from checks.azure.sources import facts

    wanted: dict[str, tuple[str | None, Any]] = {}
    for plan, variables in await asyncio.to_thread(deployment_plans, ctx):
        where = variables.location("PxBaseConnName")
        for name in plan.bot_names:
            wanted.setdefault(name, (plan.subscription, where))
    if not wanted:
        raise CheckSkipped("$PxBaseConnName is not set (see vars.required)", because="no base name")
    by_subscription: dict[str | None, list[str]] = {}
    for name, (subscription, _) in wanted.items():
        by_subscription.setdefault(subscription, []).append(name)
    judged: dict[str, Finding] = {}
    for subscription, names in by_subscription.items():
        source_facts = facts(ctx, subscription)
        try:
            answers = await source_facts.name_availability(tuple(names))
        except CheckSkipped as skip:
            raise CheckSkipped(
                skip.reason, target=", ".join(wanted), because=skip.because
            ) from None
        taken = [n for n in names if n in answers and not answers[n].available]
        ours = await source_facts.bots() if taken else []
        for name in names:
            source = source_facts.source("bot-names", name=name)
            judged[name] = _bot(name, answers.get(name), ours, source)
    return [
        judged[name]._replace(target=name, location=where) for name, (_, where) in wanted.items()
    ]


def _bot(
    name: str, answer: NameAvailability | None, ours: list[Resource] | None, source: str
) -> Finding:
    details: dict[str, Any] = {"source": source}
    if answer is None:
        return failed(
            f"the name availability export ({source}) says nothing about {name}",
            details=details,
        )
    if answer.available:
        return passed(f"{name} is free (from {source})", details=details)
    details.update(reason=answer.reason, message=answer.message)
    if _invalid(answer):
        return failed(
            f"{name} is not a valid Azure Bot name ({answer.message or answer.reason}): choose "
            f"another $PxBaseConnName (from {source})",
            details=details,
        )
    mine = next((b for b in ours or [] if b.name.lower() == name.lower()), None)
    if mine is not None:
        details["resource_group"] = mine.group
        return passed(
            f"{name} is taken by this subscription's own bot in resource group {mine.group}: "
            f"an upgrade or redeploy reuses it (from {source})",
            details=details,
        )
    why = f" ({answer.message})" if answer.message else ""
    unsure = (
        "; if it is this subscription's own bot from an earlier install, the export of the "
        "subscription's bots would say so"
        if ours is None
        else ""
    )
    return failed(
        f'{name} is already in use{why}: the install would stop with "{BOT_TAKEN}" (from '
        f"{source}){unsure}",
        details=details,
    )


def _invalid(answer: NameAvailability) -> bool:
    """Refused for what the name is, not because someone has it."""
    text = f"{answer.reason} {answer.message}".lower()
    return "invalid" in text and "already" not in text


@azure_check(
    "azure.resource-groups",
    "No empty leftover resource groups",
    kinds=("groups",),
    reference=f"{GUIDE}: installation variables ($PxTeamsConnResourceGroupName, "
    f'$PxTeamsConnStaticResourceGroupName); the installer\'s "{WEB_SPACE}"',
    remediation="""
    Delete the empty leftover resource group before the install (`az group delete --name
    GROUP`), or name other groups in the variables script. A group that still holds resources
    belongs to an earlier install: follow Pexip's upgrade or redeploy procedure rather than a
    new install.
    """,
)
async def groups_clear(ctx: Context) -> list[Finding]:
    """The installer creates the connector's regional resource groups (from $PxBaseConnName
    and $PxVmssRegion, `<base>-TeamsConn-<region>-RG` and its `-static-RG`, unless the script
    names them). An empty group of that name left by an earlier attempt stops it with "Web
    space with name … already exists for subscription …": absent passes, present and empty
    fails, present with resources warns (an upgrade or redeploy; the result lists what is
    there). The bot channel group, created once per deployment, may exist.
    """
    import asyncio

    from checks.azure.names import connector_plan
    from checks.azure.sources import facts

    plan = await asyncio.to_thread(connector_plan, ctx)
    if not plan.groups:
        raise CheckSkipped(
            "$PxBaseConnName and $PxVmssRegion are not set, so the groups are not known",
            because="no base name",
        )
    source_facts = facts(ctx, plan.subscription)
    groups = await asyncio.gather(*(source_facts.group(name) for name in plan.groups))
    source = source_facts.source("groups")
    # Targets keep the script's spelling, so that a waiver keeps matching whatever case Azure
    # reports the group in.
    return [
        _group(group._replace(name=name), source)._replace(target=name)
        for name, group in zip(plan.groups, groups, strict=True)
    ]


def _group(group: Group, source: str) -> Finding:
    details: dict[str, Any] = {"source": source}
    if not group.exists:
        return passed(f"{group.name} does not exist yet (from {source})", details=details)
    if group.resources is None:
        return warned(
            f"{group.name} already exists; whether it is empty is not in the export (from "
            f"{source}): check with `az resource list --resource-group {group.name}`",
            details=details,
        )
    if not group.resources:
        return failed(
            f'{group.name} exists and is empty: the install would stop with "{WEB_SPACE}" '
            f"(from {source})",
            details=details,
            remediation=f"Delete it before the install: `az group delete --name {group.name}`.",
        )
    listed = ", ".join(f"{r.name} ({r.type})" for r in group.resources[:5])
    more = f" and {len(group.resources) - 5} more" if len(group.resources) > 5 else ""
    details["resources"] = [{"name": r.name, "type": r.type} for r in group.resources]
    return warned(
        f"{group.name} exists and holds {count(len(group.resources), 'resource')}: {listed}"
        f"{more}; an earlier install (upgrade or redeploy it, or choose other names) (from "
        f"{source})",
        details=details,
    )
