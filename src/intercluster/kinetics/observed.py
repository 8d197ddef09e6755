"""Simulated observables through an ESI-MS observation model.

A solution species is not always seen as itself: the integral heterodimers
[MAg53(BDT)12(DMBT)18](q+3)- of Acharya et al., J. Phys. Chem. C 2025
(doi:10.1021/acs.jpcc.4c07077) are never observed intact but as 3- ions after
in-source losses of L'-, AgL'2-, Ag2L'3- (M = Ag, Au) or two L', AgL'2, AgL'3
(M = Pd, Pt), and [Ag29(BDT)12(TPP)4]3- is seen without its TPP. The observation
model (:mod:`intercluster.ms.observation`) gives the weights W[i, j] of observed
ion i per unit of solution species (here: observable sum formula) j. From a
simulation this module computes

- the per-ion signal I_i(t) = sum_j W[i, j] c_j(t), normalised to the total ion
  signal (``observed_ion_intensity``; the per-ion table ``observed_ions.csv``);
- the per-species observable: the sum of its ions with the model's weights,
  c_j(t) sum_i W[i, j], normalised to the same total (``intensity``; the
  unweighted solution-phase value is kept as ``solution_intensity``).

With the identity model (every species seen as itself with weight 1) both equal
the ordinary normalised intensities.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from intercluster.errors import ConfigError, FormulaError, bad_value

__all__ = ["apply_observation", "observable_ions", "observation_model"]


def observation_model(spec, source: str = "observation"):
    """An :class:`~intercluster.ms.observation.ObservationModel` from a config value.

    Parameters
    ----------
    spec : str, mapping or ObservationModel
        A preset name (``"acharya2025-dimers"``), the ``[observation]`` table of a
        configuration (keys as in :meth:`ObservationModel.from_mapping`), or a model.
    source : str
        Where the table comes from (for error messages).

    Returns
    -------
    ObservationModel

    Raises
    ------
    ConfigError
        For an unknown preset, unknown keys or bad values (naming the key).
    """
    from intercluster.ms.observation import ObservationModel, preset_model

    if isinstance(spec, ObservationModel):
        return spec
    if isinstance(spec, str):
        return preset_model(spec)
    if isinstance(spec, Mapping):
        return ObservationModel.from_mapping(dict(spec), source)
    raise ConfigError(
        bad_value("observation", spec, "a preset name or a table (see docs/ms-mixtures.md)")
    )


def observable_ions(network) -> tuple[list, list]:
    """The observables of a network as chem Ions, with their family names.

    Returns
    -------
    ions : list of Ion, length n_observables
    families : list of str or None, length n_observables
        ``"Ag29+AuAg24"`` for a complex (the family names of its subunits joined by
        ``+``), the family name for a free cluster; None for a single-family network.
    """
    from intercluster.chem.formula import Ion

    cs = getattr(network, "cluster_system", None)
    if cs is None or getattr(network, "is_single_family", False):
        return [Ion(label) for label in network.observable_labels], [None] * len(
            network.observable_labels
        )
    names = [f.name for f in cs.families]
    families: list = [None] * cs.n_observables
    for sp, o in zip(cs.species, cs.observable_of_species):
        if o >= 0 and families[o] is None:
            families[o] = "+".join(names[f] for f, _ in sp.subunits)
    return list(cs.observables), families


def apply_observation(ds, network, model):
    """A simulation result seen through an observation model.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`intercluster.kinetics.simulate` (``observable_concentration``
        (time, observable) [nmol/L]).
    network : Network
        The network ``ds`` was simulated with.
    model : ObservationModel, str or mapping
        See :func:`observation_model`.

    Returns
    -------
    xarray.Dataset
        A copy with

        - ``observed_ion_intensity(time, observed_ion)``: signal of every observed
          ion normalised to the total ion signal (rows sum to 1);
        - ``observed_ion_signal(time, observed_ion)`` [nmol/L x weight];
        - coordinates ``observed_ion`` (label), ``observed_ion_charge`` [e],
          ``observed_ion_mz_average`` and ``observed_ion_mz_most_abundant`` [Th],
          ``observed_ion_valence_electrons`` and ``observed_ion_source`` (the
          observable that contributes most to it);
        - ``intensity(time, observable)`` replaced by the sum of each observable's
          ions with the model's weights, normalised to the total ion signal (the
          unweighted value kept as ``solution_intensity``), ``t_max`` recomputed;
        - ``attrs["observation_model"]``: the model's source.

    Raises
    ------
    ConfigError
        For a bad model.
    FormulaError
        If a channel removes what a species lacks.
    """
    import xarray as xr

    from intercluster.kinetics.observables import t_max
    from intercluster.ms.masses import mz
    from intercluster.ms.observation import observation_matrix

    model = observation_model(model)
    ions, families = observable_ions(network)
    ion_list, W = observation_matrix(ions, model, families)
    Wd = W.toarray()
    obs = np.asarray(ds.observable_concentration.values, dtype=float)  # (time, obs)
    signal = obs @ Wd.T  # (time, ions)
    total = signal.sum(axis=1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    ion_int = np.where(total > 0, signal / safe, 0.0)
    per_obs = np.where(total > 0, obs * Wd.sum(axis=0)[None, :] / safe, 0.0)
    source = [str(ds.observable.values[int(np.argmax(Wd[i]))]) for i in range(len(ion_list))]

    def _mz(ion, kind):
        try:
            return float(mz(ion, kind))
        except (FormulaError, KeyError, ValueError):  # no isotope data: NaN, not a crash
            return float("nan")

    out = ds.copy()
    out["solution_intensity"] = ds["intensity"].assign_attrs(
        long_name="intensity of the solution species normalised to their total (no "
        "observation model)"
    )
    out["intensity"] = (
        ("time", "observable"),
        per_obs,
        {
            "units": "1",
            "long_name": "sum of each species' observed ions (observation-model weights), "
            "normalised to the total ion signal",
        },
    )
    out["t_max"] = (
        ("observable",),
        t_max(ds.time.values, per_obs),
        {"units": "s", "long_name": "time of maximum normalised intensity"},
    )
    ion_coords = {
        "observed_ion": ("observed_ion", [str(i) for i in ion_list]),
        "observed_ion_charge": ("observed_ion", np.array([i.charge for i in ion_list])),
        "observed_ion_mz_average": (
            "observed_ion",
            np.array([_mz(i, "average") for i in ion_list]),
            {"units": "Th"},
        ),
        "observed_ion_mz_most_abundant": (
            "observed_ion",
            np.array([_mz(i, "most_abundant") for i in ion_list]),
            {"units": "Th"},
        ),
        "observed_ion_valence_electrons": (
            "observed_ion",
            np.array(
                [-1 if i.valence_electrons is None else i.valence_electrons for i in ion_list]
            ),
            {"long_name": "valence electron count (-1: not defined)"},
        ),
        "observed_ion_source": ("observed_ion", source),
    }
    out = out.assign_coords(
        {k: xr.Variable(v[0], v[1], v[2] if len(v) > 2 else None) for k, v in ion_coords.items()}
    )
    out["observed_ion_signal"] = (
        ("time", "observed_ion"),
        signal,
        {"units": "nmol/L", "long_name": "ion signal: concentration x observation weight"},
    )
    out["observed_ion_intensity"] = (
        ("time", "observed_ion"),
        ion_int,
        {"units": "1", "long_name": "observed ion intensity normalised to the total ion signal"},
    )
    out.attrs["observation_model"] = model.source
    return out
