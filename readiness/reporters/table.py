"""The terminal report: results grouped by area, how to fix each finding, and the verdict.

One layout serves both forms: plain text when piped (or NO_COLOR), and the same lines with
colour on a terminal (rich). pxready wraps every line itself, at spaces only: a host name, a
flag, a path or a command is never broken across lines (copied, it must still work), and a
token longer than the width stands whole on a line of its own. Ids are shown by their area's
tail under the area's heading; when the width is too small for a message column, each
message stacks under its status and id.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import NamedTuple

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
_STATUS_WIDTH = 6
MIN_WIDTH = 40
# Below this many columns for the message, messages stack under their status and id.
_MIN_MESSAGE_COLUMN = 36
_MAX_NAME_COLUMN = 20
_LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+[.)])\s")


class Line(NamedTuple):
    """One output line, as (text, style) pieces."""

    pieces: tuple[tuple[str, str | None], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)


def _line(*pieces: tuple[str, str | None]) -> Line:
    return Line(tuple(pieces))


# Kept whole when wrapping: a `command`, and the verdict's "(exit 1)".
_CODE = re.compile(r"`[^`]+`|\(exit \d+\)")
_KEEP = "\u00a0"  # a space inside `code`: textwrap never breaks there


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken at spaces only (see the module's doc); a
    `command in backticks` is kept on one line, like any other token."""
    protected = _CODE.sub(lambda m: m.group(0).replace(" ", _KEEP), text)
    lines = textwrap.wrap(
        protected,
        max(width, 1),
        break_long_words=False,
        break_on_hyphens=False,
        replace_whitespace=True,
    )
    return [line.replace(_KEEP, " ") for line in lines] or [""]


def verdict_line(report: Report) -> str:
    summary = report.summary
    counts = ", ".join(f"{summary[s.value]} {s.value}" for s in STATUS_ORDER if summary[s.value])
    waived = sum(1 for r in report.results if r.waived is not None)
    if waived:
        counts += f", {waived} waived"
    code = report.exit_code
    head = "nothing was checked" if report.nothing_checked else counts or "no results"
    if report.nothing_checked and counts:
        head += f" ({counts})"
    parts = [head]
    not_checked = report.not_checked_text()
    if not_checked:
        parts.append(not_checked)
    return f"{_VERDICT.get(code, code.name)}: {' · '.join(parts)} (exit {int(code)})"


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


def _short_id(result: Result) -> str:
    prefix = result.area + "."
    return result.id[len(prefix) :] if result.id.startswith(prefix) else result.id


def _header(report: Report, width: int) -> list[Line]:
    inputs = report.inputs
    what = inputs.connector_fqdn or inputs.vars or "the deployment"
    if len(inputs.connectors) > 1:
        what = f"{len(inputs.connectors)} connectors ({', '.join(inputs.labels())})"
    when = f", certificates judged at {inputs.at}" if inputs.at else ""
    offline = " (offline)" if inputs.offline else ""
    text = f"pxready {report.tool_version}: Teams Connector readiness of {what}{when}{offline}"
    return [_line((t, "bold")) for t in wrap(text, width)]


def _body(result: Result, report: Report, options: RenderOptions) -> list[str]:
    """What is said about one result, as paragraphs to wrap."""
    about = report.inputs.about(result)
    body = [f"{about}: {result.message}" if about else result.message]
    if result.location is not None and result.status is not Status.PASS:
        body.append(f"at {result.location}")
    if result.waived is not None:
        body.append(f"waived until {result.waived.expires}: {result.waived.reason}")
    if options.verbose and result.details:
        body.append("details: " + json.dumps(result.details, ensure_ascii=False, default=str))
    return body


