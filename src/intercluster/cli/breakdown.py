"""CID breakdown curves: survival of a precursor and fragment yields vs collision energy,
with a sigmoid fit giving E50 (Acharya et al., J. Phys. Chem. C 2025, Figures 3-5);
or, with --predicted, the fragment shares at one energy beside those the dimer isomers
of a simulation predict (Neumaier et al., JACS 2021, Figure 2, 30 eV).

SOURCE is an mzML file with the collision energy of every scan (its precursor's
activation), a folder of spectra named by energy ('ce_15.csv', '15eV.mzML'), or a
CSV table with columns collision_energy, mz, intensity. Negative intensities
(baseline-subtracted spectra) are used as they are.

Example: intercluster breakdown ramp.mzML --precursor '[Ag25Au25(SR)36]2-'
--fragment '[Ag25(SR)18]-' --fragment '[Au25(SR)18]-' --out curves.csv --plot curves.png
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

HELP = "CID breakdown curves and E50, or fragment shares against dimer-isomer predictions"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help="mzML, folder of spectra, or CSV table")
    p.add_argument("--precursor", required=True, metavar="ION", help="the mass-selected ion")
    p.add_argument(
        "--fragment", action="append", metavar="ION", help="a fragment ion (repeat for more)"
    )
    p.add_argument("--fragments-file", metavar="FILE", help="fragment ions, one per line")
    add_resolution_argument(p)
    p.add_argument("--baseline", default="linear", choices=["none", "constant", "linear"])
    p.add_argument("--out", metavar="FILE", help="table to write (CSV)")
    p.add_argument("--plot", metavar="FILE", help="figure to write (.png/.svg/.pdf)")
    g = p.add_argument_group("fixed energy: observed fragment shares vs dimer-isomer prediction")
    g.add_argument(
        "--predicted",
        metavar="RESULT_DIR",
        help="folder written by 'intercluster simulate'; fragments default to its monomers",
    )
    g.add_argument("--time", type=float, metavar="S", help="reaction time of the CID spectrum [s]")
    g.add_argument(
        "--energy", type=float, metavar="EV", help="use the spectrum at this collision energy"
    )
    g.add_argument("--ligand", default="SR", help="ligand of the monomer shell (SR)")
    g.add_argument("--n-ligands", type=int, default=18, metavar="n", help="ligands per monomer")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="print nothing")
    add_ligand_arguments(p)


def _fragments(args):
    from intercluster.ms import read_candidates

    ions = []
    if args.fragments_file:
        ions += [c.ion for c in read_candidates(args.fragments_file).candidates]
    ions += list(args.fragment or [])
    return ions


def run(args) -> int:
    from intercluster.errors import ConfigError
    from intercluster.ms import candidates_from_ions
    from intercluster.ms.breakdown import breakdown_curves, read_cid_spectra

    apply_ligand_arguments(args)
    for path in (args.out, args.plot):
        if path:
            check_new_file(path, args.overwrite)
    (precursor,) = candidates_from_ions([args.precursor])
    fragment_ions = _fragments(args)
    if args.predicted is not None:
        return _fixed_energy(args, precursor, fragment_ions)
    if args.time is not None or args.energy is not None:
        raise ConfigError("--time and --energy go with --predicted RESULT_DIR")
    if not fragment_ions:
        raise ConfigError("give the fragment ions with --fragment ION or --fragments-file FILE")
    fragments = candidates_from_ions(fragment_ions)
    spectra = read_cid_spectra(args.source)
    curves = breakdown_curves(spectra, precursor, fragments, args.resolution, args.baseline)
    if args.out:
        write_table(curves.table, args.out, args.overwrite)
    if args.plot:
        from intercluster.plot.ms import plot_breakdown, save_figure

        save_figure(plot_breakdown(curves), args.plot)
    if not args.quiet:
        t = curves.table
        print(
            f"{len(t)} spectra at {t['collision_energy'].nunique()} collision energies "
            f"({t['collision_energy'].min():g}-{t['collision_energy'].max():g} eV), precursor "
            f"{curves.precursor}, {len(curves.fragments)} fragments"
        )
        cols = ["collision_energy", "survival", "survival_stderr", *curves.fragments]
        print(t[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        fit = curves.fit
        if fit is None:
            print("no sigmoid fit (needs 3 or more spectra at 2 or more energies)")
        else:
            print(
                f"E50 = {fit.e50:.3f} ± {fit.e50_stderr:.3f} eV, width = {fit.width:.3f} ± "
                f"{fit.width_stderr:.3f} eV (survival residual rms {fit.residual_rms:.4f})"
            )
    return 0


def _fixed_energy(args, precursor, fragment_ions) -> int:
    import numpy as np

    from intercluster.errors import ConfigError, DataError
    from intercluster.kinetics.results import load_result
    from intercluster.ms import candidates_from_ions, observable_candidates
    from intercluster.ms.breakdown import (
        compare_fragment_shares,
        fragment_shares,
        read_cid_spectra,
    )
    from intercluster.network.system import DimerSum
    from intercluster.thermo.isomers import cid_fragments, system_of

    if args.time is None:
        raise ConfigError("--predicted needs --time S, the reaction time of the CID spectrum")
    ds = load_result(args.predicted)
    system = system_of(ds)
    metals = precursor.ion.metals
    if set(metals) - {system.metal_a, system.metal_b} or precursor.ion.charge != 2 * system.charge:
        raise ConfigError(
            f"--precursor = {args.precursor!r}: not a dimer ion of the simulated "
            f"{system.metal_a}/{system.metal_b} system (charge {2 * system.charge})"
        )
    sum_label = system.label(DimerSum(metals.get(system.metal_a, 0)))
    if fragment_ions:
        fragments = candidates_from_ions(fragment_ions)
    else:
        fragments = observable_candidates(system, args.ligand, args.n_ligands)[: system.n_monomers]
    spectra = read_cid_spectra(args.source)
    if args.energy is not None:
        spectra = [s for s in spectra if np.isclose(s.collision_energy, args.energy)]
        if not spectra:
            raise DataError(f"{args.source}: no spectrum at collision energy {args.energy:g} eV")
    if len(spectra) != 1:
        energies = sorted({s.collision_energy for s in spectra})
        raise ConfigError(
            f"{args.source} holds {len(spectra)} spectra (energies {energies[:6]}); choose one "
            f"with --energy EV"
        )
    spectrum = spectra[0]
    observed = fragment_shares(spectrum, precursor, fragments, args.resolution, args.baseline)
    predicted = cid_fragments(ds, sum_label, [args.time])
    table = compare_fragment_shares(observed, predicted.iloc[0].to_dict())
    t_used = float(predicted.index[0])
    if args.out:
        out = table.reset_index()
        write_table(out, args.out, args.overwrite)
    if args.plot:
        from intercluster.plot.ms import plot_fragment_comparison, save_figure

        title = (
            f"CID of {sum_label} at {spectrum.collision_energy:g} eV; prediction at {t_used:g} s"
        )
        save_figure(plot_fragment_comparison(table, title), args.plot)
    if not args.quiet:
        print(
            f"CID fragments of {sum_label} at {spectrum.collision_energy:g} eV "
            f"({spectrum.source}) beside the dimer isomers of {args.predicted} at {t_used:g} s:"
        )
        print(table.to_string(float_format=lambda v: f"{v:.4f}"))
        print(f"total variation distance {0.5 * float(np.abs(table['difference']).sum()):.4f}")
    return 0
