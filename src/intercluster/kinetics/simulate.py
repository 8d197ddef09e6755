"""One entry point for simulations: :func:`simulate` -> :class:`xarray.Dataset`."""

from __future__ import annotations

import math
import time as _time
import weakref

import numpy as np
import xarray as xr

from intercluster.errors import ConfigError, bad_value
from intercluster.kinetics.initial import initial_concentrations
from intercluster.kinetics.observables import observation_plan, t_max
from intercluster.kinetics.solver import CompiledNetwork, ParamMap
from intercluster.network.rules import KIND_PARAMETER
from intercluster.network.system import DimerSum
from intercluster.validation import check_memory, check_time_span, in_range, positive
from intercluster.validation import times as _times

__all__ = [
    "check_output_memory",
    "compile_network",
    "composition_distributions",
    "output_times",
    "rate_parameter_map",
    "reaction_constant_names",
    "simulate",
]

#: Default solver tolerances: relative, and absolute in nmol/L.
RTOL = 1e-8
ATOL_NM = 1e-12
#: Steps that leave a concentration below -NEG_TOL_RELATIVE x (total concentration)
#: are rejected and retried with a smaller step.
NEG_TOL_RELATIVE = 1e-13

_STRUCTURE = weakref.WeakKeyDictionary()


def compile_network(network) -> CompiledNetwork:
    """The kernel arrays of ``network``; the structure is cached per reaction set,
    so networks that differ only in rate constants share it."""
    base = _STRUCTURE.get(network.reactions)
    if base is None:
        base = CompiledNetwork.from_network(network)
        _STRUCTURE[network.reactions] = base
    if base.k is network.rate_constants or np.array_equal(base.k, network.rate_constants):
        return base
    return base.with_rate_constants(network.rate_constants)


def output_times(t_end_s: float, dt_s: float | None = None, times_s=None) -> np.ndarray:
    """The output grid [s] on the time axis that starts at the end of the dead time.

    Either an explicit increasing ``times_s`` within [0, t_end_s] or a uniform grid
    0, dt_s, ... ending exactly at t_end_s.

    Raises
    ------
    ConfigError
        For a non-positive t_end_s or dt_s, or times that are not increasing or
        fall outside [0, t_end_s].
    """
    t_end_s = positive("t_end_s", t_end_s, unit="s")
    if times_s is not None:
        return _times("times_s", np.ravel(times_s), span=(0.0, t_end_s))
    dt = positive("dt_s", 1.0 if dt_s is None else dt_s, unit="s")
    n_times = t_end_s / dt + 2
    check_memory(
        f"an output grid of {n_times:.3g} times (t_end_s = {t_end_s:g}, dt_s = {dt:g})",
        n_times * 8,
        allow="a larger dt_s or a smaller t_end_s",
    )
    n = math.floor(t_end_s / dt + 1e-9)
    times = np.arange(n + 1) * dt
    if times[-1] < t_end_s * (1 - 1e-12):
        times = np.append(times, t_end_s)
    return times


#: Copies of the (time x species) array a run holds at once (solver output, Dataset,
#: observables and intensities, the CSV/NetCDF writers' buffers).
OUTPUT_COPIES = 4


def slowest_timescale_s(network, total_nM: float) -> float:
    """The slowest time scale of the kinetics [s]: 1 / the smallest pseudo-first-order
    rate constant, k for unimolecular reactions and k x total_nM for bimolecular
    ones (inf if no reaction runs).
    """
    k = np.asarray(network.rate_constants, dtype=float)
    order = _ORDER.get(network.reactions)
    if order is None:
        order = _ORDER[network.reactions] = (np.asarray(network.reactions.reactants) >= 0).sum(
            axis=1
        )
    rates = k * float(total_nM) ** (order - 1)
    rates = rates[rates > 0]
    return 1.0 / float(rates.min()) if rates.size else math.inf


#: Molecularity of each reaction (1 or 2), per reaction set.
_ORDER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_output_memory(n_times: int, system) -> float:
    """Refuse, before the run, an output grid whose arrays exceed the memory limit.

    Estimate: n_times x (n_species + 2 n_observables) x 8 bytes x :data:`OUTPUT_COPIES`
    (:func:`intercluster.validation.check_memory`).

    Raises
    ------
    ConfigError
        With the estimate and the options that shrink it.
    """
    n_cols = system.n_species + 2 * system.n_observables
    return check_memory(
        f"an output grid of {n_times:,} times x {n_cols:,} columns",
        float(n_times) * n_cols * 8 * OUTPUT_COPIES,
        allow="a larger dt_s, a smaller t_end_s or explicit times_s",
    )


