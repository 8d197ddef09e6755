"""Simulate the kinetics of a configuration and write observables.csv, result.nc
(every species concentration), summary.json, config.toml, contour.png and
distribution.png (and species.csv with --species-csv) into a new folder (written
completely or not at all). A general model (families, complexes, rules) writes
families.png (one row per family) instead of contour.png and distribution.png, and,
with an [observation] model, observed_ions.csv, observed_ions_table.csv and
observables.png."""

from __future__ import annotations

from intercluster.cli._common import add_config_options, config_from_args

HELP = "simulate the kinetics of a configuration and write results"


def add_arguments(p) -> None:
    add_config_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-plots", action="store_true", help="skip contour.png and distribution.png")
    p.add_argument("--report", action="store_true", help="also write report.html (self-contained)")
    p.add_argument(
        "--quiet", action="store_true", help="no progress bar, print only the output path"
    )
    p.add_argument(
        "--species-csv",
        action="store_true",
        help="also write species.csv (every species concentration, also in result.nc)",
    )
    p.add_argument(
        "--species-every",
        type=int,
        metavar="K",
        help="write species.csv with every K-th output time only (implies --species-csv)",
    )


def run(args) -> int:
    from intercluster.io import check_output_dir
    from intercluster.thermo.report import summarize

    cfg = config_from_args(args)
    check_output_dir(args.out, args.overwrite)
    if args.species_every is not None and args.species_every < 1:
        from intercluster.errors import ConfigError, bad_value

        raise ConfigError(bad_value("species_every", args.species_every, "an integer >= 1"))
    network = cfg.network()
    counts = network.counts()
    say = (lambda *a: None) if args.quiet else print
    s = cfg.system
    params = ", ".join(f"{k} = {v:g}" for k, v in network.parameters.items())
    if not network.is_single_family:
        return _run_general(args, cfg, network, say)
    say(f"system: {s.metal_a}/{s.metal_b}, N = {s.n_atoms}, model {cfg.model} ({params})")
    say(
        f"network: {counts['species']} species ({counts['monomers']} monomers, "
        f"{counts['dimers']} dimer isomers), {counts['reactions']} reactions "
        f"({counts['dimerizations']} dimerizations, {counts['dissociations']} dissociations, "
        f"{counts['exchanges']} exchanges)"
    )
    ds = cfg.run(progress=args.progress)
    summary = summarize(ds, network)

    def figures():
        from intercluster.plot.kinetics import contour_figure, distribution_figure

        return {
            "contour.png": lambda: contour_figure(ds),
            "distribution.png": lambda: distribution_figure(ds, summary),
        }

    files = _write_folder(args, cfg, ds, summary, figures)
    final, solver = summary["final"], summary["solver"]
    mix = " + ".join(f"{k} {v:g}" for k, v in summary["initial_conc_nM"].items())
    say(
        f"mixture: {mix} nmol/L; dead time {cfg.dead_time_s:g} s; output 0..{cfg.t_end_s:g} s "
        f"every {cfg.dt_s:g} s"
    )
    drift = ", ".join(f"{k} {v:.1e}" for k, v in summary["conservation_drift"].items())
    say(
        f"solved in {summary['wall_time_s']:.3f} s ({solver['n_steps']} steps, "
        f"{solver['n_rhs_evaluations']} RHS evaluations, {solver['n_factorizations']} "
        f"factorizations); relative metal drift {drift}"
    )

    def num(x):  # None where a number is undefined (e.g. a binomial of width 0)
        return "n/a" if x is None else f"{x:.2f}"

    mb = final["monomers_vs_binomial"]
    dimers = (
        f", dimer {final['dimer_mode']}, monomer:dimer {num(final['monomer_to_dimer_ratio'])}"
        if "dimer_mode" in final
        else ""
    )
    say(
        f"final ({final['time_s']:g} s): most abundant monomer {final['monomer_mode']} "
        f"(mean {num(mb['mean'])} {s.metal_a}, binomial {num(mb['binomial_mean'])}; width "
        f"{num(mb['width_ratio'])} x binomial){dimers}"
    )
    eq = summary["equilibrium"]
    if "monomer_mode" in eq:
        say(
            f"equilibrium of {cfg.model}: most abundant monomer {eq['monomer_mode']}; final state "
            f"{eq['final_monomers_total_variation']:.3f} from it (total variation)"
        )
    names = " ".join(f.name for f in files)
    print(f"outputs in {args.out}: {names}")
    return 0


