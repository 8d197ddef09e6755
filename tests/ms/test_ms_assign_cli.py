"""The assign / deconvolve / spectra-to-observables commands with trimers, candidate
files and groupings: output, exit status 2 on bad input, nothing written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from intercluster.cli import main as cli_main
from intercluster.ms import (
    candidates_from_ions,
    default_mz_grid,
    synthetic_spectrum,
    write_spectrum_csv,
)

MIX = ["[AgAu24(SR)18]-", "[Ag3Au72(SR)54]3-"]


@pytest.fixture
def run(capsys):
    def _run(*args):
        code = cli_main.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture(scope="module")
def trimer_spectrum(tmp_path_factory):
    pair = candidates_from_ions(MIX)
    spec = synthetic_spectrum(pair, [0.5, 0.5], default_mz_grid(pair), seed=1)
    return write_spectrum_csv(spec, tmp_path_factory.mktemp("tri") / "mix.csv")


def test_deconvolve_and_assign_read_the_trimer_by_default(run, trimer_spectrum, tmp_path):
    code, out, _ = run("deconvolve", trimer_spectrum, "--out", tmp_path / "d.csv")
    assert code == 0
    table = pd.read_csv(tmp_path / "d.csv").set_index("label")
    assert table.loc["[Ag3Au72]3-", "fraction"] == pytest.approx(0.5, abs=0.01)
    assert "[Ag3Au72]3-" in out and "residual rms" in out
    code, out, _ = run("deconvolve", trimer_spectrum, "--no-trimers", "--quiet")
    assert code == 0
    code, out, _ = run("assign", trimer_spectrum, "--out", tmp_path / "a.csv")
    assert code == 0 and "2 present" in out and "joint-fit residual rms" in out
    table = pd.read_csv(tmp_path / "a.csv")
    assert set(table.loc[table["assigned"], "label"]) == {"[AgAu24]-", "[Ag3Au72]3-"}
    assert {"similarity", "similarity_joint", "present"} <= set(table.columns)


def test_candidates_file(run, trimer_spectrum, tmp_path):
    path = tmp_path / "ions.txt"
    path.write_text("\n".join([*MIX, "[Ag2Au48(SR)36]2-"]) + "\n", encoding="utf-8")
    code, out, _ = run("assign", trimer_spectrum, "--candidates", path, "--all")
    assert code == 0 and "2 of 3 candidates assigned" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--n-sigma", "nan"], "n_sigma"),
        (["--min-fraction", "2"], "min_fraction"),
        (["--candidates", "missing.txt"], "does not exist"),
    ],
)
def test_assign_bad_options_exit_2(run, trimer_spectrum, tmp_path, args, message):
    out_file = tmp_path / "a.csv"
    code, _out, err = run("assign", trimer_spectrum, "--out", out_file, *args)
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out_file.exists()


def test_spectra_to_observables_with_grouped_candidates(run, tmp_path):
    """Two observables, each seen as two charge states; the per-ion table beside them."""
    groups = {
        "Au44": ["[Au44(p-MBA)26 - 4H]6-", "[Au44(p-MBA)26 - 5H]7-"],  # m/z 2151, 1843
        "Ag44": ["[Ag44(p-MBA)30]4-", "[Ag44(p-MBA)30 - H]5-"],  # m/z 2335, 1868
    }
    ions = [i for members in groups.values() for i in members]
    cands = candidates_from_ions(ions)
    grid = default_mz_grid(cands, points_per_fwhm=5)
    folder = tmp_path / "series"
    folder.mkdir()
    truth = {60: [0.5, 0.2, 0.2, 0.1], 600: [0.2, 0.1, 0.4, 0.3]}
    for t, shares in truth.items():
        spec = synthetic_spectrum(cands, shares, grid, seed=t)
        write_spectrum_csv(spec, folder / f"t_{t}s.csv")
    table = tmp_path / "groups.csv"
    table.write_text(
        "observable,ion\n" + "".join(f"{g},{i}\n" for g, m in groups.items() for i in m),
        encoding="utf-8",
    )
    code, _out, err = run(
        "spectra-to-observables", folder, "--candidates", table,
        "--out", tmp_path / "obs.csv", "--ions-out", tmp_path / "ions.csv", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    obs = pd.read_csv(tmp_path / "obs.csv")
    assert list(obs.columns) == ["time_s", "Au44", "Ag44"]
    expected = np.array([[0.7, 0.3], [0.3, 0.7]])
    assert np.abs(obs[["Au44", "Ag44"]].to_numpy() - expected).max() < 0.01
    # one spectrum of the series with `deconvolve`: the same grouped observables
    code, out, err = run("deconvolve", folder / "t_60s.csv", "--candidates", table)
    assert code == 0, err
    assert "observables (sums of their ions" in out
    au44 = next(ln for ln in out.splitlines() if ln.split()[:1] == ["Au44"])
    assert float(au44.split()[1]) == pytest.approx(obs["Au44"].iloc[0], abs=1e-6)
    per_ion = pd.read_csv(tmp_path / "ions.csv")
    assert per_ion.shape == (2, 5)
    assert np.abs(per_ion.iloc[:, 1:].to_numpy() - np.array(list(truth.values()))).max() < 0.01
    # bad grouping file: one line, exit 2, nothing written
    table.write_text("observable,ion\nAu44\n", encoding="utf-8")
    code, _, err = run(
        "spectra-to-observables", folder, "--candidates", table, "--out", tmp_path / "o2.csv"
    )
    assert code == 2 and "line 2" in err and err.count("\n") == 1
    assert not (tmp_path / "o2.csv").exists()
