"""Families, complexes and rules: the general generator.

- the single-family model (Neumaier et al., JACS 2021, 143, 6969) comes out exactly
  as the independent oracle (tests/network/oracle.py, the generator as it was
  written before): species, order, reactions, statistical and model factors,
  rate constants, trajectories; for sim1/sim2/sim3/site and the direct mechanism;
- generic statistical factors against brute-force enumeration of labelled
  subunit positions for K = 3;
- conservation of every metal, ligand and the charge by every reaction;
- random-assembly equilibrium and vanishing net fluxes for trimers and for a
  heterodimer model of two families;
- mirror symmetry under swapping the two metals.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from oracle import oracle_rate_constants

from intercluster import ExchangeSystem, build_network, simulate
from intercluster.chem.formula import Ion
from intercluster.network import get_model
from intercluster.network.build import Network
from intercluster.network.complexes import Complex, symmetry_number
from intercluster.network.description import ClusterSystem
from intercluster.network.families import Family
from intercluster.network.rules import (
    DIMERIZATION,
    DISSOCIATION,
    EXCHANGE,
    Association,
    ComplexExchange,
)

MODELS = ["sim1", "sim2", "sim3", "site"]
FIELDS = ("kind", "reactants", "products", "a", "b", "statistical_factor")


def trimer_system(N=3, metals=("Ag", "Au"), **kw) -> ClusterSystem:
    return ClusterSystem(
        [Family("M", metals[0], metals[1], N)],
        max_subunits=3,
        constants={"k_tri": 4e-3, "k_tri_diss": 5e-2},
        **kw,
    )


# ------------------------------------------------------------ exact special case
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("mechanism", ["dimer", "direct"])
def test_single_family_equals_oracle(model, mechanism):
    """377 species and 1302 reactions for N = 25 (direct: 26 and 600), in the same
    order, with identical factors and rate constants reaction by reaction."""
    N = 7 if model == "site" else 25  # the site model's M7H classes fix N = 7
    system = ExchangeSystem("Ag", "Au", N, mechanism=mechanism)
    net = build_network(system, model)
    ref, ref_factor, ref_k = oracle_rate_constants(system, get_model(model), net.parameters)
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(net.reactions, field), getattr(ref, field), field)
    np.testing.assert_array_equal(net.model_factor, ref_factor)
    np.testing.assert_array_equal(net.rate_constants, ref_k)
    cs = system.cluster_system()
    assert cs.species_labels == system.species_labels
    assert cs.observable_labels == system.observable_labels
    if N == 25 and mechanism == "dimer":
        assert (net.n_species, net.n_reactions) == (377, 1302)
    if N == 25 and mechanism == "direct":
        assert (net.n_species, net.n_reactions) == (26, 600)


@pytest.mark.parametrize("model", MODELS)
def test_single_family_trajectories_equal_oracle(model):
    """Trajectories through the general generator equal the oracle network's to
    1e-10 of the total concentration."""
    N = 7 if model == "site" else 25
    system = ExchangeSystem("Ag", "Au", N)
    params = {"g_top_kJ_mol": 2.0, "g_cap_kJ_mol": -1.5} if model == "site" else None
    net = build_network(system, model, params)
    ref, ref_factor, _ = oracle_rate_constants(system, get_model(model), net.parameters)
    oracle_net = Network(system, get_model(model), net.parameters, ref, ref_factor)
    mix = f"Ag{N}:Au{N} = 40:40"
    a = simulate(net, mix, t_end_s=600, dt_s=30)
    b = simulate(oracle_net, mix, t_end_s=600, dt_s=30)
    diff = np.abs(a.concentration.values - b.concentration.values).max()
    assert diff <= 1e-10 * 80


def test_single_family_general_labels_parse_back():
    cs = ExchangeSystem("Ag", "Au", 4).cluster_system()
    for sp, label in zip(cs.species, cs.species_labels):
        assert cs.parse(label) == sp
        assert Ion(label) == cs.ion(sp)


# --------------------------------------------------- statistical factors, brute force
def brute_force_unimolecular(system: ClusterSystem):
    """Dissociation and exchange factors from labelled positions of one ordered tuple."""
    dissoc: Counter = Counter()
    exch: Counter = Counter()
    fams = system.families
    for c in itertools.chain(*(system.complexes_of_size(k) for k in (2, 3))):
        pos = list(c.subunits)  # one labelling of the positions
        k = len(pos)
        # unordered partitions into two non-empty groups
        for r in range(1, k):
            for group in itertools.combinations(range(k), r):
                rest = [i for i in range(k) if i not in group]
                x = Complex.of(*(pos[i] for i in group))
                y = Complex.of(*(pos[i] for i in rest))
                key = (c, tuple(sorted((x, y))))
                dissoc[key] += 0.5  # each partition is met as (group, rest) and (rest, group)
        # ordered pairs of distinct positions: one A atom from i to j
        for i, j in itertools.permutations(range(k), 2):
            (fd, xd), (fa, xa) = pos[i], pos[j]
            if not (fams[fd].in_window(xd - 1) and fams[fa].in_window(xa + 1)):
                continue
            new = list(pos)
            new[i], new[j] = (fd, xd - 1), (fa, xa + 1)
            product = Complex.of(*new)
            if product != c:
                exch[(c, product, pos[i], pos[j])] += 1
    return dissoc, exch


def test_statistical_factors_match_brute_force_trimers():
    system = trimer_system(N=3)
    net = build_network(system, "sim1")
    sp, r = system.species, net.reactions
    dissoc, exch = brute_force_unimolecular(system)
    got_dissoc, got_exch = Counter(), Counter()
    for j in range(len(r)):
        if r.kind[j] == DISSOCIATION:
            c = sp[r.reactants[j, 0]]
            key = (c, tuple(sorted((sp[r.products[j, 0]], sp[r.products[j, 1]]))))
            got_dissoc[key] += r.statistical_factor[j]
        elif r.kind[j] == EXCHANGE:
            c = sp[r.reactants[j, 0]]
            p = sp[r.products[j, 0]]
            donor = next(s for s in c.subunits if s[1] == r.a[j])
            acceptor = next(s for s in c.subunits if s[1] == r.b[j])
            got_exch[(c, p, donor, acceptor)] += r.statistical_factor[j]
    assert got_dissoc == dissoc
    assert got_exch == exch
    # the worked numbers: {a,a,b} -> {a,a}+b: 1, -> {a,b}+a: 2; {a,a,a}: 3
    a, b = (0, 1), (0, 2)
    assert dissoc[(Complex.of(a, a, b), tuple(sorted((Complex.of(a, a), Complex.of(b)))))] == 1
    assert dissoc[(Complex.of(a, a, b), tuple(sorted((Complex.of(a, b), Complex.of(a)))))] == 2
    assert dissoc[(Complex.of(a, a, a), tuple(sorted((Complex.of(a, a), Complex.of(a)))))] == 3
    # association: 1/2 exactly for identical partners
    for j in np.flatnonzero(r.kind == DIMERIZATION):
        same = r.reactants[j, 0] == r.reactants[j, 1]
        assert r.statistical_factor[j] == (0.5 if same else 1.0)


def test_trimer_counts():
    system = trimer_system(N=25)
    assert system.count_by_size() == {1: 26, 2: 351, 3: 3276}
    assert system.n_species == 3653


# ------------------------------------------------------------------- conservation
def heterodimer_system(N1=3, N2=2) -> ClusterSystem:
    """Two families sharing Ag/Au with different ligands, N and charge: heterodimers,
    homodimers and exchange across families."""
    fams = [
        Family("A", "Ag", "Au", N1, charge=-1, ligands="(SR)4"),
        Family("B", "Ag", "Au", N2, charge=-2, fixed="Pd", ligands="(DMBT)3"),
    ]
    return ClusterSystem(fams, max_subunits=2)


@pytest.mark.parametrize("make", [trimer_system, heterodimer_system])
def test_every_reaction_conserves_metals_ligands_charge(make):
    system = make()
    net = build_network(system, "sim2")
    C = net.conservation_matrix
    S = net.stoichiometry.toarray()
    assert np.all(C @ S == 0)
    assert "charge" in net.conservation_labels
    if make is heterodimer_system:
        assert {"Ag", "Au", "Pd", "(SR)", "(DMBT)", "charge"} <= set(net.conservation_labels)


# ---------------------------------------------------------- random assembly at equilibrium
def _equilibrium_checks(system, net, ds, constants):
    """[C] = K_C prod [subunit] / sigma_C, and every reversible pair's net flux ~ 0."""
    x = ds.concentration.values[-1]
    sp = system.species
    free = {c.subunits[0]: x[i] for i, c in enumerate(sp) if c.size == 1}
    total = x.sum()
    for i, c in enumerate(sp):
        if c.size == 1:
            continue
        K = constants[c.size]
        expected = K * np.prod([free[s] for s in c.subunits]) / symmetry_number(c)
        assert x[i] == pytest.approx(expected, rel=1e-5, abs=1e-9 * total), system.label(c)
    # net flux of each reversible pair
    r = net.reactions
    k = net.rate_constants
    xx = np.append(x, 1.0)  # index -1 -> 1
    rates = k * xx[r.reactants[:, 0]] * xx[r.reactants[:, 1]]
    flux: dict = {}
    for j in range(len(r)):
        left = tuple(sorted(r.reactants[j]))
        right = tuple(sorted(r.products[j]))
        key = (left, right) if left <= right else (right, left)
        flux[key] = flux.get(key, 0.0) + (rates[j] if left <= right else -rates[j])
    scale = np.max(rates)
    assert max(abs(v) for v in flux.values()) < 1e-6 * scale