def simulate(
    network,
    initial,
    *,
    t_end_s: float = 3600.0,
    dead_time_s: float = 20.0,
    dt_s: float | None = 1.0,
    times_s=None,
    rtol: float = RTOL,
    atol_nM: float = ATOL_NM,
    progress: bool = False,
    sensitivities=None,
) -> xr.Dataset:
    """Simulate the mass-action kinetics of ``network`` from a mixture.

    The reaction starts at mixing (t = 0); the output time axis starts at the
    end of the dead time, as in the experiment ("at time zero ... the reaction is
    assumed to have already proceeded for 20 s after mixing", Neumaier et al.,
    JACS 2021, 143, 6969, "Simulation 1").

    Parameters
    ----------
    network : Network
        Of an ExchangeSystem (the single-family model) or of a ClusterSystem.
    initial : str, mapping or array
        Mixture at t = 0 [nmol/L], e.g. ``"Ag25:Au25 = 40:40"``
        (:func:`intercluster.kinetics.initial.initial_concentrations`).
    t_end_s : float
        End of the output axis [s] (so the run lasts dead_time_s + t_end_s).
    dead_time_s : float
        Time between mixing and the first spectrum [s] (paper: 20 s).
    dt_s : float
        Output grid step [s] (ignored if ``times_s`` is given).
    times_s : array, optional
        Explicit output times on the output axis [s].
    rtol, atol_nM : float
        Relative and absolute [nmol/L] error tolerances of the BDF integrator.
    progress : bool
        Show a progress bar over simulated time.
    sensitivities : sequence of str, optional
        Base rate constants (``("k_dim", "k_diss", "k_ex")``, or a general network's
        constant names, ``network.base_constant_names``) whose forward sensitivities
        to compute with the solution (:meth:`CompiledNetwork.integrate`, the staggered
        direct method of CVODES). They are derivatives with respect to ln p.

    Returns
    -------
    xarray.Dataset
        ``concentration(time, species)`` [nmol/L],
        ``observable_concentration(time, observable)`` [nmol/L],
        ``intensity(time, observable)`` (normalised to the total ion signal at each
        time), ``t_max(observable)`` [s] (NaN for an observable that never
        appears), ``initial_concentration(species)`` [nmol/L]; coordinates
        ``time`` [s], ``species``, ``observable`` (labels) with ``n_a`` (atoms of
        metal A) and ``is_dimer``; ``attrs`` hold the system, model, parameters,
        tolerances, the conservation drift of each metal (relative), the most
        negative concentration relative to the total, and solver statistics. The
        coordinate arrays are read-only and shared between results of the same system
        and output times; the data arrays are the result's own.

        For a general network (families, complexes, rules: a ``ClusterSystem``)
        the same variables plus ``family_composition(time, family, x)`` [nmol/L]
        (subunits of each family with x A atoms, free and in complexes) and
        ``conserved_total(conserved)``; coordinates ``species_family``,
        ``species_size``, ``observable_family``, ``observable_size``; ``attrs``
        hold ``conservation_drift_<quantity>`` for every metal, ligand and the
        charge (relative to its initial total) and ``conservation_drift_max``.

        With ``sensitivities``: coordinate ``parameter`` and
        ``concentration_sensitivity(time, parameter, species)``,
        ``observable_concentration_sensitivity(time, parameter, observable)``
        (d conc / d ln p [nmol/L]) and ``intensity_sensitivity(time, parameter,
        observable)`` (d I / d ln p, the normalisation I_i = o_i / sum o differentiated
        exactly: (do_i - I_i d sum o) / sum o).

    Raises
    ------
    ConfigError
        Bad initial concentrations, times or tolerances, or a ``sensitivities`` name
        that is not a base rate constant of the network.
    SolverError
        If the integration fails (message: the time reached and what to try).

    Examples
    --------
    >>> from intercluster import ExchangeSystem, build_network
    >>> net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    >>> ds = simulate(net, "Ag25:Au25 = 40:40", t_end_s=600, dt_s=10)
    >>> ds.intensity.sizes["observable"], round(float(ds.intensity.sum("observable")[-1]), 12)
    (77, 1.0)
    """
    system = network.system
    x0 = initial_concentrations(system, initial)
    dead = positive("dead_time_s", dead_time_s, allow_zero=True, unit="s")
    times = output_times(t_end_s, dt_s, times_s)
    check_output_memory(len(times), system)
    t_end_total = dead + float(t_end_s)
    rtol = in_range("rtol", rtol, 0.0, 0.1, low_open=True)
    atol = positive("atol_nM", atol_nM, unit="nmol/L")
    timescale = slowest_timescale_s(network, float(x0.sum()))
    check_time_span(t_end_total, timescale, allow="a shorter dead_time_s or t_end_s")

    compiled = compile_network(network)
    pmap = None if sensitivities is None else rate_parameter_map(network, sensitivities)
    bar = None
    callback = None
    if progress:
        from tqdm.auto import tqdm

        # shown only if the run lasts longer than half a second
        bar = tqdm(total=round(t_end_total, 3), unit="s", desc="simulate", leave=False, delay=0.5)

        def callback(t):
            bar.update(round(t, 3) - bar.n)

    start = _time.perf_counter()
    try:
        res = compiled.integrate(
            x0,
            dead + times,
            t_end_total,
            rtol=rtol,
            atol=atol,
            callback=callback,
            neg_tol=NEG_TOL_RELATIVE * float(x0.sum()),
            sensitivities=pmap,
            observation=_observation(network),
        )
    finally:
        if bar is not None:
            bar.close()
    wall = _time.perf_counter() - start

    conc = res.y
    # observed by the solver, four output rows at a time while they were in cache
    obs, intensity, conc_min, imax = res.observed
    if not getattr(network, "is_single_family", True):
        ds = _general_dataset(network, res, x0, times, dead, t_end_s, rtol, atol, wall)
        return ds if pmap is None else _add_sensitivities(ds, pmap, res)
    atoms0 = network.atom_matrix @ x0
    # atoms of each metal at each output time, summed by the solver from the observables
    # it observed (see _observation)
    atoms = res.observed_totals  # (metal, time)
    with np.errstate(invalid="ignore", divide="ignore"):
        deviation = np.maximum(atoms.max(axis=1) - atoms0, atoms0 - atoms.min(axis=1))
        drift = deviation / np.where(atoms0 > 0, atoms0, 1)
    min_rel = min(res.min_y, conc_min) / float(x0.sum())

    attrs = {
        "title": f"intercluster simulation: {system.metal_a}/{system.metal_b}, N = "
        f"{system.n_atoms}, model {network.model.name}",
        "source": "Neumaier et al., JACS 2021, 143, 6969 (kinetic model)",
        "metal_a": system.metal_a,
        "metal_b": system.metal_b,
        "n_atoms": system.n_atoms,
        "charge": system.charge,
        "mechanism": system.mechanism,
        "model": network.model.name,
        "model_description": network.model.description,
        "parameter_names": list(network.parameters),
        **{name: float(v) for name, v in network.parameters.items()},
        "dead_time_s": dead,
        "t_end_s": float(t_end_s),
        "rtol": float(rtol),
        "atol_nM": atol,
        "conservation_drift_a": float(drift[0]),
        "conservation_drift_b": float(drift[1]),
        "min_concentration_relative": float(min_rel),
        "n_steps": res.n_steps,
        "n_rhs_evaluations": res.n_fev,
        "n_jacobian_evaluations": res.n_jev,
        "n_factorizations": res.n_lu,
        "wall_time_s": wall,
    }
    from intercluster import __version__

    attrs["intercluster_version"] = __version__
    template = _single_family_template(system, times)
    if pmap is None:
        # the cached Dataset of this system and grid with the run's data: no merge, no
        # index built (public Dataset.copy(data=...))
        ds = template.copy(deep=False, data=_core_data(conc, obs, intensity, times, x0, imax))
        ds.attrs = attrs
        return ds
    variables = _core_variables(conc, obs, intensity, times, x0, imax)
    sens_variables, sens_attrs = _sensitivity_variables(pmap, res)
    variables.update(sens_variables)
    attrs.update(sens_attrs)
    coordinates = template.coords.assign(parameter=xr.IndexVariable("parameter", list(pmap.labels)))
    return xr.Dataset(variables, coords=coordinates, attrs=attrs)


