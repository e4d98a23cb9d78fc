"""Start-up cost of the offline pre-commit path, against the floor of its own imports.

    python bench/offline_startup.py [--rounds 21]

Runs `pxready check --offline` on the example deployment and the floor
`python -c "import cryptography.x509, click, rich.console"` in the same environment,
interleaved (so a busy machine slows both alike), and prints the medians and their ratio.
Target: pxready within 1.5x the floor; pre-commit users feel every 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example" / "pxready.toml"
TARGET_RATIO = 1.5

# Time the `pxready` command the way users start it (the console script beside this Python),
# from a folder outside the checkout so that the installed package is what runs.
_SCRIPTS = Path(sys.executable).parent
_PXREADY = next((p for p in (_SCRIPTS / "pxready", _SCRIPTS / "pxready.exe") if p.exists()), None)
COMMANDS = {
    "floor": [sys.executable, "-c", "import cryptography.x509, click, rich.console"],
    "pxready": [
        *([str(_PXREADY)] if _PXREADY else [sys.executable, "-m", "readiness"]),
        "check",
        "--config",
        str(EXAMPLE),
        "--offline",
        "--format",
        "json",
    ],
}


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    env = {**os.environ, "PXREADY_PFX_PASSWORD": "pxready-example"}
    # Users' Pythons cache bytecode; a CI-style PYTHONDONTWRITEBYTECODE would time compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # warm the OS file cache once
        timed(command, env)
    for _ in range(args.rounds):
        for name, command in COMMANDS.items():
            samples[name].append(timed(command, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["pxready"] / medians["floor"]
    print(f"python {sys.version.split()[0]} on {sys.platform}, {args.rounds} interleaved rounds")
    for name, value in medians.items():
        print(f"  {name:<8} median {value * 1000:7.1f} ms")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"  ratio    {ratio:.2f}x the floor ({verdict} the {TARGET_RATIO}x target)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
