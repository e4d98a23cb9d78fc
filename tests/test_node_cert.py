"""node-cert.*: end to end through the CLI, with the node certificates in fixtures/pki/nodes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.cli import FIXTURES, GOOD_VARS, Deployment, Run

NODES = FIXTURES / "pki" / "nodes"
ROOT = FIXTURES / "pki" / "root-ca.pem"
AT = "2027-06-01"
POOL_NAMES = "px-edge-pool.vc.example.com,px-edge1.vc.example.com,px-edge2.vc.example.com"
NODE_CHECKS = [
    "node-cert.parse",
    "node-cert.eku",
    "node-cert.chain",
    "node-cert.validity",
    "node-cert.names",
]
INTERMEDIATE = "CN=pxready Test TLS CA 1,O=pxready test PKI,C=GB"


def run_nodes(
    deployment: Deployment,
    files: list[Path | tuple[str, bytes]],
    node_fqdns: str = POOL_NAMES,
    *,
    fmt: str = "json",
) -> Run:
    deployment.vars(GOOD_VARS.replace('"px-edge-pool.vc.example.com"', f'"{node_fqdns}"'))
    names = []
    for item in files:
        if isinstance(item, Path):
            shutil.copyfile(item, deployment.root / item.name)
            names.append(item.name)
        else:
            (deployment.root / item[0]).write_bytes(item[1])
            names.append(item[0])
    listed = ", ".join(f'"{n}"' for n in names)
    deployment.config(f"""\
        [[connector]]
        vars = "variables.ps1"

        [nodes]
        certificates = [{listed}]

        [trust]
        ca_bundle = "{ROOT.as_posix()}"
        """)
    return deployment.checks("--format", fmt, "--at", AT, "--offline", "--only", "node-cert.*")


def by_target(run: Run, check_id: str) -> dict[str, dict[str, object]]:
    return {r["target"]: r for r in run.results(check_id)}


def test_pool_certificate_passes_everything(deployment: Deployment) -> None:
    run = run_nodes(deployment, [NODES / "edge-pool.pem"])
    assert {r["status"] for r in run.json()["results"]} == {"pass"}, run.stdout
    assert [r["id"] for r in run.json()["results"]].count("node-cert.names") == 3
    parse = run.result("node-cert.parse")
    assert parse["target"] == "edge-pool.pem"
    assert parse["details"]["intermediates"] == [INTERMEDIATE]
    assert run.code == 0


def test_wildcard_covers_every_single_label_name(deployment: Deployment) -> None:
    run = run_nodes(deployment, [NODES / "edge-wildcard.pem"])
    names = by_target(run, "node-cert.names")
    assert {n: r["status"] for n, r in names.items()} == dict.fromkeys(
        POOL_NAMES.split(","), "pass"
    )
    deeper = run_nodes(deployment, [NODES / "edge-wildcard.pem"], "a.px-edge1.vc.example.com")
    result = deeper.result("node-cert.names")
    assert result["status"] == "fail"
    assert "covers exactly one label" in result["message"]


def test_uncovered_names_are_named_and_what_is_carried_is_listed(deployment: Deployment) -> None:
    run = run_nodes(deployment, [NODES / "edge-pool-only.pem"])
    names = by_target(run, "node-cert.names")
    assert names["px-edge-pool.vc.example.com"]["status"] == "pass"
    for name in ("px-edge1.vc.example.com", "px-edge2.vc.example.com"):
        assert names[name]["status"] == "fail"
        assert names[name]["message"] == (
            f"{name} is in no node certificate: edge-pool-only.pem: it carries "
            "px-edge-pool.vc.example.com"
        )
    assert run.code == 1


def test_names_are_checked_against_the_union_of_files(deployment: Deployment) -> None:
    run = run_nodes(deployment, [NODES / "edge-pool-only.pem", NODES / "edge-wildcard.pem"])
    names = by_target(run, "node-cert.names")
    assert names["px-edge-pool.vc.example.com"]["message"].startswith(
        "covered by edge-pool-only.pem"
    )
    assert names["px-edge1.vc.example.com"]["message"] == (
        "covered by edge-wildcard.pem (*.vc.example.com)"
    )
    assert run.code == 0


def test_names_of_every_connector_are_checked(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(
        GOOD_VARS.replace("teamsconn-eu", "teamsconn-us").replace(
            '"px-edge-pool.vc.example.com"', '"px-us-edge.vc.example.org"'
        ),
        name="us/variables.ps1",
    )
    shutil.copyfile(NODES / "edge-pool.pem", deployment.root / "edge-pool.pem")
    deployment.config(f"""\
        [[connector]]
        vars = "eu/variables.ps1"
        [[connector]]
        vars = "us/variables.ps1"
        [nodes]
        certificates = ["edge-pool.pem"]
        [trust]
        ca_bundle = "{ROOT.as_posix()}"
        """)
    run = deployment.checks("--format", "json", "--at", AT, "--offline", "--only", "node-cert.*")
    names = by_target(run, "node-cert.names")
    assert names["px-edge-pool.vc.example.com"]["status"] == "pass"
    assert names["px-us-edge.vc.example.org"]["status"] == "fail"
    # Deployment-scoped: one result per file, not one per connector.
    assert len(run.results("node-cert.parse")) == 1


@pytest.mark.parametrize(
    ("fixture", "check_id", "status", "reason"),
    [
        (
            "edge-no-clientauth.pem",
            "node-cert.eku",
            "fail",
            "EKU has serverAuth only; clientAuth is missing",
        ),
        (
            "edge-pool-leaf-only.pem",
            "node-cert.chain",
            "fail",
            f"the issuer of the certificate is missing: {INTERMEDIATE} is neither in the PEM file",
        ),
        ("edge-self-signed.pem", "node-cert.chain", "fail", "the certificate is self-signed"),
        (
            "edge-expired.pem",
            "node-cert.validity",
            "fail",
            "at 2027-06-01: the certificate expired on 2025-01-01",
        ),
    ],
)
def test_each_node_fixture_fails_the_right_check(
    deployment: Deployment, fixture: str, check_id: str, status: str, reason: str
) -> None:
    run = run_nodes(deployment, [NODES / fixture])
    result = run.result(check_id)
    assert result["status"] == status, result
    assert reason in result["message"]
    assert result["target"] == fixture
    others = [r for r in run.json()["results"] if r["id"] != check_id]
    assert {r["status"] for r in others} == {"pass"}, others
    assert run.code == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (NODES / "edge-pool.der", "the file is a DER (binary) certificate for CN=px-edge-pool"),
        (NODES / "edge-pool.pfx", "the file is a PFX (PKCS#12), not PEM"),
        (NODES / "edge-key-only.pem", "the file holds a private key but no certificate"),
        (
            ("junk.pem", b"\x00\x17 this is not a certificate \xff" * 20),
            "the file is not a certificate: no PEM block, and not DER, PKCS#7 or PFX",
        ),
        (("empty.pem", b""), "the file is empty"),
        (
            ("cut.pem", (NODES / "edge-pool.pem").read_bytes()[:300]),
            "the file has a PEM header but no complete -----BEGIN/-----END block",
        ),
        (
            ("broken.pem", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            "PEM block 1 (CERTIFICATE) does not parse",
        ),
    ],
    ids=["der", "pfx", "key-only", "junk", "empty", "truncated-pem", "bad-base64"],
)
def test_bad_node_files_have_their_own_message(
    deployment: Deployment, content: Path | tuple[str, bytes], reason: str
) -> None:
    run = run_nodes(deployment, [content, NODES / "edge-pool.pem"])
    name = content.name if isinstance(content, Path) else content[0]
    parse = by_target(run, "node-cert.parse")
    assert parse[name]["status"] == "fail"
    assert parse[name]["message"].startswith(f"{name}: ")
    assert reason in parse[name]["message"]
    assert parse["edge-pool.pem"]["status"] == "pass"
    for check_id in ("node-cert.eku", "node-cert.chain", "node-cert.validity"):
        results = by_target(run, check_id)
        assert results[name]["status"] == "skip"
        assert results["edge-pool.pem"]["status"] == "pass"
    assert {r["status"] for r in run.results("node-cert.names")} == {"pass"}


def test_no_node_certificates_skip(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    deployment.config('[[connector]]\nvars = "variables.ps1"\n')
    run = deployment.checks("--format", "json", "--offline", "--only", "node-cert.*")
    for check_id in NODE_CHECKS:
        result = run.result(check_id)
        assert result["status"] == "skip"
        assert "no node certificates given" in result["message"]
    assert run.code == 3  # nothing was checked: never ready


def test_table_output(deployment: Deployment) -> None:
    run = run_nodes(deployment, [NODES / "edge-pool-only.pem"], fmt="table")
    assert run.code == 1
    assert "px-edge1.vc.example.com is in no node certificate" in " ".join(run.stdout.split())


def _pool_blocks() -> list[bytes]:
    pem = (NODES / "edge-pool.pem").read_bytes()
    return re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?", pem, re.S)


@pytest.mark.parametrize(
    "content",
    [
        # openssl pkcs12 -nokeys output: "Bag Attributes" text before each block, CRLF endings.
        b"".join(
            b"Bag Attributes\n    localKeyID: 01\nsubject=/CN=x\n" + b for b in _pool_blocks()
        ).replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + (NODES / "edge-pool.pem").read_bytes(),  # saved by Notepad
    ],
    ids=["bag-attributes-crlf", "utf8-bom"],
)
def test_pem_files_as_windows_tools_write_them_pass(deployment: Deployment, content: bytes) -> None:
    run = run_nodes(deployment, [("pool.pem", content)])
    assert {r["status"] for r in run.json()["results"]} == {"pass"}, run.stdout


def test_leaf_after_its_intermediate_is_found_and_warned(deployment: Deployment) -> None:
    run = run_nodes(deployment, [("reversed.pem", b"".join(reversed(_pool_blocks())))])
    parse = run.result("node-cert.parse")
    assert parse["status"] == "warn"
    assert "number 2 in the file" in parse["message"]
    assert "CN=px-edge-pool.vc.example.com" in parse["message"]
    for check_id in ("node-cert.eku", "node-cert.chain", "node-cert.validity"):
        assert run.result(check_id)["status"] == "pass", check_id
    assert {r["status"] for r in run.results("node-cert.names")} == {"pass"}
