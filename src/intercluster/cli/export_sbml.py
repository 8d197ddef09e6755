"""Export a configuration's network as SBML Level 3 Version 2 (COPASI, Tellurium,
libRoadRunner), with its initial concentrations [nmol/L] and global k_dim,
k_diss, k_ex."""

from __future__ import annotations

from intercluster.cli._common import add_config_options, config_from_args

HELP = "write the network as an SBML Level 3 model"


def add_arguments(p) -> None:
    add_config_options(p, config_required=True)
    p.add_argument(
        "--out", required=True, metavar="FILE", help="SBML file to write, e.g. model.xml"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")


def run(args) -> int:
    from intercluster.io import atomic_file, check_output_file
    from intercluster.kinetics.initial import initial_concentrations
    from intercluster.network.sbml import to_sbml

    cfg = config_from_args(args)
    check_output_file(args.out, args.overwrite)
    network = cfg.network()
    x0 = initial_concentrations(cfg.system, cfg.initial)
    text = to_sbml(network, x0)
    with atomic_file(args.out, overwrite=args.overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(
        f"SBML L3V2 model with {network.n_species} species and {network.n_reactions} "
        f"reactions written to {args.out}"
    )
    return 0
