"""Shared helpers of the fit tests: small systems, synthetic datasets, configs."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster import ExchangeSystem
from intercluster.fit.data import FitData
from intercluster.fit.synthetic import synthetic_intensities, write_observables_csv

TABLE1 = {
    "sim2": {"k_dim": 1e-2, "k_diss": 1e-1, "k_ex": 3.2e-2},
    "sim3": {"k_dim": 1e-2, "k_diss": 5.6e-2, "k_ex": 3.2e-2},
}


def make_data(
    n_atoms,
    model,
    params,
    ratios=((40, 40),),
    *,
    noise=0.0,
    dropout=0.0,
    seed=1,
    t_end_s=3600.0,
    dt_s=10.0,
):
    """FitData objects of synthetic data (one per mixing ratio)."""
    system = ExchangeSystem("Ag", "Au", n_atoms)
    out = []
    for k, (a, b) in enumerate(ratios):
        mix = f"Ag{n_atoms}:Au{n_atoms} = {a}:{b}"
        t, labels, y = synthetic_intensities(
            system,
            model,
            params,
            mix,
            t_end_s=t_end_s,
            dt_s=dt_s,
            noise_rel=noise,
            dropout=dropout,
            seed=seed + k,
        )
        out.append(FitData(f"{a}:{b}", t, labels, y, mix, 20.0))
    return system, out


SMALL_CONFIG = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = {n}

[model]
name = "{model}"

[parameters]
k_dim = {{ lower = 1e-3, upper = 1e-1 }}
k_diss = {{ lower = 1e-2, upper = 1 }}
k_ex = {{ lower = 1e-2, upper = 1e-1 }}

[[datasets]]
name = "40:40"
path = "a.csv"
mixture = "Ag{n}:Au{n} = 40:40"
dead_time_s = 20

[[datasets]]
name = "100:60"
path = "b.csv"
mixture = "Ag{n}:Au{n} = 100:60"
dead_time_s = 20

[objective]
kind = "combined"
smooth_s = 60

[grid]
preset = "bounds"
points = {points}

[refine]
starts = 1
max_evaluations = 60

[uncertainty]
max_evaluations = 20

[mcmc]
walkers = 6
steps = 6
burn = 2
"""


def write_small_fit(tmp_path, n=5, model="sim2", points=3, noise=0.03):
    """A fit folder: fit.toml + a.csv + b.csv (sim2, 3 % noise, 600 s); returns fit.toml."""
    _, data = make_data(
        n,
        model,
        TABLE1[model],
        ((40, 40), (100, 60)),
        noise=noise,
        dropout=0.05,
        t_end_s=600.0,
        dt_s=10.0,
    )
    for d, name in zip(data, ("a.csv", "b.csv")):
        write_observables_csv(tmp_path / name, d.time_s, d.labels, d.intensity)
    cfg = tmp_path / "fit.toml"
    cfg.write_text(SMALL_CONFIG.format(n=n, model=model, points=points))
    return cfg


@pytest.fixture
def small_fit(tmp_path):
    """Factory of :func:`write_small_fit` folders in tmp_path."""
    return lambda **kw: write_small_fit(tmp_path, **kw)


def assert_same_floats(a, b):
    """Bit-identical arrays (NaN == NaN)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    assert np.array_equal(a.view(np.int64), b.view(np.int64)), (a, b)
