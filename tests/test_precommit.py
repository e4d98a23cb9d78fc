"""The pre-commit hooks, installed by the real `pre-commit` from this checkout into a git repo.

pre-commit installs a hook repository from a git commit, so the test snapshots the current
working tree (dirty or not) into a throwaway repository and points `repo:` at it. Installing
the hook builds a virtualenv and pip-installs pxready with its dependencies from the package
index: slow the first time, hence the long timeout; it runs in CI all the same.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.cli import GOOD_VARS, REPO, pxready

# Build and tool caches of the working tree are not part of the hook repository.
_NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    "build",
    "dist",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".tox",
    ".coverage*",
)


def _git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PXREADY_", "GIT_"))}
    env.update(
        GIT_AUTHOR_NAME="pxready test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="pxready test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        # The developer's own git configuration (a global hooksPath, signing) must not leak in.
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(home),
        PYTHONIOENCODING="utf-8",
    )
    env.pop("NO_COLOR", None)
    return env


def _git(
    cwd: Path, env: dict[str, str], *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _snapshot_of_this_checkout(dest: Path, env: dict[str, str]) -> str:
    shutil.copytree(REPO, dest, ignore=_NOT_COPIED)
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "--no-verify", "-m", "snapshot for the pre-commit test")
    return _git(dest, env, "rev-parse", "HEAD").stdout.strip()


def _registered_ids() -> set[str]:
    run = pxready("checks", "--format", "json")
    assert run.code == 0, run.stderr
    return {row["id"] for row in run.json()}


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _toml(skip: list[str]) -> str:
    return f'[[connector]]\nvars = "variables.ps1"\n\n[checks]\nskip = {json.dumps(skip)}\n'


@pytest.mark.timeout(1500)
def test_hook_blocks_a_bad_deployment_and_lets_a_good_one_through(tmp_path: Path) -> None:
    env = _git_env(tmp_path / "pre-commit-home")
    rev = _snapshot_of_this_checkout(tmp_path / "pxready-src", env)
    hook_repo = (tmp_path / "pxready-src").as_posix()

    # The hook manifest in the checkout is the one users get.
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in manifest} == {"pxready", "pxready-online"}

    ids = _registered_ids()
    has_cert_checks = any(i.startswith("connector-cert.") for i in ids)
    # Certificate checks would judge the (absent) PFX; they get their own case below. A skip
    # pattern that matches no registered check is a usage error, hence only when registered.
    cert_checks = ["connector-cert.*"] if has_cert_checks else []

    config_repo = tmp_path / "deployment"
    config_repo.mkdir()
    _git(config_repo, env, "init", "-q")
    _write(
        config_repo,
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {json.dumps(hook_repo)}\n  rev: {rev}\n  hooks:\n  - id: pxready\n",
    )
    _write(config_repo, "pxready.toml", _toml(cert_checks))
    bad = GOOD_VARS.replace('$PxBaseConnName = "contoso"', '$PxBaseConnName = "contosoltd"')
    _write(config_repo, "variables.ps1", bad)

    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=config_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    _git(config_repo, env, "add", "-A")
    blocked = _git(config_repo, env, "commit", "-m", "bad base name", check=False, timeout=1200)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "vars.naming" in output and "FAIL" in output, output
    assert "NOT READY" in output, output
    assert _git(config_repo, env, "rev-list", "--all", check=False).stdout.strip() == ""

    _write(config_repo, "variables.ps1", GOOD_VARS)
    _git(config_repo, env, "add", "-A")
    allowed = _git(config_repo, env, "commit", "-m", "good deployment", check=False, timeout=600)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    # pre-commit shows a hook's output only when it fails.
    assert re.search(
        r"pxready \(Teams Connector readiness, offline\)\.+Passed", allowed.stdout + allowed.stderr
    )
    assert _git(config_repo, env, "log", "--format=%s").stdout.split("\n")[0] == "good deployment"

    # A commit touching none of the hook's files does not run pxready at all.
    _write(config_repo, "notes.txt", "change window: Saturday\n")
    _git(config_repo, env, "add", "-A")
    unrelated = _git(config_repo, env, "commit", "-m", "notes", check=False, timeout=600)
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert "no files to check" in unrelated.stdout + unrelated.stderr

    # A folder per region: only the deployment a commit touches is checked.
    _write(config_repo, "us/pxready.toml", _toml(cert_checks))
    _write(config_repo, "us/variables.ps1", bad.replace("-eu.", "-us."))
    _git(config_repo, env, "add", "-A")
    region = _git(config_repo, env, "commit", "-m", "us region", check=False, timeout=600)
    output = region.stdout + region.stderr
    assert region.returncode != 0, output
    assert "pexip-teamsconn-us.teams.example.com" in output and "naming" in output, output
    assert "pexip-teamsconn-eu" not in output, output  # the untouched region is not re-checked
    _write(config_repo, "us/variables.ps1", GOOD_VARS.replace("-eu.", "-us."))
    _git(config_repo, env, "add", "-A")
    fixed = _git(config_repo, env, "commit", "-m", "us region", check=False, timeout=600)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    if not has_cert_checks:
        return
    # With the certificate checks registered, a PFX that does not open blocks the commit too.
    _write(config_repo, "pxready.toml", _toml([]))
    (config_repo / "pexip-teams.pfx").write_bytes(b"this is not a PKCS#12 file")
    _git(config_repo, env, "add", "-A")
    cert = _git(config_repo, env, "commit", "-m", "broken pfx", check=False, timeout=600)
    output = cert.stdout + cert.stderr
    assert cert.returncode != 0, output
    assert "connector-cert.pfx" in output, output
