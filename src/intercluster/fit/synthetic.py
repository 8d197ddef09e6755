"""Synthetic time-resolved data with known rate constants (recovery tests, examples).

The noise-free intensities come from :func:`intercluster.kinetics.simulate`;
then, as in an ESI-MS experiment, every intensity gets multiplicative Gaussian
noise (``noise_rel``, e.g. 3 %), negative values are clipped to 0, each
spectrum (row) is renormalised to the total ion signal, and a random fraction
of spectra is lost (``dropout``: whole time points removed).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["synthetic_intensities", "write_observables_csv"]


def synthetic_intensities(
    system,
    model: str,
    parameters: dict[str, float],
    initial,
    *,
    t_end_s: float = 3600.0,
    dt_s: float = 10.0,
    dead_time_s: float = 20.0,
    noise_rel: float = 0.0,
    dropout: float = 0.0,
    seed: int | np.random.Generator | None = 0,
    rtol: float = 1e-8,
    atol_nM: float = 1e-12,
):
    """Normalised intensities of a simulation with noise and dropped spectra.

    Parameters
    ----------
    system : ExchangeSystem
    model : str
        Rate model (sim1, sim2, sim3).
    parameters : dict
        k_dim [L nmol^-1 s^-1], k_diss, k_ex [s^-1] (and model parameters).
    initial : str or dict
        Mixture [nmol/L], e.g. ``"Ag25:Au25 = 40:40"``.
    t_end_s, dt_s, dead_time_s : float
        Output window and step after the dead time [s].
    noise_rel : float
        Relative standard deviation of the multiplicative noise (0.03 = 3 %).
    dropout : float
        Fraction of time points removed at random (never the first or the last).
    seed : int or Generator

    Returns
    -------
    time_s : array, shape (n_time,) [s]
    labels : tuple of str, length n_obs
    intensity : array, shape (n_time, n_obs), rows summing to 1
    """
    from intercluster.kinetics import simulate
    from intercluster.network import build_network
    from intercluster.validation import random_generator

    rng = random_generator("seed", seed)
    net = build_network(system, model, parameters)
    ds = simulate(
        net,
        initial,
        t_end_s=t_end_s,
        dt_s=dt_s,
        dead_time_s=dead_time_s,
        rtol=rtol,
        atol_nM=atol_nM,
    )
    t = ds.time.values
    y = ds.intensity.values.copy()
    if noise_rel > 0:
        y = np.clip(y * (1.0 + noise_rel * rng.standard_normal(y.shape)), 0.0, None)
        y /= y.sum(axis=1, keepdims=True)
    if dropout > 0:
        n = len(t)
        n_drop = round(dropout * (n - 2))
        drop = rng.choice(np.arange(1, n - 1), size=n_drop, replace=False)
        keep = np.ones(n, bool)
        keep[drop] = False
        t, y = t[keep], y[keep]
    return t, tuple(system.observable_labels), y


def write_observables_csv(
    path: str | os.PathLike, time_s, labels, intensity, float_format: str = "%.17g"
) -> Path:
    """Write ``time_s`` + one column per observable, the layout of ``intercluster
    simulate``'s observables.csv (by default 17 significant digits, so values
    round-trip)."""
    import pandas as pd

    path = Path(path)
    frame = pd.DataFrame(np.asarray(intensity), columns=list(labels))
    frame.insert(0, "time_s", np.asarray(time_s))
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format=float_format)
    return path
