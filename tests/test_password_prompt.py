"""On a terminal pxready asks for the PFX password, without echoing it, before the run."""

from __future__ import annotations

import os
import select
import sys
import time

import pytest

from tests.support.cli import FIXTURES

pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal")

PASSWORD = b"pxready-example"


def run_on_terminal(answer: bytes, newline: bytes = b"\n") -> tuple[bytes, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: pxready on a terminal, with no password in the environment
        os.chdir(FIXTURES / "example")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PXREADY_")}
        env["NO_COLOR"] = "1"
        os.execve(
            sys.executable,
            [sys.executable, "-m", "readiness", "check", "--offline", "--only", "connector-cert.*"],
            env,
        )
    out, sent = b"", False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        if b"Password for" in out and not sent:
            os.write(fd, answer + newline)
            sent = True
    _, status = os.waitpid(pid, 0)
    return out, os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")
def test_prompted_password_opens_the_pfx_and_is_never_echoed() -> None:
    out, code = run_on_terminal(PASSWORD)
    assert code == 0
    assert b"Password for pexip-teams.pfx" in out
    assert b"READY: 7 pass (exit 0)" in out
    assert PASSWORD not in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")
def test_a_wrong_prompted_password_fails_the_pfx_check() -> None:
    out, code = run_on_terminal(b"not-the-password")
    assert code == 1
    assert b"the password you typed does not open pexip-teams.pfx" in b" ".join(out.split())
    assert b"not-the-password" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")
def test_ctrl_c_at_the_prompt_is_exit_130_with_one_line() -> None:
    out, code = run_on_terminal(b"\x03", newline=b"")
    assert code == 130
    after = out.split(b"(not echoed", 1)[1].decode()
    lines = [line for line in after.replace("\r", "").split("\n") if line.strip()]
    assert lines[-1].strip() == "pxready: interrupted", out
    assert "Traceback" not in after and "NOT READY" not in after and "Aborted" not in after
