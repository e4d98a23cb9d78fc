"""The committed fixtures are exactly what their generator makes: regenerating changes nothing."""

from __future__ import annotations

import subprocess
import sys

from tests.support.cli import FIXTURES


def test_generated_pki_matches_the_committed_files() -> None:
    proc = subprocess.run(
        [sys.executable, str(FIXTURES / "generate_pki.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