def _observation(network):
    """The observation the solver makes of a single-family network's output rows: the
    observation matrix (:func:`observation_plan`) and, as totals, the atoms of metal A
    and of metal B in each observable (n_a, and N or 2N minus n_a: every species is in
    exactly one observable with weight 1, so these sums are the atoms of the solution,
    from 77 observables instead of 377 species at N = 25); cached per network."""
    if not getattr(network, "is_single_family", True):
        return observation_plan(network)
    plan = _OBSERVATION.get(network)
    if plan is None:
        system = network.system
        n_a = np.array(
            [o.s if isinstance(o, DimerSum) else o.m for o in system.observables], dtype=float
        )
        size = (
            np.array([2.0 if isinstance(o, DimerSum) else 1.0 for o in system.observables])
            * system.n_atoms
        )
        weights = np.ascontiguousarray(np.stack([n_a, size - n_a]))
        weights.flags.writeable = False
        plan = _OBSERVATION[network] = (*observation_plan(network), weights)
    return plan


_OBSERVATION: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _single_family_template(system, times) -> xr.Dataset:
    """A template of a single-family result Dataset: the coordinates ``time`` and those
    of :func:`_single_family_coords` with their indexes, and the variables of
    :func:`_core_data` (their dimensions and attributes; zero-strided placeholder data).
    Built once per system and output grid (the grid compared by value; read-only
    arrays, indexes shared between results), so that a result is the template copied
    with its data: 0.1 ms at N = 25, where building the Dataset took 0.3-1.2 ms (its
    coordinates' indexes, the merge of variables and coordinates)."""
    key = (system, times.shape, hash(times.tobytes()))
    entry = _TEMPLATES.get(key)
    if entry is not None and np.array_equal(entry[0], times):
        return entry[1]
    times = np.array(times, dtype=float)
    times.flags.writeable = False
    coordinates = {
        "time": xr.IndexVariable(
            "time", times, {"units": "s", "long_name": "time after the dead time"}
        ),
        **_single_family_coords(system),
    }
    sizes = {"time": len(times), "species": system.n_species, "observable": system.n_observables}
    template = xr.Dataset(
        {
            k: xr.Variable(
                dims, np.broadcast_to(np.float64(0.0), [sizes[d] for d in dims]), dict(attrs)
            )
            for k, (dims, attrs) in _CORE_VARIABLES.items()
        },
        coords=coordinates,
    )
    if len(_TEMPLATES) > 16:
        _TEMPLATES.clear()
    _TEMPLATES[key] = (times, template)
    return template


