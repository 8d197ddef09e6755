"""Ligand library: abbreviations, formulas, charges and the electrons each ligand withdraws.

The built-in library is the data file ``intercluster/data/ligands.toml``
(thiolates PET/SC2H4Ph, DMBT/SPhMe2, p-MBA, FTP, SPhF2, TBBT, CHT, SG, SAdm,
StBu, captopril, the dithiolate BDT, dtp S2P(OiPr)2, dsep Se2P(OiPr)2, the
alkynyls PhC≡C and tBuC≡C, PPh3/TPP, SbPh3, the diphosphines dppm, dppe, dppp,
the counter-cations PPh4+ and TOA+, halides, hydride and deuteride). Users extend it from their own
TOML file (:func:`load_ligand_file`) or the API (:func:`register_ligand`).

The generic thiolate ``SR`` resolves to the library's default thiolate formula
(C8H9S unless configured: :func:`set_default_thiolate`); when an ion mixes SR
with a thiolate of another formula a :class:`AmbiguousLigandWarning` says so.

Electron counting follows the superatom rule (Acharya et al., J. Phys. Chem. C
2025, doi:10.1021/acs.jpcc.4c07077; Lin et al., Chem. Sci. 2022,
doi:10.1039/d1sc06296d): a thiolate, halide, hydride, alkynyl or
dichalcogenophosphate withdraws one electron (X-type), a dithiolate two, a
phosphine or stibine none (L-type); counter-cations are not part of the core.
The full list of names and aliases is ``docs/ligands.md``
(:func:`ligand_table_markdown`).
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
    "infer_ligand",
    "ligand_table_markdown",
    "load_ligand_file",
    "register_ligand",
    "set_default_library",
    "set_default_thiolate",
    "write_ligand_docs",
]

#: Allowed values of :attr:`Ligand.kind`.
KINDS = (
    "thiolate",
    "dithiolate",
    "dichalcogenophosphate",
    "phosphine",
    "diphosphine",
    "stibine",
    "alkynyl",
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
    acidic_groups : int
        Acidic groups per ligand (COOH of p-MBA, captopril; two of SG): the protons
        that ESI can remove, so the default limit of adduct envelopes
        (:mod:`intercluster.ms.adducts`).
    source : str
        Where the formula and the electron class come from.
    note : str
        For a ligand written as a raw formula: how its class was inferred, or why
        it could not be (see :func:`infer_ligand`).
    """

    name: str
    formula: str
    charge: int | None = -1
    electrons: int | None = 1
    kind: str = "thiolate"
    aliases: tuple[str, ...] = field(default=(), compare=False)
    description: str = field(default="", compare=False)
    acidic_groups: int = field(default=0, compare=False)
    source: str = field(default="", compare=False)
    note: str = field(default="", compare=False)

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
        acid = self.acidic_groups
        if isinstance(acid, bool) or not isinstance(acid, int) or acid < 0:
            raise ConfigError(
                bad_value(f"ligand {self.name!r} acidic_groups", acid, "an integer >= 0")
            )
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

    @property
    def ligand_class(self) -> str | None:
        """Covalent bond class (Green's notation) from the electrons withdrawn.

        ``"X"`` (one electron: thiolate, halide, alkynyl, hydride), ``"X2"`` (two:
        dithiolate), ``"L"`` (none: phosphine, stibine), ``"counterion"``, or ``None``
        when the electron count is unknown. The superatom count uses it
        (Walter et al., PNAS 2008, doi:10.1073/pnas.0801001105).
        """
        if self.is_counterion:
            return "counterion"
        if self.electrons is None:
            return None
        return {0: "L", 1: "X"}.get(self.electrons, f"X{self.electrons}")


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
        "acidic_groups",
        "source",
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
            acidic_groups=entry.get("acidic_groups", 0),
            source=str(entry.get("source", "")),
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
                f"ligand {name!r} is not in the ligand library; known: {self.known_summary()}; "
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

    @property
    def accepted_names(self) -> tuple[str, ...]:
        """Every name and alias the library accepts (``SR`` first, then in library order)."""
        out = ["SR"]
        for lig in self:
            out.extend((lig.name, *lig.aliases))
        return tuple(out)

    def known_summary(self, max_chars: int = 400) -> str:
        """Accepted names and aliases for an error message, cut to about ``max_chars``.

        Names come first (then aliases); what does not fit is counted and the
        full list referred to (``docs/ligands.md``, :func:`ligand_table_markdown`).

        Examples
        --------
        >>> s = default_library().known_summary(60)
        >>> s.startswith("SR, PET, DMBT"), "more" in s
        (True, True)
        """
        names = list(self.names)
        aliases = [a for lig in self for a in lig.aliases]
        shown: list[str] = []
        used = 0
        everything = names + aliases
        for n in everything:
            if used + len(n) + 2 > max_chars:
                break
            shown.append(n)
            used += len(n) + 2
        rest = len(everything) - len(shown)
        text = ", ".join(shown)
        if rest:
            text += f" ... and {rest} more (every name and alias: docs/ligands.md)"
        return text

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


