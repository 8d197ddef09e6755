"""Stable isotopes: mass numbers, exact masses and natural abundances.

The numbers are IsoSpecPy's element tables (the same ones its isotope
distributions use), so masses computed from a formula and isotope patterns
computed by :mod:`intercluster.ms` agree to the last digit. IsoSpecPy is
imported only when an isotope is asked for.

Atoms are keyed by strings: ``"Ag"`` is silver of natural isotopic composition,
``"107Ag"`` the single isotope 107Ag, and ``"2H"`` deuterium (written ``D`` in
formulas).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from intercluster.chem.elements import is_element
from intercluster.errors import FormulaError

__all__ = ["Isotopes", "atom_key", "isotopes", "split_atom_key"]

_KEY_RE = re.compile(r"^(\d*)([A-Z][a-z]*)$")


@dataclass(frozen=True)
class Isotopes:
    """The stable isotopes of one element, or a single isotope.

    Attributes
    ----------
    symbol : str
        Element symbol (``"Ag"``).
    mass_numbers : tuple of int
        Nucleon numbers A, ascending.
    masses : tuple of float
        Exact isotope masses [u].
    abundances : tuple of float
        Natural abundances (mole fractions, sum 1); ``(1.0,)`` for a single isotope.
    """

    symbol: str
    mass_numbers: tuple[int, ...]
    masses: tuple[float, ...]
    abundances: tuple[float, ...]

    @property
    def average_mass(self) -> float:
        """Abundance-weighted mean mass [u] (the standard atomic weight of the table)."""
        return sum(m * p for m, p in zip(self.masses, self.abundances))

    @property
    def monoisotopic_mass(self) -> float:
        """Mass of the most abundant isotope [u] (IUPAC definition of monoisotopic)."""
        i = max(range(len(self.masses)), key=lambda k: self.abundances[k])
        return self.masses[i]

    @property
    def lightest_mass_number(self) -> int:
        return self.mass_numbers[0]


def atom_key(symbol: str, mass_number: int | None = None) -> str:
    """Key of an atom: ``"Ag"`` or, for one isotope, ``"107Ag"``.

    >>> atom_key("Ag"), atom_key("Ag", 107)
    ('Ag', '107Ag')
    """
    return symbol if mass_number is None else f"{mass_number}{symbol}"


@cache
def split_atom_key(key: str) -> tuple[str, int | None]:
    """Inverse of :func:`atom_key`.

    >>> split_atom_key("107Ag"), split_atom_key("Au")
    (('Ag', 107), ('Au', None))
    """
    match = _KEY_RE.match(key)
    if not match or not is_element(match.group(2)):
        raise FormulaError(
            f"atom {key!r}: expected an element symbol such as 'Ag' or an isotope '107Ag'"
        )
    return match.group(2), int(match.group(1)) if match.group(1) else None


@cache
def isotopes(key: str) -> Isotopes:
    """Isotopes of an atom key (natural element, or one isotope with abundance 1).

    Parameters
    ----------
    key : str
        ``"Ag"`` (natural silver), ``"107Ag"`` (one isotope) or ``"2H"``.

    Returns
    -------
    Isotopes

    Raises
    ------
    FormulaError
        If the element has no stable isotopes in the table (e.g. Tc, Pm) or the
        mass number is not one of its stable isotopes.

    Examples
    --------
    >>> isotopes("Ag").mass_numbers
    (107, 109)
    >>> round(isotopes("109Ag").masses[0], 4), isotopes("109Ag").abundances
    (108.9048, (1.0,))
    """
    from IsoSpecPy import PeriodicTbl

    symbol, mass_number = split_atom_key(key)
    masses = PeriodicTbl.symbol_to_masses.get(symbol)
    if not masses:
        raise FormulaError(
            f"element {symbol!r} has no stable isotopes in the isotope table; "
            f"masses and isotope patterns need stable elements"
        )
    numbers = tuple(round(a) for a in PeriodicTbl.symbol_to_massNo[symbol])
    probs = PeriodicTbl.symbol_to_probs[symbol]
    if mass_number is None:
        return Isotopes(symbol, numbers, tuple(masses), tuple(probs))
    if mass_number not in numbers:
        allowed = ", ".join(f"{a}{symbol}" for a in numbers)
        raise FormulaError(
            f"isotope {mass_number}{symbol} is not a stable isotope of {symbol}; allowed: {allowed}"
        )
    i = numbers.index(mass_number)
    return Isotopes(symbol, (mass_number,), (masses[i],), (1.0,))
