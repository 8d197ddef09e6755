"""A general model description: families, complexes (K), rules, fragments, constants.

:class:`ClusterSystem` is the network layer's centre: which species exist
(free clusters of each family inside its window, complexes of up to K subunits
of the allowed complex types, fragments) and which rules generate reactions.
The single-family model of Neumaier et al., JACS 2021, 143, 6969
(:class:`~intercluster.network.ExchangeSystem`) is the special case
``ExchangeSystem.cluster_system()``.

Species order: free clusters (family by family, x ascending), then complexes by
size, complex type, total x and the ascending tuple of subunit compositions
(for dimers of one family: by total, then along the exchange chain, as the
specialised solver needs), then fragments.

Labels (DESIGN.md "Notation"): a free cluster is its ion text (``[Ag12Au13]-``,
``[PdAg24(DMBT)18]2-``), a complex isomer lists its subunit cores in brackets
with the ligands summed (``[(Ag13Au12)(Ag12Au13)]2-``), observables are sum
formulas (``[Ag25Au25]2-``, ``[Ag3Au72(SR)54]3-``). ``parse(label(x)) == x``.

TOML form (read by :class:`~intercluster.kinetics.config.SimulationConfig`)::

    [[family]]
    name = "M25"
    metal_a = "Ag"
    metal_b = "Au"
    n_atoms = 25
    charge = -1
    # ligands = "(DMBT)18"; fixed = "Pd"; x_min = 0; x_max = 25; pool = false

    [complexes]
    max_subunits = 3                      # K
    # types = [["M25", "M25"], ["M25", "M25", "M25"]]   (default: all, pools excluded)

    [[rules.association]]                 # default: (1,1) k_dim/k_diss, (2,1) k_tri/k_tri_diss
    sizes = [2, 1]
    constant = "k_tri"
    reverse = "k_tri_diss"

    [[rules.exchange]]                    # inside complexes; default constant k_ex
    [[rules.direct_exchange]]             # free cluster + free cluster (or a pool)
    [[rules.conversion]]                  # source, target, fragment, constant, reverse
    [[rules.pool_transfer]]               # source, target (N - 1), pool, constant, reverse

    [fragments]
    TPP = "(TPP)"

    [constants]                           # values of base constants not in the rate model
    k_tri = 1e-3
    k_tri_diss = 1e-1
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property

from intercluster.chem.formula import Ion
from intercluster.errors import ConfigError, FormulaError, NetworkSizeError, bad_value
from intercluster.network.complexes import Complex, Fragment, count_multisets
from intercluster.network.families import Family, check_keys
from intercluster.network.rules import (
    Association,
    ComplexExchange,
    Conversion,
    DirectExchange,
    PoolTransfer,
)

__all__ = ["MAX_SUBUNITS", "ClusterSystem", "default_rules"]

#: Largest complex size accepted at all (K); larger assemblies are not physical here.
MAX_SUBUNITS = 6

_RULE_TYPES = {
    "association": Association,
    "exchange": ComplexExchange,
    "direct_exchange": DirectExchange,
    "conversion": Conversion,
    "pool_transfer": PoolTransfer,
}


def default_rules(max_subunits: int) -> tuple:
    """Dimer formation (k_dim/k_diss), trimer formation (k_tri/k_tri_diss) up to K,
    exchange inside every complex with k_ex; for K = 1 direct exchange with k_ex."""
    if max_subunits == 1:
        return (DirectExchange(),)
    rules: list = [Association((1, 1), "k_dim", "k_diss")]
    if max_subunits >= 3:
        rules.append(Association((2, 1), "k_tri", "k_tri_diss"))
    for k in range(4, max_subunits + 1):
        rules.append(Association((k - 1, 1), f"k_assoc{k}", f"k_diss{k}"))
    rules.append(ComplexExchange())
    return tuple(rules)


class ClusterSystem:
    """Families, complexes of up to K subunits, rules and fragments.

    Parameters
    ----------
    families : sequence of Family
    max_subunits : int
        K: 1 free clusters only, 2 dimers, 3 trimers ...
    complex_types : sequence of sequences of family names, optional
        Which family combinations form complexes (size 2..K); default every
        combination of non-pool families.
    rules : sequence of rules, optional
        :class:`~intercluster.network.rules.Association`, ``ComplexExchange``,
        ``DirectExchange``, ``Conversion``; default :func:`default_rules`.
    fragments : mapping name -> ion text, optional
        Small species that conversions release (``{"TPP": "(TPP)"}``).
    constants : mapping name -> value, optional
        Values of base constants that the rate model does not define (``k_tri``).
    name : str, optional

    Raises
    ------
    ConfigError
        Unknown family in a complex type or rule, a complex larger than K, an
        association whose sizes exceed K, duplicate family names, a bad fragment.

    Examples
    --------
    >>> system = ClusterSystem([Family("M25", "Ag", "Au", 25)], max_subunits=3)
    >>> system.n_species, system.count_by_size()
    (3653, {1: 26, 2: 351, 3: 3276})
    >>> small = ClusterSystem([Family("M2", "Ag", "Au", 2, ligands="(SR)3")], max_subunits=3)
    >>> small.label(small.parse("[(Au2)(AgAu)(Ag2)(SR)9]3-"))
    '[(Ag2)(AgAu)(Au2)(SR)9]3-'
    """

    def __init__(
        self,
        families: Iterable[Family],
        max_subunits: int = 2,
        complex_types: Iterable[Iterable[str]] | None = None,
        rules: Iterable | None = None,
        fragments: Mapping[str, str] | None = None,
        constants: Mapping[str, float] | None = None,
        name: str = "",
        origin=None,
    ) -> None:
        families = tuple(families)
        if not families or not all(isinstance(f, Family) for f in families):
            raise ConfigError(bad_value("families", families, "one or more Family objects"))
        names = [f.name for f in families]
        dup = [n for n, c in Counter(names).items() if c > 1]
        if dup:
            raise ConfigError(bad_value("family.name", dup[0], "each family name once"))
        if (
            isinstance(max_subunits, bool)
            or not isinstance(max_subunits, int)
            or not 1 <= max_subunits <= MAX_SUBUNITS
        ):
            raise ConfigError(
                bad_value("complexes.max_subunits", max_subunits, f"an integer 1..{MAX_SUBUNITS}")
            )
        self.families = families
        self.max_subunits = max_subunits
        self.name = name
        self.origin = origin
        self.family_index = {n: i for i, n in enumerate(names)}
        seen: dict = {}
        for f in families:
            for x in f.window:
                other = seen.setdefault(f.ion(x), (f.name, x))
                if other != (f.name, x):
                    raise ConfigError(
                        bad_value(
                            f"family[{f.name!r}]",
                            f.label(x),
                            f"a cluster different from family {other[0]!r} (x = {other[1]}); "
                            "two families may not share an ion (give other ligands, charge "
                            "or fixed atoms)",
                        )
                    )
        self.complex_types = self._types(complex_types)
        self.fragments = self._fragments(fragments or {})
        self.rules = tuple(default_rules(max_subunits) if rules is None else rules)
        self.constants = self._constants(constants or {})
        self._check_rules()

    # ------------------------------------------------------------- validation
    def _family(self, name, where: str) -> int:
        try:
            return self.family_index[name]
        except (KeyError, TypeError):
            raise ConfigError(
                bad_value(where, name, f"a family of this model ({', '.join(self.family_index)})")
            ) from None

    def _types(self, complex_types) -> tuple[tuple[int, ...], ...]:
        K = self.max_subunits
        if complex_types is None:
            members = [i for i, f in enumerate(self.families) if not f.pool]
            out = []
            for k in range(2, K + 1):
                out.extend(itertools.combinations_with_replacement(members, k))
            return tuple(out)
        out = []
        if isinstance(complex_types, str):
            raise ConfigError(bad_value("complexes.types", complex_types, "a list of name lists"))
        for t in complex_types:
            if isinstance(t, str) or not isinstance(t, Iterable):
                raise ConfigError(bad_value("complexes.types", t, "a list of family names"))
            t = list(t)
            if len(t) > K:
                raise ConfigError(
                    bad_value(
                        "complexes.types",
                        t,
                        f"at most K = {K} subunits (complexes.max_subunits); raise K for larger",
                    )
                )
            if len(t) < 2:
                raise ConfigError(bad_value("complexes.types", t, "two or more family names"))
            key = tuple(sorted(self._family(n, "complexes.types") for n in t))
            if key not in out:
                out.append(key)
        return tuple(sorted(out, key=lambda k: (len(k), k)))

    def _fragments(self, fragments: Mapping[str, str]) -> tuple[tuple[str, Ion], ...]:
        if not isinstance(fragments, Mapping):
            raise ConfigError(bad_value("fragments", fragments, "a table name -> ion text"))
        out = []
        for name, text in fragments.items():
            if name in self.family_index:
                raise ConfigError(bad_value("fragments", name, "a name that is not a family"))
            try:
                ion = Ion(text) if isinstance(text, str) else None
            except FormulaError as exc:
                raise ConfigError(
                    bad_value(f"fragments.{name}", text, f"an ion such as '(TPP)' ({exc})")
                ) from None
            if ion is None:
                raise ConfigError(bad_value(f"fragments.{name}", text, "ion text such as '(TPP)'"))
            out.append((str(name), ion))
        return tuple(out)

    def _constants(self, constants: Mapping[str, float]) -> dict[str, float]:
        if not isinstance(constants, Mapping):
            raise ConfigError(bad_value("constants", constants, "a table name -> value"))
        out = {}
        for key, value in constants.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ConfigError(
                    bad_value(f"constants.{key}", value, "a finite rate constant >= 0")
                )
            out[str(key)] = float(value)
        return out

    def _check_rules(self) -> None:
        K = self.max_subunits
        for i, rule in enumerate(self.rules):
            where = f"rules[{i}]"
            if isinstance(rule, Association):
                if rule.size > K:
                    raise ConfigError(
                        bad_value(
                            f"{where}.sizes",
                            list(rule.sizes),
                            f"a complex of at most K = {K} subunits (complexes.max_subunits)",
                        )
                    )
                if rule.families is not None:
                    key = tuple(sorted(self._family(n, f"{where}.families") for n in rule.families))
                    if len(key) != rule.size:
                        raise ConfigError(
                            bad_value(
                                f"{where}.families",
                                list(rule.families),
                                f"{rule.size} family names (the complex it forms)",
                            )
                        )
                    if key not in self.complex_types:
                        raise ConfigError(
                            bad_value(
                                f"{where}.families",
                                list(rule.families),
                                "a complex type listed in complexes.types",
                            )
                        )
            elif isinstance(rule, DirectExchange):
                if rule.families is not None:
                    for n in rule.families:
                        self._family(n, f"{where}.families")
            elif isinstance(rule, Conversion):
                s = self.families[self._family(rule.source, f"{where}.source")]
                t = self.families[self._family(rule.target, f"{where}.target")]
                if rule.fragment is not None and rule.fragment not in dict(self.fragments):
                    raise ConfigError(
                        bad_value(
                            f"{where}.fragment",
                            rule.fragment,
                            "a fragment of this model "
                            f"({', '.join(dict(self.fragments)) or 'none'})",
                        )
                    )
                if s.metal_pair != t.metal_pair or s.n_atoms != t.n_atoms:
                    raise ConfigError(
                        bad_value(
                            f"{where}.target",
                            rule.target,
                            f"a family with the metals and N of {rule.source!r} "
                            f"({s.metal_a}/{s.metal_b}, N = {s.n_atoms}); a rule that changes N "
                            "would not conserve metal atoms",
                        )
                    )
                self._check_conversion(rule, s, t, where)
            elif isinstance(rule, PoolTransfer):
                s = self.families[self._family(rule.source, f"{where}.source")]
                t = self.families[self._family(rule.target, f"{where}.target")]
                p = self.families[self._family(rule.pool, f"{where}.pool")]
                if not (s.metal_pair == t.metal_pair == p.metal_pair):
                    raise ConfigError(
                        bad_value(
                            f"{where}.target",
                            rule.target,
                            f"families with the metals of {rule.source!r} "
                            f"({s.metal_a}/{s.metal_b}) for target and pool",
                        )
                    )
                if t.n_atoms != s.n_atoms - 1 or p.n_atoms != 1:
                    raise ConfigError(
                        bad_value(
                            f"{where}.target",
                            rule.target,
                            f"a family with N = {s.n_atoms - 1} and a pool with N = 1 (one "
                            "metal atom moves); otherwise metal atoms are not conserved",
                        )
                    )
                x = max(s.x_min, 1)
                msg = conservation_mismatch([s.ion(x)], [t.ion(x - 1), p.ion(1)])
                if msg:
                    raise ConfigError(
                        f"{where} ({rule.forward_name}): {s.ion(x)} -> {t.ion(x - 1)} + "
                        f"{p.ion(1)} does not conserve {msg}; every rule must conserve metal "
                        "atoms, ligands and charge"
                    )
            elif not isinstance(rule, ComplexExchange):
                raise ConfigError(
                    bad_value(
                        where, rule, "an Association, ComplexExchange, DirectExchange or Conversion"
                    )
                )

    def _check_conversion(self, rule: Conversion, s: Family, t: Family, where: str) -> None:
        x = max(s.x_min, t.x_min)
        left = s.ion(x)
        right = [t.ion(x)]
        if rule.fragment is not None:
            right.append(dict(self.fragments)[rule.fragment])
        msg = conservation_mismatch([left], right)
        if msg:
            raise ConfigError(
                f"{where} ({rule.forward_name}): {left} -> {' + '.join(map(str, right))} does not "
                f"conserve {msg}; every rule must conserve metal atoms, ligands and charge "
                "(give the fragment that carries the difference)"
            )

    # ------------------------------------------------------------------ counts
    def count_by_size(self) -> dict[int, int]:
        """Number of free clusters (1) and complexes of each size, counted without building."""
        out = {1: sum(f.n_compositions for f in self.families)}
        for t in self.complex_types:
            n = math.prod(
                count_multisets(self.families[f].n_compositions, k) for f, k in Counter(t).items()
            )
            out[len(t)] = out.get(len(t), 0) + n
        return out

    def count_formulas(self) -> list[tuple[str, int, str]]:
        """(what, count, formula) for each family and complex type, counted without building."""
        rows = []
        for f in self.families:
            w = f.n_compositions
            rows.append((f"{f.name} free clusters", w, f"x = {f.x_min}..{f.x_max}: {w}"))
        for t in self.complex_types:
            parts, total = [], 1
            for fi, k in Counter(t).items():
                w = self.families[fi].n_compositions
                n = count_multisets(w, k)
                total *= n
                parts.append(f"C({w} + {k} - 1, {k}) = {n}" if k > 1 else f"{w}")
            label = "+".join(self.families[i].name for i in t)
            rows.append((f"{len(t)}-complexes {label}", total, " x ".join(parts)))
        if self.fragments:
            rows.append(("fragments", len(self.fragments), ", ".join(n for n, _ in self.fragments)))
        return rows

    @property
    def n_species(self) -> int:
        return sum(self.count_by_size().values()) + len(self.fragments)

    def check_size(self, allow_large: bool = False, limit: int | None = None) -> None:
        """Refuse a model above ``limit`` species (counted, not built) unless ``allow_large``.

        Raises
        ------
        NetworkSizeError
        """
        from intercluster.network.system import MAX_SPECIES

        limit = MAX_SPECIES if limit is None else limit
        n = self.n_species
        if n > limit and not allow_large:
            sizes = ", ".join(f"{k}: {v:,}" for k, v in self.count_by_size().items())
            raise NetworkSizeError(
                f"model gives {n:,} species (by complex size {sizes}), above the limit of "
                f"{limit:,} species; pass allow_large=True (CLI: --allow-large) to build it anyway"
            )

    # ----------------------------------------------------------------- species
    def complexes_of_size(self, size: int) -> tuple[Complex, ...]:
        return self._by_size.get(size, ())

    @cached_property
    def _by_size(self) -> dict[int, tuple[Complex, ...]]:
        out: dict[int, tuple[Complex, ...]] = {}
        out[1] = tuple(Complex(((i, x),)) for i, f in enumerate(self.families) for x in f.window)
        for size in range(2, self.max_subunits + 1):
            items: list[Complex] = []
            # complex_types are sorted, so sorting inside each type sorts by
            # (type, total x, ascending subunit tuple)
            for t in (t for t in self.complex_types if len(t) == size):
                groups = []
                for fi, k in sorted(Counter(t).items()):
                    w = self.families[fi].window
                    groups.append(
                        [
                            tuple((fi, x) for x in combo)
                            for combo in itertools.combinations_with_replacement(w, k)
                        ]
                    )
                keyed = []
                for combo in itertools.product(*groups):
                    sub = tuple(sorted(s for g in combo for s in g))
                    keyed.append((sum(x for _, x in sub), sub))
                keyed.sort()
                items.extend(Complex(sub) for _, sub in keyed)
            out[size] = tuple(items)
        return out

    @cached_property
    def species(self) -> tuple[Complex | Fragment, ...]:
        out: list = []
        for size in range(1, self.max_subunits + 1):
            out.extend(self.complexes_of_size(size))
        out.extend(Fragment(i) for i in range(len(self.fragments)))
        return tuple(out)

    @cached_property
    def species_index(self) -> dict:
        return {s: i for i, s in enumerate(self.species)}

    def fragment(self, name: str) -> Fragment:
        return Fragment([n for n, _ in self.fragments].index(name))

    def ion(self, item: Complex | Fragment) -> Ion:
        """The chem Ion of a species (complex isomer: subunits in brackets)."""
        if isinstance(item, Fragment):
            return self.fragments[item.index][1]
        fams = self.families
        if item.size == 1:
            f, x = item.subunits[0]
            return fams[f].ion(x)
        ligands: dict = {}
        for f, _ in item.subunits:
            for lig, n in fams[f].ligand_counts.items():
                ligands[lig] = ligands.get(lig, 0) + n
        shown = sorted(item.subunits, key=lambda s: (s[0], -s[1]))
        return Ion.from_parts(
            ligands=ligands,
            charge=sum(fams[f].charge for f, _ in item.subunits),
            subunits=[fams[f].core_atoms(x) for f, x in shown],
        )

    def sum_ion(self, item: Complex | Fragment) -> Ion:
        """The sum formula a mass spectrometer sees (``[Ag25Au25]2-``)."""
        if isinstance(item, Fragment) or item.size == 1:
            return self.ion(item)
        atoms: dict[str, int] = {}
        ligands: dict = {}
        fams = self.families
        for f, x in item.subunits:
            for key, n in fams[f].core_atoms(x).items():
                atoms[key] = atoms.get(key, 0) + n
            for lig, n in fams[f].ligand_counts.items():
                ligands[lig] = ligands.get(lig, 0) + n
        # metals A then B as in the papers ([Ag25Au25]2-), fixed atoms first
        order = []
        for f, _ in item.subunits:
            fam = fams[f]
            for key in [k for k, _ in fam._fixed_atoms] + [fam.metal_a, fam.metal_b]:
                if key in atoms and key not in order:
                    order.append(key)
        return Ion.from_parts(
            {k: atoms[k] for k in order},
            ligands,
            charge=sum(fams[f].charge for f, _ in item.subunits),
        )

    @cached_property
    def ions(self) -> tuple[Ion, ...]:
        return tuple(self.ion(s) for s in self.species)

    def label(self, item) -> str:
        if isinstance(item, Ion):
            return item.format()
        return self.ion(item).format()

    @cached_property
    def species_labels(self) -> tuple[str, ...]:
        return tuple(ion.format() for ion in self.ions)

    @cached_property
    def _by_ion(self) -> dict[Ion, int]:
        out: dict[Ion, int] = {}
        for i, ion in enumerate(self.ions):
            if ion in out:
                j = out[ion]
                raise ConfigError(
                    f"species {self.species[i]} and {self.species[j]} are the same ion "
                    f"{ion.format()}; give the families different ligands or metals"
                )
            out[ion] = i
        return out

    # ------------------------------------------------------------- observables
    @cached_property
    def _observables(self) -> tuple[tuple[Ion, ...], tuple[int, ...]]:
        seen: dict[Ion, int] = {}
        of_species = []
        for s in self.species:
            ion = self.sum_ion(s)
            if ion.charge == 0:
                of_species.append(-1)
                continue
            if ion not in seen:
                seen[ion] = len(seen)
            of_species.append(seen[ion])
        return tuple(seen), tuple(of_species)

    @property
    def observables(self) -> tuple[Ion, ...]:
        """Sum formulas (charged species only: neutral fragments give no MS signal)."""
        return self._observables[0]

    @property
    def observable_of_species(self) -> tuple[int, ...]:
        """Observable index of every species (-1 for neutral species)."""
        return self._observables[1]

    @cached_property
    def observable_labels(self) -> tuple[str, ...]:
        return tuple(o.format() for o in self.observables)

    @property
    def n_observables(self) -> int:
        return len(self.observables)

    # ----------------------------------------------------------------- parsing
    def parse(self, label: str | Ion) -> Complex | Fragment:
        """The species with this label (any equivalent ion text).

        Raises
        ------
        FormulaError
            If it is not a species of this model; for a free cluster of a family
            outside its window, the message names the window.
        """
        ion = label if isinstance(label, Ion) else None
        if ion is None:
            text = str(label).strip()
            for name, _ in self.fragments:
                if text == name:
                    return Fragment(self.fragment(name).index)
            ion = Ion(text)
        i = self._by_ion.get(ion)
        if i is not None:
            return self.species[i]
        for f in self.families:
            x = f.locate(ion)
            if x is not None:
                raise FormulaError(
                    f"{label!r} is family {f.name} with x = {x}, outside its window "
                    f"x_min..x_max = {f.x_min}..{f.x_max}"
                )
        examples = ", ".join(self.species_labels[:2])
        raise FormulaError(
            f"{label!r} is not a species of this model (species are free clusters such as "
            f"{examples}, complexes up to K = {self.max_subunits} and fragments)"
        )

    def index(self, item) -> int:
        """Position of a species (object or label) in :attr:`species`."""
        if isinstance(item, Complex | Fragment):
            try:
                return self.species_index[item]
            except KeyError:
                raise FormulaError(f"{item} is not a species of this model") from None
        return self.species_index[self.parse(item)]

    def bare_label(self, name: str) -> str:
        """Full label of a bare core formula (``Ag25`` -> ``[Ag25]-``), for mixtures."""
        try:
            target = Ion(name)
        except FormulaError:
            return name
        hits = []
        for f in self.families:
            for x in range(f.n_atoms + 1):
                if Ion.from_parts(f.core_atoms(x)) == target:
                    hits.append(f.label(x))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise FormulaError(
                f"{name!r} is a cluster of several families ({', '.join(hits)}); "
                "write the full label"
            )
        return name

    # ------------------------------------------------------------ rule helpers
    def association_types(self, rule: Association) -> set[tuple[int, ...]]:
        if rule.families is not None:
            return {tuple(sorted(self.family_index[n] for n in rule.families))}
        return {t for t in self.complex_types if len(t) == rule.size}

    def direct_families(self, rule: DirectExchange) -> set[int]:
        if rule.families is None:
            return {i for i, f in enumerate(self.families) if not f.pool}
        return {self.family_index[n] for n in rule.families}

    def direct_pairs(self, rule: DirectExchange) -> set[tuple[int, int]]:
        if rule.families is not None:
            a, b = (self.family_index[n] for n in rule.families)
            return {(min(a, b), max(a, b))}
        fam = sorted(self.direct_families(rule))
        return {
            (i, j)
            for i, j in itertools.combinations_with_replacement(fam, 2)
            if self.families[i].metal_pair == self.families[j].metal_pair
        }

    def factor_view(self, family: int):
        """The object the rate model's factor functions receive for a family (the
        original ExchangeSystem for the single-family model, else the Family)."""
        return self.origin if self.origin is not None else self.families[family]

    @property
    def constant_names(self) -> tuple[str, ...]:
        names = []
        for rule in self.rules:
            for attr in ("constant", "reverse"):
                v = getattr(rule, attr, None)
                if v is not None and v not in names:
                    names.append(v)
        return tuple(names)

    # ------------------------------------------------------------------- dicts
    def to_dict(self) -> dict:
        """The TOML structure of this model (what :meth:`from_dict` reads)."""
        out: dict = {"family": [f.to_dict() for f in self.families]}
        out["complexes"] = {
            "max_subunits": self.max_subunits,
            "types": [[self.families[i].name for i in t] for t in self.complex_types],
        }
        rules: dict[str, list] = {}
        for rule in self.rules:
            key = next(k for k, cls in _RULE_TYPES.items() if isinstance(rule, cls))
            d = {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in rule.__dict__.items()
                if v is not None
            }
            rules.setdefault(key, []).append(d)
        out["rules"] = rules
        if self.fragments:
            out["fragments"] = {n: ion.format() for n, ion in self.fragments}
        if self.constants:
            out["constants"] = dict(self.constants)
        return out

    @classmethod
    def from_dict(cls, data: Mapping, source: str = "<dict>") -> ClusterSystem:
        """Read the sections ``family``, ``complexes``, ``rules``, ``fragments``, ``constants``.

        Raises
        ------
        ConfigError
            Unknown keys (with a suggestion), unknown families, complexes larger than K,
            rules that do not conserve metal atoms, ligands or charge.
        """
        fam_t = data.get("family", [])
        if isinstance(fam_t, dict):
            fam_t = [fam_t]
        if not isinstance(fam_t, list) or not fam_t:
            raise ConfigError(f"{source}: [[family]] must be one or more tables")
        families = [
            Family.from_dict(t, f"{source} [[family]] #{i + 1}") for i, t in enumerate(fam_t)
        ]
        comp_t = data.get("complexes", {})
        if not isinstance(comp_t, dict):
            raise ConfigError(f"{source}: [complexes] must be a table")
        check_keys(comp_t, {"max_subunits", "types"}, f"{source} [complexes]")
        K = comp_t.get("max_subunits", 2)
        rules_t = data.get("rules")
        rules = None
        if rules_t is not None:
            if not isinstance(rules_t, dict):
                raise ConfigError(f"{source}: [rules] must be a table")
            check_keys(rules_t, set(_RULE_TYPES), f"{source} [rules]")
            rules = []
            for key, rule_cls in _RULE_TYPES.items():
                items = rules_t.get(key, [])
                if isinstance(items, dict):
                    items = [items]
                if not isinstance(items, list):
                    raise ConfigError(bad_value(f"rules.{key}", items, f"tables [[rules.{key}]]"))
                for j, item in enumerate(items):
                    where = f"{source} [[rules.{key}]] #{j + 1}"
                    if not isinstance(item, dict):
                        raise ConfigError(f"{where}: must be a table")
                    allowed = set(rule_cls.__dataclass_fields__)
                    check_keys(item, allowed, where)
                    try:
                        rules.append(rule_cls(**item))
                    except TypeError as exc:
                        raise ConfigError(f"{where}: {exc}") from None
        return cls(
            families,
            max_subunits=K,
            complex_types=comp_t.get("types"),
            rules=rules,
            fragments=data.get("fragments"),
            constants=data.get("constants"),
            name=source,
        )

    def __repr__(self) -> str:
        fams = ", ".join(f.name for f in self.families)
        return f"<ClusterSystem {fams}, K = {self.max_subunits}: {self.n_species:,} species>"


def conservation_keys(ions: Iterable[Ion]) -> list[str]:
    """Rows of the conservation matrix: every core atom, every ligand, the charge."""
    atoms, ligands = [], []
    for ion in ions:
        for key in ion.core_atoms:
            if key not in atoms:
                atoms.append(key)
        for lig in ion.ligands:
            if lig.name not in ligands:
                ligands.append(lig.name)
        for add in ion.adducts:
            if "+" + add.name not in atoms:
                atoms.append("+" + add.name)
    return atoms + [f"({n})" for n in ligands] + ["charge"]


def conserved_vector(ion: Ion, keys: list[str]):
    """The amounts of every conserved quantity in ``ion`` (order of ``keys``)."""
    vals = dict.fromkeys(keys, 0)
    for key, n in ion.core_atoms.items():
        vals[key] += n
    for lig, n in ion.ligands.items():
        vals[f"({lig.name})"] += n
    for add, n in ion.adducts.items():
        vals["+" + add.name] += n
    vals["charge"] += ion.charge
    return [vals[k] for k in keys]


def conservation_mismatch(left: list[Ion], right: list[Ion]) -> str:
    """'' if both sides carry the same atoms, ligands and charge, else what differs."""
    keys = conservation_keys(left + right)
    total = [0] * len(keys)
    for ion in left:
        total = [t + v for t, v in zip(total, conserved_vector(ion, keys))]
    for ion in right:
        total = [t - v for t, v in zip(total, conserved_vector(ion, keys))]
    bad = [f"{k} ({t:+d})" for k, t in zip(keys, total) if t]
    return ", ".join(bad)


_RULE_FORMULAS = {
    0: "one per complex and distinct split into the two partners",
    1: "one per complex and distinct split (the reverse of the association)",
    2: "one per complex (or pair of free clusters) and ordered (donor, acceptor) subunit "
    "types, product inside the windows, null reactions dropped",
    3: "one per species holding a subunit of the source family, target inside its window",
    4: "the reverse of the conversion",
}


def describe_counts(network) -> list[str]:
    """Lines that ``intercluster network`` prints for a general model: families, species
    per family and complex size with the formulas behind each count, reactions per
    rule channel (split by complex size) and per kind, observables.

    The counts come from :meth:`ClusterSystem.count_formulas` (counted without
    building) and from the built network's reactions.
    """
    import numpy as np

    from intercluster.network.rules import GENERAL_KIND_NAMES

    cs = network.cluster_system
    model = network.model
    lines = [f"model {model.name}: {model.description}"]
    for f in cs.families:
        extra = f", fixed {f.fixed}" if f.fixed else ""
        shell = f", ligands {f.ligands}" if f.ligands else ""
        pool = " (pool)" if f.pool else ""
        lines.append(
            f"family {f.name}{pool}: {f.metal_a}/{f.metal_b}, N = {f.n_atoms}{extra}{shell}, "
            f"charge {f.charge:+d}, window x = {f.x_min}..{f.x_max}"
        )
    lines.append(f"complexes of up to K = {cs.max_subunits} subunits")
    lines.append("species:")
    for what, n, formula in cs.count_formulas():
        lines.append(f"  {what:<34} {n:>9,}   {formula}")
    lines.append(f"  {'species':<34} {network.n_species:>9,}")
    lines.append("reactions per rule:")
    r = network.reactions
    size = np.zeros(len(r), dtype=np.int64)
    sizes = np.array([getattr(s, "size", 0) for s in cs.species] + [0])
    size = np.maximum(sizes[r.reactants[:, 0]], sizes[r.products[:, 0]])
    for j, ch in enumerate(network.channels):
        mask = r.channel == j
        n = int(mask.sum())
        by_size = ", ".join(
            f"{int((mask & (size == k)).sum()):,} in {k}-complexes"
            for k in range(2, cs.max_subunits + 1)
            if (mask & (size == k)).any() and ch.kind in (2, 3, 4)
        )
        detail = f" ({by_size})" if by_size else ""
        lines.append(
            f"  {ch.name:<34} {n:>9,}   {ch.constant} [{ch.unit}]{detail}: "
            f"{_RULE_FORMULAS.get(ch.kind, '')}"
        )
    lines.append("reactions per family (a reactant holds a subunit of it):")
    fam_of = [set(f for f, _ in getattr(s, "subunits", ())) for s in cs.species] + [set()]
    for i, f in enumerate(cs.families):
        n = sum(1 for r1, r2 in r.reactants.tolist() if i in fam_of[r1] or i in fam_of[r2])
        lines.append(f"  {f.name:<34} {n:>9,}")
    lines.append("reactions per kind:")
    for k, name in enumerate(GENERAL_KIND_NAMES):
        n = int(np.sum(r.kind == k))
        if n:
            lines.append(f"  {name:<34} {n:>9,}")
    lines.append(f"  {'reactions':<34} {network.n_reactions:>9,}")
    lines.append(
        f"  {'observables':<34} {len(cs.observable_labels):>9,}   sum formulas per family, "
        "ligand shell and charge (all isomers of one sum formula together)"
    )
    return lines
