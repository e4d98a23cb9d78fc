"""Fixtures shared by the tests. Helpers live in `tests.support` and are imported from there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.arm_fixtures import arm_server, azure_credential
from tests.support.cli import FIXTURES, REPO, Deployment
from tests.support.fixtures import dns_server, http_server, test_pki

# Fixtures defined in tests.support and shared by every test module.
__all__ = ["arm_server", "azure_credential", "dns_server", "http_server", "test_pki"]


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    return Deployment(tmp_path)


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example and the faulty plugin packages, installed into a site folder of their own."""
    target = tmp_path_factory.mktemp("site")
    for package in (FIXTURES / "plugin-example", REPO / "tests" / "data" / "plugin-faulty"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--target",
                str(target),
                str(package),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    return target
