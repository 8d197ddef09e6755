"""The MS subcommands end to end: output, exit status 2 on bad input, nothing half-written."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

from intercluster.cli import main as cli_main
from intercluster.ms import ion_masses, isotope_pattern, read_spectra

MS_COMMANDS = ("mass", "pattern", "assign", "deconvolve", "spectra-to-observables", "synth-spectra")


@pytest.fixture
def run(monkeypatch, capsys):
    """Run ``intercluster ARGS`` in-process; returns (exit status, stdout, stderr).

    Subcommands whose modules are not in this tree yet (the kinetics side lands them
    separately) are left out of the parser; every MS subcommand must be registered.
    """
    available = {}
    for name, module in cli_main.COMMANDS.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        available[name] = module
    assert set(MS_COMMANDS) <= set(available)
    monkeypatch.setattr(cli_main, "COMMANDS", available)

    def _run(*args):
        code = cli_main.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_mass_prints_the_api_numbers(run):
    code, out, _ = run("mass", "[Au44(p-MBA)26 + 12Na - 16H]6-")
    assert code == 0
    m = ion_masses("[Au44(p-MBA)26 + 12Na - 16H]6-")
    assert f"m/z {m.mz_average:.5f}" in out
    assert "valence electrons   20" in out
    assert "charge              -6 (core -2)" in out
    code, out, _ = run("mass", "[Ag25(DMBT)18]-", "--json")
    data = json.loads(out)
    assert data["mz_average"] == pytest.approx(ion_masses("[Ag25(DMBT)18]-").mz_average)


@pytest.mark.parametrize("ion", ["[Ag25(XYZ)18]-", "[Ag25(DMBT)18", "[Ag-3]-", "[Ag25(SR)18]x"])
def test_mass_bad_formula_exit_2_one_line(run, ion):
    code, out, err = run("mass", ion)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "position" in err


def test_pattern_csv_profile_and_plot(run, tmp_path):
    code, _, _ = run("pattern", "[Ag24Au26(C8H9S)36]2-", "--out", tmp_path / "p.csv")
    assert code == 0
    table = pd.read_csv(tmp_path / "p.csv")
    p = isotope_pattern("[Ag24Au26(C8H9S)36]2-")
    assert table["mz"].to_numpy() == pytest.approx(p.mz, abs=1e-6)
    assert list(table.columns) == ["mz", "relative_intensity", "abundance", "nucleons"]
    code, _, _ = run(
        "pattern",
        "[Ag25(DMBT)18]-",
        "--resolution",
        "10000",
        "--profile",
        "--out",
        tmp_path / "prof.csv",
    )
    prof = pd.read_csv(tmp_path / "prof.csv")
    assert code == 0 and np.trapezoid(prof["intensity"], prof["mz"]) == pytest.approx(1, abs=1e-3)
    code, _, _ = run("pattern", "[Ag25(DMBT)18]-", "--out", tmp_path / "p.png")
    assert code == 0 and (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_pattern_errors_write_nothing(run, tmp_path):
    code, _, err = run("pattern", "C8H9S", "--out", tmp_path / "n.csv")
    assert code == 2 and "has no charge" in err
    code, _, err = run(
        "pattern", "[Ag25(DMBT)18]-", "--resolution", "0", "--out", tmp_path / "r.csv"
    )
    assert code == 2 and "resolving power" in err
    code, _, err = run("pattern", "[Ag25(DMBT)18]-", "--out", tmp_path / "p.xlsx")
    assert code == 2
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "p.csv").write_text("keep")
    code, _, err = run("pattern", "[Ag25(DMBT)18]-", "--out", tmp_path / "p.csv")
    assert code == 2 and "--overwrite" in err and (tmp_path / "p.csv").read_text() == "keep"


def test_synth_then_spectra_to_observables_round_trip(run, result_dir, tmp_path):
    code, _, _ = run("synth-spectra", result_dir, "--out", tmp_path / "spectra", "--quiet")
    assert code == 0
    files = sorted(p.name for p in (tmp_path / "spectra").iterdir())
    assert files == [
        ".intercluster",  # the marker of a result folder
        "0000_t_00000180.000s.csv",  # spectra numbered in row order (unique for equal times)
        "0001_t_00000600.000s.csv",
        "0002_t_00001800.000s.csv",
        "synth.json",
    ]
    assert json.loads((tmp_path / "spectra" / "synth.json").read_text())["resolving_power"] == 25000
    code, _, _ = run(
        "spectra-to-observables",
        tmp_path / "spectra",
        "--out",
        tmp_path / "obs.csv",
        "--stderr-out",
        tmp_path / "se.csv",
        "--system-from",
        result_dir,
        "--quiet",
    )
    assert code == 0
    truth = pd.read_csv(result_dir / "observables.csv")
    got = pd.read_csv(tmp_path / "obs.csv")
    assert list(got.columns) == list(truth.columns)
    assert np.abs(got.to_numpy() - truth.to_numpy()).max() < 0.01
    assert list(pd.read_csv(tmp_path / "se.csv").columns) == list(truth.columns)


def test_synth_mzml_and_existing_folder(run, result_dir, tmp_path):
    code, _, _ = run(
        "synth-spectra",
        result_dir,
        "--out",
        tmp_path / "mz",
        "--format",
        "mzml",
        "--quiet",
        "--seed",
        "3",
    )
    assert code == 0
    assert [s.time_s for s in read_spectra(tmp_path / "mz" / "spectra.mzML")] == [180, 600, 1800]
    code, _, err = run("synth-spectra", result_dir, "--out", tmp_path / "mz", "--quiet")
    assert code == 2 and "--overwrite" in err


def test_synth_bad_result_dir(run, tmp_path):
    (tmp_path / "res").mkdir()
    code, _, err = run("synth-spectra", tmp_path / "res", "--out", tmp_path / "out")
    assert code == 2 and "summary.json is missing" in err
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["res"]  # no temporary folder left


def test_deconvolve_and_assign_commands(run, result_dir, tmp_path):
    run("synth-spectra", result_dir, "--out", tmp_path / "s", "--quiet")
    spectrum = tmp_path / "s" / "0000_t_00000180.000s.csv"
    code, out, _ = run(
        "deconvolve", spectrum, "--out", tmp_path / "ab.csv", "--plot", tmp_path / "fit.png"
    )
    assert code == 0 and "±" in out
    table = pd.read_csv(tmp_path / "ab.csv")
    observables = pd.read_csv(result_dir / "observables.csv")
    truth = observables.iloc[0, 1:].to_numpy()
    # default candidates: the observables in their order, then the 76 trimers (none present)
    n_obs = len(truth)
    assert table["label"].tolist()[:n_obs] == list(observables.columns[1:])
    assert len(table) == n_obs + 76 and table["label"].iloc[-1] == "[Ag75]3-"
    assert np.abs(table["fraction"].to_numpy()[:n_obs] - truth).max() < 0.01
    assert table["fraction"].to_numpy()[n_obs:].max() < 0.01
    assert (tmp_path / "fit.png").exists()
    code, out, _ = run(
        "assign", spectrum, "--out", tmp_path / "as.csv", "--plot", tmp_path / "as.png"
    )
    assert code == 0 and "candidates assigned" in out
    assigned = pd.read_csv(tmp_path / "as.csv")
    strong = truth > 0.05
    assert assigned["assigned"].to_numpy()[:n_obs][strong].all()
    assert not assigned["present"].to_numpy()[n_obs:].any()  # no trimer in the spectrum
    code, out, _ = run(
        "assign", spectrum, "--ion", "[Ag25(DMBT)18]-", "--ion", "[Au25(PET)18]-", "--all"
    )
    assert code == 0 and "[Au25(PET)18]-" in out


def test_spectrum_errors_exit_2(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("5000,1\n5002,1\n5001,1\n")
    code, _, err = run("deconvolve", bad, "--out", tmp_path / "x.csv")
    assert code == 2 and "bad.csv: line 3" in err and err.count("\n") == 1
    assert not (tmp_path / "x.csv").exists()
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _, err = run("assign", empty)
    assert code == 2 and "no data" in err
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / "spectrum.csv").write_text("5000,1\n5001,1\n")
    code, _, err = run("spectra-to-observables", folder, "--out", tmp_path / "o.csv")
    assert code == 2 and "name each spectrum by its time" in err
    code, _, err = run("deconvolve", bad, "--charge-states", "[Au44(p-MBA)26]2-")
    assert code == 2 and "--charges" in err
