"""dns.connector-cname and dns.node-public: what the deployment's names resolve to, asked of
the configured nameservers (--nameserver, [dns] nameservers; else the system's), all at once."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from readiness import (
    CheckSkipped,
    Context,
    Finding,
    Needs,
    Scope,
    errored,
    failed,
    passed,
    warned,
)
from readiness import check as _check
from readiness.text import count

if TYPE_CHECKING:
    from readiness.adapters.dns import Addresses, Lookup

check = partial(_check, order=50, needs=Needs.NETWORK)

GUIDE = "Pexip Teams Connector planning guide"
AZURE_SUFFIX = ".cloudapp.azure.com"


def _chain(cnames: tuple[tuple[str, str], ...]) -> str:
    return " → ".join([cnames[0][0], *(target for _, target in cnames)]) if cnames else ""


def _addresses_text(addresses: tuple[str, ...]) -> str:
    shown = ", ".join(addresses[:6])
    return shown + (f" and {len(addresses) - 6} more" if len(addresses) > 6 else "")


@check(
    "dns.connector-cname",
    "$PxTeamsConnFqdn is a CNAME",
    reference=f"{GUIDE}: Obtaining and preparing the TLS certificate for the Teams Connector "
    "(create the DNS CNAME record for the chosen name of the Teams Connector load balancer)",
    remediation="""
    After the install, create $PxTeamsConnFqdn as a CNAME to the name of the Teams Connector's
    Azure public address, which the installer prints (usually
    <label>.<region>.cloudapp.azure.com), and remove any A or AAAA record of that name. Set
    expected_cname in pxready.toml to have pxready insist on that target. Check by hand with
    `Resolve-DnsName -Type CNAME NAME` in PowerShell, or `dig CNAME NAME`.
    """,
)
async def connector_cname(ctx: Context) -> Finding:
    """The Conferencing Nodes reach the Teams Connector at $PxTeamsConnFqdn, which must be a
    CNAME to the DNS name of the connector's Azure public address (created by the installer,
    usually <label>.<region>.cloudapp.azure.com). A name with its own A or AAAA record fails:
    the address would not follow the load balancer. No record at all warns: the CNAME is
    created after the install, before admin consent. When `expected_cname` is set, the CNAME
    must point there. The result gives the CNAME chain and the final addresses. A lookup that
    times out or fails (SERVFAIL) is an error. Equivalent by hand: `dig CNAME NAME`.
    """
    import asyncio

    from readiness.adapters import dns

    variables = await asyncio.to_thread(ctx.variables)
    fqdn = variables.fqdn
    if not fqdn:
        raise CheckSkipped("$PxTeamsConnFqdn is not set (see vars.required)",
                           because="no connector name")  # fmt: skip
    expected = ctx.connector.expected_cname if ctx.connector is not None else None
    resolver = ctx.resolver()
    cname, found = await asyncio.gather(resolver.lookup(fqdn, "CNAME"), resolver.addresses(fqdn))
    where = variables.location("PxTeamsConnFqdn")
    details: dict[str, Any] = {"expected_cname": expected}
    if cname.outcome == dns.ANSWER:
        return _is_cname(fqdn, cname, found, expected, details)._replace(location=where)
    if cname.outcome == dns.NODATA and found.addresses:
        return failed(
            f"{fqdn} has its own address records ({_addresses_text(found.addresses)}) but no "
            "CNAME: it must be a CNAME to the Teams Connector's Azure name",
            details={**details, "addresses": list(found.addresses)},
            location=where,
        )
    if cname.outcome in (dns.NXDOMAIN, dns.NODATA):
        state = "does not exist yet" if cname.outcome == dns.NXDOMAIN else "has no records yet"
        return warned(
            f"{fqdn} {state}: create it after the install, before admin consent, as a CNAME to "
            "the Azure name the installer prints"
            + (f" ({expected})" if expected else " (…cloudapp.azure.com)"),
            details=details,
            location=where,
        )
    return errored(f"{fqdn} could not be resolved: {cname.problem}", details=details,
                   location=where)  # fmt: skip


def _is_cname(
    fqdn: str, cname: Lookup, found: Addresses, expected: str | None, details: dict[str, Any]
) -> Finding:
    from checks.certs.names import normalise
    from readiness.adapters import dns

    target = cname.records[0]
    chain = _chain(found.cnames) or f"{fqdn} → {target}"
    details.update(cname=target, chain=chain, addresses=list(found.addresses))
    if expected and normalise(target) != normalise(expected):
        return failed(f"{fqdn} is a CNAME to {target}, not to {normalise(expected)} "
                      "(expected_cname)", details=details)  # fmt: skip
    if dns.LOOP in (found.a.outcome, found.aaaa.outcome):
        return failed(f"{fqdn}: the CNAME chain loops ({chain} …)", details=details)
    if not found.addresses:
        if found.problem:
            return errored(f"{fqdn} is a CNAME ({chain}), but its addresses could not be "
                           f"resolved: {found.problem}", details=details)  # fmt: skip
        return warned(
            f"{fqdn} is a CNAME ({chain}), but {found.a.canonical} has no address (yet): the "
            "Teams Connector's public address must exist before the nodes can reach it",
            details=details,
        )
    note = ""
    if not expected and not normalise(target).endswith(AZURE_SUFFIX):
        note = (
            f"; note: {target} is not an Azure {AZURE_SUFFIX} name, so make sure it leads to "
            "the Teams Connector's public address"
        )
    return passed(f"{fqdn} is a CNAME: {chain}, addresses {_addresses_text(found.addresses)}"
                  f"{note}", details=details)  # fmt: skip


@check(
    "dns.node-public",
    "Node names resolve to public addresses",
    reference=f"{GUIDE}: Firewall ports for the Teams Connector and NSG rules (the Teams "
    "Connector in Azure and the public-facing Conferencing Nodes reach each other on 443)",
    remediation="""
    Publish each $PxNodeFqdns name in public DNS with the public address of its Conferencing
    Node (A, and AAAA if used), and no private or internal address; or correct $PxNodeFqdns.
    The Teams Connector runs in Azure and reaches the nodes over the internet. Check by hand
    with `Resolve-DnsName NAME` in PowerShell, or `dig A NAME` and `dig AAAA NAME`.
    """,
    scope=Scope.DEPLOYMENT,
)
async def nodes_public(ctx: Context) -> list[Finding]:
    """The Teams Connector, in Azure, reaches the Conferencing Nodes named in $PxNodeFqdns over
    the internet, so each name must resolve (A and AAAA, through the configured nameservers) to
    publicly routable addresses only. An address in a private, loopback, link-local,
    carrier-grade NAT, documentation or other special-purpose range fails, naming the address;
    so does a name that does not resolve. A lookup that times out or fails is an error.
    Equivalent by hand: `dig A NAME` and `dig AAAA NAME` for each name.
    """
    import asyncio

    from checks.node_cert import node_names

    names, unreadable = await asyncio.to_thread(node_names, ctx)
    if not names:
        reason = "; ".join(unreadable) or "no $PxNodeFqdns names are set (see vars.required)"
        raise CheckSkipped(reason, because="no node names")
    resolver = ctx.resolver()
    found = await asyncio.gather(*(resolver.addresses(name) for name in names))
    return [
        _public(name, addresses)._replace(target=name, location=names[name])
        for name, addresses in zip(names, found, strict=True)
    ]


def _public(name: str, found: Addresses) -> Finding:
    from checks.addresses import not_public
    from readiness.adapters import dns

    addresses = found.addresses
    details: dict[str, Any] = {"addresses": list(addresses)}
    if found.cnames:
        details["chain"] = _chain(found.cnames)
    if dns.LOOP in (found.a.outcome, found.aaaa.outcome):
        return failed(f"the CNAME chain of {name} loops", details=details)
    internal = [(a, why) for a in addresses if (why := not_public(a)) is not None]
    if internal:
        listed = "; ".join(f"{a} is {why}" for a, why in internal[:6])
        return failed(
            f"{name} resolves to addresses the Teams Connector cannot reach over the internet: "
            f"{listed}",
            details=details,
        )
    if found.problem and not addresses:
        return errored(f"{name} could not be resolved: {found.problem}", details=details)
    if found.problem:
        return errored(
            f"{name} resolves to {_addresses_text(addresses)}, but the lookup is incomplete "
            f"({found.problem}), so not every address was judged",
            details=details,
        )
    if not addresses:
        state = (
            "does not exist (NXDOMAIN)"
            if dns.NXDOMAIN in (found.a.outcome, found.aaaa.outcome)
            else "has no A or AAAA record"
        )
        return failed(f"{name} {state}", details=details)
    return passed(
        f"{name} resolves to public {count(len(addresses), 'address', 'addresses')} only: "
        f"{_addresses_text(addresses)}",
        details=details,
    )
