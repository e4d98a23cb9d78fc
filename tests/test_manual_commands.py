"""The commands the network checks' texts suggest for checking by hand work, and show what the
check reports: each is taken from the check's own text, its placeholders (NAME, URL) filled
in with a loopback server that stages the situation, and run with the real tool.

`dig` and PowerShell's `Resolve-DnsName` are run where they are installed; `curl.exe` is
Windows' name for the same curl.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from readiness.registry import load_registry
from tests.support.cli import GOOD_VARS, Deployment
from tests.support.dns_server import DnsServer
from tests.support.http_server import HttpServer, handler, redirect, respond
from tests.support.ocsp_responder import OcspResponder
from tests.support.pki import NetPki, chain_pem, make_crl
from tests.support.tls_server import TlsServer

SPAN = re.compile(r"`([^`]+)`")
TOOLS = ("openssl", "curl", "curl.exe", "dig", "Resolve-DnsName")

# Every command the network checks suggest, as written, and the test below that runs it.
DIAGNOSTICS = {
    "curl -sI URL": "test_curl_shows_the_redirect_aia_redirect_reports",
    "curl.exe -sI URL": "test_curl_shows_the_redirect_aia_redirect_reports",
    "curl -sS -o ca.crl URL": "test_the_crl_commands_show_the_revoked_serial",
    "openssl crl -inform DER -in ca.crl -noout -text": (
        "test_the_crl_commands_show_the_revoked_serial"
    ),
    "openssl ocsp -issuer issuer.pem -cert cert.pem -url URL -resp_text": (
        "test_openssl_ocsp_shows_the_status_revocation_urls_reports"
    ),
    "openssl s_client -connect NAME:443 -servername NAME -tls1_2 -showcerts": (
        "test_openssl_s_client_shows_the_protocol_and_cipher_tls_node_reports"
    ),
    "Resolve-DnsName -Type CNAME NAME": "test_dig_shows_the_cname",
    "dig CNAME NAME": "test_dig_shows_the_cname",
    "Resolve-DnsName NAME": "test_dig_shows_the_cname",
    "dig A NAME": "test_dig_shows_the_cname",
    "dig AAAA NAME": "test_dig_shows_the_cname",
}
NETWORK_CHECKS = ("aia.redirect", "revocation.urls", "dns.connector-cname", "dns.node-public",
                  "tls.node")  # fmt: skip


def suggested(check_id: str) -> list[str]:
    spec = load_registry().get(check_id)
    assert spec is not None
    text = " ".join(f"{spec.remediation} {spec.explanation}".split())
    return list(dict.fromkeys(c for c in SPAN.findall(text) if c.split()[0] in TOOLS))


def test_every_suggested_command_is_run_by_a_test() -> None:
    found = {c for check_id in NETWORK_CHECKS for c in suggested(check_id)}
    assert found, "no command found: the extraction is broken"
    assert found <= set(DIAGNOSTICS), found - set(DIAGNOSTICS)
    for test in DIAGNOSTICS.values():
        assert test in globals(), test


def run(command: str, cwd: Path, **fill: str) -> str:
    for placeholder, value in fill.items():
        command = command.replace(placeholder, value)
    args = shlex.split(command)
    if args[0] == "curl.exe":
        args[0] = "curl"
    if shutil.which(args[0]) is None:
        pytest.skip(f"{args[0]} is not installed here")
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def checked(deployment: Deployment, check_id: str, config: str) -> dict[str, object]:
    deployment.vars(GOOD_VARS.replace('"px-edge-pool.vc.example.com"', '"px1.example.com"'))
    deployment.config('[[connector]]\nvars = "variables.ps1"\n' + config)
    done = deployment.checks("--format", "json", "--only", check_id, "--timeout", "2")
    results = [r for r in done.results(check_id) if r["status"] != "skip"]
    assert len(results) >= 1, done.json()
    return results[0]


def node_files(deployment: Deployment, pki: NetPki) -> str:
    deployment.write("node.pem", chain_pem(pki.leaf, pki.intermediate).decode())
    deployment.write("roots.pem", chain_pem(pki.root).decode())
    return '[nodes]\ncertificates = ["node.pem"]\n[trust]\nca_bundle = "roots.pem"\n'


@pytest.mark.parametrize("command", ["curl -sI URL", "curl.exe -sI URL"])
def test_curl_shows_the_redirect_aia_redirect_reports(
    deployment: Deployment, http_server: HttpServer, command: str
) -> None:
    from tests.support.pki import make_intermediate, make_leaf, make_root

    root = make_root()
    inter = make_intermediate(root)
    leaf = make_leaf(inter, ["px1.example.com"], aia_issuers=[http_server.url("/ca.crt")])
    http_server.route("/ca.crt", redirect(301, "https://pki.example.com/ca.crt"))
    result = checked(deployment, "aia.redirect", node_files(deployment, NetPki(root, inter, leaf)))
    assert result["status"] == "fail"
    assert command in suggested("aia.redirect")
    shown = run(command, deployment.root, URL=http_server.url("/ca.crt"))
    assert shown.startswith("HTTP/1.1 301")
    assert "location: https://pki.example.com/ca.crt" in shown.lower()


def test_the_crl_commands_show_the_revoked_serial(
    deployment: Deployment, http_server: HttpServer
) -> None:
    from tests.support.pki import make_intermediate, make_leaf, make_root

    root = make_root()
    inter = make_intermediate(root)
    leaf = make_leaf(inter, ["px1.example.com"], crl_urls=[http_server.url("/ca.crl")])
    http_server.route("/ca.crl", respond(body=make_crl(inter, [leaf.serial])))
    files = node_files(deployment, NetPki(root, inter, leaf))
    result = checked(deployment, "revocation.urls", files)
    assert result["status"] == "fail" and "revoked" in str(result["message"])
    download, read = (c for c in suggested("revocation.urls") if "crl" in c)
    run(download, deployment.root, URL=http_server.url("/ca.crl"))
    shown = run(read, deployment.root)
    assert "Certificate Revocation List" in shown
    assert re.search(rf"Serial Number: 0*{leaf.serial:X}\b", shown, re.IGNORECASE), shown


@pytest.mark.parametrize("mode", ["good", "revoked"])
def test_openssl_ocsp_shows_the_status_revocation_urls_reports(
    deployment: Deployment, http_server: HttpServer, mode: str
) -> None:
    from tests.support.pki import make_intermediate, make_leaf, make_root

    root = make_root()
    inter = make_intermediate(root)
    leaf = make_leaf(inter, ["px1.example.com"], ocsp_urls=[http_server.url("/ocsp")])
    http_server.route("/ocsp", handler(OcspResponder(inter, mode=mode).handle))
    files = node_files(deployment, NetPki(root, inter, leaf))
    result = checked(deployment, "revocation.urls", files)
    assert result["status"] == ("pass" if mode == "good" else "fail")
    deployment.write("issuer.pem", inter.pem().decode())
    deployment.write("cert.pem", leaf.pem().decode())
    (command,) = (c for c in suggested("revocation.urls") if "ocsp" in c)
    shown = run(command, deployment.root, URL=http_server.url("/ocsp"))
    assert f"cert.pem: {mode}" in shown


def test_openssl_s_client_shows_the_protocol_and_cipher_tls_node_reports(
    deployment: Deployment, dns_server: DnsServer, test_pki: NetPki
) -> None:
    with TlsServer(chain_pem(test_pki.leaf, test_pki.intermediate), test_pki.leaf.key_pem()) as tls:
        dns_server.add("px1.example.com", "A", "127.0.0.1")
        config = (
            node_files(deployment, test_pki).replace(
                "[nodes]\n", f"[nodes]\ntls_port = {tls.port}\n"
            )
            + f'[dns]\nnameservers = ["{dns_server.nameserver}"]\n'
        )
        result = checked(deployment, "tls.node", config)
        assert result["status"] == "pass", result
        (command,) = suggested("tls.node")
        shown = run(
            command.replace("NAME:443", f"127.0.0.1:{tls.port}"),
            deployment.root,
            NAME="px1.example.com",
        )
    cipher = re.search(r"with (\S+);", str(result["message"]))
    assert cipher is not None
    assert "TLSv1.2" in shown and cipher.group(1) in shown
    assert "CN=px1.example.com" in shown.replace(" = ", "=")


def test_dig_shows_the_cname(deployment: Deployment, dns_server: DnsServer) -> None:
    target = "pxtceu.westeurope.cloudapp.azure.com"
    dns_server.add("pexip-teamsconn-eu.teams.example.com", "CNAME", f"{target}.")
    dns_server.add(target, "A", "20.61.15.7")
    result = checked(
        deployment,
        "dns.connector-cname",
        f'[dns]\nnameservers = ["{dns_server.nameserver}"]\n',
    )
    assert result["status"] == "pass"
    commands = suggested("dns.connector-cname") + suggested("dns.node-public")
    runnable = [c for c in commands if c.startswith("dig ")]
    assert runnable
    if shutil.which("dig") is None:
        pytest.skip("dig is not installed here")
    shown = run(
        f"{runnable[0]} @127.0.0.1 -p {dns_server.port} +short",
        deployment.root,
        NAME="pexip-teamsconn-eu.teams.example.com",
    )
    assert f"{target}." in shown
