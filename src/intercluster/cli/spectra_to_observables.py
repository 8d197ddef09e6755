"""A time series of spectra -> observables.csv in the layout of 'intercluster simulate'.

SOURCE is a folder of spectrum files named by their time after mixing
('t_180s.csv', '3min.csv', '0180.csv' = seconds) or an mzML file with many scans
and their scan start times.

The observables are those of an exchange system (monomers and dimer sum
formulas, with its trimers fitted beside them unless --no-trimers), or, with
--candidates FILE, any ions: one per line (each its own observable) or a CSV
'observable,ion[,weight]' that groups the ions (charge states, adducts, several
families) into observables. With --model (a simulation config with [[family]]
sections, or a result folder of 'intercluster simulate'), the candidates are the
general model's observables (sum formulas per family, ligand shell and charge),
labelled as in that model's observables.csv.

Example: intercluster spectra-to-observables spectra/ --out observables.csv --jobs 2
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_ligand_arguments,
    add_resolution_argument,
    add_system_arguments,
    apply_ligand_arguments,
    check_new_file,
    system_from_args,
)

HELP = "deconvolve a series of spectra into time-resolved observables (observables.csv)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help="folder of spectra named by time, or mzML")
    p.add_argument("--out", required=True, metavar="FILE", help="observables CSV to write")
    p.add_argument("--stderr-out", metavar="FILE", help="standard errors, same layout")
    p.add_argument(
        "--ions-out",
        metavar="FILE",
        help="per-ion table: every candidate ion's share of the fitted signal",
    )
    p.add_argument(
        "--candidates",
        metavar="FILE",
        help="candidate ions, one per line, or CSV 'observable,ion[,weight]' grouping them",
    )
    p.add_argument(
        "--model",
        metavar="PATH",
        help="a general model (families, complexes): a simulation config with [[family]] "
        "sections or a folder written by 'intercluster simulate'; its observables (sum "
        "formulas) are the candidates and the columns",
    )
    p.add_argument(
        "--no-trimers",
        action="store_true",
        help="do not fit the exchange system's trimers beside its observables",
    )
    add_resolution_argument(p)
    p.add_argument("--baseline", default="linear", choices=["none", "constant", "linear"])
    p.add_argument(
        "--efficiency",
        metavar="FILE",
        help="CSV label,efficiency (relative "
        "ionisation efficiencies; abundances are divided by them)",
    )
    p.add_argument(
        "--time-unit",
        default="s",
        choices=["ms", "s", "min", "h"],
        help="unit of bare numbers in file names (s)",
    )
    p.add_argument("--jobs", type=int, default=1, help="worker processes (1)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    add_system_arguments(p)
    add_ligand_arguments(p)


def run(args) -> int:
    import numpy as np

    from intercluster.errors import ConfigError
    from intercluster.ms import (
        read_candidates,
        read_efficiency_table,
        read_spectra,
        spectra_to_observables,
    )
    from intercluster.ms.timeseries import write_observables

    apply_ligand_arguments(args)
    for path in (args.out, args.stderr_out, args.ions_out):
        if path:
            check_new_file(path, args.overwrite)
    if args.model and args.candidates:
        raise ConfigError("give either --model or --candidates, not both")
    candidates = read_candidates(args.candidates) if args.candidates else None
    system = None
    if args.model:
        from intercluster.cli._model_ions import load_model_system, model_candidates
        from intercluster.network.description import ClusterSystem

        model = load_model_system(args.model, "model")
        if isinstance(model, ClusterSystem):
            candidates = model_candidates(model, args.ligand, args.n_ligands)
        else:  # a single-family configuration: the exchange system's observables
            system = model
    elif candidates is None:
        system = system_from_args(args)
    efficiency = read_efficiency_table(args.efficiency) if args.efficiency else None
    spectra = read_spectra(args.source, args.time_unit)
    series = spectra_to_observables(
        spectra,
        system,
        args.ligand,
        args.n_ligands,
        args.resolution,
        args.baseline,
        efficiency,
        args.jobs,
        progress=args.progress,
        candidates=candidates,
        trimers=not args.no_trimers,
    )
    write_observables(series.observables, args.out, overwrite=args.overwrite)
    if args.stderr_out:
        write_observables(series.stderr, args.stderr_out, overwrite=args.overwrite)
    if args.ions_out:
        write_observables(series.ions, args.ions_out, overwrite=args.overwrite)
    if not args.quiet:
        t = series.observables["time_s"]
        n_obs = series.observables.shape[1] - 1
        n_ions = series.ions.shape[1] - 1
        print(
            f"{len(t)} spectra ({t.min():g}-{t.max():g} s) -> {n_ions} candidate ions -> "
            f"{n_obs} observables -> {args.out} (residual rms median "
            f"{float(np.median(series.residual_rms)):.3g})"
        )
    return 0
