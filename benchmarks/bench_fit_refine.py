"""`intercluster fit --method refine`: finite differences and scanned profiles vs
sensitivities and the predictor-corrector profiles, side by side.

The fit of examples/fit_sim3.toml (sim3, N = 25, two mixing ratios of noisy data,
343 spectra each, k_dim, k_diss, k_ex free, combined objective, 2 Latin-hypercube
starts, profiles of the three constants and of k_dim/k_diss), run as the command a
user runs, in fresh processes, on the local cores (default: one worker per core):

- "finite differences": ``refine.jacobian = "2-point"`` (forward differences) and
  ``uncertainty.profile_method = "scan"`` (fixed steps of half a standard deviation,
  each re-optimised with finite differences): the path every fit took before the
  integrator had sensitivities;
- "sensitivities": the defaults (residuals and Jacobian from one integration with
  forward sensitivities; profiles by the secant search warm-started from the
  Gauss-Newton model).

Each is run with profiles and with Wald intervals only (``profiles = false``). Printed:
the command's wall time (imports, data, fit, tables and figures), the fit's own
time, ``n_simulations`` from fit.json (every integration), the intervals, and the
ratios new / old. Targets: optimum + Wald < 10 s, with profiles < 30 s, and
n_simulations <= 1/3 of the finite-difference path's; the intervals agree.

Run:  python benchmarks/bench_fit_refine.py [--workers 2] [--repeat 1] [--no-old]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "fit_sim3.toml"


def config(tmp: Path, name: str, *, jacobian: str, profile_method: str, profiles: bool) -> Path:
    """A copy of the example with absolute data paths and the given settings."""
    text = EXAMPLE.read_text()
    text = re.sub(
        r'path = "([^"]+)"',
        lambda m: f'path = "{(EXAMPLE.parent / m.group(1)).as_posix()}"',
        text,
    )
    text = text.replace("[refine]\n", f'[refine]\njacobian = "{jacobian}"\n')
    text = re.sub(r"profiles = \w+", f"profiles = {'true' if profiles else 'false'}", text)
    text = text.replace("[uncertainty]\n", f'[uncertainty]\nprofile_method = "{profile_method}"\n')
    path = tmp / f"{name}.toml"
    path.write_text(text)
    return path


def run(cfg: Path, out: Path, workers: int) -> dict:
    exe = shutil.which("intercluster", path=str(Path(sys.executable).parent)) or "intercluster"
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    subprocess.run(
        [
            exe,
            "fit",
            str(cfg),
            "--method",
            "refine",
            "--out",
            str(out),
            "--workers",
            str(workers),
            "--quiet",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t0
    fit = json.loads((out / "fit.json").read_text())
    return {
        "wall": wall,
        "fit": fit["wall_time_s"],
        "n_sim": fit["n_simulations"],
        "best": fit["best"],
        "intervals": fit.get("intervals_95") or {},
        "wald": fit.get("wald_intervals_95") or {},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each case (best is shown)")
    ap.add_argument("--no-old", action="store_true", help="skip the finite-difference path")
    args = ap.parse_args()
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"--workers {args.workers}, load average {os.getloadavg()[0]:.2f}"
    )
    cases = [
        ("sensitivities, Wald only", "auto", "secant", False),
        ("sensitivities + profiles", "auto", "secant", True),
    ]
    if not args.no_old:
        cases += [
            ("finite differences, Wald only", "2-point", "scan", False),
            ("finite differences + profiles", "2-point", "scan", True),
        ]
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-fit-refine-") as tmp:
        tmp = Path(tmp)
        for k, (name, jac, method, profiles) in enumerate(cases):
            cfg = config(tmp, f"case{k}", jacobian=jac, profile_method=method, profiles=profiles)
            runs = [run(cfg, tmp / f"out{k}", args.workers) for _ in range(args.repeat)]
            results[name] = min(runs, key=lambda r: r["wall"])
            r = results[name]
            print(
                f"{name:32s} command {r['wall']:6.1f} s  fit {r['fit']:6.1f} s  "
                f"n_simulations {r['n_sim']:5d}  best "
                + ", ".join(f"{n} {v:.5g}" for n, v in r["best"].items())
            )
    print()
    new = results["sensitivities + profiles"]
    print("intervals (95 %), sensitivities + profiles:")
    for n, iv in new["intervals"].items():
        w = new["wald"].get(n, {})
        line = (
            f"  {n:13s} profile {iv['lower']:.6g} .. {iv['upper']:.6g}   "
            f"Wald {w.get('lower', float('nan')):.6g} .. {w.get('upper', float('nan')):.6g}"
        )
        old = results.get("finite differences + profiles")
        if old and n in old["intervals"]:
            o = old["intervals"][n]
            half = (o["upper"] - o["lower"]) / 2
            diff = max(abs(iv["lower"] - o["lower"]), abs(iv["upper"] - o["upper"])) / half
            line += f"   finite-difference scan {o['lower']:.6g} .. {o['upper']:.6g} "
            line += f"(ends differ by {100 * diff:.2g} % of the half-width)"
        print(line)
    print()
    wald = results["sensitivities, Wald only"]
    print(f"optimum + Wald intervals: {wald['wall']:.1f} s (target < 10 s)")
    print(f"optimum + profile intervals: {new['wall']:.1f} s (target < 30 s)")
    old = results.get("finite differences + profiles")
    if old:
        print(
            f"n_simulations: {new['n_sim']} vs {old['n_sim']} with finite differences, "
            f"ratio {new['n_sim'] / old['n_sim']:.3f} (target <= 0.333); the same fit "
            f"before sensitivities: 1,106"
        )
        old_wald = results["finite differences, Wald only"]
        print(
            f"command time with profiles: ratio {new['wall'] / old['wall']:.3f}; "
            f"Wald only: ratio {wald['wall'] / old_wald['wall']:.3f}"
        )


if __name__ == "__main__":
    main()
