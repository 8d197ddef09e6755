"""Site-preference equilibria: partition functions against
brute-force enumeration, the binomial limit, Poisson-binomial narrowing, the site rate
model's detailed balance for both mechanisms, and the M7H kinetics of Zhong et al. 2021."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercluster import ConfigError, DataError, ExchangeSystem, build_network, simulate
from intercluster.kinetics.config import SimulationConfig
from intercluster.network import SiteModel, SiteRateModel, get_model, log_partition_functions
from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K, parse_site_spec
from intercluster.thermo import binomial, compare_with_binomial, equilibrium_state
from intercluster.thermo.plausibility import diffusion_limited_rate
from intercluster.thermo.sites import (
    exchange_constants,
    le_chatelier_series,
    parse_ratio,
    ratio_fraction,
    site_distributions,
    site_equilibrium,
    site_occupancies,
    site_probabilities,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "m7h_site_direct.toml"
RT = GAS_CONSTANT_KJ_MOL_K * 298.15


def brute_force_z(sizes, energies, temperature=298.15):
    """Z_m by enumerating every placement of A atoms over every individual site."""
    rt = GAS_CONSTANT_KJ_MOL_K * temperature
    site_g = [g for n, g in zip(sizes, energies) for _ in range(n)]
    z = np.zeros(len(site_g) + 1)
    for occupied in itertools.product((0, 1), repeat=len(site_g)):
        z[sum(occupied)] += math.exp(-sum(g for o, g in zip(occupied, site_g) if o) / rt)
    return z


classes_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.floats(-15, 15, allow_nan=False)), min_size=1, max_size=3
).filter(lambda c: sum(n for n, _ in c) <= 9)


@given(classes_strategy)
def test_partition_functions_match_brute_force_enumeration(classes):
    sizes = [n for n, _ in classes]
    energies = [g for _, g in classes]
    got = np.exp(log_partition_functions(sizes, energies))
    np.testing.assert_allclose(got, brute_force_z(sizes, energies), rtol=1e-10)


def test_partition_functions_n144_three_classes_no_overflow():
    """N = 144 with three classes in well under a second."""
    import time

    sizes, energies = (1, 71, 72), (40.0, -25.0, 10.0)
    start = time.perf_counter()
    log_z = log_partition_functions(sizes, energies)
    assert time.perf_counter() - start < 1.0
    assert log_z.shape == (145,) and np.all(np.isfinite(log_z))
    # exact integer arithmetic for one coefficient: m = 72 with all energies 0 is C(144, 72)
    flat = log_partition_functions(sizes, (0.0, 0.0, 0.0))
    assert flat[72] == pytest.approx(math.log(math.comb(144, 72)), rel=1e-13)


@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=3),
    st.floats(-20, 20),
    st.floats(0.02, 0.98),
)
def test_equal_energies_give_exactly_the_binomial(sizes, g, f):
    model = SiteModel.from_spec(
        {f"c{i}": n for i, n in enumerate(sizes)}, {f"c{i}": g for i in range(len(sizes))}
    )
    np.testing.assert_allclose(site_equilibrium(model, f), binomial(sum(sizes), f), atol=1e-12)


@given(classes_strategy, st.floats(0.03, 0.97))
def test_site_equilibrium_is_a_poisson_binomial_no_wider_than_the_binomial(classes, f):
    names = {f"c{i}": n for i, (n, _) in enumerate(classes)}
    model = SiteModel.from_spec(names, {f"c{i}": g for i, (_, g) in enumerate(classes)})
    dist = site_equilibrium(model, f)
    N = model.n_atoms
    m = np.arange(N + 1)
    assert dist.sum() == pytest.approx(1.0)
    assert dist @ m == pytest.approx(N * f, rel=1e-9)  # mass balance
    p = site_probabilities(model, f)
    # the same distribution from independent sites: convolution of Binomial(n_i, p_i)
    conv = np.ones(1)
    for (n, _), pi in zip(classes, p):
        conv = np.convolve(conv, binomial(n, pi))
    np.testing.assert_allclose(dist, conv, atol=1e-10)
    var = dist @ (m - N * f) ** 2
    sizes = np.array([n for n, _ in classes])
    assert var == pytest.approx(float(sizes @ (p * (1 - p))), rel=1e-7, abs=1e-12)
    assert var <= N * f * (1 - f) * (1 + 1e-9)


def test_unequal_energies_are_narrower_than_binomial():
    """Neumaier et al. 2021: 'the experimental equilibrium distributions are somewhat narrower
    than the
    binomial distributions'; M25 with Au in staples and centre, Ag in the shell."""
    m25 = SiteModel.from_spec("centre:1,shell:12,staple:12", {"shell": -6.0})  # A = Ag
    for f in (0.2, 0.36, 0.5):
        cmp = compare_with_binomial(site_equilibrium(m25, f), f)
        assert cmp["width_ratio"] < 0.95
        assert cmp["mean"] == pytest.approx(25 * f)
    flat = SiteModel.from_spec("centre:1,shell:12,staple:12")
    assert compare_with_binomial(site_equilibrium(flat, 0.36), 0.36)["width_ratio"] == (
        pytest.approx(1.0)
    )


