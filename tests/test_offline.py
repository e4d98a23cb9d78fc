"""The offline pre-commit path: no network library is imported and no socket is opened."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support.cli import FIXTURES, REPO

EXAMPLE = FIXTURES / "example" / "pxready.toml"
HEAVY = ("azure", "httpx", "httpcore", "dns", "msal", "requests", "urllib3", "ssl", "asyncio")

# Runs pxready in-process under an audit hook that records every socket operation, then
# reports what was imported and which sockets were touched.
PROBE = textwrap.dedent("""
    import json, os, runpy, socket, sys
    events = []

    def hook(event, args):
        if event == "socket.__new__":
            family = args[1]
            if family in (socket.AF_INET, socket.AF_INET6):
                events.append(event)
        elif event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                       "socket.sendto", "socket.bind"):
            events.append(event)

    sys.addaudithook(hook)
    sys.argv = ["pxready", *sys.argv[1:]]
    os.environ["PXREADY_PFX_PASSWORD"] = "pxready-example"
    code = 0
    try:
        runpy.run_module("readiness", run_name="__main__")
    except SystemExit as done:
        code = done.code
    sys.stderr.write("PROBE" + json.dumps({"code": code, "events": events,
                                            "modules": sorted(sys.modules)}) + "\\n")
""")


def probe(*args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("PROBE"))
    return json.loads(line[len("PROBE") :])  # type: ignore[no-any-return]


def test_offline_check_imports_no_network_library_and_opens_no_socket() -> None:
    found = probe("check", "--config", str(EXAMPLE), "--offline", "--format", "json")
    assert found["code"] in (0, 1), found["code"]
    modules = found["modules"]
    assert isinstance(modules, list)
    heavy = sorted({m.split(".")[0] for m in modules} & set(HEAVY))
    assert heavy == []
    assert found["events"] == []


def test_the_probe_sees_network_imports_when_they_happen() -> None:
    # The same probe on a command that does import a network library proves it can fail.
    code = PROBE.replace("sys.addaudithook(hook)", "sys.addaudithook(hook); import httpx")
    proc = subprocess.run(
        [sys.executable, "-c", code, "--version"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("PROBE"))
    assert "httpx" in json.loads(line[len("PROBE") :])["modules"]
