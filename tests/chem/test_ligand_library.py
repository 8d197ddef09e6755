"""Ligands of the wider cluster literature, their electron class, raw-formula inference and
the generated docs page."""

from __future__ import annotations

from pathlib import Path

import pytest

from intercluster.chem import Ion, default_library, valence_electrons
from intercluster.chem.ligands import (
    LigandLibrary,
    infer_ligand,
    ligand_table_markdown,
)
from intercluster.cli.main import main
from intercluster.errors import FormulaError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ligands.md"

# name or alias: (formula as bound, charge, electrons withdrawn, class)
NEW = {
    "dppe": ("C26H24P2", 0, 0, "L"),
    "dppp": ("C27H26P2", 0, 0, "L"),
    "dppm": ("C25H22P2", 0, 0, "L"),
    "SAdm": ("C10H15S", -1, 1, "X"),
    "captopril": ("C9H14NO3S", -1, 1, "X"),
    "Capt": ("C9H14NO3S", -1, 1, "X"),
    "PhC≡C": ("C8H5", -1, 1, "X"),
    "PhC#C": ("C8H5", -1, 1, "X"),
    "PhCC": ("C8H5", -1, 1, "X"),
    "SbPh3": ("C18H15Sb", 0, 0, "L"),
    "TPP": ("C18H15P", 0, 0, "L"),
    "PPh3": ("C18H15P", 0, 0, "L"),
    "BDT": ("C6H4S2", -2, 2, "X2"),
    "Cl": ("Cl", -1, 1, "X"),
}


@pytest.mark.parametrize("name", list(NEW))
def test_new_ligands_with_formula_charge_and_class(name):
    lig = default_library()[name]
    assert (lig.formula, lig.charge, lig.electrons, lig.ligand_class) == NEW[name]


def test_every_builtin_ligand_has_a_source_and_a_class():
    for lig in LigandLibrary.builtin():
        assert lig.source, lig.name
        assert lig.ligand_class is not None, lig.name


def test_tpp_is_an_alias_of_pph3():
    assert default_library()["TPP"] is default_library()["PPh3"]
    assert "TPP" in default_library()["PPh3"].aliases


def test_au13_dppe_superatom_count_is_8():
    # [Au13(dppe)5Cl2]3+: 13 Au - 2 Cl - (+3) = 8 electrons; dppe (L-type) withdraws none
    ion = Ion("[Au13(dppe)5Cl2]3+")
    assert valence_electrons(ion) == 8
    assert ion.composition["P"] == 10


def test_mass_command_for_au13_dppe(capsys):
    assert main(["mass", "[Au13(dppe)5Cl2]3+"]) == 0
    out = capsys.readouterr().out
    assert "valence electrons   8" in out


def test_alkynyl_and_stibine_electron_counts():
    # X-type alkynyl like a thiolate; L-type stibine like a phosphine
    assert valence_electrons("[Au25(PhC≡C)18]-") == valence_electrons("[Au25(PET)18]-") == 8
    assert valence_electrons("[Au13(SbPh3)4Cl4]+") == 13 - 4 - 1


def test_acidic_groups():
    lib = default_library()
    assert lib["p-MBA"].acidic_groups == 1
    assert lib["SG"].acidic_groups == 2
    assert lib["captopril"].acidic_groups == 1
    assert lib["PET"].acidic_groups == 0


# ------------------------------------------------------------------ raw formulas
def test_raw_thiolate_formula_is_x_type_with_8_electrons():
    ion = Ion("[Au25(SC6H13)18]-")
    (lig,) = ion.ligands
    assert (lig.charge, lig.electrons, lig.kind, lig.ligand_class) == (-1, 1, "thiolate", "X")
    assert "thiolate" in lig.note
    assert valence_electrons(ion) == 8


@pytest.mark.parametrize(
    ("formula", "electrons"),
    [
        ("SC6H13", 1),  # hexanethiolate
        ("SC12H25", 1),  # dodecanethiolate
        ("SeC6H5", 1),  # selenophenolate
        ("C8H9S", 1),  # = PET / DMBT by formula
        ("C6H4S2", 2),  # = BDT by formula
        ("SC2H4COOH", 1),  # 3-mercaptopropionate (odd: H5)
        ("C18H15P", 0),  # = PPh3 by formula
    ],
)
def test_inferred_when_unambiguous(formula, electrons):
    assert infer_ligand(formula).electrons == electrons


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("C12H10S2", "even-electron"),  # a dithiolate or a thioether: cannot be told
        ("C2H6S", "even-electron"),  # dimethyl sulfide (L) vs a dithiolate
        ("C5H10NS2", "chalcogen"),  # dithiocarbamate: 1 e, but a trithiolate would be 3
        ("AgC8H9S", "metal"),
    ],
)
def test_undecided_raw_formulas_say_why(formula, reason):
    lig = infer_ligand(formula)
    assert lig.electrons is None and lig.charge is None
    assert reason in lig.note


def test_undecided_ligand_makes_electron_count_fail_with_the_reason():
    with pytest.raises(FormulaError, match="even-electron"):
        valence_electrons("[Au25(SC12H10S)18]-")


def test_mass_command_prints_the_reason(capsys):
    assert main(["mass", "[Au25(C2H6S)18]-"]) == 0
    assert "valence electrons   - (" in capsys.readouterr().out


# ----------------------------------------------------------------- names, docs
def test_unknown_ligand_message_lists_names_and_is_readable():
    with pytest.raises(FormulaError) as info:
        Ion("[Au25(XYZ)18]-")
    msg = str(info.value)
    assert "PET" in msg and "dppe" in msg and "docs/ligands.md" in msg
    assert len(msg) < 700
    with pytest.raises(FormulaError) as info:
        default_library()["nope"]
    assert "SR, PET" in str(info.value) and len(str(info.value)) < 700


def test_docs_page_is_current():
    assert DOCS.read_text(encoding="utf-8") == ligand_table_markdown(), (
        'docs/ligands.md is out of date: run python -c "from intercluster.chem.ligands '
        "import write_ligand_docs; write_ligand_docs('docs/ligands.md')\""
    )


def test_docs_page_lists_every_accepted_name():
    text = DOCS.read_text(encoding="utf-8")
    for name in LigandLibrary.builtin().accepted_names:
        assert f"`{name}`" in text or name == "SR", name
    assert "`SR`" in text


def test_every_accepted_name_parses_in_an_ion():
    for name in LigandLibrary.builtin().accepted_names:
        lig = default_library()[name]
        if lig.is_counterion or lig.kind == "hydride":
            continue
        ion = Ion(f"[Au25({name})2]")
        assert lig in ion.ligands, name
