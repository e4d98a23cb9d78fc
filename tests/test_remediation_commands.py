"""Every command a fix text suggests works: each `openssl …` command that any remediation or
message contains is run, as written, with the real `openssl` on the fixture it is meant to fix,
and the check it is meant to fix then passes.

The commands are run as a user would paste them; the test only adds what the user would type at
openssl's prompts (`-passin`/`-passout`).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from checks.certs import advice, chain, eku
from checks.connector_cert import CNG_REMEDIATION
from readiness.registry import load_registry
from tests.support.cli import FIXTURES, GOOD_VARS, Deployment
from tests.test_manual_commands import DIAGNOSTICS

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

PKI = FIXTURES / "pki"
OLD = "Fixture-PFX-4711"
NEW = "New-PFX-Passw0rd"
COMMAND = re.compile(r"`(openssl [^`]+)`")


def commands_in(text: str) -> list[str]:
    return [" ".join(m.split()) for m in COMMAND.findall(" ".join(text.split()))]


def suggested_texts() -> Iterator[str]:
    for spec in load_registry().specs:
        yield spec.remediation
        yield spec.explanation
    yield from advice.REMEDIATIONS.values()
    yield from (CNG_REMEDIATION, chain.UNTRUSTED_ROOT, eku.CLIENT_AUTH_WITHDRAWAL)


def run_openssl(command: str, cwd: Path) -> None:
    args = shlex.split(command)
    reads_pfx = any(a.endswith(".pfx") for a in args[args.index("-in") + 1 :][:1])
    if reads_pfx:
        args += ["-passin", f"pass:{OLD}"]
    if "-export" in args:
        args += ["-passout", f"pass:{NEW}"]
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{command}\n{done.stderr}"


def checked(deployment: Deployment, *args: str, password: str = NEW) -> dict[str, str]:
    run = deployment.checks(
        "--offline", "--at", "2027-06-01", "--ca-bundle", str(PKI / "root-ca.pem"), *args,
        env={"PXREADY_PFX_PASSWORD": password},
    )  # fmt: skip
    return {r["id"]: r["status"] for r in run.json()["results"]}


# -- the connector's PFX ------------------------------------------------------------------------


def _extract_cert_and_key(folder: Path, pfx: Path) -> None:
    """What the user starts from: the certificate and key as PEM (test set-up, not a fix)."""
    for output, flags in (
        ("cert.pem", ["-nokeys", "-clcerts"]),
        ("key.pem", ["-nocerts", "-nodes"]),
    ):
        subprocess.run(
            ["openssl", "pkcs12", "-legacy", "-in", str(pfx), *flags, "-out", output,
             "-passin", f"pass:{OLD}"],
            cwd=folder, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    shutil.copyfile(PKI / "intermediate-ca.pem", folder / "intermediates.pem")


PFX_SCENARIOS: dict[str, tuple[str, str, Callable[[Path, Path], None] | None]] = {
    # command → (fixture it fixes, check that must then pass, set-up)
    "openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -certfile intermediates.pem "
    "-out pexip-teams.pfx": ("missing-intermediate.pfx", "connector-cert.chain",
                             _extract_cert_and_key),
    "openssl pkcs12 -legacy -in old.pfx -nodes -out all.pem": ("cng-ksp.pfx", "", None),
    "openssl pkcs12 -export -legacy -in all.pem -out pexip-teams.pfx": (
        "cng-ksp.pfx", "connector-cert.key", None),
    "openssl pkcs12 -export -legacy -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 "
    "-in all.pem -out pexip-teams.pfx": ("rc2-key.pfx", "connector-cert.pfx-encryption", None),
}  # fmt: skip
NODE_SCENARIOS = {
    "openssl x509 -inform der -in edge.cer -out edge.pem": "edge.cer",
    "openssl pkcs7 -inform der -print_certs -in edge.p7b -out edge.pem": "edge.p7b",
    "openssl pkcs12 -legacy -in edge.pfx -nokeys -out edge.pem": "edge.pfx",
}


def test_every_suggested_command_has_a_scenario() -> None:
    suggested = {c for text in suggested_texts() for c in commands_in(text)}
    assert suggested, "no openssl command found: the extraction is broken"
    # The network checks' commands for checking by hand run in tests/test_manual_commands.py.
    known = set(PFX_SCENARIOS) | set(NODE_SCENARIOS) | set(DIAGNOSTICS)
    assert suggested <= known, suggested - known


@pytest.mark.parametrize(
    "command", [c for c, (_, check_id, _) in PFX_SCENARIOS.items() if check_id]
)
def test_a_pfx_fix_command_fixes_its_check(deployment: Deployment, command: str) -> None:
    fixture, check_id, setup = PFX_SCENARIOS[command]
    root = deployment.root
    shutil.copyfile(PKI / "connector" / fixture, root / "old.pfx")
    deployment.vars(GOOD_VARS)
    # The same file failed the check before the fix.
    shutil.copyfile(root / "old.pfx", root / "pexip-teams.pfx")
    assert checked(deployment, "--vars", "variables.ps1", password=OLD)[check_id] == "fail"
    (root / "pexip-teams.pfx").unlink()
    if setup is not None:
        setup(root, root / "old.pfx")
    if "-in all.pem" in command:  # the step before it in the same fix text
        run_openssl("openssl pkcs12 -legacy -in old.pfx -nodes -out all.pem", root)
    run_openssl(command, root)
    statuses = checked(deployment, "--vars", "variables.ps1")
    assert statuses[check_id] == "pass", statuses
    assert statuses["connector-cert.pfx"] == "pass"


# -- node certificate files ---------------------------------------------------------------------


def _node_file(folder: Path, name: str) -> None:
    pem = (PKI / "nodes" / "edge-pool.pem").read_bytes()
    certificates = x509.load_pem_x509_certificates(pem)
    if name.endswith(".cer"):
        (folder / name).write_bytes(certificates[0].public_bytes(Encoding.DER))
    elif name.endswith(".p7b"):
        (folder / name).write_bytes(pkcs7.serialize_certificates(certificates, Encoding.DER))
    else:
        shutil.copyfile(PKI / "nodes" / "edge-pool.pfx", folder / name)


@pytest.mark.parametrize("command", list(NODE_SCENARIOS))
def test_a_node_conversion_command_makes_a_pem_that_parses(
    deployment: Deployment, command: str
) -> None:
    name = NODE_SCENARIOS[command]
    _node_file(deployment.root, name)
    before = deployment.checks("--node-cert", name, "--offline", "--only", "node-cert.parse")
    failing = before.result("node-cert.parse")
    assert failing["status"] == "fail"
    # The message names the conversion for this very file.
    assert command in commands_in(str(failing["message"]))
    run_openssl(command, deployment.root)
    after = deployment.checks("--node-cert", "edge.pem", "--offline", "--only", "node-cert.parse")
    result = after.result("node-cert.parse")
    if name.endswith(".p7b"):
        # A PKCS#7 bundle has no order: the converted file may still need the node's own
        # certificate moved to the top, which the message of the conversion already says.
        assert result["status"] in ("pass", "warn"), result
        assert result["status"] == "pass" or "put it first" in str(result["message"])
    else:
        assert result["status"] == "pass", result
