"""The firewall rules a Teams Connector deployment needs, filled in from its variables script.

The rules are data: `checks/data/firewall.toml` holds the planning guide's table "Firewall ports
for the Teams Connector and NSG rules", one row per rule, with roles where the guide says
"Conferencing Nodes", "Management workstation" or "Teams Connector". This module fills each role
with the deployment's own addresses and names. Address fields hold only what a firewall can
import (prefixes, host names, "any"); an address unknown before the install is left empty and
the note says why. Directions are seen from the Teams Connector, or from the Conferencing Nodes
for the rules of the firewall in front of them (`side="dmz"`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, NamedTuple

from readiness.connector import ConnectorVariables
from readiness.text import quoted

DEFAULT_SIGNALING_PORTS = "33000-39999"
DEFAULT_MEDIA_PORTS = "40000-49999"
SCHEMA_ID = "pxready-firewall/1"
_PORT_RANGE = re.compile(r"^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$")

TEAMS_NOTE = (
    "Microsoft 365 endpoints of Microsoft Teams (Microsoft's 'Office 365 URLs and IP address "
    "ranges', Teams service area); this traffic stays inside Microsoft's network"
)
ROLE_NAMES = {
    "nodes": "Conferencing Nodes",
    "node-sources": "Conferencing Nodes",
    "load-balancer": "Teams Connector load balancer",
    "instances": "Teams Connector instances",
    "teams": "Microsoft Teams (O365)",
    "ocsp": "OCSP responders",
    "windows-update": "Windows Update servers",
    "management": "Management workstations",
    "clients": "Client applications viewing the meeting invitation",
}


class PortRangeError(ValueError):
    pass


def port_range(text: str) -> str:
    """`33000-39999` or `443`, normalised; raises PortRangeError otherwise."""
    match = _PORT_RANGE.match(text.replace("\u2013", "-"))
    if not match:
        raise PortRangeError(f"{quoted(text)} is not a port or a port range such as 33000-39999")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high <= 65535:
        raise PortRangeError(f"{quoted(text)}: ports run from 1 to 65535, low to high")
    return str(low) if low == high else f"{low}-{high}"


class Endpoint(NamedTuple):
    """One role filled in: who, in words; the addresses a firewall can import; why."""

    role: str
    addresses: tuple[str, ...]
    note: str = ""
    suffix: str = ""  # added to the rule id when a role splits into several rules
    ports: str | None = None  # its own source ports, instead of the row's
    behind_dmz: bool = True  # false: its traffic never crosses the nodes' firewall


class Rule(NamedTuple):
    id: str
    direction: str
    action: str  # "Allow", or "Deny" for the RDP rule that is closed by design
    protocol: str
    source: str
    source_addresses: tuple[str, ...]
    source_ports: str
    destination: str
    destination_addresses: tuple[str, ...]
    ports: str  # destination ports (the guide's "destination port")
    purpose: str
    note: str = ""

    def document(self) -> dict[str, Any]:
        doc = self._asdict()
        doc["source_addresses"] = list(self.source_addresses)
        doc["destination_addresses"] = list(self.destination_addresses)
        return doc


class FirewallPlan(NamedTuple):
    connector: str  # the connector's FQDN, or its script when the FQDN is unset
    vars: str | None
    side: str
    rules: tuple[Rule, ...]
    notes: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "vars": self.vars,
            "side": self.side,
            "rules": [r.document() for r in self.rules],
            "notes": list(self.notes),
        }


def table() -> list[dict[str, Any]]:
    """The planning guide's rows, as written in firewall.toml."""
    text = resources.files("checks.data").joinpath("firewall.toml").read_text(encoding="utf-8")
    rows: list[dict[str, Any]] = tomllib.loads(text)["rule"]
    return rows


