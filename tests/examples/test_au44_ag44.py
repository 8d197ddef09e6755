"""Worked example: [Au44(p-MBA)26]2- + [Ag44(p-MBA)30]4- with three frameworks.

Lin, Cao, Yao, Xie, Chem. Sci. 2022, 13, 4598 (doi:10.1039/d1sc06296d): the final
framework depends on the feeding ratio R = Au44:Ag44 (1:3 -> (p-MBA)30 with
Au12Ag32 the most abundant; 3:1 -> (p-MBA)27 with x = 20-22; 6:1 -> a mixture of
(p-MBA)26 (x = 42-44) and (p-MBA)27; (p-MBA)30 below R = 1:2 ... (p-MBA)26 above).
ONE parameter set (examples/au44_ag44.toml, illustrative) must give all of it; the
energies obey detailed balance, so the long-time state is checked as the
equilibrium of those energies under the conservation laws, and the 20 h kinetics
for the time course (Figure 3, qualitatively) and for conservation.
"""

import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ex():
    spec = importlib.util.spec_from_file_location(
        "au44_ag44_scan", ROOT / "examples" / "au44_ag44_scan.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["au44_ag44_scan"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def config(ex):
    return ex.load()


@pytest.fixture(scope="module")
def network(config):
    return config.network()


def test_species_are_the_three_frameworks_pool_and_fragments(network):
    labels = network.species_labels
    assert network.n_species == 3 * 45 + 2 + 2
    for label in ("[Ag44(p-MBA)30]4-", "[Au12Ag32(p-MBA)30]4-", "[Au21Ag23(p-MBA)27]3-",
                  "[Au44(p-MBA)26]2-", "[Au(p-MBA)2]-", "[Ag(p-MBA)2]-"):  # fmt: skip
        assert label in labels
    fams = network.cluster_system.families
    electrons = {f.name: f.ion(12).valence_electrons for f in fams if not f.pool}
    assert (electrons["M44S30"], electrons["M44S27"], electrons["M44S26"]) == (18, 20, 20)


def test_every_reaction_obeys_detailed_balance(ex, network):
    """k_f/k_b = exp(-dG/RT) for every pair, G from the frameworks' energies."""
    from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K

    rt = GAS_CONSTANT_KJ_MOL_K * 298.15
    g = ex.standard_potentials_kJ_mol(network)
    r = network.reactions
    key = {}
    for j in range(len(r)):
        react = tuple(sorted(int(i) for i in r.reactants[j] if i >= 0))
        prod = tuple(sorted(int(i) for i in r.products[j] if i >= 0))
        key[(react, prod)] = j
    worst = 0.0
    for (react, prod), j in key.items():
        back = key[(prod, react)]
        d_g = g[list(prod)].sum() - g[list(react)].sum()
        lhs = np.log(network.rate_constants[j] / network.rate_constants[back])
        worst = max(worst, abs(lhs + d_g / rt))
    assert worst < 1e-8


@pytest.fixture(scope="module")
def equilibria(ex, config, network):
    ratios = (1 / 40, 1 / 10, 1 / 3, 1 / 2, 1.0, 2.0, 3.0, 6.0, 10.0, 40.0)
    return {r: ex.equilibrium_outcome(config, r, network=network) for r in ratios}


def test_one_to_three_ends_in_s30_with_au12ag32_most_abundant(equilibria):
    o = equilibria[1 / 3]
    assert o.dominant == "M44S30" and o.fraction["M44S30"] > 0.9
    assert o.mode_x["M44S30"] == 12


def test_three_to_one_ends_in_s27_with_x_20_to_22(equilibria):
    o = equilibria[3.0]
    assert o.dominant == "M44S27"
    assert 20 <= o.mode_x["M44S27"] <= 22
    assert o.fraction["M44S30"] < 1e-3


def test_six_to_one_is_a_mixture_of_s26_at_42_44_and_s27(equilibria):
    o = equilibria[6.0]
    assert o.fraction["M44S26"] > 0.5 and o.fraction["M44S27"] > 0.15
    assert 42 <= o.mode_x["M44S26"] <= 44
    assert o.fraction["M44S30"] < 1e-3


def test_lever_rule_from_metal_conservation(ex, equilibria):
    """Where only M44S27 and M44S26 remain, their shares follow from the Au balance:
    f27 = (mean x26 - x_fed)/(mean x26 - mean x27), x_fed = 44 R/(R + 1); this caps
    the M44S27 share at 3:1 near 1/2 when its x is 20-22 (docs/example-au44-ag44.md)."""
    for r in (3.0, 6.0, 10.0):
        o = equilibria[r]
        x = np.arange(45)
        m27 = (o.distribution["M44S27"] * x).sum() / o.distribution["M44S27"].sum()
        m26 = (o.distribution["M44S26"] * x).sum() / o.distribution["M44S26"].sum()
        x_fed = 44 * r / (r + 1)
        share = o.fraction["M44S27"] / (o.fraction["M44S27"] + o.fraction["M44S26"])
        assert share == pytest.approx((m26 - x_fed) / (m26 - m27), abs=2e-3)


def test_map_order_is_s30_then_s27_then_s26_and_monotone(ex, equilibria):
    order = {"M44S30": 0, "M44S27": 1, "M44S26": 2}
    ratios = sorted(equilibria)
    dominant = [order[equilibria[r].dominant] for r in ratios]
    assert dominant[0] == 0 and dominant[-1] == 2 and 1 in dominant
    assert all(a <= b for a, b in itertools.pairwise(dominant))
    electrons = [equilibria[r].mean_electrons for r in ratios]
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(electrons))
    # Lin et al.'s rule: average feeding electrons below 19 (R < 1) -> (p-MBA)30
    for r in ratios:
        if ex.feeding_electrons(r) < 19 - 0.2:
            assert equilibria[r].dominant == "M44S30"
        if ex.feeding_electrons(r) > 19:
            assert equilibria[r].dominant != "M44S30"


