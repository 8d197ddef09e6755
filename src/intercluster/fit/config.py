"""Fit configuration (TOML), validated strictly, and the stored copy that makes
runs resumable.

Example (examples/fit_sim3.toml)::

    [system]
    metal_a = "Ag"
    metal_b = "Au"
    n_atoms = 25

    [model]
    name = "sim3"

    [parameters]                 # free: a table with bounds; fixed: a number
    k_dim = { lower = 1e-4, upper = 1 }      # L nmol^-1 s^-1, log scale by default
    k_diss = { lower = 1e-4, upper = 1 }     # s^-1
    k_ex = { lower = 1e-4, upper = 1, start = 3e-2 }

    [[datasets]]
    name = "40:40"
    path = "data/sim3_40-40.csv"      # observables.csv layout; relative to this file
    mixture = "Ag25:Au25 = 40:40"      # nmol/L
    dead_time_s = 20

    [objective]
    kind = "combined"                  # eq1 | intensity | combined

    [grid]
    preset = "quarter-decade"          # or "paper" (1e-4..1 in third decades) or "bounds"

Sections ``[refine]``, ``[uncertainty]``, ``[mcmc]`` and ``[solver]`` are
optional (see :data:`SCHEMA`). Model parameters not named in
``[parameters]`` stay fixed at the model's defaults.

A general model (families, complexes, rules;
:class:`~intercluster.network.ClusterSystem`) replaces the single-family
``[system]`` either inline, by the sections ``[[family]]``, ``[complexes]``,
``[rules]``, ``[fragments]`` and ``[constants]`` exactly as in a simulation
configuration, or by ``[system] model_file = "trimers.toml"`` (a simulation
configuration or a model description, relative to this file; only its model
sections are read). The free parameters may then include the base constants
the rules name (``k_tri``, ``k_tri_diss`` ...); those not listed stay at the
values of ``[constants]``. The observables of the data are the model's sum
formulas (the columns of the ``observables.csv`` that ``intercluster simulate``
writes for it).
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intercluster.errors import ConfigError, DataError, bad_value
from intercluster.kinetics.config import check_keys, load_toml
from intercluster.validation import check_memory, integer, number

__all__ = ["SCHEMA", "FitConfig", "config_diff"]

SCHEMA: dict[str, set[str] | None] = {
    "system": {"metal_a", "metal_b", "n_atoms", "charge", "mechanism", "model_file"},
    # a general model (network.description.ClusterSystem), inline as in simulate's config
    "family": None,
    "complexes": None,
    "rules": None,
    "fragments": None,
    "constants": None,
    "model": {"name"},
    "parameters": None,
    "datasets": None,
    "objective": None,
    "grid": {"preset", "points"},
    "refine": {"starts", "max_evaluations", "diff_step", "seed", "jacobian"},
    "uncertainty": {"profiles", "ratio", "max_evaluations", "robust", "profile_method"},
    "mcmc": {"walkers", "steps", "burn", "seed"},
    "solver": {"rtol", "atol_nM"},
}
PARAMETER_KEYS = {"lower", "upper", "start", "log", "fixed", "grid"}
DATASET_KEYS = {"name", "path", "mixture", "conc_nM", "dead_time_s", "weight", "weights"}
DEFAULTS = {
    "grid": {"preset": "quarter-decade", "points": 13},
    "refine": {
        "starts": 4,
        "max_evaluations": 200,
        "diff_step": 1e-3,
        "seed": 0,
        "jacobian": "auto",
    },
    "uncertainty": {
        "profiles": True,
        "profile_method": "secant",
        "ratio": ["k_dim", "k_diss"],
        "max_evaluations": 60,
        "robust": True,
    },
    "mcmc": {"walkers": 16, "steps": 300, "burn": 100, "seed": 0},
    "solver": {"rtol": 1e-8, "atol_nM": 1e-12},
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _int(name, value, minimum):
    return integer(name, value, minimum=minimum)


def _real(name, value, ok, allowed) -> float:
    """A finite real number with ``ok(value)`` (:func:`intercluster.validation.number`)."""
    return number(name, value, allowed, ok)


#: Bytes held per grid point (theta vector, journal row, result table row).
GRID_BYTES_PER_POINT = 400


@dataclass
class FitConfig:
    """A validated fit configuration.

    Attributes
    ----------
    problem : FitProblem
    resolved : dict
        Every setting with defaults filled in, data files with their SHA-256:
        stored in the output folder and compared on resume.
    grid, refine, uncertainty, mcmc : dict
        Settings of each stage.
    source : str
    """

    problem: object
    resolved: dict
    grid: dict
    refine: dict
    uncertainty: dict
    mcmc: dict
    source: str

    @classmethod
    def from_toml(cls, path: str | os.PathLike, *, drop_invalid: bool = False) -> FitConfig:
        """Read and validate a TOML fit configuration and load its datasets.

        Raises
        ------
        ConfigError
            Missing file, bad TOML, unknown keys (with a suggestion), bad values,
            bounds with lower >= upper, unknown parameter names.
        DataError
            Unreadable or invalid data files (see :mod:`intercluster.fit.data`).
        """
        path = Path(path)
        return cls.from_dict(
            load_toml(path), base=path.parent, source=str(path), drop_invalid=drop_invalid
        )

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        base: str | os.PathLike = ".",
        source: str = "<dict>",
        drop_invalid: bool = False,
    ) -> FitConfig:
        """Validate a configuration given as nested dicts (the TOML structure)."""
        from intercluster.fit.data import load_observables_csv
        from intercluster.fit.objectives import ObjectiveSpec
        from intercluster.fit.problem import FitProblem, Parameter
        from intercluster.kinetics.initial import initial_concentrations
        from intercluster.network.models import get_model
        from intercluster.network.system import ExchangeSystem

        base = Path(base)
        check_keys(data, SCHEMA, source)
        for section, value in data.items():
            if section == "family" and isinstance(value, list | dict):
                continue  # [[family]] tables (checked by ClusterSystem.from_dict)
            want_list = section == "datasets"
            if want_list != isinstance(value, list) or (
                not want_list and not isinstance(value, dict)
            ):
                kind = "an array of tables [[datasets]]" if want_list else "a table"
                raise ConfigError(f"{source}: [{section}] must be {kind}")
        for section in ("system", "model", "grid", "refine", "uncertainty", "mcmc", "solver"):
            check_keys(data.get(section, {}), SCHEMA[section], f"{source} [{section}]")

        system_t = dict(data.get("system", {}))
        system, model_entry = _system(data, system_t, base, source)
        model_name = data.get("model", {}).get("name", "sim3")
        model = get_model(model_name)
        names = set(model.parameter_names)
        defaults = dict(model.defaults)
        if not isinstance(system, ExchangeSystem):
            from intercluster.network.build import resolve_parameters

            names |= set(system.constant_names) | set(system.constants)
            defaults = {**defaults, **dict(system.constants)}
            # every base constant of the rules needs a value (fixed or free)
            given = data.get("parameters")
            given = given if isinstance(given, dict) else {}
            try:
                resolve_parameters(
                    system,
                    model,
                    {
                        k: 1.0
                        for k in given
                        if k in system.constant_names and k not in model.parameter_names
                    },
                )
            except ConfigError as exc:
                raise ConfigError(f"{source}: {exc}") from None

        # ---------------------------------------------------------- parameters
        params_t = data.get("parameters")
        if params_t is None:
            params_t = {k: {"lower": 1e-4, "upper": 1.0} for k in ("k_dim", "k_diss", "k_ex")}
        if not isinstance(params_t, dict):
            raise ConfigError(f"{source}: [parameters] must be a table")
        check_keys(params_t, names, f"{source} [parameters] ({model_name})")
        parameters = []
        resolved_params = {}
        for name, spec in params_t.items():
            default = float(defaults.get(name, 1.0))
            if isinstance(spec, int | float) and not isinstance(spec, bool):
                p = Parameter(name, value=float(spec), fixed=True)
                resolved_params[name] = p.value
            elif isinstance(spec, dict):
                check_keys(spec, PARAMETER_KEYS, f"{source} [parameters.{name}]")
                fixed = spec.get("fixed", False)
                if not isinstance(fixed, bool):
                    raise ConfigError(bad_value(f"parameters.{name}.fixed", fixed, "true/false"))
                log = spec.get("log", True)
                if not isinstance(log, bool):
                    raise ConfigError(bad_value(f"parameters.{name}.log", log, "true/false"))
                lower = spec.get("lower", 1e-4)
                upper = spec.get("upper", 1.0)
                start = spec.get("start", None)
                grid = spec.get("grid", None)
                if grid is not None and not isinstance(grid, list):
                    raise ConfigError(bad_value(f"parameters.{name}.grid", grid, "a list"))
                if start is None:
                    try:
                        start = math.sqrt(lower * upper) if log else 0.5 * (lower + upper)
                    except (TypeError, ValueError):
                        start = default
                p = Parameter(
                    name,
                    value=start,
                    lower=lower,
                    upper=upper,
                    log=log,
                    fixed=fixed,
                    grid=None if grid is None else tuple(grid),
                )
                if not fixed and not p.lower <= p.value <= p.upper:
                    raise ConfigError(
                        bad_value(
                            f"parameters.{name}.start",
                            p.value,
                            f"a value within [{p.lower:g}, {p.upper:g}]",
                        )
                    )
                resolved_params[name] = {
                    "lower": p.lower,
                    "upper": p.upper,
                    "start": p.value,
                    "log": p.log,
                    "fixed": p.fixed,
                    **({"grid": list(p.grid)} if p.grid is not None else {}),
                }
            else:
                raise ConfigError(
                    bad_value(
                        f"parameters.{name}",
                        spec,
                        "a number (fixed) or a table such as { lower = 1e-4, upper = 1 }",
                    )
                )
            parameters.append(p)

        # ---------------------------------------------------------- objective
        obj_t = dict(data.get("objective", {}))
        check_keys(obj_t, ObjectiveSpec.allowed_keys(), f"{source} [objective]")
        objective = ObjectiveSpec(**obj_t)

        # ----------------------------------------------------------- datasets
        ds_list = data.get("datasets")
        if not ds_list:
            raise ConfigError(
                f"{source}: no [[datasets]]; give at least one with path, mixture, dead_time_s"
            )
        datasets, resolved_ds = [], []
        for k, ds_t in enumerate(ds_list):
            where = f"{source} [[datasets]] #{k + 1}"
            if not isinstance(ds_t, dict):
                raise ConfigError(f"{where}: must be a table")
            check_keys(ds_t, DATASET_KEYS, where)
            if "path" not in ds_t:
                raise ConfigError(f"{where}: no 'path' (the observables.csv to fit)")
            if "mixture" in ds_t and "conc_nM" in ds_t:
                raise ConfigError(f"{where}: give either 'mixture' or 'conc_nM', not both")
            initial = ds_t.get("mixture", ds_t.get("conc_nM"))
            if initial is None:
                raise ConfigError(
                    f"{where}: no 'mixture' (initial concentrations, e.g. 'Ag25:Au25 = 40:40')"
                )
            try:
                initial_concentrations(system, initial)
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from None
            dead = _real(
                "datasets.dead_time_s",
                ds_t.get("dead_time_s", 20.0),
                lambda v: v >= 0,
                "a dead time >= 0 [s]",
            )
            weight = _real(
                "datasets.weight", ds_t.get("weight", 1.0), lambda v: v > 0, "a weight > 0"
            )
            dpath = base / str(ds_t["path"])
            wpath = base / str(ds_t["weights"]) if "weights" in ds_t else None
            if not dpath.exists():
                raise DataError(f"{where}: data file {str(dpath)!r} not found")
            d = load_observables_csv(
                dpath,
                system,
                name=str(ds_t.get("name", f"dataset {k + 1}")),
                initial=initial,
                dead_time_s=dead,
                weight=weight,
                weights_path=wpath,
                drop_invalid=drop_invalid,
            )
            datasets.append(d)
            entry = {
                "name": d.name,
                "path": str(ds_t["path"]),
                "sha256": _sha256(dpath),
                "initial": initial,
                "dead_time_s": dead,
                "weight": weight,
            }
            if wpath is not None:
                entry["weights"] = str(ds_t["weights"])
                entry["weights_sha256"] = _sha256(wpath)
            resolved_ds.append(entry)
        names = [d.name for d in datasets]
        if len(set(names)) != len(names):
            raise ConfigError(f"{source} [[datasets]]: names must differ ({', '.join(names)})")

        # ------------------------------------------------------------- stages
        grid = {**DEFAULTS["grid"], **data.get("grid", {})}
        refine = {**DEFAULTS["refine"], **data.get("refine", {})}
        unc = {**DEFAULTS["uncertainty"], **data.get("uncertainty", {})}
        mcmc = {**DEFAULTS["mcmc"], **data.get("mcmc", {})}
        solver = {**DEFAULTS["solver"], **data.get("solver", {})}
        _int("refine.starts", refine["starts"], 1)
        _int("refine.max_evaluations", refine["max_evaluations"], 1)
        _real("refine.diff_step", refine["diff_step"], lambda v: 0 < v < 1, "a step in (0, 1)")
        _int("refine.seed", refine["seed"], 0)
        if refine["jacobian"] not in ("auto", "sensitivities", "2-point"):
            raise ConfigError(
                bad_value(
                    "refine.jacobian", refine["jacobian"], "'auto', 'sensitivities' or '2-point'"
                )
            )
        if unc["profile_method"] not in ("secant", "scan"):
            raise ConfigError(
                bad_value("uncertainty.profile_method", unc["profile_method"], "'secant' or 'scan'")
            )
        for key in ("profiles", "robust"):
            if not isinstance(unc[key], bool):
                raise ConfigError(bad_value(f"uncertainty.{key}", unc[key], "true/false"))
        ratio = unc["ratio"]
        if ratio is not False and not (
            isinstance(ratio, list) and len(ratio) == 2 and all(isinstance(r, str) for r in ratio)
        ):
            raise ConfigError(bad_value("uncertainty.ratio", ratio, "two parameter names or false"))
        _int("uncertainty.max_evaluations", unc["max_evaluations"], 1)
        n_free = sum(1 for p in parameters if not p.fixed)
        walkers = _int("mcmc.walkers", mcmc["walkers"], max(2, 2 * n_free))
        if walkers % 2:
            raise ConfigError(
                bad_value("mcmc.walkers", walkers, f"an even number >= {max(2, 2 * n_free)}")
            )
        _int("mcmc.burn", mcmc["burn"], 0)
        _int("mcmc.steps", mcmc["steps"], max(2, mcmc["burn"] + 1))
        _int("mcmc.seed", mcmc["seed"], 0)
        if ratio is not False and "ratio" in data.get("uncertainty", {}):
            known = set(model.parameter_names)
            for r in ratio:
                if r not in known:
                    raise ConfigError(
                        bad_value("uncertainty.ratio", ratio, f"names among {sorted(known)}")
                    )
        if n_free == 0:
            raise ConfigError(
                f"{source} [parameters]: every parameter is fixed; give at least one a "
                "table such as { lower = 1e-4, upper = 1 }"
            )
        rtol = _real("solver.rtol", solver["rtol"], lambda v: 0 < v <= 0.1, "in (0, 0.1]")
        atol = _real("solver.atol_nM", solver["atol_nM"], lambda v: v > 0, "> 0 [nmol/L]")

        problem = FitProblem(
            system=system,
            model=model_name,
            parameters=parameters,
            datasets=datasets,
            objective=objective,
            rtol=rtol,
            atol_nM=atol,
        )
        from intercluster.fit.grid import grid_axes

        axes = grid_axes(problem, grid["preset"], grid["points"])  # validates the grid
        n_points = math.prod(len(a) for a in axes)
        check_memory(
            f"a grid of {n_points:,} points",
            float(n_points) * GRID_BYTES_PER_POINT,
            allow="fewer grid.points, narrower bounds or a coarser preset",
        )
        resolved = {
            "system": model_entry
            if model_entry is not None
            else {
                "metal_a": system.metal_a,
                "metal_b": system.metal_b,
                "n_atoms": system.n_atoms,
                "charge": system.charge,
                "mechanism": system.mechanism,
            },
            "model": {"name": model_name},
            "parameters": resolved_params,
            "datasets": resolved_ds,
            "drop_invalid": bool(drop_invalid),
            "objective": objective.to_dict(),
            "grid": grid,
            "refine": refine,
            "uncertainty": unc,
            "mcmc": mcmc,
            "solver": {"rtol": rtol, "atol_nM": atol},
        }
        return cls(problem, resolved, grid, refine, unc, mcmc, source)


_GENERAL = ("family", "complexes", "rules", "fragments", "constants")


def _system(data: dict, system_t: dict, base: Path, source: str):
    """The system of a fit configuration and, for a general model, its resolved entry.

    ``[system]`` with metal_a ... (one family, :class:`ExchangeSystem`), the inline
    sections ``[[family]]`` ... or ``[system] model_file`` (a
    :class:`~intercluster.network.ClusterSystem`).

    Raises
    ------
    ConfigError
        Both forms at once, a missing or unreadable model file, or a bad model.
    """
    from intercluster.network.description import ClusterSystem
    from intercluster.network.system import ExchangeSystem

    inline = [k for k in _GENERAL if k in data]
    model_file = system_t.pop("model_file", None)
    if model_file is None and not inline:
        return ExchangeSystem(**system_t), None
    if system_t:
        raise ConfigError(
            f"{source}: [system] {', '.join(sorted(system_t))} together with a general model: "
            "describe the clusters either by [system] metal_a ... (one family) or by "
            "[[family]] sections / [system] model_file, not both"
        )
    if model_file is not None:
        if inline:
            raise ConfigError(
                f"{source}: [system] model_file together with [{inline[0]}]: give the model "
                "either in the file or inline, not both"
            )
        if not isinstance(model_file, str) or not model_file.strip():
            raise ConfigError(bad_value("system.model_file", model_file, "a TOML file name"))
        path = base / model_file
        if not path.is_file():
            raise ConfigError(
                bad_value("system.model_file", model_file, f"an existing TOML file ({path})")
            )
        table = load_toml(path)
        sections = {k: table[k] for k in _GENERAL if k in table}
        if "family" not in sections:
            raise ConfigError(
                bad_value("system.model_file", model_file, "a TOML file with [[family]] sections")
            )
        system = ClusterSystem.from_dict(sections, source=str(path))
        return system, {"model_file": model_file, "sha256": _sha256(path), **system.to_dict()}
    if "family" not in data:
        raise ConfigError(f"{source}: [{inline[0]}] needs at least one [[family]] section")
    system = ClusterSystem.from_dict({k: data[k] for k in inline}, source=source)
    return system, system.to_dict()


def _flatten(d, prefix=""):
    out = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(d, list) and d and all(isinstance(x, dict) for x in d):
        for i, v in enumerate(d):
            out.update(_flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = d
    return out


def config_diff(stored: dict, new: dict) -> list[str]:
    """Differences between two resolved configurations, one ``key: old -> new`` each."""
    a, b = _flatten(stored), _flatten(new)
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key, "<unset>") != b.get(key, "<unset>"):
            out.append(f"{key}: {a.get(key, '<unset>')!r} -> {b.get(key, '<unset>')!r}")
    return out
