"""`pxready firewall`: the planning guide's port table, filled in from the deployment."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from checks.firewall import PortRangeError, build_plan, port_range
from readiness.connector import ConnectorVariables
from readiness.deployment import ConnectorInput
from readiness.variables import parse_script
from tests.support.cli import GOOD_VARS, Deployment, pxready

FQDN = "pexip-teamsconn-eu.teams.example.com"


def plan_for(text: str, **kw: str) -> dict[str, Any]:
    script = parse_script(text, Path("variables.ps1"))
    variables = ConnectorVariables(script, ConnectorInput(position=0, vars_path=script.path))
    return {r.id: r for r in build_plan(variables, **kw).rules}


ONLY_NODES = GOOD_VARS.replace(" + $PxMgmtSrcAddrPrefixes", "")


def firewall_json(deployment: Deployment, *args: str) -> dict[str, Any]:
    run = pxready("firewall", *args, "--format", "json", cwd=deployment.root)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    document: dict[str, Any] = run.json()
    return document


# The planning guide's table, row by row: (source, source ports, destination, ports, protocol).
GUIDE_TABLE = {
    "nodes-signaling-lb": (
        "Conferencing Nodes",
        "33000-39999",
        "Teams Connector load balancer",
        "443",
        "TCP",
    ),
    "nodes-signaling-instances": (
        "Conferencing Nodes",
        "33000-39999",
        "Teams Connector instances",
        "443",
        "TCP",
    ),
    "nodes-media": (
        "Conferencing Nodes",
        "40000-49999",
        "Teams Connector instances",
        "50000-54999",
        "UDP",
    ),
    "connector-signaling-teams": (
        "Teams Connector instances",
        "ephemeral",
        "Microsoft Teams (O365)",
        "any",
        "TCP",
    ),
    "connector-signaling-nodes": (
        "Teams Connector instances",
        "ephemeral",
        "Conferencing Nodes",
        "443",
        "TCP",
    ),
    "connector-media-nodes": (
        "Teams Connector instances",
        "50000-54999",
        "Conferencing Nodes",
        "40000-49999",
        "UDP",
    ),
    "connector-media-teams": (
        "Teams Connector instances",
        "55000-59999",
        "Microsoft Teams (O365)",
        "any",
        "UDP",
    ),
    "connector-ocsp": ("Teams Connector instances", "ephemeral", "OCSP responders", "80", "TCP"),
    "connector-windows-update": (
        "Teams Connector instances",
        "ephemeral",
        "Windows Update servers",
        "80,443",
        "TCP",
    ),
    "teams-signaling": (
        "Microsoft Teams (O365)",
        "any",
        "Teams Connector load balancer",
        "10000-10399,10500-10899,11000-11399",
        "TCP",
    ),
    "teams-media": (
        "Microsoft Teams (O365)",
        "any",
        "Teams Connector instances",
        "55000-59999",
        "UDP",
    ),
    "management-rdp-lb": (
        "Management workstations",
        "any",
        "Teams Connector load balancer",
        "50000-50399",
        "TCP",
    ),
    "management-rdp-instances": (
        "Management workstations",
        "any",
        "Teams Connector instances",
        "3389",
        "TCP",
    ),
    "clients-alternative-dial": (
        "Client applications viewing the meeting invitation",
        "any",
        "Conferencing Nodes",
        "443",
        "TCP",
    ),
}


def test_every_row_of_the_planning_guide_table_is_a_rule() -> None:
    rules = plan_for(ONLY_NODES)
    assert list(rules) == list(GUIDE_TABLE)
    for rule_id, (source, source_ports, destination, ports, protocol) in GUIDE_TABLE.items():
        rule = rules[rule_id]
        assert (
            rule.source,
            rule.source_ports,
            rule.destination,
            rule.ports,
            rule.protocol,
        ) == (
            source,
            source_ports,
            destination,
            ports,
            protocol,
        ), rule_id
        assert rule.direction in ("inbound", "outbound")
        assert rule.purpose


def test_rules_are_filled_in_from_the_variables() -> None:
    rules = plan_for(GOOD_VARS)
    assert rules["nodes-signaling-lb"].source_addresses == ("192.0.2.20",)
    assert rules["nodes-signaling-lb"].source == "Conferencing Nodes"
    assert rules["nodes-signaling-lb"].destination_addresses == (FQDN,)
    assert rules["teams-signaling"].destination_addresses == (FQDN,)
    assert rules["connector-signaling-nodes"].destination_addresses == (
        "px-edge-pool.vc.example.com",
    )
    # Addresses unknown before the install are left empty; the note says why.
    assert rules["nodes-media"].destination_addresses == ()
    assert "contoso-TeamsConn-eu-RG" in rules["nodes-media"].note
    rdp = rules["management-rdp-instances"]
    assert (rdp.action, rdp.source_addresses) == ("Allow", ("203.0.113.10", "198.51.100.0/24"))


def test_management_prefixes_in_the_node_list_are_labelled_as_such() -> None:
    rules = plan_for(GOOD_VARS)
    management = rules["nodes-signaling-lb-management"]
    assert management.source_addresses == ("203.0.113.10", "198.51.100.0/24")
    assert management.source.startswith("Management workstations")
    assert "$PxMgmtSrcAddrPrefixes" in management.note
    assert "203.0.113.10" not in rules["nodes-signaling-lb"].source_addresses


def test_no_prose_in_address_fields() -> None:
    for rule in plan_for(GOOD_VARS).values():
        for address in (*rule.source_addresses, *rule.destination_addresses):
            assert " " not in address and "<" not in address, (rule.id, address)


def test_the_dmz_side_has_the_node_firewall_rules_seen_from_the_nodes() -> None:
    rules = plan_for(ONLY_NODES, side="dmz")
    assert set(rules) == {
        "nodes-signaling-lb",
        "nodes-signaling-instances",
        "nodes-media",
        "connector-signaling-nodes",
        "connector-media-nodes",
        "clients-alternative-dial",
    }
    assert rules["nodes-signaling-lb"].direction == "outbound"
    assert rules["connector-signaling-nodes"].direction == "inbound"
    assert rules["clients-alternative-dial"].direction == "inbound"
    connector_side = plan_for(ONLY_NODES, side="connector")
    assert "clients-alternative-dial" not in connector_side
    assert "teams-signaling" in connector_side


def test_empty_node_prefixes_name_the_nodes_and_say_the_nsg_is_open() -> None:
    text = GOOD_VARS.replace('@( "192.0.2.20" ) + $PxMgmtSrcAddrPrefixes', "@()").replace(
        '"px-edge-pool.vc.example.com"', '"px1.vc.example.com, px2.vc.example.com"'
    )
    rule = plan_for(text)["nodes-signaling-lb"]
    assert rule.source_addresses == ("px1.vc.example.com", "px2.vc.example.com")
    assert "empty" in rule.note and "any address" in rule.note


def test_empty_management_prefixes_make_rdp_a_deny_closed_by_design() -> None:
    text = GOOD_VARS.replace('@( "203.0.113.10", "198.51.100.0/24" )', "@()")
    rules = plan_for(text)
    for rule_id in ("management-rdp-lb", "management-rdp-instances"):
        assert rules[rule_id].action == "Deny"
        assert rules[rule_id].source_addresses == ("any",)
        assert "closed by design" in rules[rule_id].note
    assert all(r.action == "Allow" for k, r in rules.items() if not k.startswith("management"))


def test_port_ranges_can_be_overridden() -> None:
    rules = plan_for(GOOD_VARS, signaling_ports="34000-34999", media_ports="41000 - 42000")
    assert rules["nodes-signaling-lb"].source_ports == "34000-34999"
    assert rules["nodes-media"].source_ports == "41000-42000"
    assert rules["connector-media-nodes"].ports == "41000-42000"


@pytest.mark.parametrize("text", ["", "abc", "0-10", "10-5", "70000", "1-65536", "33000-"])
def test_bad_port_ranges_are_refused(text: str) -> None:
    with pytest.raises(PortRangeError):
        port_range(text)


def test_unset_values_are_named_not_invented() -> None:
    text = "\n".join(
        line
        for line in GOOD_VARS.splitlines()
        if not line.startswith(("$PxTeamsConnFqdn", "$PxNodeFqdns"))
    )
    rules = plan_for(text)
    assert rules["teams-signaling"].destination_addresses == ()
    assert "$PxTeamsConnFqdn is not set" in rules["teams-signaling"].note
    assert rules["connector-signaling-nodes"].destination_addresses == ()
    assert "$PxNodeFqdns is not set" in rules["connector-signaling-nodes"].note


def test_json_output(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    document = firewall_json(deployment, "--vars", "variables.ps1")
    assert document["schema"] == "pxready-firewall/1"
    assert (document["signaling_ports"], document["media_ports"]) == ("33000-39999", "40000-49999")
    [plan] = document["connectors"]
    assert plan["connector"] == FQDN and plan["vars"] == "variables.ps1"
    assert len(plan["rules"]) == len(GUIDE_TABLE) + 2  # two rows split off for management
    first = plan["rules"][0]
    assert set(first) >= {
        "direction",
        "source",
        "destination",
        "ports",
        "protocol",
        "purpose",
        "note",
        "action",
    }


def test_config_with_two_connectors_gives_two_plans(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(
        GOOD_VARS.replace('"eu"', '"us"').replace("-eu.", "-us."), name="us/variables.ps1"
    )
    deployment.config(
        '[[connector]]\nvars = "eu/variables.ps1"\n\n[[connector]]\nvars = "us/variables.ps1"\n'
    )
    document = firewall_json(deployment)
    assert [p["connector"] for p in document["connectors"]] == [
        FQDN,
        "pexip-teamsconn-us.teams.example.com",
    ]
    assert [p["vars"] for p in document["connectors"]] == ["eu/variables.ps1", "us/variables.ps1"]


def test_csv_has_a_header_and_one_row_per_rule(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    run = pxready("firewall", "--vars", "variables.ps1", "--format", "csv", cwd=deployment.root)
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == len(GUIDE_TABLE) + 2
    assert rows[0]["source_addresses"] == "192.0.2.20"
    assert rows[1]["source_addresses"] == "203.0.113.10;198.51.100.0/24"
    assert rows[1]["source"] == "Management workstations (admin consent)"
    assert rows[0]["destination_addresses"] == FQDN
    assert rows[0]["note"].startswith("from $PxNodesSourceAddressPrefixes")
    # A network team moving between the CSV and the JSON finds the same field names.
    document = pxready(
        "firewall", "--vars", "variables.ps1", "--format", "json", cwd=deployment.root
    ).json()
    json_fields = set(document["connectors"][0]["rules"][0])
    assert set(rows[0]) - {"connector", "rule"} == json_fields - {"id"}

    written = pxready(
        "firewall", "--vars", "variables.ps1", "--output", "rules.csv", cwd=deployment.root
    )
    assert written.code == 0, written.stderr
    assert written.stdout == ""
    assert "wrote 16 firewall rules to rules.csv" in written.stderr
    raw = (deployment.root / "rules.csv").read_bytes()
    # RFC 4180 line endings, UTF-8, whatever the platform.
    assert raw.count(b"\r\n") == len(GUIDE_TABLE) + 3 and b"\r\r" not in raw
    with (deployment.root / "rules.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == rows


def test_table_output(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    deployment.config('[[connector]]\nvars = "variables.ps1"\n')
    run = pxready("firewall", "--signaling-ports", "34000-34999", cwd=deployment.root)
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"Firewall rules for the Teams Connector {FQDN} (variables.ps1)"
    assert " 1. inbound  Allow TCP 443  Signaling" in lines
    assert (
        "    from Conferencing Nodes: 192.0.2.20 (source ports 34000-34999)"
        in run.stdout.replace("\n         ", " ")
    )
    assert "16. inbound  Allow TCP 443  Alternative dial instructions" in lines
    assert all(len(line) <= 100 for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--vars", "missing.ps1"), "--vars missing.ps1: file does not exist"),
        (("--config", "missing.toml"), "missing.toml: configuration file does not exist"),
        ((), "no variables script"),
    ],
)
def test_config_errors_exit_2_with_one_line(
    deployment: Deployment, args: tuple[str, ...], message: str
) -> None:
    run = pxready("firewall", *args, cwd=deployment.root)
    assert run.code == 2
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and message in run.stderr, run.stderr


def test_a_script_that_does_not_parse_exits_2_naming_the_line(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS + '$PxBroken = "unterminated\n')
    run = pxready("firewall", "--vars", "variables.ps1", cwd=deployment.root)
    assert run.code == 2
    assert len(run.stderr.splitlines()) == 1
    assert "variables.ps1" in run.stderr and "line 11" in run.stderr, run.stderr


def test_bad_port_option_exits_2(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    run = pxready(
        "firewall", "--vars", "variables.ps1", "--media-ports", "5-3", cwd=deployment.root
    )
    assert run.code == 2
    assert "--media-ports" in run.stderr and run.stdout == ""


def test_json_on_stdout_has_no_secret(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS + '$PxWinAdminPassword = "Sup3r-Secret-Passw0rd!"\n')
    run = pxready("firewall", "--vars", "variables.ps1", "--format", "json", cwd=deployment.root)
    assert run.code == 0
    assert "Sup3r-Secret" not in run.stdout + run.stderr
    assert json.loads(run.stdout)["connectors"]
