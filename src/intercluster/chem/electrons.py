"""Valence (superatom) electron count of a cluster core.

    n_e = sum of metal valences - electrons withdrawn by the ligands - q_core

with valence 1 for Cu, Ag, Au (and the alkali metals), 0 for Ni, Pd, Pt and 2
for Zn, Cd, Hg. Each ligand withdraws the number of electrons given in the
ligand library (thiolate, halide, hydride, dithiophosphate 1; dithiolate 2;
phosphine 0). Atoms written bare in the core withdraw as anions: H, F, Cl, Br,
I one electron, O, S, Se, Te (chalcogenide) two. ``q_core`` is the charge of
the core with its ligands: the total charge minus that of the adducts (Na+,
H+, Ag+, Cs+ ...) and counter-cations (PPh4+, TOA+); see
:attr:`intercluster.chem.Ion.core_charge`.

References: Acharya et al., J. Phys. Chem. C 2025 (doi:10.1021/acs.jpcc.4c07077),
"Reaction between Ag@I and M@II" (16 e- dimers [Ag53(BDT)12(DMBT)16]3-, 15 e-
[PdAg52(BDT)12(DMBT)16]3-); Lin et al., Chem. Sci. 2022 (doi:10.1039/d1sc06296d),
"valence electron count of [Au44(SR)26]2- is 20, while that of [Ag44(SR)30]4- is 18".
"""

from __future__ import annotations

from collections.abc import Mapping

from intercluster.chem.elements import is_metal
from intercluster.chem.formula import Ion
from intercluster.chem.isotopes import split_atom_key
from intercluster.errors import FormulaError

__all__ = ["ANION_ATOM_ELECTRONS", "METAL_VALENCE", "valence_electrons"]

#: Valence electrons each metal atom contributes to the superatom count.
METAL_VALENCE: dict[str, int] = {
    "Cu": 1,
    "Ag": 1,
    "Au": 1,
    "Ni": 0,
    "Pd": 0,
    "Pt": 0,
    "Zn": 2,
    "Cd": 2,
    "Hg": 2,
    "Li": 1,
    "Na": 1,
    "K": 1,
    "Rb": 1,
    "Cs": 1,
}

#: Electrons withdrawn by a non-metal atom written bare in the core (as an anion).
ANION_ATOM_ELECTRONS: dict[str, int] = {
    "H": 1,
    "F": 1,
    "Cl": 1,
    "Br": 1,
    "I": 1,
    "O": 2,
    "S": 2,
    "Se": 2,
    "Te": 2,
}


def valence_electrons(ion: Ion | str, valences: Mapping[str, int] | None = None) -> int:
    """Superatom (valence) electron count of the core of a cluster ion.

    Parameters
    ----------
    ion : Ion or str
        The cluster ion, e.g. ``"[Ag44(SR)30]4-"``.
    valences : mapping, optional
        Extra or overriding metal valences (element -> electrons), for metals
        not in :data:`METAL_VALENCE`.

    Returns
    -------
    int
        n_e [electrons].

    Raises
    ------
    FormulaError
        If the ion has no metal core, contains a metal of unknown valence, a
        ligand whose electron count is unknown (a bare formula that matches no
        library ligand), or a bare core atom that is neither metal nor anion.

    Examples
    --------
    >>> valence_electrons("[Au25(PET)18]-"), valence_electrons("[Ag44(SR)30]4-")
    (8, 18)
    >>> valence_electrons("[Au44(p-MBA)26 + 12Na - 16H]6-")
    20
    >>> valence_electrons("[PdAg52(BDT)12(DMBT)16]3-")
    15
    """
    ion = ion if isinstance(ion, Ion) else Ion(ion)
    table = dict(METAL_VALENCE)
    if valences:
        table.update(valences)
    metal_e = 0
    withdrawn = 0
    n_metal = 0
    for key, count in ion.core_atoms.items():
        symbol = split_atom_key(key)[0]
        if is_metal(symbol):
            if symbol not in table:
                raise FormulaError(
                    f"ion {str(ion)!r}: no valence known for metal {symbol!r} (known: "
                    f"{', '.join(sorted(table))}); pass valences={{{symbol!r}: n}}"
                )
            metal_e += table[symbol] * count
            n_metal += count
        elif symbol in ANION_ATOM_ELECTRONS:
            withdrawn += ANION_ATOM_ELECTRONS[symbol] * count
        else:
            raise FormulaError(
                f"ion {str(ion)!r}: atom {symbol!r} written in the core is neither a metal nor "
                f"an anion (H, halide, chalcogenide); put ligands in brackets, e.g. (DMBT)18"
            )
    if n_metal == 0:
        raise FormulaError(
            f"ion {str(ion)!r} has no metal core; an electron count needs metal atoms"
        )
    for lig, count in ion.ligands.items():
        if lig.electrons is None:
            why = f" ({lig.note})" if lig.note else ""
            raise FormulaError(
                f"ion {str(ion)!r}, ligand {lig.name!r}: the electrons it withdraws are "
                f"unknown{why}; use a library name or register the ligand with its class"
            )
        withdrawn += lig.electrons * count
    return metal_e - withdrawn - ion.core_charge
