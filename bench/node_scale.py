"""How the offline check grows with the number of Conferencing Nodes.

    python bench/node_scale.py [--sizes 10,100,500] [--rounds 5]

For each size N it writes a deployment with N names in $PxNodeFqdns and N node certificate
files (each a leaf for one name, with its intermediate), runs the installed
`pxready check --offline` on it, and prints the median time above the example deployment's run
and the time per node. Target: 500 nodes within 1 s above the example, growing linearly.
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
sys.path.insert(0, str(ROOT))

from tests.support.cli import GOOD_VARS  # noqa: E402
from tests.support.pki import chain_pem, make_intermediate, make_leaf, make_root  # noqa: E402

EXAMPLE = ROOT / "fixtures" / "example" / "pxready.toml"
TARGET_SECONDS = 1.0
_SCRIPTS = Path(sys.executable).parent
_PXREADY = next((p for p in (_SCRIPTS / "pxready", _SCRIPTS / "pxready.exe") if p.exists()), None)
COMMAND = [str(_PXREADY)] if _PXREADY else [sys.executable, "-m", "readiness"]


def write_deployment(folder: Path, nodes: int) -> Path:
    root = make_root("Bench Root")
    intermediate = make_intermediate(root, "Bench Issuing CA")
    names = [f"px{i:04d}.vc.example.com" for i in range(nodes)]
    (folder / "certs").mkdir()
    for name in names:
        leaf = make_leaf(intermediate, [name])
        (folder / "certs" / f"{name}.pem").write_bytes(chain_pem(leaf, intermediate))
    (folder / "roots.pem").write_bytes(root.pem())
    script = GOOD_VARS.replace('"px-edge-pool.vc.example.com"', '"' + ",".join(names) + '"')
    (folder / "variables.ps1").write_text(script, encoding="utf-8")
    listed = ", ".join(f'"certs/{n}.pem"' for n in names)
    config = folder / "pxready.toml"
    config.write_text(
        f'[[connector]]\nvars = "variables.ps1"\n\n[nodes]\ncertificates = [{listed}]\n\n'
        '[trust]\nca_bundle = "roots.pem"\n',
        encoding="utf-8",
    )
    return config


def timed(config: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*COMMAND, "check", "--config", str(config), "--offline", "--format", "json",
         "--at", "2027-06-01"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        check=False,
        env={**os.environ, "PXREADY_PFX_PASSWORD": "pxready-example"},
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as temp:
        configs = {}
        for size in sizes:
            folder = Path(temp) / str(size)
            folder.mkdir()
            configs[size] = write_deployment(folder, size)
        samples: dict[str, list[float]] = {"example": [], **{str(s): [] for s in sizes}}
        for _ in range(args.rounds):  # interleaved, so a busy machine slows all alike
            samples["example"].append(timed(EXAMPLE))
            for size in sizes:
                samples[str(size)].append(timed(configs[size]))
    base = statistics.median(samples["example"])
    print(f"python {sys.version.split()[0]} on {sys.platform}, {args.rounds} rounds")
    print(f"  example deployment  {base * 1000:7.1f} ms")
    worst = 0.0
    for size in sizes:
        extra = statistics.median(samples[str(size)]) - base
        worst = max(worst, extra) if size == max(sizes) else worst
        per_node = extra / size * 1000
        print(f"  {size:4d} nodes  +{extra * 1000:7.1f} ms  ({per_node:.2f} ms per node)")
    verdict = "within" if worst <= TARGET_SECONDS else "OVER"
    print(f"  {max(sizes)} nodes cost {worst:.2f} s above the example ({verdict} the 1 s target)")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
