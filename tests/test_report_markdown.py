"""Markdown: a ticket-ready summary that pastes into GitHub, Azure DevOps, Jira and ServiceNow.

Rendered with markdown-it-py (CommonMark + GFM tables) and read back as HTML, so the tests see
what a reader sees: no raw HTML of pxready's own (Jira and ServiceNow show it as text), the
user's text exactly as written, and escapes only where Markdown would read syntax.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from data.sample_reports import CERTIFICATE, HOSTILE_TARGET, VERDICTS, all_pass, every_status
from markdown_it import MarkdownIt

from readiness.reporters import RenderOptions
from readiness.reporters.markdown import cell, render, text
from tests.support.cli import GOOD_VARS, Deployment

MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
# The tags Markdown itself makes from what the reporter writes; anything else is raw HTML.
MARKDOWN_TAGS = {"h2", "h3", "p", "strong", "ol", "ul", "li", "code", "em"} | {
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


class _Page(HTMLParser):
    """Rendered HTML as the reader sees it: the text of each list item, table rows, tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.items: list[str] = []
        self.rows: list[list[str]] = []
        self._items: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "li":
            self._items.append([])
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.items.append(" ".join("".join(self._items.pop()).split()))
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        for item in self._items:
            item.append(data)
        if self._cell is not None:
            self._cell.append(data)


def page(markdown: str) -> _Page:
    parsed = _Page()
    parsed.feed(MARKDOWN.render(markdown))
    return parsed


def item(parsed: _Page, start: str) -> str:
    found = [i for i in parsed.items if i.startswith(start)]
    assert found, (start, parsed.items)
    return found[0]


@pytest.mark.parametrize("verdict", VERDICTS.values(), ids=VERDICTS.keys())
def test_every_status_renders_without_raw_html(verdict: object) -> None:
    markdown = render(every_status(verdict), RenderOptions())  # type: ignore[arg-type]
    parsed = page(markdown)
    assert set(parsed.tags) <= MARKDOWN_TAGS, set(parsed.tags) - MARKDOWN_TAGS
    todo = [i for i in parsed.items if i.split(" ", 1)[0] in ("FAIL", "ERROR", "WARN")]
    assert [next(w for w in i.split() if w.endswith(":")) for i in todo] == [
        "vars.naming:",
        "connector-cert.eku:",
        "azure.quota:",
        "dns.connector-cname:",
        "node-cert.validity:",
    ]


def test_the_verdict_leads_and_says_what_was_not_checked() -> None:
    lines = render(every_status(), RenderOptions()).splitlines()
    assert (
        lines[0] == "## pxready: NOT READY - Teams Connector pexip-teamsconn-eu.teams.example.com"
    )
    assert lines[2] == (
        "**NOT READY** (exit code 1): 2 fail, 1 error, 2 warn, 1 skip, 2 pass, 2 waived · "
        "not checked: 1 (offline: tls.node)."
    )
    ready = render(all_pass(), RenderOptions())
    assert "**READY** (exit code 0)" in ready and "Nothing to fix." in ready


def test_each_finding_shows_its_text_location_and_fix_as_written() -> None:
    parsed = page(render(every_status(), RenderOptions()))
    naming = item(parsed, "FAIL vars.naming")
    assert "base name 'contosoltd' has 10 characters | max 9 (at eu/variables.ps1:1)" in naming
    assert naming.endswith(
        "Fix: Shorten $PxBaseConnName: - at most 9 characters - a-z0-9 only The scale set "
        "name <details> is derived | from it."
    )
    assert "no CNAME record yet second line" in item(parsed, "WARN dns.connector-cname")
    assert item(parsed, "tls.node") == "tls.node: needs network (--offline)"
    assert text(HOSTILE_TARGET) == "edge|pool \\<b>01\\</b> & \\*x\\*"


def test_waivers_show_reason_and_expiry() -> None:
    eku = item(page(render(every_status(), RenderOptions())), "FAIL (waived) connector-cert.eku")
    assert eku.endswith("Waived until 2027-03-01: clientAuth not needed | case 01234 & <ok>")


def test_certificates_are_tabled() -> None:
    parsed = page(render(every_status(), RenderOptions()))
    assert parsed.rows[0] == ["Certificate", "Subject", "Issuer", "Valid until", "SHA-1 thumbprint"]
    assert parsed.rows[1] == [
        "Teams Connector (eu/pexip-teams.pfx)",
        CERTIFICATE["subject"],
        CERTIFICATE["issuer"],
        "2036-01-01",
        CERTIFICATE["sha1_thumbprint"],
    ]


def test_control_characters_are_made_visible() -> None:
    assert "\x07" not in render(every_status(), RenderOptions())
    assert cell("a\x07b") == "a\ufffdb"


@pytest.mark.parametrize(
    "raw",
    [
        "$PxA and $PxB",
        "*.example.com and *b*",
        "a_b_c and _x_",
        "a lone ` backtick",
        "[link](http://x)",
        "# heading",
        "1. not a list",
        "- not a list",
        "~~gone~~",
        "&amp; &lt;",
        "<b>bold</b> <!-- c -->",
        "C:\\certs\\edge.pem",
    ],
)
def test_text_keeps_markdown_syntax_literal(raw: str) -> None:
    parsed = page(f"- {text(raw)}\n\n| h |\n|---|\n| {cell(raw)} |\n")
    assert parsed.items == [raw]
    assert parsed.rows[1] == [raw]
    assert set(parsed.tags) <= {"ul", "li", "code", "table", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize(
    "plain", ["version 0.1.0 (beta) - ready! a.b c-d e:f", "pexip-teamsconn-eu.teams.example.com"]
)
def test_ordinary_text_is_not_escaped(plain: str) -> None:
    assert text(plain) == plain


def test_commands_in_backticks_become_code() -> None:
    parsed = page(f"- {text('run `openssl pkcs12 -in a.pfx -nokeys` now')}\n")
    assert parsed.items == ["run openssl pkcs12 -in a.pfx -nokeys now"]
    assert "code" in parsed.tags


def test_notes_are_listed() -> None:
    parsed = page(render(every_status(), RenderOptions()))
    assert "waiver for 'azure.bot-name' matched no result | check its id" in parsed.items


def test_a_real_run_renders_markdown(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd"'))
    run = deployment.checks("--vars", "variables.ps1", "--offline", "--format", "markdown")
    assert run.code == 1, run.stderr
    naming = item(page(run.stdout), "FAIL vars.naming")
    assert "variables.ps1:1" in naming and "Fix: " in naming
    to_file = deployment.check("--vars", "variables.ps1", "--offline", "--output", "ticket.md")
    assert to_file.code == 1
    written = (deployment.root / "ticket.md").read_text(encoding="utf-8")
    assert written.startswith("## pxready: NOT READY")
    assert "pxready: wrote ticket.md (markdown)" in to_file.stderr


@pytest.mark.parametrize("fmt", ["markdown", "junit", "sarif"])
def test_no_format_echoes_a_plaintext_password(deployment: Deployment, fmt: str) -> None:
    secret = "Sup3r-Secret-Passw0rd!"
    deployment.vars(GOOD_VARS + f'$PxWinAdminPassword = "{secret}"\n')
    run = deployment.check("--vars", "variables.ps1", "--offline", "--format", fmt)
    assert run.code == 1, run.stderr  # vars.secrets fails on the plain-text password
    assert "vars.secrets" in run.stdout
    assert secret not in run.stdout + run.stderr
