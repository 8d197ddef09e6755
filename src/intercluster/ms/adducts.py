"""Adduct envelopes: one cluster at several charge states with several cation kinds at once.

In negative-mode ESI a cluster with acidic ligands (the COOH of p-MBA) appears at
several charge states, each as a family of ions that differ by the cations they
carry and the protons they lost. Lin et al., Chem. Sci. 2022 (doi:10.1039/d1sc06296d),
Fig. 1c, assign [Au44(p-MBA)26]2- at m/z 2151 (6-) as [Au44(p-MBA)26 + 12Na - 16H]6-;
the printed 7- (1843) and 8- (1610) peaks fit [... + 12Na - 17H]7- and
[... + 11Na - 17H]8-: the Na count changes with the charge, so a series that adds
one kind of carrier per charge (:func:`intercluster.ms.charge_state_series`) misses them.

From one starting ion of charge q0 (its ligands in their bound, protonated form),
each variant at charge z carries n_c cations of each kind c (Na+, K+, NH4+, Li+,
Cs+ ...) and a net number h of protons (h < 0: removed from acidic groups, h > 0:
attached), with

    q0 + sum_c n_c + h = z,
    0 <= n_c <= max_count[c],   sum_c n_c <= max_total_cations,
    -max_removed_protons <= h <= max_count["H"] (0 unless H+ attachment is allowed).

Default limits (the question is what ESI can do to this cluster): every limit is the
number of acidic groups of the ion (sum of :attr:`Ligand.acidic_groups`, 26 for
[Au44(p-MBA)26]), i.e. at most one cation per carboxylate. A cluster without acidic
groups gets no variants unless limits are given.

The variants are plain :class:`~intercluster.chem.Ion` objects (and
:class:`~intercluster.ms.Candidate` objects), so assignment and deconvolution score
them jointly with any other candidates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from intercluster.chem.formula import CATIONS, Adduct, Ion
from intercluster.errors import ConfigError, FormulaError, bad_value
from intercluster.ms.candidates import Candidate

__all__ = [
    "CATION_KINDS",
    "MAX_ENVELOPE_IONS",
    "acidic_groups",
    "adduct_candidates",
    "adduct_counts",
    "adduct_envelope",
    "strongest_per_charge",
]

#: Cation kinds an envelope can carry (singly charged; written ``+ 12Na``).
CATION_KINDS = ("H", "Na", "K", "NH4", "Li", "Rb", "Cs")

#: Envelopes larger than this are refused unless ``max_ions`` is raised.
MAX_ENVELOPE_IONS = 5000


def acidic_groups(ion: Ion | str) -> int:
    """Number of acidic groups (protons ESI can remove) of an ion's ligands.

    Examples
    --------
    >>> acidic_groups("[Au44(p-MBA)26]2-"), acidic_groups("[Au25(PET)18]-")
    (26, 0)
    """
    ion = ion if isinstance(ion, Ion) else Ion(ion)
    return sum(lig.acidic_groups * n for lig, n in ion.ligands.items())


def _check_int(name: str, value, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(bad_value(name, value, f"an integer >= {minimum}"))
    return value


def _cation_names(cations: Sequence[str]) -> list[str]:
    if isinstance(cations, str):
        cations = [c for c in cations.replace(" ", "").split(",") if c]
    out = []
    for c in cations:
        name = str(c).strip().rstrip("+")
        if name not in CATION_KINDS:
            raise ConfigError(
                bad_value("cations", c, f"cation kinds among {', '.join(CATION_KINDS)}")
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigError(bad_value("cations", cations, "at least one cation kind, e.g. Na, H"))
    return out


def _counts(maxima: list[int], total: int) -> Iterator[tuple[int, ...]]:
    """Tuples of counts n_i <= maxima[i] with sum <= total."""
    if not maxima:
        yield ()
        return
    for n in range(min(maxima[0], total) + 1):
        for rest in _counts(maxima[1:], total - n):
            yield (n, *rest)


def adduct_envelope(
    ion: Ion | str,
    charges: Sequence[int],
    cations: Sequence[str] = ("Na", "H"),
    max_count: Mapping[str, int] | int | None = None,
    max_removed_protons: int | None = None,
    max_total_cations: int | None = None,
    mz_range: tuple[float, float] | None = None,
    max_ions: int = MAX_ENVELOPE_IONS,
) -> list[Ion]:
    """Every adduct variant of ``ion`` at each charge state, within limits.

    Parameters
    ----------
    ion : Ion or str
        Starting ion with its ligands in the bound form, e.g. ``"[Au44(p-MBA)26]2-"``.
    charges : sequence of int
        Target total charges [e], e.g. ``[-6, -7, -8]``.
    cations : sequence of str or str
        Cation kinds among :data:`CATION_KINDS` (``"Na, K, NH4, H"``); ``H`` allows H+
        attachment besides proton removal.
    max_count : mapping or int, optional
        Largest count of each cation kind (an int applies to all); default the
        number of acidic groups.
    max_removed_protons : int, optional
        Largest number of protons removed; default the number of acidic groups.
    max_total_cations : int, optional
        Largest sum of non-proton cations; default the number of acidic groups (with
        ``max_count`` given: no limit beyond it).
    mz_range : (float, float), optional
        Keep only variants whose monoisotopic m/z [Th] lies in this range.
    max_ions : int
        Refuse envelopes with more ions than this (default 5,000).

    Returns
    -------
    list of Ion
        Ordered by charge (as given), then by cation counts; each charge state's
        variants differ by ``n_c`` and ``h``.

    Raises
    ------
    ConfigError
        For no or zero charges, unknown cation kinds, negative limits, an envelope
        larger than ``max_ions``, or limits under which no charge is reachable.
    FormulaError
        If ``ion`` cannot be parsed.

    Examples
    --------
    >>> ions = adduct_envelope("[Au44(p-MBA)26]2-", [-6])
    >>> len(ions), str(ions[12])
    (23, '[Au44(p-MBA)26 + 12Na - 16H]6-')
    """
    base = ion if isinstance(ion, Ion) else Ion(ion)
    if isinstance(charges, int) or not charges:
        raise ConfigError(bad_value("charges", charges, "a list of charge states, e.g. [-6, -7]"))
    for z in charges:
        if isinstance(z, bool) or not isinstance(z, int) or z == 0:
            raise ConfigError(bad_value("charges", z, "non-zero integers"))
    kinds = _cation_names(cations)
    n_acid = acidic_groups(base)
    if max_count is None:
        maxima = dict.fromkeys(kinds, n_acid)
    elif isinstance(max_count, Mapping):
        unknown = set(max_count) - set(kinds)
        if unknown:
            raise ConfigError(
                bad_value("max_count", dict(max_count), f"keys among the cations {kinds}")
            )
        maxima = {c: _check_int(f"max_count[{c!r}]", max_count.get(c, n_acid)) for c in kinds}
    else:
        maxima = dict.fromkeys(kinds, _check_int("max_count", max_count))
    removed = n_acid if max_removed_protons is None else max_removed_protons
    removed = _check_int("max_removed_protons", removed)
    if max_total_cations is None:
        total = n_acid if max_count is None else sum(v for c, v in maxima.items() if c != "H")
    else:
        total = _check_int("max_total_cations", max_total_cations)
    max_ions = _check_int("max_ions", max_ions, 1)
    if mz_range is not None:
        lo, hi = (float(v) for v in mz_range)
        if not lo < hi:
            raise ConfigError(bad_value("mz_range", mz_range, "(low, high) with low < high [Th]"))
    others = [c for c in kinds if c != "H"]
    attach_h = maxima.get("H", 0)
    # h = z - q0 - sum(n) >= -removed bounds the cations: sum(n) <= z - q0 + removed
    total = min(total, max(z - base.charge + removed for z in charges))
    if total < 0:
        total = -1
    h_adduct = Adduct("H", "H", 1)
    adducts = {c: _adduct(c) for c in others}
    plan = []
    for z in charges if total >= 0 else ():
        for ns in _counts([min(maxima[c], total) for c in others], total):
            h = z - base.charge - sum(ns)
            if -removed <= h <= attach_h:
                plan.append((z, ns, h))
                if len(plan) > max_ions:
                    raise ConfigError(
                        f"the adduct envelope of {base} has more than max_ions = {max_ions} "
                        f"ions; narrow cations, max_count, charges or mz_range, or raise max_ions"
                    )
    if not plan:
        raise ConfigError(
            f"no adduct variant of {base} reaches the charges {list(charges)} with cations "
            f"{kinds}, max_count {maxima}, max_removed_protons {removed} (acidic groups: "
            f"{n_acid}); give larger limits"
        )
    from intercluster.ms.masses import mz

    out = []
    for z, ns, h in plan:
        parts = dict(base.adducts)
        for c, n in zip(others, ns):
            if n:
                parts[adducts[c]] = parts.get(adducts[c], 0) + n
        if h:
            parts[h_adduct] = parts.get(h_adduct, 0) + h
        parts = {a: n for a, n in parts.items() if n}
        try:
            new = Ion.from_parts(base.atoms, base.ligands, parts, z, base.subunits)
        except FormulaError:
            continue  # removes more H than the ion has
        if mz_range is not None and not lo <= mz(new) <= hi:
            continue
        out.append(new)
    return out


def _adduct(name: str) -> Adduct:
    probe = Ion(f"[Ag + {name}]+")
    (adduct,) = probe.adducts
    if adduct.charge != CATIONS.get(adduct.name, 0) or adduct.charge != 1:  # pragma: no cover
        raise ConfigError(bad_value("cations", name, "a singly charged cation"))
    return adduct


def adduct_candidates(ion: Ion | str, charges: Sequence[int], **limits) -> list[Candidate]:
    """:func:`adduct_envelope` as candidates (labelled by their formula) for assign/deconvolve.

    Examples
    --------
    >>> cands = adduct_candidates("[Au44(p-MBA)26]2-", [-6, -7, -8])
    >>> len(cands), cands[0].label
    (66, '[Au44(p-MBA)26 - 4H]6-')
    """
    return [Candidate(str(i), i) for i in adduct_envelope(ion, charges, **limits)]


def adduct_counts(ion: Ion | str) -> dict[str, int]:
    """Signed count of each adduct species of an ion (``{'Na': 12, 'H': -16}``)."""
    ion = ion if isinstance(ion, Ion) else Ion(ion)
    return {a.name: n for a, n in ion.adducts.items()}


def strongest_per_charge(ions: Sequence[Ion], abundance) -> dict[int, tuple[Ion, float]]:
    """For each charge, the variant with the largest abundance (e.g. from a deconvolution).

    Parameters
    ----------
    ions : sequence of Ion, length k
    abundance : array_like, shape (k,)
        Signal of each ion; NaN (outside the spectrum) is skipped.

    Returns
    -------
    dict
        charge -> (ion, abundance).
    """
    import math

    best: dict[int, tuple[Ion, float]] = {}
    if len(ions) != len(abundance):
        raise ConfigError(bad_value("abundance", f"length {len(abundance)}", f"{len(ions)}"))
    for ion, a in zip(ions, abundance):
        a = float(a)
        if math.isnan(a):
            continue
        if ion.charge not in best or a > best[ion.charge][1]:
            best[ion.charge] = (ion, a)
    return best
