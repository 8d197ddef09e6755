"""The whole fit: output folder, grid, refinement, uncertainty, outputs.

:func:`run_fit` is what ``intercluster fit`` calls. The output folder holds

- ``fit-config.toml``: the resolved configuration (data files with SHA-256),
  written first; a rerun with a different configuration is refused with the
  differences listed;
- ``grid.csv``: the grid journal, appended point by point (resumable);
- at the end, each written atomically: ``fit.json``, ``tmax.csv``,
  ``profiles.csv``, ``mcmc_samples.csv`` (mcmc), and the figures
  ``fit_contours.png`` (data vs best fit, as Figure 3 of the paper),
  ``landscape.png`` (objective over pairs of parameters, from the grid),
  ``profiles.png`` and ``mcmc_corner.png``.
"""

from __future__ import annotations

import json
import os
import time as _time
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError

__all__ = ["METHODS", "prepare_output", "run_fit"]

METHODS = ("grid", "refine", "grid+refine", "mcmc")
CONFIG_FILE = "fit-config.toml"


def prepare_output(out: str | os.PathLike, resolved: dict) -> tuple[Path, bool]:
    """Create the output folder or check that it may be resumed.

    Returns
    -------
    (path, resumed)

    Raises
    ------
    ConfigError
        If ``out`` is a file, a folder that is not a fit folder, or a fit folder
        whose stored configuration differs (the differences are listed).
    """
    import tomli_w

    from intercluster.fit.config import config_diff
    from intercluster.io import atomic_file, check_output_dir
    from intercluster.kinetics.config import load_toml

    out = Path(out)
    stored = out / CONFIG_FILE
    if out.exists():
        if not out.is_dir():
            raise ConfigError(f"--out = {str(out)!r}: is a file; give a folder name")
        if not stored.exists():
            if any(out.iterdir()):
                raise ConfigError(
                    f"--out = {str(out)!r}: the folder exists and is not a fit folder (no "
                    f"{CONFIG_FILE}); choose another name"
                )
        else:
            diff = config_diff(load_toml(stored), resolved)
            if diff:
                raise ConfigError(
                    f"--out = {str(out)!r} holds a fit with a different configuration; "
                    f"refusing to resume ({len(diff)} difference(s): "
                    + "; ".join(diff)
                    + "); use a new --out folder or restore the configuration"
                )
            return out, True
    else:
        check_output_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_file(stored) as tmp:
        tmp.write_bytes(tomli_w.dumps(resolved).encode())
    return out, False


def _drivers(problem, theta, k: int = 10) -> list[dict]:
    """The observables that contribute most to the objective at ``theta``."""
    spec = problem.objective
    rows = []
    if spec.uses_tmax:
        scale = 1.0 if spec.kind == "eq1" else spec.tmax_weight / spec.sigma_t_s**2
        for r in problem.tmax_table(theta):
            c = r.get("eq1_contribution_s2", 0.0)
            if c > 0:
                rows.append(
                    {
                        "dataset": r["dataset"],
                        "observable": r["observable"],
                        "term": "t_max",
                        "contribution": c * scale,
                        "t_max_data_s": r["t_max_data_s"],
                        "t_max_fit_s": r["t_max_fit_s"],
                    }
                )
    if spec.uses_intensity:
        scale = 1.0 if spec.kind == "intensity" else spec.intensity_weight
        for r in problem.intensity_contributions(theta):
            rows.append(
                {
                    "dataset": r["dataset"],
                    "observable": r["observable"],
                    "term": "intensity",
                    "contribution": r["chi2"] * scale,
                }
            )
    total = sum(r["contribution"] for r in rows) or 1.0
    rows.sort(key=lambda r: -r["contribution"])
    for r in rows:
        r["share"] = r["contribution"] / total
    return rows[:k]


