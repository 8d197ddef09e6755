"""Print the species and reaction counts of a network (and, with --list, every
reaction with its rate constant) without simulating anything."""

from __future__ import annotations

from intercluster.cli._common import add_config_options, config_from_args

HELP = "inspect a reaction network: counts, and with --list the reactions"


def add_arguments(p) -> None:
    add_config_options(p)
    p.add_argument("--list", action="store_true", help="print every reaction with its k")
    p.add_argument("--csv", metavar="FILE", help="write the reaction table to a CSV file")


def _print_single_family(cfg, network) -> None:
    c = network.counts()
    s = cfg.system
    N = s.n_atoms
    print(
        f"{s.metal_a}/{s.metal_b}, N = {N}, model {network.model.name}: {network.model.description}"
    )
    print(f"  monomers      {c['monomers']:>7,}   N + 1")
    print(f"  dimer isomers {c['dimers']:>7,}   (N + 1)(N + 2)/2")
    print(f"  species       {c['species']:>7,}")
    print(f"  dimerizations {c['dimerizations']:>7,}   (N + 1)(N + 2)/2")
    print(f"  dissociations {c['dissociations']:>7,}   (N + 1)(N + 2)/2")
    print(f"  exchanges     {c['exchanges']:>7,}   N(N - 1)")
    print(f"  reactions     {c['reactions']:>7,}")
    print(
        f"  observables   {c['observables']:>7,}   (N + 1) monomers + (2N + 1) dimer sum formulas"
    )


def _print_general(cfg, network) -> None:
    from intercluster.network.description import describe_counts

    for line in describe_counts(network):
        print(line)


def run(args) -> int:
    from intercluster.io import atomic_file, check_output_file

    cfg = config_from_args(args)
    if args.csv:
        check_output_file(args.csv, name="--csv")
    network = cfg.network()
    if network.is_single_family:
        _print_single_family(cfg, network)
    else:
        _print_general(cfg, network)
    table = network.to_frame() if (args.list or args.csv) else None
    if args.list:
        import pandas as pd

        with pd.option_context(
            "display.max_rows", None, "display.width", 200, "display.max_colwidth", 80
        ):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.csv:
        with atomic_file(args.csv) as tmp:
            table.to_csv(tmp, index=False)
        print(f"reaction table written to {args.csv}")
    return 0
