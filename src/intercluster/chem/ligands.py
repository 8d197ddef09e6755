"""Ligand library: abbreviations, formulas, charges and the electrons each ligand withdraws.

The built-in library is the data file ``intercluster/data/ligands.toml``
(thiolates PET/SC2H4Ph, DMBT/SPhMe2, p-MBA, FTP, SPhF2, TBBT, CHT, SG, the
dithiolate BDT, dtp S2P(OiPr)2, dsep Se2P(OiPr)2, PPh3, the counter-cations
PPh4+ and TOA+, halides, hydride and deuteride). Users extend it from their own
TOML file (:func:`load_ligand_file`) or the API (:func:`register_ligand`).

The generic thiolate ``SR`` resolves to the library's default thiolate formula
(C8H9S unless configured: :func:`set_default_thiolate`); when an ion mixes SR
with a thiolate of another formula a :class:`AmbiguousLigandWarning` says so.

Electron counting follows the superatom rule (Acharya et al., JPCC 2025, 001;
Lin et al., Chem. Sci. 2022, 004): a thiolate, halide, hydride or
dichalcogenophosphate withdraws one electron, a dithiolate two, a phosphine
none; counter-cations are not part of the core.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from intercluster.chem.composition import hill_formula, parse_composition
from intercluster.errors import ConfigError, FormulaError, bad_value

__all__ = [
    "KINDS",
    "AmbiguousLigandWarning",
    "Ligand",
    "LigandLibrary",
    "default_library",
    "load_ligand_file",
    "register_ligand",
    "set_default_library",
    "set_default_thiolate",
]

#: Allowed values of :attr:`Ligand.kind`.
KINDS = (
    "thiolate",
    "dithiolate",
    "dichalcogenophosphate",
    "phosphine",
    "halide",
    "hydride",
    "counterion",
    "other",
)


class AmbiguousLigandWarning(UserWarning):
    """``SR`` was resolved to the default thiolate although the ion names another thiolate."""


@dataclass(frozen=True)
class Ligand:
    """A ligand as bound to a cluster.

    Attributes
    ----------
    name : str
        Abbreviation written in formulas (``"DMBT"``); for a ligand written as a
        bare formula (``(C8H9S)``) the formula itself.
    formula : str
        Elemental formula of the bound ligand, Hill order (``"C8H9S"``).
    charge : int or None
        Formal charge [e] (thiolate -1, BDT -2, PPh3 0, PPh4+ +1); ``None`` if unknown.
    electrons : int or None
        Valence electrons withdrawn from the metal core; ``None`` if unknown.
    kind : str
        One of :data:`KINDS`.
    aliases : tuple of str
        Other spellings (``"SC2H4Ph"`` for PET).
    description : str
        Human-readable name.
    """

    name: str
    formula: str
    charge: int | None = -1
    electrons: int | None = 1
    kind: str = "thiolate"
    aliases: tuple[str, ...] = field(default=(), compare=False)
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(bad_value("ligand name", self.name, "a non-empty abbreviation"))
        if any(c.isspace() or c in "[]+" for c in self.name):
            raise ConfigError(
                bad_value("ligand name", self.name, "no spaces, '[', ']' or '+' in an abbreviation")
            )
        if self.kind not in KINDS:
            raise ConfigError(bad_value(f"ligand {self.name!r} kind", self.kind, f"one of {KINDS}"))
        for attr in ("charge", "electrons"):
            value = getattr(self, attr)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ConfigError(bad_value(f"ligand {self.name!r} {attr}", value, "an integer"))
        comp = parse_composition(self.formula, what=f"ligand {self.name!r} formula")
        object.__setattr__(self, "formula", hill_formula(comp))
        object.__setattr__(self, "aliases", tuple(self.aliases))

    @property
    def composition(self) -> dict[str, int]:
        """Atom key -> count of one ligand."""
        return dict(_composition(self.formula))

    @property
    def is_counterion(self) -> bool:
        return self.kind == "counterion"


@lru_cache(maxsize=1024)
def _composition(formula: str) -> tuple[tuple[str, int], ...]:
    return tuple(parse_composition(formula).items())


def _check_entry(entry: Mapping, where: str) -> Ligand:
    allowed = {
        "name",
        "formula",
        "charge",
        "electrons",
        "kind",
        "aliases",
        "description",
        "replace",
    }
    unknown = set(entry) - allowed
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
        )
    for required in ("name", "formula", "charge", "electrons"):
        if required not in entry:
            raise ConfigError(f"{where}: field {required!r} is missing")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ConfigError(f"{where}: aliases = {aliases!r}: a list of strings")
    try:
        return Ligand(
            name=entry["name"],
            formula=entry["formula"],
            charge=entry["charge"],
            electrons=entry["electrons"],
            kind=entry.get("kind", "other"),
            aliases=tuple(aliases),
            description=entry.get("description", ""),
        )
    except (ConfigError, FormulaError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


class LigandLibrary:
    """An immutable set of ligands looked up by name or alias.

    Parameters
    ----------
    ligands : iterable of Ligand
    default_thiolate : str
        Formula that the generic thiolate ``SR`` stands for (default ``"C8H9S"``).

    Raises
    ------
    ConfigError
        If two ligands share a name or alias.

    Examples
    --------
    >>> lib = default_library()
    >>> lib["SC2H4Ph"].name, lib["BDT"].electrons, lib["SR"].formula
    ('PET', 2, 'C8H9S')
    """

    def __init__(self, ligands: Iterable[Ligand] = (), default_thiolate: str = "C8H9S") -> None:
        self._ligands: dict[str, Ligand] = {}
        self._lookup: dict[str, str] = {}
        for lig in ligands:
            self._insert(lig, replace=False)
        comp = parse_composition(default_thiolate, what="default thiolate SR")
        self._default_thiolate = hill_formula(comp)

    def _insert(self, lig: Ligand, replace: bool) -> None:
        if lig.name == "SR":
            raise ConfigError(
                "ligand name 'SR' is reserved for the generic thiolate; set its formula with "
                "set_default_thiolate() or [defaults] SR = ... in a ligand file"
            )
        names = (lig.name, *lig.aliases)
        conflicts = {n: self._lookup[n] for n in names if self._lookup.get(n, lig.name) != lig.name}
        if not replace and (lig.name in self._ligands or conflicts):
            n, owner = next(iter(conflicts.items())) if conflicts else (lig.name, lig.name)
            raise ConfigError(
                f"ligand {lig.name!r}: the name or alias {n!r} already means ligand {owner!r}; "
                f"choose another name or set replace = true"
            )
        old = self._ligands.pop(lig.name, None)
        if old is not None:
            for n in (old.name, *old.aliases):
                self._lookup.pop(n, None)
        for n, owner in conflicts.items():
            other = self._ligands.get(owner)
            if other is None:
                continue
            if n == other.name:  # the other ligand's own name is taken over: drop it
                del self._ligands[owner]
                for a in (other.name, *other.aliases):
                    self._lookup.pop(a, None)
            else:
                self._ligands[owner] = _without_alias(other, n)
                self._lookup.pop(n, None)
        self._ligands[lig.name] = lig
        for n in names:
            self._lookup[n] = lig.name

    # ---------------------------------------------------------------- lookup
    @property
    def default_thiolate(self) -> str:
        """Formula of the generic thiolate ``SR`` (Hill order)."""
        return self._default_thiolate

    @property
    def generic_thiolate(self) -> Ligand:
        return Ligand(
            "SR",
            self._default_thiolate,
            -1,
            1,
            "thiolate",
            (),
            "generic thiolate (formula from the library's default)",
        )

    def get(self, name: str) -> Ligand | None:
        """The ligand called ``name`` (name or alias; exact, then case-insensitive), or None."""
        if name == "SR":
            return self.generic_thiolate
        key = self._lookup.get(name)
        if key is None:
            folded = [n for n in self._lookup if n.casefold() == name.casefold()]
            owners = {self._lookup[n] for n in folded}
            if len(owners) != 1:
                return None
            key = owners.pop()
        return self._ligands[key]

    def __getitem__(self, name: str) -> Ligand:
        lig = self.get(name)
        if lig is None:
            raise FormulaError(
                f"ligand {name!r} is not in the ligand library; known: {', '.join(self.names)}; "
                f"add it with register_ligand() or a ligand TOML file (--ligands FILE)"
            )
        return lig

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[Ligand]:
        return iter(self._ligands.values())

    def __len__(self) -> int:
        return len(self._ligands)

    @property
    def names(self) -> tuple[str, ...]:
        return ("SR", *self._ligands)

    def by_formula(self, formula: str | Mapping[str, int]) -> tuple[Ligand, ...]:
        """Ligands whose bound formula equals ``formula`` (e.g. PET and DMBT for C8H9S)."""
        comp = parse_composition(formula) if isinstance(formula, str) else dict(formula)
        target = hill_formula(comp)
        return tuple(lig for lig in self if lig.formula == target)

    # --------------------------------------------------------------- updates
    def with_ligands(self, ligands: Iterable[Ligand], replace: bool = False) -> LigandLibrary:
        """A new library with ``ligands`` added (``replace`` allows redefining a name/alias)."""
        new = LigandLibrary((), self._default_thiolate)
        for lig in self:
            new._insert(lig, replace=False)
        for lig in ligands:
            new._insert(lig, replace=replace)
        return new

    def with_default_thiolate(self, formula_or_name: str) -> LigandLibrary:
        """A new library in which ``SR`` stands for another thiolate (a name or a formula)."""
        lig = self.get(formula_or_name) if formula_or_name != "SR" else None
        formula = lig.formula if lig is not None else formula_or_name
        return LigandLibrary(list(self), formula)

    def updated_from_toml(self, path: str | os.PathLike) -> LigandLibrary:
        """A new library extended by a TOML file (layout of ``data/ligands.toml``).

        Raises
        ------
        ConfigError
            If the file cannot be read, is not TOML, or an entry is invalid (the
            message names the file, the entry and the field).
        """
        path = Path(path)
        from intercluster.validation import load_toml_text, read_text

        data = load_toml_text(read_text(path, "ligand file"), str(path), "ligand file")
        return self._updated_from_mapping(data, str(path))

    def _updated_from_mapping(self, data: Mapping, source: str) -> LigandLibrary:
        unknown = set(data) - {"ligand", "defaults"}
        if unknown:
            raise ConfigError(
                f"ligand file {source!r}: unknown table(s) {sorted(unknown)}; "
                f"allowed: [defaults] and [[ligand]]"
            )
        entries = data.get("ligand", [])
        if not isinstance(entries, list):
            raise ConfigError(f"ligand file {source!r}: 'ligand' must be an array [[ligand]]")
        new = self.with_ligands(())
        for i, entry in enumerate(entries):
            where = f"ligand file {source!r}, [[ligand]] #{i + 1}"
            if not isinstance(entry, Mapping):
                raise ConfigError(f"{where}: expected a table")
            lig = _check_entry(entry, where)
            try:
                new._insert(lig, replace=bool(entry.get("replace", False)))
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from None
        defaults = data.get("defaults", {})
        if not isinstance(defaults, Mapping) or set(defaults) - {"SR"}:
            raise ConfigError(
                f'ligand file {source!r}: [defaults] takes only SR = "<formula or ligand name>"'
            )
        if "SR" in defaults:
            try:
                new = new.with_default_thiolate(str(defaults["SR"]))
            except FormulaError as exc:
                raise ConfigError(f"ligand file {source!r}, [defaults] SR: {exc}") from None
        return new

    @classmethod
    def builtin(cls) -> LigandLibrary:
        """The library shipped in ``intercluster/data/ligands.toml``."""
        text = resources.files("intercluster.data").joinpath("ligands.toml").read_text("utf-8")
        return cls()._updated_from_mapping(tomllib.loads(text), "intercluster/data/ligands.toml")

    def __repr__(self) -> str:
        return f"LigandLibrary({len(self)} ligands, SR = {self._default_thiolate})"


def _without_alias(lig: Ligand, drop: str) -> Ligand:
    """``lig`` without the alias ``drop`` (another ligand took it over)."""
    return replace(lig, aliases=tuple(a for a in lig.aliases if a != drop))


_CURRENT: list[LigandLibrary] = []


def default_library() -> LigandLibrary:
    """The library used when no ``library=`` is given (built-in plus registrations)."""
    if not _CURRENT:
        _CURRENT.append(LigandLibrary.builtin())
    return _CURRENT[0]


def set_default_library(library: LigandLibrary) -> LigandLibrary:
    """Make ``library`` the default; returns the previous one (to restore it)."""
    if not isinstance(library, LigandLibrary):
        raise ConfigError(bad_value("library", library, "a LigandLibrary"))
    previous = default_library()
    _CURRENT[0] = library
    return previous


def register_ligand(ligand: Ligand, replace: bool = False) -> Ligand:
    """Add ``ligand`` to the default library.

    Raises
    ------
    ConfigError
        If its name or an alias is taken and ``replace`` is false.

    Examples
    --------
    >>> lib = default_library()
    >>> _ = register_ligand(Ligand("SC12", "C12H25S", -1, 1, "thiolate", ("DDT",)))
    >>> default_library()["DDT"].formula
    'C12H25S'
    >>> _ = set_default_library(lib)   # restore
    """
    set_default_library(default_library().with_ligands([ligand], replace=replace))
    return ligand


def load_ligand_file(path: str | os.PathLike) -> LigandLibrary:
    """Extend the default library from a TOML file; returns the new default library.

    Raises
    ------
    ConfigError
        See :meth:`LigandLibrary.updated_from_toml`.
    """
    set_default_library(default_library().updated_from_toml(path))
    return default_library()


def set_default_thiolate(formula_or_name: str) -> LigandLibrary:
    """Let ``SR`` stand for another thiolate in the default library (e.g. ``"p-MBA"``)."""
    set_default_library(default_library().with_default_thiolate(formula_or_name))
    return default_library()
