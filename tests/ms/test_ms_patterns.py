"""Isotope patterns: aggregation by nucleon number, profiles, against IsoSpecPy directly."""

from __future__ import annotations

import IsoSpecPy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intercluster.chem import Ion
from intercluster.errors import ConfigError, FormulaError
from intercluster.ms import ELECTRON_MASS_U, isotope_pattern, mz, profile


def test_aggregation_matches_isospecpy_configurations():
    """Oracle: group IsoSpecPy's fine structure by counting nucleons per configuration."""
    ion = Ion("[Ag25(DMBT)18]-")
    p = isotope_pattern(ion, 0.999)
    dist = IsoSpecPy.IsoTotalProb(formula="C144H162S18Ag25", prob_to_cover=0.999, get_confs=True)
    from IsoSpecPy import PeriodicTbl

    order = ["C", "H", "S", "Ag"]
    numbers = [PeriodicTbl.symbol_to_massNo[e] for e in order]
    groups: dict[int, list[float]] = {}
    for mass, prob, conf in dist:
        a = sum(n * (mn - nums[0]) for c, nums in zip(conf, numbers) for n, mn in zip(c, nums))
        groups.setdefault(round(a), []).append((mass, prob))
    keys = sorted(groups)
    w = np.array([sum(pr for _, pr in groups[k]) for k in keys])
    m = np.array([sum(ms * pr for ms, pr in groups[k]) for k in keys]) / w
    assert p.nucleons.tolist() == keys
    assert p.abundance == pytest.approx(w / w.sum(), rel=1e-9)
    assert p.mz == pytest.approx(m + ELECTRON_MASS_U, abs=1e-8)


def test_profile_area_and_width():
    p = isotope_pattern("[Au25(PET)18]-")
    grid = np.arange(7370.0, 7425.0, 0.002)
    y = profile(p, grid, 25_000)
    assert np.trapezoid(y, grid) == pytest.approx(1.0, abs=1e-4)
    single = isotope_pattern("[Au]-")  # one isotope: one Gaussian of FWHM = m/z / R
    g = np.arange(196.9, 197.05, 1e-5)
    ys = profile(single, g, 2000)
    half = g[ys >= ys.max() / 2]
    assert half[-1] - half[0] == pytest.approx(single.mz[0] / 2000, rel=0.01)


def test_monoanion_and_dianion_share_mz_but_not_spacing():
    mono = isotope_pattern("[Ag12Au13(SR)18]-")
    di = isotope_pattern("[Ag24Au26(SR)36]2-")
    assert mz(mono.ion, "average") == pytest.approx(mz(di.ion, "average"), abs=1e-9)
    assert mono.average_mz == pytest.approx(di.average_mz, abs=1e-3)
    assert np.diff(mono.mz).mean() == pytest.approx(1.0, abs=0.01)
    assert np.diff(di.mz).mean() == pytest.approx(0.5, abs=0.01)


def test_most_abundant_and_average_of_pattern():
    p = isotope_pattern("[Ag25Au25(SR)36]2-")
    assert p.most_abundant_mz == p.mz[np.argmax(p.abundance)]
    assert p.average_mz == pytest.approx(mz("[Ag25Au25(SR)36]2-", "average"), abs=0.01)
    assert mz("[Ag25Au25(SR)36]2-", "most_abundant") == pytest.approx(p.most_abundant_mz)


def test_bad_arguments():
    with pytest.raises(FormulaError, match="has no charge"):
        isotope_pattern("C8H9S")
    with pytest.raises(ConfigError, match="prob_to_cover"):
        isotope_pattern("[Au25(PET)18]-", 1.5)
    p = isotope_pattern("[Au25(PET)18]-")
    with pytest.raises(ConfigError, match="resolving power"):
        profile(p, np.arange(7390.0, 7400.0, 0.01), -5)
    from intercluster.errors import DataError

    with pytest.raises(DataError, match="ascending"):
        profile(p, [7400.0, 7390.0], 25_000)


@settings(max_examples=40, deadline=None)
@given(m=st.integers(0, 25), q=st.sampled_from([-1, -2, -3, 1]))
def test_pattern_invariants(m, q):
    metals = "".join(f"{e}{n}" for e, n in (("Ag", m), ("Au", 25 - m)) if n).replace("Ag1A", "AgA")
    ion = Ion(f"[{metals}(SR)18]-").with_charge(q)
    p = isotope_pattern(ion)
    assert p.abundance.sum() == pytest.approx(1.0)
    assert np.all(np.diff(p.mz) > 0)
    assert np.all(np.diff(p.nucleons) >= 1)
    # truncation at 0.9999 coverage moves the mean by far less than one peak spacing
    assert p.average_mz == pytest.approx(mz(ion, "average"), abs=0.02 / abs(q))