# ------------------------------------------------------------ raw formulas
#: Atoms by the parity of their usual valence (for the odd/even-electron test).
_ODD_VALENCE = frozenset("H 2H F Cl Br I N P As B Sb".split())
_EVEN_VALENCE = frozenset("C Si Ge O S Se Te".split())
_CHALCOGENS = ("S", "Se", "Te")


def infer_ligand(formula: str | Mapping[str, int], library: LigandLibrary | None = None) -> Ligand:
    """The ligand a raw formula written in an ion stands for, with its class inferred.

    A formula that equals library ligands of one charge and electron count takes
    theirs (``(C8H9S)`` is PET or DMBT: a thiolate). Otherwise the class follows from
    the formula when it is unambiguous: a bound ligand whose atoms leave one
    electron unpaired (an odd sum of H, halogen, N, P, B atoms; C, O, S, Se counted
    even) binds as a one-electron X-type ligand (Green's covalent bond
    classification; superatom rule of Walter et al., PNAS 2008,
    doi:10.1073/pnas.0801001105): with one S it is a thiolate R-S (``(SC6H13)``:
    charge -1, one electron), with one Se/Te a chalcogenolate, without chalcogen a
    carbon X ligand (alkynyl, aryl). Undecided, with the reason in
    :attr:`Ligand.note` and ``charge``/``electrons`` None:

    - an even-electron formula: a neutral L-type donor (0 e, phosphine, thioether)
      or an X2 dithiolate (2 e, BDT) cannot be told apart;
    - an odd-electron formula with two or more chalcogen atoms (one electron as a
      dithiocarbamate, or three);
    - metal atoms or atoms of unusual valence in the formula.

    Parameters
    ----------
    formula : str or mapping
        Plain formula (``"SC6H13"``) or composition.
    library : LigandLibrary, optional
        For the formula match (default library if omitted).

    Returns
    -------
    Ligand
        Named by its Hill formula.

    Raises
    ------
    FormulaError
        If ``formula`` is not a formula.

    Examples
    --------
    >>> lig = infer_ligand("SC6H13")
    >>> lig.name, lig.charge, lig.electrons, lig.ligand_class
    ('C6H13S', -1, 1, 'X')
    >>> infer_ligand("C12H10S2").electrons is None      # dithiolate or thioether?
    True
    """
    from intercluster.chem.elements import is_metal
    from intercluster.chem.isotopes import split_atom_key

    lib = library or default_library()
    comp = parse_composition(formula) if isinstance(formula, str) else dict(formula)
    name = hill_formula(comp)
    matches = lib.by_formula(comp)
    if lib.default_thiolate == name:
        matches = (*matches, lib.generic_thiolate)
    charges = {m.charge for m in matches}
    electrons = {m.electrons for m in matches}
    kinds = {m.kind for m in matches}
    if matches and len(charges) == 1 and len(electrons) == 1:
        return Ligand(
            name,
            name,
            charges.pop(),
            electrons.pop(),
            kinds.pop() if len(kinds) == 1 else "other",
            note=f"same formula as library ligand(s) {', '.join(m.name for m in matches)}",
        )

    def undecided(reason: str) -> Ligand:
        return Ligand(name, name, None, None, "other", note=reason)

    symbols = {split_atom_key(k)[0] if k != "2H" else "2H": n for k, n in comp.items()}
    metals = sorted(s for s in symbols if s != "2H" and is_metal(s))
    if metals:
        return undecided(f"it contains metal atoms ({', '.join(metals)}), so it is no ligand")
    odd = 0
    for key, n in comp.items():
        symbol = "2H" if key == "2H" else split_atom_key(key)[0]
        if symbol in _ODD_VALENCE:
            odd += n
        elif symbol not in _EVEN_VALENCE:
            return undecided(f"the valence of {symbol} is not one the inference knows")
    n_chalcogen = sum(symbols.get(s, 0) for s in _CHALCOGENS)
    if odd % 2 == 0:
        return undecided(
            "an even-electron formula is either a neutral L-type donor (0 electrons, like a "
            "phosphine or thioether) or an X2 dithiolate (2, like BDT)"
        )
    if n_chalcogen >= 2:
        return undecided(
            f"an odd-electron formula with {n_chalcogen} chalcogen atoms may withdraw one "
            f"electron (dithiocarbamate-like) or three"
        )
    if symbols.get("S") == 1:
        kind, what = "thiolate", "thiolate R-S"
    elif n_chalcogen == 1:
        kind, what = "other", "chalcogenolate R-Se/R-Te"
    else:
        kind, what = "other", "carbon X ligand (alkynyl, aryl)"
    return Ligand(
        name, name, -1, 1, kind, note=f"inferred from the formula: odd-electron {what}, X-type"
    )


