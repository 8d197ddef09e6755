"""The whole fit as one function, and the writers of its output folder.

:func:`fit` runs grid search, refinement, uncertainty and MCMC on a
:class:`~intercluster.fit.problem.FitProblem` and returns a
:class:`~intercluster.fit.result.FitResult`; it writes nothing except the grid
journal when one is given (so that an interrupted sweep resumes), prints
nothing (what it reports while it runs goes to the ``intercluster.fit`` logger
and to an optional ``say`` callback) and draws nothing.

:func:`write_fit_outputs` writes a result into a folder (each file atomically):

- ``grid.csv``: the grid, ranked (the journal rewritten in index order);
- ``fit.json``: :meth:`FitResult.to_dict` (best values, profile and Wald
  intervals, objective terms, flags, warnings, timings);
- ``tmax.csv``, ``profiles.csv``, ``mcmc_samples.csv`` (mcmc);
- per dataset: ``best_fit_observables_<name>.csv`` (time_s x observable, the
  best-fit normalised intensities) and ``data_observables_<name>.csv`` (the
  data as fitted, same layout).

Figures are drawn by :func:`intercluster.plot.fit.write_fit_figures`; the
``intercluster fit`` command calls both. :func:`prepare_output` creates or
checks the folder (``fit-config.toml`` is written first; a rerun with a
different configuration is refused with the differences listed) and
:func:`run_fit` chains folder, fit and data files for a configuration.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time as _time
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.fit.result import (
    DatasetFit,
    Driver,
    Eq1Check,
    FitResult,
    ObjectiveTerms,
    TmaxRow,
)

__all__ = [
    "METHODS",
    "dataset_file_names",
    "fit",
    "prepare_output",
    "run_fit",
    "write_fit_outputs",
]

log = logging.getLogger("intercluster.fit")

METHODS = ("grid", "refine", "grid+refine", "mcmc")
CONFIG_FILE = "fit-config.toml"


def prepare_output(out: str | os.PathLike, resolved: dict) -> tuple[Path, bool]:
    """Create the output folder or check that it may be resumed.

    Parameters
    ----------
    out : path
        Output folder.
    resolved : dict
        The resolved configuration (:attr:`FitConfig.resolved`), stored as
        ``fit-config.toml`` and compared on resume.

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
            raise ConfigError(f"out = {str(out)!r}: is a file; give a folder name")
        if not stored.exists():
            if any(out.iterdir()):
                raise ConfigError(
                    f"out = {str(out)!r}: the folder exists and is not a fit folder (no "
                    f"{CONFIG_FILE}); choose another name"
                )
        else:
            diff = config_diff(load_toml(stored), resolved)
            if diff:
                raise ConfigError(
                    f"out = {str(out)!r} holds a fit with a different configuration; "
                    f"refusing to resume ({len(diff)} difference(s): "
                    + "; ".join(diff)
                    + "); use a new output folder or restore the configuration"
                )
            return out, True
    else:
        check_output_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_file(stored) as tmp:
        tmp.write_bytes(tomli_w.dumps(resolved).encode())
    return out, False


def _drivers(problem, theta, k: int = 10) -> list[Driver]:
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
    return [Driver(**r, share=r["contribution"] / total) for r in rows[:k]]


def _settings(name: str, given: dict | None) -> dict:
    from intercluster.fit.config import DEFAULTS

    if given is not None and not isinstance(given, dict):
        raise ConfigError(bad_value(name, given, "a dict of settings (see fit.config.DEFAULTS)"))
    unknown = set(given or {}) - set(DEFAULTS[name])
    if unknown:
        raise ConfigError(
            bad_value(name, sorted(unknown)[0], f"a setting of {name}: {', '.join(DEFAULTS[name])}")
        )
    return {**DEFAULTS[name], **(given or {})}


