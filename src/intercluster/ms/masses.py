"""Masses and m/z of ions: monoisotopic, average and most-abundant.

Conventions (DESIGN.md, "Units"): masses in u (Da), m/z in Th. The mass of an
ion is the sum of the atomic masses of its atoms (which include their
electrons) minus ``q`` electron masses: an anion carries |q| extra electrons,
a cation lacks q. Hence

    m/z = (M - q m_e) / |q|,    m_e = 0.000548579909 u,

so an anion's m/z is (M + |q| m_e)/|q| and a cation's (M - q m_e)/q.

- monoisotopic mass: every atom is its most abundant isotope (IUPAC);
- average mass: abundance-weighted mean over all isotopologues (what the
  centre of an unresolved envelope shows; Neumaier et al., JACS 2021, 002,
  quote m/z 5167 for [Ag25(DMBT)18]- this way);
- most-abundant mass: centroid of the most intense peak after grouping the
  isotopologues by nucleon number (:mod:`intercluster.ms.patterns`).

Atomic masses and abundances are IsoSpecPy's tables
(:mod:`intercluster.chem.isotopes`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from intercluster.chem.formula import Ion
from intercluster.chem.isotopes import isotopes
from intercluster.errors import FormulaError, bad_value

__all__ = [
    "ELECTRON_MASS_U",
    "MASS_KINDS",
    "IonMasses",
    "ion_mass",
    "ion_masses",
    "mz",
    "mz_from_mass",
    "neutral_mass",
]

#: Electron rest mass [u] (CODATA 2018).
ELECTRON_MASS_U = 0.000548579909

#: Kinds of mass: ``"monoisotopic"``, ``"average"``, ``"most_abundant"``.
MASS_KINDS = ("monoisotopic", "average", "most_abundant")


def _as_ion(ion: Ion | str) -> Ion:
    return ion if isinstance(ion, Ion) else Ion(ion)


def _check_kind(kind: str) -> None:
    if kind not in MASS_KINDS:
        raise FormulaError(bad_value("kind", kind, f"one of {MASS_KINDS}"))


def neutral_mass(ion: Ion | str, kind: str = "monoisotopic") -> float:
    """Sum of the atomic masses of the ion's atoms [u] (no electron correction).

    Parameters
    ----------
    ion : Ion or str
    kind : {"monoisotopic", "average", "most_abundant"}

    Raises
    ------
    FormulaError
        For an unknown kind or an element without stable isotopes.

    Examples
    --------
    >>> round(neutral_mass("C8H9S", "monoisotopic"), 5)
    137.0425
    """
    _check_kind(kind)
    ion = _as_ion(ion)
    if kind == "most_abundant":
        from intercluster.ms.patterns import isotope_pattern

        pattern = isotope_pattern(ion) if ion.charge else isotope_pattern(ion.with_charge(1))
        return pattern.most_abundant_mass_neutral
    total = 0.0
    for key, count in ion.composition.items():
        iso = isotopes(key)
        total += count * (iso.monoisotopic_mass if kind == "monoisotopic" else iso.average_mass)
    return total


def ion_mass(ion: Ion | str, kind: str = "monoisotopic") -> float:
    """Mass of the ion [u]: :func:`neutral_mass` minus ``q`` electron masses.

    Examples
    --------
    >>> ion = Ion("[Ag25(DMBT)18]-")
    >>> round(ion_mass(ion) - neutral_mass(ion), 9)   # one extra electron
    0.00054858
    """
    ion = _as_ion(ion)
    return neutral_mass(ion, kind) - ion.charge * ELECTRON_MASS_U


def mz_from_mass(mass_u: float, charge: int) -> float:
    """m/z [Th] of an ion whose atoms weigh ``mass_u`` [u] and whose charge is ``charge``.

    Raises
    ------
    FormulaError
        If ``charge`` is 0 (a neutral has no m/z).

    Examples
    --------
    >>> mz_from_mass(1000.0, -2) == (1000.0 + 2 * ELECTRON_MASS_U) / 2
    True
    """
    if isinstance(charge, bool) or not isinstance(charge, int) or charge == 0:
        raise FormulaError(
            bad_value(
                "charge",
                charge,
                "a non-zero integer: m/z needs a charged ion, e.g. '[Ag25(DMBT)18]-'",
            )
        )
    return (mass_u - charge * ELECTRON_MASS_U) / abs(charge)


def mz(ion: Ion | str, kind: str = "monoisotopic") -> float:
    """m/z of the ion [Th] for a kind of mass.

    Parameters
    ----------
    ion : Ion or str
        A charged ion (``"[Au25(PET)18]-"``).
    kind : {"monoisotopic", "average", "most_abundant"}

    Returns
    -------
    float
        (M - q m_e) / |q| [Th].

    Raises
    ------
    FormulaError
        If the ion is neutral (no charge written), or the kind is unknown.

    Examples
    --------
    >>> round(mz("[Au25(PET)18]-", "average"))   # Neumaier et al. 2021: m/z 7394
    7394
    """
    ion = _as_ion(ion)
    if ion.charge == 0:
        raise FormulaError(
            f"ion {str(ion)!r} has no charge, so it has no m/z; write the charge after the "
            f"square bracket, e.g. '[Ag25(DMBT)18]-'"
        )
    return mz_from_mass(neutral_mass(ion, kind), ion.charge)


@dataclass(frozen=True)
class IonMasses:
    """Masses, m/z and electron count of one ion (what ``intercluster mass`` prints).

    Masses are ion masses [u] (electron term included); m/z [Th];
    ``valence_electrons`` is ``None`` for an ion without a metal core.
    """

    ion: str
    formula: str
    charge: int
    core_charge: int
    monoisotopic_mass: float
    average_mass: float
    most_abundant_mass: float
    mz_monoisotopic: float | None
    mz_average: float | None
    mz_most_abundant: float | None
    valence_electrons: int | None

    def to_dict(self) -> dict:
        return asdict(self)


def ion_masses(ion: Ion | str) -> IonMasses:
    """All masses of an ion, its m/z (None for a neutral) and its valence electron count.

    Raises
    ------
    FormulaError
        For a formula that cannot be parsed or weighed.

    Examples
    --------
    >>> m = ion_masses("[Ag44(p-MBA)30]4-")      # Lin et al. 2022: m/z 2335.5
    >>> round(m.mz_average, 1), m.valence_electrons
    (2335.4, 18)
    """
    from intercluster.chem.electrons import valence_electrons

    ion = _as_ion(ion)
    q = ion.charge
    masses = {k: neutral_mass(ion, k) - q * ELECTRON_MASS_U for k in MASS_KINDS}
    try:
        n_e = valence_electrons(ion)
    except FormulaError:
        n_e = None
    mzs = {k: (masses[k] / abs(q) if q else None) for k in MASS_KINDS}
    return IonMasses(
        ion=str(ion),
        formula=ion.formula,
        charge=q,
        core_charge=ion.core_charge,
        monoisotopic_mass=masses["monoisotopic"],
        average_mass=masses["average"],
        most_abundant_mass=masses["most_abundant"],
        mz_monoisotopic=mzs["monoisotopic"],
        mz_average=mzs["average"],
        mz_most_abundant=mzs["most_abundant"],
        valence_electrons=n_e,
    )
