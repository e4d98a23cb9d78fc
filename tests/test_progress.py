"""The live progress line: never wider than the terminal, names what is still awaited, and
is cleared before the report."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest

from readiness import Context, Finding, Needs, check, passed
from readiness.context import Run
from readiness.deployment import ConnectorInput, Deployment
from readiness.progress import Progress
from readiness.runner import run_checks

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def test_line_fits_names_the_awaited_check_and_is_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    release = threading.Event()
    stream = io.StringIO()
    progress = Progress(stream)

    @check(
        "dns.slow-lookup-of-a-long-name",
        "slow",
        reference="r",
        remediation="f",
        needs=Needs.NETWORK,
    )
    def slow(ctx: Context) -> Finding:
        release.wait(10)
        return passed("answered")

    @check("t.local", "local", reference="r", remediation="f")
    def local(ctx: Context) -> Finding:
        # The local job runs while the network one still waits: the line says so.
        shown = stream.getvalue().split("\r")[-1]
        release.set()
        return passed(shown)

    script = tmp_path / "v.ps1"
    script.write_text('$PxTeamsConnFqdn = "c.example.com"\n', encoding="utf-8")
    deployment = Deployment(connectors=(ConnectorInput(position=0, vars_path=script),))
    results = run_checks([slow, local], Run(deployment, NOW), progress=progress)
    during = results[1].message
    assert during.startswith("pxready: 0 of 2 checks done · waiting for dns.sl")
    assert during.endswith("…") and len(during) == 49  # one column short of the terminal
    parts = [p for p in stream.getvalue().split("\r") if p.strip()]
    assert all(len(p) <= 49 for p in parts)
    assert parts[-1].rstrip() == "pxready: 2 of 2 checks done"
    progress.clear()
    assert not stream.getvalue().split("\r")[-2].strip()
