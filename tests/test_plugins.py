"""Third-party check plugins: found through the entry-point group, run like built-ins."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.cli import GOOD_VARS, Deployment, pxready


def with_site(site: Path) -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


def test_plugin_checks_are_listed_with_their_metadata(plugin_site: Path) -> None:
    run = pxready("checks", "--format", "json", env=with_site(plugin_site))
    listed = {c["id"]: c for c in run.json()}
    assert listed["acme.redundancy"]["title"] == "Connector runs at least two instances"
    assert listed["acme.redundancy"]["needs"] == "offline"
    assert listed["acme.redundancy"]["plugin"] == "pxready-acme"
    assert "vars.parse" in listed  # the built-ins are still there
    assert "missing" in run.stderr and "cannot be loaded" in run.stderr


def test_plugin_checks_run_and_a_raising_check_is_an_error(
    plugin_site: Path, deployment: Deployment
) -> None:
    deployment.vars(GOOD_VARS.replace('"3"', '"1"'))
    run = deployment.check(
        "--vars",
        "variables.ps1",
        "--format",
        "json",
        "--offline",
        "--only",
        "vars.*",
        "--only",
        "acme.*",
        "--only",
        "faulty.*",
        env=with_site(plugin_site),
    )
    assert run.result("acme.redundancy")["status"] == "warn"
    assert run.result("acme.domain")["status"] == "pass"
    raised = run.result("faulty.raises")
    assert raised["status"] == "error"
    assert "RuntimeError" in raised["message"] and "bug in the check" in raised["message"]
    broken = [r for r in run.json()["results"] if r["id"] == "pxready.plugin"]
    assert [r["target"] for r in broken] == ["missing"]
    assert broken[0]["status"] == "error"
    # The other checks still ran, and the verdict is inconclusive rather than a crash.
    assert run.result("vars.naming")["status"] == "pass"
    assert run.code == 3
    assert "Traceback" not in run.stderr


def test_explain_shows_a_plugin_docstring(plugin_site: Path) -> None:
    run = pxready("explain", "acme.redundancy", env=with_site(plugin_site))
    assert run.code == 0
    assert "calls drop" not in run.stdout  # a message, not the explanation
    assert "Azure patches it" in run.stdout
    assert "Set $PxTeamsConnInstanceCount to 2 or more." in run.stdout
