"""Synthetic spectra of a simulation result: what a mass spectrometer would record.

RESULT_DIR is a folder written by 'intercluster simulate' (observables.csv and
summary.json). Each row of observables.csv becomes one profile spectrum at the
given resolving power with ion-counting (Poisson) and detector (Gaussian) noise.

For a general model (families, complexes: a folder whose config.toml has
[[family]] sections) each observable is its sum-formula ion; families written
without ligands get --n-ligands x --ligand per subunit.

Example: intercluster synth-spectra results/sim3 --out spectra/ --seed 1
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import (
    add_ligand_arguments,
    add_resolution_argument,
    apply_ligand_arguments,
)

HELP = "turn a simulation result into the series of spectra an instrument would record"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("result_dir", metavar="RESULT_DIR", help="simulation result folder")
    p.add_argument("--out", required=True, metavar="DIR", help="new folder for the spectra")
    p.add_argument(
        "--format",
        default="csv",
        choices=["csv", "mzml"],
        help="one CSV per spectrum (<index>_t_<time>s.csv) or one spectra.mzML (csv)",
    )
    add_resolution_argument(p)
    p.add_argument(
        "--ions",
        type=float,
        default=1e6,
        metavar="N",
        help="ions per spectrum (Poisson counting noise; default 1e6)",
    )
    p.add_argument("--baseline-counts", type=float, default=5.0, help="constant baseline (5)")
    p.add_argument("--noise-sd", type=float, default=2.0, help="Gaussian detector noise (2)")
    p.add_argument("--no-noise", action="store_true", help="expected spectra, no noise")
    p.add_argument("--points-per-fwhm", type=float, default=8.0, help="m/z sampling (8)")
    p.add_argument("--efficiency", metavar="FILE", help="CSV label,efficiency")
    p.add_argument("--ligand", default="SR", help="ligand of the shell (SR = C8H9S)")
    p.add_argument(
        "--n-ligands",
        type=int,
        default=18,
        help="ligands per monomer (18; per subunit of a ligand-free family of a general model)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    add_ligand_arguments(p)


def run(args) -> int:
    from intercluster.io import check_output_dir
    from intercluster.ms import (
        NoiseModel,
        read_efficiency_table,
        read_simulation_result,
        synthesize_series,
        write_spectra,
    )
    from intercluster.network.system import ExchangeSystem

    apply_ligand_arguments(args)
    check_output_dir(args.out, args.overwrite)
    result = read_simulation_result(args.result_dir)
    candidates = None
    if "families" in result.system:  # a general model: its ions, composed with the network
        from intercluster.cli._model_ions import load_model_system, model_candidates

        system = load_model_system(args.result_dir, "result_dir")
        candidates = model_candidates(system, args.ligand, args.n_ligands).candidates
    else:
        system = ExchangeSystem(**result.system)
    noise = NoiseModel(None if args.no_noise else args.ions, args.baseline_counts, args.noise_sd)
    efficiency = read_efficiency_table(args.efficiency) if args.efficiency else None
    spectra = synthesize_series(
        result.observables,
        system,
        args.ligand,
        args.n_ligands,
        args.resolution,
        points_per_fwhm=args.points_per_fwhm,
        noise=noise,
        efficiency=efficiency,
        seed=args.seed,
        progress=args.progress,
        candidates=candidates,
    )
    metadata = {
        "source": str(result.path),
        "system": result.system,
        "ligand": args.ligand,
        "n_ligands": args.n_ligands,
        "resolving_power": args.resolution,
        "ions_per_spectrum": noise.total_counts,
        "baseline_counts": noise.baseline,
        "noise_sd": noise.noise_sd,
        "points_per_fwhm": args.points_per_fwhm,
        "efficiency": efficiency,
        "seed": args.seed,
        "format": args.format,
    }
    write_spectra(spectra, args.out, args.format, args.overwrite, metadata)
    if not args.quiet:
        print(
            f"{len(spectra)} spectra of {len(spectra[0])} points "
            f"({spectra[0].mz[0]:.1f}-{spectra[0].mz[-1]:.1f} Th) -> {args.out}"
        )
    return 0
