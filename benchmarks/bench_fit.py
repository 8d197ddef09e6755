"""Fitting speed: the paper's grid vs libRoadRunner, and time-to-fit of refine.

1. Grid. The full 2197-point grid (13 x 13 x 13, quarter-decade values 1e-3..1) of
   sim2 for N = 25 (377 species), scored by eq 1 against noise-free sim2 data
   (Table 1 constants, 40:40 nmol/L, dead time 20 s, spectra every 10 s to 3600 s),
   on P processes. libRoadRunner simulates our SBML export of the same network
   with the same tolerances on the same P processes for a random subset of the
   grid points (seeded); its time is extrapolated to 2197 points. Each
   libRoadRunner point does exactly what ours does: set the rate constants,
   simulate to the data times, sum dimer isomers into sum formulas, normalise,
   t_max, eq 1 (the post-processing is our numpy code on its output).
   libRoadRunner 2.10 resets every global parameter to its SBML value when an
   initial concentration is set, so each point resets the model first and sets
   k_dim, k_diss, k_ex after (initial values come from the SBML).
2. Time-to-fit. ``refine`` (least squares in log10 space) from Latin-hypercube
   starts on the same problem: simulations and wall time until its objective
   first reaches the grid's best objective, vs the grid's 2197 simulations.
   Twice: eq 1 on the noise-free data, and the combined objective on data with
   3 % noise and 5 % dropped spectra.

Run:  python benchmarks/bench_fit.py                    (needs: pip install -e '.[bench]')
      python benchmarks/bench_fit.py --rr-points 50 --processes 1
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import time

import numpy as np

RTOL, ATOL = 1e-8, 1e-12  # both tools; --rtol/--atol change them
N_ATOMS = 25
MIX = "Ag25:Au25 = 40:40"
DEAD, T_END, DT = 20.0, 3600.0, 10.0

_RR = {}


def _rr_init(sbml: str, observable_matrix, labels_n: int) -> None:
    import roadrunner

    rr = roadrunner.RoadRunner(sbml)
    rr.getIntegrator().setValue("relative_tolerance", RTOL)
    rr.getIntegrator().setValue("absolute_tolerance", ATOL)
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in rr.model.getFloatingSpeciesIds()]
    _RR["rr"] = rr
    _RR["M"] = observable_matrix
    ids = list(rr.model.getFloatingSpeciesIds())
    _RR["ids"] = ids


def _rr_point(args):
    """One grid point with libRoadRunner: t_max of every observable [s]."""
    from intercluster.kinetics.observables import normalise, t_max

    k_dim, k_diss, k_ex, order = args
    rr = _RR["rr"]
    t0 = time.perf_counter()
    rr.reset()
    rr["k_dim"], rr["k_diss"], rr["k_ex"] = k_dim, k_diss, k_ex
    n_out = round((DEAD + T_END) / DT) + 1
    try:
        res = np.array(rr.simulate(0.0, DEAD + T_END, n_out))
    except RuntimeError:
        return None, time.perf_counter() - t0
    y = res[round(DEAD / DT) :, 1:][:, order]  # species in our order, data times only
    inten = normalise(np.asarray(_RR["M"] @ y.T).T)
    return t_max(res[round(DEAD / DT) :, 0] - DEAD, inten), time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rr-points", type=int, default=200, help="libRoadRunner subset size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--starts", type=int, default=4, help="refine: Latin-hypercube starts")
    parser.add_argument("--rtol", type=float, default=1e-8, help="relative tolerance (both)")
    parser.add_argument("--atol", type=float, default=1e-12, help="absolute tolerance [nM] (both)")
    parser.add_argument("--no-time-to-fit", action="store_true", help="only the grid part")
    args = parser.parse_args()
    globals().update(RTOL=args.rtol, ATOL=args.atol)  # read by the worker initializer too

    import roadrunner

    from intercluster import ExchangeSystem, build_network
    from intercluster.fit.data import FitData
    from intercluster.fit.executors import ProcessExecutor
    from intercluster.fit.grid import grid_axes, grid_values, run_grid
    from intercluster.fit.objectives import ObjectiveSpec
    from intercluster.fit.problem import FitProblem, Parameter
    from intercluster.fit.refine import latin_hypercube, refine
    from intercluster.fit.synthetic import synthetic_intensities
    from intercluster.kinetics import initial_concentrations
    from intercluster.network import get_model
    from intercluster.network.sbml import species_ids, to_sbml

    P = args.processes
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}, libRoadRunner {roadrunner.__version__}; {P} process(es) "
        f"for both tools; rtol {RTOL:g}, atol {ATOL:g} nmol/L"
    )
    system = ExchangeSystem("Ag", "Au", N_ATOMS)
    true = dict(get_model("sim2").defaults)

    def make_data(**noise):
        return synthetic_intensities(
            system,
            "sim2",
            true,
            MIX,
            t_end_s=T_END,
            dt_s=DT,
            dead_time_s=DEAD,
            rtol=RTOL,
            atol_nM=ATOL,
            **noise,
        )

    t, labels, y = make_data()
    datasets = [FitData("40:40", t, labels, y, MIX, DEAD)]
    params = [Parameter(n, 1e-2, 1e-4, 1.0) for n in ("k_dim", "k_diss", "k_ex")]
    problem = FitProblem(
        system,
        "sim2",
        params,
        datasets,
        ObjectiveSpec(kind="eq1", flags="keep"),
        rtol=RTOL,
        atol_nM=ATOL,
    )
    axes = grid_axes(problem, "quarter-decade")
    values = grid_values(axes)
    n = len(values)

    # ---------------------------------------------------------------- ours
    import tempfile
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    with ProcessExecutor(problem, P) as ex:
        t_pool = time.perf_counter() - t0
        grid = run_grid(problem, axes, ex, tmp / "grid.csv", progress=False)
    t_ours = time.perf_counter() - t0
    secs = grid.table.seconds.to_numpy()
    print(f"\n1. full sim2 grid, N = 25: {n} points, eq 1 against noise-free Table 1 data")
    print(
        f"  intercluster: {t_ours:.1f} s on {P} processes ({t_ours / n * 1e3:.1f} ms per point "
        f"wall; per point in a worker: median {np.median(secs) * 1e3:.0f} ms, max "
        f"{secs.max() * 1e3:.0f} ms; pool start {t_pool:.2f} s; {grid.n_failed} failed)"
    )
    b = grid.best
    print(
        f"  best grid point: k_dim = {b.k_dim:.3g}, k_diss = {b.k_diss:.3g}, k_ex = "
        f"{b.k_ex:.3g}, eq 1 = {b.objective:.4g} s^2 (data: {true})"
    )
    slow = grid.table.sort_values("seconds").tail(3)
    print(
        "  slowest points: "
        + "; ".join(
            f"({r.k_dim:.3g}, {r.k_diss:.3g}, {r.k_ex:.3g}) {r.seconds * 1e3:.0f} ms"
            for r in slow.itertuples()
        )
    )

    # ------------------------------------------------------- libRoadRunner
    net = build_network(system, "sim2", true)
    x0 = initial_concentrations(system, MIX)
    sbml = to_sbml(net, x0)
    rng = np.random.default_rng(args.seed)
    subset = np.sort(rng.choice(n, size=min(args.rr_points, n), replace=False))
    ours_ids = species_ids(net)
    import roadrunner as _rrmod

    t0 = time.perf_counter()
    probe = _rrmod.RoadRunner(sbml)
    t_load = time.perf_counter() - t0  # each worker loads once, in parallel
    rr_ids = list(probe.model.getFloatingSpeciesIds())
    order = np.array([rr_ids.index(s) for s in ours_ids])
    M = net.observable_matrix
    tasks = [(*values[i], order) for i in subset]
    t0 = time.perf_counter()
    ctx = mp.get_context("fork")
    with ctx.Pool(P, initializer=_rr_init, initargs=(sbml, M, len(labels))) as pool:
        out = pool.map(_rr_point, tasks, chunksize=1)
    t_rr_sub = time.perf_counter() - t0  # includes each worker's load
    rr_secs = np.array([s for _, s in out])
    # the grid on P processes: one load per worker (in parallel), then the points
    # shared by the P workers; per-point times measured inside the workers
    t_rr_run = rr_secs.sum() / P * n / len(subset)
    t_rr_full = t_load + t_rr_run
    # agreement of eq 1 on the subset
    tmax_exp = problem.prepared()[0].tmax_exp
    eq1_rr = np.array(
        [np.nan if tm is None else float(np.sum((tm - tmax_exp) ** 2)) for tm, _ in out]
    )
    eq1_ours = grid.table.objective.to_numpy()[subset]
    ok = np.isfinite(eq1_rr) & np.isfinite(eq1_ours)
    rel = np.abs(eq1_rr[ok] - eq1_ours[ok]) / np.maximum(np.abs(eq1_ours[ok]), 1.0)
    print(
        f"  libRoadRunner: {len(subset)} random points (seed {args.seed}) in {t_rr_sub:.1f} s on "
        f"{P} processes including the SBML load (load {t_load:.1f} s; per point in a worker: "
        f"median {np.median(rr_secs) * 1e3:.0f} ms, max {rr_secs.max() * 1e3:.0f} ms; "
        f"{int((~np.isfinite(eq1_rr)).sum())} failed)"
    )
    print(
        f"  libRoadRunner EXTRAPOLATED to {n} points: {t_rr_full:.0f} s "
        f"(load {t_load:.1f} s + {rr_secs.sum():.1f} s of points / {P} processes x "
        f"{n}/{len(subset)})"
    )
    print(
        f"  eq 1 agreement on the subset: median relative difference {np.median(rel):.1e}, "
        f"same best point of the subset: "
        f"{int(np.nanargmin(eq1_rr)) == int(np.nanargmin(eq1_ours))}"
    )
    print(f"  ratio intercluster / libRoadRunner: {t_ours / t_rr_full:.3f}   (target <= 0.2)")

    if args.no_time_to_fit:
        return 0
    # ------------------------------------------------------- time to fit
    print("\n2. time-to-fit: refine from Latin-hypercube starts vs the grid's best objective")

    def time_to_fit(problem, grid_best, label, grid_time):
        with ProcessExecutor(problem, P) as ex:
            t0 = time.perf_counter()
            starts = latin_hypercube(problem, args.starts, seed=args.seed)
            res = refine(problem, starts, ex, max_evaluations=200)
            wall = time.perf_counter() - t0
        reach = [
            next((i + 1 for i, v in enumerate(h) if v <= grid_best), None) for h in res.history
        ]
        n_runs = [len(h) for h in res.history]
        hit = [r for r in reach if r is not None]
        # starts run in parallel: the first start that reaches the grid's best,
        # counted with the simulations every start had done by then
        to_reach = min(hit) * len(reach) if hit else None
        v = res.values
        print(
            f"  {label}: grid best {grid_best:.6g} ({n} simulations, {grid_time:.0f} s); refine "
            f"best {res.evaluation.value:.6g} at k_dim = {v['k_dim']:.4g}, k_diss = "
            f"{v['k_diss']:.4g}, k_ex = {v['k_ex']:.4g}"
        )
        print(
            f"    {args.starts} starts, simulations per start {n_runs}, reached the grid's best "
            f"after {reach} simulations; all starts together until the first reached it: "
            f"{to_reach}; total {res.n_evaluations} simulations in {wall:.1f} s"
        )
        if to_reach:
            print(
                f"    {n / to_reach:.0f}x fewer simulations than the grid to reach its best "
                f"(total refine: {n / res.n_evaluations:.0f}x fewer, {grid_time / wall:.0f}x "
                "less wall time)   (target >= 10x)"
            )

    time_to_fit(problem, float(b.objective), "eq 1, noise-free sim2 data", t_ours)

    t3, l3, y3 = make_data(noise_rel=0.03, dropout=0.05, seed=1)
    noisy = FitProblem(
        system,
        "sim2",
        params,
        [FitData("40:40", t3, l3, y3, MIX, DEAD)],
        ObjectiveSpec(kind="combined", smooth_s=120),
        rtol=RTOL,
        atol_nM=ATOL,
    )
    t0 = time.perf_counter()
    with ProcessExecutor(noisy, P) as ex:
        g2 = run_grid(noisy, axes, ex, tmp / "grid2.csv", progress=False)
    time_to_fit(
        noisy, float(g2.best.objective), "combined, 3 % noise + dropouts", time.perf_counter() - t0
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
