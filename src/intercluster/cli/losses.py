"""Every ion a parent ion becomes by losing (or gaining) fragments, with m/z, charge and
valence electron count; with --spectrum, which of them the spectrum shows.

Fragments are ion texts: "L'" or "L'-" (a ligand anion), "AgL'2" ([AgL'2]-: without a
charge a fragment takes that of a closed-shell unit, Ag as Ag(I)), "[AgL'3]2-", "e-"
(electron detachment), "H+" (cations are attached unless written "-H+"; "+X" gains X).

Example (Acharya et al., J. Phys. Chem. C 2025, Figure 1B):
  intercluster losses "[Ag54L12L'18]4-" --define "L=BDT, L'=DMBT" \\
      --fragments "L', AgL'2, Ag2L'3, H+" --max-losses 1
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import add_ligand_arguments, apply_ligand_arguments

HELP = "ions reachable from a parent by fragment losses (m/z, charge, electrons; seen?)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ion", metavar="ION", help='parent ion, e.g. "[Ag54(BDT)12(DMBT)18]4-"')
    p.add_argument(
        "--fragments",
        action="append",
        required=True,
        metavar="LIST",
        help="fragments lost or gained, comma-separated, e.g. \"L', AgL'2, AgL'3, H+\"",
    )
    p.add_argument(
        "--max-losses", type=int, default=2, metavar="K", help="changes per ion at most (2)"
    )
    p.add_argument(
        "--define",
        metavar="ABBREVIATIONS",
        help='abbreviations used in ION and fragments, e.g. "L=BDT, L\'=DMBT"',
    )
    g = p.add_argument_group("spectrum (mark the ions it shows; assignment as in `assign`)")
    g.add_argument("--spectrum", metavar="FILE", help="two-column CSV/TXT or mzML file")
    g.add_argument("--scan", type=int, default=0, help="scan index in an mzML file (0)")
    g.add_argument(
        "--resolution", type=float, default=25_000.0, metavar="R", help="m/z / FWHM (25000)"
    )
    g.add_argument("--ppm", type=float, default=30.0, help="m/z tolerance [ppm] (30)")
    g.add_argument("--min-similarity", type=float, default=0.8, help="pattern similarity (0.8)")
    g.add_argument("--min-snr", type=float, default=3.0, help="signal-to-noise (3)")
    g.add_argument("--seen-only", action="store_true", help="print only the ions seen")
    p.add_argument("--out", metavar="FILE", help="write the table as CSV")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_ligand_arguments(p)


def run(args) -> int:
    import json

    from intercluster.cli._ms_args import check_new_file, write_table
    from intercluster.ms.losses import loss_series, loss_table, mark_observed

    apply_ligand_arguments(args)
    if args.out:
        check_new_file(args.out, args.overwrite)
    products = loss_series(
        args.ion, ", ".join(args.fragments), args.max_losses, args.define, include_parent=True
    )
    if args.spectrum:
        from intercluster.ms import read_spectrum

        spectrum = read_spectrum(args.spectrum, args.scan)
        table = mark_observed(
            products,
            spectrum,
            resolving_power=args.resolution,
            ppm_tolerance=args.ppm,
            min_similarity=args.min_similarity,
            min_snr=args.min_snr,
        )
    else:
        table = loss_table(products)
    if args.out:
        write_table(table, args.out, args.overwrite)
    shown = table[table["seen"]] if args.spectrum and args.seen_only else table
    if args.json:
        records = json.loads(shown.to_json(orient="records"))
        print(json.dumps(records, indent=2))
        return 0
    cols = ["ion", "charge", "mz_most_abundant", "mz_average", "valence_electrons", "changes"]
    if args.spectrum:
        cols += ["seen", "similarity"]
        print(f"{int(table['seen'].sum())} of {len(table)} ions seen in {spectrum.source}")
    fmt = {"mz_most_abundant": "{:.3f}", "mz_average": "{:.3f}", "similarity": "{:.3f}"}
    print(
        shown[cols].to_string(
            index=False, formatters={k: v.format for k, v in fmt.items() if k in cols}
        )
    )
    return 0
