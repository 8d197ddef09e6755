"""Worked example: [Au44(p-MBA)26]2- + [Ag44(p-MBA)30]4- with three frameworks.

Lin, Cao, Yao, Xie, Chem. Sci. 2022, 13, 4598 (doi:10.1039/d1sc06296d): the final
framework depends on the feeding ratio R = Au44:Ag44 (1:3 -> (p-MBA)30 with
Au12Ag32 the most abundant; 3:1 -> mostly (p-MBA)27 with x = 20-22; 6:1 -> a
mixture of (p-MBA)26 (x = 42-44) and (p-MBA)27; (p-MBA)30 below R = 1:2 ...
(p-MBA)26 above). ONE parameter set (examples/au44_ag44.toml, illustrative) must give
all of it, after the paper's 20 h and at equilibrium (the energies obey detailed
balance, so the long-time state is the equilibrium of those energies under the
conservation laws). At 3:1 the (p-MBA)27 clusters can be the majority only if Au
leaves the 44-atom clusters: the model's partial decomposition into [M(p-MBA)2]-
complexes (Lin et al.: "partial decomposition of the two parental NCs occurred as a
side reaction", with Au/Ag-SR complexes where Au44 is in excess) takes it.
"""

import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Feeding ratios checked (R = Au44:Ag44).
RATIOS = (1 / 40, 1 / 10, 1 / 3, 1 / 2, 1.0, 2.0, 3.0, 6.0, 10.0, 40.0)
ORDER = {"M44S30": 0, "M44S27": 1, "M44S26": 2}


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


def test_species_are_the_frameworks_pool_decomposed_complexes_and_fragments(network):
    labels = network.species_labels
    assert network.n_species == 3 * 45 + 2 + 45 + 4
    for label in ("[Ag44(p-MBA)30]4-", "[Au12Ag32(p-MBA)30]4-", "[Au21Ag23(p-MBA)27]3-",
                  "[Au44(p-MBA)26]2-", "[Au(p-MBA)2]-", "[Ag(p-MBA)2]-",
                  "[Au40Ag4(p-MBA)88]44-", "[(p-MBA)62]42-", "[(p-MBA)58]40-"):  # fmt: skip
        assert label in labels
    fams = {f.name: f for f in network.cluster_system.families}
    electrons = {name: f.ion(min(12, f.n_atoms)).valence_electrons for name, f in fams.items()}
    assert (electrons["M44S30"], electrons["M44S27"], electrons["M44S26"]) == (18, 20, 20)
    # 44 Au(I)/Ag(I) complexes: no valence electrons left (the disulfide took them)
    assert electrons["decomposed"] == 0 and electrons["pool"] == 0


def test_every_reaction_obeys_detailed_balance(ex, network):
    """k_f/k_b = exp(-dG/RT) for every pair, G from the frameworks' energies; the
    example's potentials (which its equilibria use) are the tests' independent ones."""
    from tests.energy_balance import RT, chemical_potentials, reactions_by_species

    g = ex.standard_potentials_kJ_mol(network)
    np.testing.assert_allclose(g, chemical_potentials(network), rtol=1e-12, atol=1e-9)
    key = reactions_by_species(network)
    worst = 0.0
    for (react, prod), j in key.items():
        back = key[(prod, react)]
        d_g = g[list(prod)].sum() - g[list(react)].sum()
        lhs = np.log(network.rate_constants[j] / network.rate_constants[back])
        worst = max(worst, abs(lhs + d_g / RT))
    assert worst < 1e-8


@pytest.fixture(scope="module")
def equilibria(ex, config, network):
    return {r: ex.equilibrium_outcome(config, r, network=network) for r in RATIOS}


@pytest.fixture(scope="module")
def after_20_h(ex, config, network):
    out = {}
    for r in RATIOS:
        ds = ex.run(config, r, times_s=np.array([0.0, ex.T_END_S]), network=network)
        for key in ("Au", "Ag", "(p-MBA)", "charge"):
            assert abs(ds.attrs[f"conservation_drift_{key}"]) < 1e-8
        assert ds.attrs.get("min_concentration_relative", 0.0) > -1e-12
        out[r] = ex.outcome(ds, r)
    return out


