"""``intercluster.load`` round-trips what simulate, fit, equilibrium and exsy wrote: each
folder is written by the real command, loaded, and compared with the files."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import intercluster
from intercluster import DataError
from intercluster.kinetics.results import load_result
from intercluster.results import (
    EquilibriumResult,
    ExsyResult,
    FitRunResult,
    RunResult,
    SimulationResult,
    detect_kind,
)
from tests.result_folders import make_folders


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return make_folders(tmp_path_factory)


def _common(run, folder, kind):
    assert isinstance(run, RunResult) and run.kind == kind and run.path == folder
    assert detect_kind(folder) == kind
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert [p.name for p in run.files] == names
    assert [p.name for p in run.figures] == [n for n in names if n.endswith((".png", ".svg"))]
    assert run.figures  # every command draws by default


def test_load_is_exported_lazily():
    import subprocess
    import sys

    code = "import intercluster, sys; assert 'intercluster.results' not in sys.modules; "
    code += "f = intercluster.load; assert 'intercluster.results' in sys.modules; print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "ok", proc.stderr
    assert "load" in intercluster.__all__ and "load" in dir(intercluster)


@pytest.mark.slow
def test_simulation_folder_round_trips(folders):
    folder = folders["simulate"]
    run = intercluster.load(folder)
    assert isinstance(run, SimulationResult)
    _common(run, folder, "simulate")
    xr.testing.assert_identical(run.dataset, load_result(folder))  # load_result still works
    obs = pd.read_csv(folder / "observables.csv")
    assert list(obs.columns[1:]) == list(run.dataset.observable.values)
    np.testing.assert_allclose(obs["time_s"], run.dataset.time.values)
    np.testing.assert_allclose(obs.iloc[:, 1:].to_numpy(), run.dataset.intensity.values, rtol=1e-9)
    assert run.summary == json.loads((folder / "summary.json").read_text())
    assert run.config == tomllib.loads((folder / "config.toml").read_text())
    assert run.config["system"]["n_atoms"] == 5 and run.dataset.attrs["n_atoms"] == 5
    # the command that wrote it, runnable from anywhere
    assert run.command.startswith("cd ") and "&& intercluster simulate --n-atoms 5" in run.command
    assert run.command.endswith("--out simulate")


@pytest.mark.slow
def test_fit_folder_round_trips(folders):
    folder = folders["fit"]
    run = intercluster.load(folder)
    assert isinstance(run, FitRunResult)
    _common(run, folder, "fit")
    fit_json = json.loads((folder / "fit.json").read_text())
    assert run.summary == fit_json
    assert run.config == tomllib.loads((folder / "fit-config.toml").read_text())
    r = run.result
    assert isinstance(r, intercluster.fit.FitResult)
    assert run.values == r.values == fit_json["best"]
    assert set(run.intervals) == {"k_dim", "k_diss", "k_ex", "k_dim/k_diss"}
    for name, iv in run.intervals.items():
        stored = fit_json["intervals_95"][name]
        assert (iv.lower, iv.best, iv.upper) == (stored["lower"], stored["best"], stored["upper"])
        assert iv.lower < run.values.get(name, r.derived.get(name)) < iv.upper
        assert r.wald_intervals[name].method == "wald"
    assert [d.name for d in r.datasets] == ["40:40", "100:60"]
    for d in r.datasets:
        tag = d.name.replace(":", "-")
        best = pd.read_csv(folder / f"best_fit_observables_{tag}.csv")
        data = pd.read_csv(folder / f"data_observables_{tag}.csv")
        np.testing.assert_array_equal(d.best_fit, best[d.labels].to_numpy())
        np.testing.assert_array_equal(d.data, data[d.labels].to_numpy())
        # the data as fitted: the input file with the same times and intensities
        src = pd.read_csv(folder.parent / ("a.csv" if d.name == "40:40" else "b.csv"))
        np.testing.assert_allclose(d.time_s, src["time_s"])
        np.testing.assert_allclose(d.data, src[d.labels].to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(d.best_fit.sum(axis=1), 1.0, rtol=1e-8)
    assert len(run.grid) == 27 and run.grid["rank"].min() == 1
    assert len(run.tmax) == len(r.tmax) == 2 * 17
    assert set(run.profiles["profile"]) == set(run.intervals)
    assert r.command == run.command and "intercluster fit" in r.command
    assert {"fit_traces.png", "residual_map.png"} <= {p.name for p in run.figures}


@pytest.mark.slow
def test_equilibrium_folder_round_trips(folders):
    folder = folders["equilibrium"]
    run = intercluster.load(folder)
    assert isinstance(run, EquilibriumResult)
    _common(run, folder, "equilibrium")
    summary = json.loads((folder / "summary.json").read_text())
    assert run.summary == summary and run.config["site_model"] == summary["site_model"]
    # the percentages of summary.json are the table of distributions.csv
    for ratio, row in summary["distributions_percent"].items():
        np.testing.assert_allclose(run.distributions.loc[ratio].to_numpy(), list(row.values()))
        assert run.distributions.loc[ratio].sum() == pytest.approx(100.0)
    assert list(run.binomial.index) == list(run.distributions.index)
    assert {"K", "dG_kJ_mol"} <= set(run.exchange_constants.columns)
    assert run.command.endswith("&& intercluster equilibrium --out equilibrium")


@pytest.mark.slow
def test_exsy_folder_round_trips(folders):
    folder = folders["exsy"]
    run = intercluster.load(folder)
    assert isinstance(run, ExsyResult)
    _common(run, folder, "exsy")
    summary = json.loads((folder / "summary.json").read_text())
    assert run.summary == summary and run.config == summary["config"]
    assert "&& intercluster exsy " in run.command and "--mixing-times 0.4 0.8" in run.command
    np.testing.assert_allclose(run.dataset.mixing_time.values, [0.4, 0.8])
    np.testing.assert_allclose(
        run.equilibrium["fraction"].to_numpy(), list(summary["equilibrium_fraction"].values())
    )
    for t in (0.4, 0.8):
        frame = pd.read_csv(folder / f"normalized_{t * 1000:g}ms.csv", index_col=0)
        np.testing.assert_allclose(
            frame.to_numpy(), run.dataset.normalized.sel(mixing_time=t).values, rtol=1e-12
        )
    visible = run.cross_peaks[run.cross_peaks["visible"]]
    assert len(visible) == sum(len(v["cross_peak_pairs"]) for v in summary["mixing_times"].values())


def test_load_refuses_what_is_not_a_result_folder(tmp_path):
    with pytest.raises(DataError, match=r"^path = '.*nowhere': no such folder"):
        intercluster.load(tmp_path / "nowhere")
    (tmp_path / "file.nc").write_bytes(b"\x89HDF\x00\x01")
    with pytest.raises(DataError, match=r"is a file; give a folder"):
        intercluster.load(tmp_path / "file.nc")
    with pytest.raises(DataError, match=r"not a result folder"):
        intercluster.load(tmp_path)  # empty
    unfinished = tmp_path / "fit"
    unfinished.mkdir()
    (unfinished / "fit-config.toml").write_text("[system]\n")
    with pytest.raises(DataError, match=r"did not finish \(no fit.json\); rerun"):
        intercluster.load(unfinished)
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("result.nc", "observables.csv"):
        (broken / name).write_bytes(b"\x00\xff" * 100)
    (broken / "summary.json").write_bytes(b"\x00\xff\xfe binary")
    with pytest.raises(DataError, match=r"summary.json.*cannot read it as JSON"):
        intercluster.load(broken)
    (broken / "summary.json").write_text("{}")
    with pytest.raises(DataError, match=r"result.nc.*cannot read the result"):
        intercluster.load(broken)
    (unfinished / "fit.json").write_text('{"method": "grid"}')
    with pytest.raises(DataError, match=r"fit.json.*not a fit result"):
        intercluster.load(unfinished)
