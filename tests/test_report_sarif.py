"""SARIF 2.1.0: valid against the official schema, shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from data.sample_reports import FQDN, HOSTILE_TARGET, VERDICTS, all_pass, every_status

from readiness.model import Report, ReportInputs
from readiness.reporters import RenderOptions
from readiness.reporters.sarif import render, sarif_document
from tests.support.cli import GOOD_VARS, Deployment

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(
    SCHEMA, format_checker=jsonschema.FormatChecker()
)


def validated(text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    # GitHub code scanning rejects a result without a location.
    for result in document["runs"][0]["results"]:
        assert result["locations"], result
    return document


def results_by(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["ruleId"], r["properties"]["target"]): r for r in document["runs"][0]["results"]}


def test_the_schema_is_the_official_one_and_rejects_bad_logs() -> None:
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert not VALIDATOR.is_valid({"version": "2.1.0", "runs": [{"tool": {}}]})
    assert not VALIDATOR.is_valid(
        {
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "x"}},
                    "results": [{"message": {"text": "m"}, "level": "fatal"}],
                }
            ],
        }
    )


@pytest.mark.parametrize("verdict", VERDICTS.values(), ids=VERDICTS.keys())
def test_every_status_renders_valid_sarif(
    verdict: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = every_status(verdict)  # type: ignore[arg-type]
    document = validated(render(report, RenderOptions()))
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "pxready"
    assert run["invocations"][0]["exitCode"] == int(report.exit_code)
    # One rule per check id in the report, passes included; results only for what is not a pass.
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in report.results]
    assert {r["properties"]["status"] for r in run["results"]} == {"fail", "error", "warn", "skip"}
    assert len(run["results"]) == 6
    for result in run["results"]:
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]


def test_levels_follow_readiness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    def levels(verdict_name: str) -> dict[str, tuple[str, str]]:
        document = validated(render(every_status(VERDICTS[verdict_name]), RenderOptions()))
        return {r["ruleId"]: (r["level"], r["kind"]) for r in document["runs"][0]["results"]}

    default = levels("default")
    assert default["vars.naming"] == ("error", "fail")
    assert default["azure.quota"] == ("error", "fail")
    assert default["dns.connector-cname"] == ("warning", "fail")
    assert default["tls.node"] == ("none", "notApplicable")
    assert levels("fail-on-warn")["dns.connector-cname"] == ("error", "fail")
    assert levels("strict")["tls.node"] == ("error", "fail")
    # A waived result keeps the level it would have; its suppression says it is accepted.
    assert default["connector-cert.eku"] == ("error", "fail")
    assert default["node-cert.validity"] == ("warning", "fail")
    assert levels("fail-on-warn")["node-cert.validity"] == ("error", "fail")


def test_waived_results_carry_an_accepted_suppression(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found = results_by(validated(render(every_status(), RenderOptions())))
    suppression = found[("connector-cert.eku", FQDN)]["suppressions"]
    assert suppression == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "clientAuth not needed | case 01234 & <ok> (waived in pxready.toml "
            "until 2027-03-01)",
            "properties": {"expires": "2027-03-01"},
        }
    ]
    assert "suppressions" not in found[("vars.naming", FQDN)]


def test_locations_are_relative_to_the_repository_with_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    work = repo / "deployments"
    work.mkdir()
    monkeypatch.chdir(work)
    found = results_by(validated(render(every_status(), RenderOptions())))

    def where(check_id: str, target: str = FQDN) -> dict[str, Any]:
        location: dict[str, Any] = found[(check_id, target)]["locations"][0]
        return location["physicalLocation"]

    # Run from a subfolder of the git work tree: URIs start at the repository root.
    assert where("vars.naming") == {
        "artifactLocation": {"uri": "deployments/eu/variables.ps1", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1},
    }
    assert "region" not in where("connector-cert.eku")
    assert (
        where("connector-cert.eku")["artifactLocation"]["uri"] == "deployments/eu/pexip-teams.pfx"
    )
    # No location of its own: the connector's variables script, or pxready.toml.
    assert where("dns.connector-cname")["artifactLocation"]["uri"] == "deployments/eu/variables.ps1"
    assert (
        where("azure.quota", "westeurope")["artifactLocation"]["uri"] == "deployments/pxready.toml"
    )
    assert (
        where("tls.node", HOSTILE_TARGET)["artifactLocation"]["uri"] == "deployments/pxready.toml"
    )
    logical = found[("tls.node", HOSTILE_TARGET)]["locations"][0]["logicalLocations"]
    assert logical == [{"name": HOSTILE_TARGET, "kind": "resource"}]


def test_without_git_the_config_folder_is_the_root(tmp_path: Path) -> None:
    report = every_status()
    document = sarif_document(report, cwd=tmp_path)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris == {"eu/variables.ps1", "eu/pexip-teams.pfx", "certs/edge.pem", "pxready.toml"}
    assert all("\\" not in uri and not uri.startswith("/") for uri in uris)


def test_fingerprints_are_stable_across_line_moves_and_unique_per_target(tmp_path: Path) -> None:
    first = sarif_document(every_status(), cwd=tmp_path)["runs"][0]["results"]
    again = sarif_document(every_status(), cwd=tmp_path)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["pxreadyFinding/v1"] for r in first]
    assert prints == [r["partialFingerprints"]["pxreadyFinding/v1"] for r in again]
    assert len(set(prints)) == len(prints)


def test_rules_carry_title_fix_and_explain_hint(tmp_path: Path) -> None:
    rules = {
        r["id"]: r
        for r in sarif_document(every_status(), cwd=tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    }
    naming = rules["vars.naming"]
    assert naming["shortDescription"] == {"text": "Title of vars.naming"}
    assert naming["help"]["text"].startswith("Shorten $PxBaseConnName:")
    assert "pxready explain vars.naming" in naming["help"]["text"]
    assert naming["properties"]["tags"] == ["pxready", "teams-connector", "vars"]


def test_an_all_pass_report_has_rules_and_no_results(tmp_path: Path) -> None:
    document = sarif_document(all_pass(), cwd=tmp_path)
    VALIDATOR.validate(document)
    assert document["runs"][0]["results"] == []
    assert len(document["runs"][0]["tool"]["driver"]["rules"]) == 2
    empty = Report(
        tool_version="0.1.0",
        generated_at=all_pass().generated_at,
        inputs=ReportInputs(),
        results=(),
    )
    VALIDATOR.validate(sarif_document(empty, cwd=tmp_path))


def test_a_real_run_writes_valid_sarif(deployment: Deployment) -> None:
    deployment.vars(
        GOOD_VARS.replace('"contoso"', '"contosoltd"').replace(
            '@( "192.0.2.20" )', '@( "0.0.0.0/0" )'
        ),
        name="eu/variables.ps1",
    )
    deployment.config('[[connector]]\nvars = "eu/variables.ps1"\n')
    run = deployment.check("--offline", "--output", "sarif:pxready.sarif")
    assert run.code == 1, run.stdout + run.stderr
    document = validated((deployment.root / "pxready.sarif").read_text(encoding="utf-8"))
    found = {r["ruleId"]: r for r in document["runs"][0]["results"]}
    naming = found["vars.naming"]
    assert naming["level"] == "error"
    physical = naming["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "eu/variables.ps1"
    assert physical["region"]["startLine"] == 1
    assert found["vars.prefixes"]["level"] == "warning"
    assert "vars.parse" not in found  # passes are left out

    stdout_run = deployment.check("--offline", "--format", "sarif")
    assert stdout_run.code == 1
    assert validated(stdout_run.stdout)["runs"][0]["results"]


def test_uris_are_relative_to_where_pxready_runs_when_no_git_tree(deployment: Deployment) -> None:
    # A config repo that keeps each region in its own folder, checked from its top (as CI does).
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd1"'), name="eu/variables.ps1")
    deployment.write("eu/pxready.toml", '[[connector]]\nvars = "variables.ps1"\n')
    run = deployment.check(
        "--config", "eu/pxready.toml", "--offline", "--only", "vars.naming", "--format", "sarif"
    )
    document = validated(run.stdout)
    [result] = document["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "eu/variables.ps1"
    assert physical["region"]["startLine"] == 1
