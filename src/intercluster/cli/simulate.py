"""Simulate the dimer-mediated exchange kinetics of a configuration and write
observables.csv, species.csv, result.nc, summary.json, config.toml, contour.png
and distribution.png into a new folder (written completely or not at all)."""

from __future__ import annotations

from intercluster.cli._common import add_config_options, config_from_args

HELP = "simulate the kinetics of a configuration and write results"


def add_arguments(p) -> None:
    add_config_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-plots", action="store_true", help="skip contour.png and distribution.png")
    p.add_argument(
        "--quiet", action="store_true", help="no progress bar, print only the output path"
    )


def run(args) -> int:
    from intercluster.io import atomic_output_dir, check_output_dir
    from intercluster.kinetics.results import write_result_files
    from intercluster.thermo.report import summarize

    cfg = config_from_args(args)
    check_output_dir(args.out, args.overwrite)
    network = cfg.network()
    counts = network.counts()
    say = (lambda *a: None) if args.quiet else print
    s = cfg.system
    params = ", ".join(f"{k} = {v:g}" for k, v in network.parameters.items())
    say(f"system: {s.metal_a}/{s.metal_b}, N = {s.n_atoms}, model {cfg.model} ({params})")
    say(
        f"network: {counts['species']} species ({counts['monomers']} monomers, "
        f"{counts['dimers']} dimer isomers), {counts['reactions']} reactions "
        f"({counts['dimerizations']} dimerizations, {counts['dissociations']} dissociations, "
        f"{counts['exchanges']} exchanges)"
    )
    ds = cfg.run(progress=not args.quiet)
    summary = summarize(ds, network)
    with atomic_output_dir(args.out, args.overwrite) as tmp:
        files = write_result_files(ds, tmp, summary, cfg.to_dict())
        if not args.no_plots:
            from intercluster.plot.kinetics import contour_figure, distribution_figure, save

            save(contour_figure(ds), tmp / "contour.png")
            save(distribution_figure(ds, summary), tmp / "distribution.png")
            files += [tmp / "contour.png", tmp / "distribution.png"]
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
