"""Candidate ions for assignment and deconvolution; observables as full ions.

The kinetics labels carry metals only (``[Ag12Au13]-``, ``[Ag24Au26]2-``;
Neumaier et al., JACS 2021, 002: "we will ignore the role of the ligands"). A
mass spectrum needs the ligand shell: :func:`ion_for_observable` gives
``[Ag12Au13(SR)18]-`` for a monomer and ``[Ag24Au26(SR)36]2-`` for a dimer sum
formula (twice the ligands and twice the charge).

The system is any object with ``metal_a``, ``metal_b``, ``n_atoms``,
``charge``, ``observables``, ``observable_labels`` and ``parse(label)``, i.e.
:class:`intercluster.network.system.ExchangeSystem`. (``intercluster.ms`` sits
above ``intercluster.network`` in the layer order, so it does not import it.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from intercluster.chem.formula import Adduct, Ion
from intercluster.chem.ligands import LigandLibrary, default_library
from intercluster.errors import ConfigError, FormulaError, bad_value

__all__ = [
    "Candidate",
    "SystemLike",
    "candidates_from_ions",
    "charge_state_series",
    "ion_for_observable",
    "observable_candidates",
]


class SystemLike(Protocol):
    """What :mod:`intercluster.ms` needs of an exchange system (ExchangeSystem has it)."""

    metal_a: str
    metal_b: str
    n_atoms: int
    charge: int

    @property
    def observables(self) -> tuple: ...

    @property
    def observable_labels(self) -> tuple[str, ...]: ...

    def parse(self, label: str) -> Any: ...


@dataclass(frozen=True)
class Candidate:
    """An ion to look for in a spectrum, with the label it is reported under.

    Attributes
    ----------
    label : str
        Column name in tables (an observable label such as ``[Ag12Au13]-``, or the ion).
    ion : Ion
    """

    label: str
    ion: Ion

    @property
    def charge(self) -> int:
        return self.ion.charge


def _ligand(name: str, library: LigandLibrary | None):
    lib = library or default_library()
    return lib[name]


def ion_for_observable(
    system: SystemLike,
    obj: Any,
    ligand: str = "SR",
    n_ligands: int = 18,
    library: LigandLibrary | None = None,
) -> Ion:
    """The full ion of an observable or species of an exchange system.

    Parameters
    ----------
    system : ExchangeSystem
        Metals A, B, number of metal atoms N and monomer charge.
    obj : Species, DimerSum or str
        A monomer ``Species(m)``, a dimer isomer ``Species(m, n)``, a dimer sum
        ``DimerSum(s)``, or a label that ``system.parse`` reads.
    ligand : str
        Ligand library name of the shell (default the generic thiolate ``SR``).
    n_ligands : int
        Ligands per monomer (18 for M25(SR)18); a dimer carries twice as many.

    Returns
    -------
    Ion
        ``[Ag12Au13(SR)18]-``, ``[(Ag13Au12)(Ag12Au13)(SR)36]2-`` or ``[Ag24Au26(SR)36]2-``.

    Raises
    ------
    FormulaError
        For an unknown ligand or a label that is not an observable of the system.
    ConfigError
        For ``n_ligands`` < 0.

    Examples
    --------
    >>> from intercluster.network.system import ExchangeSystem, DimerSum, Species
    >>> sys = ExchangeSystem("Ag", "Au", 25)
    >>> str(ion_for_observable(sys, Species(12))), str(ion_for_observable(sys, DimerSum(24)))
    ('[Ag12Au13(SR)18]-', '[Ag24Au26(SR)36]2-')
    >>> str(ion_for_observable(sys, "[(Ag13Au12)(Ag12Au13)]2-", ligand="PET"))
    '[(Ag13Au12)(Ag12Au13)(PET)36]2-'
    """
    if isinstance(n_ligands, bool) or not isinstance(n_ligands, int) or n_ligands < 0:
        raise ConfigError(bad_value("n_ligands", n_ligands, "an integer >= 0 (18 for M25(SR)18)"))
    if isinstance(obj, str):
        obj = system.parse(obj)
    lig = _ligand(ligand, library)
    a, b, N, q = system.metal_a, system.metal_b, system.n_atoms, system.charge

    def metals(n_a: int, total: int) -> dict[str, int]:
        return {k: v for k, v in ((a, n_a), (b, total - n_a)) if v}

    ligands = {lig: 2 * n_ligands} if n_ligands else {}
    if hasattr(obj, "s"):  # DimerSum
        if not 0 <= obj.s <= 2 * N:
            raise FormulaError(f"dimer sum s = {obj.s} is outside 0..{2 * N}")
        return Ion.from_parts(metals(obj.s, 2 * N), ligands, charge=2 * q)
    m, n = obj.m, getattr(obj, "n", None)
    if not 0 <= m <= N or (n is not None and not 0 <= n <= N):
        raise FormulaError(f"species {obj!r} is not a species of a system with N = {N}")
    if n is None:
        return Ion.from_parts(metals(m, N), {lig: n_ligands} if n_ligands else {}, charge=q)
    return Ion.from_parts((), ligands, charge=2 * q, subunits=[metals(m, N), metals(n, N)])


def observable_candidates(
    system: SystemLike,
    ligand: str = "SR",
    n_ligands: int = 18,
    library: LigandLibrary | None = None,
) -> list[Candidate]:
    """Every observable of a system as a candidate, labelled and ordered as in observables.csv.

    For Ag/Au with N = 25: [Ag_m Au_(25-m)(SR)18]- for m = 0..25, then
    [Ag_s Au_(50-s)(SR)36]2- for s = 0..50 (77 candidates; 002, Figure 1).

    Examples
    --------
    >>> from intercluster.network.system import ExchangeSystem
    >>> cands = observable_candidates(ExchangeSystem("Ag", "Au", 25))
    >>> len(cands), cands[0].label, str(cands[-1].ion)
    (77, '[Au25]-', '[Ag50(SR)36]2-')
    """
    return [
        Candidate(label, ion_for_observable(system, obj, ligand, n_ligands, library))
        for obj, label in zip(system.observables, system.observable_labels)
    ]


def candidates_from_ions(
    ions: Iterable[Ion | str], library: LigandLibrary | None = None
) -> list[Candidate]:
    """Candidates labelled by their own formula.

    Raises
    ------
    FormulaError
        For a formula that cannot be parsed or a neutral ion.
    ConfigError
        For an empty list or the same ion given twice.
    """
    out = []
    seen = set()
    for item in ions:
        ion = item if isinstance(item, Ion) else Ion(item, library=library)
        if ion.charge == 0:
            raise FormulaError(
                f"candidate {str(ion)!r} has no charge; write e.g. '[Ag25(DMBT)18]-'"
            )
        if ion in seen:
            raise ConfigError(f"candidate {str(ion)!r} is given twice")
        seen.add(ion)
        out.append(Candidate(str(ion), ion))
    if not out:
        raise ConfigError("no candidate ions given")
    return out


def charge_state_series(
    ion: Ion | str, charges: Sequence[int], carrier: str = "H"
) -> list[Candidate]:
    """The same cluster at several charge states, reached by adding or removing a cation.

    Each charge z is reached from the ion's charge q by adding ``z - q`` carrier
    cations (``+ Na``) or, if negative, removing them (``- H``: deprotonated
    carboxylic acids, as for [Au44(p-MBA)26]2- seen at 6-, 7-, 8- by Lin et
    al., Chem. Sci. 2022, 004, Fig. 1c).

    Parameters
    ----------
    ion : Ion or str
    charges : sequence of int
        Target total charges, e.g. ``[-6, -7, -8]``.
    carrier : str
        A singly charged cation (``"H"``, ``"Na"``, ``"K"``, ``"Cs"``...).

    Raises
    ------
    FormulaError
        If the carrier is not a cation, or removing it would take atoms the ion lacks.
    ConfigError
        If ``charges`` is empty or contains 0.

    Examples
    --------
    >>> [c.label for c in charge_state_series("[Au44(p-MBA)26]2-", [-2, -3])]
    ['[Au44(p-MBA)26]2-', '[Au44(p-MBA)26 - H]3-']
    """
    base = ion if isinstance(ion, Ion) else Ion(ion)
    probe = Ion(f"[X + {carrier}]".replace("X", "Ag")) if carrier else None
    adduct = next(iter(probe.adducts)) if probe is not None else None
    if not isinstance(adduct, Adduct) or adduct.charge != 1:
        raise FormulaError(
            bad_value("carrier", carrier, "a singly charged cation such as 'H' or 'Na'")
        )
    if not charges:
        raise ConfigError("charges: give at least one charge state, e.g. -6,-7,-8")
    out = []
    for z in charges:
        if isinstance(z, bool) or not isinstance(z, int) or z == 0:
            raise ConfigError(bad_value("charge", z, "a non-zero integer"))
        k = z - base.charge
        adducts = dict(base.adducts)
        adducts[adduct] = adducts.get(adduct, 0) + k
        adducts = {a: n for a, n in adducts.items() if n}
        new = Ion.from_parts(base.atoms, base.ligands, adducts, z, base.subunits)
        out.append(Candidate(str(new), new))
    return out
