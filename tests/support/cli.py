"""Run pxready as users do (a fresh process), and write small deployments to run it on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def results(self, check_id: str) -> list[dict[str, Any]]:
        return [r for r in self.json()["results"] if r["id"] == check_id]

    def result(self, check_id: str) -> dict[str, Any]:
        found = self.results(check_id)
        assert len(found) == 1, f"{check_id}: {len(found)} results in {self.stdout[:2000]}"
        return found[0]


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a user who has set nothing for pxready."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PXREADY_") and k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")
    }
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


def pxready(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> Run:
    """Run the installed command in a fresh process, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "readiness", *args],
        cwd=cwd or REPO,
        env=clean_env(env),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class Deployment:
    """A folder with a variables script and a pxready.toml, written by a test."""

    root: Path

    def write(self, name: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).encode(encoding))
        return path

    def vars(self, text: str, name: str = "variables.ps1", encoding: str = "utf-8") -> Path:
        return self.write(name, text, encoding)

    def config(self, text: str) -> Path:
        return self.write("pxready.toml", text)

    def check(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """`pxready check` in a fresh process, in this folder."""
        return pxready("check", *args, cwd=self.root, env=env)

    def checks(
        self, *args: str, env: dict[str, str] | None = None, resources: dict[str, Any] | None = None
    ) -> Run:
        """The same run in this process (see `inprocess`): for tests of checks, not of the CLI.
        `resources` are shared clients to use instead of pxready's own (a test credential)."""
        from tests.support.inprocess import check_in_process

        return check_in_process(self.root, *args, env=env, resources=resources)


GOOD_VARS = """\
$PxBaseConnName = "contoso"
$PxVmssRegion = "eu"
$PxTeamsConnFqdn = "pexip-teamsconn-eu.teams.example.com"
$PxNodeFqdns = "px-edge-pool.vc.example.com"
$PxSubscriptionId = "00000000-0000-0000-0000-000000000000"
$PxAzureLocation = "westeurope"
$PxTeamsConnInstanceCount = "3"
$PxPfxCertFileName = ".\\pexip-teams.pfx"
$PxMgmtSrcAddrPrefixes = @( "203.0.113.10", "198.51.100.0/24" )
$PxNodesSourceAddressPrefixes = @( "192.0.2.20" ) + $PxMgmtSrcAddrPrefixes
"""
