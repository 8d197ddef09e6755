"""Which dimer isomers make up a dimer sum formula at chosen times, and which
monomer fragments their collision-induced dissociation would give (Neumaier et
al. 2021, Figure 2 and Figure S10)."""

from __future__ import annotations

HELP = "dimer isomers and CID fragments of a dimer sum formula in a result"


def add_arguments(p) -> None:
    p.add_argument("result", metavar="RESULT_DIR", help="folder written by 'intercluster simulate'")
    p.add_argument("formula", metavar="SUM_FORMULA", help="dimer sum formula, e.g. '[Ag25Au25]2-'")
    p.add_argument(
        "--times",
        type=float,
        nargs="+",
        required=True,
        metavar="S",
        help="times after the dead time [s], e.g. 180 300 3600",
    )
    p.add_argument(
        "--plot", metavar="FILE", help="figure to write (default: RESULT_DIR/isomers_<formula>.png)"
    )


def run(args) -> int:
    import re
    from pathlib import Path

    import pandas as pd

    from intercluster.io import atomic_file, check_output_file
    from intercluster.kinetics.results import load_result
    from intercluster.plot.kinetics import isomer_figure, save
    from intercluster.thermo.isomers import cid_fragments, isomer_shares
    from intercluster.validation import figure_path

    plot = args.plot or str(
        Path(args.result) / f"isomers_{re.sub(r'[^A-Za-z0-9]+', '', args.formula)}.png"
    )
    figure_path("plot", plot)  # a figure format, before any work
    check_output_file(plot, name="--plot")
    ds = load_result(args.result)
    shares = isomer_shares(ds, args.formula, args.times)
    frags = cid_fragments(ds, args.formula, args.times)
    fmt = {"float_format": lambda v: f"{v:.3f}"}
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(f"isomers of {args.formula} (share of the sum formula):")
        print(shares.T.rename(columns=lambda t: f"{t:g} s").to_string(**fmt))
        print(f"\nCID fragments of {args.formula} (share of fragment ions):")
        print(frags.T.rename(columns=lambda t: f"{t:g} s").to_string(**fmt))
    with atomic_file(plot) as tmp:
        save(isomer_figure(shares, frags, args.formula), tmp)
    print(f"\nfigure written to {plot}")
    return 0