def test_occupancies_add_up_and_follow_the_preferences():
    model = SiteModel.from_spec("top:1,tri:3,cap:3", {"top": 12.0, "tri": 3.0})
    occ = site_occupancies(model)
    np.testing.assert_allclose(occ @ np.array(model.sizes), np.arange(8), atol=1e-12)
    assert np.all((occ >= 0) & (occ <= 1))
    # A (Cu) avoids the top site, prefers the caps: cap > tri > top for every mixed m
    assert np.all(occ[1:7, 2] > occ[1:7, 1]) and np.all(occ[1:7, 1] > occ[1:7, 0])
    # against enumeration for m = 2
    site_g = [12.0] + [3.0] * 3 + [0.0] * 3
    num = np.zeros(3)
    z = 0.0
    for placed in itertools.combinations(range(7), 2):
        w = math.exp(-sum(site_g[i] for i in placed) / RT)
        z += w
        for i in placed:
            num[0 if i == 0 else 1 if i < 4 else 2] += w
    np.testing.assert_allclose(occ[2], num / z / np.array([1, 3, 3]), rtol=1e-10)


def test_exchange_constants_and_their_binomial_limit():
    N = 7
    flat = exchange_constants(SiteModel.from_spec("tet:4,cap:3"))
    for x in range(1, N + 1):
        for y in range(N):
            assert flat[x, y] == pytest.approx(x * (N - y) / ((N - x + 1) * (y + 1)))
    assert np.isnan(flat[0]).all() and np.isnan(flat[:, N]).all()
    model = SiteModel.from_spec("top:1,tri:3,cap:3", {"top": 12.0, "tri": 3.0})
    K = exchange_constants(model)
    log_z = model.log_partition_functions()
    # detailed balance along a cycle: K[x, y] K[y + 1, x - 1] = 1
    for x, y in ((3, 1), (7, 0), (5, 5)):
        assert K[x, y] * K[y + 1, x - 1] == pytest.approx(1.0)
    assert math.log(K[6, 0]) == pytest.approx(log_z[5] + log_z[1] - log_z[6] - log_z[0])


