"""Cluster chemistry: elements, ligands, formulas, valence electron counts."""

from intercluster.chem.elements import ELEMENT_SYMBOLS, is_element

__all__ = ["ELEMENT_SYMBOLS", "is_element"]
