"""Which candidate ions are present in a spectrum, decided jointly (non-negative
deconvolution of all candidates), with mass error and isotope-pattern similarity.

A candidate is present when its fitted signal exceeds --n-sigma standard errors
and --min-fraction of the total; overlapping ions (+-H, 1-/2-/3- at one m/z,
isobaric species) are thereby resolved.

Example: intercluster assign spectrum.csv --out assignment.csv --plot assignment.png
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_single_spectrum_arguments,
    load_single_spectrum,
    write_outputs,
)

HELP = "which candidate ions are present in a spectrum (joint fit, mass error, pattern)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ppm", type=float, default=30.0, help="m/z tolerance [ppm] (30)")
    p.add_argument(
        "--min-similarity",
        type=float,
        default=0.8,
        help="similarity of the candidate's own part of the spectrum to its pattern (0.8)",
    )
    p.add_argument("--min-snr", type=float, default=3.0, help="signal-to-noise (3)")
    p.add_argument(
        "--n-sigma",
        type=float,
        default=3.0,
        help="present: fitted signal above this many standard errors (3)",
    )
    p.add_argument(
        "--min-fraction",
        type=float,
        default=0.005,
        help="present: at least this share of the total fitted signal (0.005)",
    )
    p.add_argument("--baseline", default="linear", choices=["none", "constant", "linear"])
    p.add_argument("--all", action="store_true", help="print all candidates, not only assigned")
    add_single_spectrum_arguments(p, "the full table", "spectrum with the assigned patterns")


def run(args) -> int:
    from intercluster.ms import assign
    from intercluster.plot.ms import plot_assignment

    candidates, spectrum = load_single_spectrum(args)
    table = assign(
        spectrum,
        candidates,
        args.resolution,
        args.ppm,
        args.min_similarity,
        args.min_snr,
        n_sigma=args.n_sigma,
        min_fraction=args.min_fraction,
        baseline=args.baseline,
    )
    write_outputs(args, table, lambda: plot_assignment(spectrum, table, args.resolution))
    if not args.quiet:
        shown = table if args.all else table[table["assigned"]]
        cols = [
            "label",
            "mz_calc",
            "error_ppm",
            "fraction",
            "similarity",
            "similarity_joint",
            "snr",
            "present",
            "assigned",
        ]
        print(
            f"{int(table['assigned'].sum())} of {len(table)} candidates assigned in "
            f"{spectrum.source} ({int(table['present'].sum())} present; joint-fit residual "
            f"rms {table.attrs['residual_rms']:.3g}, noise sd {table.attrs['noise_sd']:.3g})"
        )
        if len(shown):
            fmt = {
                "mz_calc": "{:.4f}",
                "error_ppm": "{:+.2f}",
                "fraction": "{:.4f}",
                "similarity": "{:.3f}",
                "similarity_joint": "{:.3f}",
                "snr": "{:.1f}",
            }
            formatters = {k: v.format for k, v in fmt.items()}
            print(shown[cols].to_string(index=False, formatters=formatters))
    return 0
