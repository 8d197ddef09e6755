"""Candidate ions for assignment and deconvolution; observables as full ions.

The kinetics labels carry metals only (``[Ag12Au13]-``, ``[Ag24Au26]2-``;
Neumaier et al., JACS 2021: "we will ignore the role of the ligands"). A
mass spectrum needs the ligand shell: :func:`ion_for_observable` gives
``[Ag12Au13(SR)18]-`` for a monomer and ``[Ag24Au26(SR)36]2-`` for a dimer sum
formula (twice the ligands and twice the charge).

The system is any object with ``metal_a``, ``metal_b``, ``n_atoms``,
``charge``, ``observables``, ``observable_labels`` and ``parse(label)``, i.e.
:class:`intercluster.network.system.ExchangeSystem`. (``intercluster.ms`` sits
above ``intercluster.network`` in the layer order, so it does not import it.)
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from intercluster.chem.formula import Adduct, Ion
from intercluster.chem.ligands import LigandLibrary, default_library
from intercluster.errors import ConfigError, DataError, FormulaError, bad_value

__all__ = [
    "Candidate",
    "CandidateSet",
    "SystemLike",
    "candidates_from_ions",
    "charge_state_series",
    "default_candidates",
    "group_candidates",
    "ion_for_observable",
    "observable_candidates",
    "read_candidates",
    "trimer_candidates",
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


def trimer_candidates(
    system: SystemLike,
    ligand: str = "SR",
    n_ligands: int = 18,
    library: LigandLibrary | None = None,
) -> list[Candidate]:
    """Trimer sum formulas [A_m B_(3N-m)(L)_3n]^(3q) of an exchange system, m = 0..3N.

    Neumaier et al., JACS 2021, 143, 6969 (Figure 1 and Figure S2): "less intense
    signals of triply charged trimers are visible, i.e., [Ag_m Au_(75-m)(SR)54]3-".
    A trimer with m = 3k sits at the m/z of the monomer [A_k B_(N-k)]^q and of the
    dimer [A_2k B_(2N-2k)]^(2q); only its isotope spacing (1/3 Th) tells them apart.
    Labels carry the metals only, like the observables (``[Ag3Au72]3-``).

    Parameters
    ----------
    system : ExchangeSystem
    ligand, n_ligands : ligand shell of a monomer (a trimer carries 3 x n_ligands)

    Returns
    -------
    list of Candidate, length 3N + 1

    Raises
    ------
    FormulaError
        For an unknown ligand.
    ConfigError
        For ``n_ligands`` < 0.

    Examples
    --------
    >>> from intercluster.network.system import ExchangeSystem
    >>> tri = trimer_candidates(ExchangeSystem("Ag", "Au", 25))
    >>> len(tri), tri[3].label, str(tri[3].ion)
    (76, '[Ag3Au72]3-', '[Ag3Au72(SR)54]3-')
    """
    if isinstance(n_ligands, bool) or not isinstance(n_ligands, int) or n_ligands < 0:
        raise ConfigError(bad_value("n_ligands", n_ligands, "an integer >= 0 (18 for M25(SR)18)"))
    lig = _ligand(ligand, library)
    a, b, N, q = system.metal_a, system.metal_b, system.n_atoms, system.charge
    shell = {lig: 3 * n_ligands} if n_ligands else {}
    out = []
    for m in range(3 * N + 1):
        metals = {k: v for k, v in ((a, m), (b, 3 * N - m)) if v}
        bare = Ion.from_parts(metals, (), charge=3 * q)
        ion = Ion.from_parts(metals, shell, charge=3 * q)
        out.append(Candidate(str(bare), ion))
    return out


def default_candidates(
    system: SystemLike,
    ligand: str = "SR",
    n_ligands: int = 18,
    library: LigandLibrary | None = None,
    trimers: bool = True,
) -> list[Candidate]:
    """The candidates an exchange system's spectrum is read with by default.

    The observables (monomers, then dimer sum formulas; :func:`observable_candidates`)
    followed, with ``trimers``, by the trimer sum formulas (:func:`trimer_candidates`),
    which share m/z with monomers and dimers and would otherwise be read as a
    mixture of the two (Neumaier et al., JACS 2021, 143, 6969, Figure S2).

    Examples
    --------
    >>> from intercluster.network.system import ExchangeSystem
    >>> len(default_candidates(ExchangeSystem("Ag", "Au", 25)))   # 26 + 51 + 76
    153
    """
    out = observable_candidates(system, ligand, n_ligands, library)
    if trimers:
        out += trimer_candidates(system, ligand, n_ligands, library)
    return out


@dataclass(frozen=True)
class CandidateSet:
    """Candidate ions and, optionally, how they add up to observables.

    Attributes
    ----------
    candidates : list of Candidate
        The ions fitted (each its own column of the design matrix).
    groups : dict observable label -> tuple of (candidate index, weight)
        An observable's abundance is sum_i a_i / weight_i over its ions (weight =
        the relative response of that ion; 1 by default). Empty when every
        candidate is its own observable.
    """

    candidates: list
    groups: dict = field(default_factory=dict)

    @property
    def observable_labels(self) -> tuple[str, ...]:
        if self.groups:
            return tuple(self.groups)
        return tuple(c.label for c in self.candidates)

    def grouping_matrix(self):
        """Matrix G, shape (n_observables, n_candidates): observables = G @ abundances."""
        import numpy as np

        k = len(self.candidates)
        if not self.groups:
            return np.eye(k)
        G = np.zeros((len(self.groups), k))
        for i, members in enumerate(self.groups.values()):
            for j, w in members:
                G[i, j] += 1.0 / w
        return G


def _check_weight(value: str, where: str) -> float:
    try:
        w = float(value)
    except ValueError:
        w = float("nan")
    if not (w > 0 and w < float("inf")):
        raise DataError(f"{where}: weight {value!r} is not a finite number > 0")
    return w


def read_candidates(path: str | os.PathLike, library: LigandLibrary | None = None) -> CandidateSet:
    """Candidate ions from a text file: one ion per line, or a grouping into observables.

    Two layouts are read:

    - one ion per line (``[Ag25(DMBT)18]-``); ``#`` comments and blank lines are
      skipped; each ion is its own observable;
    - a CSV table whose header is ``observable,ion`` (optionally ``,weight``):
      several ions (charge states, adducts, fragments seen in the source) add up
      to one observable; ``weight`` is the ion's relative response (the
      observable's abundance is sum of abundance / weight). Quote an ion that
      contains a comma (``"[Ag25(2,4-DMBT)18]-"``).

    Returns
    -------
    CandidateSet

    Raises
    ------
    DataError
        If the file is missing, not text, empty, or a row lacks a field; the
        message names the line.
    FormulaError
        For an ion that does not parse (with its line).
    ConfigError
        For an ion given twice.
    """
    from intercluster.validation import read_text

    path = Path(path)
    text = read_text(path, "candidates file", error=DataError).removeprefix("\ufeff")
    lines = [
        (n, ln.strip())
        for n, ln in enumerate(text.splitlines(), start=1)
        if ln.strip() and not ln.strip().startswith("#")
    ]
    if not lines:
        raise DataError(f"{path}: no candidate ions (one ion per line, or 'observable,ion' CSV)")
    header = [h.strip().lower() for h in next(csv.reader([lines[0][1]]))]
    if header[:2] != ["observable", "ion"]:
        ions = []
        for n, ln in lines:
            try:
                ions.append(Ion(ln, library=library))
            except FormulaError as exc:
                raise FormulaError(f"{path}: line {n}: {exc}") from None
        return CandidateSet(candidates_from_ions(ions, library))
    if len(header) > 3 or (len(header) == 3 and header[2] != "weight"):
        raise DataError(f"{path}: line {lines[0][0]}: header must be 'observable,ion[,weight]'")
    cands: list[Candidate] = []
    index: dict[Ion, int] = {}
    groups: dict[str, list] = {}
    for n, ln in lines[1:]:
        row = [f.strip() for f in next(csv.reader([ln]))]
        if len(row) < 2 or not row[0] or not row[1] or len(row) > len(header):
            raise DataError(
                f"{path}: line {n} ({ln[:40]!r}) is not 'observable,ion"
                f"{',weight' if len(header) == 3 else ''}'; quote an ion that contains a comma"
            )
        try:
            ion = Ion(row[1], library=library)
        except FormulaError as exc:
            raise FormulaError(f"{path}: line {n}: {exc}") from None
        if ion.charge == 0:
            raise FormulaError(f"{path}: line {n}: candidate {row[1]!r} has no charge")
        w = _check_weight(row[2], f"{path}: line {n}") if len(row) == 3 and row[2] else 1.0
        if ion in index:
            raise ConfigError(f"{path}: line {n}: ion {str(ion)!r} is given twice")
        index[ion] = len(cands)
        cands.append(Candidate(str(ion), ion))
        groups.setdefault(row[0], []).append((index[ion], w))
    if not cands:
        raise DataError(f"{path}: the table has a header but no rows")
    return CandidateSet(cands, {k: tuple(v) for k, v in groups.items()})


def group_candidates(
    groups: Mapping[str, Sequence[Ion | str]], library: LigandLibrary | None = None
) -> CandidateSet:
    """A :class:`CandidateSet` from observable label -> the ions it is seen as (weights 1).

    For callers that build ions in code (e.g. every ion of a multi-family
    network); ``intercluster.ms`` does not import the network layer.

    Raises
    ------
    ConfigError
        For no groups, an empty group, or one ion in two groups.
    """
    cands: list[Candidate] = []
    out: dict[str, tuple] = {}
    seen: dict[Ion, str] = {}
    for label, ions in groups.items():
        members = []
        for item in ions:
            ion = item if isinstance(item, Ion) else Ion(item, library=library)
            if ion.charge == 0:
                raise FormulaError(f"candidate {str(ion)!r} has no charge")
            if ion in seen:
                raise ConfigError(
                    f"ion {str(ion)!r} is in observables {seen[ion]!r} and {label!r}; "
                    f"each ion may belong to one observable"
                )
            seen[ion] = label
            members.append((len(cands), 1.0))
            cands.append(Candidate(str(ion), ion))
        if not members:
            raise ConfigError(f"observable {label!r} has no ions")
        out[str(label)] = tuple(members)
    if not out:
        raise ConfigError("no observables given")
    return CandidateSet(cands, out)