@pytest.mark.parametrize("model", ["sim1", "sim2"])
def test_trimers_relax_to_random_assembly(model):
    system = trimer_system(N=3)
    net = build_network(system, model)
    p = net.parameters
    ds = simulate(net, "Ag3:Au3 = 40:40", t_end_s=4e4, dt_s=4e3, rtol=1e-10, atol_nM=1e-14)
    K_d = p["k_dim"] / p["k_diss"]
    K_t = K_d * p["k_tri"] / p["k_tri_diss"]
    _equilibrium_checks(system, net, ds, {2: K_d, 3: K_t})
    assert ds.attrs["conservation_drift_max"] < 1e-8


@pytest.mark.parametrize("model", ["sim1", "sim2"])
def test_heterodimers_relax_to_random_assembly(model):
    system = heterodimer_system()
    net = build_network(system, model, {"k_dim": 5e-3})
    x0 = {system.families[0].label(3): 40.0, system.families[1].label(0): 30.0}
    ds = simulate(net, x0, t_end_s=4e4, dt_s=4e3, rtol=1e-10, atol_nM=1e-14)
    p = net.parameters
    _equilibrium_checks(system, net, ds, {2: p["k_dim"] / p["k_diss"]})
    assert ds.attrs["conservation_drift_max"] < 1e-8
    # exchange across the families happened: B clusters now carry Ag
    comp = ds.family_composition.sel(family="B").values[-1]
    assert comp[1:].sum() > 0.1 * comp.sum()


