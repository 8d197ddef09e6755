"""Species, reactions and statistical factors of the dimer mechanism.

The oracle is independent of intercluster.network.rules: it writes the kinetics
in the space of *ordered* subunit pairs (m, n), where every rule is a plain
unit-factor process, and projects onto unordered dimer isomers. Our network's
right-hand side must equal that projection for every rate model.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intercluster import ConfigError, ExchangeSystem, build_network
from intercluster.errors import NetworkSizeError
from intercluster.kinetics.solver import CompiledNetwork
from intercluster.network import DimerSum, RateModel, Species, get_model


def oracle_rhs(system, model, params, x):
    """d[species]/dt from brute-force enumeration of ordered subunit pairs."""
    N = system.n_atoms
    n_mono = N + 1
    M = x[:n_mono]
    D = {d: x[system.index(d)] for d in system.dimers}
    # ordered populations: random orientation of each unordered dimer
    ordered = {}
    for m, n in ((m, n) for m in range(N + 1) for n in range(N + 1)):
        key = Species(max(m, n), min(m, n))
        ordered[(m, n)] = D[key] if m == n else D[key] / 2
    dM = np.zeros(n_mono)
    dd = {k: 0.0 for k in ordered}
    k_dim, k_diss, k_ex = params["k_dim"], params["k_diss"], params["k_ex"]
    arr = lambda v: np.array([v])  # noqa: E731
    for m, n in ordered:
        fdim = model.dimerization_factor(system, arr(m), arr(n), params)[0]
        fdiss = model.dissociation_factor(system, arr(m), arr(n), params)[0]
        # encounters: each ordered pair receives half of the M_m M_n encounters
        v = 0.5 * k_dim * fdim * M[m] * M[n]
        dd[(m, n)] += v
        dM[m] -= v
        dM[n] -= v
        v = k_diss * fdiss * ordered[(m, n)]
        dd[(m, n)] -= v
        dM[m] += v
        dM[n] += v
        # one A atom from the first subunit to the second, and the reverse
        if m >= 1 and n <= N - 1:
            v = k_ex * model.exchange_factor(system, arr(m), arr(n), params)[0] * ordered[(m, n)]
            dd[(m, n)] -= v
            dd[(m - 1, n + 1)] += v
        if n >= 1 and m <= N - 1:
            v = k_ex * model.exchange_factor(system, arr(n), arr(m), params)[0] * ordered[(m, n)]
            dd[(m, n)] -= v
            dd[(m + 1, n - 1)] += v
    out = np.zeros(system.n_species)
    out[:n_mono] = dM
    for (m, n), v in dd.items():
        out[system.index(Species(max(m, n), min(m, n)))] += v
    return out


class Weird(RateModel):
    """An asymmetric-in-donor model (no detailed balance) to stress the oracle."""

    name = "weird"
    defaults: ClassVar[dict] = {"k_dim": 0.02, "k_diss": 0.07, "k_ex": 0.05}

    def exchange_factor(self, system, donor, acceptor, params):
        return 0.3 + donor**2 / (1.0 + acceptor)

    def dimerization_factor(self, system, m, n, params):
        return 1.0 + (m - n) ** 2

    def dissociation_factor(self, system, m, n, params):
        return 0.5 + m * n


@pytest.mark.parametrize("N", [1, 2, 3, 4, 5, 6, 25, 44])
def test_counts_follow_the_general_formulas(N):
    net = build_network(ExchangeSystem("Ag", "Au", N), "sim1")
    c = net.counts()
    assert c["monomers"] == N + 1
    assert c["dimers"] == (N + 1) * (N + 2) // 2
    assert c["dimerizations"] == c["dissociations"] == (N + 1) * (N + 2) // 2
    assert c["exchanges"] == N * (N - 1)
    assert c["reactions"] == net.n_reactions == net.stoichiometry.shape[1]
    assert c["observables"] == 3 * N + 2


def test_paper_counts_for_n25():
    """Neumaier 2021: 377 species, 1302 reactions (351 + 351 + 600), 77 observables."""
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    assert net.counts() == {
        "monomers": 26,
        "dimers": 351,
        "species": 377,
        "dimerizations": 351,
        "dissociations": 351,
        "exchanges": 600,
        "reactions": 1302,
        "observables": 77,
    }


@pytest.mark.parametrize("model", ["sim1", "sim2", "sim3", Weird()])
@pytest.mark.parametrize("N", [1, 2, 3, 5, 8])
def test_rhs_equals_ordered_pair_oracle(model, N):
    system = ExchangeSystem("Ag", "Au", N)
    net = build_network(system, model)
    cn = CompiledNetwork.from_network(net)
    rng = np.random.default_rng(N)
    for _ in range(3):
        x = rng.uniform(0, 5, system.n_species)
        expected = oracle_rhs(system, net.model, net.parameters, x)
        np.testing.assert_allclose(cn.rhs(x), expected, rtol=1e-12, atol=1e-12)


def test_statistical_factors_of_homo_compositions():
    """M_m + M_m forms D_mm at (k_dim/2)[M]^2; {m, m} exchanges out at 2 x the one-way rate."""
    net = build_network(ExchangeSystem("Ag", "Au", 4), "sim2", {"k_dim": 0.3, "k_ex": 0.7})
    frame = net.to_frame()
    homo = frame[frame.reaction == "[Ag2Au2]- + [Ag2Au2]- -> [(Ag2Au2)(Ag2Au2)]2-"]
    assert homo.k.item() == pytest.approx(0.15)
    out = frame[frame.reaction == "[(Ag2Au2)(Ag2Au2)]2- -> [(Ag3Au)(AgAu3)]2-"]
    # P = (2/4)(2/4) for each of the two donor subunits
    assert out.k.item() == pytest.approx(0.7 * 2 * 0.25)
    back = frame[frame.reaction == "[(Ag3Au)(AgAu3)]2- -> [(Ag2Au2)(Ag2Au2)]2-"]
    assert back.k.item() == pytest.approx(0.7 * (3 / 4) * (3 / 4))
    # {m + 1, m} exchanging towards equal composition gives itself: not listed
    assert not any("[(Ag2Au2)(AgAu3)]2- -> [(Ag2Au2)(AgAu3)]2-" in r for r in frame.reaction)


def test_sim2_probability_factors_match_eqs_2_and_3():
    """002, 'Simulation 2': [(Ag24Au)(AgAu24)] mixes with 0.9216, unmixes with 0.0016."""
    system = ExchangeSystem("Ag", "Au", 25)
    model = get_model("sim2")
    P_f = model.exchange_factor(system, np.array([24]), np.array([1]), {})[0]
    P_b = model.exchange_factor(system, np.array([1]), np.array([24]), {})[0]
    assert P_f == pytest.approx(0.9216)
    assert P_b == pytest.approx(0.0016)
    assert 1 - P_f - P_b == pytest.approx(0.0768)  # the "null" exchanges


def test_sim3_f_au_example_from_the_paper():
    """Neumaier et al. 2021: for [Ag8Au17]- + [Ag15Au10]-, f_Au = (17 + 10)/50 = 0.54."""
    system = ExchangeSystem("Ag", "Au", 25)
    f = get_model("sim3").dimerization_factor(system, np.array([8]), np.array([15]), {})[0]
    assert f == pytest.approx(0.54)
    # tied to gold, not to the position: the swapped system gives the same factor
    swapped = ExchangeSystem("Au", "Ag", 25)
    f2 = get_model("sim3").dimerization_factor(swapped, np.array([17]), np.array([10]), {})[0]
    assert f2 == pytest.approx(0.54)


def test_stoichiometry_conserves_both_metals():
    net = build_network(ExchangeSystem("Cu", "Ag", 7), "sim3")
    assert np.abs(net.atom_matrix @ net.stoichiometry.toarray()).max() == 0


def test_with_parameters_changes_only_the_constants():
    net = build_network(ExchangeSystem(n_atoms=6), "sim3")
    net2 = net.with_parameters(k_ex=1.0)
    assert net2.reactions is net.reactions
    ex = net.reactions.kind == 2
    np.testing.assert_allclose(net2.rate_constants[ex], net.rate_constants[ex] / 0.032)
    np.testing.assert_array_equal(net2.rate_constants[~ex], net.rate_constants[~ex])


def test_user_model_from_functions_and_its_errors():
    model = RateModel.from_functions("mine", exchange=lambda d, a, N: d / N)
    net = build_network(ExchangeSystem(n_atoms=3), model)
    ex = net.reactions.kind == 2
    np.testing.assert_allclose(net.model_factor[ex], net.reactions.a[ex] / 3)
    # a scalar-only function is evaluated element by element
    model2 = RateModel.from_functions("scalar", exchange=lambda d, a, N: float(max(d - a, 0)))
    net2 = build_network(ExchangeSystem(n_atoms=3), model2)
    np.testing.assert_allclose(
        net2.model_factor[ex], np.maximum(net2.reactions.a[ex] - net2.reactions.b[ex], 0)
    )
    bad = RateModel.from_functions("neg", exchange=lambda d, a, N: d - 2.0)
    with pytest.raises(ConfigError, match="finite and >= 0"):
        build_network(ExchangeSystem(n_atoms=3), bad)
    asym = RateModel.from_functions("asym", dimerization=lambda m, n, N: 1.0 + m)
    with pytest.raises(ConfigError, match="symmetric"):
        build_network(ExchangeSystem(n_atoms=3), asym)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metal_a": "Ag", "metal_b": "Ag"}, "metal_b = 'Ag'"),
        ({"metal_a": "Xx"}, "metal_a = 'Xx'"),
        ({"n_atoms": 0}, "n_atoms = 0"),
        ({"n_atoms": 2.5}, "n_atoms = 2.5"),
    ],
)
def test_bad_systems(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ExchangeSystem(**kwargs)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"k_dim": -1.0}, "k_dim = -1.0"),
        ({"k_dim": 0.0}, "k_dim = 0.0"),
        ({"k_diss": float("nan")}, "k_diss = nan"),
        ({"k_ex": -0.1}, "k_ex = -0.1"),
        ({"k_ex": float("inf")}, "k_ex = inf"),
        ({"k_exchange": 1.0}, "has parameters k_dim, k_diss, k_ex"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ConfigError, match=match):
        build_network(ExchangeSystem(n_atoms=4), "sim2", params)


def test_unknown_model_lists_known_ones():
    with pytest.raises(ConfigError, match="sim1, sim2, sim3"):
        build_network(ExchangeSystem(n_atoms=4), "sim4")


def test_size_limit_is_reported_before_building():
    with pytest.raises(NetworkSizeError, match="allow_large=True"):
        build_network(ExchangeSystem(n_atoms=250), "sim1")


# ------------------------------------------------------------------ labels
@settings(max_examples=200, deadline=None)
@given(
    N=st.integers(1, 60),
    data=st.data(),
    metals=st.sampled_from([("Ag", "Au"), ("Au", "Ag"), ("Cu", "Ag"), ("Pd", "Pt")]),
    charge=st.integers(-4, 3),
)
def test_labels_round_trip(N, data, metals, charge):
    system = ExchangeSystem(metals[0], metals[1], N, charge)
    m = data.draw(st.integers(0, N))
    n = data.draw(st.integers(0, m))
    for item in (Species(m), Species(m, n), DimerSum(m + n)):
        assert system.parse(system.label(item)) == item


def test_labels_in_the_papers_notation():
    s = ExchangeSystem("Ag", "Au", 25)
    assert s.observable_labels[:3] == ("[Au25]-", "[AgAu24]-", "[Ag2Au23]-")
    assert s.observable_labels[25] == "[Ag25]-"
    assert s.observable_labels[26] == "[Au50]2-"
    assert s.observable_labels[-1] == "[Ag50]2-"
    assert s.label(s.parse("[(Ag24Au)(AgAu24)]2-")) == "[(Ag24Au)(AgAu24)]2-"
    # subunits may be written in either order; the A-richer one comes first
    assert s.parse("[(AgAu24)(Ag24Au)]2-") == s.parse("[(Ag24Au)(AgAu24)]2-")
    assert s.parse("[Au13Ag12]-") == s.parse("[Ag12Au13]-")


@pytest.mark.parametrize(
    ("label", "match"),
    [
        ("Ag25-", "square brackets"),
        ("[Ag25", "square brackets"),
        ("[Ag24Cu]-", "'Cu' at position 4"),
        ("[Ag24]-", "24 metal atoms"),
        ("[Ag25]2-", "charge -2"),
        ("[(Ag25)(Au24)]2-", "subunit has 24"),
        ("[Ag25Ag]-", "written twice"),
        ("[Ag2x5]-", "cannot read"),
    ],
)
def test_bad_labels(label, match):
    from intercluster import FormulaError

    with pytest.raises(FormulaError, match=match):
        ExchangeSystem("Ag", "Au", 25).parse(label)


# ------------------------------------------------------------ direct mechanism
def direct_oracle_rhs(system, model, params, x):
    """Direct exchange from ordered encounters: each ordered pair (x, y) meets at
    (k/2)[M_x][M_y] and, as inside a dimer, either member can give one A atom to the
    other (x -> y with factor e(x, y), y -> x with e(y, x))."""
    N = system.n_atoms
    out = np.zeros(N + 1)
    k = params["k_ex"]

    def donate(d, acc, rate):
        if d >= 1 and acc <= N - 1:
            f = model.exchange_factor(system, np.array([d]), np.array([acc]), params)[0]
            v = rate * f
            out[d] -= v
            out[acc] -= v
            out[d - 1] += v
            out[acc + 1] += v

    for a in range(N + 1):
        for b in range(N + 1):
            rate = 0.5 * k * x[a] * x[b]
            donate(a, b, rate)
            donate(b, a, rate)
    return out


@pytest.mark.parametrize("model", ["sim1", "sim2", Weird()])
@pytest.mark.parametrize("N", [1, 2, 3, 7])
def test_direct_mechanism_counts_and_oracle(model, N):
    system = ExchangeSystem("Cu", "Ag", N, charge=1, mechanism="direct")
    net = build_network(system, model)
    assert net.n_species == N + 1 == len(net.observable_labels)
    assert net.counts()["exchanges"] == N * (N - 1) == system.n_reactions
    cn = CompiledNetwork.from_network(net)
    x = np.random.default_rng(N).uniform(0, 5, N + 1)
    np.testing.assert_allclose(
        cn.rhs(x), direct_oracle_rhs(system, net.model, net.parameters, x), rtol=1e-12, atol=1e-12
    )


def test_direct_mechanism_has_no_dimers():
    from intercluster import FormulaError

    system = ExchangeSystem("Cu", "Ag", 7, charge=0, mechanism="direct")
    assert system.observable_labels[:2] == ("[Ag7]", "[CuAg6]")
    with pytest.raises(FormulaError, match="mechanism = 'direct'"):
        system.index("[(Cu7)(Ag7)]")
    with pytest.raises(ConfigError, match="mechanism = 'trimer'"):
        ExchangeSystem(mechanism="trimer")