# the 20 h kinetics at ten ratios takes ~7 s
@pytest.fixture(params=[pytest.param("20 h", marks=pytest.mark.slow), "equilibrium"])
def outcomes(request, after_20_h, equilibria):
    return after_20_h if request.param == "20 h" else equilibria


def test_one_to_three_ends_in_s30_with_au12ag32_most_abundant(outcomes):
    o = outcomes[1 / 3]
    assert o.dominant == "M44S30" and o.fraction["M44S30"] > 0.9
    assert o.mode_x["M44S30"] == 12
    assert o.decomposed < 0.01  # the metal ends in clusters ("atomic efficiency is high")


def test_three_to_one_ends_mostly_in_s27_with_x_20_to_22(outcomes):
    o = outcomes[3.0]
    assert o.fraction["M44S27"] > 0.6
    assert 20 <= o.mode_x["M44S27"] <= 22
    assert o.fraction["M44S30"] < 1e-3


def test_six_to_one_is_a_mixture_of_s26_at_42_44_and_s27(outcomes):
    o = outcomes[6.0]
    assert o.fraction["M44S26"] > 0.5 and o.fraction["M44S27"] > 0.15
    assert 42 <= o.mode_x["M44S26"] <= 44
    assert o.fraction["M44S30"] < 1e-3


def test_map_order_is_s30_then_s27_then_s26_and_monotone(ex, outcomes):
    ratios = sorted(outcomes)
    dominant = [ORDER[outcomes[r].dominant] for r in ratios]
    assert dominant[0] == 0 and dominant[-1] == 2 and 1 in dominant
    assert all(a <= b for a, b in itertools.pairwise(dominant))
    electrons = [outcomes[r].mean_electrons for r in ratios]
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(electrons))
    # Lin et al.'s rule: average feeding electrons below 19 (R < 1) -> (p-MBA)30
    for r in ratios:
        if ex.feeding_electrons(r) < 19 - 0.2:
            assert outcomes[r].dominant == "M44S30"
        if ex.feeding_electrons(r) > 19:
            assert outcomes[r].dominant != "M44S30"


def test_at_three_to_one_the_excess_au_is_in_the_complexes(ex, outcomes):
    """Metal balance (the lever rule): with all metal in 44-atom clusters and only M44S27
    and M44S26 left, f27 = (x26 - x_fed)/(x26 - x27) (mean x of each framework,
    x_fed = 33 at 3:1), at most about 1/2 for x27 = 20-22. Here Au-rich complexes
    hold the Au that would cap (p-MBA)27; every Au atom is accounted for."""
    o = outcomes[3.0]
    x27, x26 = o.mean_x("M44S27"), o.mean_x("M44S26")
    x_fed = 44 * 3.0 / 4.0
    assert (x26 - x_fed) / (x26 - x27) < 0.55  # the cap without complexes
    assert o.fraction["M44S27"] > 0.6
    assert o.decomposed > 0.2 and o.mean_x("decomposed") / 44 > 0.8  # Au-rich: fed 0.75
    x = np.arange(45)
    au = sum((o.distribution[f] * x).sum() for f in ex.ALL_FAMILIES)
    units = sum(o.distribution[f].sum() for f in (*ex.FAMILIES, "decomposed"))
    fed = ex.mixture(3.0)
    assert au == pytest.approx(44 * fed["[Au44(p-MBA)26]2-"] + fed["[Au(p-MBA)2]-"], rel=1e-7)
    assert units == pytest.approx(ex.TOTAL_NM, rel=1e-7)  # clusters + decomposed clusters


