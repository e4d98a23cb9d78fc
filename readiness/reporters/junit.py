"""JUnit XML for CI test-report views (GitLab, Azure DevOps, Jenkins, GitHub test reporters).

One `<testsuite>` per area (`pxready.vars`, `pxready.connector-cert`, ...), one `<testcase>`
per result: classname is the check id, name is "id [target]", so each check keeps its history
across runs. A test case is red exactly when its result makes the deployment not ready, so
the CI's test view and pxready's exit code agree:

- fail → `<failure>`; error → `<error>` (no verdict could be reached);
- skip → `<skipped>`, but `<failure>` under `--strict`, which counts a skip as not ready;
- warn → passes, with the warning in `<system-out>`; `<failure>` under `--fail-on warn`;
- a waived fail, error or warn → `<skipped>` naming the waiver (pytest reports an expected
  failure the same way): it does not count, and it stays visible.

Every test case carries the finding, its location and the fix in `<system-out>`.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from readiness.model import Report, Result, Status, blocks_readiness
from readiness.reporters import RenderOptions
from readiness.reporters.table import verdict_line

# XML 1.0 cannot carry these at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _seconds(milliseconds: int) -> str:
    return f"{max(milliseconds, 0) / 1000:.3f}"


def _output(result: Result, verdict_note: str | None) -> str:
    lines = [f"{result.status.value.upper()}: {result.message}"]
    if verdict_note:
        lines.append(verdict_note)
    if result.location is not None:
        lines.append(f"at {result.location}")
    if result.waived is not None:
        lines.append(f"waived until {result.waived.expires.isoformat()}: {result.waived.reason}")
    if result.status not in (Status.PASS, Status.SKIP) and result.remediation:
        lines += ["", "How to fix:", result.remediation]
    if result.reference:
        lines += ["", f"Requirement: {result.reference}"]
    return "\n".join(lines) + "\n"


def _testcase(result: Result, report: Report) -> tuple[ET.Element, str | None]:
    """The test case and its outcome: "failure", "error", "skipped" or None (passed)."""
    case = ET.Element(
        "testcase",
        {
            "classname": xml_text(result.id),
            "name": xml_text(f"{result.id} [{result.target}]"),
            "time": _seconds(result.duration_ms),
        },
    )
    status = result.status
    blocking = blocks_readiness(result, report.verdict)
    note: str | None = None
    outcome: str | None = None
    message = result.message
    if result.waived is not None and status in (Status.FAIL, Status.ERROR, Status.WARN):
        outcome = "skipped"
        message = (
            f"waived {status.value} until {result.waived.expires.isoformat()} "
            f"({result.waived.reason}): {result.message}"
        )
    elif status is Status.FAIL or (blocking and status in (Status.WARN, Status.SKIP)):
        outcome = "failure"
        if status is Status.WARN:
            note = "--fail-on warn: this warning makes the deployment not ready."
        elif status is Status.SKIP:
            note = "--strict: a skipped check makes the deployment not ready."
    elif status is Status.ERROR:
        outcome = "error"
        message = f"no verdict: {result.message}"
    elif status is Status.SKIP:
        outcome = "skipped"
    elif status is Status.WARN:
        note = "A warning passes this test case; the deployment is ready with it."
    text = xml_text(_output(result, note))
    if outcome is not None:
        element = ET.SubElement(
            case, outcome, {"message": xml_text(message), "type": f"pxready.{status.value}"}
        )
        if outcome != "skipped":
            element.text = text
    if outcome in (None, "skipped"):
        ET.SubElement(case, "system-out").text = text
    return case, outcome


def render(report: Report, options: RenderOptions) -> str:
    stamp = report.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    root = ET.Element("testsuites", {"name": "pxready"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_ms = 0
    for area, results in report.by_area().items():
        suite = ET.SubElement(
            root, "testsuite", {"name": xml_text(f"pxready.{area}"), "timestamp": stamp}
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in _properties(report):
            ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite_ms = 0
        for result in results:
            case, outcome = _testcase(result, report)
            suite.append(case)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome == "error":
                counts["errors"] += 1
            elif outcome == "skipped":
                counts["skipped"] += 1
            suite_ms += max(result.duration_ms, 0)
        suite.attrib.update({k: str(v) for k, v in counts.items()})
        suite.set("time", _seconds(suite_ms))
        for key, count in counts.items():
            totals[key] += count
        total_ms += suite_ms
    # junit-10.xsd allows no `skipped` on <testsuites>: the skips are counted per suite.
    root.attrib.update({k: str(v) for k, v in totals.items() if k != "skipped"})
    root.set("time", _seconds(total_ms))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _properties(report: Report) -> list[tuple[str, str]]:
    inputs = report.inputs.document()
    props = [
        ("pxready.version", report.tool_version),
        ("pxready.ready", "true" if report.ready else "false"),
        ("pxready.exit_code", str(int(report.exit_code))),
        ("pxready.verdict", verdict_line(report)),
    ]
    props += [(f"pxready.not_checked.{n.id}", n.reason) for n in report.not_checked]
    for key in ("connector_fqdn", "vars", "config", "azure_location", "at", "offline"):
        value = inputs.get(key)
        if value is not None:
            props.append(
                (f"pxready.{key}", str(value).lower() if isinstance(value, bool) else str(value))
            )
    return props
