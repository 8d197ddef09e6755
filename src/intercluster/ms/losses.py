"""Loss and fragment series: the ions a parent ion becomes by losing (or gaining) fragments.

Acharya et al., J. Phys. Chem. C 2025 (doi:10.1021/acs.jpcc.4c07077) never see
the integral heterodimer [Ag54L12L'18]4- (L = BDT, L' = DMBT) intact: Figure 1B
shows it as 3- ions after the loss of AgL'2- (m/z 3198), Ag2L'3- (3117) or L'- (3280),
and after H+ attachment (3326); the Pd- and Pt-doped dimers [MAg53L12L'18]5- appear
after losing two L', AgL'2 and AgL'3. :func:`loss_series` lists every ion reachable
from a parent by up to k such changes, with its m/z, charge and valence electron
count; :func:`mark_observed` marks which of them a spectrum shows, with the
existing assignment (:func:`intercluster.ms.assign`).

Fragment notation (:func:`parse_fragment`). A fragment is an ion text:

- ``"[Ag(DMBT)2]-"``, ``"[Ag(DMBT)3]2-"``: the charge as written (0 if none);
- without square brackets, a single trailing sign is the charge (``"L'-"``,
  ``"AgL'2-"``, ``"H+"``); a fragment written without any charge takes the charge
  of a closed-shell unit (no superatom electron left: each Ag/Au/Cu as M(I), each
  ligand withdrawing its electrons), so ``AgL'2`` is [AgL'2]-, ``Ag2L'3`` is
  [Ag2L'3]-, ``AgL'3`` is [AgL'3]2-, ``L'`` is L'-, ``Ag3L'3`` is neutral, a
  lone cation (``H``, ``Na``, ``Ag``) is singly charged and a molecule without
  metal or ligand (``H2O``) neutral (a sulfide is written ``[S]2-``); multiple charges need
  brackets (``"AgL'2-"`` is [AgL'2]-, not AgL' with 2-);
- ``"e-"`` (or ``"e"``) is an electron: its loss (electron detachment) lowers the
  negative charge by one and takes one valence electron. The 15-electron Pd@III
  [PdAg52L12L'16]3- at m/z 3198 is [PdAg53L12L'18]5- minus [AgL'2]- minus e- (the
  16-electron parent loses one electron; "AgL'2" in the paper);
- a leading ``-`` means lost, ``+`` gained. Without a sign, cations (positive
  fragments) are gained (the H+ attachment of Acharya's dimers, the Ag+ adduct of
  [CuAg6(H)(dsep)6 + Ag]+) and everything else is lost.

Losing an anionic fragment lowers the negative charge: [Ag54L12L'18]4- minus L'-
is [Ag54L12L'17]3-. Abbreviations such as L and L' are expanded before parsing
(:func:`expand_abbreviations`; ``{"L": "BDT", "L'": "DMBT"}``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement

from intercluster.chem.composition import hill_formula
from intercluster.chem.electrons import ANION_ATOM_ELECTRONS, METAL_VALENCE
from intercluster.chem.elements import is_element, is_metal
from intercluster.chem.formula import CATIONS, Adduct, Ion
from intercluster.chem.isotopes import split_atom_key
from intercluster.chem.ligands import LigandLibrary, default_library
from intercluster.errors import ConfigError, FormulaError, bad_value

__all__ = [
    "LOSS_COLUMNS",
    "MAX_COMBINATIONS",
    "Fragment",
    "LossProduct",
    "apply_changes",
    "expand_abbreviations",
    "loss_series",
    "loss_table",
    "mark_observed",
    "parse_abbreviations",
    "parse_fragment",
    "parse_fragments",
]

#: Enumerations of more fragment combinations than this are refused.
MAX_COMBINATIONS = 50_000

#: Columns of :func:`loss_table`.
LOSS_COLUMNS = (
    "ion",
    "charge",
    "mz_monoisotopic",
    "mz_most_abundant",
    "mz_average",
    "valence_electrons",
    "n_changes",
    "changes",
)


@dataclass(frozen=True)
class Fragment:
    """A unit lost from or gained by an ion in the source or in CID.

    Attributes
    ----------
    text : str
        As written by the user.
    ion : Ion or None
        The fragment with its charge; None for an electron.
    gained : bool
        True if attached (``+ H+``), False if lost.
    """

    text: str
    ion: Ion | None
    gained: bool

    @property
    def charge(self) -> int:
        """Charge of the fragment [e] (-1 for an electron)."""
        return -1 if self.ion is None else self.ion.charge

    @property
    def is_electron(self) -> bool:
        return self.ion is None

    @property
    def label(self) -> str:
        """``"- [Ag(DMBT)2]-"``, ``"+ H+"``, ``"- [DMBT]-"``, ``"- e-"``."""
        body = "e-" if self.ion is None else _fragment_text(self.ion)
        return f"{'+' if self.gained else '-'} {body}"


def _fragment_text(ion: Ion) -> str:
    from intercluster.chem.formula import format_charge

    q = format_charge(ion.charge)
    if not ion.core_atoms and not ion.ligands and len(ion.adducts) == 1:
        (adduct, n), *_ = ion.adducts.items()
        if n == 1:
            return f"{adduct.name}{q}"  # H+, Na+
    if not ion.core_atoms and not ion.adducts and len(ion.ligands) == 1:
        (lig, n), *_ = ion.ligands.items()
        if n == 1:
            return f"[{lig.name}]{q}"  # [DMBT]-
    return str(ion)


# ------------------------------------------------------------------ parsing
def parse_abbreviations(
    spec: str | Mapping[str, str] | None, library: LigandLibrary | None = None
) -> dict[str, str]:
    """Abbreviations ``"L=BDT, L'=DMBT"`` (or a mapping) checked against the library.

    Raises
    ------
    ConfigError
        For an entry without ``=``, an empty name, a name that is an element symbol,
        or a value that is no library ligand.
    """
    lib = library or default_library()
    if spec is None:
        return {}
    if isinstance(spec, str):
        items = {}
        for part in _split_list(spec):
            if "=" not in part:
                raise ConfigError(bad_value("abbreviations", part, "entries such as L=BDT"))
            key, value = (s.strip() for s in part.split("=", 1))
            items[key] = value
    else:
        items = {str(k).strip(): str(v).strip() for k, v in spec.items()}
    for key, value in items.items():
        if not key or not re.fullmatch(r"[A-Za-z][A-Za-z0-9'′]*", key):
            raise ConfigError(
                bad_value("abbreviation", key, "a letter followed by letters, digits or primes")
            )
        if is_element(key) or key in CATIONS or key[0].islower():
            raise ConfigError(
                bad_value(
                    "abbreviation",
                    key,
                    "a name starting with a capital letter that is no element symbol "
                    "(L, L', X; not S or Cl)",
                )
            )
        if not value or lib.get(value) is None:
            raise ConfigError(
                bad_value(f"abbreviation {key}", value, "a ligand name of the ligand library")
            )
    return items


def expand_abbreviations(text: str, abbreviations: Mapping[str, str] | None) -> str:
    """Write abbreviated ligands as library ligands: ``AgL'2`` -> ``Ag(DMBT)2``.

    An abbreviation is replaced where it stands outside round brackets (or fills a
    bracket, ``(L')``) and is not followed by a lower-case letter (``La`` stays
    lanthanum). Longer abbreviations are tried first (``L'`` before ``L``).

    Examples
    --------
    >>> expand_abbreviations("[Ag54L12L'18]4-", {"L": "BDT", "L'": "DMBT"})
    '[Ag54(BDT)12(DMBT)18]4-'
    """
    if not abbreviations:
        return text
    text = text.replace("′", "'")
    keys = sorted(abbreviations, key=len, reverse=True)
    out = []
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in "({":
            close = text.find(")" if c == "(" else "}", i)
            inner = text[i + 1 : close] if close > 0 else None
            if inner is not None and inner.strip() in abbreviations:
                out.append(f"{c}{abbreviations[inner.strip()]}{text[close]}")
                i = close + 1
                continue
            depth += 1
        elif c in ")}":
            depth -= 1
        elif depth == 0:
            for key in keys:
                end = i + len(key)
                if text.startswith(key, i) and not (end < len(text) and text[end].islower()):
                    out.append(f"({abbreviations[key]})")
                    i = end
                    break
            else:
                out.append(c)
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _split_list(text: str) -> list[str]:
    # commas separate entries, except inside names such as 2,4-DMBT (comma before a digit)
    return [p.strip() for p in re.split(r";|,(?!\d)", text) if p.strip()]


def _closed_shell_charge(ion: Ion, text: str) -> int:
    """Charge of a fragment that keeps no superatom electron (M(I) for the coinage metals)."""
    if not ion.ligands and not ion.adducts and len(ion.composition) <= 2:
        names = {k for k in ion.atoms}
        if len(names) == 1 and next(iter(names)) in CATIONS and next(iter(ion.atoms.values())) == 1:
            return 1
    if not ion.ligands and not any(is_metal(split_atom_key(k)[0]) for k in ion.core_atoms):
        return ion.adduct_charge  # a molecule of non-metals (H2O, CO2): neutral
    charge = 0
    for key, count in ion.core_atoms.items():
        symbol = split_atom_key(key)[0]
        if is_metal(symbol):
            if symbol not in METAL_VALENCE:
                raise ConfigError(
                    f"fragment {text!r}: no valence known for {symbol}; write its charge "
                    f"explicitly, e.g. '[{text}]-'"
                )
            charge += METAL_VALENCE[symbol] * count
        elif symbol in ANION_ATOM_ELECTRONS:
            charge -= ANION_ATOM_ELECTRONS[symbol] * count
        else:
            raise ConfigError(
                f"fragment {text!r}: cannot infer the charge of atom {symbol}; write the "
                f"charge explicitly, e.g. '[{text}]-' or '[{text}]'"
            )
    for lig, n in ion.ligands.items():
        if lig.electrons is None:
            raise ConfigError(
                f"fragment {text!r}: ligand {lig.name} withdraws an unknown number of "
                f"electrons; write the charge explicitly, e.g. '[{text}]-'"
            )
        charge -= lig.electrons * n
    return charge + ion.adduct_charge


def parse_fragment(
    text: str,
    abbreviations: Mapping[str, str] | None = None,
    library: LigandLibrary | None = None,
) -> Fragment:
    """Read a fragment written as in the module docstring.

    Parameters
    ----------
    text : str
        ``"L'"``, ``"AgL'2"``, ``"[Ag(DMBT)3]2-"``, ``"+H+"``, ``"-e-"``.
    abbreviations : mapping, optional
        ``{"L": "BDT", "L'": "DMBT"}``.
    library : LigandLibrary, optional

    Returns
    -------
    Fragment

    Raises
    ------
    ConfigError
        For an empty fragment, a neutral fragment written as gained or lost without
        atoms, or a charge that cannot be inferred.
    FormulaError
        For text that is not a formula (unknown ligand or element).

    Examples
    --------
    >>> f = parse_fragment("AgL'2", {"L'": "DMBT"})
    >>> f.label, f.charge, f.gained
    ('- [Ag(DMBT)2]-', -1, False)
    >>> parse_fragment("H+").label, parse_fragment("L'-", {"L'": "DMBT"}).label
    ('+ H+', '- [DMBT]-')
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(bad_value("fragment", text, "an ion text such as \"L'\" or 'AgL'2'"))
    raw = text.strip()
    body = raw
    sign = None
    if body[0] in "+-" and len(body) > 1:
        sign, body = body[0], body[1:].strip()
    if body in ("e", "e-", "e−"):
        return Fragment(raw, None, gained=sign == "+")
    body = expand_abbreviations(body, abbreviations)
    lib = library or default_library()
    if body.startswith("["):
        ion = Ion(body, library=lib)
    else:
        explicit = None
        if body[-1] in "+-" and len(body) > 1:
            explicit = 1 if body[-1] == "+" else -1
            body = body[:-1].strip()
        if body not in CATIONS and lib.get(body) is not None:
            body = f"({body})"  # a ligand named alone: "DMBT", "L'" after expansion
        try:
            ion = Ion(body, library=lib)
        except FormulaError as exc:
            raise FormulaError(f"fragment {raw!r}: {exc}") from None
        charge = explicit if explicit is not None else _closed_shell_charge(ion, raw)
        if (
            not ion.ligands
            and len(ion.atoms) == 1
            and next(iter(ion.atoms)) in CATIONS
            and next(iter(ion.atoms.values())) == 1
            and charge == 1
        ):
            ion = Ion.from_parts(adducts={next(iter(ion.atoms)): 1}, charge=1, library=lib)
        else:
            ion = ion.with_charge(charge)
    ion = _molecule_as_adduct(ion)
    gained = sign == "+" or (sign is None and ion.charge > 0)
    return Fragment(raw, ion, gained)


def _molecule_as_adduct(ion: Ion) -> Ion:
    """A molecule of several non-metal atoms (H2O, NH3) is handled as an adduct
    (``+ H2O``, ``- H2O``), like the cations; single atoms stay atoms of the core."""
    atoms = ion.core_atoms
    if (
        ion.ligands
        or ion.adducts
        or ion.subunits
        or sum(atoms.values()) < 2
        or any(is_metal(split_atom_key(k)[0]) for k in atoms)
    ):
        return ion
    formula = hill_formula(atoms)
    return Ion.from_parts(adducts=[(Adduct(formula, formula, ion.charge), 1)], charge=ion.charge)


def parse_fragments(
    fragments: str | Iterable[str | Fragment],
    abbreviations: Mapping[str, str] | None = None,
    library: LigandLibrary | None = None,
) -> list[Fragment]:
    """A list of fragments from ``"L', AgL'2, AgL'3, H+"`` or an iterable.

    Raises
    ------
    ConfigError
        For no fragments or the same fragment twice.
    """
    items = _split_list(fragments) if isinstance(fragments, str) else list(fragments)
    out: list[Fragment] = []
    for item in items:
        frag = item if isinstance(item, Fragment) else parse_fragment(item, abbreviations, library)
        if any(f.label == frag.label for f in out):
            raise ConfigError(f"fragment {frag.text!r} is given twice ({frag.label})")
        out.append(frag)
    if not out:
        raise ConfigError(bad_value("fragments", fragments, 'at least one fragment, e.g. "L\'"'))
    return out


# ------------------------------------------------------------- enumeration
@dataclass(frozen=True)
class LossProduct:
    """An ion reachable from the parent, with the shortest list of changes that gives it.

    Attributes
    ----------
    ion : Ion
    changes : tuple of Fragment
        In the order applied (empty for the parent itself).
    """

    ion: Ion
    changes: tuple[Fragment, ...]

    @property
    def n_changes(self) -> int:
        return len(self.changes)

    @property
    def changes_label(self) -> str:
        """``"- [Ag(DMBT)2]- - e-"``; ``"(parent)"`` for no change."""
        return " ".join(f.label for f in self.changes) or "(parent)"


def apply_changes(parent: Ion | str, changes: Sequence[Fragment]) -> Ion:
    """The ion after the fragments ``changes`` are lost or gained.

    Raises
    ------
    FormulaError
        If a loss removes atoms or ligands the ion does not have.

    Examples
    --------
    >>> f = parse_fragment("[Ag(DMBT)2]-")
    >>> str(apply_changes("[Ag54(BDT)12(DMBT)18]4-", [f]))
    '[Ag53(BDT)12(DMBT)16]3-'
    """
    ion = parent if isinstance(parent, Ion) else Ion(parent)
    for frag in changes:
        if frag.ion is None:
            ion = ion.with_charge(ion.charge + (-1 if frag.gained else 1))
        elif frag.gained:
            ion = ion + frag.ion
        else:
            ion = ion - frag.ion
    return ion


def loss_series(
    parent: Ion | str,
    fragments: str | Iterable[str | Fragment],
    max_losses: int = 2,
    abbreviations: Mapping[str, str] | str | None = None,
    include_parent: bool = True,
    library: LigandLibrary | None = None,
) -> list[LossProduct]:
    """Every ion reachable from ``parent`` by up to ``max_losses`` fragment changes.

    Each fragment may occur several times (two L'). Combinations that remove what
    the ion lacks or leave it neutral (no m/z) are skipped. An ion reached by
    several combinations is listed once, with the shortest (then first) one.

    Parameters
    ----------
    parent : Ion or str
        ``"[Ag54L12L'18]4-"`` (with ``abbreviations``) or ``"[Ag54(BDT)12(DMBT)18]4-"``.
    fragments : str or iterable
        ``"L', AgL'2, AgL'3, H+"`` (see :func:`parse_fragment`).
    max_losses : int
        Largest number of changes k (>= 0).
    abbreviations : mapping or str, optional
        ``{"L": "BDT", "L'": "DMBT"}`` or ``"L=BDT, L'=DMBT"``.
    include_parent : bool
        List the parent itself (k = 0) first.

    Returns
    -------
    list of LossProduct
        Ordered by the number of changes, then by the order of the fragments.

    Raises
    ------
    ConfigError
        For a bad ``max_losses``, bad fragments or more than :data:`MAX_COMBINATIONS`
        combinations.
    FormulaError
        For a parent or fragment that cannot be parsed.

    Examples
    --------
    >>> out = loss_series("[Ag54L12L'18]4-", "AgL'2, Ag2L'3, L', H+", 1, "L=BDT, L'=DMBT")
    >>> [str(p.ion) for p in out][1:3]
    ['[Ag53(BDT)12(DMBT)16]3-', '[Ag52(BDT)12(DMBT)15]3-']
    """
    lib = library or default_library()
    if isinstance(max_losses, bool) or not isinstance(max_losses, int) or max_losses < 0:
        raise ConfigError(bad_value("max_losses", max_losses, "an integer >= 0"))
    abbrev = parse_abbreviations(abbreviations, lib) if abbreviations is not None else {}
    if isinstance(parent, Ion):
        base = parent
    else:
        base = Ion(expand_abbreviations(parent, abbrev), library=lib)
    if base.charge == 0:
        raise FormulaError(f"parent {str(base)!r} has no charge; write e.g. '[Ag54L12L'18]4-'")
    frags = parse_fragments(fragments, abbrev, lib)
    n_comb = math.comb(len(frags) + max_losses, max_losses)
    if n_comb > MAX_COMBINATIONS:
        raise ConfigError(
            f"{len(frags)} fragments with max_losses = {max_losses} give {n_comb} combinations "
            f"(limit {MAX_COMBINATIONS}); use fewer fragments or a smaller max_losses"
        )
    seen: dict[Ion, LossProduct] = {}
    for k in range(0 if include_parent else 1, max_losses + 1):
        for combo in combinations_with_replacement(range(len(frags)), k):
            changes = tuple(frags[i] for i in combo)
            try:
                ion = apply_changes(base, changes)
            except FormulaError:
                continue
            if ion.charge == 0 or ion in seen:
                continue
            seen[ion] = LossProduct(ion, changes)
    return list(seen.values())


def loss_table(products: Sequence[LossProduct]):
    """Products as a table with m/z [Th] and valence electron counts.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LOSS_COLUMNS`; ``valence_electrons`` is ``<NA>`` where it is
        not defined (no metal core, unknown ligand class).
    """
    import pandas as pd

    from intercluster.chem.electrons import valence_electrons
    from intercluster.ms.masses import mz

    rows = []
    for p in products:
        try:
            n_e = valence_electrons(p.ion)
        except FormulaError:
            n_e = None
        rows.append(
            {
                "ion": str(p.ion),
                "charge": p.ion.charge,
                "mz_monoisotopic": mz(p.ion, "monoisotopic"),
                "mz_most_abundant": mz(p.ion, "most_abundant"),
                "mz_average": mz(p.ion, "average"),
                "valence_electrons": n_e,
                "n_changes": p.n_changes,
                "changes": p.changes_label,
            }
        )
    frame = pd.DataFrame(rows, columns=list(LOSS_COLUMNS))
    frame["valence_electrons"] = frame["valence_electrons"].astype("Int64")
    return frame


def mark_observed(products: Sequence[LossProduct], spectrum, **assign_options):
    """:func:`loss_table` plus which ions a spectrum shows, by :func:`intercluster.ms.assign`.

    Parameters
    ----------
    products : sequence of LossProduct
    spectrum : Spectrum
    **assign_options
        Passed to :func:`intercluster.ms.assign` (``resolving_power``,
        ``ppm_tolerance``, ``min_similarity``, ``min_snr``).

    Returns
    -------
    pandas.DataFrame
        :data:`LOSS_COLUMNS` plus ``seen`` (bool), ``similarity``, ``error_ppm`` and
        ``snr`` from the assignment (NaN / False outside the spectrum).
    """
    from intercluster.ms.assign import assign
    from intercluster.ms.candidates import Candidate

    if not products:
        raise ConfigError("mark_observed needs at least one product ion")
    table = loss_table(products)
    cands = [Candidate(str(p.ion), p.ion) for p in products]
    scores = assign(spectrum, cands, **assign_options)
    table["seen"] = scores["assigned"].to_numpy(dtype=bool)
    for col in ("similarity", "error_ppm", "snr"):
        table[col] = scores[col].to_numpy(dtype=float)
    return table
