"""`pxready init`: a pxready.toml that loads, names what is beside the script, and is safe."""

from __future__ import annotations

import tomllib
from pathlib import Path

from readiness.config import Overrides, load
from tests.support.cli import GOOD_VARS, Deployment, pxready

PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


def loaded(path: Path) -> tuple[object, dict[str, object]]:
    deployment, _ = load(Overrides(config=path), path.parent)
    return deployment, tomllib.loads(path.read_text(encoding="utf-8"))


def test_init_writes_a_config_that_loads_and_names_the_files_found(deployment: Deployment) -> None:
    script = deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.write("eu/pexip-teams.pfx", "not really a pfx")
    deployment.write("eu/certs/edge-pool.pem", PEM_CERT)
    deployment.write("eu/certs/edge-pool.key.pem", PEM_KEY)
    deployment.write("eu/certs/root.cer", "\x30\x82 DER bytes")
    deployment.write("eu/azure/vm-usage.json", "[]")
    deployment.write("eu/azure/automation.json", "{}")

    run = pxready("init", "eu/variables.ps1", cwd=deployment.root)
    assert run.code == 0, run.stderr
    config = script.parent / "pxready.toml"
    assert f"Wrote {Path('eu') / 'pxready.toml'}" in run.stdout
    assert "node certificates: certs/edge-pool.pem" in run.stdout
    assert "PFX: pexip-teams.pfx" in run.stdout

    built, doc = loaded(config)
    [connector] = built.connectors  # type: ignore[attr-defined]
    assert connector.vars_path.resolve() == script.resolve()
    # $PxPfxCertFileName already names the PFX: the key stays a comment.
    assert connector.pfx_path is None
    assert '# pfx = "pexip-teams.pfx"' in config.read_text(encoding="utf-8")
    assert [p.name for p in built.node_certificates] == ["edge-pool.pem"]  # type: ignore[attr-defined]
    azure = built.azure  # type: ignore[attr-defined]
    assert azure.usage_file.name == "vm-usage.json"
    assert azure.provider_file.name == "automation.json"
    assert azure.skus_file is None
    text = config.read_text(encoding="utf-8")
    # Key files and DER certificates are named as left out, never configured.
    assert "left out: certs/edge-pool.key.pem, certs/root.cer" in text
    assert doc["nodes"] == {"certificates": ["certs/edge-pool.pem"]}
    assert "az vm list-usage --location westeurope --subscription <subscription> -o json" in text

    # The generated file is what `pxready check` then uses.
    check = pxready("check", "--offline", "--only", "vars.*", cwd=script.parent)
    assert check.code == 0, check.stdout + check.stderr


def test_a_pfx_the_script_does_not_name_is_configured(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace(".\\pexip-teams.pfx", ".\\old-name.pfx"))
    deployment.write("certs/teams-2026.pfx", "x")
    run = pxready("init", "variables.ps1", cwd=deployment.root)
    assert run.code == 0, run.stderr
    built, doc = loaded(deployment.root / "pxready.toml")
    assert doc["connector"] == [{"vars": "variables.ps1", "pfx": "certs/teams-2026.pfx"}]
    assert built.connectors[0].pfx_path.name == "teams-2026.pfx"  # type: ignore[attr-defined]
    assert "'.\\old-name.pfx', which is not there" in (deployment.root / "pxready.toml").read_text(
        encoding="utf-8"
    )


def test_several_pfx_files_are_listed_for_the_user_to_choose(deployment: Deployment) -> None:
    script = deployment.vars(GOOD_VARS.replace('$PxPfxCertFileName = ".\\pexip-teams.pfx"\n', ""))
    assert "PxPfxCertFileName" not in script.read_text(encoding="utf-8")
    deployment.write("a.pfx", "x")
    deployment.write("b.p12", "x")
    run = pxready("init", "variables.ps1", cwd=deployment.root)
    assert run.code == 0, run.stderr
    assert "PFX: not chosen (2 found)" in run.stdout
    text = (deployment.root / "pxready.toml").read_text(encoding="utf-8")
    assert '# pfx = "a.pfx"' in text and '# pfx = "b.p12"' in text
    _, doc = loaded(deployment.root / "pxready.toml")
    assert doc["connector"] == [{"vars": "variables.ps1"}]


def test_a_bare_folder_gives_a_config_with_every_key_commented(deployment: Deployment) -> None:
    deployment.vars('$PxBaseConnName = "contoso"\n', name="Pexip Variables.ps1")
    run = pxready("init", "Pexip Variables.ps1", cwd=deployment.root)
    assert run.code == 0, run.stderr
    _, doc = loaded(deployment.root / "pxready.toml")
    assert doc == {
        "connector": [{"vars": "Pexip Variables.ps1"}],
        "nodes": {},
        "trust": {},
        "azure": {},
        "dns": {},
        "checks": {},
    }
    text = (deployment.root / "pxready.toml").read_text(encoding="utf-8")
    for key in (
        "pfx",
        "pfx_password_env",
        "expected_cname",
        "certificates",
        "tls_port",
        "ca_bundle",
        "vm_size",
        "recommended_vcpus",
        "usage_file",
        "skus_file",
        "provider_file",
        "locations_file",
        "consent_from",
        "nameservers",
        "skip",
        "expiry_warning_days",
        "[[waiver]]",
    ):
        assert f"# {key}" in text, key


def test_an_existing_config_is_not_overwritten_without_force(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    existing = deployment.config('# mine\n[[connector]]\nvars = "variables.ps1"\n')
    run = pxready("init", "variables.ps1", cwd=deployment.root)
    assert run.code == 2
    assert len(run.stderr.splitlines()) == 1 and "--force" in run.stderr
    assert existing.read_text(encoding="utf-8").startswith("# mine")

    forced = pxready("init", "variables.ps1", "--force", cwd=deployment.root)
    assert forced.code == 0, forced.stderr
    assert "pxready init" in existing.read_text(encoding="utf-8")


def test_a_missing_script_is_exit_2(deployment: Deployment) -> None:
    run = pxready("init", "nothere.ps1", cwd=deployment.root)
    assert run.code == 2
    assert len(run.stderr.splitlines()) == 1 and "nothere.ps1" in run.stderr
    assert not (deployment.root / "pxready.toml").exists()


def test_a_ca_bundle_is_offered_as_trust_not_as_a_node_certificate(tmp_path: Path) -> None:
    import shutil

    from conftest import FIXTURES

    folder = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", folder)
    (folder / "pxready.toml").unlink()
    run = pxready("init", str(folder / "variables.ps1"), cwd=tmp_path)
    assert run.code == 0, run.stderr
    text = (folder / "pxready.toml").read_text(encoding="utf-8")
    _, doc = loaded(folder / "pxready.toml")
    assert doc["nodes"] == {"certificates": ["certs/edge-pool.pem"]}
    assert "certs/roots.pem holds only CA certificates" in text
    assert '# ca_bundle = "certs/roots.pem"' in text


def test_init_names_an_evidence_folder_written_by_azure_commands(deployment: Deployment) -> None:
    script = deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.write("eu/azure/account.json", "{}")
    deployment.write("eu/azure/usage-westeurope.json", "[]")
    run = pxready("init", "eu/variables.ps1", cwd=deployment.root)
    assert run.code == 0, run.stderr
    assert "Azure evidence: azure/" in run.stdout
    built, _ = loaded(script.parent / "pxready.toml")
    azure = built.azure  # type: ignore[attr-defined]
    assert azure.evidence.resolve() == (script.parent / "azure").resolve()
    assert azure.usage_file is None
