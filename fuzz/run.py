"""Seed the corpora and run the three fuzz targets side by side for a bounded time.

    python fuzz/run.py [--seconds 60] [--jobs 2]

Seeds come from the repository's fixtures (variables scripts, PFX and PEM files) and, when the
`cryptography_vectors` package is installed (`pip install ".[fuzz]"`), its PKCS#12 files. Each
target runs with libFuzzer's limits: 10 s and 768 MiB per input. A finding (a crash, a slow or
a greedy input) is written to fuzz/findings/ and makes this exit 1; turn each one into a
regression test (tests/test_hostile_inputs.py) before fixing it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
FINDINGS = HERE / "findings"
TARGETS = ("variables", "pfx", "pem")
SEEDS = {
    "variables": ("*.ps1",),
    "pfx": ("*.pfx", "*.p12"),
    "pem": ("*.pem", "*.crt", "*.cer", "*.der"),
}


def _add(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if target == "pfx":
        data = b"\x00" + data  # the harness's first byte picks the fixtures' password
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)  # noqa: S324 - a file name


def seed() -> None:
    for target, patterns in SEEDS.items():
        for pattern in patterns:
            for path in (ROOT / "fixtures").rglob(pattern):
                if "plugin-example" not in path.parts:
                    _add(target, path.read_bytes())
    _add("variables", (ROOT / "tests" / "support" / "cli.py").read_bytes())
    try:
        import cryptography_vectors  # type: ignore[import-not-found]
    except ImportError:
        return
    vectors = Path(cryptography_vectors.__file__).parent
    for path in vectors.rglob("*.p12"):
        _add("pfx", path.read_bytes())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    seed()
    FINDINGS.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    running = {}
    for target in args.targets.split(","):
        command = [
            sys.executable,
            str(HERE / f"fuzz_{target}.py"),
            str(CORPUS / target),
            f"-max_total_time={args.seconds}",
            "-timeout=10",
            "-rss_limit_mb=768",
            "-max_len=65536",
            f"-artifact_prefix={FINDINGS}/{target}-",
            "-print_final_stats=1",
        ]
        log = (FINDINGS / f"{target}.log").open("w", encoding="utf-8")
        running[target] = (subprocess.Popen(command, stdout=log, stderr=log, env=env), log)
    started = time.monotonic()
    failed = []
    for target, (process, log) in running.items():
        code = process.wait(timeout=args.seconds * 3 + 120)
        log.close()
        if code != 0:
            failed.append(target)
    elapsed = time.monotonic() - started
    for target in running:
        stats = (FINDINGS / f"{target}.log").read_text(encoding="utf-8", errors="replace")
        runs = next((ln for ln in stats.splitlines() if "stat::number_of_executed_units" in ln), "")
        print(f"fuzz {target}: {'FINDING' if target in failed else 'ok'} {runs.split(':')[-1]}")
    print(f"fuzzed {len(running)} targets for {elapsed:.0f} s")
    if failed:
        print(f"findings in {FINDINGS}: {', '.join(failed)} (see the .log files)")
        return 1
    for log_file in FINDINGS.glob("*.log"):
        log_file.unlink()
    shutil.rmtree(FINDINGS, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
