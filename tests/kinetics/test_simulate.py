"""simulate(): conservation, positivity, detailed balance, symmetry, observables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intercluster import ConfigError, ExchangeSystem, build_network, simulate
from intercluster.kinetics import initial_concentrations, t_max
from intercluster.network import Species
from intercluster.thermo import a_fraction, binomial, equilibrium_state

METALS = [("Ag", "Au"), ("Au", "Ag"), ("Cu", "Ag"), ("Pd", "Au")]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    N=st.integers(1, 8),
    model=st.sampled_from(["sim1", "sim2", "sim3"]),
    log_k=st.tuples(*[st.floats(-4, 0)] * 3),
    metals=st.sampled_from(METALS),
    data=st.data(),
)
def test_conservation_and_positivity(N, model, log_k, metals, data):
    """Each metal conserved to 1e-8 relative; no concentration below -1e-12 relative."""
    system = ExchangeSystem(metals[0], metals[1], N)
    k_dim, k_diss, k_ex = (10.0**x for x in log_k)
    net = build_network(system, model, {"k_dim": k_dim, "k_diss": k_diss, "k_ex": k_ex})
    n_start = data.draw(st.integers(1, 4))
    idx = data.draw(
        st.lists(st.integers(0, system.n_species - 1), min_size=n_start, max_size=n_start)
    )
    amounts = data.draw(st.lists(st.floats(0.1, 200), min_size=n_start, max_size=n_start))
    x0 = np.zeros(system.n_species)
    for i, a in zip(idx, amounts):
        x0[i] += a
    ds = simulate(net, x0, t_end_s=2000, dead_time_s=5, dt_s=50)
    assert ds.attrs["conservation_drift_a"] < 1e-8
    assert ds.attrs["conservation_drift_b"] < 1e-8
    assert ds.attrs["min_concentration_relative"] >= -1e-12
    assert float(ds.concentration.min()) >= -1e-12 * x0.sum()
    np.testing.assert_allclose(ds.intensity.sum("observable"), 1.0, rtol=1e-12)


def _long(net, mixture, t_end=2e5):
    x0 = initial_concentrations(net.system, mixture)
    ds = simulate(net, x0, t_end_s=t_end, dt_s=t_end / 10)
    return x0, ds.concentration.isel(time=-1).values


@pytest.mark.parametrize("mixture", ["Ag12:Au12 = 40:40", "Ag12:Au12 = 100:60", "Ag12:Au12 = 5:70"])
def test_sim2_detailed_balance(mixture):
    """Neumaier et al. 2021 sim2: long-time monomers exactly binomial at the overall A
    fraction,
    [D_mn] = (k_dim/k_diss)[M_m][M_n](1 - delta_mn/2), every reversible pair's net flux 0."""
    N = 12
    net = build_network(ExchangeSystem("Ag", "Au", N), "sim2", {"k_dim": 0.02, "k_diss": 0.05})
    x0, x = _long(net, mixture)
    M = x[: N + 1]
    p = a_fraction(net, x0)
    np.testing.assert_allclose(M / M.sum(), binomial(N, p), atol=1e-9)
    K = 0.02 / 0.05
    for d in net.system.dimers:
        expected = K * M[d.m] * M[d.n] * (0.5 if d.m == d.n else 1.0)
        assert x[net.system.index(d)] == pytest.approx(expected, rel=1e-6, abs=1e-12)
    r = net.reactions
    v = (
        net.rate_constants
        * x[r.reactants[:, 0]]
        * np.where(r.reactants[:, 1] >= 0, x[np.maximum(r.reactants[:, 1], 0)], 1.0)
    )

    # pair each reaction with its reverse and check the net flux
    def key(row):
        return tuple(sorted(i for i in row if i >= 0))

    forward = {(key(a), key(b)): j for j, (a, b) in enumerate(zip(r.reactants, r.products))}
    scale = v.max()
    for (left, right), j in forward.items():
        back = forward[(right, left)]
        assert abs(v[j] - v[back]) < 1e-7 * scale


