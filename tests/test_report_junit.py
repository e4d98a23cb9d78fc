"""JUnit XML: valid against the JUnit schema CI servers read, and red exactly when not ready."""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from data.sample_reports import HOSTILE_TARGET, VERDICTS, all_pass, every_status
from lxml import etree

from readiness.model import Report, ReportInputs
from readiness.reporters import RenderOptions
from readiness.reporters.junit import render
from tests.support.cli import GOOD_VARS, Deployment

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "junit-10.xsd")))


def validated(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    document = etree.fromstring(text.encode("utf-8"))
    SCHEMA.assertValid(document)
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in root.iter("testcase")}


def outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def test_the_schema_is_jenkins_own_unchanged() -> None:
    data = (Path(__file__).parent / "data" / "junit-10.xsd").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == "feb190c00a51272bebd8ddbbdd5ba06fcbc65d913fffbca660d8815439527042"


def test_the_schema_rejects_what_ci_servers_would_not_read() -> None:
    # Guards the guard: a schema that accepted anything would make every test here pass.
    bad = b'<testsuites skipped="1"><testsuite name="x" tests="1"/></testsuites>'
    assert not SCHEMA.validate(etree.fromstring(bad))
    no_name = (
        b'<testsuites><testsuite name="x" tests="1" failures="0" errors="0">'
        b"<testcase classname='a'/></testsuite></testsuites>"
    )
    assert not SCHEMA.validate(etree.fromstring(no_name))


@pytest.mark.parametrize("verdict", VERDICTS.values(), ids=VERDICTS.keys())
def test_every_status_renders_valid_junit_with_consistent_counts(verdict: object) -> None:
    report = every_status(verdict)  # type: ignore[arg-type]
    root = validated(render(report, RenderOptions()))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"pxready.{a}" for a in report.by_area()]
    for suite in [root, *suites]:
        found = list(suite.iter("testcase"))
        assert int(suite.get("tests", "-1")) == len(found)
        counted = [("failure", "failures"), ("error", "errors")]
        if suite is not root:  # junit-10.xsd counts skips per suite only
            counted.append(("skipped", "skipped"))
        for tag, attribute in counted:
            assert int(suite.get(attribute, "-1")) == sum(
                1 for c in found if c.find(tag) is not None
            )
    assert root.get("skipped") is None
    assert len(cases(root)) == len(report.results)
    assert float(root.get("time", "0")) == pytest.approx(
        sum(r.duration_ms for r in report.results) / 1000
    )


def test_statuses_map_to_junit_outcomes() -> None:
    root = validated(render(every_status(), RenderOptions()))
    by_name = cases(root)
    fqdn = "pexip-teamsconn-eu.teams.example.com"
    assert outcome(by_name[f"vars.parse [{fqdn}]"]) == "passed"
    assert outcome(by_name[f"vars.naming [{fqdn}]"]) == "failure"
    assert outcome(by_name["azure.quota [westeurope]"]) == "error"
    assert outcome(by_name[f"tls.node [{HOSTILE_TARGET}]"]) == "skipped"
    warn = by_name[f"dns.connector-cname [{fqdn}]"]
    assert outcome(warn) == "passed"
    out = warn.findtext("system-out") or ""
    assert "WARN: no CNAME record yet" in out and "warning passes" in out

    failure = by_name[f"vars.naming [{fqdn}]"].find("failure")
    assert failure is not None
    assert failure.get("message") == "base name 'contosoltd' has 10 characters | max 9"
    assert failure.get("type") == "pxready.fail"
    assert "at eu/variables.ps1:1" in (failure.text or "")
    assert "The scale set name <details> is derived | from it." in (failure.text or "")
    assert by_name[f"vars.naming [{fqdn}]"].get("classname") == "vars.naming"


def test_waived_failures_and_warnings_are_skipped_naming_the_waiver() -> None:
    root = validated(render(every_status(), RenderOptions()))
    by_name = cases(root)
    eku = by_name["connector-cert.eku [pexip-teamsconn-eu.teams.example.com]"]
    assert outcome(eku) == "skipped"
    skipped = eku.find("skipped")
    assert skipped is not None
    message = skipped.get("message") or ""
    assert message.startswith(
        "waived fail until 2027-03-01 (clientAuth not needed | case 01234 & <ok>)"
    )
    validity = by_name["node-cert.validity [px-edge-pool.vc.example.com]"]
    assert outcome(validity) == "skipped"
    assert "waived until 2026-12-31: renewal booked" in (validity.findtext("system-out") or "")


def test_fail_on_warn_and_strict_turn_what_they_count_into_failures() -> None:
    warn_root = validated(render(every_status(VERDICTS["fail-on-warn"]), RenderOptions()))
    warn = cases(warn_root)["dns.connector-cname [pexip-teamsconn-eu.teams.example.com]"]
    assert outcome(warn) == "failure"
    assert "--fail-on warn" in (warn.findtext("failure") or "")
    # A waived warning stays out of the verdict even under --fail-on warn.
    assert (
        outcome(cases(warn_root)["node-cert.validity [px-edge-pool.vc.example.com]"]) == "skipped"
    )

    strict_root = validated(render(every_status(VERDICTS["strict"]), RenderOptions()))
    skip = cases(strict_root)[f"tls.node [{HOSTILE_TARGET}]"]
    assert outcome(skip) == "failure"
    assert "--strict" in (skip.findtext("failure") or "")


def test_characters_xml_cannot_carry_are_replaced_not_fatal() -> None:
    text = render(every_status(), RenderOptions())
    quota = cases(validated(text))["azure.quota [westeurope]"].find("error")
    assert quota is not None
    assert quota.get("message") == "no verdict: Azure answered 503 \ufffd after 10 s"
    assert "\x07" not in text


def test_an_all_pass_report_has_no_failures() -> None:
    root = validated(render(all_pass(), RenderOptions()))
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert {outcome(c) for c in root.iter("testcase")} == {"passed"}


def test_an_empty_report_is_still_a_valid_document() -> None:
    report = every_status()
    empty = Report(
        tool_version="0.1.0", generated_at=report.generated_at, inputs=ReportInputs(), results=()
    )
    root = validated(render(empty, RenderOptions()))
    assert root.get("tests") == "0" and root.findall("testsuite") == []


def test_a_real_run_writes_valid_junit(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd"'))
    run = deployment.check("--vars", "variables.ps1", "--offline", "--format", "junit")
    assert run.code == 1, run.stderr
    root = validated(run.stdout)
    naming = [c for c in root.iter("testcase") if c.get("classname") == "vars.naming"]
    assert [outcome(c) for c in naming] == ["failure"]
    assert int(root.get("failures", "0")) >= 1

    to_file = deployment.check(
        "--vars", "variables.ps1", "--offline", "--output", "junit:report.out"
    )
    assert to_file.code == 1
    written = validated((deployment.root / "report.out").read_text(encoding="utf-8"))
    assert [
        outcome(c) for c in written.iter("testcase") if c.get("classname") == "vars.naming"
    ] == ["failure"]
    assert "NOT READY" in to_file.stdout  # the table summary still goes to the terminal


def test_a_ready_run_has_a_green_junit(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS)
    run = deployment.check(
        "--vars", "variables.ps1", "--offline", "--only", "vars.*", "--output", "report.xml"
    )
    assert run.code == 0, run.stdout + run.stderr
    root = validated((deployment.root / "report.xml").read_text(encoding="utf-8"))
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert int(root.get("tests", "0")) >= 8