def _rows(
    report: Report, results: Sequence[Result], options: RenderOptions, width: int
) -> list[Line]:
    name_width = min(max((len(_short_id(r)) for r in results), default=4), _MAX_NAME_COLUMN)
    indent = 2 + _STATUS_WIDTH + 1 + name_width + 2
    side_by_side = width - indent >= _MIN_MESSAGE_COLUMN
    lines: list[Line] = []
    for result in results:
        style = _STYLE[result.status]
        label = f"  {_status_label(result):<{_STATUS_WIDTH}} "
        name = _short_id(result)
        body = _body(result, report, options)
        column = width - indent
        wrapped = [w for paragraph in body for w in wrap(paragraph, column)]
        # A token wider than the message column (a long URL) stacks this row instead.
        stacked = not side_by_side or any(len(w) > column for w in wrapped)
        if stacked:
            wrapped = [w for paragraph in body for w in wrap(paragraph, width - 4)]
        if not stacked and len(name) <= name_width:
            first, rest = wrapped[0], wrapped[1:]
            lines.append(_line((label, style), (f"{name:<{name_width}}  ", None), (first, None)))
            lines.extend(_line((" " * indent + w, None)) for w in rest)
        else:
            lines.append(_line((label, style), (name, None)))
            pad = " " * (4 if stacked else indent)
            lines.extend(_line((pad + w, None)) for w in wrapped)
    return lines


def _fixes(results: Iterable[Result], report: Report, width: int) -> list[Line]:
    """How to fix each finding: one entry per check and fix, naming every target it is for."""
    entries: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        if r.status in _ACTIONABLE and r.waived is None and r.remediation:
            entries.setdefault((r.id, r.remediation), []).append(r)
    if not entries:
        return []
    lines = [_line(("How to fix", "bold"))]
    for (check_id, remediation), own in entries.items():
        targets = ", ".join(
            dict.fromkeys(report.inputs.about(r, own_target=True) or r.target for r in own)
        )
        heading = wrap(f"{check_id} ({targets}):", width - 2)
        style = _STYLE[own[0].status]
        lines.extend(_line(("  " + h, style)) for h in heading)
        for paragraph in paragraphs(remediation):
            lines.extend(_line(("    " + w, None)) for w in wrap(paragraph, width - 4))
    lines.append(_line(("", None)))
    return lines


def _certificates(report: Report, width: int) -> list[Line]:
    """The certificates checked (`--verbose`): what a change ticket records about each."""
    entries = report.inputs.contributed.get("certificates", ())
    if not entries:
        return []
    lines = [_line(("Certificates", "bold"))]
    for entry in entries:
        heading = f"{entry.get('role', '')} ({entry.get('file', '')})"
        lines.extend(_line(("  " + w, None)) for w in wrap(heading, width - 2))
        for key in ("subject", "issuer", "san_dns_names", "not_before", "not_after", "key",
                    "serial", "sha1_thumbprint", "sha256_fingerprint"):  # fmt: skip
            value = entry.get(key)
            if value:
                shown = ", ".join(value) if isinstance(value, list) else str(value)
                wrapped = wrap(f"{key}: {shown}", width - 6)
                lines.append(_line(("    " + wrapped[0], None)))
                lines.extend(_line(("      " + w, None)) for w in wrapped[1:])
    lines.append(_line(("", None)))
    return lines


def layout(report: Report, options: RenderOptions) -> list[Line]:
    width = max(MIN_WIDTH, options.width or 100)
    lines = [*_header(report, width), _line(("", None))]
    shown = _shown(report, options)
    areas: dict[str, list[Result]] = {}
    for result in shown:
        areas.setdefault(result.area, []).append(result)
    for area, results in areas.items():
        lines.append(_line((area, "bold cyan")))
        lines.extend(_rows(report, results, options, width))
        lines.append(_line(("", None)))
    lines.extend(_fixes(shown, report, width))
    if options.verbose:
        lines.extend(_certificates(report, width))
    for note in report.notes:
        lines.extend(_line((w, "dim")) for w in wrap(f"note: {note}", width))
    code = report.exit_code
    style = "bold green" if code is ExitCode.READY else "bold red"
    lines.extend(_line((w, style)) for w in wrap(verdict_line(report), width))
    return lines


def render(report: Report, options: RenderOptions) -> str:
    lines = layout(report, options)
    if not options.color:
        return "\n".join(line.text.rstrip() for line in lines) + "\n"
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    # The lines are wrapped already: rich only colours them.
    console = Console(file=buffer, force_terminal=True, width=10_000, highlight=False)
    for line in lines:
        text = Text()
        for piece, style in line.pieces:
            text.append(piece, style=style or "")
        console.print(text, soft_wrap=True)
    return buffer.getvalue()
