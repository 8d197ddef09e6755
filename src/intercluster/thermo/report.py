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

__all__ = ["family_distributions", "summarize"]

#: Largest number of output times whose full per-family distributions summary.json lists
#: (evenly spaced, first and last included); the mean composition is given at every time.
SUMMARY_TIMES = 11


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

        For a general network (families, complexes, rules): ``system`` lists the
        families, K and the complex types; ``families`` the per-family composition
        distributions over time (:func:`family_distributions`); ``final`` the
        per-family distributions at the last time, the share of the ion signal
        per complex size and, for one family over its whole window only, the
        comparison with Binomial(N, p) (``binomial_note`` says which);
        ``conservation_drift`` every conserved quantity (each metal, each ligand,
        the charge; relative); with an observation model, ``observation_model``
        and ``final.observed_ion_intensity`` (normalised intensity per observed ion).
    """
    if not getattr(network, "is_single_family", True):
        return _summarize_general(ds, network)
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
        **_run_fields(ds, network),
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


def _solver(ds, method: str) -> dict:
    return {
        "method": method,
        "rtol": float(ds.attrs["rtol"]),
        "atol_nM": float(ds.attrs["atol_nM"]),
        "n_steps": int(ds.attrs["n_steps"]),
        "n_rhs_evaluations": int(ds.attrs["n_rhs_evaluations"]),
        "n_jacobian_evaluations": int(ds.attrs["n_jacobian_evaluations"]),
        "n_factorizations": int(ds.attrs["n_factorizations"]),
    }


def family_distributions(ds, network) -> dict:
    """Per-family composition distributions of a general simulation result.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`intercluster.kinetics.simulate` of a general network (it holds
        ``family_composition(time, family, x)`` [nmol/L]: subunits of each family
        with x A atoms, free and inside complexes).
    network : Network

    Returns
    -------
    dict
        family name -> ``{"x": [x_min..x_max], "time_s": [...], "mean_x": [...]
        (every output time), "snapshots": {time: distribution} (at most
        :data:`SUMMARY_TIMES` times, each normalised to 1 over the family),
        "final": distribution at the last time, "final_mean_x", "final_mode"
        (label of the most abundant free cluster), "final_total_nM"}``.
    """
    cs = network.cluster_system
    times = ds.time.values
    comp = ds.family_composition.values
    n_t = len(times)
    picks = sorted({int(i) for i in np.rint(np.linspace(0, n_t - 1, min(SUMMARY_TIMES, n_t)))})
    out = {}
    for fi, fam in enumerate(cs.families):
        xs = np.arange(fam.x_min, fam.x_max + 1)
        d = comp[:, fi, fam.x_min : fam.x_max + 1]
        total = d.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(total[:, None] > 0, d / np.where(total > 0, total, 1)[:, None], 0.0)
        mean = p @ xs
        last = p[-1]
        out[fam.name] = {
            "metal_a": fam.metal_a,
            "metal_b": fam.metal_b,
            "n_atoms": fam.n_atoms,
            "x": [int(x) for x in xs],
            "time_s": [float(t) for t in times],
            "mean_x": [_clean(float(m)) for m in mean],
            "snapshots": {f"{times[i]:g}": [float(v) for v in p[i]] for i in picks},
            "final": {fam.label(int(x)): float(v) for x, v in zip(xs, last)},
            "final_mean_x": _clean(float(mean[-1])),
            "final_mode": fam.label(int(xs[np.argmax(last)])) if total[-1] > 0 else None,
            "final_total_nM": float(total[-1]),
        }
    return out


def _summarize_general(ds, network) -> dict:
    """:func:`summarize` for a general network (families, complexes, rules)."""
    cs = network.cluster_system
    x0 = ds.initial_concentration.values
    labels = list(ds.observable.values)
    fams = family_distributions(ds, network)
    final_int = ds.intensity.isel(time=-1).values
    sizes = ds.observable_size.values
    by_size = {}
    for k in sorted(set(int(s) for s in sizes)):
        name = {1: "free clusters", 2: "2-complexes", 3: "3-complexes"}.get(k, f"{k}-complexes")
        by_size[name] = float(final_int[sizes == k].sum())
    final = {
        "time_s": float(ds.time.values[-1]),
        "family_distribution": {n: f["final"] for n, f in fams.items()},
        "family_mean_x": {n: f["final_mean_x"] for n, f in fams.items()},
        "family_mode": {n: f["final_mode"] for n, f in fams.items()},
        "intensity_by_size": by_size,
        "observable_mode": labels[int(np.argmax(final_int))] if len(labels) else None,
    }
    if len(cs.families) == 1 and cs.families[0].n_compositions == cs.families[0].n_atoms + 1:
        # one family over its whole window: the subunit compositions can be compared with
        # Binomial(N, p) at the overall A fraction (the random distribution of the atoms)
        fam = cs.families[0]
        rows = list(network.conservation_labels)
        C = network.conservation_matrix
        a = float(C[rows.index(fam.metal_a)] @ x0) if fam.metal_a in rows else 0.0
        b = float(C[rows.index(fam.metal_b)] @ x0) if fam.metal_b in rows else 0.0
        p = a / (a + b) if a + b > 0 else float("nan")
        dist = ds.family_composition.values[-1, 0, : fam.n_atoms + 1]
        final["a_fraction_overall"] = p
        final["binomial"] = {fam.label(x): float(v) for x, v in enumerate(binomial(fam.n_atoms, p))}
        final["composition_vs_binomial"] = {
            k: _clean(v) for k, v in compare_with_binomial(dist, p).items()
        }
        final["binomial_note"] = (
            f"subunit compositions of family {fam.name} (free and in complexes) against "
            f"Binomial({fam.n_atoms}, p), p = overall {fam.metal_a} fraction"
        )
    else:
        final["binomial_note"] = (
            "no binomial comparison: it means something for one family over its whole "
            "composition window only (here "
            + ", ".join(
                f"{f.name} x = {f.x_min}..{f.x_max} of N = {f.n_atoms}" for f in cs.families
            )
            + ")"
        )
    if "observed_ion_intensity" in ds:
        # through an observation model (kinetics.observed.apply_observation)
        final["observed_ion_intensity"] = {
            str(i): float(v)
            for i, v in zip(ds.observed_ion.values, ds.observed_ion_intensity.values[-1])
        }
    drift = {q: float(ds.attrs[f"conservation_drift_{q}"]) for q in network.conservation_labels}
    out = {
        "system": {
            "families": [f.to_dict() for f in cs.families],
            "max_subunits": cs.max_subunits,
            "complex_types": [[cs.families[i].name for i in t] for t in cs.complex_types],
        },
        **_run_fields(ds, network),
        "families": fams,
        "final": final,
        "equilibrium": {"note": "exact equilibrium states are computed for one-family models only"},
        "conservation_drift": drift,
        "conservation_drift_max": float(ds.attrs["conservation_drift_max"]),
        "min_concentration_relative": float(ds.attrs["min_concentration_relative"]),
        "solver": _solver(ds, "BDF (orders 1-5, NDF), analytic Jacobian, general network"),
        "wall_time_s": float(ds.attrs["wall_time_s"]),
    }
    if "observation_model" in ds.attrs:
        out["observation_model"] = str(ds.attrs["observation_model"])
    return out


def _run_fields(ds, network) -> dict:
    """What every summary holds about the run: model, parameters, counts, the non-zero
    initial concentrations [nmol/L], the time axis and t_max per observable [s]."""
    x0 = ds.initial_concentration.values
    return {
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
        "t_max_s": {lab: _clean(float(v)) for lab, v in zip(ds.observable.values, ds.t_max.values)},
    }
