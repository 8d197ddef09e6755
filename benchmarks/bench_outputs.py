"""Where the time of a large `intercluster simulate` goes: imports, build, solve, write,
figures; and the whole command end to end.

Run from the repository root:  python benchmarks/bench_outputs.py [--sizes 60 144]

For each N (Ag_N/Au_N, sim3, 40:40 nmol/L, 0..3600 s every 1 s, default outputs) it runs
the steps of `simulate` in a fresh interpreter and prints their wall times, the size of
each file written, and the end-to-end wall time of the command itself. Targets: N = 60
within 4 s plus the solve time; N = 144 within 15 s. With --species-csv it also times
the optional species.csv (the old default).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
TARGETS = {60: ("4 s + solve", lambda split: 4.0 + split["solve"]), 144: ("15 s", lambda s: 15.0)}


def child(n_atoms: int, out: str, species_csv: bool, cpu: bool = False) -> None:
    """The steps of `intercluster simulate`, timed; prints one JSON line."""
    clock = time.process_time if cpu else time.perf_counter
    t0 = clock()
    from dataclasses import replace

    from intercluster.io import atomic_output_dir
    from intercluster.kinetics.config import SimulationConfig
    from intercluster.kinetics.results import write_result_files
    from intercluster.network.system import ExchangeSystem
    from intercluster.thermo.report import summarize

    t1 = clock()
    cfg = replace(
        SimulationConfig(),
        system=ExchangeSystem("Ag", "Au", n_atoms),
        initial=f"Ag{n_atoms}:Au{n_atoms} = 40:40",
        allow_large=True,
    )
    network = cfg.network()
    t2 = clock()
    ds = cfg.run()
    t3 = clock()
    summary = summarize(ds, network)
    with atomic_output_dir(out, overwrite=True) as tmp:
        files = write_result_files(ds, tmp, summary, cfg.to_dict(), species_csv=species_csv)
        t4 = clock()
        from intercluster.plot.kinetics import contour_figure, distribution_figure, save

        save(contour_figure(ds), tmp / "contour.png")
        save(distribution_figure(ds, summary), tmp / "distribution.png")
    t5 = clock()
    sizes = {f.name: (Path(out) / f.name).stat().st_size / 1e6 for f in files}
    split = {
        "imports": t1 - t0,
        "build": t2 - t1,
        "solve": t3 - t2,
        "write": t4 - t3,
        "figures": t5 - t4,
        "species": int(ds.sizes["species"]),
        "sizes_MB": sizes,
    }
    print(json.dumps(split))


def run_child(n_atoms: int, out: Path, species_csv: bool, cpu: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", str(n_atoms), "--out", str(out)]
    cmd += ["--cpu"] if cpu else []
    proc = subprocess.run(
        cmd + (["--species-csv"] if species_csv else []),
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def end_to_end(n_atoms: int, out: Path) -> float:
    cmd = [sys.executable, "-m", "intercluster.cli.main", "simulate", "--n-atoms", str(n_atoms)]
    cmd += ["--out", str(out), "--overwrite", "--quiet", "--allow-large"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 144], metavar="N")
    parser.add_argument(
        "--species-csv", action="store_true", help="also time the optional species.csv"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="also print the split in CPU time of the process (steadier on a busy machine)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts.child, opts.out, opts.species_csv, opts.cpu)
        return
    print(
        f"{'N':>4} {'species':>8} {'imports':>8} {'build':>6} {'solve':>6} {'write':>6} "
        f"{'figures':>8} {'sum':>6} {'command':>8}  target   files [MB]"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in opts.sizes:
            runs = [False, True] if opts.species_csv else [False]
            for species_csv in runs:
                s = run_child(n, Path(tmp) / f"r{n}", species_csv)
                total = sum(s[k] for k in ("imports", "build", "solve", "write", "figures"))
                wall = float("nan") if species_csv else end_to_end(n, Path(tmp) / f"e{n}")
                label, limit = TARGETS.get(n, ("-", lambda split: float("inf")))
                ok = "" if species_csv else ("ok" if wall <= limit(s) else "MISSED")
                files = ", ".join(f"{k} {v:.1f}" for k, v in s["sizes_MB"].items())
                print(
                    f"{n:>4} {s['species']:>8} {s['imports']:>8.2f} {s['build']:>6.2f} "
                    f"{s['solve']:>6.2f} {s['write']:>6.2f} {s['figures']:>8.2f} {total:>6.2f} "
                    f"{wall:>8.2f}  {label} {ok}  {files}"
                    + ("  (with species.csv)" if species_csv else "")
                )
                if opts.cpu:
                    c = run_child(n, Path(tmp) / f"c{n}", species_csv, cpu=True)
                    total = sum(c[k] for k in ("imports", "build", "solve", "write", "figures"))
                    print(
                        f"{'cpu':>4} {'':>8} {c['imports']:>8.2f} {c['build']:>6.2f} "
                        f"{c['solve']:>6.2f} {c['write']:>6.2f} {c['figures']:>8.2f} "
                        f"{total:>6.2f}"
                    )
    print(f"(wall times [s], one run each; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
