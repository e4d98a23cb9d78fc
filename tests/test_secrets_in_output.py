"""No output of any format, nor stderr, ever carries the PFX password or a script password."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import FIXTURES, pxready

FORMATS = ("table", "json", "markdown", "junit", "sarif")
EXTENSIONS = {"json": "json", "markdown": "md", "junit": "xml", "sarif": "sarif", "table": "txt"}
SCRIPT_PASSWORD = "Adm1n-Passw0rd-In-Script!"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    script = root / "variables.ps1"
    text = script.read_text(encoding="utf-8")
    script.write_text(text + f'$PxWinAdminPassword = "{SCRIPT_PASSWORD}"\n', encoding="utf-8")
    return root


@pytest.mark.parametrize("password", ["pxready-example", "Wr0ng-Passw0rd-123"])
def test_no_format_carries_a_password(example: Path, password: str) -> None:
    outputs = [f"{fmt}:report.{EXTENSIONS[fmt]}" for fmt in FORMATS]
    args = ["check", "--offline", "--verbose"]
    for spec in outputs:
        args += ["--output", spec]
    run = pxready(*args, cwd=example, env={"PXREADY_PFX_PASSWORD": password})
    assert run.code == 1  # vars.secrets fails on the script password; a wrong PFX one too
    texts = [run.stdout, run.stderr]
    texts += [(example / f"report.{EXTENSIONS[f]}").read_text(encoding="utf-8") for f in FORMATS]
    for fmt in FORMATS:
        shown = pxready(
            "check",
            "--offline",
            "--verbose",
            "--format",
            fmt,
            cwd=example,
            env={"PXREADY_PFX_PASSWORD": password},
        )
        texts += [shown.stdout, shown.stderr]
    for text in texts:
        assert password not in text
        assert SCRIPT_PASSWORD not in text
    assert any("vars.secrets" in text for text in texts)
    report = json.loads((example / "report.json").read_text(encoding="utf-8"))
    pfx = next(r for r in report["results"] if r["id"] == "connector-cert.pfx")
    assert pfx["status"] == ("pass" if password == "pxready-example" else "fail")
