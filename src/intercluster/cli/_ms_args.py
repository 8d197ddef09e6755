"""Options shared by the mass-spectrometry subcommands (not a subcommand itself).

Builds candidate lists, exchange systems and ligand libraries from the command
line through the public API; holds no science.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from intercluster.errors import ConfigError


def add_ligand_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("ligands")
    g.add_argument(
        "--ligands",
        metavar="FILE",
        help="extra ligand library (TOML, layout of intercluster/data/ligands.toml)",
    )
    g.add_argument(
        "--sr",
        metavar="LIGAND",
        help="what the generic thiolate SR stands for: a "
        "ligand name (p-MBA) or a formula (default C8H9S)",
    )


def apply_ligand_arguments(args) -> None:
    from intercluster.chem import load_ligand_file, set_default_thiolate

    if getattr(args, "ligands", None):
        load_ligand_file(args.ligands)
    if getattr(args, "sr", None):
        set_default_thiolate(args.sr)


def add_system_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("exchange system (observables [A_m B_(N-m)(L)n]- and dimers)")
    g.add_argument(
        "--metals", default="Ag,Au", metavar="A,B", help="the two metals (default Ag,Au)"
    )
    g.add_argument(
        "--n-atoms", type=int, default=25, metavar="N", help="metal atoms per cluster (25)"
    )
    g.add_argument(
        "--cluster-charge",
        type=int,
        default=-1,
        metavar="Q",
        help="monomer charge (default -1; dimers carry 2Q)",
    )
    g.add_argument(
        "--system-from",
        metavar="PATH",
        help="take metals, N and charge from a simulation result folder (its summary.json) instead",
    )
    g.add_argument("--ligand", default="SR", help="ligand of the shell (default SR = C8H9S)")
    g.add_argument(
        "--n-ligands",
        type=int,
        default=18,
        metavar="n",
        help="ligands per monomer (default 18; dimers carry 2n)",
    )


def system_from_args(args):
    """ExchangeSystem from --system-from or --metals/--n-atoms/--cluster-charge."""
    from intercluster.network.system import ExchangeSystem

    if getattr(args, "system_from", None):
        path = Path(args.system_from)
        path = path / "summary.json" if path.is_dir() else path
        from intercluster.validation import read_text

        text = read_text(path, "--system-from file")
        try:
            system = json.loads(text)["system"]
            return ExchangeSystem(
                **{k: system[k] for k in ("metal_a", "metal_b", "n_atoms", "charge")}
            )
        except FileNotFoundError:
            raise ConfigError(f"--system-from = {str(path)!r}: file not found") from None
        except (KeyError, TypeError, RecursionError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f'--system-from = {str(path)!r}: needs JSON with "system": {{metal_a, metal_b, '
                f"n_atoms, charge}} ({type(exc).__name__}: {exc})"
            ) from None
    metals = [m.strip() for m in args.metals.split(",")]
    if len(metals) != 2:
        raise ConfigError(f"--metals = {args.metals!r}: give two metals such as 'Ag,Au'")
    return ExchangeSystem(metals[0], metals[1], args.n_atoms, args.cluster_charge)


def add_candidate_arguments(p: argparse.ArgumentParser) -> None:
    add_system_arguments(p)
    g = p.add_argument_group(
        "candidate ions (default: the observables of the exchange system and its trimers)"
    )
    g.add_argument(
        "--ion",
        action="append",
        metavar="ION",
        help="a candidate ion such as '[Ag25(DMBT)18]-' (repeat for more)",
    )
    g.add_argument(
        "--candidates",
        "--ions-file",
        dest="ions_file",
        metavar="FILE",
        help="candidate ions, one per line, or a CSV 'observable,ion[,weight]' grouping ions "
        "into observables",
    )
    g.add_argument(
        "--no-trimers",
        action="store_true",
        help="default candidates without the trimers [A_m B_(3N-m)(L)_3n]3q",
    )
    g.add_argument(
        "--charge-states",
        metavar="ION",
        help="one cluster at several charges (with --charges and --carrier)",
    )
    g.add_argument(
        "--charges", default="", metavar="LIST", help="charges for --charge-states, e.g. '6-,7-,8-'"
    )
    g.add_argument("--carrier", default="H", help="cation added/removed to change the charge (H)")


def candidates_from_args(args):
    """Candidate list from --ion/--candidates, --charge-states, or the system's defaults."""
    return candidate_set_from_args(args).candidates


