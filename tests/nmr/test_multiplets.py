"""Hydride isotopomer multiplets against an enumeration of every
isotope and spin state, the patterns described by Zhong et al. 2021 with their Table 1
couplings, deuteride scaling, and bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from intercluster import ConfigError, FormulaError
from intercluster.nmr import (
    count_resolved_lines,
    gamma_ratio,
    get_nucleus,
    hydride_multiplet,
    line_groups,
    parse_hydride_cluster,
    silver_count,
    zhong2021_table1,
)

TABLE1 = zhong2021_table1()


def enumerated_lines(k, j107, j109, a107=0.51839):
    """Every silver atom independently: isotope (107 or 109) and spin +-1/2."""
    lines: dict[float, float] = {}
    for states in itertools.product(((j107, a107), (j109, 1 - a107)), (-0.5, 0.5), repeat=k):
        pos, weight = 0.0, 1.0
        for (j, abundance), spin in zip(states[0::2], states[1::2]):
            pos += j * spin
            weight *= abundance * 0.5
        key = round(pos, 9)
        lines[key] = lines.get(key, 0.0) + weight
    keys = sorted(lines)
    return np.array(keys), np.array([lines[x] for x in keys])


@pytest.mark.parametrize("k", range(0, 6))
def test_lines_match_enumeration_of_isotopes_and_spins(k):
    m = hydride_multiplet(k, 53.8, j109_hz=61.9)
    pos, w = enumerated_lines(k, 53.8, 61.9)
    np.testing.assert_allclose(m.offsets_hz, pos, atol=1e-9)
    np.testing.assert_allclose(m.intensities, w, rtol=1e-12)
    assert m.intensities.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(m.intensities, m.intensities[::-1])  # symmetric


def test_isotopomer_weights_are_binomial_in_the_abundances():
    """Cu5Ag2(H): 107-107, 107-109 and 109-109 'in the ratio 1:2:1 (approximately)'."""
    m = hydride_multiplet(2, 58.3, j109_hz=67.0)
    a, b = 0.51839, 0.48161
    edge = dict(zip(np.round(m.offsets_hz, 6), m.intensities))
    assert edge[-58.3] == pytest.approx(a * a / 4)  # outer line of the 107-107 triplet
    assert edge[-67.0] == pytest.approx(b * b / 4)
    assert edge[round(-(58.3 + 67.0) / 2, 6)] == pytest.approx(2 * a * b / 4)
    assert edge[0.0] == pytest.approx(a * a / 2 + b * b / 2)


def test_nuclear_data_match_000():
    assert get_nucleus("107Ag").abundance == pytest.approx(0.5182, abs=2e-4)  # "51.82%"
    assert gamma_ratio("109Ag", "107Ag") == pytest.approx(1.145, abs=0.005)  # "1.145"
    assert gamma_ratio("1H", "2H") == pytest.approx(6.51, abs=0.01)  # "6.51"
    # Table 1's own J(109Ag)/J(107Ag) for every silver-containing cluster
    has_ag = TABLE1["n_ag"] > 0
    ratio = TABLE1.loc[has_ag, "J_H_109Ag_Hz"] / TABLE1.loc[has_ag, "J_H_107Ag_Hz"]
    np.testing.assert_allclose(ratio, gamma_ratio("109Ag", "107Ag"), atol=0.005)


@pytest.mark.parametrize(
    ("label", "k", "pattern"),
    [
        ("[Cu6Ag]", 1, "a pair of doublets"),
        ("[Cu5Ag2]", 2, "pseudo triplet of triplets"),
        ("[Cu4Ag3]", 3, "pseudo quartet of quartets"),
        ("[Cu3Ag4]", 4, "pseudo quintet of quintets"),
    ],
)
def test_patterns_described_in_000_with_table1_couplings(label, k, pattern):
    """k + 1 groups of k + 1 lines each: all (k + 1)^2 lines resolved at 1 Hz, and the
    groups appear as a (k + 1)-et once the lines are twice as broad as a group."""
    row = TABLE1.loc[label]
    assert row["n_ag"] == k
    m = hydride_multiplet(k, row["J_H_107Ag_Hz"], j109_hz=row["J_H_109Ag_Hz"])
    groups = line_groups(m)
    assert [len(g) for g in groups] == [k + 1] * (k + 1), pattern
    _, sharp = m.spectrum(row["delta_1H_ppm"], 600.0, width_hz=1.0)
    assert count_resolved_lines(sharp) == (k + 1) ** 2
    spread = max(g.max() - g.min() for g in groups)
    _, broad = m.spectrum(row["delta_1H_ppm"], 600.0, width_hz=2 * spread)
    assert count_resolved_lines(broad) == k + 1


def test_deuteride_couplings_scale_and_merge_into_a_doublet():
    """Cu6Ag(D): 'the J(2H-107Ag) and J(2H-109Ag) values [are] too close to be
    differentiated, but the doublet observed at 1.22 ppm in the 2H NMR spectrum'."""
    row = TABLE1.loc["[Cu6Ag]"]
    h = hydride_multiplet(1, row["J_H_107Ag_Hz"], "1H")
    d = hydride_multiplet(1, row["J_H_107Ag_Hz"], "D")
    np.testing.assert_allclose(d.offsets_hz, h.offsets_hz / gamma_ratio("1H", "2H"))
    assert d.j107_hz == pytest.approx(69.8 / 6.514, rel=1e-3)
    assert d.frequency_mhz(600.0) == pytest.approx(92.1, abs=0.1)
    width = 2.0  # Hz, a sharp deuterium line
    assert count_resolved_lines(h.spectrum(1.203, 600.0, width)[1]) == 4
    assert count_resolved_lines(d.spectrum(1.22, 600.0, width)[1]) == 2


