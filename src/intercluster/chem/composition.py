"""Elemental compositions: reading plain formulas and writing them in Hill order.

A composition is a ``dict`` from atom key (``"C"``, ``"107Ag"``, ``"2H"``; see
:mod:`intercluster.chem.isotopes`) to a positive count. Plain formulas are
element symbols with counts, an optional mass number in front of a symbol
(``107Ag``), ``D`` for deuterium and parenthesised groups with a multiplier
(``Se2P(OC3H7)2``). Cluster ions with ligand abbreviations, adducts and charges
are read by :mod:`intercluster.chem.formula`, which builds on the cursor here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from intercluster.chem.elements import is_element
from intercluster.chem.isotopes import atom_key, isotopes, split_atom_key
from intercluster.errors import FormulaError, show_value

__all__ = [
    "FormulaCursor",
    "add_compositions",
    "format_atoms",
    "hill_formula",
    "hill_sorted_keys",
    "parse_composition",
    "scale_composition",
]

#: Largest count of one atom in a formula (after multiplying out groups); a cluster
#: ion holds hundreds to a few thousand atoms of an element.
MAX_ATOM_COUNT = 1_000_000
#: Deepest nesting of brackets in a formula.
MAX_BRACKET_DEPTH = 32

_ASCII_DIGITS = frozenset("0123456789")

_OPEN = {"(": ")", "{": "}", "[": "]"}
_CLOSE = {v: k for k, v in _OPEN.items()}


class FormulaCursor:
    """A position in a formula string with readers for atoms and counts.

    Every error names the formula, the position (0-based) and the reason.
    """

    def __init__(self, text: str, what: str = "formula") -> None:
        self.text = text
        self.pos = 0
        self.what = what

    # ------------------------------------------------------------------ errors
    def error(self, reason: str, pos: int | None = None) -> FormulaError:
        pos = self.pos if pos is None else pos
        near = self.text[pos : pos + 12]
        where = f"position {pos} ({near!r})" if near else f"position {pos} (end)"
        return FormulaError(f"{self.what} {show_value(self.text)}, {where}: {reason}")

    # --------------------------------------------------------------- scanning
    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.text[i] if i < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.peek() and self.peek().isspace():
            self.pos += 1

    def check_brackets(self) -> None:
        """Raise at the first unbalanced or mismatched bracket."""
        stack: list[tuple[str, int]] = []
        for i, c in enumerate(self.text):
            if c in _OPEN:
                stack.append((c, i))
                if len(stack) > MAX_BRACKET_DEPTH:
                    raise self.error(
                        f"brackets nested more than {MAX_BRACKET_DEPTH} deep; a formula needs "
                        "only a few levels",
                        i,
                    )
            elif c in _CLOSE:
                if not stack:
                    raise self.error(f"unbalanced brackets: {c!r} has no opening {_CLOSE[c]!r}", i)
                opening, j = stack.pop()
                if _OPEN[opening] != c:
                    raise self.error(
                        f"unbalanced brackets: {opening!r} at position {j} is closed by {c!r}", i
                    )
        if stack:
            opening, j = stack[-1]
            raise self.error(
                f"unbalanced brackets: {opening!r} is never closed; add {_OPEN[opening]!r}", j
            )

    def matching(self, pos: int) -> int:
        """Position of the bracket closing the one at ``pos`` (brackets are balanced)."""
        depth = 0
        for i in range(pos, len(self.text)):
            c = self.text[i]
            if c in _OPEN:
                depth += 1
            elif c in _CLOSE:
                depth -= 1
                if depth == 0:
                    return i
        raise self.error("unbalanced brackets", pos)  # pragma: no cover (checked before)

    # ---------------------------------------------------------------- readers
    def read_digits(self) -> str:
        start = self.pos
        while self.peek() in _ASCII_DIGITS and self.peek():
            self.pos += 1
        if self.peek().isdigit() or self.peek().isnumeric():
            raise self.error(
                f"{self.peek()!r} is not an ASCII digit; write counts and mass numbers with "
                "0-9 ('Ag25', not 'Ag₂₅')"
            )
        return self.text[start : self.pos]

    def read_count(self) -> int | None:
        """A count after an atom or group: ``None`` if absent, else a positive integer."""
        start = self.pos
        digits = self.read_digits()
        if not digits:
            return None
        value = int(digits)
        if value == 0:
            raise self.error(
                "count 0: leave the element or group out instead of writing a count of 0", start
            )
        if value > MAX_ATOM_COUNT:
            raise self.error(
                f"count {value} is above the largest allowed, {MAX_ATOM_COUNT:,}", start
            )
        return value

    def read_symbol(self) -> str:
        """An element symbol (upper-case letter plus lower-case letters); ``D`` is deuterium."""
        start = self.pos
        if not self.peek().isupper():
            raise self.error("expected an element symbol (e.g. 'Ag') here")
        self.pos += 1
        while self.peek().islower():
            self.pos += 1
        symbol = self.text[start : self.pos]
        if symbol == "D":
            return "D"
        if not is_element(symbol):
            raise self.error(f"unknown element {symbol!r}", start)
        return symbol

    def read_atom(self) -> str:
        """An atom key: ``Ag``, ``107Ag`` (mass number in front) or ``D`` (= ``2H``)."""
        start = self.pos
        digits = self.read_digits()
        if digits and not self.peek().isupper():
            raise self.error(
                f"number {digits!r} is not followed by an element symbol; a mass number goes "
                f"in front of the symbol ('107Ag') and a count after it ('Ag25')",
                start,
            )
        symbol = self.read_symbol()
        if symbol == "D":
            if digits:
                raise self.error(
                    "write deuterium as 'D' or '2H', not with another mass number", start
                )
            return "2H"
        if digits:
            key = atom_key(symbol, int(digits))
            try:
                isotopes(key)
            except FormulaError as exc:
                raise self.error(str(exc), start) from None
            return key
        return symbol


def _parse_atoms(cur: FormulaCursor, stop: int) -> dict[str, int]:
    out: dict[str, int] = {}
    while cur.pos < stop:
        c = cur.peek()
        if c in "({":
            close = cur.matching(cur.pos)
            if close > stop:
                raise cur.error("unbalanced brackets")
            cur.pos += 1
            inner = _parse_atoms(cur, close)
            if not inner:
                raise cur.error("empty group '()'", close - 1)
            cur.pos = close + 1
            mult = cur.read_count() or 1
            add_compositions(out, inner, mult)
        elif c.isdigit() or c.isupper():
            key = cur.read_atom()
            count = cur.read_count() or 1
            out[key] = out.get(key, 0) + count
        else:
            raise cur.error(f"unexpected character {c!r}; expected an element symbol, count or '('")
    return out


def parse_composition(text: str, what: str = "formula") -> dict[str, int]:
    """Read a plain formula into a composition.

    Parameters
    ----------
    text : str
        ``"C8H9S"``, ``"Se2P(OC3H7)2"``, ``"(107Ag)25"``, ``"CD3"``.
    what : str
        How error messages name the text (e.g. ``"ligand 'PET' formula"``).

    Returns
    -------
    dict
        Atom key -> count, in the order first written.

    Raises
    ------
    FormulaError
        For an unknown element, a count of 0, a character that is not part of a
        formula, an unknown isotope or unbalanced brackets, with the position.

    Examples
    --------
    >>> parse_composition("C8H9S")
    {'C': 8, 'H': 9, 'S': 1}
    >>> parse_composition("Se2P(OC3H7)2")
    {'Se': 2, 'P': 1, 'O': 2, 'C': 6, 'H': 14}
    >>> parse_composition("CD3")
    {'C': 1, '2H': 3}
    """
    cur = FormulaCursor(text.strip(), what)
    if not cur.text:
        raise cur.error("empty formula")
    cur.check_brackets()
    out = _parse_atoms(cur, len(cur.text))
    for key, n in out.items():
        if n > MAX_ATOM_COUNT:
            raise cur.error(
                f"{n:,} {key} atoms, above the largest count allowed, {MAX_ATOM_COUNT:,}"
            )
    return out


def add_compositions(target: dict, other: Mapping | Iterable[tuple], factor: int = 1) -> dict:
    """Add ``factor`` times ``other`` (a mapping or key/count pairs) to ``target`` in place.

    Counts that become zero are dropped.
    """
    for key, count in other.items() if isinstance(other, Mapping) else other:
        value = target.get(key, 0) + factor * count
        if value:
            target[key] = value
        else:
            target.pop(key, None)
    return target


def scale_composition(comp: Mapping[str, int], factor: int) -> dict[str, int]:
    """Multiply every count by ``factor``."""
    return {k: v * factor for k, v in comp.items()}


def _hill_key(key: str, has_carbon: bool) -> tuple:
    symbol, mass_number = split_atom_key(key)
    if has_carbon and symbol in ("C", "H"):
        rank = 0 if symbol == "C" else 1
        return (rank, "", mass_number or 0)
    return (2, symbol, mass_number or 0)


def format_atoms(items: Iterable[tuple[str, int]], protect_isotopes: bool = True) -> str:
    """Atoms in the given order, ``count`` 1 not written, isotopes as ``(107Ag)25``.

    A single isotope is put in parentheses unless it comes first, so that its
    mass number cannot be read as the count of the atom before it.

    >>> format_atoms([("107Ag", 12), ("109Ag", 13)])
    '107Ag12(109Ag)13'
    >>> format_atoms([("C", 1), ("2H", 3)])
    'CD3'
    """
    parts = []
    for i, (key, count) in enumerate(items):
        text = "D" if key == "2H" else key
        if text[0].isdigit() and (i > 0 or not protect_isotopes):
            text = f"({text})"
        parts.append(text + (str(count) if count != 1 else ""))
    return "".join(parts)


def hill_sorted_keys(comp: Mapping[str, int]) -> list[str]:
    """Atom keys of ``comp`` in Hill order (isotopes right after their element)."""
    has_carbon = any(split_atom_key(k)[0] == "C" for k in comp)
    return sorted(comp, key=lambda k: _hill_key(k, has_carbon))


def hill_formula(comp: Mapping[str, int]) -> str:
    """Formula in Hill order (C, H, then alphabetical; all alphabetical without C).

    >>> hill_formula({"S": 18, "Ag": 25, "C": 144, "H": 162})
    'C144H162Ag25S18'
    >>> hill_formula({"109Ag": 2, "Ag": 3})
    'Ag3(109Ag)2'
    """
    return format_atoms([(k, comp[k]) for k in hill_sorted_keys(comp) if comp[k]])
