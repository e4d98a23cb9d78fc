"""Run pxready on a real pseudo-terminal (POSIX), as a user's console would show it."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

from tests.support.cli import REPO


def on_terminal(
    columns: int,
    cwd: Path,
    *args: str,
    env: dict[str, str],
    report_to_terminal: bool = True,
) -> str:
    """What the terminal received from `pxready ARGS`: stderr always, stdout too unless
    `report_to_terminal` is false (then only the progress line and diagnostics)."""
    import fcntl  # POSIX only: imported here so that Windows can collect the tests and skip
    import termios

    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "readiness", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO)},
        stdin=terminal if report_to_terminal else subprocess.DEVNULL,
        stdout=terminal if report_to_terminal else subprocess.DEVNULL,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")
