"""Abundances of candidate ions in one profile spectrum (non-negative least squares).

Example: intercluster deconvolve spectrum.csv --out abundances.csv
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_candidate_arguments,
    add_ligand_arguments,
    add_resolution_argument,
    apply_ligand_arguments,
    candidates_from_args,
    check_new_file,
    write_table,
)

HELP = "abundances of candidate ions in one spectrum, with standard errors"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spectrum", metavar="SPECTRUM", help="two-column CSV/TXT or mzML file")
    p.add_argument("--scan", type=int, default=0, help="scan index in an mzML file (0)")
    add_resolution_argument(p)
    p.add_argument("--baseline", default="linear", choices=["none", "constant", "linear"])
    p.add_argument("--out", metavar="FILE", help="write the abundance table as CSV")
    p.add_argument("--plot", metavar="FILE", help="plot of spectrum, fit and residual")
    p.add_argument(
        "--min-fraction",
        type=float,
        default=0.001,
        help="print candidates above this fraction (0.001)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="print nothing")
    add_candidate_arguments(p)
    add_ligand_arguments(p)


def run(args) -> int:
    from intercluster.ms import deconvolve, read_spectrum

    apply_ligand_arguments(args)
    for path in (args.out, args.plot):
        if path:
            check_new_file(path, args.overwrite)
    candidates = candidates_from_args(args)  # check the options before reading
    spectrum = read_spectrum(args.spectrum, args.scan)
    result = deconvolve(spectrum, candidates, args.resolution, args.baseline)
    table = result.to_frame()
    if args.out:
        write_table(table, args.out, args.overwrite)
    if args.plot:
        from intercluster.plot.ms import plot_deconvolution, save_figure

        save_figure(plot_deconvolution(spectrum, result), args.plot)
    if not args.quiet:
        shown = table[table["fraction"] >= args.min_fraction]
        print(
            f"{spectrum.source}: {len(shown)} of {len(table)} candidates above fraction "
            f"{args.min_fraction:g} (residual rms {result.residual_rms:.3g})"
        )
        for _, row in shown.iterrows():
            print(f"  {row['label']:<24} {row['fraction']:.4f} ± {row['fraction_stderr']:.4f}")
    return 0
