"""Reactions of the dimer mechanism, generated from rules with exact statistical factors.

Neumaier et al., JACS 2021, 143, 6969, Scheme 1 and "Kinetic Model":

1. dimerization  M_m + M_n -> D_{m,n}          (base constant k_dim)
2. dissociation  D_{m,n} -> M_m + M_n          (k_diss)
3. exchange inside a dimer, one A atom one way and one B atom the other,
   {m, n} -> {m - 1, n + 1} or {m + 1, n - 1}  (k_ex)

Statistical factors follow from counting ordered pairs of subunits, (m, n) and
(n, m), and physical events:

- M_m + M_n (m != n): one kind of encounter, rate k_dim [M_m][M_n];
- M_m + M_m: encounters of identical clusters; the number of distinct pairs is
  half the product, so d[D_mm]/dt = (k_dim/2)[M_m]^2 (and d[M_m]/dt loses two per
  event: -k_dim [M_m]^2). The reaction carries statistical factor 1/2;
- exchange out of a homo-composition dimer {m, m}: either subunit can donate,
  both events give {m + 1, m - 1}: statistical factor 2;
- {m + 1, m}: moving an A atom from the richer subunit gives the same species
  back (a null reaction), so it is not listed.

With these factors the network obeys detailed balance: at equilibrium dimers are
a random pairing of monomers, [D_mn] = (k_dim/k_diss)[M_m][M_n](1 - delta_mn/2)
(for sim1/sim2), and in sim2 the monomers are exactly binomial.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from intercluster.network.system import ExchangeSystem

__all__ = [
    "DIMERIZATION",
    "DISSOCIATION",
    "EXCHANGE",
    "KIND_NAMES",
    "ReactionSet",
    "dimer_rules",
    "direct_rules",
    "rules_for",
]

DIMERIZATION, DISSOCIATION, EXCHANGE = 0, 1, 2
KIND_NAMES = ("dimerization", "dissociation", "exchange")
#: Base constant of each kind of reaction.
KIND_PARAMETER = ("k_dim", "k_diss", "k_ex")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (a cache key)
class ReactionSet:
    """Reactions as arrays, one row per reaction (shape ``(n_reactions,)`` unless stated).

    Attributes
    ----------
    kind : int8 array
        0 dimerization, 1 dissociation, 2 exchange.
    reactants, products : int64 arrays, shape (n_reactions, 2)
        Species indices; -1 where a reaction has a single reactant or product.
        A homodimer formation lists M_m twice.
    a, b : int64 arrays
        The subunit compositions the model factor is evaluated at: (m, n) for
        dimerization and dissociation, (donor, acceptor) for exchange.
    statistical_factor : float array
        1/2, 1 or 2 (module docstring).
    """

    kind: np.ndarray
    reactants: np.ndarray
    products: np.ndarray
    a: np.ndarray
    b: np.ndarray
    statistical_factor: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


def dimer_rules(system: ExchangeSystem) -> ReactionSet:
    """All dimerization, dissociation and exchange reactions of ``system``.

    Returns
    -------
    ReactionSet
        (N+1)(N+2)/2 dimerizations, as many dissociations, then N(N-1)
        exchanges; 1302 reactions for N = 25 (Neumaier 2021).
    """
    N = system.n_atoms
    n_mono = system.n_monomers
    dimers = system.dimers
    index = {d: n_mono + i for i, d in enumerate(dimers)}
    dm = np.array([d.m for d in dimers], dtype=np.int64)
    dn = np.array([d.n for d in dimers], dtype=np.int64)
    d_idx = np.arange(n_mono, n_mono + len(dimers), dtype=np.int64)
    minus = np.full(len(dimers), -1, dtype=np.int64)
    homo = dm == dn

    kinds = [
        np.full(len(dimers), DIMERIZATION, np.int8),
        np.full(len(dimers), DISSOCIATION, np.int8),
    ]
    reactants = [np.stack([dm, dn], 1), np.stack([d_idx, minus], 1)]
    products = [np.stack([d_idx, minus], 1), np.stack([dm, dn], 1)]
    a = [dm, dm]
    b = [dn, dn]
    stat = [np.where(homo, 0.5, 1.0), np.ones(len(dimers))]

    ex_r, ex_p, ex_a, ex_b, ex_s = [], [], [], [], []
    for d in dimers:
        m, n = d.m, d.n
        src = index[d]
        # an A atom from the m subunit to the n subunit
        if m >= 1 and n <= N - 1 and m != n + 1:
            target = (m - 1, n + 1) if m - 1 >= n + 1 else (n + 1, m - 1)
            ex_r.append(src)
            ex_p.append(index[type(d)(*target)])
            ex_a.append(m)
            ex_b.append(n)
            ex_s.append(2.0 if m == n else 1.0)
        # an A atom from the n subunit to the m subunit (for m == n counted above)
        if m != n and n >= 1 and m <= N - 1:
            ex_r.append(src)
            ex_p.append(index[type(d)(m + 1, n - 1)])
            ex_a.append(n)
            ex_b.append(m)
            ex_s.append(1.0)
    n_ex = len(ex_r)
    minus_ex = np.full(n_ex, -1, dtype=np.int64)
    kinds.append(np.full(n_ex, EXCHANGE, np.int8))
    reactants.append(np.stack([np.array(ex_r, np.int64), minus_ex], 1).reshape(n_ex, 2))
    products.append(np.stack([np.array(ex_p, np.int64), minus_ex], 1).reshape(n_ex, 2))
    a.append(np.array(ex_a, np.int64))
    b.append(np.array(ex_b, np.int64))
    stat.append(np.array(ex_s, float))
    return ReactionSet(
        kind=np.concatenate(kinds),
        reactants=np.concatenate(reactants),
        products=np.concatenate(products),
        a=np.concatenate(a),
        b=np.concatenate(b),
        statistical_factor=np.concatenate(stat),
    )


def direct_rules(system: ExchangeSystem) -> ReactionSet:
    """Direct stepwise exchange between two monomers, one metal atom at a time.

    M_x + M_y -> M_(x-1) + M_(y+1): an A atom from the cluster with x to the one
    with y, a B atom back (Zhong et al., Dalton Trans. 2021: 2D EXSY shows
    exchange between neighbours x, x +- 1 only). Base constant k_ex, here
    bimolecular [L nmol^-1 s^-1]; the model's exchange factor is evaluated at
    (donor, acceptor) as in the dimer mechanism.

    Statistical factors, from ordered pairs again: M_x + M_y (x != y) meet at
    k [M_x][M_y] and either can donate (two reactions); M_x + M_x meet at
    (k/2)[M_x]^2 pairs and either of the two can donate, so the single reaction
    M_x + M_x -> M_(x-1) + M_(x+1) runs at k [M_x]^2 (statistical factor 1).
    M_(y+1) + M_y giving an A atom to M_y is a null reaction and is not listed.

    Returns
    -------
    ReactionSet
        N(N - 1) exchanges (42 for N = 7).
    """
    N = system.n_atoms
    react, prod, a, b = [], [], [], []
    for x in range(N + 1):
        for y in range(x + 1):
            # an A atom from x to y
            if x >= 1 and y <= N - 1 and x != y + 1:
                react.append((x, y))
                prod.append((x - 1, y + 1))
                a.append(x)
                b.append(y)
            # an A atom from y to x (for x == y counted above)
            if x != y and y >= 1 and x <= N - 1:
                react.append((x, y))
                prod.append((x + 1, y - 1))
                a.append(y)
                b.append(x)
    n = len(react)
    return ReactionSet(
        kind=np.full(n, EXCHANGE, np.int8),
        reactants=np.array(react, np.int64).reshape(n, 2),
        products=np.array(prod, np.int64).reshape(n, 2),
        a=np.array(a, np.int64),
        b=np.array(b, np.int64),
        statistical_factor=np.ones(n),
    )


def rules_for(system: ExchangeSystem) -> ReactionSet:
    """The reactions of ``system.mechanism``."""
    return dimer_rules(system) if system.has_dimers else direct_rules(system)
