"""The compiled kernels: right-hand side, analytic Jacobian, structured Newton solver, BDF."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from intercluster import ExchangeSystem, SolverError, build_network
from intercluster.kinetics import compile_network, initial_concentrations
from intercluster.kinetics.solver import CompiledNetwork


@pytest.fixture(scope="module")
def net25():
    return build_network(ExchangeSystem("Ag", "Au", 25), "sim3")


@pytest.mark.parametrize("model", ["sim1", "sim2", "sim3"])
@pytest.mark.parametrize("N", [1, 2, 4, 9])
def test_jacobian_matches_finite_differences_including_zeros(model, N):
    """Cantera-style check: values and where the zeros fall."""
    net = build_network(ExchangeSystem("Ag", "Au", N), model)
    cn = compile_network(net)
    rng = np.random.default_rng(7)
    y = rng.uniform(0.5, 20.0, net.n_species)
    J = cn.jacobian_dense(y)
    f0 = cn.rhs(y)
    h = 1e-6
    fd = np.empty_like(J)
    for i in range(net.n_species):
        yp = y.copy()
        yp[i] += h
        fd[:, i] = (cn.rhs(yp) - f0) / h
    np.testing.assert_allclose(J, fd, rtol=1e-5, atol=1e-7)
    # the analytic zeros are exact zeros of the true Jacobian (mass action is bilinear,
    # so central differences are exact up to rounding)
    zero = J == 0
    for i in range(net.n_species):
        yp, ym = y.copy(), y.copy()
        yp[i] += 1.0
        ym[i] -= 1.0
        col = (cn.rhs(yp) - cn.rhs(ym)) / 2.0
        assert np.all(np.abs(col[zero[:, i]]) < 1e-12)


@pytest.mark.parametrize("c", [1e-3, 1.0, 1e3])
def test_structured_newton_solve_equals_dense_solve(net25, c):
    cn = compile_network(net25)
    assert cn.nc == 26 and len(cn.blk_start) == 51  # monomer core, one block per dimer total
    rng = np.random.default_rng(3)
    y = rng.uniform(0, 10, net25.n_species)
    b = rng.normal(size=net25.n_species)
    A = np.eye(net25.n_species) - c * cn.jacobian_dense(y)
    np.testing.assert_allclose(
        cn.solve_newton(y, c, b), np.linalg.solve(A, b), rtol=1e-9, atol=1e-12
    )


def test_dense_fallback_for_an_unstructured_network():
    """Any mass-action network with <= 2 reactants works; without the block structure the
    solver falls back to a dense core (with a warning)."""
    # A + B -> C, C -> A + B, C -> D, D -> C  with D coupled to C only
    reactants = np.array([[0, 1], [2, -1], [2, -1], [3, -1]])
    products = np.array([[2, -1], [0, 1], [3, -1], [2, -1]])
    k = np.array([0.5, 0.1, 0.3, 0.2])
    with pytest.warns(UserWarning, match="dense"):
        cn = CompiledNetwork.from_arrays(
            4, reactants, products, k, n_core=1, periphery_block=np.array([0, 1, 1])
        )
    assert cn.nc == 4
    y0 = np.array([1.0, 2.0, 0.0, 0.0])
    t = np.linspace(0, 20, 11)
    res = cn.integrate(y0, t, 20.0, rtol=1e-10, atol=1e-14)
    ref = solve_ivp(
        lambda _, y: cn.rhs(y), (0, 20), y0, t_eval=t, method="Radau", rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(res.y, ref.y.T, rtol=1e-7, atol=1e-10)


def test_bdf_agrees_with_scipy_and_conserves_metals(net25):
    """N = 25 sim3 from 40:40 over 3620 s against SciPy's LSODA at tighter tolerance."""
    cn = compile_network(net25)
    y0 = initial_concentrations(net25.system, "Ag25:Au25 = 40:40")
    t = np.linspace(0, 3620, 182)
    res = cn.integrate(y0, t, 3620.0, rtol=1e-8, atol=1e-12)
    ref = solve_ivp(
        lambda _, y: cn.rhs(y),
        (0, 3620),
        y0,
        t_eval=t,
        method="LSODA",
        jac=lambda _, y: cn.jacobian_dense(y),
        rtol=1e-11,
        atol=1e-14,
    )
    assert ref.success
    assert np.abs(res.y - ref.y.T).max() < 2e-6  # nmol/L, out of 80 nmol/L
    atoms = net25.atom_matrix @ res.y.T
    drift = np.abs(atoms - (net25.atom_matrix @ y0)[:, None]).max(axis=1) / (net25.atom_matrix @ y0)
    assert drift.max() < 1e-12
    assert res.min_y >= -1e-12 * y0.sum()


def test_output_grid_interpolation_matches_stepping_to_the_grid(net25):
    """Dense output between steps is as accurate as stopping at the grid points."""
    cn = compile_network(net25)
    y0 = initial_concentrations(net25.system, "Ag25:Au25 = 40:40")
    grid = np.linspace(20, 620, 61)
    dense = cn.integrate(y0, grid, 620.0)
    for i in (5, 30, 60):
        single = cn.integrate(y0, grid[i : i + 1], float(grid[i]))
        assert np.abs(dense.y[i] - single.y[0]).max() < 1e-6


def test_solver_failure_says_where_and_what_to_do(net25):
    cn = compile_network(net25)
    y0 = initial_concentrations(net25.system, "Ag25:Au25 = 40:40")
    with pytest.raises(SolverError, match=r"stopped at t = .* of 3620 s.*maximum number of steps"):
        cn.integrate(y0, np.array([3620.0]), 3620.0, max_steps=20)


def test_callback_and_interruption(net25):
    cn = compile_network(net25)
    y0 = initial_concentrations(net25.system, "Ag25:Au25 = 40:40")
    seen = []
    cn.integrate(y0, np.array([3620.0]), 3620.0, callback=seen.append)
    assert seen and all(np.diff(seen) > 0) and seen[-1] < 3620.0

    class Stop(Exception):
        pass

    def stop(t):
        raise Stop(t)

    with pytest.raises(Stop):
        cn.integrate(y0, np.array([3620.0]), 3620.0, callback=stop)
