"""Kinetics speed: intercluster vs libRoadRunner (and SciPy LSODA) in one run.

Same model (our SBML export of N = 25, sim3, Table 1),
same tolerances (rtol 1e-8, atol 1e-12 nmol/L), same output grid (0..3620 s
every 1 s, 3621 points). Cold starts (network build + first simulation, and
libRoadRunner's load + first simulation) are measured in fresh processes,
imports excluded for both. Then the scale of N = 25, 44, 100, 144: time and
peak memory per simulation, each in its own process.

Run:  python benchmarks/bench_kinetics.py            (needs: pip install -e '.[bench]')
      python benchmarks/bench_kinetics.py --repeat 3 --no-scale
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys

import numpy as np

from _timing import median_time

RTOL, ATOL = 1e-8, 1e-12
T_END, N_OUT = 3620.0, 3621
MIXTURE = "Ag{N}:Au{N} = 40:40"

# Imports are excluded on both sides. xarray imports dask lazily on its first Dataset
# (~0.4 s when dask is installed); that import is done before the clock starts too.
WARM_IMPORTS = """
import xarray
xarray.Dataset({"x": ("t", [1.0])})
"""

COLD_OURS = (
    WARM_IMPORTS
    + """
import json, time
import numpy as np
from intercluster import ExchangeSystem, build_network
from intercluster.kinetics import simulate
t0 = time.perf_counter()
net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
ds = simulate(net, "Ag25:Au25 = 40:40", dead_time_s=0, t_end_s=3620, dt_s=1,
              rtol=1e-8, atol_nM=1e-12)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""
)

COLD_RR = """
import json, sys, time
import roadrunner
sbml = open(sys.argv[1]).read()
t0 = time.perf_counter()
rr = roadrunner.RoadRunner(sbml)
t1 = time.perf_counter()
rr.getIntegrator().setValue("relative_tolerance", 1e-8)
rr.getIntegrator().setValue("absolute_tolerance", 1e-12)
rr.simulate(0, 3620, 3621)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "seconds": t2 - t0}))
"""

SCALE = (
    WARM_IMPORTS
    + """
import json, sys, time
import numpy as np
from intercluster import ExchangeSystem, build_network
from intercluster.kinetics import initial_concentrations, simulate
from intercluster.thermo import equilibrium_state
N, t_end = int(sys.argv[1]), float(sys.argv[2])
mix = f"Ag{N}:Au{N} = 40:40"
t0 = time.perf_counter()
net = build_network(ExchangeSystem("Ag", "Au", N), "sim3")
t1 = time.perf_counter()
ds = simulate(net, mix, dead_time_s=0, t_end_s=t_end, dt_s=t_end / 100, rtol=1e-8, atol_nM=1e-12)
t2 = time.perf_counter()
eq = equilibrium_state(net, initial_concentrations(net.system, mix))
x = ds.concentration.isel(time=-1).values
mono, emono = x[: N + 1] / x[: N + 1].sum(), eq[: N + 1] / eq[: N + 1].sum()
print(json.dumps({
    "N": N, "species": net.n_species, "reactions": net.n_reactions, "t_end_s": t_end,
    "build_s": t1 - t0, "simulate_s": t2 - t1, "steps": int(ds.attrs["n_steps"]),
    "factorizations": int(ds.attrs["n_factorizations"]),
    "tv_to_equilibrium": float(0.5 * np.abs(mono - emono).sum()),
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's over exec
    "peak_rss_MB": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
                       .split()[1]) / 1024,
}))
"""
)