def fit(
    problem,
    method: str = "grid+refine",
    executor=None,
    *,
    grid: dict | None = None,
    refine: dict | None = None,
    uncertainty: dict | None = None,
    mcmc: dict | None = None,
    journal: str | os.PathLike | None = None,
    progress: bool = False,
    say=None,
) -> FitResult:
    """Fit the free parameters of ``problem``: grid, refinement, intervals, MCMC.

    The grid is the search of Neumaier et al., J. Am. Chem. Soc. 2021, 143,
    6969, "Simulation 1" (13 values per constant,
    ranked by the objective); refinement is bounded least squares in log10
    space (:mod:`intercluster.fit.refine`); intervals are profile likelihood
    and Wald intervals (:mod:`intercluster.fit.uncertainty`).

    Parameters
    ----------
    problem : FitProblem
    method : {"grid", "refine", "grid+refine", "mcmc"}
        ``grid`` only; ``refine`` from Latin-hypercube starts; ``grid+refine``
        from the best grid points; ``mcmc``: refine, then emcee samples.
    executor : executor, optional
        From :mod:`intercluster.fit.executors` (default: local processes, one
        per core; closed at the end when created here).
    grid, refine, uncertainty, mcmc : dict, optional
        Settings of each stage (keys and defaults: ``fit.config.DEFAULTS``, the
        sections of the TOML configuration).
    journal : path, optional
        The grid's journal (``grid.csv``): finished points are appended as they
        come and read back on a rerun, so an interrupted grid resumes. Default:
        a temporary file, removed at the end.
    progress : bool
        Progress bars (grid, MCMC).
    say : callable, optional
        Called with each progress line (also logged at INFO on ``intercluster.fit``).

    Returns
    -------
    FitResult
        Best values, objective terms, profile and Wald intervals, t_max table,
        drivers, flags, warnings (e.g. eq 1 disagreeing with the fit), data and
        best-fit observables of every dataset, timings.

    Raises
    ------
    ConfigError
        Unknown ``method`` or stage setting.
    """
    from intercluster.fit.executors import make_executor
    from intercluster.fit.grid import grid_axes, grid_profiles, run_grid
    from intercluster.fit.problem import integrations_done
    from intercluster.fit.refine import latin_hypercube
    from intercluster.fit.refine import refine as run_refine
    from intercluster.fit.uncertainty import profile_intervals, run_mcmc, wald_intervals

    if method not in METHODS:
        raise ConfigError(bad_value("method", method, "one of " + ", ".join(METHODS)))
    gset = _settings("grid", grid)
    rset = _settings("refine", refine)
    uset = _settings("uncertainty", uncertainty)
    mset = _settings("mcmc", mcmc)
    if rset["jacobian"] not in ("auto", "sensitivities", "2-point"):
        raise ConfigError(
            bad_value("refine.jacobian", rset["jacobian"], "'auto', 'sensitivities' or '2-point'")
        )
    if uset["profile_method"] not in ("secant", "scan"):
        raise ConfigError(
            bad_value("uncertainty.profile_method", uset["profile_method"], "'secant' or 'scan'")
        )
    if rset["jacobian"] == "sensitivities" and problem.sensitivity_parameters() is None:
        raise ConfigError(
            bad_value(
                "refine.jacobian",
                "sensitivities",
                "'auto' or '2-point' here: sensitivities cover base rate constants only, and "
                f"the free parameters are {', '.join(problem.free_names)}",
            )
        )

    def report(line: str) -> None:
        log.info(line)
        if say is not None:
            say(line)

    start = _time.perf_counter()
    own_journal = journal is None and method in ("grid", "grid+refine")
    if own_journal:
        fd, name = tempfile.mkstemp(prefix="intercluster-grid-", suffix=".csv")
        os.close(fd)
        os.unlink(name)
        journal = Path(name)
    own_executor = executor is None
    if own_executor:
        executor = make_executor(problem)
    notes = [n for d in problem.datasets for n in d.notes]
    warnings: list[str] = []
    stages: dict = {}
    timings: dict = {}
    n_eval = 0
    n_int = 0  # integrations, sensitivity runs included (fit.json's n_simulations)
    names = problem.free_names
    g = ref = unc = mc = None
    try:
        # ------------------------------------------------------------- grid
        if method in ("grid", "grid+refine"):
            t0 = _time.perf_counter()
            axes = grid_axes(problem, gset["preset"], gset["points"])
            n_pts = int(np.prod([len(a) for a in axes]))
            report(
                f"grid: {n_pts} points ({' x '.join(str(len(a)) for a in axes)}, "
                f"{gset['preset']}) on {executor.n_workers} worker(s) ({executor.name})"
            )
            g = run_grid(problem, axes, executor, journal, progress=progress)
            n_eval += g.n_new
            n_int += g.n_new * len(problem.datasets)
            b = g.best
            stages["grid"] = {
                "preset": gset["preset"],
                "axes": {n: a.tolist() for n, a in zip(names, axes)},
                "points": n_pts,
                "evaluated_now": g.n_new,
                "resumed": g.n_resumed,
                "failed": g.n_failed,
                "wall_time_s": g.wall_time_s,
                "best": {**{n: float(b[n]) for n in names}, "objective": float(b.objective)},
                "profiles": grid_profiles(g),
            }
            if g.n_failed:
                notes.append(f"grid: {g.n_failed} point(s) failed (status in grid.csv)")
            report(
                f"grid: best objective {b.objective:.6g} at "
                + ", ".join(f"{n} = {b[n]:.3g}" for n in names)
                + f" ({g.n_new} evaluated now, {g.n_resumed} resumed, {g.n_failed} "
                f"failed, {g.wall_time_s:.1f} s)"
            )
            timings["grid"] = _time.perf_counter() - t0
        # ----------------------------------------------------------- refine
        if method in ("refine", "grid+refine", "mcmc"):
            t0 = _time.perf_counter()
            k = rset["starts"]
            if g is not None:
                starts = g.best_thetas(problem, k)
                origin = f"the {len(starts)} best grid points"
            else:
                starts = latin_hypercube(problem, k, seed=rset["seed"])
                origin = f"{k} Latin-hypercube points (seed {rset['seed']})"
            report(f"refine: least squares in log10 space from {origin}")
            ref = run_refine(
                problem,
                starts,
                executor,
                max_evaluations=rset["max_evaluations"],
                diff_step=rset["diff_step"],
                jac=rset["jacobian"],
            )
            n_eval += ref.n_evaluations
            n_int += ref.n_integrations
            stages["refine"] = {
                "starts": ref.starts,
                "evaluations": ref.n_evaluations,
                "integrations": ref.n_integrations,
                "jacobian": rset["jacobian"],
                "wall_time_s": ref.wall_time_s,
            }
            if g is not None:
                gbest = float(g.best.objective)
                reached = [
                    next((i + 1 for i, v in enumerate(h) if v <= gbest), None) for h in ref.history
                ]
                stages["refine"]["evaluations_to_grid_best"] = reached
            report(
                f"refine: objective {ref.evaluation.value:.6g} at "
                + ", ".join(f"{n} = {ref.values[n]:.4g}" for n in names)
                + f" ({ref.n_evaluations} evaluations, {ref.wall_time_s:.1f} s)"
            )
            timings["refine"] = _time.perf_counter() - t0
        # ------------------------------------------------------ uncertainty
        if ref is not None:
            t0 = _time.perf_counter()
            ratio = uset["ratio"] or None
            ratio = None if ratio is None else tuple(ratio)
            for attempt in range(2):
                if not uset["profiles"]:
                    unc = wald_intervals(
                        problem,
                        ref.theta,
                        ref.evaluation.value,
                        ref.jacobian,
                        ref.evaluation.residuals,
                        ratio=ratio,
                        robust=uset["robust"],
                    )
                    n_int += unc.n_integrations
                    break
                unc = profile_intervals(
                    problem,
                    executor,
                    ref.theta,
                    ref.evaluation.value,
                    ref.jacobian,
                    ratio=ratio,
                    max_evaluations=uset["max_evaluations"],
                    diff_step=rset["diff_step"],
                    robust=uset["robust"],
                    residuals=ref.evaluation.residuals,
                    method=uset["profile_method"],
                    jac=rset["jacobian"],
                )
                n_eval += unc.n_evaluations
                n_int += unc.n_integrations
                if unc.better_point is None or attempt == 1:
                    break
                notes.append(
                    "profiling met a lower objective than the refined optimum; refined again "
                    "from there and profiled again"
                )
                ref = run_refine(
                    problem,
                    [unc.better_point],
                    executor,
                    max_evaluations=rset["max_evaluations"],
                    diff_step=rset["diff_step"],
                    jac=rset["jacobian"],
                )
                n_eval += ref.n_evaluations
                n_int += ref.n_integrations
            stages["uncertainty"] = {
                "noise_scale_s2": unc.s2,
                "n_effective_residuals": unc.n_effective,
                "delta_chi2": unc.threshold,
                "robust": unc.robust,
                "adjustment": unc.adjustment,
                "profile_method": uset["profile_method"] if uset["profiles"] else None,
                "evaluations": unc.n_evaluations,
                "integrations": unc.n_integrations,
                "wall_time_s": unc.wall_time_s,
                "profiles": {n: [p.to_dict() for p in pts] for n, pts in unc.profiles.items()},
            }
            for name, iv in (unc.intervals or unc.wald).items():
                report(
                    f"95 % {'' if unc.intervals else 'Wald '}interval {name}: "
                    f"{iv.lower:.4g} .. {iv.upper:.4g} "
                    f"(best {iv.best:.4g}, +-{iv.halfwidth_percent:.2g} %"
                    + (", open at the lower bound" if iv.lower_open else "")
                    + (", open at the upper bound" if iv.upper_open else "")
                    + ")"
                )
            report(_identifiability(unc, names))
            timings["uncertainty"] = _time.perf_counter() - t0
        # ------------------------------------------------------------- mcmc
        if method == "mcmc":
            t0 = _time.perf_counter()
            if unc:  # the robust adjustment, averaged over the parameters, tempers the posterior
                s2 = unc.s2 * float(np.mean([unc.adjustment[n] for n in names]))
            else:
                s2 = ref.evaluation.value / max(problem.n_effective() - problem.n_free, 1)
            report(
                f"mcmc: emcee, {mset['walkers']} walkers x {mset['steps']} steps "
                f"(burn {mset['burn']})"
            )
            mc = run_mcmc(
                problem,
                executor,
                ref.theta,
                s2,
                walkers=mset["walkers"],
                steps=mset["steps"],
                burn=mset["burn"],
                seed=mset["seed"],
                cov=unc.covariance if unc else None,
                progress=progress,
            )
            n_eval += mc.n_evaluations
            n_int += mc.n_evaluations * len(problem.datasets)
            mc.values = _samples_values(problem, mc.samples)
            q = mc.quantiles()
            report(
                f"mcmc: acceptance {mc.acceptance:.2f}; 95 % credible intervals "
                + ", ".join(f"{n} {lo:.4g} .. {hi:.4g}" for n, (lo, _, hi) in q.items())
            )
            stages["mcmc"] = {
                **{k: mset[k] for k in ("walkers", "steps", "burn", "seed")},
                "acceptance": mc.acceptance,
                "evaluations": mc.n_evaluations,
                "wall_time_s": mc.wall_time_s,
                "quantiles_2.5_50_97.5": q,
            }
            timings["mcmc"] = _time.perf_counter() - t0
    finally:
        if own_executor:
            executor.close()
        if own_journal:
            Path(journal).unlink(missing_ok=True)

    # --------------------------------------------------------------- results
    t0 = _time.perf_counter()
    before_results = integrations_done()
    if ref is not None:
        theta, ev = ref.theta, ref.evaluation
    else:
        theta = g.best_thetas(problem, 1)[0]
        ev = problem.evaluate(theta)
    values = problem.values(theta)
    tmax_rows = [TmaxRow.from_dict(r) for r in problem.tmax_table(theta)]
    flags = []
    flagged = [r for r in tmax_rows if r.flag]
    if flagged:
        how = "excluded from" if problem.objective.flags == "exclude" else "kept in"
        notes.append(
            f"t_max: {len(flagged)} observable(s) flagged (edge of the window or near-tie "
            f"second peak) and {how} eq 1; see tmax.csv"
        )
        flags += [f"t_max {r.observable} [{r.dataset}]: {r.flag}" for r in flagged]
    if unc is not None:
        for name, iv in unc.intervals.items():
            for side, is_open in (("lower", iv.lower_open), ("upper", iv.upper_open)):
                if is_open:
                    flags.append(f"interval {name}: open at the {side} bound")
    if g is not None and g.n_failed:
        flags.append(f"grid: {g.n_failed} point(s) failed")
    eq1_check = _eq1_check(problem, g, values, gset["preset"])
    if g is None and problem.objective.kind != "eq1":
        notes.append(
            "no grid, so eq 1 alone was not compared with the fit (methods grid and "
            "grid+refine compare them on the grid)"
        )
    if eq1_check is not None and eq1_check.far:
        warnings.append(eq1_check.message())
    for w in warnings:
        log.warning(w)
    datasets = []
    for i, d in enumerate(problem.datasets):
        prep = problem.prepared()[i]
        _, inten = problem.simulate_dataset(i, values)
        datasets.append(
            DatasetFit(
                name=d.name,
                time_s=np.asarray(d.time_s, float),
                labels=list(d.labels),
                data=np.asarray(d.intensity, float),
                best_fit=np.asarray(inten[prep.data_rows], float),
            )
        )
    result = FitResult(
        method=method,
        model=problem.model,
        names=names,
        theta=np.asarray(theta, float),
        values=values,
        objective=ObjectiveTerms(
            kind=problem.objective.kind,
            value=ev.value,
            eq1_s2=ev.eq1_s2,
            tmax_chi2=ev.tmax_chi2,
            intensity_chi2=ev.intensity_chi2,
        ),
        intervals=unc.intervals if unc else {},
        wald_intervals=unc.wald if unc else {},
        correlation=np.asarray(unc.correlation) if unc else None,
        n_evaluations=n_eval,
        n_simulations=n_int,
        timings=timings,
        stages=stages,
        tmax=tmax_rows,
        drivers=_drivers(problem, theta),
        flags=flags,
        warnings=warnings,
        notes=notes,
        eq1_check=eq1_check,
        datasets=datasets,
        grid=g,
        uncertainty=unc,
        mcmc=mc,
    )
    timings["results"] = _time.perf_counter() - t0
    result.n_simulations += integrations_done() - before_results
    result.wall_time_s = _time.perf_counter() - start
    timings["total"] = result.wall_time_s
    return result


