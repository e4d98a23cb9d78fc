"""A ticket-ready Markdown summary: the verdict, what to do, certificates, and what passed.

Written for what GitHub, GitLab, Azure DevOps, Jira and ServiceNow all read: headings, bold,
lists, inline code and one simple table, and no raw HTML (`<details>` and `<br>` arrive in Jira
and ServiceNow as literal text). Each finding is one list item with its fix as a nested item,
so nothing needs a line break inside a table cell. The user's own text is escaped only where
Markdown would read it as syntax; `$Variable` names become code spans, which every viewer shows
as written (GitHub would take "$PxA … $PxB" for inline math).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from readiness.exitcodes import ExitCode
from readiness.model import STATUS_ORDER, Report, ReportInputs, Result, Status
from readiness.reporters import RenderOptions

_VERDICT = {
    ExitCode.READY: "READY",
    ExitCode.NOT_READY: "NOT READY",
    ExitCode.INCONCLUSIVE: "INCONCLUSIVE",
}
_LABEL = {
    Status.FAIL: "**FAIL**",
    Status.ERROR: "**ERROR**",
    Status.WARN: "**WARN**",
    Status.SKIP: "skip",
    Status.PASS: "pass",
}
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
# Control characters show as boxes or vanish depending on the viewer; say they were there.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What Markdown reads as syntax anywhere in a line (emphasis, code, links, tags, strikethrough).
_INLINE = re.compile(
    r"([\\`*~])|(<)(?=[A-Za-z/!?])|(&)(?=#?[A-Za-z0-9]+;)|(?<![A-Za-z0-9])(_)|(_)(?![A-Za-z0-9])"
)
# What it reads as syntax at the start of a line (headings, quotes, list markers).
_LINE_START = re.compile(r"^(\s*)(?:([#>+-])|(\d+)([.)]))(?=\s|$)")


def text(value: str) -> str:
    """The user's text as Markdown that shows exactly that text, on one line."""
    value = _CONTROL.sub("\ufffd", " ".join(value.split()))
    pieces: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(value):
        pieces.append(_plain(value[position : span.start()]))
        pieces.append(span.group(0))  # a code span is shown as written
        position = span.end()
    pieces.append(_plain(value[position:]))
    joined = "".join(pieces)
    if "](" in joined:  # only a bracket before "](" can start a link
        joined = joined.replace("[", "\\[")
    return _LINE_START.sub(_escape_line_start, joined)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, digits, delimiter = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{digits}\\{delimiter}"


def _plain(value: str) -> str:
    out: list[str] = []
    position = 0
    for variable in _VARIABLE.finditer(value):
        out.append(_escape(value[position : variable.start()]))
        out.append(f"`{variable.group(0)}`")
        position = variable.end()
    out.append(_escape(value[position:]))
    return "".join(out)


def _escape(value: str) -> str:
    return _INLINE.sub(lambda m: "\\" + next(g for g in m.groups() if g), value)


def cell(value: str) -> str:
    """`text` for a table cell, where a pipe ends the cell."""
    return text(value).replace("|", "\\|") or " "


def _code(value: str) -> str:
    return f"`{value}`" if re.fullmatch(r"[A-Za-z0-9._:/\\ -]+", value) else text(value)


def _counts(report: Report) -> str:
    summary = report.summary
    counts = [f"{summary[s.value]} {s.value}" for s in STATUS_ORDER if summary[s.value]]
    waived = sum(1 for r in report.results if r.waived is not None)
    if waived:
        counts.append(f"{waived} waived")
    head = ", ".join(counts) or "no results"
    if report.nothing_checked:
        head = f"nothing was checked ({head})"
    not_checked = report.not_checked_text()
    return f"{head} · {not_checked}" if not_checked else head


def _finding(result: Result, inputs: ReportInputs) -> str:
    about = inputs.about(result)
    line = text(f"{about}: {result.message}" if about else result.message)
    if result.location is not None:
        line += f" (at {_code(str(result.location))})"
    return line


def _fix_items(result: Result) -> list[str]:
    items = []
    if result.waived is not None:
        items.append(
            f"   - Waived until {result.waived.expires.isoformat()}: {text(result.waived.reason)}"
        )
    elif result.status is not Status.SKIP and result.remediation:
        items.append(f"   - Fix: {text(result.remediation)}")
    return items


def _certificates(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    out = [
        "### Certificates",
        "",
        "| Certificate | Subject | Issuer | Valid until | SHA-1 thumbprint |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        role = str(row.get("role", ""))
        source = str(row.get("file", ""))
        what = f"{role} ({source})" if source else role
        out.append(
            f"| {cell(what)} | {cell(str(row.get('subject', '')))} | "
            f"{cell(str(row.get('issuer', '')))} | {cell(str(row.get('not_after', ''))[:10])} | "
            f"{cell(str(row.get('sha1_thumbprint', '')))} |"
        )
    return [*out, ""]


def render(report: Report, options: RenderOptions) -> str:
    code = report.exit_code
    verdict = _VERDICT.get(code, code.name)
    inputs = report.inputs
    subject = "Teams Connector " + (inputs.connector_fqdn or inputs.vars or "the deployment")
    if len(inputs.connectors) > 1:
        subject = f"{len(inputs.connectors)} Teams Connectors ({', '.join(inputs.labels())})"
    stamp = report.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"## pxready: {verdict} - {text(subject)}",
        "",
        f"**{verdict}** (exit code {int(code)}): {text(_counts(report))}.",
        "",
    ]
    facts = [f"pxready {text(report.tool_version)}", f"run {stamp}"]
    if inputs.at:
        facts.append(f"certificates judged at {text(inputs.at)}")
    if inputs.config:
        facts.append(f"config {_code(inputs.config)}")
    elif inputs.vars:
        facts.append(f"variables {_code(inputs.vars)}")
    regions = list(dict.fromkeys(c.azure_location for c in inputs.connectors if c.azure_location))
    if regions:
        facts.append(("regions " if len(regions) > 1 else "region ") + text(", ".join(regions)))
    if inputs.offline:
        facts.append("offline (network checks skipped)")
    out += [", ".join(facts), ""]

    ordered = sorted(report.results, key=lambda r: STATUS_ORDER.index(r.status))
    to_do = [r for r in ordered if r.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    if to_do:
        out += ["### To do before the install", ""]
        for number, r in enumerate(to_do, start=1):
            label = _LABEL[r.status] + (" (waived)" if r.waived is not None else "")
            out.append(f"{number}. {label} {_code(r.id)}: {_finding(r, report.inputs)}")
            out += _fix_items(r)
        out.append("")
    else:
        out += ["Nothing to fix.", ""]
    certificates = inputs.contributed.get("certificates", ())
    if certificates:
        out += _certificates(certificates)
    not_checked = report.not_checked
    if not_checked:
        out += ["### Not checked", ""]
        out += [f"- {_code(n.id)}: {text(n.reason)}" for n in not_checked]
        out.append("")
    passes = [r for r in ordered if r.status is Status.PASS]
    skipped = [r for r in ordered if r.status is Status.SKIP and r.id not in
               {n.id for n in not_checked}]  # fmt: skip
    if passes or skipped:
        out += [f"### Passed ({len(passes)})", ""]
        out += [f"- {_code(r.id)}: {_finding(r, report.inputs)}" for r in passes]
        out += [f"- {_code(r.id)} (skipped): {_finding(r, report.inputs)}" for r in skipped]
        out.append("")
    if report.notes:
        out += ["### Notes", ""]
        out += [f"- {text(note)}" for note in report.notes]
        out.append("")
    return "\n".join(out)
