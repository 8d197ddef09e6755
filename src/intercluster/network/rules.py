"""Reaction rules: templates that generate the reactions of a network.

Each rule has a base constant (a name such as ``k_dim``), a model factor (a
function of the subunit compositions, from the :class:`~intercluster.network.RateModel`)
and a statistical factor derived generically by counting ordered subunit tuples
(:mod:`intercluster.network.complexes`), never typed in per case.

Rules (Neumaier et al., JACS 2021, 143, 6969, Scheme 1 and "Kinetic Model",
generalised to several families and to trimers):

- :class:`Association` X + Y -> C (sizes p + q <= K; default monomer + monomer ->
  dimer with ``k_dim``, dimer + monomer -> trimer with ``k_tri``) and its reverse
  dissociation (``k_diss``, ``k_tri_diss``);
- :class:`ComplexExchange`: one A atom from one subunit of a complex to another,
  one B atom back (``k_ex``, also across families that share the metal pair);
- :class:`DirectExchange`: the same between two free clusters (the "direct"
  mechanism of Zhong et al., Dalton Trans. 2021, 50, 4727), and, with a pool
  family, between a cluster and a small metal-ligand complex such as [Au(SR)2]-
  (clusters give atoms to and take atoms from the pool);
- :class:`PoolTransfer`: a free cluster gives one metal atom to a pool of small
  metal-ligand complexes (becoming a family with N - 1 sites) or takes one back;
- :class:`Conversion`: a free cluster (or, with ``in_complexes``, a subunit of a
  complex) changes family (framework change: ligand count and charge change,
  the fragment carries what is released, e.g. the loss of triphenylphosphine),
  with an optional reverse (recombination with the fragment).

For one family with dimers these give Neumaier's statistical factors: homodimer
formation at k_dim/2 in d[D]/dt, exchange out of a homo-composition dimer {m, m}
counted for both subunits (factor 2), {m + 1, m} -> {m, m + 1} dropped (null).
With them the network obeys detailed balance: at equilibrium dimers are a random
pairing of monomers, [D_mn] = (k_dim/k_diss)[M_m][M_n](1 - delta_mn/2)
(for sim1/sim2), and in sim2 the monomers are exactly binomial.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.network.complexes import (
    Complex,
    dissociation_factor,
    exchange_factor,
)

__all__ = [
    "ASSOCIATION",
    "CONVERSION",
    "DIMERIZATION",
    "DISSOCIATION",
    "EXCHANGE",
    "GENERAL_KIND_NAMES",
    "KIND_NAMES",
    "RECOMBINATION",
    "Association",
    "Channel",
    "ComplexExchange",
    "Conversion",
    "DirectExchange",
    "PoolTransfer",
    "ReactionSet",
    "dimer_rules",
    "direct_rules",
    "generate_reactions",
    "rules_for",
]

DIMERIZATION, DISSOCIATION, EXCHANGE, CONVERSION, RECOMBINATION = 0, 1, 2, 3, 4
#: Association is the general name of kind 0 (dimerization for monomer + monomer).
ASSOCIATION = DIMERIZATION
KIND_NAMES = ("dimerization", "dissociation", "exchange", "conversion", "recombination")
#: Kind names for general models (kind 0 is any association, not only dimerization).
GENERAL_KIND_NAMES = ("association", "dissociation", "exchange", "conversion", "recombination")
#: Base constant of each kind of reaction in the single-family model.
KIND_PARAMETER = ("k_dim", "k_diss", "k_ex")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (a cache key)
class ReactionSet:
    """Reactions as arrays, one row per reaction (shape ``(n_reactions,)`` unless stated).

    Attributes
    ----------
    kind : int8 array
        0 association (dimerization), 1 dissociation, 2 exchange, 3 conversion,
        4 recombination.
    reactants, products : int64 arrays, shape (n_reactions, 2)
        Species indices; -1 where a reaction has a single reactant or product.
        A homodimer formation lists M_m twice.
    a, b : int64 arrays
        The subunit compositions the model factor is evaluated at: (m, n) for
        monomer + monomer association and dimer dissociation, (donor, acceptor)
        for exchange; -1 where a reaction has no such pair (e.g. trimer formation).
    statistical_factor : float array
        Derived by counting ordered subunit tuples
        (:mod:`intercluster.network.complexes`).
    channel : int array, optional
        Index of the rule channel (:class:`Channel`) that generated each reaction;
        None for hand-made sets, which use the base constant of their kind.
    """

    kind: np.ndarray
    reactants: np.ndarray
    products: np.ndarray
    a: np.ndarray
    b: np.ndarray
    statistical_factor: np.ndarray
    channel: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.kind)


# ---------------------------------------------------------------------- rules
def _name_list(value, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ConfigError(bad_value(where, value, "a list of family names"))
    return tuple(value)


def _constant(value, where: str) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ConfigError(bad_value(where, value, "a constant name such as 'k_dim'"))
    return value


@dataclass(frozen=True)
class Association:
    """X + Y -> C with ``constant``, and C -> X + Y with ``reverse`` (None: irreversible).

    Parameters
    ----------
    sizes : (int, int)
        Subunit numbers of the two partners, larger first: (1, 1) dimer formation,
        (2, 1) trimer formation from dimer + monomer.
    constant, reverse : str
        Base constants [L nmol^-1 s^-1] and [s^-1].
    families : list of str, optional
        Family names of the complexes this rule forms (one complex type, e.g.
        ``["Ag29", "PdM24"]``); default every allowed complex type of that size.
    name : str, optional
        Channel name; default ``dimerization``/``trimer formation``.
    """

    sizes: tuple[int, int] = (1, 1)
    constant: str = "k_dim"
    reverse: str | None = "k_diss"
    families: tuple[str, ...] | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes) if not isinstance(self.sizes, str) else ()
        if len(sizes) != 2 or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes
        ):
            raise ConfigError(bad_value("association.sizes", self.sizes, "two integers >= 1"))
        object.__setattr__(self, "sizes", (max(sizes), min(sizes)))
        _constant(self.constant, "association.constant")
        if self.reverse is not None:
            _constant(self.reverse, "association.reverse")
        object.__setattr__(self, "families", _name_list(self.families, "association.families"))

    @property
    def size(self) -> int:
        return sum(self.sizes)

    @property
    def forward_name(self) -> str:
        if self.name:
            return self.name
        return {2: "dimerization", 3: "trimer formation"}.get(
            self.size, f"association {self.sizes[0]}+{self.sizes[1]}"
        )

    @property
    def reverse_name(self) -> str:
        if self.name:
            return self.name + " reverse"
        if self.sizes == (1, 1):
            return "dissociation"
        return {3: "trimer dissociation"}.get(
            self.size, f"dissociation {self.sizes[0]}+{self.sizes[1]}"
        )


@dataclass(frozen=True)
class ComplexExchange:
    """One A atom from a subunit of a complex to another, one B atom back (``k_ex`` [s^-1]).

    Parameters
    ----------
    constant : str
    sizes : list of int, optional
        Complex sizes this rule acts in (default all >= 2).
    across_families : bool
        Also between subunits of different families that share the metal pair.
    name : str
    """

    constant: str = "k_ex"
    sizes: tuple[int, ...] | None = None
    across_families: bool = True
    name: str = "exchange"

    def __post_init__(self) -> None:
        _constant(self.constant, "exchange.constant")
        if self.sizes is not None:
            sizes = tuple(self.sizes)
            if any(isinstance(s, bool) or not isinstance(s, int) or s < 2 for s in sizes):
                raise ConfigError(bad_value("exchange.sizes", self.sizes, "integers >= 2"))
            object.__setattr__(self, "sizes", sizes)


@dataclass(frozen=True)
class DirectExchange:
    """M_x + M_y -> M_(x-1) + M_(y+1) between free clusters (``constant`` [L nmol^-1 s^-1]).

    Parameters
    ----------
    constant : str
    families : (str, str), optional
        The two families that meet (default: every pair of non-pool families that
        share the metal pair, each family with itself included). With a pool family
        this is the exchange of atoms with the pool of small metal-ligand complexes.
    name : str
    """

    constant: str = "k_ex"
    families: tuple[str, str] | None = None
    name: str = "direct exchange"

    def __post_init__(self) -> None:
        _constant(self.constant, "direct_exchange.constant")
        fams = _name_list(self.families, "direct_exchange.families")
        if fams is not None and len(fams) != 2:
            raise ConfigError(bad_value("direct_exchange.families", self.families, "two names"))
        object.__setattr__(self, "families", fams)


@dataclass(frozen=True)
class Conversion:
    """Family ``source`` -> family ``target`` (+ ``fragment``), x unchanged.

    A framework change (Lin et al., Chem. Sci. 2022: [Au_xAg_(44-x)(SR)30]4- ->
    [Au_xAg_(44-x)(SR)27]3- ...) or the loss of a fragment in solution (the TPP
    of [Ag29(BDT)12(TPP)4]3-, Acharya et al. 2025). The fragment carries whatever
    the target lacks: metal atoms, ligands and charge are conserved, or building
    the network fails naming this rule. Compositions outside the target's window
    do not convert (windows are respected).

    Parameters
    ----------
    source, target : str
        Family names (same metal pair and N).
    fragment : str, optional
        Name of a fragment of the model (``fragments`` table), released forward.
    constant : str
        Base constant [s^-1].
    reverse : str, optional
        Base constant of target (+ fragment) -> source [L nmol^-1 s^-1 with a fragment].
    in_complexes : bool
        Also for subunits inside complexes (the loss from a cluster or complex).
    name : str, optional
    """

    source: str
    target: str
    fragment: str | None = None
    constant: str = "k_conv"
    reverse: str | None = None
    in_complexes: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        for attr in ("source", "target"):
            if not isinstance(getattr(self, attr), str):
                raise ConfigError(bad_value(f"conversion.{attr}", getattr(self, attr), "a name"))
        if self.fragment is not None and not isinstance(self.fragment, str):
            raise ConfigError(
                bad_value(
                    "conversion.fragment",
                    self.fragment,
                    "one fragment name (chain rules for several fragments)",
                )
            )
        _constant(self.constant, "conversion.constant")
        if self.reverse is not None:
            _constant(self.reverse, "conversion.reverse")
        if not isinstance(self.in_complexes, bool):
            raise ConfigError(bad_value("conversion.in_complexes", self.in_complexes, "a bool"))

    @property
    def forward_name(self) -> str:
        return self.name or f"conversion {self.source} -> {self.target}"

    @property
    def reverse_name(self) -> str:
        return (
            (self.name + " reverse") if self.name else f"conversion {self.target} -> {self.source}"
        )


@dataclass(frozen=True)
class PoolTransfer:
    """A free cluster gives one metal atom to the pool, or takes one from it.

    (F, x) -> (G, x - 1) + [A-complex of the pool]  (an A atom leaves; factor x)
    (F, x) -> (G, x) + [B-complex of the pool]      (a B atom leaves; factor N - x)

    and, with ``reverse``, the uptake G + pool complex -> F (factor 1). The factors
    count the atoms of that metal that can leave (labelled positions), so with
    composition-independent constants the clusters of F and G and the pool stay
    binomial at equilibrium. Partial decomposition into small complexes such as
    [Au(SR)2]- and reconstruction (Lin et al., Chem. Sci. 2022) is a chain of such
    steps through intermediate families. Family energies give the model factor
    exp(-dE/2RT) (dE = E_G + E_pool - E_F).

    Parameters
    ----------
    source, target : str
        Families with N and N - 1 variable sites of the same two metals.
    pool : str
        A pool family (N = 1, same metals); ligands and charge of target + pool
        complex must equal the source's (checked when the network is built).
    constant : str
        Release [s^-1].
    reverse : str, optional
        Uptake [L nmol^-1 s^-1].
    name : str, optional
    """

    source: str
    target: str
    pool: str
    constant: str = "k_release"
    reverse: str | None = "k_uptake"
    name: str | None = None

    def __post_init__(self) -> None:
        for attr in ("source", "target", "pool"):
            if not isinstance(getattr(self, attr), str):
                raise ConfigError(bad_value(f"pool_transfer.{attr}", getattr(self, attr), "a name"))
        _constant(self.constant, "pool_transfer.constant")
        if self.reverse is not None:
            _constant(self.reverse, "pool_transfer.reverse")

    @property
    def forward_name(self) -> str:
        return self.name or f"release {self.source} -> {self.target} + {self.pool}"

    @property
    def reverse_name(self) -> str:
        return (self.name + " reverse") if self.name else f"uptake {self.target} + {self.pool}"


@dataclass(frozen=True)
class Channel:
    """One generated direction of a rule: its name, kind and base constant."""

    name: str
    kind: int
    constant: str
    rule: object = field(compare=False)
    bimolecular: bool = False

    @property
    def unit(self) -> str:
        return "L nmol^-1 s^-1" if self.bimolecular else "s^-1"


@dataclass
class FactorPlan:
    """What the model factor of each reaction is made of.

    ``pairs[kind]`` lists (reaction, family_1, x_1, family_2, x_2, weight): the
    reaction's factor is the weighted sum of the model's pair factor of that kind
    (dimerization, dissociation, exchange) over its entries. ``fixed`` holds
    factors known at generation (conversions: exp(-dG/2RT) from family energies,
    as log-factors in units of RT, with their RT-independent sign).
    """

    pairs: dict[int, list] = field(default_factory=dict)
    energy: list = field(default_factory=list)  # (reaction, delta_energy_kJ_mol)


# ------------------------------------------------------------------ generator
class _Builder:
    def __init__(self, system) -> None:
        self.system = system
        self.index = system.species_index
        self.rows: list[tuple] = []  # kind, r1, r2, p1, p2, a, b, channel
        self.stat: list[float] = []
        self.channels: list[Channel] = []
        self.plan = FactorPlan({DIMERIZATION: [], DISSOCIATION: [], EXCHANGE: []}, [])

    def channel(self, name, kind, constant, rule, bimolecular) -> int:
        self.channels.append(Channel(name, kind, constant, rule, bimolecular))
        return len(self.channels) - 1

    def add(self, chan, kind, reactants, products, a, b, stat) -> int:
        self.rows.append((kind, reactants[0], reactants[1], products[0], products[1], a, b, chan))
        self.stat.append(stat)
        return len(self.rows) - 1

    def pair_plan(self, rxn, kind, x, y) -> None:
        """Model factor = mean over cross pairs of subunits of X and Y."""
        entries = self.plan.pairs[kind]
        if len(x) == 1 and len(y) == 1:
            entries.append((rxn, x[0][0], x[0][1], y[0][0], y[0][1], 1.0))
            return
        w = 1.0 / (len(x) * len(y))
        for (f1, x1), (f2, x2) in itertools.product(x, y):
            entries.append((rxn, f1, x1, f2, x2, w))

    def result(self) -> ReactionSet:
        n = len(self.rows)
        arr = np.array(self.rows, dtype=np.int64).reshape(n, 8)
        return ReactionSet(
            kind=arr[:, 0].astype(np.int8),
            reactants=np.ascontiguousarray(arr[:, 1:3]),
            products=np.ascontiguousarray(arr[:, 3:5]),
            a=np.ascontiguousarray(arr[:, 5]),
            b=np.ascontiguousarray(arr[:, 6]),
            statistical_factor=np.array(self.stat, float).reshape(n),
            channel=np.ascontiguousarray(arr[:, 7]),
        )


def _sub_multisets(c: Complex, size: int) -> list[tuple]:
    if size == 1 and len(c) == 2:
        return [(c[1],), (c[0],)] if c[0] != c[1] else [(c[0],)]
    if size == 1:
        return sorted({(s,) for s in c}, reverse=True)
    return sorted(set(itertools.combinations(c, size)), reverse=True)


def _associations(bld: _Builder, rule: Association, reverse: bool) -> None:
    system = bld.system
    index = bld.index
    p, q = rule.sizes
    kind = DISSOCIATION if reverse else DIMERIZATION
    if reverse and rule.reverse is None:
        return
    name = rule.reverse_name if reverse else rule.forward_name
    chan = bld.channel(name, kind, rule.reverse if reverse else rule.constant, rule, not reverse)
    allowed = system.association_types(rule)
    check_type = allowed != {t for t in system.complex_types if len(t) == rule.size}
    for c in system.complexes_of_size(rule.size):
        if check_type and c.families not in allowed:
            continue
        ic = index[c]
        for x in _sub_multisets(c, p):
            if p == 1:
                k = c.index(x[0])
                y = c[:k] + c[k + 1 :]
            else:
                y = Complex(c).minus(x)
            ix, iy = index.get(x), index.get(y)
            if ix is None or iy is None:
                continue
            if p == q and ix < iy:
                continue
            a = x[0][1] if p == 1 else -1
            b = y[0][1] if q == 1 else -1
            if reverse:
                stat = 1.0 if p + q == 2 else dissociation_factor(c, Complex(x), Complex(y))
                rxn = bld.add(chan, kind, (ic, -1), (ix, iy), a, b, stat)
            else:
                rxn = bld.add(chan, kind, (ix, iy), (ic, -1), a, b, 0.5 if ix == iy else 1.0)
            bld.pair_plan(rxn, kind, x, y)


def _exchange_product(info, c: Complex, donor, acceptor) -> tuple | None:
    (fd, xd), (fa, xa) = donor, acceptor
    if fd != fa and info[fd][2] != info[fa][2]:
        return None
    if xd - 1 < info[fd][0] or xa + 1 > info[fa][1]:
        return None
    items = list(c)
    items.remove(donor)
    items.remove(acceptor)
    items.append((fd, xd - 1))
    items.append((fa, xa + 1))
    product = tuple(sorted(items))
    return None if product == c else product


def _complex_exchanges(bld: _Builder, rule: ComplexExchange) -> None:
    system = bld.system
    index = bld.index
    chan = bld.channel(rule.name, EXCHANGE, rule.constant, rule, False)
    info = [(f.x_min, f.x_max, f.metal_pair) for f in system.families]
    entries = bld.plan.pairs[EXCHANGE]
    for size in range(2, system.max_subunits + 1):
        if rule.sizes is not None and size not in rule.sizes:
            continue
        for c in system.complexes_of_size(size):
            if len(c) == 2:
                types = [c[1], c[0]] if c[0] != c[1] else [c[0]]
            else:
                types = sorted(set(c), reverse=True)
            ic = index[c]
            for donor in types:
                for acceptor in types:
                    if donor == acceptor and c.count(donor) < 2:
                        continue
                    if donor[0] != acceptor[0] and not rule.across_families:
                        continue
                    product = _exchange_product(info, c, donor, acceptor)
                    if product is None:
                        continue
                    rxn = bld.add(
                        chan,
                        EXCHANGE,
                        (ic, -1),
                        (index[product], -1),
                        donor[1],
                        acceptor[1],
                        exchange_factor(c, donor, acceptor),
                    )
                    entries.append((rxn, donor[0], donor[1], acceptor[0], acceptor[1], 1.0))


def _direct_exchanges(bld: _Builder, rule: DirectExchange) -> None:
    system = bld.system
    index = bld.index
    fams = system.families
    chan = bld.channel(rule.name, EXCHANGE, rule.constant, rule, True)
    pairs = system.direct_pairs(rule)
    free = [c for c in system.complexes_of_size(1) if c.families[0] in system.direct_families(rule)]
    for i, X in enumerate(free):
        for Y in free[: i + 1]:
            fx, fy = X.subunits[0][0], Y.subunits[0][0]
            if (min(fx, fy), max(fx, fy)) not in pairs:
                continue
            ix, iy = index[X], index[Y]
            sx, sy = X.subunits[0], Y.subunits[0]
            donors = [(sx, sy)] if X == Y else [(sx, sy), (sy, sx)]
            for donor, acceptor in donors:
                if fams[donor[0]].metal_pair != fams[acceptor[0]].metal_pair:
                    continue
                if not (
                    fams[donor[0]].in_window(donor[1] - 1)
                    and fams[acceptor[0]].in_window(acceptor[1] + 1)
                ):
                    continue
                d_new = Complex(((donor[0], donor[1] - 1),))
                a_new = Complex(((acceptor[0], acceptor[1] + 1),))
                if sorted((d_new, a_new)) == sorted((X, Y)):
                    continue  # null reaction
                if donor == sx:
                    products = (index[d_new], index[a_new])
                else:
                    products = (index[a_new], index[d_new])
                rxn = bld.add(chan, EXCHANGE, (ix, iy), products, donor[1], acceptor[1], 1.0)
                bld.plan.pairs[EXCHANGE].append(
                    (rxn, donor[0], donor[1], acceptor[0], acceptor[1], 1.0)
                )


def _conversions(bld: _Builder, rule: Conversion, reverse: bool) -> None:
    system = bld.system
    index = bld.index
    if reverse and rule.reverse is None:
        return
    fs, ft = system.family_index[rule.source], system.family_index[rule.target]
    frag = None if rule.fragment is None else index[system.fragment(rule.fragment)]
    kind = RECOMBINATION if reverse else CONVERSION
    bimolecular = reverse and frag is not None
    name = rule.reverse_name if reverse else rule.forward_name
    chan = bld.channel(name, kind, rule.reverse if reverse else rule.constant, rule, bimolecular)
    fams = system.families
    d_energy = fams[ft].energy_kJ_mol - fams[fs].energy_kJ_mol
    sizes = range(1, system.max_subunits + 1) if rule.in_complexes else (1,)
    for size in sizes:
        for c in system.complexes_of_size(size):
            mult = c.multiplicity
            for s in sorted(mult, reverse=True):
                if s[0] != (ft if reverse else fs):
                    continue
                new = (fs if reverse else ft, s[1])
                if not fams[new[0]].in_window(s[1]):
                    continue
                other = c.replace(s, new)
                io = index.get(other)
                if io is None:
                    continue
                ic = index[c]
                if reverse:
                    rxn = bld.add(
                        chan,
                        kind,
                        (ic, -1 if frag is None else frag),
                        (io, -1),
                        -1,
                        -1,
                        float(mult[s]),
                    )
                    bld.plan.energy.append((rxn, -d_energy))
                else:
                    rxn = bld.add(
                        chan,
                        kind,
                        (ic, -1),
                        (io, -1 if frag is None else frag),
                        -1,
                        -1,
                        float(mult[s]),
                    )
                    bld.plan.energy.append((rxn, d_energy))


def _pool_transfers(bld: _Builder, rule: PoolTransfer, reverse: bool) -> None:
    system = bld.system
    index = bld.index
    if reverse and rule.reverse is None:
        return
    fi = system.family_index
    fs, ft, fp = fi[rule.source], fi[rule.target], fi[rule.pool]
    fams = system.families
    src, tgt, pool = fams[fs], fams[ft], fams[fp]
    kind = RECOMBINATION if reverse else CONVERSION
    name = rule.reverse_name if reverse else rule.forward_name
    chan = bld.channel(name, kind, rule.reverse if reverse else rule.constant, rule, reverse)
    d_energy = tgt.energy_kJ_mol + pool.energy_kJ_mol - src.energy_kJ_mol
    for x in src.window:
        i_src = index[Complex(((fs, x),))]
        # an A atom leaves (pool complex x = 1), then a B atom (pool complex x = 0)
        for x_t, x_p, stat in ((x - 1, 1, x), (x, 0, src.n_atoms - x)):
            if stat == 0 or not (tgt.in_window(x_t) and pool.in_window(x_p)):
                continue
            i_t = index[Complex(((ft, x_t),))]
            i_p = index[Complex(((fp, x_p),))]
            if reverse:
                rxn = bld.add(chan, kind, (i_t, i_p), (i_src, -1), -1, -1, 1.0)
                bld.plan.energy.append((rxn, -d_energy))
            else:
                rxn = bld.add(chan, kind, (i_src, -1), (i_t, i_p), -1, -1, float(stat))
                bld.plan.energy.append((rxn, d_energy))


def generate_reactions(system) -> tuple[ReactionSet, tuple[Channel, ...], FactorPlan]:
    """All reactions of a :class:`~intercluster.network.ClusterSystem`.

    Order: association channels (in rule order; within one, by product complex
    in species order), then their reverse dissociations, then exchanges inside
    complexes (by complex; donor and acceptor subunit types in descending order),
    direct exchanges, conversions and their reverses. For one family with dimers
    this is the order of Neumaier et al.'s model (and of the specialised solver).

    Returns
    -------
    reactions : ReactionSet
    channels : tuple of Channel
        ``reactions.channel`` indexes them.
    plan : FactorPlan
        How to evaluate the model factors (:func:`intercluster.network.build_network`).
    """
    bld = _Builder(system)
    assoc = [r for r in system.rules if isinstance(r, Association)]
    for rule in assoc:
        _associations(bld, rule, False)
    for rule in assoc:
        _associations(bld, rule, True)
    for rule in system.rules:
        if isinstance(rule, ComplexExchange):
            _complex_exchanges(bld, rule)
    for rule in system.rules:
        if isinstance(rule, DirectExchange):
            _direct_exchanges(bld, rule)
    for rule in system.rules:
        if isinstance(rule, Conversion):
            _conversions(bld, rule, False)
            _conversions(bld, rule, True)
        elif isinstance(rule, PoolTransfer):
            _pool_transfers(bld, rule, False)
            _pool_transfers(bld, rule, True)
    return bld.result(), tuple(bld.channels), bld.plan


def dimer_rules(system) -> ReactionSet:
    """All dimerization, dissociation and exchange reactions of an ExchangeSystem.

    Returns
    -------
    ReactionSet
        (N+1)(N+2)/2 dimerizations, as many dissociations, then N(N-1)
        exchanges; 1302 reactions for N = 25 (Neumaier 2021).
    """
    return generate_reactions(system.cluster_system())[0]


def direct_rules(system) -> ReactionSet:
    """Direct stepwise exchange between two monomers, one metal atom at a time.

    M_x + M_y -> M_(x-1) + M_(y+1): an A atom from the cluster with x to the one
    with y, a B atom back (Zhong et al., Dalton Trans. 2021: 2D EXSY shows
    exchange between neighbours x, x +- 1 only). Base constant k_ex, here
    bimolecular [L nmol^-1 s^-1]. M_x + M_x -> M_(x-1) + M_(x+1) is one reaction
    at statistical factor 1; M_(y+1) + M_y giving an A atom to M_y is a null
    reaction and is not listed.

    Returns
    -------
    ReactionSet
        N(N - 1) exchanges (42 for N = 7).
    """
    return generate_reactions(system.cluster_system())[0]


def rules_for(system) -> ReactionSet:
    """The reactions of ``system.mechanism``."""
    return generate_reactions(system.cluster_system())[0]