def run_fit(
    cfg,
    out: str | os.PathLike,
    *,
    method: str = "grid+refine",
    executor=None,
    progress: bool = True,
    plots: bool = True,
    say=print,
):
    """Run a fit into ``out`` (created, or resumed if its configuration matches).

    Parameters
    ----------
    cfg : FitConfig
    out : output folder
    method : {"grid", "refine", "grid+refine", "mcmc"}
    executor : executor (default: local processes, one per core)
    progress : bool
        Progress bars.
    plots : bool
        Write the figures.
    say : callable
        Where progress lines go.

    Returns
    -------
    FitResult

    Raises
    ------
    ConfigError
        Unknown method, or an output folder that may not be used.
    """
    from intercluster.fit.executors import make_executor
    from intercluster.fit.grid import grid_axes, grid_profiles, run_grid, write_grid_table
    from intercluster.fit.refine import latin_hypercube, refine
    from intercluster.fit.result import FitResult
    from intercluster.fit.uncertainty import profile_intervals, run_mcmc

    if method not in METHODS:
        raise ConfigError(f"--method = {method!r}: one of {', '.join(METHODS)}")
    problem = cfg.problem
    start = _time.perf_counter()
    out, _ = prepare_output(out, cfg.resolved)
    own_executor = executor is None
    if own_executor:
        executor = make_executor(problem)
    notes = [n for d in problem.datasets for n in d.notes]
    stages: dict = {}
    n_eval = 0
    names = problem.free_names
    grid = None
    try:
        # ------------------------------------------------------------- grid
        if method in ("grid", "grid+refine"):
            axes = grid_axes(problem, cfg.grid["preset"], cfg.grid["points"])
            n_pts = int(np.prod([len(a) for a in axes]))
            say(
                f"grid: {n_pts} points ({' x '.join(str(len(a)) for a in axes)}, "
                f"{cfg.grid['preset']}) on {executor.n_workers} worker(s) ({executor.name})"
            )
            grid = run_grid(problem, axes, executor, out / "grid.csv", progress=progress)
            write_grid_table(grid, out / "grid.csv")
            n_eval += grid.n_new
            b = grid.best
            stages["grid"] = {
                "preset": cfg.grid["preset"],
                "axes": {n: a.tolist() for n, a in zip(names, axes)},
                "points": n_pts,
                "evaluated_now": grid.n_new,
                "resumed": grid.n_resumed,
                "failed": grid.n_failed,
                "wall_time_s": grid.wall_time_s,
                "best": {**{n: float(b[n]) for n in names}, "objective": float(b.objective)},
                "profiles": grid_profiles(grid),
            }
            if grid.n_failed:
                notes.append(f"grid: {grid.n_failed} point(s) failed (status in grid.csv)")
            say(
                f"grid: best objective {b.objective:.6g} at "
                + ", ".join(f"{n} = {b[n]:.3g}" for n in names)
                + f" ({grid.n_new} evaluated now, {grid.n_resumed} resumed, {grid.n_failed} "
                f"failed, {grid.wall_time_s:.1f} s)"
            )
        # ----------------------------------------------------------- refine
        ref = None
        if method in ("refine", "grid+refine", "mcmc"):
            k = cfg.refine["starts"]
            if grid is not None:
                starts = grid.best_thetas(problem, k)
                origin = f"the {len(starts)} best grid points"
            else:
                starts = latin_hypercube(problem, k, seed=cfg.refine["seed"])
                origin = f"{k} Latin-hypercube points (seed {cfg.refine['seed']})"
            say(f"refine: least squares in log10 space from {origin}")
            ref = refine(
                problem,
                starts,
                executor,
                max_evaluations=cfg.refine["max_evaluations"],
                diff_step=cfg.refine["diff_step"],
            )
            n_eval += ref.n_evaluations
            stages["refine"] = {
                "starts": ref.starts,
                "evaluations": ref.n_evaluations,
                "wall_time_s": ref.wall_time_s,
            }
            if grid is not None:
                gbest = float(grid.best.objective)
                reached = [
                    next((i + 1 for i, v in enumerate(h) if v <= gbest), None) for h in ref.history
                ]
                stages["refine"]["evaluations_to_grid_best"] = reached
            say(
                f"refine: objective {ref.evaluation.value:.6g} at "
                + ", ".join(f"{n} = {ref.values[n]:.4g}" for n in names)
                + f" ({ref.n_evaluations} evaluations, {ref.wall_time_s:.1f} s)"
            )
        # ------------------------------------------------------ uncertainty
        unc = None
        if ref is not None and cfg.uncertainty["profiles"]:
            ratio = cfg.uncertainty["ratio"] or None
            for attempt in range(2):
                unc = profile_intervals(
                    problem,
                    executor,
                    ref.theta,
                    ref.evaluation.value,
                    ref.jacobian,
                    ratio=None if ratio is None else tuple(ratio),
                    max_evaluations=cfg.uncertainty["max_evaluations"],
                    diff_step=cfg.refine["diff_step"],
                    robust=cfg.uncertainty["robust"],
                )
                n_eval += unc["n_evaluations"]
                if unc["better_point"] is None or attempt == 1:
                    break
                notes.append(
                    "profiling met a lower objective than the refined optimum; refined again "
                    "from there and profiled again"
                )
                ref = refine(
                    problem,
                    [unc["better_point"]],
                    executor,
                    max_evaluations=cfg.refine["max_evaluations"],
                    diff_step=cfg.refine["diff_step"],
                )
                n_eval += ref.n_evaluations
            stages["uncertainty"] = {
                "noise_scale_s2": unc["s2"],
                "n_effective_residuals": unc["n_effective"],
                "delta_chi2": unc["threshold"],
                "robust": unc["robust"],
                "adjustment": unc["adjustment"],
                "evaluations": unc["n_evaluations"],
                "wall_time_s": unc["wall_time_s"],
                "profiles": unc["profiles"],
            }
            for name, iv in unc["intervals"].items():
                iv["halfwidth_percent"] = 50 * (iv["upper"] - iv["lower"]) / iv["best"]
                say(
                    f"95 % interval {name}: {iv['lower']:.4g} .. {iv['upper']:.4g} "
                    f"(best {iv['best']:.4g}, +-{iv['halfwidth_percent']:.2g} %"
                    + (", open at the lower bound" if iv["lower_open"] else "")
                    + (", open at the upper bound" if iv["upper_open"] else "")
                    + ")"
                )
            say(_identifiability(unc, names))
        # ------------------------------------------------------------- mcmc
        mc = None
        if method == "mcmc":
            if unc:  # the robust adjustment, averaged over the parameters, tempers the posterior
                s2 = unc["s2"] * float(np.mean([unc["adjustment"][n] for n in names]))
            else:
                s2 = ref.evaluation.value / max(problem.n_effective() - problem.n_free, 1)
            cov = np.asarray(unc["covariance"]) if unc else None
            m = cfg.mcmc
            say(f"mcmc: emcee, {m['walkers']} walkers x {m['steps']} steps (burn {m['burn']})")
            mc = run_mcmc(
                problem,
                executor,
                ref.theta,
                s2,
                walkers=m["walkers"],
                steps=m["steps"],
                burn=m["burn"],
                seed=m["seed"],
                cov=cov,
                progress=progress,
            )
            n_eval += mc["n_evaluations"]
            vals = _samples_values(problem, mc["samples"])
            q = {n: np.percentile(v, [2.5, 50, 97.5]).tolist() for n, v in vals.items()}
            say(
                f"mcmc: acceptance {mc['acceptance']:.2f}; 95 % credible intervals "
                + ", ".join(f"{n} {lo:.4g} .. {hi:.4g}" for n, (lo, _, hi) in q.items())
            )
            stages["mcmc"] = {
                **{k: m[k] for k in ("walkers", "steps", "burn", "seed")},
                "acceptance": mc["acceptance"],
                "evaluations": mc["n_evaluations"],
                "wall_time_s": mc["wall_time_s"],
                "quantiles_2.5_50_97.5": q,
            }
    finally:
        if own_executor:
            executor.close()

    # --------------------------------------------------------------- results
    if ref is not None:
        theta, ev = ref.theta, ref.evaluation
    else:
        theta = grid.best_thetas(problem, 1)[0]
        ev = problem.evaluate(theta)
    values = problem.values(theta)
    tmax_rows = problem.tmax_table(theta)
    result = FitResult(
        method=method,
        model=problem.model,
        names=names,
        theta=theta,
        values=values,
        objective={
            "kind": problem.objective.kind,
            "value": ev.value,
            "eq1_s2": ev.eq1_s2,
            "tmax_chi2": ev.tmax_chi2,
            "intensity_chi2": ev.intensity_chi2,
        },
        intervals=unc["intervals"] if unc else {},
        correlation=unc["correlation"] if unc else None,
        n_evaluations=n_eval,
        n_simulations=n_eval * len(problem.datasets),
        stages=stages,
        tmax=tmax_rows,
        drivers=_drivers(problem, theta),
        notes=notes,
    )
    flagged = [r for r in tmax_rows if r["flag"]]
    if flagged:
        how = "excluded from" if problem.objective.flags == "exclude" else "kept in"
        notes.append(
            f"t_max: {len(flagged)} observable(s) flagged (edge of the window or near-tie "
            f"second peak) and {how} eq 1; see tmax.csv"
        )
    result.wall_time_s = _time.perf_counter() - start
    _write_outputs(result, problem, out, grid, unc, mc, plots)
    return result


