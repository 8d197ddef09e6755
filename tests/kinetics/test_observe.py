"""The one-pass observation kernel (observables, normalised intensities and the minimum
concentration in C) equals the matrix product, the normalisation and numpy's minimum,
and refuses what it cannot handle."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from intercluster import ExchangeSystem, build_network
from intercluster.kinetics import _bdf
from intercluster.kinetics.observables import (
    _one_to_one,
    normalise,
    observable_concentrations,
    observe,
)


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
    assert _one_to_one(net) is not None  # the kernel applies
    obs, inten, low = observe(net, conc)
    ref_obs, ref_int, ref_low = _reference(net, conc)
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
    assert _one_to_one(net) is not None
    rng = np.random.default_rng(max_subunits)
    conc = rng.random((11, net.n_species))
    obs, inten, low = observe(net, conc)
    ref = _reference(net, conc)
    np.testing.assert_allclose(obs, ref[0], rtol=1e-13)
    np.testing.assert_allclose(inten, ref[1], rtol=1e-12)
    assert low == ref[2]


class _Split:
    """A network stand-in whose observation model splits one species between two
    observables (not one-to-one): the matrix product is used."""

    def __init__(self):
        self.observable_matrix = sp.csr_matrix(np.array([[1.0, 0.5, 0.0], [0.0, 0.5, 1.0]]))

    def __hash__(self):
        return id(self)


def test_split_contributions_use_the_matrix_product():
    net = _Split()
    assert _one_to_one(net) is None
    conc = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    obs, inten, low = observe(net, conc)
    np.testing.assert_allclose(obs, [[2.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(inten, [[1 / 3, 2 / 3], [0.0, 0.0]])
    assert low == 0.0


def test_kernel_checks_its_arrays():
    y = np.ones((4, 3))
    obs, inten = np.empty((4, 2)), np.empty((4, 2))
    w = np.ones(3)
    with pytest.raises(ValueError, match="index"):
        _bdf.observe(y, np.array([0, 2, 1]), w, 2, obs, inten)  # 2 is not an observable
    with pytest.raises(ValueError, match="index"):
        _bdf.observe(y, np.array([0, 1]), w, 2, obs, inten)  # wrong length
    with pytest.raises(TypeError, match="y"):
        _bdf.observe(np.ones((4, 3), dtype=np.float32), np.array([0, 1, 1]), w, 2, obs, inten)
    with pytest.raises(ValueError, match="obs"):
        _bdf.observe(y, np.array([0, 1, 1]), w, 2, np.empty((3, 2)), inten)
    with pytest.raises(TypeError, match="intensity"):
        _bdf.observe(y, np.array([0, 1, 1]), w, 2, obs, np.empty((2, 4)).T)
    low = _bdf.observe(y, np.array([0, -1, 1]), w, 2, obs, inten)  # -1: no observable
    assert low == 1.0
    np.testing.assert_array_equal(obs, np.ones((4, 2)))


def test_observable_sums_of_a_three_dimensional_array():
    """Sensitivities (time, parameter, species) summed into observables: the kernel
    without intensities equals the matrix product, on both paths."""
    from intercluster.kinetics.observables import observable_sums

    net = build_network(ExchangeSystem("Ag", "Au", 6), "sim3")
    S = np.random.default_rng(2).standard_normal((9, 3, net.system.n_species))
    M = net.observable_matrix.toarray()
    np.testing.assert_allclose(observable_sums(net, S), S @ M.T, rtol=1e-12, atol=1e-14)
    split = _Split()
    np.testing.assert_allclose(
        observable_sums(split, np.ones((2, 2, 3))), np.full((2, 2, 2), [1.5, 1.5])
    )