_TEMPLATES: dict = {}


_COORDS: dict = {}


def _single_family_coords(system) -> dict:
    """Species and observable coordinates of an ExchangeSystem's Dataset, built once
    per system (labels, atoms of metal A, dimer or not); read-only arrays."""
    key = system  # a frozen dataclass: equal systems share their coordinates
    coords = _COORDS.get(key)
    if coords is None:
        species = list(system.species)
        observables = list(system.observables)

        def frozen(a):
            a = np.asarray(a)
            a.flags.writeable = False
            return a

        coords = {
            "species": ("species", frozen(list(system.species_labels))),
            "species_n_a": ("species", frozen([s.n_a for s in species])),
            "species_is_dimer": ("species", frozen([s.is_dimer for s in species])),
            "observable": ("observable", frozen(list(system.observable_labels))),
            "observable_n_a": (
                "observable",
                frozen([o.s if isinstance(o, DimerSum) else o.m for o in observables]),
            ),
            "observable_is_dimer": (
                "observable",
                frozen([isinstance(o, DimerSum) for o in observables]),
            ),
        }
        # as Variables (an IndexVariable for each dimension's own coordinate), built once
        coords = {
            k: (xr.IndexVariable if k in ("species", "observable") else xr.Variable)(*v)
            for k, v in coords.items()
        }
        if len(_COORDS) > 64:
            _COORDS.clear()
        _COORDS[key] = coords
    return coords


def reaction_constant_names(network) -> np.ndarray:
    """The base rate constant that scales each reaction's k (array of names, shape
    (n_reactions,)): k_j = base * statistical factor * model factor, as the network
    computes its rate constants."""
    r = network.reactions
    if r.channel is None or not getattr(network, "channels", ()):
        return np.array(KIND_PARAMETER)[r.kind]
    return np.array([c.constant for c in network.channels])[r.channel]


