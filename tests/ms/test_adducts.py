"""Adduct envelopes: [Au44(p-MBA)26]2- at 6-/7-/8- with Na+ and H+ at once (Lin et al.,
Chem. Sci. 2022, Fig. 1c)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from intercluster.chem import Ion
from intercluster.errors import ConfigError
from intercluster.ms import candidates_from_ions, deconvolve, mz, synthetic_spectrum
from intercluster.ms.adducts import (
    acidic_groups,
    adduct_candidates,
    adduct_counts,
    adduct_envelope,
    strongest_per_charge,
)

BASE = "[Au44(p-MBA)26]2-"
# Lin et al., Chem. Sci. 2022, Fig. 1c: printed m/z (integers) and the compositions that fit
PRINTED = {
    -6: (2151, "[Au44(p-MBA)26 + 12Na - 16H]6-"),
    -7: (1843, "[Au44(p-MBA)26 + 12Na - 17H]7-"),
    -8: (1610, "[Au44(p-MBA)26 + 11Na - 17H]8-"),
}


def test_every_variant_conserves_charge_and_core():
    ions = adduct_envelope(BASE, [-6, -7, -8], cations=("Na", "K", "H"), max_count=4)
    base = Ion(BASE)
    assert ions
    for ion in ions:
        counts = adduct_counts(ion)
        # q0 + cations + net protons = z, and the cluster itself is untouched
        assert base.charge + sum(counts.values()) == ion.charge
        assert ion.core_charge == base.charge
        assert ion.metals == base.metals and ion.ligands == base.ligands
        assert 0 <= counts.get("Na", 0) <= 4 and 0 <= counts.get("K", 0) <= 4
        assert counts.get("H", 0) <= 4
    assert len(set(ions)) == len(ions)
    # both kinds together in one ion
    assert any({"Na", "K"} <= set(adduct_counts(i)) for i in ions)


def test_default_limits_are_the_acidic_groups():
    assert acidic_groups(BASE) == 26
    ions = adduct_envelope(BASE, [-6], cations=("Na",))
    counts = [adduct_counts(i) for i in ions]
    assert max(c.get("Na", 0) for c in counts) == 22  # 26 removable protons: h = -4 - n_Na
    assert min(c.get("H", 0) for c in counts) == -26
    # brute force: every (n_Na, h) with -2 + n_Na + h = -6, 0 <= n_Na <= 26, -26 <= h <= 0
    expected = {(n, -4 - n) for n in range(27) if -26 <= -4 - n <= 0}
    assert {(c.get("Na", 0), c.get("H", 0)) for c in counts} == expected


def test_no_acidic_groups_no_variants_unless_limits_given():
    with pytest.raises(ConfigError, match="no adduct variant"):
        adduct_envelope("[Au25(PET)18]-", [-2])
    ions = adduct_envelope("[Au25(PET)18]-", [-1, 1], cations="Na, H", max_count=2)
    assert Ion("[Au25(PET)18 + 2Na]+") in ions
    assert Ion("[Au25(PET)18 + Na + H]+") in ions


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"charges": []}, "charges"),
        ({"charges": [0]}, "charges"),
        ({"charges": [-6], "cations": ("Xe",)}, "cation kinds"),
        ({"charges": [-6], "max_count": -1}, "max_count"),
        ({"charges": [-6], "max_count": {"K": 2}}, "max_count"),
        ({"charges": [-6, -7], "cations": "Na,K,NH4,H", "max_ions": 100}, "max_ions"),
        ({"charges": [-6], "mz_range": (3000, 2000)}, "mz_range"),
    ],
)
def test_bad_limits(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        adduct_envelope(BASE, **kwargs)


def test_004_charge_states_assigned_from_one_starting_formula():
    # ONE starting formula; candidates: every Na/H variant at 6-, 7-, 8- (default limits)
    cands = adduct_candidates(BASE, [-6, -7, -8])
    assert len(cands) == 66
    truth = [PRINTED[z][1] for z in (-6, -7, -8)]
    assert all(Ion(t) in [c.ion for c in cands] for t in truth)
    # synthetic spectrum made from the project's own patterns: the three printed ions
    true_cands = candidates_from_ions(truth)
    lo = min(mz(t) for t in truth) - 20
    hi = max(mz(t) for t in truth) + 20
    grid = np.arange(lo, hi, 0.01)
    spec = synthetic_spectrum(true_cands, [0.3, 0.45, 0.25], grid, seed=4)
    res = deconvolve(spec, cands)
    best = strongest_per_charge(res.ions, res.abundance)
    total = np.nansum(res.abundance)
    for z, (printed, formula) in PRINTED.items():
        ion, _ = best[z]
        assert ion == Ion(formula), (z, str(ion))
        # the printed integers are the truncated average m/z: 2151.49, 1843.99, 1610.62
        assert math.floor(mz(ion, "average")) == printed
        assert abs(mz(ion, "average") - (printed + 0.5)) <= 0.5
        # a variant with one Na more or fewer is > 2 Th away, so the printed value decides
        for other in (c.ion for c in cands if c.ion.charge == z and c.ion != ion):
            assert abs(mz(other, "average") - (printed + 0.5)) > 2.0
    # nothing else carries signal
    true_idx = [res.ions.index(Ion(t)) for t in truth]
    others = np.delete(res.abundance, true_idx)
    assert np.nanmax(others) < 0.01 * total
    # the three recovered shares match the spectrum's
    shares = res.abundance[true_idx] / res.abundance[true_idx].sum()
    np.testing.assert_allclose(shares, [0.3, 0.45, 0.25], atol=0.02)


def test_single_carrier_series_misses_the_mixed_ions():
    # what the envelope fixes: with H alone the 6- ion is [... - 4H]6-, 12 Na never appear
    from intercluster.ms import charge_state_series

    series = [c.ion for c in charge_state_series(BASE, [-6, -7, -8], "H")]
    assert Ion(PRINTED[-6][1]) not in series
    assert Ion(PRINTED[-6][1]) in adduct_envelope(BASE, [-6])


def test_huge_limits_are_bounded_by_the_charge_balance():
    # n_Na <= z - q0 + removed: a limit of 10^9 Na changes nothing and does not hang
    ions = adduct_envelope(BASE, [-6], cations=("Na",), max_count=10**9)
    assert len(ions) == 23
    with pytest.raises(ConfigError, match="max_ions"):
        adduct_envelope(BASE, [-6], cations="Na,K", max_count=10**9, max_removed_protons=10**9)


def test_mz_range_keeps_the_variants_inside():
    ions = adduct_envelope(BASE, [-6, -7, -8], mz_range=(2140.0, 2160.0))
    assert ions and all(2140.0 <= mz(i) <= 2160.0 for i in ions)
    assert Ion(PRINTED[-6][1]) in ions and all(i.charge == -6 for i in ions)