def _run_general(args, cfg, network, say) -> int:
    """simulate for a general model (families, complexes, rules), optionally through
    its [observation] model: the same files, one figure row per family (families.png)
    and, with an observation model, observed_ions.csv, observed_ions_table.csv and
    observables.png."""
    from intercluster.thermo.report import summarize

    cs = network.cluster_system
    counts = network.counts()
    params = ", ".join(f"{k} = {v:g}" for k, v in network.parameters.items())
    say(
        f"model: families {', '.join(f.name for f in cs.families)}, K = {cs.max_subunits}, "
        f"rate model {cfg.model} ({params})"
    )
    say(
        f"network: {counts['species']} species, {counts['reactions']} reactions, "
        f"{counts['observables']} observables"
    )
    ds = cfg.run(progress=args.progress, network=network)
    summary = summarize(ds, network)

    def figures():
        from intercluster.plot.kinetics import family_figure

        out = {"families.png": lambda: family_figure(ds, summary)}
        if "observed_ion_intensity" in ds:
            from intercluster.plot.observation import observed_figure

            out["observables.png"] = lambda: observed_figure(ds)
        return out

    files = _write_folder(args, cfg, ds, summary, figures)
    mix = " + ".join(f"{k} {v:g}" for k, v in summary["initial_conc_nM"].items())
    say(
        f"mixture: {mix} nmol/L; dead time {cfg.dead_time_s:g} s; output 0..{cfg.t_end_s:g} s "
        f"every {cfg.dt_s:g} s"
    )
    drift = max(summary["conservation_drift"].values(), default=0.0)
    say(
        f"solved in {summary['wall_time_s']:.3f} s; largest relative drift of a conserved "
        f"quantity {drift:.1e}"
    )
    final = summary["final"]
    modes = "; ".join(
        f"{n}: mean x {final['family_mean_x'][n]:.2f}, most abundant {final['family_mode'][n]}"
        for n in final["family_mode"]
    )
    say(f"final ({final['time_s']:g} s): {modes}")
    if "observation_model" in summary:
        say(f"observation model: {summary['observation_model']}")
        say(f"observed ions at {final['time_s']:g} s (normalised intensity):")
        mzs = dict(zip(ds.observed_ion.values, ds.observed_ion_mz_average.values))
        for ion, v in final["observed_ion_intensity"].items():
            if v > 0:
                say(f"  {ion:<36} m/z {mzs[ion]:9.2f}  {v:.4f}")
    names = " ".join(f.name for f in files)
    print(f"outputs in {args.out}: {names}")
    return 0


def _write_folder(args, cfg, ds, summary, figures) -> list:
    """Write the result files and the figures (``figures()`` -> {file name: draw
    function}) into a new folder, all or nothing; then, if asked, report.html (after the
    rename, so that the page names the folder). Returns the files written."""
    from intercluster.cli._record import command_line
    from intercluster.io import atomic_output_dir
    from intercluster.kinetics.results import write_result_files

    summary["command"] = command_line(args)  # the exact command, shown by `intercluster report`
    with atomic_output_dir(args.out, args.overwrite) as tmp:
        files = write_result_files(
            ds,
            tmp,
            summary,
            cfg.to_dict(),
            species_csv=args.species_csv or args.species_every is not None,
            species_every=args.species_every or 1,
            progress=args.progress,
        )
        if not args.no_plots:
            from intercluster.plot.kinetics import save

            for name, draw in figures().items():
                save(draw(), tmp / name)
                files.append(tmp / name)
    if args.report:
        from intercluster.report import write_report

        files.append(write_report(args.out))
    return files