def test_parent_clusters_alone_do_not_decompose(ex, config, network):
    """Each mother solution is stable: decomposition needs both metals (at equilibrium,
    mixed Au/Ag complexes gain the mixing entropy that pure ones lack)."""
    for parent, other in (("[Au44(p-MBA)26]2-", "[Ag44(p-MBA)30]4-"),
                          ("[Ag44(p-MBA)30]4-", "[Au44(p-MBA)26]2-")):  # fmt: skip
        mix = ex.mixture(1.0)
        mix[parent], mix[other] = ex.TOTAL_NM, 0.0
        c = ex.equilibrium(network, mix)
        labels = network.species_labels
        decomposed = sum(c[i] for i, s in enumerate(labels) if "(p-MBA)88]44-" in s)
        assert decomposed < 0.03 * ex.TOTAL_NM


@pytest.mark.slow
def test_second_decomposition_channel_leaves_the_equilibrium_unchanged(ex, config, tmp_path):
    """The M44S30 channel closes a cycle of conversions; with the lumped reagents in the
    ratio the cycle's equilibrium requires ([RS40_RSSR9] = [RS42_RSSR10]/([RS][RS_RSSR]))
    the equilibrium is that of the M44S26 channel alone; with another ratio it is not."""
    text = (ROOT / "examples" / "au44_ag44.toml").read_text()
    block = text[text.index("[[rules.conversion]]        # the same into and out of") :]
    block = block[: block.index("\n\n") + 2]
    assert 'target = "M44S30"' in block
    path = tmp_path / "one_channel.toml"
    path.write_text(text.replace(block, ""))
    one = ex.load(path)
    assert one.network().n_reactions == config.network().n_reactions - 2 * 45
    for r in (1 / 3, 3.0):
        a = ex.equilibrium_outcome(config, r)
        b = ex.equilibrium_outcome(one, r)
        for f in ex.FAMILIES:
            assert a.fraction[f] == pytest.approx(b.fraction[f], abs=1e-6)
        assert a.decomposed == pytest.approx(b.decomposed, abs=1e-6)
    wrong = dict(ex.mixture(3.0), RS40_RSSR9=ex.RESERVOIR_NM)
    c_right = ex.equilibrium(config.network(), ex.mixture(3.0))
    c_wrong = ex.equilibrium(config.network(), wrong)
    assert np.abs(c_right - c_wrong).max() > 10.0  # nmol/L: the cycle drives the reagents


def test_time_course_one_to_three_and_three_to_one(ex, config, network):
    """Figure 3, qualitatively, and conservation of Au, Ag, p-MBA and charge."""
    times = np.array([0.0, 600, 3600, 36000, 72000])
    ds = ex.run(config, 1 / 3, times_s=times, network=network)
    outs = [ex.outcome(ds, 1 / 3, i) for i in range(len(times))]
    mean_x30 = [o.mean_x("M44S30") for o in outs]
    assert all(a < b for a, b in itertools.pairwise(mean_x30[:4]))  # Au content rises over hours
    assert outs[-1].dominant == "M44S30" and outs[-1].mode_x["M44S30"] == 12
    for key in ("Au", "Ag", "(p-MBA)", "charge"):
        assert abs(ds.attrs[f"conservation_drift_{key}"]) < 1e-8
    assert ds.attrs.get("min_concentration_relative", 0.0) > -1e-12

    ds = ex.run(config, 3.0, times_s=np.array([0.0, 600, 10800, 72000]), network=network)
    early, mid, late = (ex.outcome(ds, 3.0, i) for i in (1, 2, 3))
    # Ag first enters (p-MBA)26 (x < 44 after 10 min), then (p-MBA)27 appears and grows
    # over hours while (p-MBA)30 disappears and Au-rich complexes build up
    assert early.mean_x("M44S26") < 43.5
    assert early.fraction["M44S27"] < 0.15 < mid.fraction["M44S27"] < late.fraction["M44S27"]
    assert early.decomposed < mid.decomposed < late.decomposed
    assert late.fraction["M44S30"] < 0.01 and 20 <= late.mode_x["M44S27"] <= 22
    for key in ("Au", "Ag", "(p-MBA)", "charge"):
        assert abs(ds.attrs[f"conservation_drift_{key}"]) < 1e-8
