"""The general sparse path (SciPy's SuperLU on I - cJ) for networks without the
monomer core + tridiagonal dimer structure: conservation, non-negativity, agreement with
the dense and Schur paths and with SciPy's solve_ivp.

Random networks are assembled from subunits of N metal sites (composition a = number of
metal-A atoms): monomers, dimers and trimers, with random subsets of association,
dissociation, exchange inside complexes and direct exchange between free clusters, so
metal A, metal B and the number of subunits are conserved by construction (the kind of
network of intercluster reactions of Neumaier et al., J. Am. Chem. Soc. 2021, with
the trimers they observe).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from intercluster import ExchangeSystem, build_network
from intercluster.errors import ConfigError
from intercluster.kinetics import initial_concentrations
from intercluster.kinetics.solver import DENSE_MAX_SPECIES, CompiledNetwork


def random_network(seed: int, n_sites: int, trimers: bool, p_keep: float = 0.6):
    """(n_species, reactants, products, k, atoms, y0) of a random conserving network.

    atoms: (3, n_species) metal A, metal B and subunits per species. Species are
    shuffled so that no core/periphery ordering survives.
    """
    rng = np.random.default_rng(seed)
    N = n_sites
    comps = [(a,) for a in range(N + 1)]
    comps += list(itertools.combinations_with_replacement(range(N + 1), 2))
    if trimers:
        comps += list(itertools.combinations_with_replacement(range(N + 1), 3))
    order = rng.permutation(len(comps))
    index = {c: int(order[i]) for i, c in enumerate(comps)}
    reactants, products = [], []

    def add(r, p):
        if rng.random() < p_keep:
            reactants.append(r)
            products.append(p)

    def key(*subunits):
        return index[tuple(sorted(subunits))]

    for a, b in itertools.combinations_with_replacement(range(N + 1), 2):
        add([key(a), key(b)], [key(a, b), -1])  # association
        add([key(a, b), -1], [key(a), key(b)])  # dissociation
        if a > 0 and b < N:  # direct exchange: one A atom from a to b
            add([key(a), key(b)], [key(a - 1), key(b + 1)])
    for c in comps:
        for i, j in itertools.permutations(range(len(c)), 2):  # exchange inside a complex
            if len(c) > 1 and c[i] > 0 and c[j] < N:
                new = list(c)
                new[i] -= 1
                new[j] += 1
                add([key(*c), -1], [key(*new), -1])
        if trimers and len(c) == 2:
            for m in range(N + 1):
                add([key(*c), key(m)], [key(*c, m), -1])  # D + M -> T
                add([key(*c, m), -1], [key(*c), key(m)])  # T -> D + M
    if not reactants:
        reactants, products = [[key(0), -1]], [[key(0), -1]]
    n = len(comps)
    atoms = np.zeros((3, n))
    for c, i in index.items():
        atoms[:, i] = (sum(c), N * len(c) - sum(c), len(c))
    k = 10.0 ** rng.uniform(-3, 1, len(reactants))
    y0 = np.zeros(n)
    y0[[index[(a,)] for a in range(N + 1)]] = rng.uniform(0.0, 10.0, N + 1)
    y0[index[(0,)]] += 1.0
    return n, np.array(reactants), np.array(products), k, atoms, y0


def integrate(cn, y0, t, **kw):
    total = y0.sum()
    return cn.integrate(
        y0, t, float(t[-1]), rtol=1e-9, atol=1e-13 * total, neg_tol=1e-13 * total, **kw
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_sites=st.integers(1, 4),
    trimers=st.booleans(),
    p_keep=st.floats(0.2, 1.0),
)
def test_random_networks_sparse_path_conserves_and_agrees(seed, n_sites, trimers, p_keep):
    n, reactants, products, k, atoms, y0 = random_network(seed, n_sites, trimers, p_keep)
    sparse = CompiledNetwork.from_arrays(n, reactants, products, k, linear_solver="sparse")
    dense = CompiledNetwork.from_arrays(n, reactants, products, k, linear_solver="dense")
    assert sparse.linear_solver == "sparse" and dense.linear_solver == "dense"
    t = np.linspace(0.0, 50.0, 26)
    res = integrate(sparse, y0, t)
    total = y0.sum()
    # every conserved quantity (metal A, metal B, subunits) to 1e-8 relative
    drift = np.abs(atoms @ res.y.T - (atoms @ y0)[:, None]).max(axis=1)
    assert np.all(drift <= 1e-8 * (atoms @ y0))
    # concentrations never below -1e-12 of the total, at any accepted step
    assert res.min_y >= -1e-12 * total
    # same trajectory as the dense LU
    ref_dense = integrate(dense, y0, t)
    assert np.abs(res.y - ref_dense.y).max() <= 1e-6 * total
    # and as SciPy's LSODA with the same right-hand side and Jacobian, at tighter tolerance
    ref = solve_ivp(
        lambda _, y: sparse.rhs(y),
        (0.0, 50.0),
        y0,
        t_eval=t,
        method="LSODA",
        jac=lambda _, y: sparse.jacobian_dense(y),
        rtol=1e-11,
        atol=1e-14 * total,
    )
    assert ref.success
    assert np.abs(res.y - ref.y.T).max() <= 1e-6 * total


@pytest.mark.parametrize("c", [1e-3, 1.0, 1e3])
def test_sparse_newton_solve_equals_dense_solve(c):
    n, reactants, products, k, _, _ = random_network(11, 4, True, 0.7)
    cn = CompiledNetwork.from_arrays(n, reactants, products, k, linear_solver="sparse")
    rng = np.random.default_rng(5)
    y = rng.uniform(0, 10, n)
    b = rng.normal(size=n)
    A = np.eye(n) - c * cn.jacobian_dense(y)
    np.testing.assert_allclose(
        cn.solve_newton(y, c, b), np.linalg.solve(A, b), rtol=1e-9, atol=1e-12
    )


def test_sparse_path_on_the_dimer_network_matches_the_schur_path():
    """Ag25/Au25 sim3, 40:40 over 3620 s: the general path gives the Schur path's
    trajectory (same steps, rounding-level differences) with the same conservation."""
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    y0 = initial_concentrations(net.system, "Ag25:Au25 = 40:40")
    t = np.linspace(0, 3620, 37)
    schur = CompiledNetwork.from_network(net)
    sparse = CompiledNetwork.from_network(net, linear_solver="sparse")
    assert schur.linear_solver == "schur" and sparse.linear_solver == "sparse"
    a = schur.integrate(y0, t, 3620.0, neg_tol=1e-13 * y0.sum())
    b = sparse.integrate(y0, t, 3620.0, neg_tol=1e-13 * y0.sum())
    assert np.abs(a.y - b.y).max() <= 1e-9 * y0.sum()
    atoms = net.atom_matrix
    drift = np.abs(atoms @ b.y.T - (atoms @ y0)[:, None]).max(axis=1) / (atoms @ y0)
    assert drift.max() < 1e-12
    assert b.min_y >= -1e-12 * y0.sum()


def test_auto_selection_and_forcing():
    net = build_network(ExchangeSystem("Ag", "Au", 4), "sim2")
    assert CompiledNetwork.from_network(net).linear_solver == "schur"
    assert CompiledNetwork.from_network(net, linear_solver="dense").linear_solver == "dense"
    small = random_network(1, 2, True)
    assert small[0] <= DENSE_MAX_SPECIES
    assert CompiledNetwork.from_arrays(*small[:4]).linear_solver == "dense"
    big = random_network(1, 9, True, 0.3)
    assert big[0] > DENSE_MAX_SPECIES
    assert CompiledNetwork.from_arrays(*big[:4]).linear_solver == "sparse"
    with pytest.raises(ConfigError, match="linear_solver = 'schur'"):
        CompiledNetwork.from_arrays(*small[:4], linear_solver="schur")
    with pytest.raises(ConfigError, match="linear_solver = 'klu'"):
        CompiledNetwork.from_arrays(*small[:4], linear_solver="klu")
    # a network that has n_core but not the structure falls back with a warning
    with pytest.warns(UserWarning, match="sparse linear solver"):
        cn = CompiledNetwork.from_arrays(
            *big[:4], n_core=10, periphery_block=np.zeros(big[0] - 10, np.int64)
        )
    assert cn.linear_solver == "sparse"


def test_sparse_path_keeps_the_c_checks_and_propagates_errors():
    """A tampered sparse pattern is refused by the C side; an exception raised inside
    the factorization propagates."""
    import dataclasses

    from intercluster.kinetics import _bdf

    n, reactants, products, k, _, y0 = random_network(3, 2, False, 1.0)
    cn = CompiledNetwork.from_arrays(n, reactants, products, k, linear_solver="sparse")
    bad = dataclasses.replace(cn, sp_diag=np.full(n, 10**9, np.int64))
    with pytest.raises(ValueError, match=r"network\.sp_diag\[0\]"):
        _bdf.rhs(np.ones(n), bad, np.zeros(n))
    bad = dataclasses.replace(cn, sp_perm=-np.ones(n, np.int64))
    with pytest.raises(ValueError, match=r"network\.sp_perm\[0\]"):
        bad.integrate(y0, [1.0], 1.0)
    bad = dataclasses.replace(cn, jc_dest=cn.jc_dest + len(cn.sp_indices))
    with pytest.raises(ValueError, match=r"network\.jc_dest"):
        bad.integrate(y0, [1.0], 1.0)
    with pytest.raises(ValueError, match="lu: the network uses the sparse path"):
        _bdf.solve_newton(y0, 1.0, y0, cn, np.zeros(n))

    class Broken:
        data = np.zeros(len(cn.sp_indices))

        def factor(self):
            raise MemoryError("no memory for the factors")

    out = np.zeros((1, n))
    with pytest.raises(MemoryError, match="no memory"):
        _bdf.bdf_solve(
            y0,
            0.0,
            1.0,
            np.array([1.0]),
            1e-8,
            np.full(n, 1e-12),
            np.inf,
            0.0,
            100,
            -1.0,
            cn,
            out,
            None,
            Broken(),
        )

    class Lying(Broken):
        def factor(self):
            z = np.zeros(n + 1, np.int32)
            return (z, z[:0], np.zeros(0), z, z[:0], np.zeros(0), z[:n], z[:n])

    with pytest.raises(ValueError, match="not n x n triangular"):
        _bdf.bdf_solve(
            y0,
            0.0,
            1.0,
            np.array([1.0]),
            1e-8,
            np.full(n, 1e-12),
            np.inf,
            0.0,
            100,
            -1.0,
            cn,
            out,
            None,
            Lying(),
        )