# -------------------------------------------------------------------- mirror symmetry
@pytest.mark.parametrize("model", ["sim2", "sim3"])
def test_swapping_metals_mirrors_trimer_kinetics(model):
    N = 3
    s1 = trimer_system(N, ("Ag", "Au"))
    s2 = trimer_system(N, ("Au", "Ag"))
    n1, n2 = build_network(s1, model), build_network(s2, model)
    d1 = simulate(n1, "Ag3:Au3 = 40:10", t_end_s=900, dt_s=90)
    d2 = simulate(n2, "Ag3:Au3 = 40:10", t_end_s=900, dt_s=90)
    # the same physical species (by ion) must have the same concentration
    idx2 = {Ion(lbl): i for i, lbl in enumerate(d2.species.values)}
    perm = [idx2[Ion(lbl)] for lbl in d1.species.values]
    c1 = d1.concentration.values
    c2 = d2.concentration.values[:, perm]
    assert np.abs(c1 - c2).max() < 1e-9 * 50


def test_association_rule_changes_nothing_for_dimers_only_when_explicit():
    """Explicit default rules give the same network as the implicit defaults."""
    fam = Family("M", "Ag", "Au", 4)
    implicit = build_network(ClusterSystem([fam], 2), "sim3")
    explicit = build_network(
        ClusterSystem(
            [fam], 2, rules=[Association((1, 1), "k_dim", "k_diss"), ComplexExchange("k_ex")]
        ),
        "sim3",
    )
    np.testing.assert_array_equal(implicit.rate_constants, explicit.rate_constants)


# ------------------------------------------------------------------ fuzzing random models
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(
    n1=st.integers(0, 3),
    n2=st.integers(2, 4),
    K=st.integers(1, 3),
    two=st.booleans(),
    window=st.tuples(st.integers(0, 1), st.integers(0, 1)),
)
def test_random_models_conserve_parse_and_match_brute_force(n1, n2, K, two, window):
    fams = [Family("A", "Ag", "Au", n2, x_min=window[0], x_max=n2 - window[1], ligands="(SR)2")]
    if two:
        fams.append(Family("B", "Ag", "Au", n1, charge=-2, fixed="Pd", ligands="(DMBT)3"))
    constants = {"k_tri": 1e-3, "k_tri_diss": 1e-1}
    system = ClusterSystem(fams, K, constants=constants)
    net = build_network(system, "sim2")
    assert system.n_species == net.n_species == len(set(system.species_labels))
    for sp, label in zip(system.species, system.species_labels):
        assert system.parse(label) == sp
    S = net.stoichiometry.toarray()
    assert np.all(net.conservation_matrix @ S == 0)
    assert np.all(np.abs(S).sum(axis=0) > 0)  # no null reactions
    assert np.all(net.reactions.statistical_factor > 0)
    if K >= 2:
        _, exch = brute_force_unimolecular(system)
        r, sp = net.reactions, system.species
        got = Counter()
        for j in np.flatnonzero(r.kind == EXCHANGE):
            if r.reactants[j, 1] >= 0:
                continue
            c, p = sp[r.reactants[j, 0]], sp[r.products[j, 0]]
            got[(c, p)] += r.statistical_factor[j]
        want = Counter()
        for (c, p, _, _), v in exch.items():
            want[(c, p)] += v
        assert got == want


def test_with_parameters_general():
    system = trimer_system(N=2)
    net = build_network(system, "sim2")
    faster = net.with_parameters(k_tri=2 * net.parameters["k_tri"])
    chan = [c.name for c in net.channels]
    tri = net.reactions.channel == chan.index("trimer formation")
    np.testing.assert_allclose(faster.rate_constants[tri], 2 * net.rate_constants[tri])
    np.testing.assert_array_equal(faster.rate_constants[~tri], net.rate_constants[~tri])