def _identifiability(unc: dict, names: list[str]) -> str:
    """One line comparing the interval widths (the paper's argument: k_ex tight,
    k_dim and k_diss loose individually, their ratio bounded)."""
    ivs = unc["intervals"]
    parts = [f"{n} +-{ivs[n]['halfwidth_percent']:.2g} %" for n in names]
    line = "identifiability (95 % half-widths): " + ", ".join(parts)
    if "k_dim/k_diss" in ivs:
        r = unc["correlation"][names.index("k_dim")][names.index("k_diss")]
        line += (
            f"; ratio k_dim/k_diss +-{ivs['k_dim/k_diss']['halfwidth_percent']:.2g} % "
            f"(correlation of k_dim and k_diss {r:.2f})"
        )
    return line


def _samples_values(problem, samples: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for k, p in enumerate(problem.free):
        out[p.name] = 10.0 ** samples[:, k] if p.log else samples[:, k]
    if "k_dim" in out and "k_diss" in out:
        out["k_dim/k_diss"] = out["k_dim"] / out["k_diss"]
    return out


def _write_outputs(result, problem, out: Path, grid, unc, mc, plots: bool) -> None:
    import pandas as pd

    from intercluster.io import atomic_file

    with atomic_file(out / "tmax.csv") as tmp:
        pd.DataFrame(result.tmax).to_csv(tmp, index=False, float_format="%.6g")
    if unc:
        rows = [{"profile": name, **p} for name, pts in unc["profiles"].items() for p in pts]
        with atomic_file(out / "profiles.csv") as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.10g")
    if mc:
        vals = _samples_values(problem, mc["samples"])
        frame = pd.DataFrame(vals)
        frame["log_prob"] = mc["log_prob"]
        with atomic_file(out / "mcmc_samples.csv") as tmp:
            frame.to_csv(tmp, index=False, float_format="%.10g")
    if plots:
        from intercluster.plot.fit import (
            corner_figure,
            fit_contour_figure,
            landscape_figure,
            profiles_figure,
        )
        from intercluster.plot.kinetics import save

        figures = {"fit_contours.png": fit_contour_figure(problem, result.theta)}
        if grid is not None and len(grid.names) >= 2:
            figures["landscape.png"] = landscape_figure(grid, result.values)
        if unc:
            figures["profiles.png"] = profiles_figure(unc)
        if mc:
            figures["mcmc_corner.png"] = corner_figure(
                _samples_values(problem, mc["samples"]), result.values
            )
        for name, fig in figures.items():
            with atomic_file(out / name) as tmp:
                save(fig, tmp)
    with atomic_file(out / "fit.json") as tmp:
        tmp.write_text(json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n")
