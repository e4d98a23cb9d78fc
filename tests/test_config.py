"""pxready.toml: discovery, precedence, path resolution, and one clear line per problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from readiness.config import ConfigError, Overrides, load
from tests.support.cli import GOOD_VARS, Deployment


def problems(root: Path, overrides: Overrides | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(overrides or Overrides(), root)
    return [str(p) for p in caught.value.problems]


def test_paths_in_the_file_resolve_against_its_folder(
    deployment: Deployment, tmp_path: Path
) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.write("certs/pool.pem", "x")
    deployment.config("""
        [[connector]]
        vars = "eu/variables.ps1"
        expected_cname = "pxtceu.westeurope.cloudapp.azure.com"

        [nodes]
        certificates = ["certs/pool.pem"]
        tls_port = 8443

        [dns]
        nameservers = ["192.0.2.53", "192.0.2.54:5353", "[2001:db8::53]:53"]

        [checks]
        skip = ["tls.node"]
        expiry_warning_days = 14
    """)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dep, settings = load(Overrides(config=deployment.root / "pxready.toml"), elsewhere)
    assert dep.connectors[0].vars_path == deployment.root / "eu/variables.ps1"
    assert dep.connectors[0].expected_cname == "pxtceu.westeurope.cloudapp.azure.com"
    assert dep.node_certificates == (deployment.root / "certs/pool.pem",)
    assert dep.tls_port == 8443
    assert [str(n) for n in dep.nameservers] == [
        "192.0.2.53:53",
        "192.0.2.54:5353",
        "[2001:db8::53]:53",
    ]
    assert settings.skip == ("tls.node",)
    assert dep.expiry_warning_days == 14


def test_discovered_in_the_current_folder_and_flags_win(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    deployment.vars(GOOD_VARS, name="other.ps1")
    deployment.config("""
        [[connector]]
        vars = "variables.ps1"
        [azure]
        vm_size = "Standard_F8s"
        consent_from = "203.0.113.10"
    """)
    dep, _ = load(
        Overrides(vars=Path("other.ps1"), vm_size="Standard_D4s_v5", consent_from="198.51.100.7"),
        deployment.root,
    )
    assert dep.connectors[0].vars_path == deployment.root / "other.ps1"
    assert dep.azure.vm_size == "Standard_D4s_v5"
    assert dep.azure.consent_from == "198.51.100.7"
    dep, _ = load(Overrides(), deployment.root)
    assert dep.azure.vm_size == "Standard_F8s"
    assert dep.azure.recommended_vcpus == 40


def test_malformed_toml_names_file_and_line(deployment: Deployment) -> None:
    deployment.config("""
        [[connector]]
        vars = "variables.ps1
    """)
    [line] = problems(deployment.root)
    assert line.startswith(str(deployment.root / "pxready.toml") + ":3: invalid TOML")


def test_unknown_keys_are_named_with_their_line(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    deployment.config("""
        [[connector]]
        vars = "variables.ps1"
        pfx_pasword = "x"

        [azure]
        vmsize = "Standard_F4s"

        [colour]
        x = 1
    """)
    found = problems(deployment.root)
    assert any(":4: unknown key 'pfx_pasword' in [connector]" in p for p in found)
    assert any(":7: unknown key 'vmsize' in [azure]" in p for p in found)
    assert any("unknown key 'colour'" in p for p in found)


def test_missing_named_files_are_reported_together(deployment: Deployment) -> None:
    deployment.config("""
        [[connector]]
        vars = "nope.ps1"
        pfx = "nope.pfx"
        [trust]
        ca_bundle = "roots.pem"
    """)
    found = problems(deployment.root)
    assert len(found) == 3
    assert all("does not exist" in p for p in found)
    assert any(":3:" in p and "nope.ps1" in p for p in found)


def test_flag_files_must_exist(tmp_path: Path) -> None:
    [line] = problems(tmp_path, Overrides(vars=Path("missing.ps1")))
    assert line == "--vars missing.ps1: file does not exist"


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        ('id = "vars.naming"\nexpires = 2027-03-01', "needs reason"),
        ('id = "vars.naming"\nreason = "case 1"', "needs expires"),
        ('id = "vars.naming"\nreason = "case 1"\nexpires = "next year"', "must be a date"),
        ('id = "vars.naming"\nreason = ""\nexpires = 2027-03-01', "must say why"),
    ],
)
def test_waivers_need_a_reason_and_an_expiry(
    deployment: Deployment, waiver: str, message: str
) -> None:
    deployment.vars(GOOD_VARS)
    deployment.config(f'[[connector]]\nvars = "variables.ps1"\n\n[[waiver]]\n{waiver}\n')
    [line] = problems(deployment.root)
    assert ":4:" in line and message in line


def test_waiver_fields_are_read(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    deployment.config("""
        [[connector]]
        vars = "variables.ps1"

        [[waiver]]
        id = "connector-cert.eku"
        target = "pexip-teamsconn-eu.teams.example.com"
        reason = "clientAuth confirmed not required, case 01234"
        expires = 2027-03-01
    """)
    dep, _ = load(Overrides(), deployment.root)
    [waiver] = dep.waivers
    assert waiver.expires == dt.date(2027, 3, 1)
    assert waiver.matches("connector-cert.eku", "PEXIP-teamsconn-eu.teams.example.com")
    assert not waiver.matches("connector-cert.eku", "other.example.com")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbf[checks]\nexpiry_warning_days = 5\n", None),
        ("[checks]\n".encode("utf-16"), "UTF-16"),
        (b'[checks]\nskip = ["\xff"]\n', "not UTF-8"),
    ],
)
def test_config_encodings(tmp_path: Path, content: bytes, expected: str | None) -> None:
    (tmp_path / "pxready.toml").write_bytes(content)
    (tmp_path / "v.ps1").write_text(GOOD_VARS, encoding="utf-8")
    if expected is None:
        dep, _ = load(Overrides(vars=Path("v.ps1")), tmp_path)
        assert dep.expiry_warning_days == 5
    else:
        [line] = problems(tmp_path, Overrides(vars=Path("v.ps1")))
        assert expected in line


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[nodes]\ntls_port = 70000", "'tls_port' must be a whole number from 1 to 65535"),
        ('[dns]\nnameservers = ["dns.example.com"]', "is not an IP address or IP:PORT"),
        ('[azure]\nconsent_from = "my pc"', "is not an IP address"),
        ('[checks]\nskip = "tls.node"\nexpiry_warning_days = -1', "expiry_warning_days"),
        (
            '[checks]\nskip = "vars.parse"',
            """'skip' must be a list of strings: skip = ["vars.parse"]""",
        ),
        ("connector = 3", "must be an array of tables"),
    ],
)
def test_bad_values_are_named(deployment: Deployment, toml: str, message: str) -> None:
    deployment.config(toml)
    found = problems(deployment.root)
    assert any(message in p for p in found), found


def test_windows_paths_in_double_quotes_get_a_hint(deployment: Deployment) -> None:
    deployment.config('[[connector]]\nvars = "eu\\variables.ps1"\n')
    [line] = problems(deployment.root)
    assert ":2: invalid TOML" in line
    assert "'single quotes' or with forward slashes" in line


def test_windows_paths_in_single_quotes_resolve(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    deployment.config("[[connector]]\nvars = 'eu\\variables.ps1'\n")
    dep, _ = load(Overrides(), deployment.root)
    assert dep.connectors[0].vars_path is not None
    assert dep.connectors[0].vars_path.is_file()


def test_azure_cloud_evidence_and_endpoint(deployment: Deployment) -> None:
    deployment.vars("$PxBaseConnName = 'contoso'\n")
    (deployment.root / "evidence").mkdir()
    deployment.config("""
        [[connector]]
        vars = "variables.ps1"
        [azure]
        cloud = "AzureChinaCloud"
        evidence = "evidence"
    """)
    built, _ = load(Overrides(), deployment.root)
    assert built.azure.endpoint == "https://management.chinacloudapi.cn"
    assert built.azure.authority == "login.chinacloudapi.cn"
    assert built.azure.evidence == deployment.root / "evidence"


@pytest.mark.parametrize(
    ("azure", "words"),
    [
        ('cloud = "AzureGermanCloud"', "'cloud' 'AzureGermanCloud' is not one of AzureCloud"),
        ('arm_endpoint = "http://management.azure.com"', "'arm_endpoint' must be an https://"),
        ('evidence = "nowhere"', "'evidence' names 'nowhere', which does not exist"),
        ('permissions_file = "p.json"', "'permissions_file' names 'p.json', which does not"),
    ],
)
def test_bad_azure_settings_are_one_line_each(
    deployment: Deployment, azure: str, words: str
) -> None:
    deployment.vars("$PxBaseConnName = 'contoso'\n")
    deployment.config(f'[[connector]]\nvars = "variables.ps1"\n[azure]\n{azure}\n')
    found = problems(deployment.root)
    assert len(found) == 1 and words in found[0], found


def test_azure_evidence_flag_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file.json").write_text("{}", encoding="utf-8")
    [line] = problems(tmp_path, Overrides(vars=None, azure_evidence=Path("file.json")))
    assert line == "--azure-evidence file.json: is not a folder"
