"""The hydride (1H) or deuteride (2H) multiplet of a cluster whose hydride couples
equally to all its silver atoms: the sum over the 107Ag/109Ag isotopomers of
first-order multiplets, as Lorentzian lines (Zhong et al., Dalton Trans. 2021,
Table 1 and "a pair of doublets", "a pseudo triplet of triplets"). ION is e.g.
'Cu5Ag2(H)' or 'Cu6Ag(D)'. For the Cu_xAg_(7-x) clusters --j107 and --shift-ppm
default to Table 1 of the paper. --out FILE.csv writes the spectrum (ppm,
intensity), FILE.png a figure."""

from __future__ import annotations

HELP = "hydride/deuteride multiplet from 107Ag/109Ag isotopomers"

_MULTIPLICITY = {
    1: "singlet",
    2: "doublet",
    3: "triplet",
    4: "quartet",
    5: "quintet",
    6: "sextet",
    7: "septet",
    8: "octet",
}


def add_arguments(p) -> None:
    p.add_argument("ion", metavar="ION", help="cluster, e.g. 'Cu5Ag2(H)' or 'CuAg6(D)'")
    p.add_argument(
        "--j107",
        type=float,
        metavar="HZ",
        help="J(1H-107Ag) [Hz] (for a deuteride it is scaled by gamma(2H)/gamma(1H)); "
        "default: Table 1 of Zhong 2021 for Cu_xAg_(7-x)",
    )
    p.add_argument(
        "--j109",
        type=float,
        metavar="HZ",
        help="J(1H-109Ag) [Hz] (default: J107 x gamma(109Ag)/gamma(107Ag) = 1.1496)",
    )
    p.add_argument("--nucleus", help="observed nucleus, 1H or 2H (default: from ION's (H)/(D))")
    p.add_argument(
        "--field-mhz",
        type=float,
        required=True,
        metavar="F",
        help="spectrometer 1H frequency [MHz], e.g. 600",
    )
    p.add_argument(
        "--shift-ppm",
        type=float,
        metavar="PPM",
        help="centre of the multiplet [ppm] (default: Table 1, else 0)",
    )
    p.add_argument(
        "--width-hz",
        type=float,
        default=2.0,
        metavar="HZ",
        help="Lorentzian full width at half maximum [Hz] (default 2)",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="spectrum.csv or spectrum.png")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")


def run(args) -> int:
    from pathlib import Path

    import pandas as pd

    from intercluster.errors import ConfigError, bad_value
    from intercluster.io import atomic_file, check_output_file
    from intercluster.nmr.multiplets import (
        count_resolved_lines,
        hydride_multiplet,
        line_groups,
        parse_hydride_cluster,
        silver_count,
        zhong2021_table1,
    )
    from intercluster.nmr.nuclei import get_nucleus

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".png", ".svg", ".pdf"):
        raise ConfigError(bad_value("--out", args.out, "a file ending in .csv, .png, .svg or .pdf"))
    check_output_file(out, args.overwrite)
    counts, hydride = parse_hydride_cluster(args.ion)
    n_ag = silver_count(counts)
    nucleus = hydride or "1H"
    if args.nucleus is not None:
        chosen = get_nucleus(args.nucleus).name
        if hydride is not None and chosen != hydride:
            raise ConfigError(
                bad_value("--nucleus", args.nucleus, f"{hydride}, as written in ION {args.ion!r}")
            )
        nucleus = chosen
    key = None
    if set(counts) <= {"Cu", "Ag"} and sum(counts.values()) == 7:
        cu, ag = counts.get("Cu", 0), counts.get("Ag", 0)
        key = (
            "["
            + "".join(f"{m}{'' if c == 1 else c}" for m, c in (("Cu", cu), ("Ag", ag)) if c)
            + "]"
        )
    table = zhong2021_table1() if key else None
    j107 = args.j107
    source = "--j107"
    if j107 is None:
        if table is None or n_ag == 0:
            raise ConfigError(
                bad_value("--j107", None, f"J(1H-107Ag) in Hz (no Table 1 value for {args.ion!r})")
            )
        j107 = float(table.loc[key, "J_H_107Ag_Hz"])
        source = "Zhong 2021 Table 1"
    shift = args.shift_ppm
    if shift is None:
        shift = float(table.loc[key, "delta_1H_ppm"]) if table is not None else 0.0
    multiplet = hydride_multiplet(n_ag, j107, nucleus, j109_hz=args.j109)
    ppm, intensity = multiplet.spectrum(shift, args.field_mhz, args.width_hz)
    groups = line_groups(multiplet)
    resolved = count_resolved_lines(intensity)
    sizes = sorted({len(g) for g in groups})
    name = _MULTIPLICITY.get(len(groups), f"{len(groups)}-plet")
    inner = "/".join(_MULTIPLICITY.get(s, f"{s}-plet") for s in sizes)
    if n_ag == 1:
        pattern = "a pair of doublets, one per silver isotope"
    elif n_ag == 0:
        pattern = "a singlet"
    else:
        pattern = f"pseudo {name} of {inner}s"
    print(
        f"{args.ion}: {n_ag} Ag coupled to {nucleus} at "
        f"{multiplet.frequency_mhz(args.field_mhz):.2f} MHz (1H {args.field_mhz:g} MHz); "
        f"J(107Ag) {multiplet.j107_hz:.2f} Hz, J(109Ag) "
        f"{multiplet.j109_hz:.2f} Hz ({source}); centre {shift:g} ppm"
    )
    print(
        f"{len(multiplet.offsets_hz)} lines in {len(groups)} groups ({pattern}); "
        f"{resolved} resolved at {args.width_hz:g} Hz width"
    )
    print("  offset_Hz  intensity")
    for off, w in zip(multiplet.offsets_hz, multiplet.intensities):
        print(f"  {off:9.3f}  {w:.5f}")
    with atomic_file(out, overwrite=args.overwrite) as tmp:
        if out.suffix.lower() == ".csv":
            pd.DataFrame({"ppm": ppm, "intensity_per_Hz": intensity}).to_csv(tmp, index=False)
        else:
            from intercluster.plot.kinetics import save
            from intercluster.plot.nmr import multiplet_figure

            save(
                multiplet_figure(
                    ppm, intensity, multiplet, shift, args.field_mhz, title=f"{args.ion}: {pattern}"
                ),
                tmp,
            )
    print(f"output: {out}")
    return 0
