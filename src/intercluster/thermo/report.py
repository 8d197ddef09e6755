"""The numbers ``summary.json`` holds for a simulation (what a chemist checks first)."""

from __future__ import annotations

import math

import numpy as np

from intercluster.errors import ConfigError
from intercluster.thermo.equilibrium import (
    a_fraction,
    binomial,
    compare_with_binomial,
    equilibrium_state,
)

__all__ = ["summarize"]


def _clean(x):
    """JSON-safe floats (NaN -> None)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def summarize(ds, network) -> dict:
    """Summary of a simulation result.

    Parameters
    ----------
    ds : xarray.Dataset from :func:`intercluster.kinetics.simulate`
    network : Network the result was simulated with

    Returns
    -------
    dict
        ``system``, ``model``, ``parameters``, ``counts`` (species and reactions
        by kind), ``initial_conc_nM`` (non-zero species), ``t_max_s`` per
        observable (None if never present), ``final``: the monomer and dimer
        distributions at the last time (each normalised within its class), their
        binomial expectation at the overall A fraction (monomers: Binomial(N, p),
        dimer sum formulas: Binomial(2N, p)) and comparison numbers
        (:func:`~intercluster.thermo.equilibrium.compare_with_binomial`), the
        monomer:dimer ion ratio; ``equilibrium``: the model's exact equilibrium
        (if it obeys detailed balance) and the distance of the final state from it;
        ``conservation_drift`` per metal (relative), ``min_concentration_relative``,
        ``solver`` statistics and ``wall_time_s``.
    """
    system = network.system
    N = system.n_atoms
    n_mono = system.n_monomers
    labels = list(ds.observable.values)
    x0 = ds.initial_concentration.values
    p = a_fraction(network, x0)
    obs_final = ds.observable_concentration.isel(time=-1).values
    mono, dim = obs_final[:n_mono], obs_final[n_mono:]
    mono_d = mono / mono.sum() if mono.sum() > 0 else mono
    dim_d = dim / dim.sum() if dim.sum() > 0 else dim

    def as_map(values, names):
        return {n: float(v) for n, v in zip(names, values)}

    final = {
        "time_s": float(ds.time.values[-1]),
        "a_fraction_overall": p,
        "monomer_distribution": as_map(mono_d, labels[:n_mono]),
        "monomer_mode": labels[int(np.argmax(mono))],
        "binomial_monomers": as_map(binomial(N, p), labels[:n_mono]),
        "monomers_vs_binomial": {k: _clean(v) for k, v in compare_with_binomial(mono, p).items()},
    }
    if system.has_dimers:
        final.update(
            {
                "dimer_distribution": as_map(dim_d, labels[n_mono:]),
                "dimer_mode": labels[n_mono + int(np.argmax(dim))],
                "monomer_to_dimer_ratio": _clean(
                    float(mono.sum() / dim.sum()) if dim.sum() > 0 else math.inf
                ),
                "binomial_dimers": as_map(binomial(2 * N, p), labels[n_mono:]),
                "dimers_vs_binomial": {
                    k: _clean(v) for k, v in compare_with_binomial(dim, p).items()
                },
            }
        )
    try:
        eq = equilibrium_state(network, x0)
        eq_obs = network.observable_matrix @ eq
        eq_mono = eq_obs[:n_mono] / eq_obs[:n_mono].sum()
        equilibrium = {
            "monomer_distribution": as_map(eq_mono, labels[:n_mono]),
            "monomer_mode": labels[int(np.argmax(eq_mono))],
            "final_monomers_total_variation": float(0.5 * np.abs(mono_d - eq_mono).sum()),
        }
        if system.has_dimers:
            equilibrium["monomer_to_dimer_ratio"] = float(
                eq_obs[:n_mono].sum() / eq_obs[n_mono:].sum()
            )
    except ConfigError as exc:
        equilibrium = {"note": str(exc)}
    return {
        "system": {
            "metal_a": system.metal_a,
            "metal_b": system.metal_b,
            "n_atoms": N,
            "charge": system.charge,
            "mechanism": system.mechanism,
        },
        "model": network.model.name,
        "model_description": network.model.description,
        "parameters": dict(network.parameters),
        "counts": network.counts(),
        "initial_conc_nM": {lab: float(v) for lab, v in zip(ds.species.values, x0) if v > 0},
        "time": {
            "dead_time_s": float(ds.attrs["dead_time_s"]),
            "t_end_s": float(ds.attrs["t_end_s"]),
            "n_times": int(ds.sizes["time"]),
        },
        "t_max_s": {lab: _clean(float(v)) for lab, v in zip(labels, ds.t_max.values)},
        "final": final,
        "equilibrium": equilibrium,
        "conservation_drift": {
            system.metal_a: float(ds.attrs["conservation_drift_a"]),
            system.metal_b: float(ds.attrs["conservation_drift_b"]),
        },
        "min_concentration_relative": float(ds.attrs["min_concentration_relative"]),
        "solver": {
            "method": "BDF (orders 1-5, NDF), analytic Jacobian, Schur/tridiagonal Newton solver",
            "rtol": float(ds.attrs["rtol"]),
            "atol_nM": float(ds.attrs["atol_nM"]),
            "n_steps": int(ds.attrs["n_steps"]),
            "n_rhs_evaluations": int(ds.attrs["n_rhs_evaluations"]),
            "n_jacobian_evaluations": int(ds.attrs["n_jacobian_evaluations"]),
            "n_factorizations": int(ds.attrs["n_factorizations"]),
        },
        "wall_time_s": float(ds.attrs["wall_time_s"]),
    }
