"""Score candidate ions against a spectrum (mass error, isotope-pattern similarity).

Example: intercluster assign spectrum.csv --out assignment.csv --plot assignment.png
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_single_spectrum_arguments,
    load_single_spectrum,
    write_outputs,
)

HELP = "assign candidate ions in a spectrum by m/z error and isotope pattern"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ppm", type=float, default=30.0, help="m/z tolerance [ppm] (30)")
    p.add_argument("--min-similarity", type=float, default=0.8, help="pattern similarity (0.8)")
    p.add_argument("--min-snr", type=float, default=3.0, help="signal-to-noise (3)")
    p.add_argument("--all", action="store_true", help="print all candidates, not only assigned")
    add_single_spectrum_arguments(p, "the full table", "spectrum with the assigned patterns")


def run(args) -> int:
    from intercluster.ms import assign
    from intercluster.plot.ms import plot_assignment

    candidates, spectrum = load_single_spectrum(args)
    table = assign(
        spectrum, candidates, args.resolution, args.ppm, args.min_similarity, args.min_snr
    )
    write_outputs(args, table, lambda: plot_assignment(spectrum, table, args.resolution))
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
