"""Score candidate ions against a spectrum (mass error, isotope-pattern similarity).

Example: intercluster assign spectrum.csv --out assignment.csv --plot assignment.png
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

HELP = "assign candidate ions in a spectrum by m/z error and isotope pattern"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spectrum", metavar="SPECTRUM", help="two-column CSV/TXT or mzML file")
    p.add_argument("--scan", type=int, default=0, help="scan index in an mzML file (0)")
    add_resolution_argument(p)
    p.add_argument("--ppm", type=float, default=30.0, help="m/z tolerance [ppm] (30)")
    p.add_argument("--min-similarity", type=float, default=0.8, help="pattern similarity (0.8)")
    p.add_argument("--min-snr", type=float, default=3.0, help="signal-to-noise (3)")
    p.add_argument("--out", metavar="FILE", help="write the full table as CSV")
    p.add_argument("--plot", metavar="FILE", help="plot with assigned patterns (.png/.svg/.pdf)")
    p.add_argument("--all", action="store_true", help="print all candidates, not only assigned")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="print nothing")
    add_candidate_arguments(p)
    add_ligand_arguments(p)


def run(args) -> int:
    from intercluster.ms import assign, read_spectrum

    apply_ligand_arguments(args)
    for path in (args.out, args.plot):
        if path:
            check_new_file(path, args.overwrite)
    candidates = candidates_from_args(args)  # check the options before reading
    spectrum = read_spectrum(args.spectrum, args.scan)
    table = assign(
        spectrum, candidates, args.resolution, args.ppm, args.min_similarity, args.min_snr
    )
    if args.out:
        write_table(table, args.out, args.overwrite)
    if args.plot:
        from intercluster.plot.ms import plot_assignment, save_figure

        save_figure(plot_assignment(spectrum, table, args.resolution), args.plot)
    if not args.quiet:
        shown = table if args.all else table[table["assigned"]]
        cols = ["label", "mz_calc", "mz_observed", "error_ppm", "similarity", "snr", "assigned"]
        print(
            f"{int(table['assigned'].sum())} of {len(table)} candidates assigned in "
            f"{spectrum.source}"
        )
        if len(shown):
            fmt = {
                "mz_calc": "{:.4f}",
                "mz_observed": "{:.4f}",
                "error_ppm": "{:+.2f}",
                "similarity": "{:.3f}",
                "snr": "{:.1f}",
            }
            formatters = {k: v.format for k, v in fmt.items()}
            print(shown[cols].to_string(index=False, formatters=formatters))
    return 0
