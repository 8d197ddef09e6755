"""Plausibility numbers of Neumaier et al. 2021 (eqs 4-7), binomial comparison, equilibria,
isomers."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster import ConfigError, ExchangeSystem, FormulaError, build_network, simulate
from intercluster.network import RateModel
from intercluster.thermo import (
    binomial,
    cid_fragments,
    compare_with_binomial,
    debye_factor,
    diffusion_limited_rate,
    dimer_lifetime_s,
    equilibrium_state,
    exchange_probabilities,
    isomer_shares,
    mean_exchanges_per_lifetime,
)


def test_plausibility_numbers_printed_in_002():
    """DMF, 298 K, eta = 0.799 mPa s, eps_r = 38.4, R = 12.7 A: 8.3, 0.53, 4.4."""
    kd = diffusion_limited_rate()
    f = debye_factor()
    assert round(kd, 1) == 8.3
    assert round(f, 2) == 0.53
    assert round(f * kd, 1) == 4.4
    # "a factor of ~500 higher than the deduced dimerization rate constant" (k_dim = 1e-2)
    assert 400 < f * kd / 1e-2 < 500


def test_exchanges_per_lifetime_eq_7():
    """tau = 1/0.056 s ~ 18 s: the paper says "on average 0.5 exchanges"; k_ex tau is
    0.57 (the paper rounds down); tau = 100 s gives 3.2."""
    assert dimer_lifetime_s(0.056) == pytest.approx(17.857, abs=1e-3)
    assert mean_exchanges_per_lifetime(3.2e-2, 0.056) == pytest.approx(0.5714, abs=1e-4)
    assert abs(mean_exchanges_per_lifetime(3.2e-2, 0.056) - 0.5) < 0.1
    assert mean_exchanges_per_lifetime(3.2e-2, 0.01) == pytest.approx(3.2)
    p = exchange_probabilities(3.2e-2, 0.01, 60)
    assert p.sum() == pytest.approx(1.0)
    assert np.sum(np.arange(61) * p) == pytest.approx(3.2)


def test_debye_factor_signs():
    assert debye_factor(1, -1) > 1 > debye_factor(-1, -1)
    assert debye_factor(0, -1) == 1.0
    assert debye_factor(-2, -2) < debye_factor(-1, -1)


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        (diffusion_limited_rate, {"viscosity_Pa_s": 0}, "viscosity_Pa_s = 0"),
        (diffusion_limited_rate, {"temperature_K": -1}, "temperature_K = -1"),
        (debye_factor, {"distance_A": 0}, "distance_A = 0"),
        (dimer_lifetime_s, {"k_diss": 0}, "k_diss = 0"),
    ],
)
def test_plausibility_bad_input(func, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        func(**kwargs)


def test_binomial_comparison():
    b = binomial(25, 0.5)
    assert b.sum() == pytest.approx(1.0)
    c = compare_with_binomial(b * 80, 0.5)
    assert c["total_variation"] == pytest.approx(0.0, abs=1e-12)
    assert c["width_ratio"] == pytest.approx(1.0)
    narrow = binomial(25, 0.5) ** 2
    assert compare_with_binomial(narrow, 0.5)["width_ratio"] < 1


def test_equilibrium_refuses_a_model_without_detailed_balance():
    # a separable factor u(donor) v(acceptor) would obey detailed balance; this one cannot
    model = RateModel.from_functions("one_way", exchange=lambda d, a, N: 0.3 + d**2 / (1.0 + a))
    net = build_network(ExchangeSystem("Ag", "Au", 4), model)
    x0 = np.zeros(net.n_species)
    x0[0] = x0[4] = 10
    with pytest.raises(ConfigError, match="detailed balance"):
        equilibrium_state(net, x0)


def test_equilibrium_of_a_single_metal():
    net = build_network(ExchangeSystem("Ag", "Au", 4), "sim2", {"k_dim": 0.1, "k_diss": 0.2})
    x0 = np.zeros(net.n_species)
    x0[4] = 30.0
    eq = equilibrium_state(net, x0)
    K = 0.5
    M = eq[4]
    assert M + 2 * eq.sum() - 2 * M == pytest.approx(30.0)  # subunits conserved
    assert eq[net.system.index("[(Ag4)(Ag4)]2-")] == pytest.approx(K / 2 * M**2)


@pytest.fixture(scope="module")
def sim3_result():
    return simulate(build_network(ExchangeSystem("Ag", "Au", 25), "sim3"), "Ag25:Au25 = 40:40")


def test_isomers_of_ag25au25_mix_over_time(sim3_result):
    """Neumaier et al. 2021 Figure 2 / S10: early [Ag25Au25]2- is made of unmixed isomers, late of
    [(Ag13Au12)(Ag12Au13)]2- and its neighbours."""
    shares = isomer_shares(sim3_result, "[Ag25Au25]2-", [0, 180, 3600])
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares.columns[0] == "[(Ag25)(Au25)]2-"
    assert shares.columns[-1] == "[(Ag13Au12)(Ag12Au13)]2-"
    assert len(shares.columns) == 13  # "all 13 [(Ag25-xAux)(AgxAu25-x)]2- isomers"
    assert shares.loc[0.0].idxmax() == "[(Ag25)(Au25)]2-"
    assert shares.loc[3600.0].idxmax() == "[(Ag13Au12)(Ag12Au13)]2-"
    frags = cid_fragments(sim3_result, "[Ag25Au25]2-", [0, 3600])
    np.testing.assert_allclose(frags.sum(axis=1), 1.0)
    # each isomer gives one A-rich and one A-poor subunit: fragments mirror
    np.testing.assert_allclose(frags.loc[3600.0].to_numpy(), frags.loc[3600.0].to_numpy()[::-1])
    assert {"[Ag13Au12]-", "[Ag12Au13]-"} <= set(frags.loc[3600.0].nlargest(2).index)
    assert {"[Ag25]-", "[Au25]-"} <= set(frags.loc[0.0].nlargest(2).index)


def test_isomer_errors(sim3_result):
    with pytest.raises(FormulaError, match="not a dimer sum formula"):
        isomer_shares(sim3_result, "[Ag12Au13]-", [10])
    with pytest.raises(ConfigError, match=r"covers 0\.\.3600 s"):
        isomer_shares(sim3_result, "[Ag25Au25]2-", [5000])
