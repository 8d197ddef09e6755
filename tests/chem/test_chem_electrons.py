"""Superatom (valence) electron counts, against the numbers printed in the seeds."""

from __future__ import annotations

import pytest

from intercluster.chem import Ion, valence_electrons
from intercluster.errors import FormulaError

# ion: (n_e, source)
PAPERS = {
    "[Au25(PET)18]-": (8, "Au25(SR)18- is the 8-electron superatom of Neumaier et al. 2021"),
    "[Ag25(DMBT)18]-": (8, "Neumaier et al. 2021 reactant"),
    "[Ag44(SR)30]4-": (18, "Lin et al. 2022: 'that of [Ag44(SR)30]4- is 18'"),
    "[Ag44(p-MBA)30]4-": (18, "Lin et al. 2022 Fig. 1d"),
    "[Au44(SR)26]2-": (20, "Lin et al. 2022: 'the valence electron count of [Au44(SR)26]2- is 20'"),
    "[Au44(p-MBA)26 + 12Na - 16H]6-": (
        20,
        "Lin et al. 2022 Fig. 1c: the same cluster with adducts",
    ),
    "[Ag53(BDT)12(DMBT)16]3-": (16, "Acharya et al. 2025: Ag@III, 'Dimeric species with 16 e-'"),
    "[PdAg53(BDT)12(DMBT)16]3-": (16, "Acharya et al. 2025: Pd@IV is 'the 16 e- species'"),
    "[PdAg52(BDT)12(DMBT)16]3-": (15, "Acharya et al. 2025: 'The Pd@III3- is a 15 e- species'"),
    "[PtAg53(BDT)12(DMBT)16]3-": (16, "Acharya et al. 2025: Pt@IV"),
    "[PtAg52(BDT)12(DMBT)16]3-": (15, "Acharya et al. 2025: 'Pt@III3- is a 15 e- species'"),
    "[Ag29(BDT)12(PPh3)4]3-": (8, "Acharya et al. 2025: Ag@I (phosphines withdraw nothing)"),
}


@pytest.mark.parametrize("text", list(PAPERS))
def test_electron_counts_of_the_papers(text):
    assert valence_electrons(text) == PAPERS[text][0], PAPERS[text][1]


def test_rule_terms_one_at_a_time():
    base = valence_electrons("[Ag25(SR)18]-")
    assert valence_electrons("[Ag25(SR)18]") == base - 1  # one electron less
    assert valence_electrons("[Ag25(SR)17]-") == base + 1  # one thiolate less
    assert valence_electrons("[PdAg24(SR)18]2-") == base  # Pd gives 0, charge adds 1
    assert valence_electrons("[Ag25(SR)18 + Na]") == base  # Na+ adduct: core unchanged
    assert valence_electrons("[Ag25(SR)18 + 2H2O]-") == base  # neutral molecule
    assert valence_electrons("[Ag25(SR)18 + Cs]") == base  # Cs+ adduct
    assert valence_electrons("[Ag25(SR)18 + PPh4]") == base  # counter-cation
    assert valence_electrons("[Ag25(SR)16(BDT)]-") == base  # a dithiolate counts 2
    assert valence_electrons("[Ag25(SR)17Cl]-") == base  # a bare halide counts 1
    # Acharya et al. 2025 fragment: sulfide counts 2
    assert valence_electrons("[PtAg9(DMBT)4S3]-") == 9 - 4 - 6 + 1
    # Zhong et al. 2021: Cu(I)/Ag(I) hydride cluster
    assert valence_electrons("[CuAg6(H)(dsep)6 + Ag]+") == 0


def test_errors():
    with pytest.raises(FormulaError, match="no metal core"):
        valence_electrons("[(C8H9S)]-")
    with pytest.raises(FormulaError, match="no valence known for metal 'Fe'"):
        valence_electrons("[Fe4(SR)4]2-")
    assert valence_electrons("[Fe4(SR)4]2-", valences={"Fe": 2}) == 8 - 4 + 2
    with pytest.raises(FormulaError, match="electrons it withdraws are unknown"):
        valence_electrons("[Ag25(C12H10S2)18]-")  # even-electron: L-type or dithiolate
    # a thiolate R-S written as a raw formula is inferred X-type (it used to be unknown)
    assert valence_electrons("[Ag25(C9H11S)18]-") == 8
    with pytest.raises(FormulaError, match="neither a metal nor"):
        valence_electrons("[Ag25C(SR)18]-")
    assert Ion("[Ag44(SR)30]4-").valence_electrons == 18
