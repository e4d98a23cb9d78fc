"""`pxready check`, the real command, on a deployment whose every server is on loopback: each
network check reports with the right status, in about the time of the slowest answer, and on a
terminal the progress line says what is awaited."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    pkcs12,
)

from tests.support.cli import GOOD_VARS, Deployment, clean_env
from tests.support.dns_server import DnsServer
from tests.support.http_server import HttpServer, handler, redirect, respond
from tests.support.ocsp_responder import OcspResponder
from tests.support.pki import chain_pem, make_crl, make_intermediate, make_leaf, make_root
from tests.support.terminal import on_terminal
from tests.support.tls_server import TlsServer

FQDN = "pexip-teamsconn-eu.teams.example.com"
POOL = "px-edge-pool.vc.example.com"
EDGE = "px-edge1.vc.example.com"
PASSWORD = "loopback-pfx"


@pytest.fixture
def loopback(
    deployment: Deployment, dns_server: DnsServer, http_server: HttpServer
) -> Iterator[Deployment]:
    """A deployment whose DNS, CA servers and Conferencing Node all answer on 127.0.0.1."""
    root = make_root("Loopback Root", key_type="rsa")
    inter = make_intermediate(
        root,
        "Loopback Issuing CA",
        aia_issuers=[http_server.url("/root.crt")],
        crl_urls=[http_server.url("/root.crl")],
        key_type="rsa",
    )
    urls = {
        "aia_issuers": [http_server.url("/inter.crt")],
        "crl_urls": [http_server.url("/inter.crl")],
        "ocsp_urls": [http_server.url("/ocsp")],
    }
    node = make_leaf(inter, [POOL, EDGE], **urls)  # type: ignore[arg-type]
    connector = make_leaf(inter, [FQDN], key_type="rsa", **urls)  # type: ignore[arg-type]
    http_server.route("/root.crt", respond(body=root.der()))
    http_server.route("/inter.crt", respond(body=inter.der()))
    http_server.route("/root.crl", respond(body=make_crl(root)))
    http_server.route("/inter.crl", respond(body=make_crl(inter)))
    http_server.route("/ocsp", handler(OcspResponder(inter, mode="good").handle))
    dns_server.add(FQDN, "CNAME", "pxtceu.westeurope.cloudapp.azure.com.")
    dns_server.add("pxtceu.westeurope.cloudapp.azure.com", "A", "20.61.15.7")
    dns_server.add(POOL, "A", "127.0.0.1")
    dns_server.add(EDGE, "A", "127.0.0.1")
    pfx = pkcs12.serialize_key_and_certificates(
        b"connector", connector.key, connector.cert, [inter.cert],  # type: ignore[arg-type]
        BestAvailableEncryption(PASSWORD.encode()),
    )  # fmt: skip
    (deployment.root / "pexip-teams.pfx").write_bytes(pfx)
    deployment.write("node.pem", chain_pem(node, inter).decode())
    deployment.write("roots.pem", chain_pem(root).decode())
    deployment.vars(GOOD_VARS.replace(f'"{POOL}"', f'"{POOL},{EDGE}"'))
    with TlsServer(chain_pem(node, inter), node.key_pem()) as tls:
        deployment.config(f"""
            [[connector]]
            vars = "variables.ps1"
            [nodes]
            certificates = ["node.pem"]
            tls_port = {tls.port}
            [trust]
            ca_bundle = "roots.pem"
            [dns]
            nameservers = ["{dns_server.nameserver}"]
        """)
        yield deployment


def statuses(report: dict[str, object], check_id: str) -> set[str]:
    results = report["results"]
    assert isinstance(results, list)
    return {r["status"] for r in results if r["id"] == check_id}


def test_every_network_check_reports_on_a_loopback_deployment(loopback: Deployment) -> None:
    started = time.monotonic()
    run = loopback.check(
        "--format", "json", "--timeout", "3", "--skip", "azure.*",
        env={"PXREADY_PFX_PASSWORD": PASSWORD},
    )  # fmt: skip
    elapsed = time.monotonic() - started
    report = run.json()
    assert statuses(report, "aia.redirect") == {"pass"}
    assert statuses(report, "revocation.urls") == {"pass"}
    assert statuses(report, "dns.connector-cname") == {"pass"}
    assert statuses(report, "tls.node") == {"pass"}
    # Conferencing Nodes on 127.0.0.1 are exactly what dns.node-public is for.
    assert statuses(report, "dns.node-public") == {"fail"}
    assert run.code == 1
    not_checked = {n["id"] for n in report["summary"]["not_checked"]}  # type: ignore[index]
    assert not_checked == {"vars.admin-account"}  # not applicable: the script has no admin
    assert elapsed < 20, elapsed


def test_a_broken_network_gives_each_check_its_documented_status(
    loopback: Deployment, dns_server: DnsServer, http_server: HttpServer
) -> None:
    http_server.route("/inter.crt", redirect(301, "https://pki.example.com/inter.crt"))
    http_server.route("/ocsp", handler(OcspResponder(make_root(), mode="unauthorized").handle))
    dns_server.clear(FQDN)
    dns_server.servfail(FQDN)
    run = loopback.check(
        "--format", "json", "--timeout", "2", "--skip", "azure.*",
        env={"PXREADY_PFX_PASSWORD": PASSWORD},
    )  # fmt: skip
    report = run.json()
    assert "fail" in statuses(report, "aia.redirect")
    assert "fail" in statuses(report, "revocation.urls")
    assert statuses(report, "dns.connector-cname") == {"error"}
    assert run.code == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_the_progress_line_names_what_is_awaited(
    loopback: Deployment, dns_server: DnsServer
) -> None:
    dns_server.delay(EDGE, 1.5)
    env = clean_env({"PXREADY_PFX_PASSWORD": PASSWORD, "COLUMNS": "100"})
    shown = on_terminal(
        100, loopback.root, "check", "--skip", "azure.*", "--timeout", "5",
        env=env, report_to_terminal=False,
    )  # fmt: skip
    frames = [f for f in re.split(r"[\r\n]", shown) if f.strip()]
    assert any(f"waiting for DNS {EDGE}" in f for f in frames), frames
    assert all(len(f) <= 99 for f in frames), frames
    assert shown.rstrip(" ").endswith("\r")  # cleared before the report


def test_offline_asks_no_server_and_still_judges_the_revocation_urls(
    loopback: Deployment, dns_server: DnsServer, http_server: HttpServer
) -> None:
    run = loopback.check("--format", "json", "--offline", env={"PXREADY_PFX_PASSWORD": PASSWORD})
    report = run.json()
    for check_id in ("aia.redirect", "dns.connector-cname", "dns.node-public", "tls.node"):
        assert statuses(report, check_id) == {"skip"}, check_id
    assert statuses(report, "revocation.urls") == {"pass"}
    assert dns_server.queries == []
    assert http_server.requests == []
