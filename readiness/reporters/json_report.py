"""The JSON report, schema `pxready-report/1` (see report.schema.json beside this file)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from readiness.model import Report, Result
from readiness.reporters import RenderOptions

SCHEMA_ID = "pxready-report/1"


def result_document(result: Result) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": result.id,
        "title": result.title,
        "status": result.status.value,
        "target": result.target,
        "message": result.message,
        "remediation": result.remediation,
        "reference": result.reference,
        "details": dict(result.details),
        "duration_ms": result.duration_ms,
        "area": result.area,
    }
    if result.connector is not None:
        doc["connector"] = result.connector
    if result.location is not None:
        doc["location"] = {"path": result.location.path}
        if result.location.line is not None:
            doc["location"]["line"] = result.location.line
    if result.waived is not None:
        doc["waived"] = {
            "reason": result.waived.reason,
            "expires": result.waived.expires.isoformat(),
        }
    return doc


def report_document(report: Report) -> dict[str, Any]:
    stamp = report.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "pxready", "version": report.tool_version},
        "generated_at": stamp,
        "ready": report.ready,
        "exit_code": int(report.exit_code),
        "summary": {
            **report.summary,
            "not_checked": [
                {"id": entry.id, "reason": entry.reason, "because": entry.because}
                for entry in report.not_checked
            ],
        },
        "inputs": report.inputs.document(),
        "results": [result_document(r) for r in report.results],
        "notes": list(report.notes),
    }


def render(report: Report, options: RenderOptions) -> str:
    # ASCII-only JSON survives every Windows console code page and PowerShell pipe.
    return json.dumps(report_document(report), indent=2, ensure_ascii=True, default=str) + "\n"


def schema_text() -> str:
    from importlib import resources

    return (
        resources.files("readiness.reporters")
        .joinpath("report.schema.json")
        .read_text(encoding="utf-8")
    )
