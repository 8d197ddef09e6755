"""Simulation run configuration (TOML), validated strictly.

Example (examples/sim3_40-40.toml)::

    [system]
    metal_a = "Ag"
    metal_b = "Au"
    n_atoms = 25
    charge = -1
    mechanism = "dimer"   # or "direct": M_x + M_y -> M_(x-1) + M_(y+1), no dimers

    [model]
    name = "sim3"
    k_dim = 1e-2      # L nmol^-1 s^-1
    k_diss = 5.6e-2   # s^-1
    k_ex = 3.2e-2     # s^-1

    [initial]
    mixture = "Ag25:Au25 = 40:40"   # nmol/L
    # or, species by species:  [initial.conc_nM]  "[Ag25]-" = 40 ...

    [time]
    dead_time_s = 20
    t_end_s = 3600
    dt_s = 1

    [solver]
    rtol = 1e-8
    atol_nM = 1e-12

A general model of families, complexes and rules replaces ``[system]`` by the
sections ``[[family]]``, ``[complexes]``, ``[rules]``, ``[fragments]`` and
``[constants]`` (:mod:`intercluster.network.description`; example:
examples/trimers_40-40.toml); ``[system]`` may then hold only ``allow_large``.

An optional ``[observation]`` table (or ``observation = "preset-name"``) says how the
spectrometer sees each species (:mod:`intercluster.ms.observation`, e.g. the preset
``acharya2025-dimers``); :meth:`SimulationConfig.run` then returns the observables
through it (:func:`intercluster.kinetics.observed.apply_observation`).

Unknown or mistyped keys are errors that name the key and suggest the closest
allowed one.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from intercluster.errors import ConfigError, bad_value
from intercluster.network.system import ExchangeSystem
from intercluster.validation import in_range, load_toml_text, positive, read_text

__all__ = ["SimulationConfig", "check_keys", "load_toml"]

_SCHEMA: dict[str, set[str]] = {
    "system": {"metal_a", "metal_b", "n_atoms", "charge", "mechanism", "allow_large"},
    "model": None,  # name + the model's parameters (checked against the model)
    "initial": {"mixture", "conc_nM"},
    "time": {"dead_time_s", "t_end_s", "dt_s"},
    "solver": {"rtol", "atol_nM"},
    # a general model (network.description.ClusterSystem)
    "family": None,
    "complexes": None,
    "rules": None,
    "fragments": None,
    "constants": None,
    # how ESI-MS sees the species (ms.observation); a preset name or a table
    "observation": None,
}
_GENERAL = ("family", "complexes", "rules", "fragments", "constants")


def check_keys(table: dict, allowed, where: str) -> None:
    """Raise ConfigError for keys of ``table`` not in ``allowed``, with a suggestion."""
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"{where}: unknown key {key!r}{hint} (allowed: {', '.join(sorted(allowed))})"
            )


def load_toml(path: str | os.PathLike) -> dict[str, Any]:
    """Read a TOML file.

    Raises
    ------
    ConfigError
        If the file is missing, a directory, binary, not UTF-8, or not valid TOML
        (with the parser's line/column) (:func:`intercluster.validation.read_text`).
    """
    path = Path(path)
    return load_toml_text(read_text(path, "config file"), str(path))


@dataclass(frozen=True)
class SimulationConfig:
    """Everything a simulation needs; see the module docstring for the TOML form.

    Attributes
    ----------
    system : ExchangeSystem or ClusterSystem
        One family ([system]) or a general model of families, complexes and rules.
    model : str
        Rate model name (sim1, sim2, sim3 or a registered one).
    parameters : dict
        Overrides of the model's defaults (k_dim [L nmol^-1 s^-1], k_diss, k_ex [s^-1]).
    initial : str or dict
        Mixture string or species concentrations [nmol/L].
    dead_time_s, t_end_s, dt_s : float
        Dead time, end of the output axis and output step [s].
    rtol, atol_nM : float
        Integrator tolerances (relative; absolute in nmol/L).
    allow_large : bool
        Build networks above the size limit.
    observation : str or dict or None
        Observation model: a preset name or the ``[observation]`` table
        (:func:`intercluster.kinetics.observed.observation_model`); None: none.
    """

    system: ExchangeSystem = field(default_factory=ExchangeSystem)
    model: str = "sim3"
    parameters: dict[str, float] = field(default_factory=dict)
    initial: str | dict[str, float] = "Ag25:Au25 = 40:40"
    dead_time_s: float = 20.0
    t_end_s: float = 3600.0
    dt_s: float = 1.0
    rtol: float = 1e-8
    atol_nM: float = 1e-12
    allow_large: bool = False
    source: str = "<defaults>"
    observation: str | dict | None = None

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> SimulationConfig:
        """Read and validate a TOML configuration file.

        Raises
        ------
        ConfigError
            Missing file, bad TOML, unknown sections or keys, bad values.
        """
        return cls.from_dict(load_toml(path), source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> SimulationConfig:
        """Validate a configuration given as nested dicts (the TOML structure)."""
        check_keys(data, _SCHEMA, f"{source}")
        for section, value in data.items():
            if section == "family" and isinstance(value, list):
                continue
            if section == "observation":
                if not isinstance(value, str | dict):
                    raise ConfigError(
                        bad_value("observation", value, "a preset name or a table [observation]")
                    )
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: [{section}] must be a table")
        system_t = dict(data.get("system", {}))
        check_keys(system_t, _SCHEMA["system"], f"{source} [system]")
        allow_large = system_t.pop("allow_large", False)
        if not isinstance(allow_large, bool):
            raise ConfigError(bad_value("system.allow_large", allow_large, "true or false"))
        general = [s for s in _GENERAL if s in data]
        if general:
            from intercluster.network.description import ClusterSystem

            if system_t:
                raise ConfigError(
                    f"{source}: [system] {', '.join(sorted(system_t))} together with "
                    f"[{general[0]}]: describe the clusters either by [system] (one family) "
                    "or by [[family]] sections, not both"
                )
            if "family" not in data:
                raise ConfigError(f"{source}: [{general[0]}] needs at least one [[family]] section")
            system = ClusterSystem.from_dict({k: data[k] for k in general}, source=source)
        else:
            system = ExchangeSystem(**system_t)

        model_t = dict(data.get("model", {}))
        name = model_t.pop("name", "sim3")
        from intercluster.network.models import get_model

        model = get_model(name)
        check_keys(model_t, set(model.parameter_names), f"{source} [model] ({name})")
        from intercluster.network.build import resolve_parameters

        resolve_parameters(system, model, model_t)

        initial_t = dict(data.get("initial", {}))
        check_keys(initial_t, _SCHEMA["initial"], f"{source} [initial]")
        if "mixture" in initial_t and "conc_nM" in initial_t:
            raise ConfigError(f"{source} [initial]: give either 'mixture' or 'conc_nM', not both")
        initial = initial_t.get("mixture", initial_t.get("conc_nM", cls.initial))
        if not isinstance(initial, str | dict):
            raise ConfigError(
                bad_value("initial", initial, "a mixture string or a table of concentrations")
            )

        time_t = dict(data.get("time", {}))
        check_keys(time_t, _SCHEMA["time"], f"{source} [time]")
        solver_t = dict(data.get("solver", {}))
        check_keys(solver_t, _SCHEMA["solver"], f"{source} [solver]")
        observation = data.get("observation")
        if observation is not None:
            from intercluster.kinetics.observed import observation_model

            observation_model(observation, f"{source} [observation]")  # validate now
        cfg = cls(
            system=system,
            model=name,
            parameters=model_t,
            initial=initial,
            allow_large=allow_large,
            source=source,
            observation=observation,
            **time_t,
            **solver_t,
        )
        cfg.validate()
        return cfg

    def with_overrides(self, **overrides: Any) -> SimulationConfig:
        """A copy with some fields changed; ``k_dim=...`` etc. go into the parameters.
        ``None`` values are ignored (unset command-line options)."""
        overrides = {k: v for k, v in overrides.items() if v is not None}
        params = dict(self.parameters)
        fields = {}
        from intercluster.network.models import get_model

        model_name = overrides.get("model", self.model)
        names = set(get_model(model_name).parameter_names)
        if not isinstance(self.system, ExchangeSystem):
            names |= set(self.system.constant_names) | set(self.system.constants)
        for key, value in overrides.items():
            if key in names:
                params[key] = value
            else:
                fields[key] = value
        cfg = replace(self, parameters=params, **fields)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Check every value (the network is not built).

        Raises
        ------
        ConfigError
            Naming the field, the value and what is allowed.
        """
        from intercluster.kinetics.initial import initial_concentrations
        from intercluster.kinetics.simulate import check_output_memory, output_times
        from intercluster.network.build import resolve_parameters
        from intercluster.network.models import get_model

        resolve_parameters(self.system, get_model(self.model), self.parameters)
        self.system.check_size(self.allow_large)
        check_output_memory(len(output_times(self.t_end_s, self.dt_s)), self.system)
        positive("dead_time_s", self.dead_time_s, allow_zero=True, unit="s")
        in_range("rtol", self.rtol, 0.0, 0.1, low_open=True)
        positive("atol_nM", self.atol_nM, unit="nmol/L")
        initial_concentrations(self.system, self.initial)

    def network(self):
        """Build the network this configuration describes."""
        from intercluster.network import build_network

        return build_network(self.system, self.model, self.parameters, allow_large=self.allow_large)

    def run(self, progress: bool = False, network=None):
        """Build the network and simulate; returns the result Dataset.

        With an observation model (``observation``) the Dataset holds the observed
        ions and the observables through the model
        (:func:`intercluster.kinetics.observed.apply_observation`).
        ``network``: an already built :meth:`network` (not rebuilt).
        """
        from intercluster.kinetics.simulate import simulate

        network = self.network() if network is None else network
        ds = simulate(
            network,
            self.initial,
            t_end_s=self.t_end_s,
            dead_time_s=self.dead_time_s,
            dt_s=self.dt_s,
            rtol=self.rtol,
            atol_nM=self.atol_nM,
            progress=progress,
        )
        if self.observation is not None:
            from intercluster.kinetics.observed import apply_observation, observation_model

            ds = apply_observation(
                ds, network, observation_model(self.observation, f"{self.source} [observation]")
            )
        return ds

    def to_dict(self) -> dict[str, Any]:
        """The TOML structure (what :meth:`from_dict` reads), with resolved parameters."""
        from intercluster.network.build import resolve_parameters
        from intercluster.network.models import get_model

        s = self.system
        model = get_model(self.model)
        params = resolve_parameters(s, model, self.parameters)
        initial = (
            {"mixture": self.initial}
            if isinstance(self.initial, str)
            else {"conc_nM": dict(self.initial)}
        )
        if not isinstance(s, ExchangeSystem):
            out = s.to_dict()
            names = set(model.parameter_names)
            out["constants"] = {k: v for k, v in params.items() if k not in names}
            out["model"] = {"name": self.model, **{k: params[k] for k in names}}
            if self.allow_large:
                out["system"] = {"allow_large": True}
            out["initial"] = initial
            out["time"] = {
                "dead_time_s": self.dead_time_s,
                "t_end_s": self.t_end_s,
                "dt_s": self.dt_s,
            }
            out["solver"] = {"rtol": self.rtol, "atol_nM": self.atol_nM}
            if self.observation is not None:
                out["observation"] = self.observation
            return out
        system = {
            "metal_a": s.metal_a,
            "metal_b": s.metal_b,
            "n_atoms": s.n_atoms,
            "charge": s.charge,
            "mechanism": s.mechanism,
        }
        if self.allow_large:
            system["allow_large"] = True
        out = {
            "system": system,
            "model": {"name": self.model, **params},
            "initial": initial,
            "time": {"dead_time_s": self.dead_time_s, "t_end_s": self.t_end_s, "dt_s": self.dt_s},
            "solver": {"rtol": self.rtol, "atol_nM": self.atol_nM},
        }
        if self.observation is not None:
            out["observation"] = self.observation
        return out
