"""Masses and m/z: the electron term, monoisotopic/average/most-abundant, isotopes."""

from __future__ import annotations

import pytest

from intercluster.chem import Ion
from intercluster.errors import FormulaError
from intercluster.ms import ELECTRON_MASS_U, ion_mass, ion_masses, isotope_pattern, mz, neutral_mass

# NIST isotope masses (independent of the IsoSpecPy table the code uses)
C12, H1, H2, S32 = 12.0, 1.00782503223, 2.01410177812, 31.9720711744
AG107, AG109, AU197 = 106.9050915, 108.9047558, 196.96656879


def test_electron_mass_term_is_explicit():
    assert ELECTRON_MASS_U == pytest.approx(0.000548579909, abs=1e-15)
    anion = Ion("[Ag25(DMBT)18]-")
    M = neutral_mass(anion, "monoisotopic")
    assert mz(anion) == pytest.approx(M + ELECTRON_MASS_U, abs=1e-9)  # anion: one extra electron
    dianion = Ion("[Ag24Au26(SR)36]2-")
    M2 = neutral_mass(dianion, "monoisotopic")
    assert mz(dianion) == pytest.approx((M2 + 2 * ELECTRON_MASS_U) / 2, abs=1e-9)
    cation = Ion("[CuAg6(H)(dtp)6 + Ag]+")
    Mc = neutral_mass(cation, "monoisotopic")
    assert mz(cation) == pytest.approx(Mc - ELECTRON_MASS_U, abs=1e-9)  # cation: one missing
    trication = Ion("[Au25(PET)18 + 4Cs]3+")
    assert mz(trication) == pytest.approx((neutral_mass(trication) - 3 * ELECTRON_MASS_U) / 3)
    # ignoring the electron would be wrong by 0.55 mTh at z = 1: larger than our tolerance here
    assert abs(mz(anion) - M) > 5e-4


def test_monoisotopic_mass_from_nist_values():
    assert neutral_mass("C8H9S") == pytest.approx(8 * C12 + 9 * H1 + S32, abs=2e-6)
    ag25 = 25 * AG107 + 144 * C12 + 162 * H1 + 18 * S32
    assert neutral_mass("[Ag25(DMBT)18]-") == pytest.approx(ag25, abs=1e-4)
    assert neutral_mass("[Au25(PET)18]-") == pytest.approx(
        25 * AU197 + 144 * C12 + 162 * H1 + 18 * S32, abs=1e-4
    )


def test_average_mass_matches_standard_atomic_weights():
    # IUPAC standard atomic weights: Ag 107.8682, Au 196.966570, C 12.011, H 1.008, S 32.06
    expected = 25 * 107.8682 + 144 * 12.011 + 162 * 1.008 + 18 * 32.06
    assert neutral_mass("[Ag25(DMBT)18]-", "average") == pytest.approx(expected, abs=0.15)


def test_most_abundant_of_ag2_by_hand():
    # Ag2: p^2, 2pq, q^2 with p(107Ag) = 0.518: the mixed isotopologue (2pq = 0.499) wins
    assert neutral_mass("[Ag2]+", "most_abundant") == pytest.approx(AG107 + AG109, abs=1e-5)
    p = isotope_pattern("[Ag2]+")
    assert p.abundance.tolist() == pytest.approx(
        [0.5184**2, 2 * 0.5184 * 0.4816, 0.4816**2], abs=2e-4
    )


def test_isotope_specific_masses():
    nat = Ion("[Ag25(DMBT)18]-")
    pure = Ion("[107Ag25(DMBT)18]-")
    assert neutral_mass(pure, "average") < neutral_mass(nat, "average")
    assert neutral_mass(pure, "average") - neutral_mass(nat, "average") == pytest.approx(
        25 * (AG107 - 107.8682), abs=0.05
    )
    heavy = Ion("[109Ag25(DMBT)18]-")
    assert neutral_mass(heavy) - neutral_mass(pure) == pytest.approx(25 * (AG109 - AG107), abs=1e-4)
    d = neutral_mass("[Cu6Ag(D)(dsep)6 + Ag]+") - neutral_mass("[Cu6Ag(H)(dsep)6 + Ag]+")
    assert d == pytest.approx(H2 - H1, abs=1e-6)
    # the silver isotope envelope is gone: far fewer nominal peaks
    assert len(isotope_pattern(pure).mz) < len(isotope_pattern(nat).mz) / 2


def test_neutral_has_no_mz():
    with pytest.raises(FormulaError, match="has no charge"):
        mz("C8H9S")
    with pytest.raises(FormulaError, match="has no charge"):
        mz("[Ag25(DMBT)18]")
    with pytest.raises(FormulaError, match="kind"):
        mz("[Ag25(DMBT)18]-", "median")
    m = ion_masses("C8H9S")
    assert m.mz_average is None and m.valence_electrons is None


def test_ion_masses_agree_with_the_functions():
    m = ion_masses("[Ag44(p-MBA)30]4-")
    assert m.mz_average == pytest.approx(mz("[Ag44(p-MBA)30]4-", "average"))
    assert m.most_abundant_mass == pytest.approx(ion_mass("[Ag44(p-MBA)30]4-", "most_abundant"))
    assert m.valence_electrons == 18 and m.charge == -4