def test_le_chatelier_series_moves_with_the_mixing_ratio():
    model = SiteModel.from_spec("top:1,tri:3,cap:3", {"top": 12.6, "tri": 2.6})
    system = ExchangeSystem("Cu", "Ag", 7, 0, "direct")
    frame = le_chatelier_series(model, ["6:1", "2:1", "1:1", "1:2", "1:6"], system)
    assert list(frame.columns) == [
        "[Cu7]",
        "[Cu6Ag]",
        "[Cu5Ag2]",
        "[Cu4Ag3]",
        "[Cu3Ag4]",
        "[Cu2Ag5]",
        "[CuAg6]",
        "[Ag7]",
    ]
    np.testing.assert_allclose(frame.sum(axis=1), 100.0)
    means = [frame.attrs["stats"][r]["mean"] for r in frame.index]
    assert np.all(np.diff(means) < 0)  # more Ag7 in the mixture: fewer Cu per cluster
    assert frame.loc["6:1"].idxmax() == "[Cu6Ag]" and frame.loc["1:6"].idxmax() == "[CuAg6]"
    assert frame.attrs["ratio_convention"] == "Cu7:Ag7"


def test_mixing_ratios_and_their_bad_forms():
    assert parse_ratio("Ag7:Cu7 = 1:6", "Cu", "Ag", 7) == (6.0, 1.0)
    assert ratio_fraction("2:1") == pytest.approx(2 / 3)
    for bad in ("0:1", "6:0", "-1:2", "1:nan", "abc", (1, -1), "Cu7:Au7 = 1:1", "Cu6:Ag6 = 1:1"):
        with pytest.raises(DataError, match="ratio"):
            parse_ratio(bad, "Cu", "Ag", 7)
    with pytest.raises(ConfigError, match="a_fraction"):
        site_distributions(SiteModel.from_spec("a:2"), [1.2])


@pytest.mark.parametrize(
    ("spec", "energies", "match"),
    [
        ("top:1,tri:3,top:3", {}, "each class name once"),
        ("top:0,cap:3", {}, "an integer >= 1"),
        ("top 1, cap 3", {}, "name:count"),
        ("top:1,cap:3", {"tet": 1.0}, "classes are top, cap"),
        ("top:1,cap:3", {"top": float("inf")}, "finite energy"),
    ],
)
def test_bad_site_classes(spec, energies, match):
    with pytest.raises(ConfigError, match=match):
        SiteModel.from_spec(spec, energies)


def test_site_classes_must_add_up_to_n():
    system = ExchangeSystem("Cu", "Ag", 7, 0, "direct")
    with pytest.raises(ConfigError, match=r"top 1 \+ cap 3 = 4 sites.*N = 7"):
        build_network(system, "site:top=1,cap=3")
    with pytest.raises(ConfigError, match="must add up to N"):
        le_chatelier_series(SiteModel.from_spec("a:2,b:3"), ["1:1"], system)
    with pytest.raises(ConfigError, match="temperature_K"):
        SiteModel.from_spec("a:2", temperature_K=0)
    with pytest.raises(ConfigError, match=r"'site:' with site classes"):
        get_model("sites")


# ------------------------------------------------------------------ the rate model
def test_site_rate_model_reduces_to_sim2_with_equal_energies():
    for mechanism, n in (("direct", 7), ("dimer", 5)):
        system = ExchangeSystem("Cu", "Ag", n, 0, mechanism)
        spec = f"a:2,b:{n - 2}"
        site = build_network(system, f"site:{spec}", {"g_a_kJ_mol": 4.2, "g_b_kJ_mol": 4.2})
        sim2 = build_network(system, "sim2")
        np.testing.assert_allclose(site.model_factor, sim2.model_factor, rtol=1e-12)


def test_site_rate_model_parameters():
    model = get_model("site")
    assert isinstance(model, SiteRateModel) and model.n_atoms == 7
    assert set(model.parameter_names) >= {
        "g_top_kJ_mol",
        "g_tri_kJ_mol",
        "g_cap_kJ_mol",
        "temperature_K",
        "k_ex",
    }
    assert get_model("site:centre=1,shell=12,staple=12").n_atoms == 25
    with pytest.raises(ConfigError, match="temperature_K"):
        model.resolve_parameters({"temperature_K": -5.0})
    with pytest.raises(ConfigError, match="g_top_kJ_mol"):
        model.resolve_parameters({"g_top_kJ_mol": float("nan")})


