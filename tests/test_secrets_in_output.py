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


# A password that flows into other variables, in every way a script can pass it on.
FLOWING = [
    ("long", "Tr0ub4dor&3-Horse"),
    ("short", "Ab1!"),
]


def _flowing_script(password: str) -> str:
    text = (FIXTURES / "example" / "variables.ps1").read_text(encoding="utf-8")
    return (
        text
        + f'$PxWinAdminPassword = "{password}"\n'
        + "$PxAzureLocation = $PxWinAdminPassword\n"
        + '$PxTeamsConnFqdn = "$PxWinAdminPassword.example.com"\n'
        + '$PxNodeFqdns = "$($PxWinAdminPassword.ToLower()).example.com"\n'
        + "$PxMgmtSrcAddrPrefixes = @($PxWinAdminPassword)\n"
        + "$PxBaseConnName = $PxWinAdminPassword + $PxVmssRegion\n"
    )


def _leaks(text: str, password: str) -> bool:
    return password.lower() in text.lower()


@pytest.mark.parametrize(("kind", "password"), FLOWING, ids=[k for k, _ in FLOWING])
def test_values_made_from_a_password_reach_no_output(
    tmp_path: Path, kind: str, password: str
) -> None:
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    (root / "variables.ps1").write_text(_flowing_script(password), encoding="utf-8")
    env = {"PXREADY_PFX_PASSWORD": "pxready-example"}
    texts: list[str] = []
    outputs = []
    for fmt in FORMATS:
        outputs += ["--output", f"{fmt}:report.{EXTENSIONS[fmt]}"]
        run = pxready("check", "--offline", "--verbose", "--format", fmt, cwd=root, env=env)
        texts += [run.stdout, run.stderr]
    run = pxready("check", "--offline", *outputs, cwd=root, env=env)
    texts += [run.stdout, run.stderr]
    texts += [(root / f"report.{EXTENSIONS[f]}").read_text(encoding="utf-8") for f in FORMATS]
    for fmt in ("table", "json", "csv"):
        run = pxready("firewall", "--format", fmt, cwd=root)
        texts += [run.stdout, run.stderr]
    for command in (("checks",), ("explain", "vars.secrets"), ("schema",)):
        run = pxready(*command, cwd=root)
        texts += [run.stdout, run.stderr]
    run = pxready("init", "variables.ps1", "--force", cwd=root)
    texts += [run.stdout, run.stderr, (root / "pxready.toml").read_text(encoding="utf-8")]
    for text in texts:
        assert not _leaks(text, password), text[:3000]
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"]["azure_location"] is None
    assert report["inputs"]["connector_fqdn"] is None
    parse = next(r for r in report["results"] if r["id"] == "vars.parse")
    made = {u["variable"]: u["reason"] for u in parse["details"]["unevaluated"]}
    assert "made from the secret $PxWinAdminPassword" in made["$PxAzureLocation"]
