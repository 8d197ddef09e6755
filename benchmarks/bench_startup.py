"""Start-up cost of each command: `python -X importtime` totals and wall times.

Run from the repository root:  python benchmarks/bench_startup.py [--repeat 5]

For each command it prints the total import time (the sum of the self times that
`-X importtime` reports), the three heaviest top-level packages, and the median wall
time of the whole command (a fresh interpreter each run, as a user starting it).
Target: `intercluster mass ION` under 0.5 s end to end.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def command_list(tmp: Path) -> list[tuple[str, list[str]]]:
    cfg = ROOT / "examples" / "sim3_40-40.toml"
    return [
        ("--help", ["--help"]),
        ("mass", ["mass", "[Ag25(DMBT)18]-"]),
        ("network", ["network", str(cfg)]),
        ("completion bash", ["completion", "bash"]),
        ("export-sbml", ["export-sbml", str(cfg), "--out", str(tmp / "m.xml"), "--overwrite"]),
        ("pattern", ["pattern", "[Ag25(DMBT)18]-", "--out", str(tmp / "p.csv"), "--overwrite"]),
    ]


def run(args: list[str], importtime: bool = False) -> tuple[float, str]:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else [])]
    cmd += ["-m", "intercluster.cli.main", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall, proc.stderr


def import_totals(stderr: str) -> tuple[float, list[tuple[str, float]]]:
    """Total import time [s] and the heaviest distributions [s] (self times of all their
    modules, so numpy's time counts for numpy whoever imports it)."""
    total_us = 0
    packages: dict[str, int] = defaultdict(int)
    for m in LINE.finditer(stderr):
        self_us, name = int(m[1]), m[4]
        total_us += self_us
        packages[name.split(".")[0]] += self_us
    heavy = sorted(packages.items(), key=lambda kv: -kv[1])[:3]
    return total_us / 1e6, [(k, v / 1e6) for k, v in heavy]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="wall-time runs per command (5)")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        commands = command_list(Path(tmp))
        run(["--help"])  # warm the file cache
        bare = statistics.median(run_python_only() for _ in range(opts.repeat))
        print(f"python -c pass (interpreter alone): {bare:.3f} s")
        print(f"{'command':<18} {'imports [s]':>11} {'wall [s]':>9}  heaviest imports [s]")
        for label, args in commands:
            _, stderr = run(args, importtime=True)
            total, heavy = import_totals(stderr)
            wall = statistics.median(run(args)[0] for _ in range(opts.repeat))
            top = ", ".join(f"{k} {v:.2f}" for k, v in heavy)
            print(f"{label:<18} {total:>11.3f} {wall:>9.3f}  {top}")
    print(f"(medians of {opts.repeat} runs; Python {sys.version.split()[0]})")


def run_python_only() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
