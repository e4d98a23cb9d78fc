"""connector-cert.*: end to end through the CLI, with the generated PKI in fixtures/pki."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import FIXTURES, GOOD_VARS, Deployment, Run, pxready

PKI = FIXTURES / "pki"
CONNECTOR = PKI / "connector"
ROOT = PKI / "root-ca.pem"
PASSWORD = "Fixture-PFX-4711"
ENV = {"PXREADY_PFX_PASSWORD": PASSWORD}
AT = "2027-06-01"
FQDN = "pexip-teamsconn-eu.teams.example.com"
CONNECTOR_CHECKS = [
    "connector-cert.pfx",
    "connector-cert.key",
    "connector-cert.pfx-encryption",
    "connector-cert.eku",
    "connector-cert.chain",
    "connector-cert.validity",
    "connector-cert.name",
]
INTERMEDIATE = "CN=pxready Test TLS CA 1,O=pxready test PKI,C=GB"


def run_pfx(
    deployment: Deployment,
    pfx: Path | bytes | None,
    *,
    env: dict[str, str] | None = None,
    ca_bundle: Path | None = ROOT,
    variables: str = GOOD_VARS,
    fmt: str = "json",
    extra: tuple[str, ...] = (),
) -> Run:
    """One connector whose $PxPfxCertFileName (.\\pexip-teams.pfx) holds `pfx`."""
    deployment.vars(variables)
    target = deployment.root / "pexip-teams.pfx"
    if isinstance(pfx, Path):
        shutil.copyfile(pfx, target)
    elif isinstance(pfx, bytes):
        target.write_bytes(pfx)
    trust = f'[trust]\nca_bundle = "{ca_bundle.as_posix()}"\n' if ca_bundle else ""
    deployment.config(f'[[connector]]\nvars = "variables.ps1"\n\n{trust}')
    return deployment.checks(
        "--format",
        fmt,
        "--at",
        AT,
        "--offline",
        "--only",
        "connector-cert.*",
        *extra,
        env=ENV if env is None else env,
    )


def statuses(run: Run) -> dict[str, str]:
    return {r["id"]: r["status"] for r in run.json()["results"]}


def assert_all_ran(run: Run) -> None:
    """Every connector-cert check gave a verdict; none crashed."""
    results = run.json()["results"]
    assert sorted(r["id"] for r in results) == sorted(CONNECTOR_CHECKS), run.stdout[:2000]
    for result in results:
        assert "bug in the check" not in result["message"], result
        assert "\n" not in result["message"], result


# -- the example deployment -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_example_passes_all_twelve_certificate_checks(fmt: str) -> None:
    run = pxready(
        "check",
        "--config",
        str(FIXTURES / "example" / "pxready.toml"),
        "--offline",
        "--only",
        "connector-cert.*",
        "--only",
        "node-cert.*",
        "--format",
        fmt,
        env={"PXREADY_PFX_PASSWORD": "pxready-example"},
    )
    assert run.code == 0, run.stdout + run.stderr
    assert "pxready-example" not in run.stdout + run.stderr
    if fmt == "json":
        results = run.json()["results"]
        assert {r["id"] for r in results} == {
            *CONNECTOR_CHECKS,
            "node-cert.parse",
            "node-cert.eku",
            "node-cert.chain",
            "node-cert.validity",
            "node-cert.names",
        }
        assert all(r["status"] == "pass" for r in results), results
        names = [r["target"] for r in results if r["id"] == "node-cert.names"]
        assert names == [
            "px-edge-pool.vc.example.com",
            "px-edge1.vc.example.com",
            "px-edge2.vc.example.com",
        ]


def test_example_without_password_is_error_naming_the_variable() -> None:
    run = pxready(
        "check",
        "--config",
        str(FIXTURES / "example" / "pxready.toml"),
        "--offline",
        "--only",
        "connector-cert.*",
        "--format",
        "json",
    )
    assert run.code == 3, run.stdout + run.stderr
    pfx = run.result("connector-cert.pfx")
    assert pfx["status"] == "error"
    assert "PXREADY_PFX_PASSWORD" in pfx["message"]
    for check_id in (
        "connector-cert.key",
        "connector-cert.eku",
        "connector-cert.chain",
        "connector-cert.validity",
        "connector-cert.name",
    ):
        result = run.result(check_id)
        assert result["status"] == "skip", result
        assert "PXREADY_PFX_PASSWORD is not set" in result["message"]
    # The protection is readable from the structure without the password.
    assert run.result("connector-cert.pfx-encryption")["status"] == "pass"


# -- good files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["good-3des.pfx", "good-reversed-chain.pfx", "csp-provider.pfx", "wildcard.pfx"]
)
def test_good_files_pass_every_check(deployment: Deployment, fixture: str) -> None:
    run = run_pfx(deployment, CONNECTOR / fixture)
    assert_all_ran(run)
    assert set(statuses(run).values()) == {"pass"}, run.stdout
    assert run.code == 0


def test_pass_messages_say_what_was_found(deployment: Deployment) -> None:
    run = run_pfx(deployment, CONNECTOR / "good-3des.pfx")
    assert "RSA 2048-bit key" in run.result("connector-cert.pfx")["message"]
    assert run.result("connector-cert.pfx-encryption")["message"].startswith("TripleDES-SHA1")
    assert run.result("connector-cert.pfx-encryption")["details"]["profile"] == "TripleDES-SHA1"
    chain = run.result("connector-cert.chain")
    assert chain["details"]["chain"] == [
        f"CN={FQDN},O=Contoso test,C=GB",
        INTERMEDIATE,
        "CN=pxready Test Root CA,O=pxready test PKI,C=GB",
    ]
    assert run.result("connector-cert.name")["message"].endswith(f"matches {FQDN} exactly")
    assert run.result("connector-cert.name")["target"] == FQDN


# -- failing fixtures: the right check fails with the right reason -----------------------------

CASES = [
    (
        "no-clientauth.pfx",
        "connector-cert.eku",
        "fail",
        "EKU has serverAuth only; clientAuth is missing",
    ),
    ("no-eku.pfx", "connector-cert.eku", "fail", "no Extended Key Usage extension"),
    (
        "intermediate-server-only.pfx",
        "connector-cert.eku",
        "fail",
        "the intermediate CN=pxready Test TLS Server CA 2,O=pxready test PKI,C=GB limits EKU to "
        "serverAuth, so clientAuth is not valid",
    ),
    (
        "ec-key.pfx",
        "connector-cert.key",
        "fail",
        "is an ECDSA certificate, which is currently not supported",
    ),
    (
        "rsa-1024.pfx",
        "connector-cert.key",
        "fail",
        "RSA 1024-bit key: at least 2048 bits are needed",
    ),
    (
        "cng-ksp.pfx",
        "connector-cert.key",
        "fail",
        'the key is bound to the CNG provider "Microsoft Software Key Storage Provider"',
    ),
    (
        "cng-platform.pfx",
        "connector-cert.key",
        "fail",
        "is stored in a CNG Key Storage Provider, which is currently not supported",
    ),
    (
        "missing-intermediate.pfx",
        "connector-cert.chain",
        "fail",
        f"the issuer of the certificate is missing: {INTERMEDIATE} is neither in the PFX",
    ),
    ("self-signed.pfx", "connector-cert.chain", "fail", "the certificate is self-signed"),
    (
        "private-ca.pfx",
        "connector-cert.chain",
        "fail",
        "the chain ends at CN=Contoso Private Root CA,O=Contoso,C=GB, a root that the CA bundle",
    ),
    (
        "expired.pfx",
        "connector-cert.validity",
        "fail",
        "at 2027-06-01: the certificate expired on 2025-01-01",
    ),
    (
        "expiring.pfx",
        "connector-cert.validity",
        "warn",
        "the certificate expires in 14 days (2027-06-15)",
    ),
    (
        "intermediate-expired.pfx",
        "connector-cert.validity",
        "fail",
        "the intermediate CN=pxready Test Old CA,O=pxready test PKI,C=GB expired on 2026-12-31",
    ),
    (
        "partial-wildcard.pfx",
        "connector-cert.name",
        "fail",
        "'pexip*.teams.example.com' is a partial wildcard",
    ),
    (
        "no-san.pfx",
        "connector-cert.name",
        "fail",
        f"it has no subjectAltName DNS names (only the subject CN {FQDN}",
    ),
    (
        "other-region.pfx",
        "connector-cert.name",
        "fail",
        f"does not match {FQDN}: it carries pexip-teamsconn-us.teams.example.com",
    ),
    (
        "good-aes.pfx",
        "connector-cert.pfx-encryption",
        "pass",
        "Windows Server 2016 and older report a wrong password",
    ),
    ("openssl-aes.pfx", "connector-cert.pfx-encryption", "pass", "AES256-SHA256"),
    # What `openssl pkcs12 -export -legacy` writes, and the fixes suggest: Windows imports it.
    ("openssl-legacy.pfx", "connector-cert.pfx-encryption", "pass", "40-bit RC2"),
    (
        "rc2-key.pfx",
        "connector-cert.pfx-encryption",
        "fail",
        "the private key is protected with pbeWithSHAAnd40BitRC2-CBC",
    ),
    (
        "unencrypted-key.pfx",
        "connector-cert.pfx-encryption",
        "fail",
        "the private key is stored unencrypted",
    ),
    ("sha512-mac.pfx", "connector-cert.pfx-encryption", "warn", "MAC SHA-512"),
    ("no-key.pfx", "connector-cert.pfx", "fail", "the PFX holds no private key"),
    (
        "key-without-certificate.pfx",
        "connector-cert.pfx",
        "fail",
        "the PFX holds no certificate for its private key",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "check_id", "status", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_each_fixture_fails_the_right_check(
    deployment: Deployment, fixture: str, check_id: str, status: str, reason: str
) -> None:
    run = run_pfx(deployment, CONNECTOR / fixture)
    assert_all_ran(run)
    result = run.result(check_id)
    assert result["status"] == status, result
    assert reason in result["message"], result["message"]
    others = {k: v for k, v in statuses(run).items() if k != check_id}
    if check_id == "connector-cert.pfx":
        # The PFX does not open: what needs it is skipped with the reason, not failed.
        assert {v for k, v in others.items() if k != "connector-cert.pfx-encryption"} == {"skip"}
    else:
        # The other checks still reach their own verdicts on the same file.
        assert "skip" not in others.values() and "error" not in others.values(), others
    assert run.code == (1 if status == "fail" else 0)


def test_client_auth_remediation_explains_the_withdrawal(deployment: Deployment) -> None:
    result = run_pfx(deployment, CONNECTOR / "no-clientauth.pfx").result("connector-cert.eku")
    remediation = " ".join(result["remediation"].split())
    assert "March 2027" in remediation
    assert "both serverAuth and clientAuth" in remediation


def test_cng_remediation_is_specific(deployment: Deployment) -> None:
    result = run_pfx(deployment, CONNECTOR / "cng-ksp.pfx").result("connector-cert.key")
    assert "Microsoft Enhanced RSA and AES Cryptographic Provider" in result["remediation"]
    assert result["details"]["key_providers"] == ["Microsoft Software Key Storage Provider"]


def test_encryption_details_name_cipher_kdf_and_mac(deployment: Deployment) -> None:
    details = run_pfx(deployment, CONNECTOR / "good-aes.pfx").result(
        "connector-cert.pfx-encryption"
    )["details"]
    assert details["profile"] == "AES256-SHA256"
    assert details["key"][0]["cipher"] == "AES-256-CBC"
    assert details["key"][0]["kdf"] == "PBKDF2 (HMAC-SHA256)"
    assert details["mac"]["algorithm"] == "SHA-256"


def test_chain_against_the_default_mozilla_bundle_names_the_untrusted_root(
    deployment: Deployment,
) -> None:
    run = run_pfx(deployment, CONNECTOR / "good-3des.pfx", ca_bundle=None)
    chain = run.result("connector-cert.chain")
    assert chain["status"] == "fail"
    assert (
        f"the issuer of the intermediate {INTERMEDIATE} is missing: CN=pxready Test Root CA"
        in chain["message"]
    )
    assert "Mozilla CA bundle" in chain["message"]


# -- inputs that are not a usable PFX ----------------------------------------------------------

GOOD_BYTES = (CONNECTOR / "good-3des.pfx").read_bytes()
BAD_INPUTS: list[tuple[str, Any, str]] = [
    ("empty", b"", "the file is empty (0 bytes)"),
    ("pem", CONNECTOR / "certificate.pem", "the file is PEM text (CERTIFICATE)"),
    ("der-certificate", CONNECTOR / "certificate.cer", "the file is a DER certificate"),
    ("truncated", GOOD_BYTES[: len(GOOD_BYTES) // 2], "the file is a truncated PFX"),
    ("random", random.Random(7).randbytes(3000), "the file is not a PFX (PKCS#12)"),
    ("node-pem", PKI / "nodes" / "edge-key-only.pem", "the file is PEM text (PRIVATE KEY)"),
]


@pytest.mark.parametrize(("kind", "content", "reason"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_has_its_own_message(
    deployment: Deployment, kind: str, content: Any, reason: str
) -> None:
    run = run_pfx(deployment, content)
    assert_all_ran(run)
    result = run.result("connector-cert.pfx")
    assert result["status"] == "fail", result
    assert reason in result["message"], result["message"]
    assert result["message"].startswith("pexip-teams.pfx: ")
    for check_id in CONNECTOR_CHECKS[1:]:
        skipped = run.result(check_id)
        assert skipped["status"] == "skip"
        assert "pexip-teams.pfx is not a usable PFX" in skipped["message"]
    assert run.code == 1


def test_missing_file_names_the_path_and_the_script_line(deployment: Deployment) -> None:
    run = run_pfx(deployment, None)
    result = run.result("connector-cert.pfx")
    assert result["status"] == "fail"
    assert result["message"] == ("pexip-teams.pfx does not exist ($PxPfxCertFileName points there)")
    assert result["location"]["line"] == 8
    assert {run.result(c)["status"] for c in CONNECTOR_CHECKS[1:]} == {"skip"}


def test_no_pfx_configured_fails_pfx_and_skips_the_rest(deployment: Deployment) -> None:
    variables = "\n".join(
        line for line in GOOD_VARS.splitlines() if not line.startswith("$PxPfxCertFileName")
    )
    run = run_pfx(deployment, None, variables=variables)
    result = run.result("connector-cert.pfx")
    assert result["status"] == "fail"
    assert "no PFX is configured: $PxPfxCertFileName is not set" in result["message"]
    for check_id in CONNECTOR_CHECKS[1:]:
        assert run.result(check_id)["status"] == "skip"
        assert "no PFX is configured" in run.result(check_id)["message"]


def test_wrong_password_fails_and_is_told_apart_by_the_mac(deployment: Deployment) -> None:
    wrong = "Not-The-Right-One-93"
    run = run_pfx(deployment, CONNECTOR / "good-3des.pfx", env={"PXREADY_PFX_PASSWORD": wrong})
    result = run.result("connector-cert.pfx")
    assert result["status"] == "fail"
    assert result["message"].startswith(
        "the password in PXREADY_PFX_PASSWORD does not open pexip-teams.pfx"
    )
    assert wrong not in run.stdout + run.stderr
    assert run.result("connector-cert.key")["status"] == "skip"
    assert run.code == 1


def test_password_env_can_be_renamed(deployment: Deployment) -> None:
    run = run_pfx(
        deployment,
        CONNECTOR / "good-3des.pfx",
        env={"MY_PFX_PW": PASSWORD},
        extra=("--pfx-password-env", "MY_PFX_PW"),
    )
    assert run.result("connector-cert.pfx")["status"] == "pass"
    missing = run_pfx(
        deployment, CONNECTOR / "good-3des.pfx", env={}, extra=("--pfx-password-env", "MY_PFX_PW")
    )
    assert missing.result("connector-cert.pfx")["status"] == "error"
    assert "MY_PFX_PW" in missing.result("connector-cert.pfx")["message"]


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("fixture", ["good-3des.pfx", "cng-ksp.pfx", "no-clientauth.pfx"])
def test_no_output_carries_the_password(deployment: Deployment, fmt: str, fixture: str) -> None:
    run = run_pfx(deployment, CONNECTOR / fixture, fmt=fmt)
    assert run.code in (0, 1), run.stderr
    assert PASSWORD not in run.stdout
    assert PASSWORD not in run.stderr
    assert "PRIVATE KEY" not in run.stdout


def test_several_connectors_are_checked_against_their_own_names(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.vars(
        GOOD_VARS.replace("teamsconn-eu", "teamsconn-us").replace('"eu"', '"us"'),
        name="us/variables.ps1",
    )
    shared = CONNECTOR / "good-3des.pfx"
    deployment.config(f"""\
        [[connector]]
        vars = "eu/variables.ps1"
        pfx = "{shared.as_posix()}"

        [[connector]]
        vars = "us/variables.ps1"
        pfx = "{shared.as_posix()}"

        [trust]
        ca_bundle = "{ROOT.as_posix()}"
        """)
    run = deployment.checks(
        "--format", "json", "--at", AT, "--offline", "--only", "connector-cert.*", env=ENV
    )
    names = {r["target"]: r for r in run.results("connector-cert.name")}
    assert names[FQDN]["status"] == "pass"
    us = names["pexip-teamsconn-us.teams.example.com"]
    assert us["status"] == "fail"
    assert f"it carries {FQDN}" in us["message"]
    assert [r["status"] for r in run.results("connector-cert.pfx")] == ["pass", "pass"]
    assert run.code == 1


def test_an_intermediate_only_in_the_ca_bundle_still_fails(deployment: Deployment) -> None:
    bundle = deployment.write(
        "root-and-intermediate.pem",
        (FIXTURES / "pki" / "root-ca.pem").read_text(encoding="ascii")
        + (FIXTURES / "pki" / "intermediate-ca.pem").read_text(encoding="ascii"),
    )
    deployment.vars(GOOD_VARS)
    shutil.copyfile(
        FIXTURES / "pki" / "connector" / "missing-intermediate.pfx",
        deployment.root / "pexip-teams.pfx",
    )
    run = deployment.checks(
        "--vars",
        "variables.ps1",
        "--ca-bundle",
        str(bundle),
        "--format",
        "json",
        "--offline",
        "--at",
        "2027-06-01",
        "--only",
        "connector-cert.chain",
        env={"PXREADY_PFX_PASSWORD": "Fixture-PFX-4711"},
    )
    chain = run.result("connector-cert.chain")
    assert chain["status"] == "fail"
    assert "is missing from the PFX" in chain["message"]


def test_certificate_facts_reach_the_report_inputs(deployment: Deployment) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    run = run_pfx(deployment, CONNECTOR / "good-3des.pfx")
    [facts] = run.json()["inputs"]["certificates"]
    leaf = x509.load_pem_x509_certificate((CONNECTOR / "certificate.pem").read_bytes())
    assert facts["role"] == "Teams Connector" and facts["file"] == "pexip-teams.pfx"
    assert facts["subject"] == leaf.subject.rfc4514_string()
    assert facts["sha1_thumbprint"] == leaf.fingerprint(hashes.SHA1()).hex().upper()
    assert facts["san_dns_names"] == [FQDN]
    assert facts["key"] == "RSA 2048"
    assert facts["not_after"].startswith("2036-01-01")
