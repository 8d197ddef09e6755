"""Small general models (families, complexes, rules) shared by the tests of this folder."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def two_families_toml() -> Path:
    """Two families (N = 3 and N = 2 with a fixed Pd, different ligands and charges),
    homo- and heterodimers."""
    return HERE / "two_families.toml"


@pytest.fixture(scope="session")
def trimers_toml() -> Path:
    """One N = 3 family with dimers and trimers."""
    return HERE / "trimers_n3.toml"


@pytest.fixture(scope="session")
def simulated(tmp_path_factory, two_families_toml, trimers_toml):
    """Result folders of `intercluster simulate` for both models (written once)."""
    from intercluster.cli.main import main

    out = {}
    for name, cfg in (("two_families", two_families_toml), ("trimers", trimers_toml)):
        folder = tmp_path_factory.mktemp("sim") / name
        assert main(["simulate", str(cfg), "--out", str(folder), "--quiet", "--species-csv"]) == 0
        out[name] = folder
    return out
