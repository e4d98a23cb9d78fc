"""A ticket-ready Markdown summary: verdict, counts, what to fix, and the passes folded away.

Written for the common subset of GitHub, GitLab, Azure DevOps and Jira (Cloud) Markdown:
headings, bold, pipe tables, inline code and one `<details>` block. Every cell is escaped so
that a `|`, a newline or a stray `<tag>` in a message cannot break the table or inject markup.
The text is ASCII apart from what the user's own files contain, so it pastes cleanly anywhere.
"""

from __future__ import annotations

import datetime as dt
import re

from readiness.exitcodes import ExitCode
from readiness.model import STATUS_ORDER, Report, Result, Status
from readiness.reporters import RenderOptions

_VERDICT = {
    ExitCode.READY: "READY",
    ExitCode.NOT_READY: "NOT READY",
    ExitCode.INCONCLUSIVE: "INCONCLUSIVE",
}
_LABEL = {
    Status.FAIL: "**FAIL**",
    Status.ERROR: "**ERROR**",
    Status.WARN: "WARN",
    Status.SKIP: "skip",
    Status.PASS: "pass",
}
# Characters with a meaning in some Markdown dialect; a backslash makes each one literal in
# CommonMark (GitHub, GitLab, Azure DevOps) and in Jira's Markdown import; `$` because GitHub
# and GitLab read "$PxA ... $PxB" as inline math.
_SPECIAL = re.compile(r"([\\`*_\[\]|#~$])")
# Control characters show as boxes or vanish depending on the viewer; say they were there.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Only something that starts like an HTML tag is escaped, so "<# ... #>" stays readable.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def cell(text: str) -> str:
    """One table cell: escaped, on one line; paragraphs and list items become `<br>`.

    Remediation texts are hard-wrapped for the terminal; a wrapped line joins the line before
    it, while blank lines and list items keep their break.
    """
    pieces: list[str] = []
    text = _CONTROL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if pieces and pieces[-1] != "<br>":
                pieces.append("<br>")
            continue
        escaped = _TAG_START.sub("&lt;", _ENTITY.sub("&amp;", _SPECIAL.sub(r"\\\1", line)))
        if pieces and pieces[-1] != "<br>" and not _LIST_ITEM.match(raw):
            pieces[-1] += " " + escaped
        else:
            if pieces and pieces[-1] != "<br>":
                pieces.append("<br>")
            pieces.append(escaped)
    while pieces and pieces[-1] == "<br>":
        pieces.pop()
    return "".join(pieces) or " "


def _code(text: str) -> str:
    # Check ids are [a-z0-9.-]; a backtick or pipe could only come from a misbehaving plugin.
    return f"`{text}`" if re.fullmatch(r"[A-Za-z0-9._:/-]+", text) else cell(text)


def _status(result: Result) -> str:
    label = _LABEL[result.status]
    return f"{label} (waived)" if result.waived is not None else label


def _finding(result: Result) -> str:
    parts = [cell(result.message)]
    if result.location is not None:
        parts.append(f"at {_code(str(result.location))}")
    if result.waived is not None:
        parts.append(
            f"Waived until {result.waived.expires.isoformat()}: {cell(result.waived.reason)}"
        )
    return "<br>".join(parts)


def _counts(report: Report) -> str:
    summary = report.summary
    counts = [f"{summary[s.value]} {s.value}" for s in STATUS_ORDER if summary[s.value]]
    waived = sum(1 for r in report.results if r.waived is not None)
    if waived:
        counts.append(f"{waived} waived")
    return ", ".join(counts) or "no results"


def render(report: Report, options: RenderOptions) -> str:
    code = report.exit_code
    verdict = _VERDICT.get(code, code.name)
    inputs = report.inputs
    subject = inputs.connector_fqdn or inputs.vars or "the deployment"
    stamp = report.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"## pxready: {verdict} - Teams Connector {cell(str(subject))}",
        "",
        f"**{verdict}** (exit code {int(code)}): {_counts(report)}.",
        "",
    ]
    facts = [f"pxready {cell(report.tool_version)}", f"run {stamp}"]
    if inputs.at:
        facts.append(f"certificates judged at {cell(inputs.at)}")
    if inputs.config:
        facts.append(f"config {_code(inputs.config)}")
    elif inputs.vars:
        facts.append(f"variables {_code(inputs.vars)}")
    if inputs.azure_location:
        facts.append(f"region {cell(inputs.azure_location)}")
    if inputs.offline:
        facts.append("offline (network checks skipped)")
    out += [", ".join(facts), ""]

    ordered = sorted(report.results, key=lambda r: STATUS_ORDER.index(r.status))
    open_items = [r for r in ordered if r.status is not Status.PASS]
    passes = [r for r in ordered if r.status is Status.PASS]
    if open_items:
        out += [
            "### To do before the install",
            "",
            "| Status | Check | Target | Finding | How to fix |",
            "|---|---|---|---|---|",
        ]
        for r in open_items:
            fix = cell(r.remediation) if r.status is not Status.SKIP else " "
            out.append(
                f"| {_status(r)} | {_code(r.id)} | {cell(r.target)} | {_finding(r)} | {fix} |"
            )
        out.append("")
    else:
        out += ["Nothing to fix: every check passed.", ""]
    if passes:
        # Passes matter for the record but not for the reader of the ticket: folded.
        out += [
            "<details>",
            f"<summary>{len(passes)} passed</summary>",
            "",
            "| Check | Target | Finding |",
            "|---|---|---|",
        ]
        out += [f"| {_code(r.id)} | {cell(r.target)} | {_finding(r)} |" for r in passes]
        out += ["", "</details>", ""]
    if report.notes:
        out += ["### Notes", ""]
        out += [f"- {cell(note)}" for note in report.notes]
        out.append("")
    return "\n".join(out)
