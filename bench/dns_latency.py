"""What the DNS checks cost against a slow resolver, above the same run offline.

    python bench/dns_latency.py [--names 30,500] [--rounds 5]

For each size N it copies the example deployment, sets $PxNodeFqdns to N names
(px-node-001.vc.example.com, …) and points [dns] nameservers at its own DNS server on
127.0.0.1, started in this process, that delays every answer by 300 ms. Each name has an A
record with a public address (its AAAA question is NODATA, delayed alike); $PxTeamsConnFqdn is a
CNAME to an Azure name with an A record: 2N + 3 questions. It runs the installed
`pxready check --timeout 5` online and with --offline, interleaved (so a busy machine slows both
alike), and prints the difference of the medians, which is what dns.connector-cname and
dns.node-public cost: asked side by side, the questions should cost about one delay, not one
each. It also prints the CPU time the DNS server used per online run, since on a machine with
few cores it competes with pxready. Target: 30 names within 0.45 s above offline (one delay is
0.30 s; one name after another would take 9 s); 500 names within 3 s.

Both variants skip tls.node, aia.redirect and revocation.urls: the benchmark isolates the
resolver, and TLS to the nodes' made-up addresses (or fetching the URLs in the certificates)
would time out connection attempts instead. Exit code 0 unless a pxready run fails (exit 2 or
more) or its DNS checks do not pass: it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.dns_server import DnsServer  # noqa: E402

EXAMPLE = ROOT / "fixtures" / "example"
DELAY = 0.3
TARGETS = {30: 0.45, 500: 3.0}  # seconds above the offline run
CONNECTOR = "pexip-teamsconn-eu.teams.example.com"
AZURE = "pxtceu.westeurope.cloudapp.azure.com"
# Public (globally routable) addresses for the made-up names; nothing connects to them.
FIRST_ADDRESS = ipaddress.IPv4Address("20.61.0.0")
DNS_CHECKS = ("dns.connector-cname", "dns.node-public")
_SCRIPTS = Path(sys.executable).parent
_PXREADY = next((p for p in (_SCRIPTS / "pxready", _SCRIPTS / "pxready.exe") if p.exists()), None)
COMMAND = [str(_PXREADY)] if _PXREADY else [sys.executable, "-m", "readiness"]
FLAGS = ["--format", "json", "--timeout", "5",
         "--skip", "tls.node", "--skip", "aia.redirect", "--skip", "revocation.urls"]  # fmt: skip


def start_server(stack: contextlib.ExitStack, names: list[str]) -> DnsServer:
    """A server of its own per size: this one's cost per answer grows with its zone."""
    dns_server = stack.enter_context(DnsServer())
    dns_server.add(CONNECTOR, "CNAME", f"{AZURE}.")
    dns_server.add(AZURE, "A", str(FIRST_ADDRESS))
    for i, name in enumerate(names, start=1):
        dns_server.add(name, "A", str(FIRST_ADDRESS + i))
    dns_server.delay_all(DELAY)
    return dns_server


def write_deployment(folder: Path, names: list[str], dns_server: DnsServer) -> Path:
    shutil.copytree(EXAMPLE, folder)
    script = folder / "variables.ps1"
    text = script.read_text(encoding="utf-8")
    start = text.index("$PxNodeFqdns = ")
    end = text.index("\n", start)
    text = text[:start] + f'$PxNodeFqdns = "{",".join(names)}"' + text[end:]
    script.write_text(text, encoding="utf-8")
    config = folder / "pxready.toml"
    with config.open("a", encoding="utf-8") as file:
        file.write(f'\n[dns]\nnameservers = ["{dns_server.nameserver}"]\n')
    return config


def run(config: Path, offline: bool, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "check", "--config", str(config), *FLAGS, *(["--offline"] if offline else [])],
        env=env,
        cwd=config.parent,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        check=False,
    )


def problem(done: subprocess.CompletedProcess[str], size: int, offline: bool) -> str | None:
    """Why a run does not measure what it should (it failed, or its DNS checks did not pass)."""
    if done.returncode >= 2 or done.returncode < 0:
        return f"exit {done.returncode}: {done.stderr.strip()[-2000:]}"
    try:
        results = json.loads(done.stdout)["results"]
    except (ValueError, KeyError, TypeError) as exc:
        return f"no JSON report ({exc}): {done.stdout[:500]}"
    dns_results = [r for r in results if r["id"] in DNS_CHECKS]
    expected = "skip" if offline else "pass"
    wrong = [r for r in dns_results if r["status"] != expected]
    if wrong or not dns_results or (not offline and len(dns_results) != size + 1):
        return f"{len(dns_results)} DNS results, expected {expected}: {wrong[:3]}"
    return None


def timed(config: Path, offline: bool, env: dict[str, str]) -> tuple[float, float]:
    """Seconds of the run, and of CPU this process (the DNS servers) used meanwhile."""
    start, cpu = time.perf_counter(), time.process_time()
    done = run(config, offline, env)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if done.returncode >= 2 or done.returncode < 0:
        raise SystemExit(f"pxready check failed, exit {done.returncode}: {done.stderr.strip()}")
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", default="30,500")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.names.split(",")]
    env = {**os.environ, "PXREADY_PFX_PASSWORD": "pxready-example"}
    # Users' Pythons cache bytecode; a CI-style PYTHONDONTWRITEBYTECODE would time compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    variants = {"online": False, "offline": True}
    samples: dict[tuple[int, str], list[float]] = {
        (size, variant): [] for size in sizes for variant in variants
    }
    server_cpu: dict[int, list[float]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory() as temp, contextlib.ExitStack() as stack:
        configs = {}
        for size in sizes:
            names = [f"px-node-{i:03d}.vc.example.com" for i in range(1, size + 1)]
            dns_server = start_server(stack, names)
            configs[size] = write_deployment(Path(temp) / str(size), names, dns_server)
        for size, config in configs.items():  # check what is measured; warms the file cache
            for variant, offline in variants.items():
                why = problem(run(config, offline, env), size, offline)
                if why is not None:
                    print(f"{size} names, {variant}: {why}", file=sys.stderr)
                    return 1
        for _ in range(args.rounds):  # interleaved, so a busy machine slows all alike
            for size, config in configs.items():
                for variant, offline in variants.items():
                    elapsed, cpu = timed(config, offline, env)
                    samples[size, variant].append(elapsed)
                    if not offline:
                        server_cpu[size].append(cpu)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    print(
        f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} cores, "
        f"{args.rounds} interleaved rounds, every DNS answer {DELAY * 1000:.0f} ms late"
    )
    for size in sizes:
        online, base = medians[size, "online"], medians[size, "offline"]
        extra = online - base
        target = TARGETS.get(size)
        verdict = "no target"
        if target is not None:
            verdict = f"{'within' if extra <= target else 'OVER'} the {target:g} s target"
        print(
            f"  {size:4d} names  online {online * 1000:7.1f} ms  offline {base * 1000:7.1f} ms"
            f"  +{extra:.2f} s ({verdict})"
        )
    cpu_text = ", ".join(
        f"{statistics.median(server_cpu[size]):.2f} s ({size} names)" for size in sizes
    )
    print(f"  the DNS server's CPU per online run: {cpu_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
