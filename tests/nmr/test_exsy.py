"""2D EXSY: symmetry and sums of the peak-volume matrix, the
neighbour-only cross peaks of Zhong et al. 2021 (Figure 4) at 400 ms and the second
neighbours at 800 ms with the example constants, and the matrix-logarithm inverse."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from intercluster import ConfigError, DataError, ExchangeSystem, build_network
from intercluster.kinetics.config import SimulationConfig
from intercluster.nmr import (
    cross_peak_map,
    exchange_rates,
    exsy_volumes,
    normalized_volumes,
    rates_from_volumes,
    simulate_exsy,
)
from intercluster.thermo import equilibrium_state

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "m7h_site_direct.toml"
THRESHOLD = 0.05  # visible: >= 5 % of the geometric mean of the two diagonal peaks
MIN_POPULATION = 1e-3  # species below 0.1 % of the clusters are not observed


def _equilibrium(network, x0):
    eq = equilibrium_state(network, x0)
    return exchange_rates(network, eq)


@pytest.fixture(scope="module")
def m7h():
    cfg = SimulationConfig.from_toml(EXAMPLE)
    return cfg, cfg.network()


@pytest.mark.parametrize("mechanism", ["direct", "dimer"])
def test_volumes_are_symmetric_and_sum_to_the_populations(mechanism):
    system = ExchangeSystem("Cu", "Ag", 5, 0, mechanism)
    params = {"g_a_kJ_mol": 5.0, "k_ex": 2e-3 if mechanism == "direct" else 0.1}
    net = build_network(system, "site:a=2,b=3", params)
    x0 = np.zeros(net.n_species)
    x0[0], x0[5] = 40.0, 60.0
    rates, pops = _equilibrium(net, x0)
    assert np.all(rates >= 0) and np.all(np.diag(rates) == 0)
    # detailed balance: as much magnetisation flows i -> j as j -> i
    flow = rates * pops[:, None]
    np.testing.assert_allclose(flow, flow.T, rtol=1e-8, atol=1e-12 * flow.max())
    V = exsy_volumes(rates, pops, [1e-6, 0.4, 5.0])
    for v in V:
        np.testing.assert_allclose(v, v.T, rtol=1e-8, atol=1e-12 * pops.max())
        np.testing.assert_allclose(v.sum(axis=0), pops, rtol=1e-9)
        np.testing.assert_allclose(v.sum(axis=1), pops, rtol=1e-9)
    np.testing.assert_allclose(V[0], np.diag(pops), atol=1e-5 * pops.max())  # t_m -> 0
    relaxed = exsy_volumes(rates, pops, [0.4], t1_s=2.0)[0]
    np.testing.assert_allclose(relaxed, V[1] * np.exp(-0.2))


def test_short_mixing_time_gives_the_rates():
    net = build_network(ExchangeSystem("Cu", "Ag", 4, 0, "direct"), "sim2", {"k_ex": 1e-3})
    rates, pops = _equilibrium(net, [50, 0, 0, 0, 50])
    t = 1e-4
    V = exsy_volumes(rates, pops, t)[0]
    off = ~np.eye(len(pops), dtype=bool)
    # V[i, j] ~ k_ji M_j t for the first order in t
    first = rates.T * pops[None, :] * t
    tol = 1e-4 * first.max()  # second-order terms (two steps) are ~(k t)^2
    np.testing.assert_allclose(V[off], first[off], rtol=1e-3, atol=tol)
    norm = normalized_volumes(V, pops)
    np.testing.assert_allclose(
        norm[off], (t * np.sqrt(rates * rates.T))[off], rtol=1e-3, atol=1e-4 * norm[off].max()
    )


def _pattern(ds, k):
    cp = ds.cross_peak.values[k]
    n = np.asarray(ds.n_a.values)
    diff = np.abs(n[:, None] - n[None, :])
    pops = ds.population.values
    seen = pops >= MIN_POPULATION * pops.sum()
    both = seen[:, None] & seen[None, :]
    return cp, diff, both


def test_neighbour_cross_peaks_at_400_ms_second_neighbours_at_800_ms(m7h):
    """Zhong 2021, Figure 4: at 400 ms cross peaks between clusters that differ by one
    metal only; at 800 ms 'additional (but less intense)' ones between second
    neighbours (the paper names three pairs, 'etc.')."""
    cfg, net = m7h
    ds = simulate_exsy(
        net, cfg.initial, [0.4, 0.8], threshold=THRESHOLD, min_population=MIN_POPULATION
    )
    cp, diff, both = _pattern(ds, 0)
    assert cp[(diff == 1) & both].all()  # every neighbour pair
    assert not cp[diff >= 2].any()
    cp8, _, _ = _pattern(ds, 1)
    assert cp8[(diff == 1) & both].all()
    assert np.triu(cp8 & (diff == 2)).sum() >= 3
    assert not cp8[diff >= 3].any()
    norm = ds.normalized.values
    # the second-neighbour peaks are weaker than the neighbour peaks
    assert norm[1][(diff == 2) & both].max() < norm[1][(diff == 1) & both].min()
    # observed species: x = 0..6 as in the paper's 1:1 spectra (Cu7 below 0.1 %)
    observed = [
        lab
        for lab, p in zip(ds.species.values, ds.population.values)
        if p >= MIN_POPULATION * ds.population.values.sum()
    ]
    assert "[Cu7]" not in observed and len(observed) == 7


@pytest.mark.parametrize(
    ("factor", "holds"), [(0.8, True), (1.3, True), (0.3, False), (3.0, False)]
)
def test_the_exsy_pattern_constrains_k_ex(m7h, factor, holds):
    """The pattern holds in a window around the chosen k_ex, not for any value: 3x
    smaller, no second neighbours at 800 ms; 3x larger, second neighbours at 400 ms."""
    cfg, net = m7h
    faster = net.with_parameters(k_ex=net.parameters["k_ex"] * factor)
    ds = simulate_exsy(
        faster, cfg.initial, [0.4, 0.8], threshold=THRESHOLD, min_population=MIN_POPULATION
    )
    cp4, diff, both = _pattern(ds, 0)
    cp8, _, _ = _pattern(ds, 1)
    ok = (
        cp4[(diff == 1) & both].all()
        and not cp4[diff >= 2].any()
        and np.triu(cp8 & (diff == 2)).sum() >= 3
    )
    assert ok == holds


def test_logm_inverse_recovers_rates_from_noisy_volumes():
    net = build_network(
        ExchangeSystem("Cu", "Ag", 4, 0, "direct"),
        "site:a=1,b=3",
        {"g_a_kJ_mol": 3.0, "k_ex": 0.02},
    )
    rates, pops = _equilibrium(net, [45, 0, 0, 0, 55])
    t = 0.3
    V = exsy_volumes(rates, pops, t)[0]
    np.testing.assert_allclose(rates_from_volumes(V, t), rates, atol=1e-9 * rates.max())
    # uniform T1 is divided out when the populations come from the column sums
    relaxed = exsy_volumes(rates, pops, t, t1_s=1.5)[0]
    np.testing.assert_allclose(rates_from_volumes(relaxed, t), rates, atol=1e-8 * rates.max())
    # noise: 0.2 % of the largest peak on every entry, ten spectra
    rng = np.random.default_rng(11)
    neighbours = rates > 0
    others = ~neighbours & ~np.eye(5, dtype=bool)
    errors, spurious = [], []
    for _ in range(10):
        noisy = V + rng.normal(0, 2e-3 * V.max(), V.shape)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = rates_from_volumes(noisy, t)
        errors.append(np.abs(est - rates)[neighbours] / rates[neighbours])
        spurious.append(np.abs(est[others]).max() / rates.max())
    assert np.median(errors) < 0.05 and np.percentile(errors, 90) < 0.15
    assert np.median(spurious) < 0.1  # no exchange between non-neighbours is invented


def test_cross_peak_map_threshold_and_populations():
    V = np.array([[0.9, 0.06], [0.06, 0.02]])
    pops = np.array([1.0, 0.05])
    assert cross_peak_map(V, pops, 0.05)[0, 1]  # 0.06 / sqrt(0.05) = 0.27
    assert not cross_peak_map(V, pops, 0.05, min_population=0.1).any()
    with pytest.raises(ConfigError, match="threshold"):
        cross_peak_map(V, pops, 1.5)


@pytest.mark.parametrize(
    ("volumes", "match"),
    [
        (np.ones((2, 3)), "must be square"),
        (np.array([[0.1, 0.9], [0.9, 0.1]]), "no valid logarithm"),
        (np.array([[1.0, 0.0], [0.0, 0.0]]), r"population \(column sum\) > 0"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "finite"),
    ],
)
def test_bad_volume_matrices(volumes, match):
    with pytest.raises(DataError, match=match):
        rates_from_volumes(volumes, 0.4)


def test_bad_mixing_times(m7h):
    cfg, net = m7h
    for bad in ([0.0], [-0.4], [0.4, float("nan")], []):
        with pytest.raises(ConfigError, match="mixing"):
            simulate_exsy(net, cfg.initial, bad)
    with pytest.raises(ConfigError, match="mixing time = 0"):
        rates_from_volumes(np.eye(2), 0.0)
    with pytest.raises(ConfigError, match="t1_s"):
        exsy_volumes(np.zeros((2, 2)), np.ones(2), 0.4, t1_s=0)


def test_min_population_is_a_fraction_not_a_silent_filter():
    """min_population = 2.0 would hide every peak: refused, naming the parameter."""
    import pytest

    from intercluster.errors import ConfigError
    from intercluster.nmr.exsy import cross_peak_map

    V = np.array([[0.6, 0.2], [0.2, 0.6]])
    pops = np.array([0.5, 0.5])
    assert cross_peak_map(V, pops, min_population=0.0)[0, 1]
    for bad in (2.0, 1.0, -0.1, float("nan")):
        with pytest.raises(ConfigError, match="min_population"):
            cross_peak_map(V, pops, min_population=bad)
