"""The firewall rules a Teams Connector deployment needs, filled in from its variables script.

Source: the planning guide's table "Firewall ports for the Teams Connector and NSG rules".
Each row of that table becomes one `Rule`, in the guide's order, with the deployment's own
addresses and names where the guide says "Conferencing Nodes", "Management workstation" or
"Teams Connector". Directions are seen from the Teams Connector, whose Azure NSG and the
firewalls between it and the Conferencing Nodes are what a network team configures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from readiness.connector import ConnectorVariables

DEFAULT_SIGNALING_PORTS = "33000-39999"
DEFAULT_MEDIA_PORTS = "40000-49999"
SCHEMA_ID = "pxready-firewall/1"

INBOUND = "inbound"  # to the Teams Connector
OUTBOUND = "outbound"  # from the Teams Connector

TEAMS = "Microsoft Teams (O365)"
_TEAMS_NOTE = (
    "Microsoft 365 endpoints of Microsoft Teams (Microsoft's 'Office 365 URLs and IP address "
    "ranges', Teams service area); this traffic stays inside Microsoft's network"
)
_PORT_RANGE = re.compile(r"^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$")


class PortRangeError(ValueError):
    pass


def port_range(text: str) -> str:
    """`33000-39999` or `443`, normalised; raises PortRangeError otherwise."""
    match = _PORT_RANGE.match(text.replace("\u2013", "-"))
    if not match:
        raise PortRangeError(f"{text!r} is not a port or a port range such as 33000-39999")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high <= 65535:
        raise PortRangeError(f"{text!r}: ports run from 1 to 65535, low to high")
    return str(low) if low == high else f"{low}-{high}"


@dataclass(frozen=True)
class Rule:
    id: str
    direction: str
    action: str  # "Allow", or "Deny" for the RDP rule that is closed by design
    source: str  # who, in words (the guide's column)
    source_addresses: tuple[str, ...]  # filled in: prefixes, names, or "Any"
    source_ports: str
    destination: str
    destination_addresses: tuple[str, ...]
    ports: str  # destination ports (the guide's "destination port")
    protocol: str
    purpose: str
    note: str = ""

    def document(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["source_addresses"] = list(self.source_addresses)
        doc["destination_addresses"] = list(self.destination_addresses)
        return doc


@dataclass(frozen=True)
class FirewallPlan:
    connector: str  # the connector's FQDN, or its script when the FQDN is unset
    vars: str | None
    rules: tuple[Rule, ...]
    notes: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "vars": self.vars,
            "rules": [r.document() for r in self.rules],
            "notes": list(self.notes),
        }


def _unset(name: str) -> str:
    return f"<${name} not set>"


def build_plan(
    variables: ConnectorVariables,
    *,
    vars_label: str | None = None,
    signaling_ports: str = DEFAULT_SIGNALING_PORTS,
    media_ports: str = DEFAULT_MEDIA_PORTS,
) -> FirewallPlan:
    signaling = port_range(signaling_ports)
    media = port_range(media_ports)
    fqdn = variables.fqdn
    node_names = tuple(variables.node_fqdns)
    node_prefixes = tuple(p for p in variables.items("PxNodesSourceAddressPrefixes") or [] if p)
    mgmt_prefixes = tuple(p for p in variables.items("PxMgmtSrcAddrPrefixes") or [] if p)
    base = variables.text("PxBaseConnName")
    region = variables.text("PxVmssRegion")

    connector = fqdn or _unset("PxTeamsConnFqdn")
    load_balancer = (connector,)
    scale_set = f"{base}{region}" if base and region else None
    instances = (
        f"instances of scale set {scale_set}" if scale_set else "Teams Connector instances",
    )
    instance_note = (
        "the instances' public addresses are known after the install (scale set "
        f"{scale_set or '<base name><region>'} in resource group "
        f"{base or '<base>'}-TeamsConn-{region or '<region>'}-RG)"
    )
    nodes = node_names or (_unset("PxNodeFqdns"),)
    nodes_note = "resolve these names to the Conferencing Nodes' public addresses"

    if node_prefixes:
        node_sources = node_prefixes
        node_source_note = (
            "from $PxNodesSourceAddressPrefixes, which the installer puts in the "
            "NSG; it must include every public-facing node and the admin-consent "
            "workstation"
        )
    else:
        node_sources = nodes
        node_source_note = (
            "$PxNodesSourceAddressPrefixes is empty, so the NSG allows 443 from "
            f"any address; restrict your own firewalls to the nodes ({nodes_note})"
        )

    rules: list[Rule] = [
        Rule(
            "nodes-signaling-lb",
            INBOUND,
            "Allow",
            "Conferencing Nodes",
            node_sources,
            signaling,
            "Teams Connector load balancer",
            load_balancer,
            "443",
            "TCP",
            "Signaling",
            node_source_note,
        ),
        Rule(
            "nodes-signaling-instances",
            INBOUND,
            "Allow",
            "Conferencing Nodes",
            node_sources,
            signaling,
            "Teams Connector instances",
            instances,
            "443",
            "TCP",
            "Signaling",
            f"{node_source_note}; {instance_note}",
        ),
        Rule(
            "nodes-media",
            INBOUND,
            "Allow",
            "Conferencing Nodes",
            nodes,
            media,
            "Teams Connector instances",
            instances,
            "50000-54999",
            "UDP",
            "Call media",
            f"{nodes_note}; {instance_note}",
        ),
        Rule(
            "connector-signaling-teams",
            OUTBOUND,
            "Allow",
            "Teams Connector instances",
            instances,
            "ephemeral",
            TEAMS,
            ("Microsoft Teams (O365)",),
            "any",
            "TCP",
            "Signaling",
            _TEAMS_NOTE,
        ),
        Rule(
            "connector-signaling-nodes",
            OUTBOUND,
            "Allow",
            "Teams Connector instances",
            instances,
            "ephemeral",
            "Conferencing Nodes",
            nodes,
            "443",
            "TCP",
            "Signaling",
            nodes_note,
        ),
        Rule(
            "connector-media-nodes",
            OUTBOUND,
            "Allow",
            "Teams Connector instances",
            instances,
            "50000-54999",
            "Conferencing Nodes",
            nodes,
            media,
            "UDP",
            "Call media",
            nodes_note,
        ),
        Rule(
            "connector-media-teams",
            OUTBOUND,
            "Allow",
            "Teams Connector instances",
            instances,
            "55000-59999",
            TEAMS,
            ("Microsoft Teams (O365)",),
            "any",
            "UDP",
            "Call media",
            _TEAMS_NOTE,
        ),
        Rule(
            "connector-ocsp",
            OUTBOUND,
            "Allow",
            "Teams Connector instances",
            instances,
            "ephemeral",
            "OCSP responders",
            ("OCSP responders of the certificates' CAs",),
            "80",
            "TCP",
            "Certificate revocation checking",
            "the OCSP and CRL URLs in the certificates' AIA and CDP extensions",
        ),
        Rule(
            "connector-windows-update",
            OUTBOUND,
            "Allow",
            "Teams Connector instances",
            instances,
            "ephemeral",
            "Windows Update servers",
            ("Windows Update",),
            "80,443",
            "TCP",
            "Windows updates",
            "",
        ),
        Rule(
            "teams-signaling",
            INBOUND,
            "Allow",
            TEAMS,
            ("Microsoft Teams (O365)",),
            "any",
            "Teams Connector load balancer",
            load_balancer,
            "10000-10399,10500-10899,11000-11399",
            "TCP",
            "Signaling",
            _TEAMS_NOTE,
        ),
        Rule(
            "teams-media",
            INBOUND,
            "Allow",
            TEAMS,
            ("Microsoft Teams (O365)",),
            "any",
            "Teams Connector instances",
            instances,
            "55000-59999",
            "UDP",
            "Call media",
            _TEAMS_NOTE,
        ),
    ]

    if mgmt_prefixes:
        rdp_action, rdp_sources = "Allow", mgmt_prefixes
        rdp_note = "from $PxMgmtSrcAddrPrefixes (the NSG's RDP rule, priority 1000)"
    else:
        rdp_action, rdp_sources = "Deny", ("Any",)
        rdp_note = (
            "closed by design: $PxMgmtSrcAddrPrefixes is empty, so the installer creates "
            "the NSG's RDP rule (priority 1000) as Deny; add addresses to allow RDP later"
        )
    rules += [
        Rule(
            "management-rdp-lb",
            INBOUND,
            rdp_action,
            "Management workstations",
            rdp_sources,
            "any",
            "Teams Connector load balancer",
            load_balancer,
            "50000-50399",
            "TCP",
            "RDP to the instances through the load balancer",
            rdp_note,
        ),
        Rule(
            "management-rdp-instances",
            INBOUND,
            rdp_action,
            "Management workstations",
            rdp_sources,
            "any",
            "Teams Connector instances",
            instances,
            "3389",
            "TCP",
            "RDP",
            f"{rdp_note}; {instance_note}",
        ),
        Rule(
            "clients-alternative-dial",
            INBOUND,  # inbound to the Conferencing Nodes; the connector is not involved
            "Allow",
            "Client applications viewing the meeting invitation",
            ("Any",),
            "any",
            "Conferencing Nodes",
            nodes,
            "443",
            "TCP",
            "Alternative dial instructions",
            "inbound to the Conferencing Nodes (not the connector): the nodes in the "
            "InstructionUri of the 'Alternate VTC dialing instructions'",
        ),
    ]

    notes = [
        f"Conferencing Node ports {signaling} (signaling) and {media} (media) are the Pexip "
        "Infinity global settings 'Signaling port range' and 'Media port range'; pass "
        "--signaling-ports and --media-ports if yours differ.",
        "The NSG also holds rules for traffic from the load balancer to the instances (ports "
        "10100, 10101 and 20100); those need no opening in your firewalls.",
        "Adding Conferencing Nodes or changing management addresses later means updating "
        "these rules and the NSG.",
    ]
    if not node_names:
        notes.append("$PxNodeFqdns is not set: the Conferencing Node rules name no node.")
    if not fqdn:
        notes.append("$PxTeamsConnFqdn is not set: the load balancer rules name no host.")
    return FirewallPlan(connector, vars_label, tuple(rules), tuple(notes))


CSV_COLUMNS = (
    "connector",
    "rule",
    "direction",
    "action",
    "source",
    "source_addresses",
    "source_ports",
    "destination",
    "destination_addresses",
    "ports",
    "protocol",
    "purpose",
    "note",
)


def csv_rows(plans: Iterable[FirewallPlan]) -> list[list[str]]:
    """Rows under `CSV_COLUMNS`; address lists are joined with ';' (one cell per rule)."""
    rows = []
    for plan in plans:
        for rule in plan.rules:
            rows.append(
                [
                    plan.connector,
                    rule.id,
                    rule.direction,
                    rule.action,
                    rule.source,
                    ";".join(rule.source_addresses),
                    rule.source_ports,
                    rule.destination,
                    ";".join(rule.destination_addresses),
                    rule.ports,
                    rule.protocol,
                    rule.purpose,
                    rule.note,
                ]
            )
    return rows
