"""SARIF 2.1.0, for GitHub code scanning, Azure DevOps' SARIF viewer and other SARIF tools.

Design:
- One rule per check id in the report (title, requirement, fix, area tag); the run lists
  every check that ran, so a viewer can tell "checked and fine" from "not checked".
- Results are what needs attention; a `pass` is left out, so an alert closes by itself on the
  first run where its check passes. Levels follow readiness, as the exit code does: `fail` and
  `error` are `error`; `warn` is `warning` (`error` under `--fail-on warn`); `skip` is kind
  `notApplicable` with level `none` (an `error` under `--strict`, which counts it).
- Every result has a location, which GitHub requires: the result's own file and line, else the
  connector's variables script, else pxready.toml. URIs are relative to the repository root
  (the git work tree holding pxready.toml or the current folder, else the current folder),
  with forward slashes; no absolute path of the user's machine is written.
- A waived result keeps its level and carries an accepted external suppression with the reason;
  GitHub then shows it as dismissed.
- `partialFingerprints` from check id + target keep one alert per finding across runs even
  when the script's lines move.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from readiness.files import resolved
from readiness.model import Report, Result, Status, blocks_readiness
from readiness.reporters import RenderOptions
from readiness.reporters.table import verdict_line

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
ROOT_BASE_ID = "%SRCROOT%"


def repository_root(report: Report, cwd: Path) -> Path:
    """The folder SARIF URIs are relative to: the git work tree around the deployment, else
    the folder pxready runs in (a CI job runs at the repository's top)."""
    config = report.inputs.config
    here = resolved(cwd)
    starts = [resolved((cwd / config).parent), here] if config else [here]
    for start in starts:
        for folder in (start, *start.parents):
            if (folder / ".git").exists():
                return folder
    return here


def artifact_uri(path: str, root: Path, cwd: Path) -> str:
    """`path` as reports show it (relative to the current folder, or absolute), made relative
    to `root` with forward slashes; a file outside the root keeps an absolute file URI."""
    candidate = Path(path)
    absolute = resolved(candidate if candidate.is_absolute() else cwd / candidate)
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_uri()


def _level_and_kind(result: Result, report: Report) -> tuple[str, str]:
    # A waived result keeps the level it would have; the suppression says it is accepted.
    blocking = blocks_readiness(result._replace(waived=None), report.verdict)
    if result.status is Status.SKIP:
        return ("error", "fail") if blocking else ("none", "notApplicable")
    if result.status is Status.WARN:
        return ("error" if blocking else "warning"), "fail"
    return "error", "fail"


def _fallback_location(result: Result, report: Report) -> str | None:
    """The file a result without its own location belongs to."""
    inputs = report.inputs
    for connector in inputs.connectors:
        if connector.vars and result.target in (connector.connector_fqdn, connector.vars):
            return connector.vars
    if inputs.config:
        return inputs.config
    if inputs.vars:
        return inputs.vars
    return inputs.node_certificates[0] if inputs.node_certificates else None


def _location(result: Result, report: Report, root: Path, cwd: Path) -> dict[str, Any] | None:
    path = result.location.path if result.location is not None else None
    line = result.location.line if result.location is not None else None
    if path is None:
        path = _fallback_location(result, report)
    if path is None:
        return None
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(path, root, cwd)}}
    if not physical["artifactLocation"]["uri"].startswith("file:"):
        physical["artifactLocation"]["uriBaseId"] = ROOT_BASE_ID
    if line:
        physical["region"] = {"startLine": line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": result.target, "kind": "resource"}],
    }


def _rule(result: Result) -> dict[str, Any]:
    help_text = result.remediation or result.title
    explain = f"Run `pxready explain {result.id}` for what the check verifies and why."
    return {
        "id": result.id,
        "name": "".join(part.capitalize() for part in result.id.replace("-", ".").split(".")),
        "shortDescription": {"text": result.title},
        "fullDescription": {
            "text": f"{result.title}. Requirement: {result.reference}"
            if result.reference
            else result.title
        },
        "help": {"text": f"{help_text}\n\n{explain}"},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["pxready", "teams-connector", result.area]},
    }


def _fingerprint(result: Result) -> str:
    # A check may say two things about one target (a failure and, apart, a warning).
    key = f"{result.id}\0{result.target.lower()}\0{result.status.value}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(
    result: Result, report: Report, rule_index: int, rule_help: str, root: Path, cwd: Path
) -> dict[str, Any]:
    level, kind = _level_and_kind(result, report)
    about = report.inputs.about(result, own_target=True)
    text = f"{about}: {result.message}" if about else result.message
    if result.status is Status.ERROR:
        text = f"No verdict ({text})"
    elif result.status is Status.SKIP:
        text = f"Skipped: {text}"
    if result.status is not Status.SKIP and result.remediation and result.remediation != rule_help:
        text += f"\n\nHow to fix: {result.remediation}"
    doc: dict[str, Any] = {
        "ruleId": result.id,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": {"text": text},
        "partialFingerprints": {"pxreadyFinding/v1": _fingerprint(result)},
        "properties": {"status": result.status.value, "target": result.target, "area": result.area},
    }
    location = _location(result, report, root, cwd)
    if location is not None:
        doc["locations"] = [location]
    if result.waived is not None:
        doc["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{result.waived.reason} (waived in pxready.toml until "
                f"{result.waived.expires.isoformat()})",
                "properties": {"expires": result.waived.expires.isoformat()},
            }
        ]
    return doc


def sarif_document(report: Report, cwd: Path | None = None) -> dict[str, Any]:
    cwd = cwd or Path.cwd()
    root = repository_root(report, cwd)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    rule_fix: dict[str, str] = {}
    for result in report.results:
        if result.id not in index:
            index[result.id] = len(rules)
            rules.append(_rule(result))
            rule_fix[result.id] = result.remediation
    results = [
        _result(r, report, index[r.id], rule_fix[r.id], root, cwd)
        for r in report.results
        if r.status is not Status.PASS
    ]
    stamp = report.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pxready",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": int(report.exit_code),
                        "endTimeUtc": stamp,
                    }
                ],
                "automationDetails": {"id": "pxready/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "ready": report.ready,
                    "verdict": verdict_line(report),
                    "summary": report.summary,
                    "notChecked": [
                        {"id": n.id, "reason": n.reason, "because": n.because}
                        for n in report.not_checked
                    ],
                    "notes": list(report.notes),
                },
            }
        ],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=True) + "\n"
