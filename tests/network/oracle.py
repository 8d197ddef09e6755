"""Independent oracle: the single-family dimer/direct generator as it was written
before the general family/complex/rule generator (Neumaier et al., JACS 2021,
143, 6969, Scheme 1 and "Kinetic Model"; Zhong et al., Dalton Trans. 2021, 50,
4727 for direct exchange). The general generator must reproduce it exactly:
species, order, reactions, statistical factors.
"""

from __future__ import annotations

import numpy as np

from intercluster.network.rules import DIMERIZATION, DISSOCIATION, EXCHANGE, ReactionSet
from intercluster.network.system import ExchangeSystem


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


def oracle_rules(system: ExchangeSystem) -> ReactionSet:
    return dimer_rules(system) if system.has_dimers else direct_rules(system)


# The model factors as they were evaluated before the general generator (build.py).
from intercluster.errors import ConfigError  # noqa: E402
from intercluster.network.rules import KIND_NAMES, KIND_PARAMETER  # noqa: E402


def _model_factors(system, model, reactions: ReactionSet, params) -> np.ndarray:
    factor = np.empty(len(reactions))
    kind = reactions.kind
    methods = {
        DIMERIZATION: model.dimerization_factor,
        DISSOCIATION: model.dissociation_factor,
        EXCHANGE: model.exchange_factor,
    }
    for k, method in methods.items():
        mask = kind == k
        if not mask.any():
            continue
        a, b = reactions.a[mask], reactions.b[mask]
        values = np.asarray(method(system, a, b, params), dtype=float)
        if values.shape != a.shape:
            values = np.broadcast_to(values, a.shape).astype(float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ConfigError(
                f"model {model.name!r}: {KIND_NAMES[k]} factor at ({a[i]}, {b[i]}) is "
                f"{values[i]!r}; factors must be finite and >= 0"
            )
        if k != EXCHANGE:
            swapped = np.asarray(method(system, b, a, params), dtype=float)
            asym = ~np.isclose(np.broadcast_to(swapped, a.shape), values, rtol=1e-12, atol=0)
            if asym.any():
                i = int(np.flatnonzero(asym)[0])
                raise ConfigError(
                    f"model {model.name!r}: {KIND_NAMES[k]} factor must be symmetric in the "
                    f"two subunits, but f({a[i]}, {b[i]}) != f({b[i]}, {a[i]})"
                )
        factor[mask] = values
    return factor


def oracle_rate_constants(system, model, params):
    """(reactions, model factors, rate constants) as the old generator gave them."""
    reactions = oracle_rules(system)
    factor = _model_factors(system, model, reactions, params)
    base = np.array([params[p] for p in KIND_PARAMETER])
    return reactions, factor, base[reactions.kind] * reactions.statistical_factor * factor