def test_time_course_one_to_three_and_three_to_one(ex, config, network):
    """Figure 3, qualitatively, and conservation of Au, Ag, p-MBA and charge."""
    times = np.array([0.0, 600, 3600, 36000, 72000])
    ds = ex.run(config, 1 / 3, times_s=times, network=network)
    outs = [ex.outcome(ds, 1 / 3, i) for i in range(len(times))]
    x = np.arange(45)
    mean_x30 = [(o.distribution["M44S30"] * x).sum() / o.distribution["M44S30"].sum() for o in outs]
    assert all(a < b for a, b in itertools.pairwise(mean_x30[:4]))  # Au content rises over hours
    assert outs[-1].dominant == "M44S30" and outs[-1].mode_x["M44S30"] == 12
    for key in ("Au", "Ag", "(p-MBA)", "charge"):
        assert abs(ds.attrs[f"conservation_drift_{key}"]) < 1e-8
    assert ds.attrs.get("min_concentration_relative", 0.0) > -1e-12

    ds = ex.run(config, 3.0, times_s=np.array([0.0, 600, 72000]), network=network)
    early, late = ex.outcome(ds, 3.0, 1), ex.outcome(ds, 3.0, 2)
    # Ag first enters (p-MBA)26 (x < 44 after 10 min), then (p-MBA)27 appears and grows
    mean_x26 = (early.distribution["M44S26"] * x).sum() / early.distribution["M44S26"].sum()
    assert mean_x26 < 43.5
    assert early.fraction["M44S27"] < 0.15 < late.fraction["M44S27"]
    assert late.fraction["M44S30"] < 0.01 and 20 <= late.mode_x["M44S27"] <= 22
    for key in ("Au", "Ag", "(p-MBA)", "charge"):
        assert abs(ds.attrs[f"conservation_drift_{key}"]) < 1e-8


def test_map_order_after_20_h(ex, config, network):
    """The same order in the 20 h kinetics (the paper's reaction time)."""
    order = {"M44S30": 0, "M44S27": 1, "M44S26": 2}
    ratios = (1 / 10, 1 / 3, 1.0, 2.0, 10.0)
    dominant = []
    for r in ratios:
        ds = ex.run(config, r, times_s=np.array([0.0, ex.T_END_S]), network=network)
        dominant.append(order[ex.outcome(ds, r).dominant])
    assert dominant == [0, 0, 1, 1, 2]