@pytest.mark.parametrize(
    ("mechanism", "n", "spec", "energies"),
    [
        ("direct", 7, "top:1,tri:3,cap:3", {"top": 12.6, "tri": 2.6}),
        ("direct", 9, "a:2,b:3,c:4", {"a": -5.0, "b": 7.0}),
        ("dimer", 5, "a:1,b:4", {"a": 6.0}),
    ],
)
def test_site_rate_model_has_the_site_model_equilibrium(mechanism, n, spec, energies):
    """Detailed balance: the network's equilibrium monomers are the site-model equilibrium,
    from the solver of equilibrium_state and from running the kinetics to the end."""
    pairs = parse_site_spec(spec)
    system = ExchangeSystem("Cu", "Ag", n, 0, mechanism)
    params = {f"g_{k}_kJ_mol": v for k, v in energies.items()}
    if mechanism == "direct":
        params["k_ex"] = 1e-3
    net = build_network(system, "site:" + spec, params)
    x0 = np.zeros(net.n_species)
    x0[0], x0[n] = 30.0, 50.0
    eq = equilibrium_state(net, x0)
    model = SiteModel.from_spec(pairs, energies)
    mono = eq[: n + 1]
    f_mono = float(mono @ np.arange(n + 1)) / (n * mono.sum())
    np.testing.assert_allclose(mono / mono.sum(), site_equilibrium(model, f_mono), atol=1e-10)
    assert f_mono == pytest.approx(50 / 80, rel=1e-9)  # random pairing keeps the fraction
    ds = simulate(net, x0, t_end_s=3e4, dead_time_s=0, dt_s=3e4)
    final = ds.concentration.values[-1]
    assert 0.5 * np.abs(final / final.sum() - eq / eq.sum()).sum() < 1e-6


# ------------------------------------------------------------- M7H kinetics (Zhong et al. 2021)
def test_m7h_one_to_one_mixture_equilibrates_within_a_minute():
    """Zhong 2021: 'a reassembly process within one minute of mixing'; the spectra 'did
    not change after 10 minutes'. Example constants: 5 + 5 mmol/L, k_ex = 4e-7 L nmol^-1
    s^-1 (chosen from the EXSY, tests/nmr/test_exsy.py)."""
    cfg = SimulationConfig.from_toml(EXAMPLE)
    net = cfg.network()
    ds = simulate(net, cfg.initial, t_end_s=600, dead_time_s=0, times_s=[0.0, 1.0, 60.0, 600.0])
    model = net.model.site_model(net.parameters)
    target = site_equilibrium(model, 0.5)
    conc = ds.concentration.values
    tv = 0.5 * np.abs(conc / conc.sum(axis=1, keepdims=True) - target).sum(axis=1)
    assert tv[1] > 0.05  # not instantaneous: the mixing is observable
    assert tv[2] < 1e-3 and tv[3] < 1e-6  # at equilibrium within a minute, unchanged later
    # plausible constant: activated, far below the diffusion limit in CDCl3 (0.537 mPa s)
    k_d = diffusion_limited_rate(298.15, 0.537e-3)
    assert 1e-9 < net.parameters["k_ex"] / k_d < 1e-6


def test_log_convolution_falls_back_to_log_space_without_losing_tails():
    """Energies so large that the linear-space product underflows: the exact log-space
    path keeps every Z_m finite and equal to the enumeration in logs."""
    sizes, energies = (2, 3), (900.0, -900.0)
    log_z = log_partition_functions(sizes, energies)
    assert np.all(np.isfinite(log_z))
    rt = GAS_CONSTANT_KJ_MOL_K * 298.15
    site_g = [900.0] * 2 + [-900.0] * 3
    for m in range(6):
        terms = [
            -sum(site_g[i] for i in placed) / rt for placed in itertools.combinations(range(5), m)
        ]
        assert log_z[m] == pytest.approx(float(np.logaddexp.reduce(terms)), rel=1e-12)
