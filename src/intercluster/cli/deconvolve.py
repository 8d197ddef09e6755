"""Abundances of candidate ions in one profile spectrum (non-negative least squares).

Example: intercluster deconvolve spectrum.csv --out abundances.csv
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_single_spectrum_arguments,
    candidate_set_from_args,
    load_single_spectrum,
    write_outputs,
)

HELP = "abundances of candidate ions in one spectrum, with standard errors"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baseline", default="linear", choices=["none", "constant", "linear"])
    p.add_argument(
        "--min-fraction",
        type=float,
        default=0.001,
        help="print candidates above this fraction (0.001)",
    )
    add_single_spectrum_arguments(p, "the abundance table", "spectrum, fit and residual")


def run(args) -> int:
    from intercluster.ms import deconvolve
    from intercluster.plot.ms import plot_deconvolution

    candidates, spectrum = load_single_spectrum(args)
    result = deconvolve(spectrum, candidates, args.resolution, args.baseline)
    cset = candidate_set_from_args(args) if args.ions_file else None
    table = result.to_frame()
    write_outputs(args, table, lambda: plot_deconvolution(spectrum, result))
    if not args.quiet:
        shown = table[table["fraction"] >= args.min_fraction]
        print(
            f"{spectrum.source}: {len(shown)} of {len(table)} candidates above fraction "
            f"{args.min_fraction:g} (residual rms {result.residual_rms:.3g})"
        )
        for _, row in shown.iterrows():
            print(f"  {row['label']:<24} {row['fraction']:.4f} ± {row['fraction_stderr']:.4f}")
        if cset is not None and cset.groups:
            from intercluster.ms.timeseries import group_fractions

            f, err = group_fractions(result, cset.grouping_matrix())
            print(f"observables (sums of their ions, {args.ions_file}):")
            for label, value, se in zip(cset.observable_labels, f, err):
                print(f"  {label:<24} {value:.4f} ± {se:.4f}")
    return 0
