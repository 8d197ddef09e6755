"""Shared fixtures for the mass-spectrometry tests."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from intercluster.network.system import ExchangeSystem


@pytest.fixture(scope="session")
def agau():
    """The Ag/Au system of Neumaier et al. 2021 (N = 25, monoanions)."""
    return ExchangeSystem("Ag", "Au", 25, -1)


def realistic_observables(system, times, seed=0):
    """Normalised intensities shaped like Neumaier et al. 2021 Figure 1: monomers spread from both
    ends, dimers
    around [Ag25Au25]2-, some observables exactly zero (as early in a reaction)."""
    rng = np.random.default_rng(seed)
    labels = list(system.observable_labels)
    N = system.n_atoms
    rows = []
    for i, t in enumerate(times):
        width = 1.0 + 3.0 * i
        m = np.arange(N + 1)
        mono = np.exp(-0.5 * (m / width) ** 2) + np.exp(-0.5 * ((N - m) / width) ** 2)
        s = np.arange(2 * N + 1)
        dim = 0.4 * np.exp(-0.5 * ((s - N) / (1.0 + 2.0 * i)) ** 2)
        v = np.concatenate([mono, dim]) * rng.uniform(0.7, 1.3, len(labels))
        v[v < 1e-3 * v.max()] = 0.0
        rows.append([t, *(v / v.sum())])
    return pd.DataFrame(rows, columns=["time_s", *labels])


@pytest.fixture
def result_dir(tmp_path, agau):
    """A folder like 'intercluster simulate' writes (observables.csv + summary.json)."""
    folder = tmp_path / "sim"
    folder.mkdir()
    realistic_observables(agau, [180.0, 600.0, 1800.0]).to_csv(
        folder / "observables.csv", index=False
    )
    (folder / "summary.json").write_text(
        json.dumps({"system": {"metal_a": "Ag", "metal_b": "Au", "n_atoms": 25, "charge": -1}}),
        encoding="utf-8",
    )
    return folder
