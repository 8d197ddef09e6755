"""Spectra -> observables.csv: the 77-observable round trip and the layout of simulate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import realistic_observables
from intercluster.errors import DataError
from intercluster.ms import (
    NoiseModel,
    read_simulation_result,
    spectra_to_observables,
    synthesize_series,
    write_observables,
    write_spectra,
)
from intercluster.ms.spectrum import read_spectra


def test_round_trip_77_observables_within_001(agau):
    """simulate -> synthetic spectra (R = 25,000, Poisson + detector noise) -> deconvolve."""
    truth = realistic_observables(agau, [180.0, 900.0, 3240.0], seed=11)
    spectra = synthesize_series(truth, agau, resolving_power=25_000, noise=NoiseModel(), seed=5)
    series = spectra_to_observables(spectra, agau, resolving_power=25_000)
    labels = list(agau.observable_labels)
    assert len(labels) == 77
    got = series.observables
    assert list(got.columns) == ["time_s", *labels]  # simulate's layout
    assert got[labels].sum(axis=1).to_numpy() == pytest.approx(1.0)
    err = np.abs(got[labels].to_numpy() - truth[labels].to_numpy())
    assert err.max() < 0.01
    # the reported standard errors are of the size of the actual errors
    se = series.stderr[labels].to_numpy()
    assert (
        np.median(err[truth[labels].to_numpy() > 0.005] / se[truth[labels].to_numpy() > 0.005]) < 3
    )


def test_round_trip_through_files_and_two_processes(agau, tmp_path):
    truth = realistic_observables(agau, [60.0, 120.0], seed=2)
    spectra = synthesize_series(truth, agau, seed=1)
    folder = write_spectra(spectra, tmp_path / "spectra", fmt="mzml")
    back = read_spectra(folder / "spectra.mzML")
    series = spectra_to_observables(back, agau, n_jobs=2)
    labels = list(agau.observable_labels)
    assert np.abs(series.observables[labels].to_numpy() - truth[labels].to_numpy()).max() < 0.01
    path = write_observables(series.observables, tmp_path / "observables.csv")
    again = pd.read_csv(path)
    assert list(again.columns) == ["time_s", *labels]
    assert again["time_s"].tolist() == [60.0, 120.0]


def test_ionisation_efficiency(agau):
    truth = realistic_observables(agau, [300.0], seed=4)
    labels = list(agau.observable_labels)
    eff = {lab: (0.5 if lab.endswith("2-") else 1.0) for lab in labels}
    spectra = synthesize_series(truth, agau, efficiency=eff, noise=NoiseModel(None), seed=0)
    raw = spectra_to_observables(spectra, agau).observables[labels].to_numpy()
    fixed = spectra_to_observables(spectra, agau, efficiency=eff).observables[labels].to_numpy()
    assert np.abs(fixed - truth[labels].to_numpy()).max() < 1e-4
    assert np.abs(raw - truth[labels].to_numpy()).max() > 0.01


def test_series_errors(agau):
    truth = realistic_observables(agau, [1.0, 2.0], seed=0)
    spectra = synthesize_series(truth, agau, noise=NoiseModel(None))
    with pytest.raises(DataError, match="has no time"):
        spectra_to_observables([spectra[0].with_time(None)], agau)
    with pytest.raises(DataError, match="same time"):
        spectra_to_observables([spectra[0], spectra[1].with_time(1.0)], agau)
    with pytest.raises(DataError, match="no spectra"):
        spectra_to_observables([], agau)
    bad = truth.drop(columns=["[Ag25]-"])
    with pytest.raises(DataError, match=r"missing \['\[Ag25\]-'\]"):
        synthesize_series(bad, agau)


def test_read_simulation_result(result_dir, tmp_path):
    res = read_simulation_result(result_dir)
    assert res.system == {"charge": -1, "metal_a": "Ag", "metal_b": "Au", "n_atoms": 25}
    assert res.observables.columns[0] == "time_s" and len(res.observables) == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match=r"summary\.json is missing"):
        read_simulation_result(empty)
    (empty / "summary.json").write_text(json.dumps({"model": "sim3"}))
    (empty / "observables.csv").write_text("time_s,[Au25]-\n0,1\n")
    with pytest.raises(DataError, match='needs "system"'):
        read_simulation_result(empty)
    (empty / "summary.json").write_text(json.dumps({"system": res.system}))
    (empty / "observables.csv").write_text("time_s,[Au25]-\n0,1\n1,-0.5\n")
    with pytest.raises(DataError, match=r"row 3, column '\[Au25\]-'"):
        read_simulation_result(empty)
