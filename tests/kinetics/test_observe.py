"""The one-pass observation kernel (observables, normalised intensities and the minimum
concentration in C) equals the matrix product, the normalisation and numpy's minimum,
and refuses what it cannot handle."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from intercluster import ConfigError, ExchangeSystem, build_network
from intercluster.kinetics import _bdf, initial_concentrations
from intercluster.kinetics.observables import (
    normalise,
    observable_concentrations,
    observable_sums,
    observation_plan,
    observe,
    t_max,
)
from intercluster.kinetics.simulate import _observation, compile_network, rate_parameter_map


def _compiled(n_atoms: int, mixture: str | None = None):
    """A sim3 network of Ag/Au N-atom clusters, its compiled kernel arrays and the initial
    concentrations of ``mixture`` (default: 40:40 of the two pure clusters)."""
    net = build_network(ExchangeSystem("Ag", "Au", n_atoms), "sim3")
    mixture = mixture or f"Ag{n_atoms}:Au{n_atoms} = 40:40"
    return net, compile_network(net), initial_concentrations(net.system, mixture)


def _reference(network, conc):
    M = network.observable_matrix.toarray()
    obs = conc @ M.T
    return obs, normalise(obs), conc.min()


@pytest.mark.parametrize("n_atoms", [1, 6, 25])
def test_single_family_kernel_equals_the_matrix_product(n_atoms):
    net = build_network(ExchangeSystem("Ag", "Au", n_atoms), "sim3")
    rng = np.random.default_rng(n_atoms)
    conc = rng.random((57, net.system.n_species)) * 40
    conc[3] = 0.0  # a row of zeros keeps zero intensities
    conc[5, 2] = -1e-13  # a tiny negative concentration is the minimum
    obs, inten, low, imax = observe(net, conc)
    ref_obs, ref_int, ref_low = _reference(net, conc)
    np.testing.assert_array_equal(imax, np.argmax(ref_int, axis=0))
    np.testing.assert_allclose(obs, ref_obs, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(inten, ref_int, rtol=1e-12, atol=1e-15)
    assert low == ref_low == -1e-13
    assert np.all(inten[3] == 0.0)
    np.testing.assert_allclose(inten[np.arange(57) != 3].sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(observable_concentrations(net, conc), ref_obs, rtol=1e-13)


@pytest.mark.parametrize("max_subunits", [2, 3])
def test_general_networks_two_families_and_trimers(max_subunits):
    """Families of different N and charge (neutral fragments give no signal: index -1)
    and trimers: every species feeds at most one observable."""
    from intercluster.network import ClusterSystem, Family

    system = ClusterSystem(
        [Family("A", "Ag", "Au", 3), Family("B", "Ag", "Au", 2, charge=-2, fixed="Pd")],
        max_subunits=max_subunits,
        constants={"k_tri": 4e-3, "k_tri_diss": 5e-2} if max_subunits == 3 else None,
    )
    net = build_network(system, "sim2")
    rng = np.random.default_rng(max_subunits)
    conc = rng.random((11, net.n_species))
    obs, inten, low, imax = observe(net, conc)
    ref = _reference(net, conc)
    np.testing.assert_array_equal(imax, np.argmax(ref[1], axis=0))
    np.testing.assert_allclose(obs, ref[0], rtol=1e-13)
    np.testing.assert_allclose(inten, ref[1], rtol=1e-12)
    assert low == ref[2]


class _Split:
    """A network stand-in whose observation model splits one species between two
    observables with weights 0.5."""

    def __init__(self):
        self.observable_matrix = sp.csr_matrix(np.array([[1.0, 0.5, 0.0], [0.0, 0.5, 1.0]]))

    def __hash__(self):
        return id(self)


def test_split_contributions_and_weights():
    net = _Split()
    conc = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    obs, inten, low, imax = observe(net, conc)
    np.testing.assert_allclose(obs, [[2.0, 4.0], [0.0, 0.0]])
    np.testing.assert_array_equal(imax, [0, 0])
    np.testing.assert_allclose(inten, [[1 / 3, 2 / 3], [0.0, 0.0]])
    assert low == 0.0


def test_kernel_checks_its_arrays():
    y = np.ones((4, 3))
    obs, inten = np.empty((4, 2)), np.empty((4, 2))
    ptr, sp = np.array([0, 1, 3]), np.array([0, 1, 2])
    with pytest.raises(ValueError, match="species"):
        _bdf.observe(y, ptr, np.array([0, 1, 3]), None, obs, inten)  # no species 3
    with pytest.raises(ValueError, match="ptr"):
        _bdf.observe(y, np.array([0, 2, 1]), sp, None, obs, inten)  # decreasing
    with pytest.raises(ValueError, match="ptr"):
        _bdf.observe(y, np.array([0, 1, 4]), sp, None, obs, inten)  # past the end
    with pytest.raises(TypeError, match="y"):
        _bdf.observe(np.ones((4, 3), dtype=np.float32), ptr, sp, None, obs, inten)
    with pytest.raises(ValueError, match="obs"):
        _bdf.observe(y, ptr, sp, None, np.empty((3, 2)), inten)
    with pytest.raises(TypeError, match="intensity"):
        _bdf.observe(y, ptr, sp, None, obs, np.empty((2, 4)).T)
    with pytest.raises(ValueError, match="weight"):
        _bdf.observe(y, ptr, sp, np.ones(2), obs, inten)
    with pytest.raises(ValueError, match="imax"):
        _bdf.observe(y, ptr, sp, None, obs, None, np.empty(2, np.int64))
    low = _bdf.observe(y, np.array([0, 1, 2]), np.array([0, 2]), None, obs, inten)
    assert low == 1.0  # species 1 feeds no observable but counts for the minimum
    np.testing.assert_array_equal(obs, np.ones((4, 2)))


def test_observable_sums_of_a_three_dimensional_array():
    """Sensitivities (time, parameter, species) summed into observables: the kernel
    without intensities equals the matrix product, on both paths."""

    net = build_network(ExchangeSystem("Ag", "Au", 6), "sim3")
    S = np.random.default_rng(2).standard_normal((9, 3, net.system.n_species))
    M = net.observable_matrix.toarray()
    np.testing.assert_allclose(observable_sums(net, S), S @ M.T, rtol=1e-12, atol=1e-14)
    split = _Split()
    np.testing.assert_allclose(
        observable_sums(split, np.ones((2, 2, 3))), np.full((2, 2, 2), [1.5, 1.5])
    )


def test_grid_maxima_first_of_ties_and_t_max_agrees():
    """imax is the first row of each observable's largest intensity (as numpy's argmax),
    and t_max refined from it equals t_max found on its own; a column that is never
    positive has no t_max."""

    net = build_network(ExchangeSystem("Ag", "Au", 2), "sim3")
    n = net.system.n_species
    t = np.arange(8.0)
    conc = np.zeros((8, n))
    conc[:, 0] = [1, 2, 5, 5, 1, 1, 1, 1]  # [Au2]- (0 Ag): a plateau, the first row wins
    conc[:, 1] = [1, 1, 1, 2, 3, 2, 1, 1]  # [AgAu]-
    _, inten, _, imax = observe(net, conc)
    np.testing.assert_array_equal(imax, np.argmax(inten, axis=0))
    tm = t_max(t, inten, imax)
    np.testing.assert_array_equal(tm, t_max(t, inten))
    assert np.isnan(tm[-1])  # [Ag4]2- never forms here


@pytest.mark.parametrize("with_sensitivities", [False, True])
def test_integrator_observes_each_output_row_as_observe_does(with_sensitivities):
    """integrate(observation=...) sums, normalises and checks each output row inside the
    solver: bit for bit what observe() gives on the finished array, with or without
    sensitivities (the state is the same either way)."""

    net, cn, y0 = _compiled(6)
    t = np.linspace(0.0, 600.0, 61)  # t = 0 is an output: the row before the first step
    kw = {"rtol": 1e-8, "atol": 1e-12}
    if with_sensitivities:
        kw["sensitivities"] = rate_parameter_map(net, ("k_dim", "k_ex"))
    res = cn.integrate(y0, t, 600.0, observation=observation_plan(net), **kw)
    plain = cn.integrate(y0, t, 600.0, **kw)
    np.testing.assert_array_equal(res.y, plain.y)
    assert plain.observed is None
    obs, inten, low, imax = res.observed
    ref = observe(net, res.y)
    np.testing.assert_array_equal(obs, ref[0])
    np.testing.assert_array_equal(inten, ref[1])
    assert low == ref[2]
    np.testing.assert_array_equal(imax, ref[3])


def test_integrator_checks_the_observation_arrays():

    net, cn, y0 = _compiled(2)
    ptr, sp, w = observation_plan(net)
    t = np.linspace(0.0, 10.0, 3)
    bad = sp.copy()
    bad[-1] = net.system.n_species  # past the last species
    with pytest.raises(ValueError, match="observation species"):
        cn.integrate(y0, t, 10.0, observation=(ptr, bad, w))
    with pytest.raises(ValueError, match="observation ptr"):
        cn.integrate(y0, t, 10.0, observation=(ptr[::-1].copy(), sp, w))
    with pytest.raises(ValueError, match="observation weight"):
        cn.integrate(y0, t, 10.0, observation=(ptr, sp, np.ones(len(sp) + 1)))


def test_totals_of_the_observables_are_the_atoms_of_each_metal():
    """The observation simulate gives the solver carries, as totals, the atoms of metal A
    and of metal B of every observable: the solver's totals at each output time equal the
    network's atom matrix applied to the concentrations, and the kernel's totals on a
    finished array equal the weights times the observables."""

    net, cn, y0 = _compiled(6, "Ag6:Au6 = 30:50")
    t = np.linspace(0.0, 600.0, 23)
    plan = _observation(net)
    res = cn.integrate(y0, t, 600.0, observation=plan)
    atoms = net.atom_matrix @ res.y.T  # (metal, time)
    assert res.observed_totals.shape == atoms.shape == (2, 23)
    np.testing.assert_allclose(res.observed_totals, atoms, rtol=1e-13)
    np.testing.assert_allclose(atoms[:, 0], [6 * 30.0, 6 * 50.0])
    assert cn.integrate(y0, t, 600.0, observation=plan[:3]).observed_totals is None

    ptr, sp, w, weights = plan
    obs, inten = np.empty((23, len(ptr) - 1)), np.empty((23, len(ptr) - 1))
    totals = np.empty((2, 23))
    _bdf.observe(res.y, ptr, sp, w, obs, inten, np.empty(len(ptr) - 1, np.int64), weights, totals)
    np.testing.assert_allclose(totals, weights @ obs.T, rtol=1e-14)
    np.testing.assert_array_equal(totals, res.observed_totals)


def test_totals_arrays_are_checked():
    y = np.ones((4, 3))
    obs, inten = np.empty((4, 2)), np.empty((4, 2))
    ptr, sp = np.array([0, 1, 3]), np.array([0, 1, 2])
    weights, totals = np.ones((1, 2)), np.empty((1, 4))
    with pytest.raises(ValueError, match="both or neither"):
        _bdf.observe(y, ptr, sp, None, obs, inten, None, weights)
    with pytest.raises(ValueError, match="totals_weight"):
        _bdf.observe(y, ptr, sp, None, obs, inten, None, np.ones((1, 3)), totals)
    with pytest.raises(ValueError, match="totals"):
        _bdf.observe(y, ptr, sp, None, obs, inten, None, weights, np.empty((1, 3)))
    with pytest.raises(TypeError, match="totals"):
        _bdf.observe(y, ptr, sp, None, obs, inten, None, weights, np.empty((1, 8))[:, ::2])
    _bdf.observe(
        y,
        ptr,
        sp,
        None,
        obs,
        inten,
        None,
        np.array([[1.0, 2.0], [0.5, 0.0]]),
        tot2 := np.empty((2, 4)),
    )
    np.testing.assert_array_equal(tot2, [[5.0] * 4, [0.5] * 4])  # obs rows are (1, 2)

    net, cn, y0 = _compiled(2)
    t = np.linspace(0.0, 10.0, 3)
    with pytest.raises(ValueError, match="totals_weight"):
        cn.integrate(y0, t, 10.0, observation=(*observation_plan(net), np.ones((2, 3))))
    with pytest.raises(ConfigError, match="observation"):
        cn.integrate(y0, t, 10.0, observation=(*observation_plan(net), np.ones((2, 3)), None))
    with pytest.raises(ConfigError, match="observation"):
        cn.integrate(y0, t, 10.0, observation=[1, 2, 3])


@pytest.mark.parametrize("family", ["single", "trimers"])
def test_integrator_observes_the_sensitivities(family):
    """With sensitivities, the solver also sums them into observables and differentiates
    the normalisation, (d o_i - I_i d sum o) / sum o: the same as the kernel and numpy
    applied to the finished sensitivity array, on a single-family and a trimer network."""

    if family == "single":
        net = build_network(ExchangeSystem("Ag", "Au", 6), "sim3")
        mix, names = "Ag6:Au6 = 40:40", ("k_dim", "k_ex")
    else:
        from intercluster.network import ClusterSystem, Family

        system = ClusterSystem(
            [Family("A", "Ag", "Au", 3)],
            max_subunits=3,
            constants={"k_tri": 4e-3, "k_tri_diss": 5e-2},
        )
        net = build_network(system, "sim2")
        mix, names = "Ag3:Au3 = 40:40", ("k_tri", "k_dim")
    cn = compile_network(net)
    y0 = initial_concentrations(net.system if family == "single" else system, mix)
    t = np.linspace(0.0, 300.0, 31)
    pmap = rate_parameter_map(net, names)
    res = cn.integrate(y0, t, 300.0, sensitivities=pmap, observation=_observation(net))
    dobs, dint = res.observed_sensitivities
    assert dobs.shape == dint.shape == (31, 2, len(observation_plan(net)[0]) - 1)
    ref = observable_sums(net, res.sensitivities)
    np.testing.assert_allclose(dobs, ref, rtol=1e-13, atol=1e-13 * np.abs(ref).max())
    obs, inten = res.observed[:2]
    ref_int = (ref - inten[:, None, :] * ref.sum(axis=2)[:, :, None]) / obs.sum(axis=1)[
        :, None, None
    ]
    np.testing.assert_allclose(dint, ref_int, rtol=1e-11, atol=1e-13 * np.abs(ref_int).max())
    assert np.max(np.abs(dint.sum(axis=2))) <= 1e-12  # the intensities sum to 1 at every time
    assert cn.integrate(y0, t, 300.0, sensitivities=pmap).observed_sensitivities is None


def test_observed_sensitivity_arrays_need_sensitivities():

    net, cn, y0 = _compiled(2)
    ptr, sp, w = observation_plan(net)
    t = np.linspace(0.0, 10.0, 3)
    m = len(ptr) - 1
    obs_arg = (
        ptr,
        sp,
        w,
        np.empty((3, m)),
        np.empty((3, m)),
        np.zeros(m, np.int64),
        np.empty(1),
        None,
        None,
        np.empty((3, 1, m)),
        np.empty((3, 1, m)),
    )
    base = (
        y0,
        0.0,
        10.0,
        t,
        1e-8,
        np.full(len(y0), 1e-12),
        np.inf,
        0.0,
        1000,
        -1.0,
        cn,
        np.zeros((3, len(y0))),
        None,
        cn._lu(),
    )
    with pytest.raises(ValueError, match="only with sensitivities"):
        _bdf.bdf_solve(*base, None, None, None, None, None, False, obs_arg)


def test_rows_an_integration_does_not_reach_are_nan():
    """The solver's output arrays are allocated without zeroing: a run that stops early
    leaves NaN in the rows it did not reach (state and sensitivities), never stale
    memory, and every row of a finished run is written (no NaN)."""

    net, cn, y0 = _compiled(4)
    t = np.linspace(0.0, 600.0, 7)
    pmap = rate_parameter_map(net, ("k_dim",))
    n = len(y0)
    for poison in (np.nan, 1e300):
        Y = np.full((7, n), poison)
        S = np.full((7, 1, n), poison)
        ptr, rxn, val = pmap._csr()
        species = np.ascontiguousarray(pmap.initial_species, np.int64)
        base = (y0, 0.0, 600.0, t, 1e-8, np.full(n, 1e-12), np.inf, 0.0)
        status, t_reached, *_ = _bdf.bdf_solve(
            *base, 12, -1.0, cn, Y, None, cn._lu(), ptr, rxn, val, species, S, False
        )
        assert status != _bdf.SUCCESS and 0.0 < t_reached < 100.0  # stopped after 12 steps
        assert np.all(np.isfinite(Y[0])) and np.all(np.isnan(Y[1:]))
        assert np.all(np.isfinite(S[0])) and np.all(np.isnan(S[1:]))
        status, *_ = _bdf.bdf_solve(
            *base, 100000, -1.0, cn, Y, None, cn._lu(), ptr, rxn, val, species, S, False
        )
        assert status == _bdf.SUCCESS
        assert np.all(np.isfinite(Y)) and np.all(np.isfinite(S))
