"""The terminal report: results grouped by area, the verdict, and how to fix each failure.

On a terminal it is a rich table (colour unless NO_COLOR is set); piped or redirected it is
plain text that reads well in a log or an e-mail.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Iterable

from readiness.exitcodes import ExitCode
from readiness.model import STATUS_ORDER, Report, Result, Status
from readiness.reporters import RenderOptions

_STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "magenta",
    Status.SKIP: "dim",
}
_VERDICT = {
    ExitCode.READY: "READY",
    ExitCode.NOT_READY: "NOT READY",
    ExitCode.INCONCLUSIVE: "INCONCLUSIVE",
}
_ACTIONABLE = (Status.FAIL, Status.ERROR, Status.WARN)


def verdict_line(report: Report) -> str:
    summary = report.summary
    counts = ", ".join(f"{summary[s.value]} {s.value}" for s in STATUS_ORDER if summary[s.value])
    waived = sum(1 for r in report.results if r.waived is not None)
    extra = f", {waived} waived" if waived else ""
    code = report.exit_code
    return f"{_VERDICT.get(code, code.name)}: {counts or 'no results'}{extra} (exit {int(code)})"


def _status_label(result: Result) -> str:
    label = result.status.value.upper()
    return f"{label}*" if result.waived else label


def _shown(report: Report, options: RenderOptions) -> list[Result]:
    if options.summary_only:
        return [r for r in report.results if r.status in _ACTIONABLE and r.waived is None]
    if options.quiet:
        return [
            r
            for r in report.results
            if r.status in (Status.FAIL, Status.ERROR) and r.waived is None
        ]
    return list(report.results)


_LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+[.)])\s")


def paragraphs(text: str) -> list[str]:
    """Remediation text as paragraphs: hard-wrapped source lines joined, blank lines and list
    items kept as breaks, so the terminal can wrap it to its own width."""
    out: list[str] = []
    current: list[str] = []
    for line in text.strip().splitlines():
        if not line.strip() or _LIST_ITEM.match(line):
            if current:
                out.append(" ".join(current))
            current = [line.strip()] if line.strip() else []
            if not line.strip():
                out.append("")
            continue
        current.append(line.strip())
    if current:
        out.append(" ".join(current))
    return out


def _to_fix(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if r.status in _ACTIONABLE and r.waived is None and r.remediation]


def _header(report: Report) -> str:
    inputs = report.inputs
    what = inputs.connector_fqdn or inputs.vars or "the deployment"
    when = f", certificates judged at {inputs.at}" if inputs.at else ""
    offline = " (offline)" if inputs.offline else ""
    return f"pxready {report.tool_version}: Teams Connector readiness of {what}{when}{offline}"


def render(report: Report, options: RenderOptions) -> str:
    if options.color:
        return _render_rich(report, options)
    return _render_plain(report, options)


def _render_plain(report: Report, options: RenderOptions) -> str:
    width = options.width or 100
    out: list[str] = [_header(report), ""]
    shown = _shown(report, options)
    areas: dict[str, list[Result]] = {}
    for result in shown:
        areas.setdefault(result.area, []).append(result)
    id_width = max((len(r.id) for r in shown), default=10)
    for area, results in areas.items():
        out.append(f"{area}")
        for r in results:
            prefix = f"  {_status_label(r):<6} {r.id:<{id_width}}  "
            shown_target = r.target and r.target != report.inputs.connector_fqdn
            body = f"{r.target}: {r.message}" if shown_target else r.message
            wrapped = textwrap.wrap(body, max(40, width - len(prefix))) or [""]
            out.append(prefix + wrapped[0])
            out.extend(" " * len(prefix) + line for line in wrapped[1:])
            if r.location is not None and r.status is not Status.PASS:
                out.append(" " * len(prefix) + f"at {r.location}")
            if r.waived is not None:
                out.append(
                    " " * len(prefix) + f"waived until {r.waived.expires}: {r.waived.reason}"
                )
            if options.verbose and r.details:
                details = json.dumps(r.details, ensure_ascii=False, default=str)
                out.extend(
                    " " * len(prefix) + line
                    for line in textwrap.wrap(f"details: {details}", width - len(prefix))
                )
        out.append("")
    fixes = _to_fix(shown)
    if fixes:
        out.append("How to fix")
        for r in fixes:
            out.append(f"  {r.id} ({r.target}):")
            for paragraph in paragraphs(r.remediation):
                out.extend(
                    textwrap.wrap(
                        paragraph, width - 4, initial_indent="    ", subsequent_indent="    "
                    )
                    or [""]
                )
        out.append("")
    out.extend(f"note: {note}" for note in report.notes)
    out.append(verdict_line(report))
    return "\n".join(out) + "\n"


def _render_rich(report: Report, options: RenderOptions) -> str:
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        width=options.width or 120,
        highlight=False,
        soft_wrap=False,
    )
    console.print(Text(_header(report), style="bold"))
    shown = _shown(report, options)
    areas: dict[str, list[Result]] = {}
    for result in shown:
        areas.setdefault(result.area, []).append(result)
    for area, results in areas.items():
        table = Table(
            title=area, title_justify="left", title_style="bold cyan", show_lines=False, expand=True
        )
        # The header names the connector; a target column only helps when targets differ.
        show_target = {r.target for r in results} != {report.inputs.connector_fqdn}
        table.add_column("status", no_wrap=True)
        table.add_column("check", no_wrap=True)
        if show_target:
            table.add_column("target", overflow="fold", max_width=40)
        table.add_column("finding", overflow="fold", ratio=1)
        for r in results:
            message = r.message
            if r.location is not None and r.status is not Status.PASS:
                message += f"\nat {r.location}"
            if r.waived is not None:
                message += f"\nwaived until {r.waived.expires}: {r.waived.reason}"
            if options.verbose and r.details:
                message += "\n" + json.dumps(r.details, ensure_ascii=False, default=str)
            cells = [Text(_status_label(r), style=_STYLE[r.status]), Text(r.id)]
            if show_target:
                cells.append(Text(r.target))
            table.add_row(*cells, Text(message))
        console.print(table)
    fixes = _to_fix(shown)
    if fixes:
        console.print(Text("How to fix", style="bold"))
        for r in fixes:
            console.print(Text(f"  {r.id} ({r.target}):", style=_STYLE[r.status]))
            for paragraph in paragraphs(r.remediation):
                console.print(Padding(Text(paragraph), (0, 0, 0, 4)))
    for note in report.notes:
        console.print(Text(f"note: {note}", style="dim"))
    code = report.exit_code
    style = "bold green" if code is ExitCode.READY else "bold red"
    console.print(Text(verdict_line(report), style=style))
    return buffer.getvalue()