def run_json(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, help="warm repetitions (median)")
    parser.add_argument("--cold", type=int, default=3, help="fresh-process repetitions (median)")
    parser.add_argument("--no-scale", action="store_true", help="skip N = 44, 100, 144")
    args = parser.parse_args()

    import tempfile

    import roadrunner
    from scipy.integrate import solve_ivp

    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics import compile_network, initial_concentrations, simulate
    from intercluster.network.sbml import species_ids, to_sbml

    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}, "
        f"libRoadRunner {roadrunner.__version__}"
    )
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    x0 = initial_concentrations(net.system, MIXTURE.format(N=25))
    sbml = to_sbml(net, x0)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as fh:
        fh.write(sbml)
        sbml_path = fh.name

    # ---- warm: one simulation, median of --repeat
    def ours():
        return simulate(net, x0, dead_time_s=0, t_end_s=T_END, dt_s=1.0, rtol=RTOL, atol_nM=ATOL)

    ds = ours()
    t_ours = median_time(ours, args.repeat)

    rr = roadrunner.RoadRunner(sbml)
    rr.getIntegrator().setValue("relative_tolerance", RTOL)
    rr.getIntegrator().setValue("absolute_tolerance", ATOL)

    def rr_sim():
        rr.reset()
        return rr.simulate(0, T_END, N_OUT)

    res = rr_sim()
    t_rr = median_time(rr_sim, args.repeat)
    cols = list(res.colnames)
    rr_y = np.array(res)[:, [cols.index(f"[{i}]") for i in species_ids(net)]]
    diff = np.abs(rr_y - ds.concentration.values).max()

    cn = compile_network(net)
    t_eval = np.linspace(0, T_END, N_OUT)

    def lsoda():
        return solve_ivp(
            lambda t, y: cn.rhs(y),
            (0, T_END),
            x0,
            method="LSODA",
            t_eval=t_eval,
            rtol=RTOL,
            atol=ATOL,
            jac=lambda t, y: cn.jacobian_dense(y),
        )

    t_lsoda = median_time(lsoda, max(1, args.repeat // 2))

    # ---- cold: fresh processes
    cold_ours = statistics.median(run_json(COLD_OURS)["seconds"] for _ in range(args.cold))
    cold_rr_runs = [run_json(COLD_RR, sbml_path) for _ in range(args.cold)]
    cold_rr = statistics.median(r["seconds"] for r in cold_rr_runs)
    rr_load = statistics.median(r["load"] for r in cold_rr_runs)

    print("\nN = 25, sim3, 40:40 nmol/L, 0..3620 s, 3621 outputs, rtol 1e-8, atol 1e-12 nmol/L")
    print(f"  max |ours - libRoadRunner|            {diff:.2e} nmol/L")
    print(f"  simulate, median of {args.repeat}:")
    print(
        f"    intercluster                        {t_ours * 1e3:8.1f} ms   ({ds.attrs['n_steps']} "
        f"steps, {ds.attrs['n_rhs_evaluations']} RHS, {ds.attrs['n_factorizations']} LU)"
    )
    print(f"    libRoadRunner (CVODE)               {t_rr * 1e3:8.1f} ms")
    print(f"    SciPy LSODA, analytic Jacobian      {t_lsoda * 1e3:8.1f} ms")
    print(f"    ratio ours / libRoadRunner          {t_ours / t_rr:8.3f}   (target <= 0.2)")
    print(
        f"  cold start in a fresh process, median of {args.cold} (imports excluded, "
        "including xarray's lazy import of dask):"
    )
    print(f"    intercluster build + first run      {cold_ours * 1e3:8.1f} ms")
    print(
        f"    libRoadRunner load + first run      {cold_rr * 1e3:8.1f} ms   (load {rr_load:.2f} s)"
    )
    print(f"    ratio                               {cold_ours / cold_rr:8.4f}   (target <= 0.05)")

    if args.no_scale:
        return 0
    print("\nscale: sim3, 40:40, each N in its own process; 3600 s and to equilibrium (3.6e5 s)")
    print(
        f"  {'N':>4} {'species':>8} {'reactions':>9} {'t_end [s]':>9} {'build [s]':>9} "
        f"{'sim [s]':>8} {'steps':>6} {'LU':>4} {'TV to eq.':>10} {'peak MB':>8}"
    )
    rows = []
    for N in (25, 44, 100, 144):
        for t_end in (3600.0, 3.6e5):
            r = run_json(SCALE, str(N), str(t_end))
            rows.append(r)
            print(
                f"  {r['N']:>4} {r['species']:>8,} {r['reactions']:>9,} {r['t_end_s']:>9.3g} "
                f"{r['build_s']:>9.3f} {r['simulate_s']:>8.3f} {r['steps']:>6} "
                f"{r['factorizations']:>4} {r['tv_to_equilibrium']:>10.1e} "
                f"{r['peak_rss_MB']:>8.0f}"
            )
    eq_rows = [r for r in rows if r["t_end_s"] > 1e5]
    n_sp = np.array([r["species"] for r in eq_rows], float)
    t_sim = np.array([r["simulate_s"] for r in eq_rows])
    slope = np.polyfit(np.log(n_sp), np.log(t_sim), 1)[0]
    print(
        f"  time to equilibrium grows as (species)^{slope:.2f}; N = 144 took "
        f"{eq_rows[-1]['simulate_s']:.2f} s (target < 60 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
