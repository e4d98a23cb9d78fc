"""The command line as users drive it: exit codes, streams, formats, selection, schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.support.cli import FIXTURES, GOOD_VARS, Deployment, pxready

SCHEMA = json.loads(pxready("schema").stdout)
EXAMPLE = FIXTURES / "example" / "pxready.toml"


def validate(report: dict[str, object]) -> None:
    jsonschema.validate(report, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"]["const"] == "pxready-report/1"


def test_version() -> None:
    run = pxready("--version")
    assert run.code == 0 and run.stdout.startswith("pxready 0.")


def test_ready_deployment_exits_0_and_the_report_validates(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    run = deployment.check(
        "--vars",
        "variables.ps1",
        "--format",
        "json",
        "--offline",
        "--only",
        "vars.*",
        "--consent-from",
        "203.0.113.10",
    )
    assert run.code == 0, run.stdout
    report = run.json()
    validate(report)
    assert report["ready"] is True
    assert report["inputs"]["connector_fqdn"] == "pexip-teamsconn-eu.teams.example.com"
    assert report["inputs"]["azure_location"] == "westeurope"
    assert report["inputs"]["instance_count"] == 3
    assert report["inputs"]["offline"] is True
    statuses = ("pass", "warn", "fail", "error", "skip")
    assert sum(report["summary"][s] for s in statuses) == len(report["results"])
    # The script names no admin account: nothing for vars.admin-account to judge.
    assert [n["id"] for n in report["summary"]["not_checked"]] == ["vars.admin-account"]
    assert run.stderr == ""


def test_a_failure_exits_1_and_names_the_line(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd1"'))
    run = deployment.check("--vars", "variables.ps1", "--format", "json", "--offline")
    assert run.code == 1
    report = run.json()
    validate(report)
    assert report["ready"] is False
    naming = run.result("vars.naming")
    assert naming["status"] == "fail"
    assert naming["location"] == {"path": "variables.ps1", "line": 1}
    assert "11 characters" in naming["message"]


def test_fail_on_warn_and_strict(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    base = ("--vars", "variables.ps1", "--format", "json", "--offline", "--only", "vars.*")
    # consent-access warns without --consent-from; admin-account is skipped (no user set).
    assert deployment.check(*base).code == 0
    warn = deployment.check(*base, "--fail-on", "warn")
    assert warn.code == 1 and warn.json()["ready"] is False
    strict = deployment.check(*base, "--consent-from", "203.0.113.10", "--strict")
    assert strict.result("vars.admin-account")["status"] == "skip"
    assert strict.code == 1
    selected = deployment.check(
        *base, "--consent-from", "203.0.113.10", "--strict", "--skip", "vars.admin-account"
    )
    assert selected.code == 0


def test_waiver_makes_a_failure_acceptable(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd1"'))
    deployment.config("""
        [[connector]]
        vars = "variables.ps1"

        [[waiver]]
        id = "vars.nam*"
        reason = "rename planned, CHG-1"
        expires = 2999-12-31
    """)
    run = deployment.check("--format", "json", "--offline", "--only", "vars.naming")
    assert run.code == 0
    result = run.result("vars.naming")
    assert result["status"] == "fail"
    assert result["waived"] == {"reason": "rename planned, CHG-1", "expires": "2999-12-31"}
    assert run.json()["summary"]["fail"] == 1
    validate(run.json())


def test_an_expired_waiver_no_longer_applies_and_says_so(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd1"'))
    deployment.config("""
        [[connector]]
        vars = "variables.ps1"

        [[waiver]]
        id = "vars.naming"
        reason = "rename planned, CHG-1"
        expires = 2020-01-01
    """)
    run = deployment.check("--offline", "--only", "vars.naming")
    assert run.code == 1
    assert "waiver for this expired on 2020-01-01" in " ".join(run.stdout.split())


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (("--only", "vars.pasre"), "no check matches 'vars.pasre'"),
        (("--vars", "missing.ps1"), "--vars missing.ps1: file does not exist"),
        (("--at", "tomorrow"), "--at 'tomorrow' is not a date"),
        (("--format", "yaml"), "pxready: Invalid value for '--format'"),
        (("--no-such-flag",), "pxready: No such option '--no-such-flag'"),
        (("--timeout", "-1"), "Invalid value for '--timeout'"),
        (("--nameserver", "dns.google"), "is not an IP address or IP:PORT"),
        (("--vars", "v.ps1", "--output", "jnuit:r.xml"), "unknown report format 'jnuit'"),
        (("--vars", "v.ps1", "-q", "-v"), "--quiet and --verbose ask for opposite things"),
        ((), "nothing to check"),
    ],
)
def test_usage_problems_exit_2_with_one_line(
    deployment: Deployment, args: tuple[str, ...], stderr: str
) -> None:
    deployment.vars(GOOD_VARS, name="v.ps1")
    run = deployment.check(*args)
    assert run.code == 2
    assert stderr in run.stderr
    assert run.stderr.count("\n") == 1, run.stderr  # one line, as the contract asks
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_malformed_config_exits_2_naming_file_and_line(deployment: Deployment) -> None:
    deployment.config("[[connector]\nvars = 1\n")
    run = deployment.check()
    assert run.code == 2
    assert run.stderr.count("\n") == 1
    assert "pxready.toml:1: invalid TOML" in run.stderr


def test_output_files_and_terminal_summary(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"eu"', '"EU"'))
    run = deployment.check(
        "--vars", "variables.ps1", "--offline", "--output", "r.json", "--output", "json:report.txt"
    )
    assert run.code == 1
    first = json.loads((deployment.root / "r.json").read_text(encoding="utf-8"))
    second = json.loads((deployment.root / "report.txt").read_text(encoding="utf-8"))
    validate(first)
    assert first["results"] == second["results"]
    assert "NOT READY" in run.stdout and "vars.naming" in run.stdout
    assert "vars.parse" not in run.stdout  # the summary lists what needs attention


def test_table_is_plain_when_piped_and_shows_remediation(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"eu"', '"EU"'))
    run = deployment.check("--vars", "variables.ps1", "--offline")
    assert "\x1b[" not in run.stdout
    assert "FAIL" in run.stdout and "How to fix" in run.stdout
    assert "use lower case" in " ".join(run.stdout.split())
    assert run.stdout.rstrip().endswith("(exit 1)")
    forced = deployment.check("--vars", "variables.ps1", "--offline", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    no_color = deployment.check(
        "--vars", "variables.ps1", "--offline", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}
    )
    assert "\x1b[" not in no_color.stdout


def test_quiet_and_verbose(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"eu"', '"EU"'))
    quiet = deployment.check("--vars", "variables.ps1", "--offline", "--quiet")
    assert "vars.naming" in quiet.stdout and "vars.parse" not in quiet.stdout
    verbose = deployment.check("--vars", "variables.ps1", "--offline", "--verbose")
    assert '"encoding": "UTF-8"' in verbose.stdout


def test_checks_and_explain(deployment: Deployment) -> None:
    listed = pxready("checks", "--format", "json").json()
    parse = next(c for c in listed if c["id"] == "vars.parse")
    assert parse["needs"] == "offline" and parse["title"] and parse["reference"]
    table = pxready("checks")
    assert "vars.parse" in table.stdout
    explained = pxready("explain", "vars.naming")
    assert explained.code == 0
    assert "15 characters" in explained.stdout and "How to fix" in explained.stdout
    unknown = pxready("explain", "vars.nameing")
    assert unknown.code == 2 and "did you mean vars.naming" in unknown.stderr


def test_example_deployment_runs_from_any_folder(tmp_path: object) -> None:
    run = pxready(
        "check",
        "--config",
        str(EXAMPLE),
        "--offline",
        "--format",
        "json",
        "--only",
        "vars.*",
        cwd=FIXTURES.parent / "tests",
    )
    assert run.code == 0, run.stdout + run.stderr
    validate(run.json())


def test_without_a_variables_script_the_vars_checks_skip(deployment: Deployment) -> None:
    deployment.write("cert.pfx", "not really a pfx")
    run = deployment.check("--pfx", "cert.pfx", "--format", "json", "--only", "vars.*")
    statuses = {r["id"]: r["status"] for r in run.json()["results"]}
    assert set(statuses.values()) == {"skip"}, statuses
    assert "no variables script given" in run.result("vars.parse")["message"]
    assert run.code == 3  # nothing was checked: never ready
    assert run.json()["summary"]["not_checked"][0]["id"] == "vars.parse"


def test_a_contract_check_not_built_yet_is_no_typo(deployment: Deployment) -> None:
    from readiness.registry import load_registry
    from tests.support.contract import CONTRACT_IDS

    missing = [cid for cid in CONTRACT_IDS if load_registry().get(cid) is None]
    if not missing:
        pytest.skip("every contract check is built")
    deployment.vars(GOOD_VARS)
    deployment.config(f'[[connector]]\nvars = "variables.ps1"\n[checks]\nskip = ["{missing[0]}"]\n')
    skipped = deployment.check("--offline", "--only", "vars.naming", "--format", "json")
    assert skipped.code == 0, skipped.stderr
    only = deployment.check(
        "--offline", "--only", missing[0], "--only", "vars.naming", "--format", "json"
    )
    assert only.code == 0
    assert (
        f"{missing[0]} is not in this version of pxready, so it was not run" in only.json()["notes"]
    )


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # like `pxready check | head` once head has had enough
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "readiness",
                "check",
                "--offline",
                "--format",
                "json",
                "--config",
                str(EXAMPLE),
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "PXREADY_PFX_PASSWORD": "pxready-example"},
        )
    finally:
        os.close(write_end)
    assert proc.stderr == ""
    assert proc.returncode in (0, 1)


@pytest.mark.parametrize(
    ("args", "files"),
    [
        # The default table on the terminal: each file's extension picks its format.
        (
            ("--output", "r.json", "--output", "r.sarif", "--output", "r.md"),
            {"r.json": "json", "r.sarif": "sarif", "r.md": "markdown"},
        ),
        # An explicit file format is what the user asked for, whatever the name.
        (("--format", "json", "--output", "report.txt"), {"report.txt": "json"}),
        (("--format", "sarif", "--output", "results.json"), {"results.json": "sarif"}),
        # FORMAT:PATH names it outright.
        (("--format", "sarif", "--output", "junit:out.json"), {"out.json": "junit"}),
    ],
)
def test_output_format_choice(
    deployment: Deployment, args: tuple[str, ...], files: dict[str, str]
) -> None:
    deployment.vars(GOOD_VARS)
    run = deployment.check("--vars", "variables.ps1", "--offline", "--only", "vars.*", *args)
    assert run.code == 0, run.stderr
    for name, fmt in files.items():
        text = (deployment.root / name).read_text(encoding="utf-8")
        kind = (
            "sarif"
            if '"version": "2.1.0"' in text
            else "json"
            if '"schema": "pxready-report/1"' in text
            else "junit"
            if text.startswith("<?xml") or "<testsuites" in text
            else "markdown"
            if text.startswith("## pxready")
            else "table"
        )
        assert kind == fmt, (name, text[:200])


def test_rows_about_a_second_connector_name_it_and_the_line(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS, name="eu/variables.ps1")
    us = GOOD_VARS.replace('"contoso"', '"contosoltd"').replace("teamsconn-eu", "teamsconn-us")
    deployment.vars(us, name="us/variables.ps1")
    deployment.config("""
        [[connector]]
        name = "emea"
        vars = "eu/variables.ps1"

        [[connector]]
        vars = "us/variables.ps1"
    """)
    table = deployment.check("--offline", "--only", "vars.naming", env={"COLUMNS": "100"})
    assert table.code == 1
    assert "readiness of 2 connectors (emea, us)" in table.stdout
    fail = next(line for line in table.stdout.splitlines() if "FAIL" in line)
    assert "us: $PxBaseConnName 'contosoltd' has 10 characters" in fail
    assert "at us/variables.ps1:1" in table.stdout
    assert "emea: scale set" in table.stdout
    report = deployment.check("--offline", "--only", "vars.naming", "--format", "json")
    validate(report.json())
    by_connector = {r["connector"]: r for r in report.results("vars.naming")}
    assert by_connector[1]["status"] == "fail"
    assert by_connector[1]["target"] == "pexip-teamsconn-us.teams.example.com"
    assert by_connector[0]["status"] == "pass"
    assert report.json()["inputs"]["connectors"][1]["vars"] == "us/variables.ps1"
