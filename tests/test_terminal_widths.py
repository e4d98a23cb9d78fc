"""The table on a real pseudo-terminal at 60, 80, 120 and 200 columns: every line fits, and no
name, flag, path or command is broken across lines (copied, it must still work)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.cli import FIXTURES, clean_env
from tests.support.terminal import on_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Tokens a reader copies: they must appear whole on one line.
WHOLE = [
    "pexip-teamsconn-eu.teams.example.com",
    "px-edge3.vc.example.com",
    "$PxBaseConnName",
    "variables.ps1:18",
    '"192.0.2.77"',
    "variables.ps1:9",
]


def failing_example(root: Path) -> Path:
    shutil.copytree(FIXTURES / "example", root)
    script = root / "variables.ps1"
    text = script.read_text(encoding="utf-8")
    text = text.replace('"contoso"', '"contosoltd"').replace(
        'px-edge2.vc.example.com"', 'px-edge2.vc.example.com,px-edge3.vc.example.com"'
    )
    script.write_text(text, encoding="utf-8")
    return root


def terminal_text(columns: int, cwd: Path, *args: str) -> str:
    env = clean_env({"PXREADY_PFX_PASSWORD": "pxready-example", "TERM": "xterm-256color"})
    env.pop("COLUMNS", None)
    shown = on_terminal(columns, cwd, *args, env=env)
    return ANSI.sub("", shown).replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [60, 80, 120, 200])
def test_every_line_fits_and_nothing_copied_is_broken(tmp_path: Path, columns: int) -> None:
    root = failing_example(tmp_path / "example")
    output = terminal_text(columns, root, "check", "--offline", "--consent-from", "192.0.2.77")
    # The progress line (stderr) is cleared with \r; the report is what remains.
    lines = [line.split("\r")[-1] for line in output.split("\n")]
    assert any(line.startswith("NOT READY") for line in lines), output
    for line in lines:
        # Only a token that cannot be broken may overrun: one word, or one `command` span.
        whole = line.strip().rstrip(".,;:")
        one_span = whole.startswith("`") and whole.endswith("`") and whole.count("`") == 2
        assert len(line) <= columns or len(whole.split()) == 1 or one_span, (columns, line)
    joined = "\n".join(lines)
    for token in WHOLE:
        assert token in joined, (token, joined)
    # A hyphenated name is never split at its hyphen.
    assert not re.search(r"[a-z0-9]-\n", joined), joined
    # The width is used: where messages wrap, they fill the line rather than being squeezed
    # into a narrow column.
    if columns in (80, 120):
        assert max(len(line) for line in lines) > columns * 0.9
