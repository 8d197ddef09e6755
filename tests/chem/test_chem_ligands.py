"""Ligand library: the built-in data file, extension from TOML and the API."""

from __future__ import annotations

import pytest

from intercluster.chem import (
    Ion,
    Ligand,
    LigandLibrary,
    default_library,
    load_ligand_file,
    register_ligand,
    set_default_library,
)
from intercluster.errors import ConfigError, FormulaError

# name: (formula as bound, charge, electrons withdrawn) -- from the ligand chemistry
REQUIRED = {
    "PET": ("C8H9S", -1, 1),
    "SC2H4Ph": ("C8H9S", -1, 1),
    "DMBT": ("C8H9S", -1, 1),
    "SPhMe2": ("C8H9S", -1, 1),
    "p-MBA": ("C7H5O2S", -1, 1),
    "FTP": ("C6H4FS", -1, 1),
    "SPhF2": ("C6H3F2S", -1, 1),
    "TBBT": ("C10H13S", -1, 1),
    "CHT": ("C6H11S", -1, 1),
    "SG": ("C10H16N3O6S", -1, 1),
    "BDT": ("C6H4S2", -2, 2),
    "dtp": ("C6H14O2PS2", -1, 1),
    "S2P(OiPr)2": ("C6H14O2PS2", -1, 1),
    "dsep": ("C6H14O2PSe2", -1, 1),
    "Se2P(OiPr)2": ("C6H14O2PSe2", -1, 1),
    "PPh3": ("C18H15P", 0, 0),
    "PPh4": ("C24H20P", 1, 0),
    "TOA": ("C32H68N", 1, 0),
    "Cl": ("Cl", -1, 1),
    "Br": ("Br", -1, 1),
    "I": ("I", -1, 1),
    "H": ("H", -1, 1),
    "D": ("D", -1, 1),
    "SR": ("C8H9S", -1, 1),
}


@pytest.mark.parametrize("name", list(REQUIRED))
def test_builtin_library_has_the_required_ligands(name):
    lig = default_library()[name]
    assert (lig.formula, lig.charge, lig.electrons) == REQUIRED[name]


def test_counter_cations_are_marked():
    lib = default_library()
    assert lib["PPh4"].is_counterion and lib["TOA"].is_counterion
    assert not lib["PPh3"].is_counterion


def test_by_formula_finds_isomeric_ligands():
    names = {lig.name for lig in default_library().by_formula("C8H9S")}
    assert {"PET", "DMBT"} <= names


def test_extend_from_toml(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[defaults]\nSR = "C6H11S"\n\n'
        '[[ligand]]\nname = "MPA"\nformula = "C3H5O2S"\ncharge = -1\nelectrons = 1\n'
        'kind = "thiolate"\naliases = ["SCH2CH2COOH"]\n',
        encoding="utf-8",
    )
    old = default_library()
    try:
        lib = load_ligand_file(path)
        assert lib["SCH2CH2COOH"].formula == "C3H5O2S"
        assert Ion("[Au25(MPA)18]-").formula == "C54H90Au25O36S18"
        assert Ion("[Au25(SR)18]-").formula == Ion("[Au25(CHT)18]-").formula  # default changed
    finally:
        set_default_library(old)
    assert "MPA" not in default_library()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[ligand]]\nname = "X1"\nformula = "C2H5S"\ncharge = -1\n',
            "field 'electrons' is missing",
        ),
        (
            '[[ligand]]\nname = "X1"\nformula = "Qq2"\ncharge = -1\nelectrons = 1\n',
            "unknown element",
        ),
        (
            '[[ligand]]\nname = "PET2"\nformula = "C8H9S"\ncharge = -1\nelectrons = 1\n'
            'aliases = ["SC2H4Ph"]\n',
            "already means ligand 'PET'",
        ),
        (
            '[[ligand]]\nname = "X1"\nformula = "S"\ncharge = -1\nelectrons = 1\nkind = "weird"\n',
            "kind",
        ),
        ("[[ligand]\nname = 1\n", "not valid TOML"),
        ('[ligands]\nname = "X"\n', "unknown table"),
        (
            '[[ligand]]\nname = "X1"\nformula = "S"\ncharge = -1\nelectrons = 1\ncolour = "red"\n',
            "unknown field",
        ),
    ],
)
def test_bad_ligand_files_name_file_entry_and_field(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        default_library().updated_from_toml(path)
    assert message in str(info.value)
    assert "bad.toml" in str(info.value)


def test_missing_ligand_file():
    with pytest.raises(ConfigError, match="does not exist"):
        default_library().updated_from_toml("/nonexistent/ligands.toml")


def test_register_ligand_and_replace():
    old = default_library()
    try:
        register_ligand(Ligand("MyAdm", "C10H15S", -1, 1, "thiolate", ("my-adamantanethiolate",)))
        assert Ion("[Au30(MyAdm)18]").formula == "C180H270Au30S18"
        with pytest.raises(ConfigError, match="already means"):
            register_ligand(Ligand("MyAdm", "C10H15S", -1, 1))
        register_ligand(Ligand("MyAdm", "C10H15S", -1, 1, "thiolate"), replace=True)
        assert "my-adamantanethiolate" not in default_library()
    finally:
        set_default_library(old)


def test_sr_is_reserved_and_unknown_names_fail():
    with pytest.raises(ConfigError, match="reserved"):
        LigandLibrary([Ligand("SR", "C2H5S")])
    with pytest.raises(FormulaError, match="not in the ligand library"):
        default_library()["nope"]
    with pytest.raises(ConfigError):
        Ligand("bad name", "S")