def test_spectrum_is_lorentzian_with_unit_area():
    m = hydride_multiplet(3, 57.6)
    ppm, y = m.spectrum(2.567, 400.0, width_hz=3.0, n_points=200001)
    hz = (ppm - 2.567) * 400.0
    area = np.trapezoid(y, hz)
    assert area == pytest.approx(1.0, abs=0.01)  # tails beyond 10 widths are cut
    single = hydride_multiplet(0, 50.0)
    _, peak = single.spectrum(0.0, 400.0, width_hz=2.0, ppm=np.array([0.0, 1.0 / 400]))
    assert peak[0] == pytest.approx(1 / (math.pi * 1.0))  # height 2/(pi w)
    assert peak[1] == pytest.approx(peak[0] / 2)  # half height at half width


def test_parsing_ions():
    assert parse_hydride_cluster("[Cu4Ag3(H){Se2P(OiPr)2}6]") == ({"Cu": 4, "Ag": 3}, "1H")
    assert parse_hydride_cluster("CuAg6(D)") == ({"Cu": 1, "Ag": 6}, "2H")
    assert parse_hydride_cluster("Ag7") == ({"Ag": 7}, None)
    assert silver_count({"Cu": 4, "Ag": 3}) == 3
    # the notation of the rest of the tool: ligand abbreviations, adducts outside the core
    assert parse_hydride_cluster("[Cu5Ag2(D)(dsep)6 + Ag]+") == ({"Cu": 5, "Ag": 2}, "2H")
    assert parse_hydride_cluster("Cu5Ag2H") == ({"Cu": 5, "Ag": 2}, "1H")
    with pytest.raises(FormulaError, match="unknown element 'Xx'"):
        parse_hydride_cluster("Xx2Ag5(H)")
    with pytest.raises(FormulaError, match="position 0"):
        parse_hydride_cluster("6 silver")
    with pytest.raises(FormulaError, match="2 hydrides"):
        parse_hydride_cluster("Cu5Ag2(H)2")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nucleus": "13C"}, "nucleus = '13C'"),
        ({"nucleus": "107Ag"}, "the observed hydride"),
        ({"j107_hz": 0.0}, "j107_hz = 0.0"),
        ({"j107_hz": float("nan")}, "j107_hz = nan"),
        ({"n_ag": -1}, "n_ag = -1"),
        ({"abundance_107": 1.5}, "abundance_107"),
    ],
)
def test_bad_multiplet_input(kwargs, match):
    args = {"n_ag": 2, "j107_hz": 58.3, **kwargs}
    with pytest.raises(ConfigError, match=match):
        hydride_multiplet(**args)


def test_bad_spectrum_input_and_unknown_metals():
    m = hydride_multiplet(1, 69.8)
    with pytest.raises(ConfigError, match="width_hz = -1"):
        m.spectrum(1.2, 600, width_hz=-1)
    with pytest.raises(ConfigError, match="field_mhz = 0"):
        m.spectrum(1.2, 0, width_hz=1)
    with pytest.raises(ConfigError, match="metal = 'Pt'"):
        silver_count({"Pt": 1, "Ag": 6})
