"""Markdown: a ticket-ready summary whose tables survive every character a result can hold.

Rendered with markdown-it-py (CommonMark + GFM tables, the dialect GitHub, GitLab and Azure
DevOps build on) and read back as HTML, so the tests see what a reader sees.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from data.sample_reports import HOSTILE_TARGET, VERDICTS, all_pass, every_status
from markdown_it import MarkdownIt

from readiness.reporters import RenderOptions
from readiness.reporters.markdown import cell, render
from tests.support.cli import GOOD_VARS, Deployment

MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


class _Tables(HTMLParser):
    """The cells of every table in rendered HTML, as text, and the tags met outside them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rendered(text: str) -> _Tables:
    parser = _Tables()
    parser.feed(MARKDOWN.render(text))
    return parser


def row_for(table: list[list[str]], check_id: str) -> list[str]:
    rows = [row for row in table if check_id in row]
    assert len(rows) == 1, (check_id, table)
    return rows[0]


@pytest.mark.parametrize("verdict", VERDICTS.values(), ids=VERDICTS.keys())
def test_every_status_renders_in_well_formed_tables(verdict: object) -> None:
    report = every_status(verdict)  # type: ignore[arg-type]
    text = render(report, RenderOptions())
    page = rendered(text)
    todo, passes = page.tables
    assert todo[0] == ["Status", "Check", "Target", "Finding", "How to fix"]
    assert all(len(row) == 5 for row in todo), todo
    assert all(len(row) == 3 for row in passes), passes
    assert [row[1] for row in todo[1:]] == [
        "vars.naming",
        "connector-cert.eku",
        "azure.quota",
        "dns.connector-cname",
        "node-cert.validity",
        "tls.node",
    ]
    assert [row[0] for row in passes[1:]] == ["vars.parse", "azure.region"]
    assert {row[0] for row in todo[1:]} == {
        "FAIL",
        "FAIL (waived)",
        "ERROR",
        "WARN",
        "WARN (waived)",
        "skip",
    }
    # The passes are folded away; the things to fix are not.
    details = text.index("<details>")
    assert text.index("vars.naming") < details < text.index("vars.parse")
    assert "<summary>2 passed</summary>" in text


def test_the_verdict_and_counts_lead() -> None:
    text = render(every_status(), RenderOptions())
    first, _, counts = text.splitlines()[:3]
    assert first == ("## pxready: NOT READY - Teams Connector pexip-teamsconn-eu.teams.example.com")
    assert counts == (
        "**NOT READY** (exit code 1): 2 fail, 1 error, 2 warn, 1 skip, 2 pass, 2 waived."
    )
    assert rendered(render(all_pass(), RenderOptions())).tables[0][0] == [
        "Check",
        "Target",
        "Finding",
    ]
    assert "**READY** (exit code 0)" in render(all_pass(), RenderOptions())
    assert "Nothing to fix" in render(all_pass(), RenderOptions())


def test_pipes_newlines_tags_and_markup_in_results_stay_text() -> None:
    page = rendered(render(every_status(), RenderOptions()))
    todo = page.tables[0]
    naming = row_for(todo, "vars.naming")
    assert naming[3] == "base name 'contosoltd' has 10 characters | max 9\nat eu/variables.ps1:1"
    assert naming[4] == (
        "Shorten $PxBaseConnName:\n- at most 9 characters\n- a-z0-9 only\n"
        "The scale set name <details> is derived | from it."
    )
    skip = row_for(todo, "tls.node")
    assert skip[2] == HOSTILE_TARGET
    assert row_for(todo, "dns.connector-cname")[3] == "no CNAME record yet second line"
    # Only the report's own <details>/<summary> and <br> are markup; nothing from a message.
    assert page.tags.count("details") == 1
    assert "b" not in page.tags


def test_waivers_show_reason_and_expiry() -> None:
    todo = rendered(render(every_status(), RenderOptions())).tables[0]
    eku = row_for(todo, "connector-cert.eku")
    assert eku[0] == "FAIL (waived)"
    assert eku[3].endswith("Waived until 2027-03-01: clientAuth not needed | case 01234 & <ok>")


def test_control_characters_are_made_visible() -> None:
    assert "\x07" not in render(every_status(), RenderOptions())
    assert cell("a\x07b") == "a\ufffdb"


@pytest.mark.parametrize(
    "raw",
    [
        "$PxA and $PxB",
        "*.example.com and *b*",
        "a_b_c",
        "`x`",
        "[link](http://x)",
        "# heading",
        "~~gone~~",
        "&amp; &lt;",
    ],
)
def test_cells_keep_markdown_syntax_literal(raw: str) -> None:
    page = rendered(f"| h |\n|---|\n| {cell(raw)} |\n")
    assert page.tables[0][1] == [raw]
    assert set(page.tags) == {"table", "thead", "tr", "th", "tbody", "td"}


def test_notes_are_listed() -> None:
    text = render(every_status(), RenderOptions())
    assert "### Notes" in text
    assert "- waiver for 'azure.bot-name' matched no result \\| check its id" in text


def test_a_real_run_renders_markdown(deployment: Deployment) -> None:
    deployment.vars(GOOD_VARS.replace('"contoso"', '"contosoltd"'))
    run = deployment.check("--vars", "variables.ps1", "--offline", "--format", "markdown")
    assert run.code == 1, run.stderr
    page = rendered(run.stdout)
    naming = row_for(page.tables[0], "vars.naming")
    assert naming[0] == "FAIL"
    assert "variables.ps1:1" in naming[3]
    assert naming[4]  # the fix is there
    assert any(row[0] == "vars.parse" for row in page.tables[1])

    to_file = deployment.check("--vars", "variables.ps1", "--offline", "--output", "ticket.md")
    assert to_file.code == 1
    text = (deployment.root / "ticket.md").read_text(encoding="utf-8")
    assert text.startswith("## pxready: NOT READY")
    assert re.search(r"\| \*\*FAIL\*\* \| `vars\.naming` \|", text)
    assert html.unescape(text).count("<details>") == 1


@pytest.mark.parametrize("fmt", ["markdown", "junit", "sarif"])
def test_no_format_echoes_a_plaintext_password(deployment: Deployment, fmt: str) -> None:
    secret = "Sup3r-Secret-Passw0rd!"
    deployment.vars(GOOD_VARS + f'$PxWinAdminPassword = "{secret}"\n')
    run = deployment.check("--vars", "variables.ps1", "--offline", "--format", fmt)
    assert run.code == 1, run.stderr  # vars.secrets fails on the plain-text password
    assert "vars.secrets" in run.stdout
    assert secret not in run.stdout + run.stderr