# ------------------------------------------------------------------- docs
def ligand_table_markdown(library: LigandLibrary | None = None) -> str:
    """The ligand page (``docs/ligands.md``): every accepted name and alias, generated.

    Parameters
    ----------
    library : LigandLibrary, optional
        Default: the built-in library (not the current default, so that
        registrations do not leak into the page).

    Returns
    -------
    str
        Markdown text.
    """
    lib = library or LigandLibrary.builtin()

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|")

    lines = [
        "# Ligand library",
        "",
        "<!-- generated by intercluster.chem.ligands.write_ligand_docs(); do not edit by hand -->",
        "",
        "Every ligand name and alias that formulas such as `[Au25(PET)18]-` accept, from the",
        "built-in library `intercluster/data/ligands.toml`. Names are matched exactly, then",
        "case-insensitively. `electrons` is the number of valence electrons the ligand withdraws",
        "from the metal core (superatom count): X-type ligands (thiolate, halide, alkynyl,",
        "hydride) 1, X2 (dithiolate) 2, L-type (phosphine, stibine) 0; counter-cations are not",
        "part of the core. `acidic` counts the protons per ligand that ESI can remove (adduct",
        "envelopes).",
        "",
        f"`SR` is the generic thiolate and stands for {lib.default_thiolate} unless configured",
        "(`--sr`, `set_default_thiolate()`, `[defaults] SR = ...` in a ligand file).",
        "",
        "| name | aliases | formula | charge | electrons | class | kind | acidic | description "
        "| source |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lig in lib:
        aliases = ", ".join(f"`{a}`" for a in lig.aliases) or "-"
        lines.append(
            f"| `{cell(lig.name)}` | {cell(aliases)} | {lig.formula} | {lig.charge:+d} | "
            f"{lig.electrons} | {lig.ligand_class} | {lig.kind} | {lig.acidic_groups} | "
            f"{cell(lig.description)} | {cell(lig.source)} |"
        )
    lines += [
        "",
        f"{len(lib.accepted_names)} accepted names and aliases in all.",
        "",
        "## Ligands written as raw formulas",
        "",
        "A ligand written as a formula, e.g. `[Au25(SC6H13)18]-`, takes the class of library",
        "ligands of the same formula; otherwise it is inferred where the formula decides it",
        "(`intercluster.chem.infer_ligand`): an odd-electron formula with one S is a thiolate",
        "R-S (X-type, one electron, charge -1), so `[Au25(SC6H13)18]-` has 8 valence",
        "electrons. An even-electron formula (a neutral L-type donor or an X2 dithiolate), an",
        "odd one with several chalcogen atoms, or one with metal atoms stays undecided: the",
        "electron count is then not given and the message says why. Register such ligands",
        "with their class (`--ligands FILE`, `register_ligand()`).",
        "",
        "## Adding ligands",
        "",
        "A TOML file of the layout of `intercluster/data/ligands.toml`:",
        "",
        "```toml",
        "[[ligand]]",
        'name = "MPA"',
        'formula = "C3H5O2S"',
        "charge = -1",
        "electrons = 1",
        'kind = "thiolate"',
        'aliases = ["SCH2CH2COOH"]',
        "acidic_groups = 1",
        'source = "3-mercaptopropionic acid minus the thiol H"',
        "```",
        "",
        "loaded with `--ligands FILE` on the command line or `intercluster.chem.load_ligand_file`.",
        "",
    ]
    return "\n".join(lines)


def write_ligand_docs(path: str | os.PathLike) -> Path:
    """Write :func:`ligand_table_markdown` to ``path`` (atomically); returns the path."""
    from intercluster.io import atomic_file

    path = Path(path)
    with atomic_file(path, overwrite=True) as tmp:
        Path(tmp).write_text(ligand_table_markdown(), encoding="utf-8")
    return path
