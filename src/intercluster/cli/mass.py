"""Masses, m/z and valence electron count of cluster ions.

Example: intercluster mass '[Ag25(DMBT)18]-' '[Au44(p-MBA)26 + 12Na - 16H]6-'
"""

from __future__ import annotations

import argparse

from intercluster.cli._ms_args import add_ligand_arguments, apply_ligand_arguments

HELP = "masses, m/z and electron count of an ion such as '[Ag25(DMBT)18]-'"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ions", nargs="+", metavar="ION", help="ion(s), e.g. '[Au25(PET)18]-'")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_ligand_arguments(p)


def _fmt(value, unit: str = "") -> str:
    return "-" if value is None else f"{value:.5f}{unit}"


def _electron_note(ion: str) -> str:
    """Why an ion has no valence electron count (the library's message), or ''."""
    from intercluster.chem import valence_electrons
    from intercluster.errors import FormulaError

    try:
        valence_electrons(ion)
    except FormulaError as exc:
        return str(exc)
    return ""


def run(args) -> int:
    import json

    from intercluster.ms import ion_masses

    apply_ligand_arguments(args)
    results = [ion_masses(text) for text in args.ions]
    notes = [_electron_note(r.ion) if r.valence_electrons is None else "" for r in results]
    if args.json:
        data = [
            {**r.to_dict(), **({"valence_electrons_note": n} if n else {})}
            for r, n in zip(results, notes)
        ]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
        return 0
    for i, r in enumerate(results):
        if i:
            print()
        print(f"ion                 {r.ion}")
        print(f"formula             {r.formula}")
        print(
            f"charge              {r.charge:+d} (core {r.core_charge:+d})"
            if r.charge
            else "charge              0 (neutral: no m/z)"
        )
        for kind, m, z in (
            ("monoisotopic", r.monoisotopic_mass, r.mz_monoisotopic),
            ("average", r.average_mass, r.mz_average),
            ("most abundant", r.most_abundant_mass, r.mz_most_abundant),
        ):
            print(f"{kind + ' mass':<20}{_fmt(m, ' u'):<18}  m/z {_fmt(z)}")
        n_e = f"- ({notes[i]})" if r.valence_electrons is None else str(r.valence_electrons)
        print(f"valence electrons   {n_e}")
    return 0