@pytest.mark.parametrize("model", ["sim1", "sim2", "sim3"])
@pytest.mark.parametrize("mixture", ["Ag10:Au10 = 40:40", "Ag10:Au10 = 100:60"])
def test_long_time_state_is_the_model_equilibrium(model, mixture):
    net = build_network(ExchangeSystem("Ag", "Au", 10), model)
    x0, x = _long(net, mixture)
    eq = equilibrium_state(net, x0)
    np.testing.assert_allclose(x, eq, rtol=1e-6, atol=1e-9 * x0.sum())


def test_sim1_tends_to_uniform_monomers_for_a_1_to_1_mixture():
    """Neumaier et al. 2021: "for very long reaction times ... the monomers become evenly
    distributed"."""
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim1")
    _, x = _long(net, "Ag25:Au25 = 40:40", t_end=1e5)
    M = x[:26]
    np.testing.assert_allclose(M / M.sum(), 1 / 26, rtol=1e-6)


def _mirror(system):
    """Species index permutation m -> N - m, {m, n} -> {N - n, N - m}."""
    N = system.n_atoms
    out = []
    for sp in system.species:
        if sp.is_dimer:
            out.append(system.index(Species(N - sp.n, N - sp.m)))
        else:
            out.append(N - sp.m)
    return np.array(out)


@pytest.mark.parametrize("model", ["sim1", "sim2", "sim3"])
def test_mirror_symmetry_of_the_amounts(model):
    """Same system, Ag8:Au8 = 70:30 vs 30:70: sim1 and sim2 mirror exactly (Neumaier et al. 2021:
    "the
    kinetics of the silver and gold sides in simulation 2 is exactly equal and
    symmetric"); sim3 does not, because f_Au favours gold-rich dimerization."""
    system = ExchangeSystem("Ag", "Au", 8)
    net = build_network(system, model)
    a = simulate(net, "Ag8:Au8 = 70:30", t_end_s=600, dt_s=20).concentration.values
    b = simulate(net, "Ag8:Au8 = 30:70", t_end_s=600, dt_s=20).concentration.values
    mirrored = np.allclose(a, b[:, _mirror(system)], rtol=1e-6, atol=1e-9)
    assert mirrored == (model != "sim3")


@pytest.mark.parametrize("model", ["sim1", "sim2", "sim3"])
def test_swapping_the_metals_and_the_amounts_mirrors_the_trajectories(model):
    """ExchangeSystem("Ag", "Au") with A8:B8 = 70:30 and ExchangeSystem("Au", "Ag") with
    A8:B8 = 30:70 are the same physical mixture: index-space trajectories mirror for
    every model (sim3's f_Au follows gold, not the position of the metal)."""
    a_sys, b_sys = ExchangeSystem("Ag", "Au", 8), ExchangeSystem("Au", "Ag", 8)
    a = simulate(build_network(a_sys, model), "Ag8:Au8 = 70:30", t_end_s=600, dt_s=20)
    b = simulate(build_network(b_sys, model), "Au8:Ag8 = 30:70", t_end_s=600, dt_s=20)
    np.testing.assert_allclose(
        a.concentration.values, b.concentration.values[:, _mirror(b_sys)], rtol=1e-6, atol=1e-9
    )
    # the same species carry the same labels up to element order
    assert a_sys.parse("[Ag3Au5]-") == Species(3) and b_sys.parse("[Ag3Au5]-") == Species(5)


def test_time_axis_starts_after_the_dead_time():
    net = build_network(ExchangeSystem("Ag", "Au", 5), "sim2")
    a = simulate(net, "Ag5:Au5 = 40:40", dead_time_s=20, t_end_s=100, dt_s=10)
    b = simulate(net, "Ag5:Au5 = 40:40", dead_time_s=0, t_end_s=120, dt_s=10)
    assert a.time.values[0] == 0 and a.time.values[-1] == 100
    np.testing.assert_allclose(
        a.concentration.values, b.concentration.values[2:], rtol=1e-6, atol=1e-9
    )


