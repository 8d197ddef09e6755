"""The result of a fit (:class:`FitResult`) and its ``fit.json`` form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FitResult"]


def _clean(x):
    """JSON-safe: numpy -> Python, non-finite floats -> None."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, np.bool_ | bool):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


@dataclass
class FitResult:
    """Everything a fit found.

    Attributes
    ----------
    method : str
        ``grid``, ``refine``, ``grid+refine`` or ``mcmc``.
    model : str
    names : list of str
        Free parameters.
    theta : ndarray, shape (n_free,)
        Best point (log10 of log-scale parameters).
    values : dict
        Best values of all parameters (k_dim [L nmol^-1 s^-1], k_diss, k_ex [s^-1]).
    objective : dict
        kind, value, eq1_s2, tmax_chi2, intensity_chi2 at the best point.
    intervals : dict
        95 % profile intervals (empty for ``grid``).
    correlation : list of lists or None
        Correlation of the free parameters (theta units) at the best point.
    n_evaluations : int
        Parameter vectors evaluated in this run (grid points read from an
        earlier run not included).
    n_simulations : int
        n_evaluations x number of datasets.
    wall_time_s : float
    stages : dict
        Per-stage details (grid, refine, uncertainty, mcmc).
    tmax : list of dict
        Per dataset and observable: data and fitted t_max, flag, weight, contribution.
    drivers : list of dict
        The observables that contribute most to the objective at the best point.
    notes : list of str
    """

    method: str
    model: str
    names: list
    theta: np.ndarray
    values: dict
    objective: dict
    intervals: dict = field(default_factory=dict)
    correlation: list | None = None
    n_evaluations: int = 0
    n_simulations: int = 0
    wall_time_s: float = 0.0
    stages: dict = field(default_factory=dict)
    tmax: list = field(default_factory=list)
    drivers: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The ``fit.json`` structure (JSON-safe; NaN/inf become null)."""
        best = {n: self.values[n] for n in self.values}
        derived = {}
        if "k_dim" in self.values and "k_diss" in self.values:
            derived["k_dim/k_diss"] = self.values["k_dim"] / self.values["k_diss"]
        return _clean(
            {
                "method": self.method,
                "model": self.model,
                "free_parameters": self.names,
                "best": best,
                "derived": derived,
                "units": {
                    "k_dim": "L nmol^-1 s^-1",
                    "k_diss": "s^-1",
                    "k_ex": "s^-1",
                    "k_dim/k_diss": "L nmol^-1",
                },
                "objective": self.objective,
                "intervals_95": self.intervals,
                "correlation": {"parameters": self.names, "matrix": self.correlation},
                "n_evaluations": self.n_evaluations,
                "n_simulations": self.n_simulations,
                "wall_time_s": self.wall_time_s,
                "stages": self.stages,
                "drivers": self.drivers,
                "tmax": self.tmax,
                "notes": self.notes,
                "source": "Neumaier et al., JACS 2021, 143, 6969 (eq 1, Table 1)",
            }
        )