def rate_parameter_map(network, names) -> ParamMap:
    """The :class:`ParamMap` of base rate constants ``names`` of ``network``: each
    reaction scaled by a constant has d ln k / d ln p = 1 for it.

    Raises
    ------
    ConfigError
        If ``names`` is empty, repeats a name, or holds a name that is not a base
        rate constant of the network (``network.base_constant_names``).
    """
    if isinstance(names, str):
        names = (names,)
    try:
        names = tuple(names)
    except TypeError:
        raise ConfigError(
            bad_value("sensitivities", names, "a sequence of rate constant names")
        ) from None
    allowed = tuple(network.base_constant_names)
    if not names or len(set(names)) != len(names):
        raise ConfigError(bad_value("sensitivities", names, f"distinct names among {allowed}"))
    for name in names:
        if name not in allowed:
            raise ConfigError(
                bad_value("sensitivities", name, f"a base rate constant, one of {allowed}")
            )
    const = reaction_constant_names(network)
    return ParamMap.from_groups({name: np.flatnonzero(const == name) for name in names})


def _sensitivity_variables(pmap, res) -> tuple[dict, dict]:
    """The sensitivities of the concentrations, observables and normalised intensities
    (d / d ln p; the last two observed by the solver with each block of output rows,
    ``IntegrationResult.observed_sensitivities``), as Dataset variables, and the
    attributes that describe them."""
    dobs, dint = res.observed_sensitivities  # (time, parameter, observable)
    dims_o = ("time", "parameter", "observable")
    V = xr.Variable
    variables = {
        "concentration_sensitivity": V(
            ("time", "parameter", "species"),
            res.sensitivities,
            {"units": "nmol/L", "long_name": "d concentration / d ln(parameter)"},
        ),
        "observable_concentration_sensitivity": V(
            dims_o,
            dobs,
            {"units": "nmol/L", "long_name": "d observable concentration / d ln(parameter)"},
        ),
        "intensity_sensitivity": V(
            dims_o,
            dint,
            {"units": "1", "long_name": "d normalised intensity / d ln(parameter)"},
        ),
    }
    attrs = {
        "sensitivity_parameters": list(pmap.labels),
        "n_sensitivity_solves": res.n_sens_solves,
        "n_sensitivity_factorizations": res.n_sens_lu,
    }
    return variables, attrs


def _add_sensitivities(ds, pmap, res):
    """The sensitivity variables (:func:`_sensitivity_variables`) added to a result
    Dataset of a general network."""
    variables, attrs = _sensitivity_variables(pmap, res)
    ds = ds.assign_coords(parameter=("parameter", list(pmap.labels))).assign(variables)
    ds.attrs.update(attrs)
    return ds


def composition_distributions(network, concentration: np.ndarray) -> np.ndarray:
    """Subunits of each family by composition x, free and inside complexes.

    Parameters
    ----------
    network : Network
        A general network (families, complexes).
    concentration : array, shape (n_time, n_species) [nmol/L]

    Returns
    -------
    array, shape (n_time, n_families, max N + 1) [nmol/L]
        Concentration of subunits of family f with x A atoms (a complex counts
        each of its subunits); x beyond a family's N is 0.
    """
    cs = network.cluster_system
    n_x = max(f.n_atoms for f in cs.families) + 1
    conc = np.asarray(concentration, dtype=float)
    out = np.zeros((conc.shape[0], len(cs.families), n_x))
    for i, sp in enumerate(cs.species):
        for f, x in getattr(sp, "subunits", ()):
            out[:, f, x] += conc[:, i]
    return out