def _eq1_check(problem, g, values: dict, preset: str) -> Eq1Check | None:
    """Eq 1's optimum on the grid against the fit's values (see :class:`Eq1Check`);
    None without a grid, for the eq 1 objective itself, or without finished points."""
    if g is None or problem.objective.kind == "eq1":
        return None
    t = g.table[(g.table.status == "ok") & np.isfinite(g.table.eq1_s2.astype(float))]
    if t.empty:
        return None
    row = t.loc[t.eq1_s2.astype(float).idxmin()]
    eq1_values = {n: float(row[n]) for n in g.names}
    diff = {}
    for p in problem.free:
        a, b = eq1_values[p.name], values[p.name]
        if p.log or (a > 0 and b > 0):
            diff[p.name] = float(np.log10(a / b)) if a > 0 and b > 0 else float("inf")
    return Eq1Check(
        grid_preset=preset,
        values=eq1_values,
        eq1_s2=float(row.eq1_s2),
        fit_values={n: values[n] for n in g.names},
        log10_difference=diff,
    )


def _identifiability(unc, names: list[str]) -> str:
    """One line comparing the interval widths (the paper's argument: k_ex tight,
    k_dim and k_diss loose individually, their ratio bounded)."""
    ivs = unc.intervals or unc.wald
    if not all(n in ivs for n in names):
        return "identifiability: no interval for " + ", ".join(n for n in names if n not in ivs)
    parts = [f"{n} +-{ivs[n].halfwidth_percent:.2g} %" for n in names]
    line = "identifiability (95 % half-widths): " + ", ".join(parts)
    if "k_dim/k_diss" in ivs:
        r = unc.correlation[names.index("k_dim")][names.index("k_diss")]
        line += (
            f"; ratio k_dim/k_diss +-{ivs['k_dim/k_diss'].halfwidth_percent:.2g} % "
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


def dataset_file_names(names: list[str]) -> dict[str, str]:
    """A file-name-safe, unique tag per dataset name ("40:40" -> "40-40")."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for k, name in enumerate(names):
        tag = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or f"dataset{k + 1}"
        if tag in used:
            tag = f"{tag}_{k + 1}"
        used.add(tag)
        out[name] = tag
    return out


def _observables_csv(path: Path, time_s, labels, values) -> None:
    import pandas as pd

    from intercluster.io import atomic_file

    frame = pd.DataFrame(np.asarray(values, float), columns=list(labels))
    frame.insert(0, "time_s", np.asarray(time_s, float))
    with atomic_file(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.10g")


def write_fit_outputs(result: FitResult, folder: str | os.PathLike) -> list[Path]:
    """Write the data files of a fit into an existing ``folder`` (each atomically).

    Files: ``grid.csv`` (if a grid ran), ``tmax.csv``, ``profiles.csv`` (if
    profiled), ``mcmc_samples.csv`` (mcmc), ``best_fit_observables_<tag>.csv``
    and ``data_observables_<tag>.csv`` per dataset (time_s + one column per
    observable; normalised intensities) and ``fit.json`` last.

    Parameters
    ----------
    result : FitResult
    folder : path
        An existing folder.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ConfigError
        If ``folder`` is not an existing folder.
    """
    import pandas as pd

    from intercluster.fit.grid import write_grid_table
    from intercluster.io import atomic_file

    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(bad_value("folder", str(folder), "an existing folder"))
    written = []
    if result.grid is not None:
        write_grid_table(result.grid, folder / "grid.csv")
        written.append(folder / "grid.csv")
    with atomic_file(folder / "tmax.csv") as tmp:
        pd.DataFrame([r.to_dict() for r in result.tmax]).to_csv(
            tmp, index=False, float_format="%.6g"
        )
    written.append(folder / "tmax.csv")
    unc = result.uncertainty
    if unc is not None:
        rows = [{"profile": name, **p.to_dict()} for name, pts in unc.profiles.items() for p in pts]
        with atomic_file(folder / "profiles.csv") as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.10g")
        written.append(folder / "profiles.csv")
    if result.mcmc is not None:
        frame = pd.DataFrame(result.mcmc.values)
        frame["log_prob"] = result.mcmc.log_prob
        with atomic_file(folder / "mcmc_samples.csv") as tmp:
            frame.to_csv(tmp, index=False, float_format="%.10g")
        written.append(folder / "mcmc_samples.csv")
    tags = dataset_file_names([d.name for d in result.datasets])
    files = {}
    for d in result.datasets:
        data_name = f"data_observables_{tags[d.name]}.csv"
        fit_name = f"best_fit_observables_{tags[d.name]}.csv"
        _observables_csv(folder / data_name, d.time_s, d.labels, d.data)
        _observables_csv(folder / fit_name, d.time_s, d.labels, d.best_fit)
        written += [folder / data_name, folder / fit_name]
        files[d.name] = {"data": data_name, "best_fit": fit_name}
    with atomic_file(folder / "fit.json") as tmp:
        tmp.write_text(
            json.dumps(result.to_dict(files), indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
    written.append(folder / "fit.json")
    return written


def run_fit(
    cfg,
    out: str | os.PathLike,
    *,
    method: str = "grid+refine",
    executor=None,
    progress: bool = True,
    say=None,
) -> FitResult:
    """Fit a configuration into the folder ``out`` (created, or resumed if its
    configuration matches): :func:`prepare_output`, :func:`fit` with the grid
    journal in ``out`` and :func:`write_fit_outputs`.

    Figures are not drawn here (the fit layer does not import the plotting
    layer): call :func:`intercluster.plot.fit.write_fit_figures` afterwards.

    Parameters
    ----------
    cfg : FitConfig
    out : path
        Output folder.
    method : {"grid", "refine", "grid+refine", "mcmc"}
    executor : executor, optional
        Default: local processes, one per core.
    progress : bool
        Progress bars.
    say : callable, optional
        Where progress lines go (also logged on ``intercluster.fit``).

    Returns
    -------
    FitResult

    Raises
    ------
    ConfigError
        Unknown method, or an output folder that may not be used.
    """
    if method not in METHODS:
        raise ConfigError(bad_value("method", method, "one of " + ", ".join(METHODS)))
    out, _ = prepare_output(out, cfg.resolved)
    result = fit(
        cfg.problem,
        method,
        executor,
        grid=cfg.grid,
        refine=cfg.refine,
        uncertainty=cfg.uncertainty,
        mcmc=cfg.mcmc,
        journal=out / "grid.csv",
        progress=progress,
        say=say,
    )
    write_fit_outputs(result, out)
    return result
