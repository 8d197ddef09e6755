"""Cluster ions as chemists write them: ``[Ag25(DMBT)18]-``, ``[Au44(p-MBA)26 + 12Na - 16H]6-``.

An :class:`Ion` is a composition plus a charge, kept in the parts a chemist
writes (DESIGN.md, "Notation"):

- core atoms: ``Ag12Au13``; isotopes with their mass number in front
  (``107Ag25``, ``(109Ag)13``) and ``D`` for deuterium;
- dimer subunits: ``[(Ag12Au13)(Ag12Au13)(SR)36]2-`` (two or more bracketed
  metal groups without a count);
- ligands in round or curly brackets with a count: ``(DMBT)18``,
  ``{Se2P(OiPr)2}6``, ``(H)``; a name from the ligand library
  (:mod:`intercluster.chem.ligands`) or a plain formula (``(C8H9S)18``);
- adducts and losses after the core: ``+ 12Na``, ``- 16H``, ``+ Ag``, ``+ Cs``
  are cations (H+, Na+, Ag+, Cs+ ...), ``+ Cl`` an anion, ``+ 2H2O`` a neutral
  molecule; a sign written after the species (``+ Ag+``) states its charge;
- the total charge after the closing square bracket: ``-``, ``2-``, ``+``, ``3+``.

Plain formulas (``C8H9S``) are neutral ions without brackets. Equality ignores
the order of atoms, ligands, adducts and subunits; ``Ion(str(x)) == x``.
Arithmetic works as for ASE's ``Formula``: ``a + b`` (sum formula of a dimer),
``a - b`` (a loss), ``2 * a``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from intercluster.chem.composition import (
    FormulaCursor,
    add_compositions,
    format_atoms,
    hill_formula,
    hill_sorted_keys,
    parse_composition,
)
from intercluster.chem.elements import is_metal
from intercluster.chem.isotopes import split_atom_key
from intercluster.chem.ligands import (
    AmbiguousLigandWarning,
    Ligand,
    LigandLibrary,
    default_library,
)
from intercluster.errors import FormulaError, bad_value, show_value

__all__ = ["CATIONS", "Adduct", "Ion", "format_charge", "parse_charge", "parse_ion"]

#: Adduct species that are singly charged cations when written after the core.
CATIONS: dict[str, int] = {
    "H": 1,
    "2H": 1,
    "D": 1,
    "Li": 1,
    "Na": 1,
    "K": 1,
    "Rb": 1,
    "Cs": 1,
    "Cu": 1,
    "Ag": 1,
    "Au": 1,
    "Tl": 1,
    "NH4": 1,
}

_CHARGE_RE = re.compile(r"^(\d*)([+-])$")


def format_charge(q: int) -> str:
    """Charge as written after the bracket: -1 -> ``-``, -2 -> ``2-``, 3 -> ``3+``, 0 -> ``""``.

    >>> [format_charge(q) for q in (-1, -6, 1, 0)]
    ['-', '6-', '+', '']
    """
    if q == 0:
        return ""
    sign = "-" if q < 0 else "+"
    return sign if abs(q) == 1 else f"{abs(q)}{sign}"


def parse_charge(text: str) -> int:
    """Read a charge written ``-``, ``2-``, ``+``, ``3+`` (also ``-2``, ``+3``, ``0``).

    Raises
    ------
    FormulaError
        For anything else.

    >>> [parse_charge(t) for t in ("-", "6-", "+", "-7", "0")]
    [-1, -6, 1, -7, 0]
    """
    t = str(text).strip()
    if t == "0":
        return 0
    m = _CHARGE_RE.match(t) or re.match(r"^([+-])(\d+)$", t)
    if not m:
        raise FormulaError(bad_value("charge", text, "written as '-', '2-', '+', '3+' (or -2, +3)"))
    if m.re is _CHARGE_RE:
        size, sign = int(m.group(1) or 1), m.group(2)
    else:
        sign, size = m.group(1), int(m.group(2))
    if size == 0:
        raise FormulaError(bad_value("charge", text, "a non-zero charge, or 0 for neutral"))
    return -size if sign == "-" else size


@dataclass(frozen=True)
class Adduct:
    """A species added to or removed from the core (``+ 12Na``, ``- 16H``, ``+ 2H2O``).

    Attributes
    ----------
    name : str
        ``"Na"``, ``"H"``, ``"H2O"``, ``"PPh4"``.
    formula : str
        Elemental formula (Hill order).
    charge : int
        Charge of one unit [e]: +1 for H+, Na+, Ag+, Cs+; -1 for a halide; 0 for a molecule.
    """

    name: str
    formula: str
    charge: int

    @property
    def composition(self) -> dict[str, int]:
        return dict(_adduct_composition(self.formula))

    @property
    def default_charge(self) -> int:
        return _default_adduct_charge(self.name, None)


@lru_cache(maxsize=256)
def _adduct_composition(formula: str) -> tuple[tuple[str, int], ...]:
    return tuple(parse_composition(formula).items())


def _default_adduct_charge(name: str, library: LigandLibrary | None) -> int:
    if name in CATIONS:
        return CATIONS[name]
    if library is not None:
        lig = library.get(name)
        if lig is not None and lig.charge:
            return lig.charge
    return 0


def _pairs(items: Mapping | Iterable) -> tuple:
    return tuple(items.items()) if isinstance(items, Mapping) else tuple(items)


def _merge(pairs: Iterable[tuple], sign: int = 1, into: dict | None = None) -> dict:
    return add_compositions({} if into is None else into, pairs, sign)


class Ion:
    """A cluster ion (or any formula) with its charge.

    Parameters
    ----------
    text : str
        The ion as chemists write it (see the module docstring).
    library : LigandLibrary, optional
        Ligand library for abbreviations; the default library if omitted.

    Raises
    ------
    FormulaError
        For anything that is not a formula, with the position and the reason:
        unknown element or ligand, count 0, unbalanced brackets, a charge that is
        not ``-``, ``2-``, ``+``, ``3+``, a loss of more atoms than the ion has.

    Warns
    -----
    AmbiguousLigandWarning
        When ``SR`` is resolved to the default thiolate although the ion names a
        thiolate of another formula.

    Examples
    --------
    >>> ion = Ion("[Ag12Au13(PET)18]-")
    >>> ion.charge, ion.metals, ion.formula
    (-1, {'Ag': 12, 'Au': 13}, 'C144H162Ag12Au13S18')
    >>> ion == Ion("[Au13Ag12(SC2H4Ph)18]-")
    True
    >>> Ion("[Ag25(DMBT)18]-") + Ion("[Au25(PET)18]-")
    Ion('[Ag25Au25(DMBT)18(PET)18]2-')
    >>> Ion("[Au44(p-MBA)26 + 12Na - 16H]6-").core_charge
    -2
    >>> str(2 * Ion("[Ag12Au13(SR)18]-"))
    '[Ag24Au26(SR)36]2-'
    """

    def __init__(self, text: str, *, library: LigandLibrary | None = None) -> None:
        if isinstance(text, Ion):
            parts = (text._atoms, text._subunits, text._ligands, text._adducts, text._charge)
        elif isinstance(text, str):
            lib = library or default_library()
            parts = _parse_cached(text, lib)
            _warn_generic_thiolate(text, parts[2], lib)
        else:
            raise FormulaError(bad_value("ion", text, "a formula string such as '[Ag25(DMBT)18]-'"))
        self._set(*parts)

    # ------------------------------------------------------------ construction
    def _set(self, atoms, subunits, ligands, adducts, charge) -> None:
        object.__setattr__(self, "_atoms", tuple(atoms))
        object.__setattr__(self, "_subunits", tuple(tuple(s) for s in subunits))
        object.__setattr__(self, "_ligands", tuple(ligands))
        object.__setattr__(self, "_adducts", tuple(adducts))
        object.__setattr__(self, "_charge", int(charge))
        self._validate()

    @classmethod
    def from_parts(
        cls,
        atoms: Mapping[str, int] | Iterable[tuple[str, int]] = (),
        ligands: Mapping | Iterable = (),
        adducts: Mapping | Iterable = (),
        charge: int = 0,
        subunits: Iterable[Mapping[str, int] | Iterable[tuple[str, int]]] = (),
        library: LigandLibrary | None = None,
    ) -> Ion:
        """Build an ion from its parts.

        Parameters
        ----------
        atoms : mapping or pairs
            Atom key -> count (``{"Ag": 12, "Au": 13}``; isotopes ``"107Ag"``).
        ligands : mapping or pairs
            :class:`Ligand` or library name -> count.
        adducts : mapping or pairs
            :class:`Adduct` or species text (``"Na"``, ``"H2O"``) -> signed count
            (negative for a loss).
        charge : int
            Total charge [e].
        subunits : iterable of mappings
            Dimer subunits (atoms of each), written ``[(A)(B)...]``.

        Raises
        ------
        FormulaError
            For counts that are not positive integers (signed non-zero for adducts),
            unknown atoms or ligands, or a loss of more atoms than present.

        Examples
        --------
        >>> str(Ion.from_parts({"Ag": 25}, {"DMBT": 18}, charge=-1))
        '[Ag25(DMBT)18]-'
        >>> str(Ion.from_parts({"Au": 44}, {"p-MBA": 26}, {"Na": 12, "H": -16}, charge=-6))
        '[Au44(p-MBA)26 + 12Na - 16H]6-'
        """
        lib = library or default_library()
        atom_pairs = [(_check_atom(k), _check_count(f"atoms[{k!r}]", v)) for k, v in _pairs(atoms)]
        sub_pairs = [
            [(_check_atom(k), _check_count(f"subunit atoms[{k!r}]", v)) for k, v in _pairs(s)]
            for s in subunits
        ]
        lig_pairs = []
        for lig, n in _pairs(ligands):
            lig = lig if isinstance(lig, Ligand) else lib[lig]
            lig_pairs.append((lig, _check_count(f"ligands[{lig.name!r}]", n)))
        add_pairs = []
        for add, n in _pairs(adducts):
            if not isinstance(add, Adduct):
                add = _resolve_adduct(str(add), None, lib, FormulaCursor(str(add), "adduct"), 0)
            if isinstance(n, bool) or not isinstance(n, int) or n == 0:
                raise FormulaError(bad_value(f"adducts[{add.name!r}]", n, "a non-zero integer"))
            add_pairs.append((add, n))
        if isinstance(charge, bool) or not isinstance(charge, int):
            raise FormulaError(bad_value("charge", charge, "an integer (e.g. -1)"))
        new = cls.__new__(cls)
        new._set(
            list(_merge(atom_pairs).items()),
            sub_pairs,
            list(_merge(lig_pairs).items()),
            list(_merge(add_pairs).items()),
            charge,
        )
        return new

    def _validate(self) -> None:
        comp = self._raw_composition()
        self.__dict__["_comp"] = comp
        negative = {k: v for k, v in comp.items() if v < 0}
        if negative:
            key, value = next(iter(negative.items()))
            raise FormulaError(
                f"ion {self.format()!r}: the losses remove {-value} more {key} atom(s) than the "
                f"ion contains; a loss (' - 16H') can only remove atoms that are present"
            )
        if not comp:
            raise FormulaError("ion: empty formula; write at least one element")
        from intercluster.chem.composition import MAX_ATOM_COUNT

        big = {k: v for k, v in comp.items() if v > MAX_ATOM_COUNT}
        if big:
            key, value = next(iter(big.items()))
            raise FormulaError(
                f"ion {show_value(self.format())}: {value:,} {key} atoms, above the largest "
                f"count allowed, {MAX_ATOM_COUNT:,}"
            )

    def __setattr__(self, name, value):
        raise AttributeError("Ion is immutable")

    # -------------------------------------------------------------- accessors
    @property
    def charge(self) -> int:
        """Total charge of the ion [e] (core plus adducts)."""
        return self._charge

    @property
    def atoms(self) -> dict[str, int]:
        """Atoms written outside ligand groups and subunits (atom key -> count)."""
        return dict(self._atoms)

    @property
    def subunits(self) -> tuple[dict[str, int], ...]:
        """Dimer subunits written ``[(Ag12Au13)(Ag13Au12)...]``; empty otherwise."""
        return tuple(dict(s) for s in self._subunits)

    @property
    def core_atoms(self) -> dict[str, int]:
        """All atoms of the core written as atoms: subunits plus :attr:`atoms`."""
        out: dict[str, int] = {}
        for sub in self._subunits:
            _merge(sub, into=out)
        return _merge(self._atoms, into=out)

    @property
    def metals(self) -> dict[str, int]:
        """Metal atoms of the core (isotopes kept separate: ``{'107Ag': 25}``)."""
        return {k: v for k, v in self.core_atoms.items() if is_metal(split_atom_key(k)[0])}

    @property
    def ligands(self) -> dict[Ligand, int]:
        """Ligand -> count."""
        return dict(self._ligands)

    @property
    def adducts(self) -> dict[Adduct, int]:
        """Adduct -> signed count (negative for a loss, e.g. ``- 16H``)."""
        return dict(self._adducts)

    @property
    def adduct_charge(self) -> int:
        """Charge carried by the adducts and losses [e]: +12 Na+ and -16 H+ give -4."""
        return sum(a.charge * n for a, n in self._adducts)

    @property
    def core_charge(self) -> int:
        """Charge of the cluster core with its ligands [e]: total minus adducts and counter-ions.

        For ``[Au44(p-MBA)26 + 12Na - 16H]6-``: -6 - (12 - 16) = -2 (Lin et al.,
        Chem. Sci. 2022, Fig. 1c).
        """
        counter = sum((lig.charge or 0) * n for lig, n in self._ligands if lig.is_counterion)
        return self._charge - self.adduct_charge - counter

    def _raw_composition(self) -> dict[str, int]:
        out = self.core_atoms
        for lig, n in self._ligands:
            add_compositions(out, lig.composition, n)
        for add, n in self._adducts:
            add_compositions(out, add.composition, n)
        return out

    @cached_property
    def composition(self) -> dict[str, int]:
        """Elemental composition (atom key -> count) in Hill order, adducts included."""
        comp = self.__dict__["_comp"]
        return {k: comp[k] for k in hill_sorted_keys(comp)}

    @property
    def formula(self) -> str:
        """Elemental formula in Hill order (``'C144H162Ag12Au13S18'``)."""
        return hill_formula(self.composition)

    @property
    def valence_electrons(self) -> int:
        """Superatom electron count of the core; see :func:`intercluster.chem.valence_electrons`."""
        from intercluster.chem.electrons import valence_electrons

        return valence_electrons(self)

    def with_charge(self, charge: int) -> Ion:
        """The same composition with another total charge."""
        return Ion.from_parts(self._atoms, self._ligands, self._adducts, charge, self._subunits)

    # ------------------------------------------------------------- formatting
    def _tokens(self) -> list[tuple[str, str]]:
        toks: list[tuple[str, str]] = []

        def atoms(items, first):
            for i, (key, count) in enumerate(items):
                text = format_atoms([(key, 1)], protect_isotopes=first and i == 0)
                toks.append(("t", text))
                if count != 1:
                    toks.append(("sub", str(count)))

        for sub in self._subunits:
            toks.append(("t", "("))
            atoms(sub, True)
            toks.append(("t", ")"))
        atoms(self._atoms, not self._subunits)
        for lig, n in self._ligands:
            opening, closing = ("{", "}") if "(" in lig.name else ("(", ")")
            toks.append(("t", f"{opening}{lig.name}{closing}"))
            if n != 1:
                toks.append(("sub", str(n)))
        for add, n in self._adducts:
            sign = "+" if n > 0 else "-"
            name = add.name
            if add.charge != _default_adduct_charge(add.name, default_library()):
                name += format_charge(add.charge) if add.charge else ""
            toks.append(("t", f" {sign} {abs(n) if abs(n) != 1 else ''}{name}"))
        if self._charge or self._ligands or self._adducts or self._subunits:
            toks.insert(0, ("t", "["))
            toks.append(("t", "]"))
            if self._charge:
                toks.append(("sup", format_charge(self._charge)))
        return toks

    def format(self, fmt: str = "text") -> str:
        """The ion as text, LaTeX (matplotlib mathtext) or HTML.

        Parameters
        ----------
        fmt : {"text", "latex", "html"}

        Examples
        --------
        >>> ion = Ion("[Ag25(DMBT)18]-")
        >>> ion.format(), ion.format("latex")
        ('[Ag25(DMBT)18]-', '[Ag$_{25}$(DMBT)$_{18}$]$^{-}$')
        >>> ion.format("html")
        '[Ag<sub>25</sub>(DMBT)<sub>18</sub>]<sup>−</sup>'
        """
        if fmt not in ("text", "latex", "html"):
            raise FormulaError(bad_value("fmt", fmt, "'text', 'latex' or 'html'"))
        out = []
        for kind, text in self._tokens():
            if kind == "t" or fmt == "text":
                out.append(text)
            elif fmt == "latex":
                out.append(f"$_{{{text}}}$" if kind == "sub" else f"$^{{{text}}}$")
            else:
                text = text.replace("-", "−") if kind == "sup" else text
                out.append(f"<{kind}>{text}</{kind}>")
        return "".join(out)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Ion({self.format()!r})"

    # ---------------------------------------------------------------- equality
    def _key(self) -> tuple:
        return (
            frozenset(self._atoms),
            tuple(sorted(tuple(sorted(s)) for s in self._subunits)),
            frozenset(self._ligands),
            frozenset(self._adducts),
            self._charge,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Ion(other)
            except FormulaError:
                return False
        return isinstance(other, Ion) and self._key() == other._key()

    def __hash__(self) -> int:
        h = self.__dict__.get("_hash")
        if h is None:
            h = self.__dict__["_hash"] = hash(self._key())
        return h

    # -------------------------------------------------------------- arithmetic
    def _combine(self, other: Ion, sign: int) -> Ion:
        if isinstance(other, str):
            other = Ion(other)
        if not isinstance(other, Ion):
            return NotImplemented
        atoms = _merge(self.core_atoms.items())
        _merge(other.core_atoms.items(), sign, atoms)
        ligands = _merge(self._ligands)
        _merge(other._ligands, sign, ligands)
        adducts = _merge(self._adducts)
        _merge(other._adducts, sign, adducts)
        for what, table in (("atom", atoms), ("ligand", ligands)):
            bad = [k for k, v in table.items() if v < 0]
            if bad:
                name = bad[0].name if isinstance(bad[0], Ligand) else bad[0]
                raise FormulaError(
                    f"{self} - {other}: would leave {table[bad[0]]} {what}(s) {name!r}; "
                    f"only what the ion contains can be removed"
                )
        return Ion.from_parts(atoms, ligands, adducts, self._charge + sign * other._charge)

    def __add__(self, other: Ion) -> Ion:
        return self._combine(other, 1)

    def __sub__(self, other: Ion) -> Ion:
        return self._combine(other, -1)

    def __mul__(self, n: int) -> Ion:
        if isinstance(n, bool) or not isinstance(n, int):
            return NotImplemented
        if n < 1:
            raise FormulaError(bad_value("multiplier", n, "a positive integer"))
        return Ion.from_parts(
            {k: v * n for k, v in self.core_atoms.items()},
            [(lig, c * n) for lig, c in self._ligands],
            [(a, c * n) for a, c in self._adducts],
            self._charge * n,
        )

    __rmul__ = __mul__


def parse_ion(text: str, library: LigandLibrary | None = None) -> Ion:
    """Parse an ion; the same as ``Ion(text, library=library)``."""
    return Ion(text, library=library)


# ---------------------------------------------------------------------- parser
def _check_atom(key: str) -> str:
    cur = FormulaCursor(key, "atom")
    out = cur.read_atom()
    if not cur.at_end():
        raise cur.error("expected a single element or isotope such as 'Ag' or '107Ag'")
    return out


def _check_count(field: str, n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise FormulaError(bad_value(field, n, "a positive integer count"))
    return n


def _infer_anonymous(comp: dict[str, int], library: LigandLibrary) -> Ligand:
    from intercluster.chem.ligands import infer_ligand

    return infer_ligand(comp, library)


def _resolve_adduct(
    text: str, explicit: int | None, library: LigandLibrary, cur: FormulaCursor, pos: int
) -> Adduct:
    try:
        comp = parse_composition(text)
    except FormulaError:
        comp = None
    if comp is not None and len(comp) == 1 and next(iter(comp.values())) == 1:
        name = next(iter(comp))
    elif comp == {"N": 1, "H": 4}:
        name = "NH4"
    else:
        name = None
    if name in CATIONS:
        known = CATIONS[name]
        formula = hill_formula(comp)
    else:
        lig = library.get(text)
        if lig is not None and lig.charge:
            name, formula, known = lig.name, lig.formula, lig.charge
        elif comp is not None:
            name, formula, known = hill_formula(comp), hill_formula(comp), 0
        else:
            raise cur.error(
                f"adduct {text!r} is neither a formula nor a charged species of the ligand "
                f"library; write e.g. '+ 12Na', '- 16H', '+ 2H2O', '+ Ag'",
                pos,
            )
    if explicit is not None:
        if known and explicit != known:
            raise cur.error(
                f"adduct {text!r} is written with charge {explicit:+d} but is a "
                f"{'cation' if known > 0 else 'anion'} of charge {known:+d}",
                pos,
            )
        known = explicit
    if name == "2H":
        name = "D"
    return Adduct(name, formula, known)


@lru_cache(maxsize=8192)
def _parse_cached(text: str, library: LigandLibrary) -> tuple:
    """Parsing is a pure function of the text and the (immutable) library: memoised."""
    return _IonParser(text, library).parse()


def _warn_generic_thiolate(text: str, ligands, library: LigandLibrary) -> None:
    names = {lig.name for lig, _ in ligands}
    if "SR" not in names:
        return
    others = [
        lig
        for lig, _ in ligands
        if lig.kind == "thiolate" and lig.name != "SR" and lig.formula != library.default_thiolate
    ]
    if others:
        warnings.warn(
            f"{text!r}: SR taken as the default thiolate {library.default_thiolate} although the "
            f"ion also contains {others[0].name} ({others[0].formula}); write the ligand by name "
            f"or set the default with set_default_thiolate()",
            AmbiguousLigandWarning,
            stacklevel=3,
        )


class _IonParser:
    def __init__(self, text: str, library: LigandLibrary) -> None:
        self.cur = FormulaCursor(text, "formula")
        self.lib = library

    def parse(self):
        cur = self.cur
        text = cur.text
        cur.skip_spaces()
        if cur.at_end():
            raise cur.error("empty formula; write an ion such as '[Ag25(DMBT)18]-'")
        cur.check_brackets()
        if cur.peek() == "[":
            open_pos = cur.pos
            close = cur.matching(open_pos)
            cur.pos = open_pos + 1
            cur.skip_spaces()
            if cur.pos >= close:
                raise cur.error("empty brackets '[]'; write the formula inside", open_pos)
            frag = self._bare_ligand(cur.text[cur.pos : close])
            if frag is None:
                frag = self.sequence(close, top=True)
            else:
                cur.pos = close
            if not any(frag):
                raise cur.error("the core is empty; write the cluster before adducts", open_pos + 1)
            adducts = self.adducts(close)
            cur.pos = close + 1
            charge = self.charge()
        else:
            frag = self.sequence(len(text), top=True)
            cur.skip_spaces()
            if not cur.at_end():
                raise cur.error(
                    "a charge or adduct needs square brackets: write e.g. '[C8H9S]-' or "
                    "'[Au25(PET)18 + Na]'"
                )
            adducts, charge = [], 0
        atoms, subunits, ligands = frag
        return (
            tuple(atoms.items()),
            tuple(tuple(g) for g in subunits),
            tuple(ligands.items()),
            tuple(adducts),
            charge,
        )

    def _bare_ligand(self, body: str):
        """``[DMBT]-``: a library ligand written alone (not when the text is also a formula)."""
        name = body.strip()
        lig = self.lib.get(name)
        if lig is None:
            return None
        try:
            parse_composition(name)
        except FormulaError:
            return {}, [], {lig: 1}
        return None

    # ------------------------------------------------------------------ core
    def sequence(self, stop: int, top: bool):
        """Atoms, groups and ligands up to ``stop`` (or an adduct sign at top level)."""
        cur = self.cur
        atoms: dict[str, int] = {}
        atoms_in_order: dict[str, int] = {}  # atoms with single metal groups merged in place
        ligands: dict[Ligand, int] = {}
        metal_groups: list[dict[str, int]] = []
        while cur.pos < stop:
            c = cur.peek()
            if top and (c.isspace() or c in "+-"):
                break
            if c in "({":
                start = cur.pos
                close = cur.matching(start)
                inner = cur.text[start + 1 : close]
                cur.pos = close + 1
                count = cur.read_count()
                kind, value = self.group(inner, start + 1, close)
                if kind == "ligand":
                    ligands[value] = ligands.get(value, 0) + (count or 1)
                elif kind == "metals" and count is None and top:
                    metal_groups.append(value)
                    _merge(value.items(), into=atoms_in_order)
                elif kind == "metals":
                    _merge(value.items(), count or 1, atoms)
                    _merge(value.items(), count or 1, atoms_in_order)
                else:  # a nested fragment of atoms and ligands
                    sub_atoms, sub_ligs = value
                    _merge(sub_atoms.items(), count or 1, atoms)
                    _merge(sub_atoms.items(), count or 1, atoms_in_order)
                    _merge(sub_ligs.items(), count or 1, ligands)
            elif c.isdigit() or c.isupper():
                key = cur.read_atom()
                count = cur.read_count() or 1
                atoms[key] = atoms.get(key, 0) + count
                atoms_in_order[key] = atoms_in_order.get(key, 0) + count
            elif c == "[":
                raise cur.error("square brackets cannot be nested; use ( ) or { } inside [ ]")
            else:
                raise cur.error(
                    f"unexpected character {c!r}; expected an element, a count, a ligand in "
                    f"brackets or an adduct (' + Na')"
                )
        if len(metal_groups) >= 2 and top:
            return atoms, [list(g.items()) for g in metal_groups], ligands
        return atoms_in_order, [], ligands

    def group(self, inner: str, start: int, close: int):
        """Resolve ``( ... )``: a library ligand, a metal group, a formula ligand, or a fragment."""
        cur = self.cur
        name = inner.strip()
        if not name:
            raise cur.error("empty group '()'", start - 1)
        lig = self.lib.get(name)
        if lig is not None:
            return "ligand", lig
        saved = cur.pos
        cur.pos = start
        try:
            atoms, _, ligands = self.sequence(close, top=False)
        except FormulaError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise cur.error(
                f"unknown ligand or formula {name!r} ({reason}); known ligands: "
                f"{self.lib.known_summary()}; add one with register_ligand() or --ligands FILE",
                start,
            ) from None
        finally:
            cur.pos = saved
        if ligands:
            return "fragment", (atoms, ligands)
        symbols = [split_atom_key(k)[0] for k in atoms]
        if all(is_metal(s) for s in symbols):
            return "metals", atoms
        return "ligand", _infer_anonymous(atoms, self.lib)

    # --------------------------------------------------------------- adducts
    def adducts(self, stop: int) -> list[tuple[Adduct, int]]:
        cur = self.cur
        out: dict[Adduct, int] = {}
        while True:
            cur.skip_spaces()
            if cur.pos >= stop:
                break
            sign_pos = cur.pos
            sign = cur.peek()
            if sign not in "+-":
                raise cur.error(
                    f"unexpected {sign!r} after the core; adducts are written ' + 12Na' or ' - 16H'"
                )
            cur.pos += 1
            cur.skip_spaces()
            count_pos = cur.pos
            count = cur.read_count()
            spec_pos = cur.pos
            if cur.pos < stop and cur.peek() in "({":
                close = cur.matching(cur.pos)
                species = cur.text[cur.pos + 1 : close]
                cur.pos = close + 1
            else:
                while cur.pos < stop and cur.peek().isalnum():
                    cur.pos += 1
                species = cur.text[spec_pos : cur.pos]
            if not species:
                what = f"'{sign}{cur.text[count_pos:spec_pos]}'"
                raise cur.error(
                    f"{what} names no species; counts cannot be negative, and a loss or adduct "
                    f"is written ' - 16H' or ' + 12Na'",
                    sign_pos,
                )
            explicit = None
            nxt = cur.peek(1) if cur.pos + 1 <= stop else ""
            if cur.pos < stop and cur.peek() in "+-" and (cur.pos + 1 >= stop or nxt.isspace()):
                explicit = 1 if cur.peek() == "+" else -1
                cur.pos += 1
            adduct = _resolve_adduct(species, explicit, self.lib, cur, spec_pos)
            n = (count or 1) * (1 if sign == "+" else -1)
            _merge([(adduct, n)], into=out)
        return list(out.items())

    def charge(self) -> int:
        cur = self.cur
        start = cur.pos
        rest = cur.text[start:].strip()
        if rest in ("", "0"):
            return 0
        match = _CHARGE_RE.match(rest)
        if not match:
            hint = ""
            if re.fullmatch(r"[+-]\d+", rest):
                hint = f" (write {rest[1:]}{rest[0]!s} with the sign last)"
            raise cur.error(
                f"charge {rest!r} not understood{hint}: write it as '-', '2-', '+' or '3+' "
                f"after ']'",
                start,
            )
        size = int(match.group(1)) if match.group(1) else 1
        if size == 0:
            raise cur.error("charge '0-' or '0+': a neutral ion is written without a charge", start)
        return -size if match.group(2) == "-" else size
