"""Isotope pattern of an ion: nominal peaks (CSV), profile (CSV) or a plot (PNG/SVG/PDF).

Example: intercluster pattern '[Ag24Au26(SR)36]2-' --resolution 25000 --out pattern.png
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_ligand_arguments,
    add_resolution_argument,
    apply_ligand_arguments,
    check_new_file,
    write_table,
)

HELP = "isotope pattern of an ion as a table or a plot"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ion", metavar="ION", help="a charged ion, e.g. '[Ag25(DMBT)18]-'")
    add_resolution_argument(p)
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help=".csv (peaks, or the profile with --profile) or .png/.svg/.pdf (plot)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="CSV: write the profile spectrum (mz,intensity) instead of the peaks",
    )
    p.add_argument("--points-per-fwhm", type=float, default=20.0, help="profile sampling (20)")
    p.add_argument(
        "--prob",
        type=float,
        default=0.9999,
        help="probability covered by the isotopologues (0.9999)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    add_ligand_arguments(p)


def run(args) -> int:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from intercluster.errors import ConfigError
    from intercluster.ms import isotope_pattern
    from intercluster.ms.patterns import check_resolving_power

    apply_ligand_arguments(args)
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".png", ".svg", ".pdf"):
        raise ConfigError(f"--out = {args.out!r}: use a .csv, .png, .svg or .pdf file")
    check_new_file(out, args.overwrite)
    R = check_resolving_power(args.resolution)
    pattern = isotope_pattern(args.ion, args.prob)
    if suffix == ".csv" and args.profile:
        lo, hi = pattern.window(0.9999)
        sig = pattern.sigma(R).max()
        grid = np.arange(lo - 6 * sig, hi + 6 * sig, lo / R / args.points_per_fwhm)
        frame = pd.DataFrame({"mz": grid, "intensity": pattern.profile(grid, R)})
        write_table(frame, out, args.overwrite)
    elif suffix == ".csv":
        write_table(pattern.to_frame(), out, args.overwrite)
    else:
        from intercluster.plot.ms import plot_pattern, save_figure

        save_figure(plot_pattern(pattern, R), out)
    print(
        f"{pattern.ion}: {len(pattern.mz)} peaks, "
        f"most abundant m/z {pattern.most_abundant_mz:.4f}, "
        f"average m/z {pattern.average_mz:.4f} -> {out}"
    )
    return 0