def _general_dataset(network, res, x0, times, dead, t_end_s, rtol, atol, wall):
    """The result Dataset of a general network (families, complexes, rules), from the
    solver's result ``res`` (its output and what it observed)."""
    conc = res.y
    obs, intensity, conc_min, imax = res.observed
    cs = network.cluster_system
    C = network.conservation_matrix
    totals0 = C @ x0
    totals = C @ conc.T
    scale = np.maximum(np.abs(totals0), 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        drift = np.max(np.abs(totals - totals0[:, None]), axis=1)
    # relative to the initial amount; for a total that starts at 0 (charge of a
    # neutral mix), relative to the total concentration
    drift = np.where(np.abs(totals0) > 0, drift / scale, drift / float(x0.sum()))
    min_rel = min(res.min_y, conc_min) / float(x0.sum())
    fam_names = [f.name for f in cs.families]
    species = cs.species

    def family_text(sp):
        subs = getattr(sp, "subunits", None)
        if subs is None:
            return "fragment"
        return "+".join(fam_names[f] for f, _ in subs)

    of = np.asarray(cs.observable_of_species)
    obs_size = np.zeros(cs.n_observables, dtype=np.int64)
    obs_family = [""] * cs.n_observables
    for i, sp in enumerate(species):
        if of[i] >= 0:
            obs_size[of[i]] = getattr(sp, "size", 0)
            obs_family[of[i]] = family_text(sp)
    params = network.parameters
    attrs = {
        "title": f"intercluster simulation: families {', '.join(fam_names)}, "
        f"K = {cs.max_subunits}, model {network.model.name}",
        "source": "general family/complex/rule model (intercluster.network.ClusterSystem)",
        "families": fam_names,
        "max_subunits": cs.max_subunits,
        "model": network.model.name,
        "model_description": network.model.description,
        "parameter_names": list(params),
        **{name: float(v) for name, v in params.items()},
        "dead_time_s": dead,
        "t_end_s": float(t_end_s),
        "rtol": float(rtol),
        "atol_nM": atol,
        "conserved_quantities": list(network.conservation_labels),
        **{
            f"conservation_drift_{label}": float(d)
            for label, d in zip(network.conservation_labels, drift)
        },
        "conservation_drift_max": float(np.max(drift)) if drift.size else 0.0,
        "min_concentration_relative": float(min_rel),
        "n_steps": res.n_steps,
        "n_rhs_evaluations": res.n_fev,
        "n_jacobian_evaluations": res.n_jev,
        "n_factorizations": res.n_lu,
        "wall_time_s": wall,
    }
    from intercluster import __version__

    attrs["intercluster_version"] = __version__
    dist = composition_distributions(network, conc)
    return xr.Dataset(
        {
            **_core_variables(conc, obs, intensity, times, x0, imax),
            "family_composition": (
                ("time", "family", "x"),
                dist,
                {
                    "units": "nmol/L",
                    "long_name": "subunits of each family with x A atoms, free and in complexes",
                },
            ),
            "conserved_total": (
                ("conserved",),
                totals0,
                {"units": "nmol/L", "long_name": "initial total of each conserved quantity"},
            ),
        },
        coords={
            "time": ("time", times, {"units": "s", "long_name": "time after the dead time"}),
            "species": ("species", list(cs.species_labels)),
            "species_family": ("species", [family_text(sp) for sp in species]),
            "species_size": ("species", np.array([getattr(sp, "size", 0) for sp in species])),
            "observable": ("observable", list(cs.observable_labels)),
            "observable_family": ("observable", obs_family),
            "observable_size": ("observable", obs_size),
            "family": ("family", fam_names),
            "x": ("x", np.arange(dist.shape[2])),
            "conserved": ("conserved", list(network.conservation_labels)),
        },
        attrs=attrs,
    )


def _core_data(conc, obs, intensity, times, x0, imax=None) -> dict:
    """The arrays of the data variables every simulation Dataset holds (single-family
    and general), by name: concentrations [nmol/L], observables [nmol/L], normalised
    intensities, t_max [s] and the initial concentrations [nmol/L]."""
    return {
        "concentration": conc,
        "observable_concentration": obs,
        "intensity": intensity,
        "t_max": t_max(times, intensity, imax),
        "initial_concentration": x0,
    }


#: Dimensions and attributes of the variables of :func:`_core_data`.
_CORE_VARIABLES = {
    "concentration": (("time", "species"), {"units": "nmol/L"}),
    "observable_concentration": (("time", "observable"), {"units": "nmol/L"}),
    "intensity": (
        ("time", "observable"),
        {"units": "1", "long_name": "intensity normalised to the total ion signal"},
    ),
    "t_max": (("observable",), {"units": "s", "long_name": "time of maximum normalised intensity"}),
    "initial_concentration": (("species",), {"units": "nmol/L"}),
}


def _core_variables(conc, obs, intensity, times, x0, imax=None) -> dict:
    """:func:`_core_data` as ``xr.Variable`` objects (dimensions and attributes), which a
    Dataset takes without inferring what each entry is."""
    data = _core_data(conc, obs, intensity, times, x0, imax)
    return {
        k: xr.Variable(dims, data[k], dict(attrs)) for k, (dims, attrs) in _CORE_VARIABLES.items()
    }