def test_main_job_numbers_of_the_paper():
    """Against Neumaier et al. 2021: 40:40 centred at Ag12/Ag13, 100:60 near Ag16Au9,
    [Ag50]2- absent in sim3, 77 observables."""
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    ds = simulate(net, "Ag25:Au25 = 40:40")
    assert ds.sizes["observable"] == 77
    mono = ds.intensity.isel(time=-1).values[:26]
    assert int(np.argmax(mono)) in (12, 13)
    assert float(ds.observable_concentration.sel(observable="[Ag50]2-").max()) == 0.0
    assert np.isnan(float(ds.t_max.sel(observable="[Ag50]2-")))
    ds2 = simulate(net, "Ag25:Au25 = 100:60")
    mono2 = ds2.intensity.isel(time=-1).values[:26]
    assert ds2.observable.values[int(np.argmax(mono2))] == "[Ag16Au9]-"


def test_t_max_refines_between_grid_points():
    t = np.arange(0.0, 100.0, 5.0)
    y = np.exp(-((t - 42.0) ** 2) / 200.0)
    assert t_max(t, y[:, None])[0] == pytest.approx(42.0, abs=0.3)
    edge = t_max(t, np.column_stack([t, 100 - t, np.zeros_like(t)]))
    assert edge[0] == 95.0 and edge[1] == 0.0 and np.isnan(edge[2])


@pytest.mark.parametrize(
    ("initial", "match"),
    [
        ("Ag5:Au5 = -1:40", "finite and >= 0"),
        ("Ag5:Au5 = 0:0", "all concentrations are zero"),
        ("Ag5:Au5 = nan:40", "finite and >= 0"),
        ("Ag5:Au5 = 40", "2 species but 1 amounts"),
        ("Ag5:Cu5 = 40:40", "Cu"),
        ({"[Ag5]-": "lots"}, "a concentration"),
        (np.ones(3), "this system has 27 species"),
    ],
)
def test_bad_initial_concentrations(initial, match):
    net = build_network(ExchangeSystem("Ag", "Au", 5), "sim2")
    with pytest.raises(ConfigError, match=match):
        simulate(net, initial)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"t_end_s": 0}, "t_end_s = 0.0"),
        ({"dead_time_s": -5}, "dead_time_s = -5.0"),
        ({"dt_s": float("inf")}, "dt_s = inf"),
        ({"rtol": 0.0}, "rtol = 0.0"),
        ({"atol_nM": -1e-9}, "atol_nM = -1e-09"),
        ({"times_s": [0, 5, 3]}, "strictly increasing"),
    ],
)
def test_bad_times_and_tolerances(kwargs, match):
    net = build_network(ExchangeSystem("Ag", "Au", 5), "sim2")
    with pytest.raises(ConfigError, match=match):
        simulate(net, "Ag5:Au5 = 40:40", **kwargs)


@pytest.mark.parametrize("model", ["sim1", "sim2"])
def test_direct_mechanism_relaxes_to_its_equilibrium(model):
    """Direct stepwise exchange (Zhong et al. 2021): metals conserved, sim2 factors give the
    binomial."""
    system = ExchangeSystem("Cu", "Ag", 7, charge=0, mechanism="direct")
    net = build_network(system, model, {"k_ex": 1e-3})
    x0, x = _long(net, "Cu7:Ag7 = 30:10", t_end=1e5)
    np.testing.assert_allclose(x, equilibrium_state(net, x0), rtol=1e-6, atol=1e-10)
    if model == "sim2":
        np.testing.assert_allclose(x / x.sum(), binomial(7, a_fraction(net, x0)), atol=1e-9)


def test_observables_dense_and_sparse_products_agree():
    """The dense product used for small observable matrices equals the sparse one."""
    from intercluster.kinetics import observables as obs_mod
    from intercluster.kinetics.observables import observable_concentrations

    net = build_network(ExchangeSystem("Ag", "Au", 6), "sim3")
    conc = np.random.default_rng(2).random((50, net.n_species))
    sparse = np.asarray(net.observable_matrix @ conc.T).T
    assert net.observable_matrix.shape[0] * net.n_species <= obs_mod.DENSE_OBSERVABLE_ENTRIES
    np.testing.assert_allclose(observable_concentrations(net, conc), sparse, rtol=1e-14, atol=0)
    big = build_network(ExchangeSystem("Ag", "Au", 60), "sim3")
    assert big.observable_matrix.shape[0] * big.n_species > obs_mod.DENSE_OBSERVABLE_ENTRIES
    c = np.random.default_rng(3).random((4, big.n_species))
    np.testing.assert_allclose(
        observable_concentrations(big, c), np.asarray(big.observable_matrix @ c.T).T, rtol=1e-14
    )


