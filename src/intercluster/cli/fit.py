"""Fit rate constants (k_dim, k_diss, k_ex, ...) to time-resolved intensities:
the grid search of Neumaier et al. 2021 (eq 1), least-squares refinement,
profile-likelihood intervals and MCMC, on the local cores or a Dask cluster.
Resumable: rerun the same command after an interruption. Writes fit.json,
grid.csv, tmax.csv, profiles.csv, per dataset best_fit_observables_<name>.csv
and data_observables_<name>.csv and the figures (fit_traces.png,
residual_map.png, fit_contours.png, landscape.png, profiles.png), and with
--report one self-contained report.html."""

from __future__ import annotations

HELP = "fit rate constants to time-resolved data (grid, refine, profiles, MCMC)"


def add_arguments(p) -> None:
    p.add_argument("config", metavar="CONFIG", help="TOML fit configuration (see examples/)")
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="output folder (resumed if it holds a fit of the same configuration)",
    )
    p.add_argument(
        "--method",
        choices=("grid", "refine", "grid+refine", "mcmc"),
        default="grid+refine",
        help="grid: the paper's grid search; refine: least squares from Latin-hypercube "
        "starts; grid+refine (default): least squares from the best grid points; mcmc: "
        "refine, then emcee posterior samples",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler, e.g. tcp://HOST:8786")
    p.add_argument(
        "--scheduler-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to try to reach the scheduler (default 10)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes (default: one per core; 1 runs serially)",
    )
    p.add_argument(
        "--allow-oversubscribe",
        action="store_true",
        help="allow more --workers than cores (otherwise capped at the number of cores)",
    )
    p.add_argument(
        "--drop-invalid",
        action="store_true",
        help="drop time points with NaN or "
        "negative intensities (reported) instead of refusing the data",
    )
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument(
        "--report",
        action="store_true",
        help="also write report.html: one self-contained page with the configuration, "
        "numbers, figures, intervals, warnings and the command",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars; print only results")


def run(args) -> int:
    import contextlib

    with contextlib.ExitStack() as stack:
        return _run(args, stack)


def _run(args, stack) -> int:
    import sys
    from concurrent.futures.process import BrokenProcessPool

    from intercluster.cli._record import command_line
    from intercluster.fit.config import FitConfig
    from intercluster.fit.executors import make_executor
    from intercluster.fit.workflow import fit, prepare_output, write_fit_outputs
    from intercluster.io import check_output_dir, folder_lock

    check_output_dir(args.out, reuse=True)
    cfg = FitConfig.from_toml(args.config, drop_invalid=args.drop_invalid)
    problem = cfg.problem
    # everything that can be refused is checked before the output folder is touched
    executor = make_executor(
        problem,
        scheduler=args.scheduler,
        workers=args.workers,
        timeout_s=args.scheduler_timeout,
        allow_oversubscribe=args.allow_oversubscribe,
    )
    try:
        s = problem.system
        what = (
            f"{s.metal_a}/{s.metal_b}, N = {s.n_atoms}"
            if problem.is_single_family
            else f"families {', '.join(f.name for f in s.families)}, K = {s.max_subunits}"
        )
        print(
            f"fit: {what}, model {problem.model}; free "
            + ", ".join(
                f"{p.name} in [{p.lower:g}, {p.upper:g}]{' (log)' if p.log else ''}"
                for p in problem.free
            )
            + "".join(f"; {p.name} = {p.value:g} fixed" for p in problem.parameters if p.fixed)
        )
        print(
            "data: "
            + "; ".join(
                f"{d.name} ({d.initial if isinstance(d.initial, str) else 'conc_nM'}, dead time "
                f"{d.dead_time_s:g} s, {d.n_time} times x {len(d.labels)} observables)"
                for d in problem.datasets
            )
            + f"; objective {problem.objective.kind}"
        )
        for d in problem.datasets:
            for note in d.notes:
                print(f"note: {note}")
        out, _ = prepare_output(args.out, cfg.resolved)
        # a second fit on this folder refuses at once; held until the outputs are written
        stack.enter_context(folder_lock(args.out))
        try:
            result = fit(
                problem,
                args.method,
                executor,
                grid=cfg.grid,
                refine=cfg.refine,
                uncertainty=cfg.uncertainty,
                mcmc=cfg.mcmc,
                journal=out / "grid.csv",
                progress=args.progress,
                say=print,
            )
        except BrokenProcessPool:
            print(
                f"intercluster fit: error: a worker process died; finished grid points are "
                f"saved in {args.out}/grid.csv; rerun the same command to resume",
                file=sys.stderr,
            )
            return 1
    finally:
        executor.close()
    result.command = command_line(args)
    write_fit_outputs(result, out)  # fit.json holds the command
    if not args.no_plots:
        from intercluster.plot.fit import write_fit_figures

        write_fit_figures(result, out, problem)
    _report(result, problem)
    for w in result.warnings:
        print(f"intercluster fit: warning: {w}", file=sys.stderr)
    if args.report:
        from intercluster.report import write_report

        write_report(out)
    files = " ".join(sorted(p.name for p in out.iterdir() if not p.name.startswith(".")))
    print(
        f"outputs in {args.out}: {files} ({result.n_simulations} simulations in this run, "
        f"{result.wall_time_s:.1f} s)"
    )
    return 0


def _report(result, problem) -> None:
    v = result.values
    print(
        "best: "
        + ", ".join(f"{n} = {v[n]:.4g}" for n in result.names)
        + (
            f"; k_dim/k_diss = {v['k_dim'] / v['k_diss']:.4g}"
            if "k_dim" in v and "k_diss" in v
            else ""
        )
    )
    o = result.objective
    print(
        f"objective ({o.kind}): {o.value:.6g}; eq 1 = {o.eq1_s2:.6g} s^2, "
        f"t_max chi2 = {o.tmax_chi2:.6g}, intensity chi2 = {o.intensity_chi2:.6g}"
    )
    flagged = [r for r in result.tmax if r.flag]
    if flagged:
        shown = ", ".join(f"{r.observable} ({r.flag})" for r in flagged[:4])
        print(
            f"t_max flags: {len(flagged)} observable(s), weight 0 in eq 1"
            if problem.objective.flags == "exclude"
            else f"t_max flags: {len(flagged)} observable(s), kept",
            f"- e.g. {shown}{' ...' if len(flagged) > 4 else ''}",
        )
    if result.drivers:
        print(
            "drivers: "
            + ", ".join(
                f"{d.observable} [{d.dataset}, {d.term}] {100 * d.share:.1f} %"
                for d in result.drivers[:5]
            )
        )
    data_notes = {n for d in problem.datasets for n in d.notes}
    for note in result.notes:
        if not note.startswith("t_max:") and note not in data_notes:
            print(f"note: {note}")
