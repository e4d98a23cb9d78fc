"""dns.connector-cname and dns.node-public against a real DNS server on loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.cli import GOOD_VARS, Deployment, Run
from tests.support.dns_server import DnsServer

FQDN = "pexip-teamsconn-eu.teams.example.com"
AZURE = "pxtceu.westeurope.cloudapp.azure.com"
NODES = ("px-edge1.vc.example.com", "px-edge2.vc.example.com")


def deploy(
    deployment: Deployment,
    dns_server: DnsServer,
    *,
    nodes: tuple[str, ...] = NODES,
    expected: str | None = None,
) -> None:
    text = GOOD_VARS.replace('"px-edge-pool.vc.example.com"', f'"{",".join(nodes)}"')
    deployment.vars(text)
    extra = f'expected_cname = "{expected}"\n' if expected else ""
    deployment.config(
        f'[[connector]]\nvars = "variables.ps1"\n{extra}\n'
        f'[dns]\nnameservers = ["{dns_server.nameserver}"]\n'
    )


def run(deployment: Deployment, check_id: str, *args: str) -> Run:
    done = deployment.checks("--format", "json", "--only", check_id, "--timeout", "1", *args)
    assert done.code in (0, 1, 3), done.stderr
    return done


def only(done: Run, check_id: str) -> dict[str, Any]:
    results = done.results(check_id)
    assert len(results) == 1, results
    return results[0]


# -- dns.connector-cname ------------------------------------------------------------------------


def test_a_cname_to_azure_passes_with_its_chain_and_addresses(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.add(FQDN, "CNAME", f"{AZURE}.")
    dns_server.add(AZURE, "A", "20.61.15.7")
    deploy(deployment, dns_server)
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "pass", result
    assert f"{FQDN} → {AZURE}" in result["message"]
    assert "20.61.15.7" in result["message"]
    assert result["details"]["cname"] == AZURE
    assert result["target"] == FQDN
    assert result["location"] == {"path": "variables.ps1", "line": 3}


def test_a_cname_chain_is_reported_link_by_link(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.add(FQDN, "CNAME", "teams.trafficmanager.example.net.")
    dns_server.add("teams.trafficmanager.example.net", "CNAME", f"{AZURE}.")
    dns_server.add(AZURE, "A", "20.61.15.7")
    dns_server.add(AZURE, "AAAA", "2603:1020::7")
    deploy(deployment, dns_server)
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "pass", result
    assert f"{FQDN} → teams.trafficmanager.example.net → {AZURE}" in result["message"]
    assert "20.61.15.7, 2603:1020::7" in result["message"]
    # Not pointing straight at an Azure name is worth a note, not a failure.
    assert "is not an Azure .cloudapp.azure.com name" in result["message"]


def test_an_a_record_instead_of_a_cname_fails(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.add(FQDN, "A", "20.61.15.7")
    deploy(deployment, dns_server)
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "fail"
    assert "own address records (20.61.15.7) but no CNAME" in result["message"]


@pytest.mark.parametrize("how", ["nxdomain", "nodata"])
def test_no_record_yet_warns_to_create_it_after_the_install(
    deployment: Deployment, dns_server: DnsServer, how: str
) -> None:
    if how == "nodata":
        dns_server.add(FQDN, "TXT", '"placeholder"')
    deploy(deployment, dns_server)
    done = run(deployment, "dns.connector-cname")
    result = only(done, "dns.connector-cname")
    assert result["status"] == "warn"
    assert "create it after the install, before admin consent" in result["message"]
    assert done.code == 0


def test_expected_cname_must_match(deployment: Deployment, dns_server: DnsServer) -> None:
    dns_server.add(FQDN, "CNAME", f"{AZURE}.")
    dns_server.add(AZURE, "A", "20.61.15.7")
    deploy(deployment, dns_server, expected="pxtcother.westeurope.cloudapp.azure.com")
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "fail"
    assert (
        f"is a CNAME to {AZURE}, not to pxtcother.westeurope.cloudapp.azure.com"
        in (result["message"])
    )
    deploy(deployment, dns_server, expected=f"{AZURE.upper()}.")  # case and final dot
    assert only(run(deployment, "dns.connector-cname"), "dns.connector-cname")["status"] == "pass"


def test_a_cname_to_a_name_without_address_warns(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.add(FQDN, "CNAME", f"{AZURE}.")
    deploy(deployment, dns_server)
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "warn"
    assert f"{AZURE} has no address (yet)" in result["message"]


def test_a_cname_loop_fails_and_ends(deployment: Deployment, dns_server: DnsServer) -> None:
    dns_server.add(FQDN, "CNAME", "loop-a.example.net.")
    dns_server.add("loop-a.example.net", "CNAME", "loop-b.example.net.")
    dns_server.add("loop-b.example.net", "CNAME", "loop-a.example.net.")
    deploy(deployment, dns_server)
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "fail"
    assert "loops" in result["message"]


@pytest.mark.parametrize(("how", "words"), [("servfail", "SERVFAIL"), ("refuse", "refused")])
def test_a_failing_server_is_an_error(
    deployment: Deployment, dns_server: DnsServer, how: str, words: str
) -> None:
    getattr(dns_server, how)(FQDN)
    deploy(deployment, dns_server)
    done = run(deployment, "dns.connector-cname")
    result = only(done, "dns.connector-cname")
    assert result["status"] == "error"
    assert words in result["message"]
    assert done.code == 3


def test_a_silent_server_costs_one_timeout(deployment: Deployment, dns_server: DnsServer) -> None:
    dns_server.drop(FQDN)
    deploy(deployment, dns_server)
    started = time.monotonic()
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    elapsed = time.monotonic() - started
    assert result["status"] == "error"
    assert "no answer within 1 s" in result["message"]
    # The CNAME, A and AAAA lookups wait side by side: one timeout, not three.
    assert elapsed < 2.5, elapsed


def test_a_truncated_udp_answer_is_asked_again_over_tcp(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.add(FQDN, "CNAME", f"{AZURE}.")
    dns_server.add(AZURE, "A", "20.61.15.7")
    dns_server.truncate(FQDN)
    deploy(deployment, dns_server)
    result = only(run(deployment, "dns.connector-cname"), "dns.connector-cname")
    assert result["status"] == "pass", result
    transports = {t for name, _, t in dns_server.queries if name == FQDN}
    assert transports == {"udp", "tcp"}


def test_each_connector_gets_its_own_result(deployment: Deployment, dns_server: DnsServer) -> None:
    us = "pexip-teamsconn-us.teams.example.com"
    dns_server.add(FQDN, "CNAME", f"{AZURE}.")
    dns_server.add(AZURE, "A", "20.61.15.7")
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(GOOD_VARS.replace(FQDN, us), name="us/variables.ps1")
    deployment.config(
        '[[connector]]\nvars = "eu/variables.ps1"\n[[connector]]\nvars = "us/variables.ps1"\n'
        f'[dns]\nnameservers = ["{dns_server.nameserver}"]\n'
    )
    results = {r["target"]: r for r in run(deployment, "dns.connector-cname").results(
        "dns.connector-cname")}  # fmt: skip
    assert results[FQDN]["status"] == "pass"
    assert results[us]["status"] == "warn"
    assert results[us]["connector"] == 1


# -- dns.node-public ----------------------------------------------------------------------------


def test_public_addresses_pass(deployment: Deployment, dns_server: DnsServer) -> None:
    dns_server.add(NODES[0], "A", "8.8.4.4")
    dns_server.add(NODES[1], "CNAME", "edge2.cdn.example.net.")
    dns_server.add("edge2.cdn.example.net", "A", "1.1.1.1")
    dns_server.add("edge2.cdn.example.net", "AAAA", "2606:4700:4700::1111")
    deploy(deployment, dns_server)
    done = run(deployment, "dns.node-public")
    results = {r["target"]: r for r in done.results("dns.node-public")}
    assert {r["status"] for r in results.values()} == {"pass"}, results
    assert "8.8.4.4" in results[NODES[0]]["message"]
    assert "1.1.1.1, 2606:4700:4700::1111" in results[NODES[1]]["message"]
    assert results[NODES[1]]["details"]["chain"] == f"{NODES[1]} → edge2.cdn.example.net"
    assert results[NODES[0]]["location"] == {"path": "variables.ps1", "line": 4}
    assert done.code == 0


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.20.30.40", "private (RFC 1918)"),
        ("192.168.1.10", "private (RFC 1918)"),
        ("172.20.0.5", "private (RFC 1918)"),
        ("127.0.0.1", "loopback"),
        ("169.254.10.10", "link-local"),
        ("100.64.1.1", "carrier-grade NAT"),
        ("192.0.2.20", "documentation (RFC 5737)"),
        ("203.0.113.5", "documentation (RFC 5737)"),
        ("fd00::5", "unique local (RFC 4193)"),
        ("fe80::1", "link-local"),
        ("2001:db8::5", "documentation (RFC 3849)"),
        ("::1", "loopback"),
    ],
)
def test_an_address_not_reachable_from_the_internet_fails_naming_it(
    deployment: Deployment, dns_server: DnsServer, address: str, kind: str
) -> None:
    dns_server.add(NODES[0], "AAAA" if ":" in address else "A", address)
    dns_server.add(NODES[0], "A", "8.8.4.4")
    deploy(deployment, dns_server, nodes=(NODES[0],))
    result = only(run(deployment, "dns.node-public"), "dns.node-public")
    assert result["status"] == "fail"
    assert f"{address} is" in result["message"] and kind in result["message"]
    assert "8.8.4.4" not in result["message"].split(":", 1)[1]  # only the bad one is named


@pytest.mark.parametrize(("how", "words"), [("nxdomain", "does not exist"), ("nodata", "no A")])
def test_a_name_that_does_not_resolve_fails(
    deployment: Deployment, dns_server: DnsServer, how: str, words: str
) -> None:
    if how == "nodata":
        dns_server.add(NODES[0], "TXT", '"v=spf1 -all"')
    deploy(deployment, dns_server, nodes=(NODES[0],))
    done = run(deployment, "dns.node-public")
    result = only(done, "dns.node-public")
    assert result["status"] == "fail"
    assert words in result["message"]
    assert done.code == 1


def test_a_lookup_without_answer_is_an_error_and_the_others_still_pass(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.drop(NODES[0])
    dns_server.add(NODES[1], "A", "8.8.4.4")
    deploy(deployment, dns_server)
    results = {r["target"]: r for r in run(deployment, "dns.node-public").results(
        "dns.node-public")}  # fmt: skip
    assert results[NODES[0]]["status"] == "error"
    assert "no answer within 1 s" in results[NODES[0]]["message"]
    assert results[NODES[1]]["status"] == "pass"


def test_a_server_failure_is_an_error_never_a_pass(
    deployment: Deployment, dns_server: DnsServer
) -> None:
    dns_server.add(NODES[0], "A", "8.8.4.4")
    dns_server.servfail(NODES[0])
    deploy(deployment, dns_server, nodes=(NODES[0],))
    result = only(run(deployment, "dns.node-public"), "dns.node-public")
    assert result["status"] == "error"
    assert "SERVFAIL" in result["message"]


def test_names_are_resolved_all_at_once(deployment: Deployment, dns_server: DnsServer) -> None:
    names = tuple(f"px-node-{i:02}.vc.example.com" for i in range(20))
    for name in names:
        dns_server.add(name, "A", "8.8.4.4")
    dns_server.delay_all(0.4)
    deploy(deployment, dns_server, nodes=names)
    started = time.monotonic()
    done = run(deployment, "dns.node-public", "--timeout", "5")
    elapsed = time.monotonic() - started
    assert {r["status"] for r in done.results("dns.node-public")} == {"pass"}
    # 40 questions (A and AAAA) of 0.4 s each: 16 s one after another. Side by side it is
    # about one delay; the bound leaves ample room for a slow machine.
    assert elapsed < 4, elapsed
    asked = [(n, t) for n, t, _ in dns_server.queries if n in names]
    assert len(asked) == len(set(asked)) == 40  # every question asked once


def test_offline_skips_both_and_asks_nothing(deployment: Deployment, dns_server: DnsServer) -> None:
    dns_server.add(FQDN, "CNAME", f"{AZURE}.")
    deploy(deployment, dns_server)
    done = deployment.checks("--format", "json", "--only", "dns.*", "--offline")
    assert {r["status"] for r in done.json()["results"]} == {"skip"}
    assert dns_server.queries == []
    not_checked = {n["id"]: n for n in done.json()["summary"]["not_checked"]}
    assert set(not_checked) == {"dns.connector-cname", "dns.node-public"}
    assert done.code == 3  # nothing was checked