@pytest.mark.parametrize("mechanism", ["dimer", "direct"])
def test_conservation_drift_reports_a_leak(monkeypatch, mechanism):
    """The drift attributes measure what they claim: a solution that turns 1 % of the Ag
    into Au at the last output (a leaking solver, simulated) shows a drift of 1 % in
    each metal (equal totals at 40:40)."""
    import dataclasses

    from intercluster.kinetics.observables import observe
    from intercluster.kinetics.solver import CompiledNetwork

    system = ExchangeSystem("Ag", "Au", 4, mechanism=mechanism)
    net = build_network(system, "sim3")
    original = CompiledNetwork.integrate

    def leaking(self, *args, **kwargs):
        res = original(self, *args, **kwargs)
        y = res.y
        ag = np.array([float(s.n_a) for s in system.species])
        total_ag = y[-1] @ ag
        # move 1 % of the Ag atoms from [Ag4]- to [Au4]- (as many Au atoms appear)
        moved = 0.01 * total_ag / 4
        y[-1, system.index("[Ag4]-")] -= moved
        y[-1, system.index("[Au4]-")] += moved
        if res.observed is not None:  # the solver observed the rows it wrote
            observed = observe(net, y)
            totals = res.observed_totals
            if totals is not None:  # atoms of each metal, from the observables' weights
                totals = kwargs["observation"][3] @ observed[0].T
            res = dataclasses.replace(res, observed=observed, observed_totals=totals)
        return res

    monkeypatch.setattr(CompiledNetwork, "integrate", leaking)
    ds = simulate(net, "Ag4:Au4 = 40:40", t_end_s=600, dt_s=60)
    assert ds.attrs["conservation_drift_a"] == pytest.approx(0.01, rel=1e-9)
    assert ds.attrs["conservation_drift_b"] == pytest.approx(0.01, rel=1e-9)


def test_results_share_no_mutable_state():
    """Results of one system and output grid are copies of one cached template (its
    coordinates and indexes shared, read-only): a user's change to one result's
    attributes or data does not reach the next result, and the Dataset is the one the
    public constructor builds from the same variables and coordinates."""
    import xarray as xr

    net = build_network(ExchangeSystem("Ag", "Au", 3), "sim3")
    kw = {"t_end_s": 60.0, "dt_s": 10.0}
    first = simulate(net, "Ag3:Au3 = 40:40", **kw)
    first.attrs["note"] = "mine"
    first.concentration.attrs["units"] = "mol/L"
    first.concentration.values[0, 0] = -1.0
    first.time.attrs["units"] = "min"  # coordinates: shared data, attributes of its own
    with pytest.raises(ValueError, match="read-only"):
        first.time.values[0] = 5.0
    second = simulate(net, "Ag3:Au3 = 20:60", **kw)
    assert "note" not in second.attrs
    assert second.concentration.attrs["units"] == "nmol/L"
    assert second.time.attrs["units"] == "s"
    assert second.concentration.values[0, 0] >= 0.0
    assert not np.shares_memory(first.concentration.values, second.concentration.values)
    assert second.initial_concentration.sel(species="[Au3]-").item() == 60.0
    built = xr.Dataset(
        {k: second[k].variable for k in second.data_vars},
        coords={k: second[k].variable for k in second.coords},
        attrs=second.attrs,
    )
    xr.testing.assert_identical(second, built)


def test_mixture_strings_are_parsed_once_and_callers_get_copies():
    system = ExchangeSystem("Ag", "Au", 3)
    first = initial_concentrations(system, "Ag3:Au3 = 40:40")
    first[:] = -1.0  # a caller's change stays in its own array
    again = initial_concentrations(system, "Ag3:Au3 = 40:40")
    assert again.sum() == 80.0 and again[system.index("[Ag3]-")] == 40.0
    assert initial_concentrations(ExchangeSystem("Ag", "Au", 4), "Ag4 = 10").sum() == 10.0
    for _ in range(2):  # a bad string is refused every time, not remembered
        with pytest.raises(ConfigError, match="Pt3"):
            initial_concentrations(system, "Pt3 = 40")