def _endpoints(variables: ConnectorVariables) -> dict[str, list[Endpoint]]:
    """Each role of the table, filled in from the variables script."""
    fqdn = variables.fqdn
    node_names = tuple(variables.node_fqdns)
    node_prefixes = tuple(p for p in variables.items("PxNodesSourceAddressPrefixes") or [] if p)
    mgmt_prefixes = tuple(p for p in variables.items("PxMgmtSrcAddrPrefixes") or [] if p)
    base = variables.text("PxBaseConnName") or "<base>"
    region = variables.text("PxVmssRegion") or "<region>"
    nodes_note = (
        "resolve these names to the Conferencing Nodes' public addresses"
        if node_names
        else "$PxNodeFqdns is not set: no node is named"
    )
    nodes = Endpoint(ROLE_NAMES["nodes"], node_names, nodes_note)
    if node_prefixes:
        from_nodes = tuple(p for p in node_prefixes if p not in mgmt_prefixes)
        from_mgmt = tuple(p for p in node_prefixes if p in mgmt_prefixes)
        note = (
            "from $PxNodesSourceAddressPrefixes, which the installer puts in the NSG; it must "
            "include every public-facing node and the admin-consent workstation"
        )
        node_sources = [Endpoint(ROLE_NAMES["nodes"], from_nodes, note)] if from_nodes else []
        if from_mgmt:
            node_sources.append(
                Endpoint(
                    "Management workstations (admin consent)",
                    from_mgmt,
                    "$PxMgmtSrcAddrPrefixes, added to $PxNodesSourceAddressPrefixes: these "
                    "workstations may reach the connector on 443 too, which admin consent needs",
                    "-management",
                    ports="any",
                    behind_dmz=False,
                )
            )
    else:
        node_sources = [
            Endpoint(
                ROLE_NAMES["nodes"],
                node_names,
                "$PxNodesSourceAddressPrefixes is empty, so the NSG allows 443 from any "
                f"address; restrict your own firewalls to the nodes ({nodes_note})",
            )
        ]
    if mgmt_prefixes:
        management = Endpoint(
            ROLE_NAMES["management"],
            mgmt_prefixes,
            "from $PxMgmtSrcAddrPrefixes (the NSG's RDP rule, priority 1000)",
        )
    else:
        management = Endpoint(
            ROLE_NAMES["management"],
            ("any",),
            "closed by design: $PxMgmtSrcAddrPrefixes is empty, so the installer creates the "
            "NSG's RDP rule (priority 1000) as Deny; add addresses to allow RDP later",
        )
    return {
        "nodes": [nodes],
        "node-sources": node_sources,
        "load-balancer": [
            Endpoint(
                ROLE_NAMES["load-balancer"],
                (fqdn,) if fqdn else (),
                "" if fqdn else "$PxTeamsConnFqdn is not set: the load balancer has no name",
            )
        ],
        "instances": [
            Endpoint(
                ROLE_NAMES["instances"],
                (),
                "the instances' public addresses are known after the install (scale set "
                f"{base}{region} in resource group {base}-TeamsConn-{region}-RG)",
            )
        ],
        "teams": [Endpoint(ROLE_NAMES["teams"], (), TEAMS_NOTE)],
        "ocsp": [
            Endpoint(
                ROLE_NAMES["ocsp"],
                (),
                "the OCSP and CRL hosts in the certificates' AIA and CDP extensions",
            )
        ],
        "windows-update": [Endpoint(ROLE_NAMES["windows-update"], ())],
        "management": [management],
        "clients": [Endpoint(ROLE_NAMES["clients"], ("any",))],
    }


def build_plan(
    variables: ConnectorVariables,
    *,
    vars_label: str | None = None,
    signaling_ports: str = DEFAULT_SIGNALING_PORTS,
    media_ports: str = DEFAULT_MEDIA_PORTS,
    side: str = "all",
) -> FirewallPlan:
    ports = {"signaling": port_range(signaling_ports), "media": port_range(media_ports)}
    endpoints = _endpoints(variables)
    rules: list[Rule] = []
    for row in table():
        if side != "all" and side not in row["sides"]:
            continue
        rules.extend(_rules(row, endpoints, ports, side))
    fqdn = variables.fqdn
    notes = [
        f"Conferencing Node ports {ports['signaling']} (signaling) and {ports['media']} "
        "(media) are the Pexip Infinity global settings 'Signaling port range' and 'Media port "
        "range'; pass --signaling-ports and --media-ports if yours differ.",
        "Adding Conferencing Nodes or changing management addresses later means updating "
        "these rules and the NSG.",
    ]
    if side != "dmz":
        notes.insert(
            1,
            "The NSG also holds rules for traffic from the load balancer to the instances "
            "(ports 10100, 10101 and 20100); those need no opening in your firewalls.",
        )
    if side == "dmz":
        notes.insert(0, "Directions are seen from the Conferencing Nodes (inbound = to them).")
    return FirewallPlan(
        fqdn or vars_label or "(connector)", vars_label, side, tuple(rules), tuple(notes)
    )


def _rules(
    row: Mapping[str, Any],
    endpoints: Mapping[str, list[Endpoint]],
    ports: Mapping[str, str],
    side: str,
) -> Iterable[Rule]:
    destination = endpoints[row["destination"]][0]
    for source in endpoints[row["source"]]:
        if side == "dmz" and not source.behind_dmz:
            continue
        direction = row["direction"]
        if side == "dmz":
            to_nodes = row["destination"] in ("nodes", "node-sources")
            direction = "inbound" if to_nodes else "outbound"
        action = (
            "Deny" if source.addresses == ("any",) and row["source"] == "management" else "Allow"
        )
        notes = [n for n in (row.get("note", ""), source.note, destination.note) if n]
        yield Rule(
            id=row["id"] + source.suffix,
            direction=direction,
            action=action,
            protocol=row["protocol"],
            source=source.role,
            source_addresses=source.addresses,
            source_ports=(source.ports or row["source_ports"]).format_map(ports),
            destination=destination.role,
            destination_addresses=destination.addresses,
            ports=row["ports"].format_map(ports),
            purpose=row["purpose"],
            note="; ".join(dict.fromkeys(notes)),
        )


CSV_COLUMNS = (
    "connector",
    "rule",
    "direction",
    "action",
    "protocol",
    "source",
    "source_addresses",
    "source_ports",
    "destination",
    "destination_addresses",
    "ports",
    "purpose",
    "note",
)


def csv_rows(plans: Iterable[FirewallPlan]) -> list[list[str]]:
    """Rows under `CSV_COLUMNS`; address lists are joined with ';' (one cell per rule)."""
    return [
        [
            plan.connector,
            rule.id,
            rule.direction,
            rule.action,
            rule.protocol,
            rule.source,
            ";".join(rule.source_addresses),
            rule.source_ports,
            rule.destination,
            ";".join(rule.destination_addresses),
            rule.ports,
            rule.purpose,
            rule.note,
        ]
        for plan in plans
        for rule in plan.rules
    ]