def candidate_set_from_args(args):
    """CandidateSet from --ion/--candidates, --charge-states, or the exchange system's
    observables (plus its trimers unless --no-trimers)."""
    from intercluster.chem.formula import parse_charge
    from intercluster.ms import (
        CandidateSet,
        candidates_from_ions,
        charge_state_series,
        default_candidates,
        read_candidates,
    )

    if args.charge_states:
        charges = [parse_charge(c) for c in args.charges.split(",") if c.strip()]
        if not charges:
            raise ConfigError("--charge-states needs --charges, e.g. --charges 6-,7-,8-")
        return CandidateSet(charge_state_series(args.charge_states, charges, args.carrier))
    if args.ions_file:
        read = read_candidates(args.ions_file)
        if not args.ion:
            return read
        if read.groups:
            raise ConfigError(
                "--ion cannot be added to a --candidates table that groups ions into "
                "observables; add the ion as a row of the table"
            )
        return CandidateSet(candidates_from_ions([c.ion for c in read.candidates] + args.ion))
    if args.ion:
        return CandidateSet(candidates_from_ions(list(args.ion)))
    return CandidateSet(
        default_candidates(
            system_from_args(args),
            args.ligand,
            args.n_ligands,
            trimers=not getattr(args, "no_trimers", False),
        )
    )


def add_single_spectrum_arguments(p: argparse.ArgumentParser, table: str, plot: str) -> None:
    """SPECTRUM, --scan, --resolution, --out, --plot, --overwrite, --quiet, candidates, ligands."""
    p.add_argument("spectrum", metavar="SPECTRUM", help="two-column CSV/TXT or mzML file")
    p.add_argument("--scan", type=int, default=0, help="scan index in an mzML file (0)")
    add_resolution_argument(p)
    p.add_argument("--out", metavar="FILE", help=f"write {table} as CSV")
    p.add_argument("--plot", metavar="FILE", help=f"{plot} (.png/.svg/.pdf)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="print nothing")
    add_candidate_arguments(p)
    add_ligand_arguments(p)


def load_single_spectrum(args):
    """Check outputs and candidate options first, then read the spectrum: (candidates, spectrum)."""
    from intercluster.ms import read_spectrum
    from intercluster.validation import figure_path

    apply_ligand_arguments(args)
    if args.plot:
        figure_path("plot", args.plot)
    for path in (args.out, args.plot):
        if path:
            check_new_file(path, args.overwrite)
    candidates = candidates_from_args(args)
    return candidates, read_spectrum(args.spectrum, args.scan)


def write_outputs(args, table, figure_factory) -> None:
    """Write --out (CSV) and --plot (figure from ``figure_factory()``) atomically."""
    if args.out:
        write_table(table, args.out, args.overwrite)
    if args.plot:
        from intercluster.plot.ms import save_figure

        save_figure(figure_factory(), args.plot)


def add_resolution_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--resolution",
        type=float,
        default=25_000.0,
        metavar="R",
        help="resolving power m/z / FWHM (default 25000)",
    )


def write_table(frame, path, overwrite: bool) -> None:
    """CSV written atomically; refuses an existing file unless --overwrite."""
    from intercluster.io import atomic_file

    with atomic_file(path, overwrite=overwrite) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.10g")


def check_new_file(path, overwrite: bool) -> None:
    """Fail before any work if an output file exists (and --overwrite was not given),
    is a folder, or cannot be written."""
    from intercluster.io import check_output_file

    p = check_output_file(path, overwrite)
    if not p.absolute().parent.is_dir():
        raise ConfigError(f"output file {str(p)!r}: its folder does not exist")
