"""Cluster chemistry: elements, isotopes, ligands, formulas, valence electron counts.

>>> from intercluster.chem import Ion, valence_electrons
>>> ion = Ion("[Ag53(BDT)12(DMBT)16]3-")
>>> ion.metals, valence_electrons(ion)
({'Ag': 53}, 16)
"""

from intercluster.chem.composition import hill_formula, parse_composition
from intercluster.chem.electrons import METAL_VALENCE, valence_electrons
from intercluster.chem.elements import ELEMENT_SYMBOLS, is_element, is_metal
from intercluster.chem.formula import CATIONS, Adduct, Ion, format_charge, parse_ion
from intercluster.chem.isotopes import Isotopes, isotopes
from intercluster.chem.ligands import (
    AmbiguousLigandWarning,
    Ligand,
    LigandLibrary,
    default_library,
    load_ligand_file,
    register_ligand,
    set_default_library,
    set_default_thiolate,
)

__all__ = [
    "CATIONS",
    "ELEMENT_SYMBOLS",
    "METAL_VALENCE",
    "Adduct",
    "AmbiguousLigandWarning",
    "Ion",
    "Isotopes",
    "Ligand",
    "LigandLibrary",
    "default_library",
    "format_charge",
    "hill_formula",
    "is_element",
    "is_metal",
    "isotopes",
    "load_ligand_file",
    "parse_composition",
    "parse_ion",
    "register_ligand",
    "set_default_library",
    "set_default_thiolate",
    "valence_electrons",
]
