"""Export a configuration's network as SBML Level 3 Version 2 (COPASI, Tellurium,
libRoadRunner), with its initial concentrations at mixing [nmol/L], global k_dim,
k_diss, k_ex and the dead time, plus a SED-ML Level 1 Version 4 time course
(next to it, same name with .sedml) that holds the timing and solver options:
output from the dead time to dead time + t_end every dt, relative and absolute
tolerances (--dead-time, --t-end, --dt, --rtol, --atol override the configuration)."""

from __future__ import annotations

from intercluster.cli._common import add_config_options, config_from_args

HELP = "write the network as an SBML Level 3 model and its time course as SED-ML"


def add_arguments(p) -> None:
    add_config_options(p, config_required=True)
    p.add_argument(
        "--out", required=True, metavar="FILE", help="SBML file to write, e.g. model.xml"
    )
    p.add_argument(
        "--sedml",
        metavar="FILE",
        help="SED-ML file to write (default: FILE with the suffix .sedml)",
    )
    p.add_argument("--no-sedml", action="store_true", help="write the SBML model only")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")


def run(args) -> int:
    import contextlib
    import os
    from pathlib import Path

    from intercluster.errors import ConfigError
    from intercluster.io import atomic_file, check_output_file
    from intercluster.kinetics.initial import initial_concentrations
    from intercluster.network.sbml import to_sbml, to_sedml

    cfg = config_from_args(args)
    check_output_file(args.out, args.overwrite)
    network = cfg.network()
    x0 = initial_concentrations(cfg.system, cfg.initial)
    out = Path(args.out)
    sedml = None if args.no_sedml else Path(args.sedml or out.with_suffix(".sedml"))
    if sedml is not None and sedml.absolute() == out.absolute():
        raise ConfigError(f"sedml = {str(sedml)!r}: must differ from the SBML file {str(out)!r}")
    texts = {out: to_sbml(network, x0, dead_time_s=cfg.dead_time_s)}
    if sedml is not None:
        source = os.path.relpath(out.absolute(), sedml.absolute().parent)
        try:
            texts[sedml] = to_sedml(
                network,
                Path(source).as_posix(),
                t_end_s=cfg.t_end_s,
                dt_s=cfg.dt_s,
                dead_time_s=cfg.dead_time_s,
                rtol=cfg.rtol,
                atol_nM=cfg.atol_nM,
            )
        except ConfigError as exc:
            raise ConfigError(f"{exc} (or pass --no-sedml for the SBML model alone)") from None
    for path in texts:  # refuse before writing anything
        if path.is_dir():
            raise ConfigError(f"output file {str(path)!r} is a folder; give a file name")
        if path.exists() and not args.overwrite:
            raise ConfigError(f"output file {str(path)!r} exists; pass --overwrite to replace it")
    with contextlib.ExitStack() as stack:
        for path, text in texts.items():
            stack.enter_context(atomic_file(path, overwrite=args.overwrite)).write_text(
                text, encoding="utf-8"
            )
    print(
        f"SBML L3V2 model with {network.n_species} species and {network.n_reactions} "
        f"reactions written to {args.out}"
    )
    if sedml is not None:
        print(
            f"SED-ML L1V4 time course written to {sedml}: output {cfg.dead_time_s:g}.."
            f"{cfg.dead_time_s + cfg.t_end_s:g} s after mixing (dead time {cfg.dead_time_s:g} s) "
            f"every {cfg.dt_s:g} s, rtol {cfg.rtol:g}, atol {cfg.atol_nM:g} nmol/L"
        )
    return 0
