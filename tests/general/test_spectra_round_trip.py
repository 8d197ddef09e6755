"""A simulated general (multi-family / trimer) run goes through synthetic spectra and
back: synth-spectra -> spectra-to-observables --model reproduces observables.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from intercluster.chem import Ion
from intercluster.cli._model_ions import load_model_system, model_candidates
from intercluster.cli.main import main
from intercluster.kinetics.config import SimulationConfig
from intercluster.network import ClusterSystem, Family


def _short_run(tmp_path, toml, name):
    """simulate with a coarse output grid (few spectra keep the test quick)."""
    import tomli_w

    data = SimulationConfig.from_toml(toml).to_dict()
    data["time"]["dt_s"] = 150
    cfg = tmp_path / f"{name}.toml"
    cfg.write_bytes(tomli_w.dumps(data).encode())
    out = tmp_path / name
    assert main(["simulate", str(cfg), "--out", str(out), "--quiet", "--no-plots"]) == 0
    return cfg, out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["trimers", "two_families"])
def test_round_trip_through_synthetic_spectra(tmp_path, name, trimers_toml, two_families_toml):
    toml = trimers_toml if name == "trimers" else two_families_toml
    cfg, result = _short_run(tmp_path, toml, name)
    spectra = tmp_path / "spectra"
    common = ["--resolution", "10000", "--quiet"]
    assert main(["synth-spectra", str(result), "--out", str(spectra), "--seed", "1", *common]) == 0
    back = tmp_path / "back.csv"
    # the model from the result folder (trimers) or from the configuration (two families)
    model = str(result) if name == "trimers" else str(cfg)
    assert (
        main(
            ["spectra-to-observables", str(spectra), "--model", model, "--out", str(back), *common]
        )
        == 0
    )
    a = pd.read_csv(result / "observables.csv")
    b = pd.read_csv(back)
    assert list(a.columns) == list(b.columns)
    np.testing.assert_allclose(b["time_s"], a["time_s"])
    diff = np.abs(a.to_numpy()[:, 1:] - b.to_numpy()[:, 1:]).max()
    assert diff < 0.01
    if name == "trimers":
        # trimers [Ag_m Au_(9-m)(SR)6]3- share m/z with monomers [Ag_m/3 ...(SR)2]- where
        # m is a multiple of 3; the deconvolution still tells them apart
        col = "[Ag3Au6(SR)6]3-"
        assert a[col].max() > 0.005
        np.testing.assert_allclose(b[col], a[col], atol=0.01)


def test_model_candidates_are_the_observables(two_families_toml):
    system = load_model_system(two_families_toml)
    cset = model_candidates(system)
    assert cset.observable_labels == system.observable_labels
    assert [c.ion for c in cset.candidates] == list(system.observables)
    np.testing.assert_array_equal(cset.grouping_matrix(), np.eye(system.n_observables))


def test_bare_families_get_a_shell_per_subunit():
    """The kinetic model's bare labels ([Ag2]-) become full ions with n ligands per
    subunit: a trimer of a bare family carries 3n."""
    system = ClusterSystem([Family("M2", "Ag", "Au", 2)], max_subunits=3)
    cset = model_candidates(system, "SR", 18)
    for label, cand in zip(cset.observable_labels, cset.candidates):
        bare = Ion(label)
        size = -bare.charge  # monoanions: size = |charge|
        assert cand.ion.charge == bare.charge
        assert cand.ion.core_atoms == bare.core_atoms
        assert sum(cand.ion.ligands.values()) == 18 * size
    with pytest.raises(Exception, match="n_ligands"):
        model_candidates(system, "SR", -1)


def test_bad_model_option(tmp_path, capsys, two_families_toml):
    (tmp_path / "s").mkdir()
    out = tmp_path / "o.csv"
    code = main(
        ["spectra-to-observables", str(tmp_path / "s"), "--model", str(tmp_path), "--out", str(out)]
    )
    assert code == 2 and not out.exists()
    assert "model" in capsys.readouterr().err
    cands = tmp_path / "c.txt"
    cands.write_text("[Ag25(SR)18]-\n")
    code = main(
        [
            "spectra-to-observables",
            str(tmp_path / "s"),
            "--model",
            str(two_families_toml),
            "--candidates",
            str(cands),
            "--out",
            str(out),
        ]
    )
    assert code == 2 and not out.exists()


def test_binary_model_file_is_one_line_error(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    binary = tmp_path / "model.toml"
    binary.write_bytes(bytes(range(256)))
    out = tmp_path / "o.csv"
    code = main(
        ["spectra-to-observables", str(tmp_path / "s"), "--model", str(binary), "--out", str(out)]
    )
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "binary file, not text" in err and err.count("\n") == 1
