"""summary.json of a general (families, complexes, rules) simulation."""

from __future__ import annotations

import math

__all__ = ["summarize_general"]


def _num(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def summarize_general(ds, network) -> dict:
    """Summary of a simulation of a general network (JSON-ready, no NaN).

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`intercluster.kinetics.simulate` of a general network, optionally
        through :func:`intercluster.kinetics.observed.apply_observation`.
    network : Network

    Returns
    -------
    dict
        ``families``, ``model``, ``parameters``, ``counts``, ``initial_conc_nM``
        (non-zero species), ``t_max_s`` per observable (None if never present),
        ``final`` (time, concentration per species [nmol/L], intensity per
        observable, and per observed ion if an observation model was applied),
        ``conservation_drift`` per conserved quantity (relative),
        ``min_concentration_relative``, ``solver`` statistics, ``wall_time_s`` and
        ``observation_model`` (its source, if any).
    """
    a = ds.attrs
    x0 = ds.initial_concentration.values
    final = {
        "time_s": float(ds.time.values[-1]),
        "concentration_nM": {
            str(s): float(c) for s, c in zip(ds.species.values, ds.concentration.values[-1])
        },
        "intensity": {
            str(o): float(v) for o, v in zip(ds.observable.values, ds.intensity.values[-1])
        },
    }
    if "observed_ion_intensity" in ds:
        final["observed_ion_intensity"] = {
            str(i): float(v)
            for i, v in zip(ds.observed_ion.values, ds.observed_ion_intensity.values[-1])
        }
    out = {
        "families": list(a.get("families", [])),
        "max_subunits": int(a.get("max_subunits", 1)),
        "model": str(a.get("model", "")),
        "parameters": {k: float(v) for k, v in network.parameters.items()},
        "counts": {k: int(v) for k, v in network.counts().items()},
        "initial_conc_nM": {str(s): float(c) for s, c in zip(ds.species.values, x0) if c > 0},
        "t_max_s": {str(o): _num(t) for o, t in zip(ds.observable.values, ds.t_max.values)},
        "final": final,
        "conservation_drift": {
            str(k): float(a[f"conservation_drift_{k}"])
            for k in a.get("conserved_quantities", [])
            if f"conservation_drift_{k}" in a
        },
        "min_concentration_relative": float(a.get("min_concentration_relative", 0.0)),
        "solver": {
            k: int(a[k])
            for k in ("n_steps", "n_rhs_evaluations", "n_jacobian_evaluations", "n_factorizations")
            if k in a
        },
        "wall_time_s": float(a.get("wall_time_s", 0.0)),
    }
    if "observation_model" in a:
        out["observation_model"] = str(a["observation_model"])
    return out
