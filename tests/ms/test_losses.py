"""Loss series: Acharya et al. (J. Phys. Chem. C 2025) Figure 1B/3B ions from their integral
dimers, with the printed m/z; charge and mass bookkeeping; marking what a spectrum shows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from intercluster.chem import Ion, valence_electrons
from intercluster.chem.composition import add_compositions
from intercluster.cli.main import main
from intercluster.errors import ConfigError, FormulaError
from intercluster.ms import candidates_from_ions, mz, synthetic_spectrum, write_spectrum_csv
from intercluster.ms.losses import (
    apply_changes,
    expand_abbreviations,
    loss_series,
    loss_table,
    mark_observed,
    parse_fragment,
)

ABBREV = {"L": "BDT", "L'": "DMBT"}
FRAGS = "L', AgL'2, Ag2L'3, AgL'3, H+, e-"

# parent, printed ion, printed m/z (most intense peak), electrons, source (Acharya et al. 2025)
PRINTED = [
    ("[Ag54L12L'18]4-", "[Ag53L12L'16]3-", 3198, 16, "Fig. 1B: AgL'2- loss (Ag@III)"),
    ("[Ag54L12L'18]4-", "[Ag52L12L'15]3-", 3117, 16, "Fig. 1B: Ag2L'3- loss"),
    ("[Ag54L12L'18]4-", "[Ag54L12L'17]3-", 3280, 16, "Fig. 1B: L'- loss"),
    ("[Ag54L12L'18]4-", "[Ag54L12L'18 + H]3-", 3326, 16, "Fig. 1B: H+ attachment"),
    ("[AuAg53L12L'18]4-", "[AuAg52L12L'16]3-", 3228, 16, "Fig. 1B: Au@III"),
    ("[AuAg53L12L'18]4-", "[AuAg51L12L'15]3-", 3146, 16, "Fig. 1B: Ag2L'3- loss"),
    ("[AuAg53L12L'18]4-", "[AuAg53L12L'17]3-", 3309, 16, "Fig. 1B: L'- loss"),
    ("[PdAg53L12L'18]5-", "[PdAg53L12L'16]3-", 3234, 16, "Fig. 1B: two L' (Pd@IV)"),
    ("[PdAg53L12L'18]5-", "[PdAg52L12L'16]3-", 3198, 15, "Fig. 1B: AgL'2 (Pd@III, 15 e)"),
    ("[PdAg53L12L'18]5-", "[PdAg52L12L'15]3-", 3152, 16, "Fig. 1B: AgL'3"),
    ("[PtAg53L12L'18]5-", "[PtAg53L12L'16]3-", 3263, 16, "Fig. 1B: two L' (Pt@IV)"),
    ("[PtAg53L12L'18]5-", "[PtAg52L12L'16]3-", 3227, 15, "Fig. 1B: AgL'2 (Pt@III, 15 e)"),
    ("[PtAg53L12L'18]5-", "[PtAg52L12L'15]3-", 3181, 16, "Fig. 1B: AgL'3"),
    ("[PtAg24L'18]2-", "[PtAg23L'16]-", 4872, 8, "Fig. 3B: [PtAg23L'16]- from [PtAg24L'18]2-"),
]


def _ion(text):
    return Ion(expand_abbreviations(text, ABBREV))


@pytest.fixture(scope="module")
def series():
    parents = sorted({row[0] for row in PRINTED})
    return {p: loss_series(p, FRAGS, max_losses=2, abbreviations=ABBREV) for p in parents}


@pytest.mark.parametrize(("parent", "ion", "printed", "n_e", "source"), PRINTED)
def test_printed_ions_come_out_of_the_series(series, parent, ion, printed, n_e, source):
    products = {p.ion: p for p in series[parent]}
    target = _ion(ion)
    assert target in products, f"{source}: {ion} not reachable from {parent}"
    table = loss_table([products[target]])
    assert abs(table["mz_most_abundant"][0] - printed) <= 1.0, source
    assert table["valence_electrons"][0] == n_e, source


def test_single_losses_of_the_ag_dimer_are_one_change_each(series):
    # Figure 1B: one loss each (AgL'2-, Ag2L'3-, L'-) or one H+ attachment from the 4- dimer
    products = {p.ion: p for p in series["[Ag54L12L'18]4-"]}
    expected = {
        "[Ag53L12L'16]3-": "- [Ag(DMBT)2]-",
        "[Ag52L12L'15]3-": "- [Ag2(DMBT)3]-",
        "[Ag54L12L'17]3-": "- [DMBT]-",
        "[Ag54L12L'18 + H]3-": "+ H+",
    }
    for ion, label in expected.items():
        assert products[_ion(ion)].changes_label == label


def test_pd_at_iii_is_an_agl2_loss_plus_an_electron_detachment(series):
    # 16 e parent, 15 e product: one electron must go; the paper lists the loss as "AgL'2"
    p = {q.ion: q for q in series["[PdAg53L12L'18]5-"]}[_ion("[PdAg52L12L'16]3-")]
    assert sorted(f.label for f in p.changes) == ["- [Ag(DMBT)2]-", "- e-"]


def test_charge_and_mass_are_conserved(series):
    for parent, products in series.items():
        base = _ion(parent)
        for p in products:
            comp = dict(p.ion.composition)
            charge = p.ion.charge
            for f in p.changes:
                sign = -1 if f.gained else 1
                charge += sign * f.charge
                if f.ion is not None:
                    add_compositions(comp, f.ion.composition, sign)
            assert charge == base.charge, p.changes_label
            assert comp == base.composition, p.changes_label
            assert p.n_changes <= 2 and p.ion.charge != 0


def test_series_is_complete_for_one_loss():
    products = loss_series("[Ag54L12L'18]4-", "L', AgL'2", max_losses=1, abbreviations=ABBREV)
    assert [p.n_changes for p in products] == [0, 1, 1]
    twice = loss_series("[Ag54L12L'18]4-", "L', AgL'2", max_losses=2, abbreviations=ABBREV)
    # k = 2 adds L'+L', L'+AgL'2, AgL'2+AgL'2 (all distinct ions, charges -2)
    assert len(twice) == 6
    assert {p.ion.charge for p in twice if p.n_changes == 2} == {-2}


@pytest.mark.parametrize(
    ("text", "charge", "gained", "label"),
    [
        ("L'", -1, False, "- [DMBT]-"),
        ("L'-", -1, False, "- [DMBT]-"),
        ("AgL'2", -1, False, "- [Ag(DMBT)2]-"),
        ("AgL'2-", -1, False, "- [Ag(DMBT)2]-"),
        ("Ag2L'3", -1, False, "- [Ag2(DMBT)3]-"),
        ("AgL'3", -2, False, "- [Ag(DMBT)3]2-"),
        ("[AgL'3]2-", -2, False, "- [Ag(DMBT)3]2-"),
        ("Ag3L'3", 0, False, "- [Ag3(DMBT)3]"),
        ("H+", 1, True, "+ H+"),
        ("H", 1, True, "+ H+"),
        ("-H+", 1, False, "- H+"),
        ("Na", 1, True, "+ Na+"),
        ("+L'", -1, True, "+ [DMBT]-"),
        ("e-", -1, False, "- e-"),
        ("DMBT", -1, False, "- [DMBT]-"),
        ("Ag(p-MBA)2", -1, False, "- [Ag(p-MBA)2]-"),
    ],
)
def test_fragment_notation(text, charge, gained, label):
    f = parse_fragment(text, ABBREV)
    assert (f.charge, f.gained, f.label) == (charge, gained, label)


@pytest.mark.parametrize(
    ("fragments", "error", "message"),
    [
        ("", ConfigError, "at least one fragment"),
        ("L', Qx", FormulaError, "Qx"),
        ("L', L'-", ConfigError, "given twice"),
        ("[Fe(DMBT)2]", None, None),
        ("Fe(DMBT)2", ConfigError, "no valence known"),
    ],
)
def test_bad_fragments(fragments, error, message):
    if error is None:
        assert loss_series("[Ag54L12L'18]4-", fragments, 1, ABBREV)
        return
    with pytest.raises(error, match=message):
        loss_series("[Ag54L12L'18]4-", fragments, 1, ABBREV)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="max_losses"):
        loss_series("[Ag25(DMBT)18]-", "DMBT", -1)
    with pytest.raises(ConfigError, match="combinations"):
        loss_series("[Ag25(DMBT)18]-", "DMBT, Ag, H, Na, K, Cl, e-, Br, I, F", 40)
    with pytest.raises(FormulaError, match="no charge"):
        loss_series("[Ag25(DMBT)18]", "DMBT", 1)
    with pytest.raises(ConfigError, match="ligand name"):
        loss_series("[Ag25(DMBT)18]-", "DMBT", 1, "L=nothing")


def test_004_ag43_from_ag44_losing_ag_pmba2():
    # Lin et al., Chem. Sci. 2022: [Ag43(p-MBA)28]3- at m/z 2975 from [Ag44(p-MBA)30]4-
    (product,) = loss_series("[Ag44(p-MBA)30]4-", "Ag(p-MBA)2", 1, include_parent=False)
    assert product.ion == Ion("[Ag43(p-MBA)28]3-")
    assert abs(mz(product.ion, "average") - 2975) < 1.0
    assert valence_electrons(product.ion) == valence_electrons("[Ag44(p-MBA)30]4-") == 18


@pytest.fixture(scope="module")
def dimer_spectrum():
    seen = [_ion("[Ag53L12L'16]3-"), _ion("[Ag54L12L'18 + H]3-")]
    cands = candidates_from_ions(seen)
    grid = np.arange(3090.0, 3345.0, 0.01)
    return synthetic_spectrum(cands, [0.7, 0.3], grid, seed=2), seen


def test_mark_observed_flags_exactly_the_ions_in_the_spectrum(dimer_spectrum):
    spectrum, seen = dimer_spectrum
    products = loss_series("[Ag54L12L'18]4-", "L', AgL'2, Ag2L'3, H+", 1, ABBREV)
    table = mark_observed(products, spectrum)
    flagged = {Ion(t) for t in table.loc[table["seen"], "ion"]}
    assert flagged == set(seen)
    # the parent (m/z 2494) lies outside the spectrum: not seen, no score
    parent_row = table[table["ion"] == str(products[0].ion)].iloc[0]
    assert not parent_row["seen"] and np.isnan(parent_row["similarity"])


def test_cli_lists_marks_and_writes(tmp_path, dimer_spectrum, capsys):
    spectrum, seen = dimer_spectrum
    spec_file = tmp_path / "dimer.csv"
    write_spectrum_csv(spectrum, spec_file)
    out = tmp_path / "losses.csv"
    argv = [
        "losses",
        "[Ag54L12L'18]4-",
        "--define",
        "L=BDT, L'=DMBT",
        "--fragments",
        "L', AgL'2, Ag2L'3, H+",
        "--max-losses",
        "1",
        "--spectrum",
        str(spec_file),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "2 of 5 ions seen" in text and "3198.116" in text
    table = pd.read_csv(out)
    assert set(table.loc[table["seen"], "ion"]) == {str(i) for i in seen}
    # the output exists now: refused without --overwrite, nothing changed
    before = out.read_bytes()
    assert main(argv) == 2
    assert out.read_bytes() == before
    assert main([*argv[:-2], "--json", "--seen-only"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["ion"] for r in records} == {str(i) for i in seen}


def test_cli_bad_input_one_line_exit_2(tmp_path, capsys):
    assert main(["losses", "[Ag25(DMBT)18]-", "--fragments", "DMBT, Qx"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Qx" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    out = tmp_path / "never.csv"
    argv = ["losses", "[Ag25(DMBT)18]-", "--fragments", "Ag(DMBT)2", "--spectrum", str(empty)]
    assert main([*argv, "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["losses", "[Ag25(DMBT)18]-", "--fragments", "DMBT", "--max-losses", "-2"]) == 2


def test_apply_changes_refuses_to_remove_what_is_absent():
    with pytest.raises(FormulaError):
        apply_changes("[Ag25(DMBT)18]-", [parse_fragment("[Au(DMBT)2]-")])


def test_abbreviations_may_not_shadow_elements():
    with pytest.raises(ConfigError, match="no element symbol"):
        loss_series("[Ag25(DMBT)18]-", "DMBT", 1, "S=DMBT")
    # La stays lanthanum next to the abbreviation L
    assert expand_abbreviations("[La2L3]", {"L": "BDT"}) == "[La2(BDT)3]"


def test_molecules_are_adducts_and_single_atoms_core_atoms():
    f = parse_fragment("H2O")
    assert (f.charge, f.gained) == (0, False)
    assert str(apply_changes("[Au25(PET)18 + 2H2O]-", [f])) == "[Au25(PET)18 + H2O]-"
    assert apply_changes("[Au25(PET)18]-", [parse_fragment("+H2O")]) == Ion("[Au25(PET)18 + H2O]-")
    # a sulfide written with its charge leaves the core: [PtAg9L'4S3]- minus [S]2- is a 1+ ion
    out = apply_changes("[PtAg9(DMBT)4S3]-", [parse_fragment("[S]2-")])
    assert out == Ion("[PtAg9(DMBT)4S2]+")
