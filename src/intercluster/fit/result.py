"""What a fit found, as dataclasses (:class:`FitResult` and its parts), and the
``fit.json`` form that :meth:`FitResult.to_dict` writes and
:meth:`FitResult.from_dict` reads back.

The objects are plain data: no simulation, no file is touched here. The
scientific source of every number is Neumaier et al., J. Am. Chem. Soc. 2021,
143, 6969: eq 1 (the t_max score), the grid of
"Simulation 1" and Table 1 (the constants).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

__all__ = [
    "DatasetFit",
    "Driver",
    "Eq1Check",
    "FitResult",
    "Interval",
    "McmcResult",
    "ObjectiveTerms",
    "ProfilePoint",
    "ProfileResult",
    "TmaxRow",
]

#: Units of the rate constants (and their ratio) in every fit output.
UNITS = {
    "k_dim": "L nmol^-1 s^-1",
    "k_diss": "s^-1",
    "k_ex": "s^-1",
    "k_dim/k_diss": "L nmol^-1",
}

SOURCE = "Neumaier et al., JACS 2021, 143, 6969 (eq 1, Table 1)"


def _clean(x):
    """JSON-safe: numpy -> Python, non-finite floats -> None, dataclasses -> dicts."""
    if hasattr(x, "to_dict") and not isinstance(x, type):
        return _clean(x.to_dict())
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


def _float(x) -> float:
    """A float from JSON (None -> NaN)."""
    return math.nan if x is None else float(x)


def _from_dict(cls, d: dict):
    """Build a flat dataclass from a dict, ignoring unknown keys."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(frozen=True)
class Interval:
    """A 95 % interval of one parameter (or of the ratio k_dim/k_diss).

    Attributes
    ----------
    name : str
        ``k_dim`` [L nmol^-1 s^-1], ``k_diss``, ``k_ex`` [s^-1], ``k_dim/k_diss``
        [L nmol^-1] or a model parameter.
    best, lower, upper : float
        Best value and the interval's ends (parameter units).
    lower_open, upper_open : bool
        The end is a bound of the search, not a crossing of the threshold.
    method : {"profile", "wald"}
        Profile likelihood (re-optimising the other parameters) or Wald
        (best +- 1.96 standard deviations in theta, from the covariance).
    sigma_theta : float or None
        Standard deviation in theta units (log10 for log-scale parameters).
    log : bool
        Theta is log10 of the value.
    threshold : float or None
        Delta chi2 / s^2 of the profile interval (3.84 c, c the robust adjustment).
    """

    name: str
    best: float
    lower: float
    upper: float
    lower_open: bool = False
    upper_open: bool = False
    method: str = "profile"
    sigma_theta: float | None = None
    log: bool = True
    threshold: float | None = None

    @property
    def halfwidth_percent(self) -> float:
        """Half the interval's width in percent of the best value."""
        return 50.0 * (self.upper - self.lower) / self.best if self.best else math.nan

    def contains(self, value: float) -> bool:
        return self.lower <= value <= self.upper

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["halfwidth_percent"] = self.halfwidth_percent
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Interval:
        d = dict(d)
        for k in ("best", "lower", "upper"):
            d[k] = _float(d.get(k))
        return _from_dict(cls, d)


@dataclass(frozen=True)
class ProfilePoint:
    """One point of a profile: the value fixed, Delta chi2 / s^2 (raw and divided by
    the robust adjustment c) and the objective chi2 there."""

    value: float
    delta_chi2: float
    delta_chi2_adjusted: float
    chi2: float

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class ProfileResult:
    """Profile likelihood and covariance at the optimum
    (:func:`intercluster.fit.uncertainty.profile_intervals`).

    Attributes
    ----------
    s2 : float
        Noise scale chi2_min / (n - p).
    n_effective : int
        Residuals with non-zero weight (n).
    threshold : float
        Delta chi2 / s^2 of a 95 % interval before the robust adjustment (3.84).
    robust : bool
        Cluster-robust covariance and adjusted thresholds.
    adjustment : dict name -> float
        c = robust variance / naive variance of each profiled coordinate.
    covariance, correlation : ndarray, shape (n_free, n_free)
        Theta units, free-parameter order.
    intervals : dict name -> Interval
        Profile intervals (each free parameter and the ratio).
    wald : dict name -> Interval
        Wald intervals from the covariance (same names).
    profiles : dict name -> list of ProfilePoint
        The profiles, ordered by value.
    n_evaluations : int
    n_integrations : int
        Integrations of the profiles (sensitivity runs included).
    better_point : ndarray or None
        A theta with a lower objective met while profiling.
    wall_time_s : float
    """

    s2: float
    n_effective: int
    threshold: float
    robust: bool
    adjustment: dict
    covariance: np.ndarray
    correlation: np.ndarray
    intervals: dict
    wald: dict
    profiles: dict
    n_evaluations: int
    n_integrations: int = 0
    better_point: np.ndarray | None = None
    wall_time_s: float = 0.0


@dataclass
class McmcResult:
    """Posterior samples (:func:`intercluster.fit.uncertainty.run_mcmc`).

    Attributes
    ----------
    samples : ndarray, shape (n_samples, n_free)
        Theta units.
    log_prob : ndarray, shape (n_samples,)
    acceptance : float
        Mean acceptance fraction of the walkers.
    n_evaluations : int
    wall_time_s : float
    values : dict name -> ndarray (n_samples,)
        Samples in parameter units (and the ratio k_dim/k_diss); filled by
        :func:`intercluster.fit.workflow.fit`.
    """

    samples: np.ndarray
    log_prob: np.ndarray
    acceptance: float
    n_evaluations: int
    wall_time_s: float = 0.0
    values: dict = field(default_factory=dict)

    def quantiles(self, q=(2.5, 50.0, 97.5)) -> dict[str, list[float]]:
        """Percentiles of every sampled quantity (parameter units)."""
        return {n: np.percentile(v, list(q)).tolist() for n, v in self.values.items()}


@dataclass(frozen=True)
class ObjectiveTerms:
    """The objective and its terms at one point (:mod:`intercluster.fit.objectives`).

    Attributes
    ----------
    kind : {"eq1", "intensity", "combined"}
    value : float
        The objective minimised.
    eq1_s2 : float
        Eq 1 of Neumaier et al. 2021 with the t_max weights [s^2].
    tmax_chi2, intensity_chi2 : float
        The t_max term (in units of sigma_t) and the intensity term.
    """

    kind: str
    value: float
    eq1_s2: float
    tmax_chi2: float
    intensity_chi2: float

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> ObjectiveTerms:
        return cls(
            kind=d["kind"],
            **{k: _float(d.get(k)) for k in ("value", "eq1_s2", "tmax_chi2", "intensity_chi2")},
        )


@dataclass(frozen=True)
class TmaxRow:
    """t_max of one observable of one dataset: data and best fit [s], the flag
    (edge of the window, near-tie second peak; empty if none), the weight in
    eq 1 and the contribution to it [s^2]."""

    dataset: str
    observable: str
    t_max_data_s: float | None
    weight: float
    flag: str
    plateau_halfwidth_s: float
    t_max_fit_s: float | None = None
    eq1_contribution_s2: float | None = None

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> TmaxRow:
        return _from_dict(cls, {**d, "flag": d.get("flag") or ""})


@dataclass(frozen=True)
class Driver:
    """An observable that contributes much to the objective at the best point.

    Attributes
    ----------
    dataset, observable : str
    term : {"t_max", "intensity"}
    contribution : float
        Its part of the objective.
    share : float
        Its fraction of the listed terms' total.
    """

    dataset: str
    observable: str
    term: str
    contribution: float
    share: float = 0.0
    t_max_data_s: float | None = None
    t_max_fit_s: float | None = None

    def to_dict(self) -> dict:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }

    @classmethod
    def from_dict(cls, d: dict) -> Driver:
        return _from_dict(cls, d)


@dataclass(frozen=True)
class Eq1Check:
    """The constants that eq 1 alone picks on the grid, against the fit's.

    Neumaier et al. 2021 ranked a 13 x 13 x 13 grid by eq 1 (the squared t_max
    differences). Every grid point's eq 1 is computed anyway, so the grid's eq 1
    optimum costs nothing; where it lies an order of magnitude or more from the
    optimum of the combined objective in any constant, t_max alone does not
    determine the constants that the intensities do (a warning).

    Attributes
    ----------
    grid_preset : str
        The grid searched (``paper`` is the grid as printed).
    values : dict
        Free parameters at the grid point with the smallest eq 1.
    eq1_s2 : float
        Eq 1 there [s^2].
    fit_values : dict
        The fit's best values.
    log10_difference : dict
        log10(eq 1 value / fit value) per free parameter.
    threshold_decades : float
        A difference of at least this many decades counts as far (1).
    """

    grid_preset: str
    values: dict
    eq1_s2: float
    fit_values: dict
    log10_difference: dict
    threshold_decades: float = 1.0

    @property
    def far(self) -> bool:
        return any(abs(v) >= self.threshold_decades for v in self.log10_difference.values())

    def message(self) -> str:
        worst = max(self.log10_difference, key=lambda n: abs(self.log10_difference[n]))
        return (
            f"eq 1 alone (t_max only, Neumaier et al. 2021) on the {self.grid_preset} grid picks "
            + ", ".join(f"{n} = {v:.3g}" for n, v in self.values.items())
            + "; the fit picks "
            + ", ".join(f"{n} = {self.fit_values[n]:.3g}" for n in self.values)
            + f" ({worst} differs by {abs(self.log10_difference[worst]):.1f} decades): the t_max "
            "values alone do not pin down these constants"
        )

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["far"] = self.far
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Eq1Check:
        return _from_dict(cls, d)


@dataclass
class DatasetFit:
    """Data and best fit of one dataset on the data's times.

    Attributes
    ----------
    name : str
    time_s : ndarray, shape (n_time,)
        Times after the dead time [s].
    labels : list of str, length n_obs
    data : ndarray, shape (n_time, n_obs)
        Normalised intensities as fitted.
    best_fit : ndarray, shape (n_time, n_obs)
        Best-fit normalised intensities (rows sum to 1 over the dataset's observables).
    """

    name: str
    time_s: np.ndarray
    labels: list
    data: np.ndarray
    best_fit: np.ndarray

    @property
    def residual(self) -> np.ndarray:
        """data - best fit, shape (n_time, n_obs)."""
        return self.data - self.best_fit


@dataclass
class FitResult:
    """Everything a fit found (:func:`intercluster.fit.workflow.fit`).

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
    objective : ObjectiveTerms
        At the best point.
    intervals : dict name -> Interval
        95 % profile intervals (empty for ``grid``).
    wald_intervals : dict name -> Interval
        95 % Wald intervals from the covariance (empty for ``grid``).
    correlation : ndarray, shape (n_free, n_free), or None
        Correlation of the free parameters (theta units) at the best point.
    n_evaluations : int
        Parameter vectors evaluated in this run (grid points read from an
        earlier run not included).
    n_simulations : int
        n_evaluations x number of datasets.
    wall_time_s : float
    timings : dict stage -> seconds
        Wall time of each stage (grid, refine, uncertainty, mcmc, outputs of the fit).
    stages : dict
        Per-stage details (JSON-ready: grid axes and best point, refinement
        starts, noise scale, MCMC settings and quantiles).
    tmax : list of TmaxRow
    drivers : list of Driver
        The observables that contribute most to the objective at the best point.
    flags : list of str
        Things to look at: t_max flagged, intervals open at a bound, failed grid points.
    warnings : list of str
        Doubts about the result (e.g. :class:`Eq1Check`).
    notes : list of str
        What was done to the data or the run (dropped rows, re-refinement).
    eq1_check : Eq1Check or None
    datasets : list of DatasetFit
        Data and best-fit observables.
    grid : GridResult or None
        The grid table (not in fit.json; written as grid.csv).
    uncertainty : ProfileResult or None
    mcmc : McmcResult or None
    command : str or None
        The command line that produced the result (set by the CLI).
    """

    method: str
    model: str
    names: list
    theta: np.ndarray
    values: dict
    objective: ObjectiveTerms
    intervals: dict = field(default_factory=dict)
    wald_intervals: dict = field(default_factory=dict)
    correlation: np.ndarray | None = None
    n_evaluations: int = 0
    n_simulations: int = 0
    wall_time_s: float = 0.0
    timings: dict = field(default_factory=dict)
    stages: dict = field(default_factory=dict)
    tmax: list = field(default_factory=list)
    drivers: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    eq1_check: Eq1Check | None = None
    datasets: list = field(default_factory=list, repr=False)
    grid: object = field(default=None, repr=False)
    uncertainty: ProfileResult | None = field(default=None, repr=False)
    mcmc: McmcResult | None = field(default=None, repr=False)
    command: str | None = None

    @property
    def derived(self) -> dict:
        """k_dim/k_diss [L nmol^-1] when both are parameters."""
        v = self.values
        return {"k_dim/k_diss": v["k_dim"] / v["k_diss"]} if "k_dim" in v and "k_diss" in v else {}

    def dataset(self, name: str) -> DatasetFit:
        """Data and best fit of the dataset called ``name``.

        Raises
        ------
        KeyError
            If there is no such dataset (the message lists the names).
        """
        for d in self.datasets:
            if d.name == name:
                return d
        raise KeyError(f"dataset = {name!r}: one of {', '.join(d.name for d in self.datasets)}")

    def to_dict(self, files: dict | None = None) -> dict:
        """The ``fit.json`` structure (JSON-safe; NaN/inf become null).

        ``files`` (dataset name -> {"data": ..., "best_fit": ...}) records where
        the writer put each dataset's tables.
        """
        return _clean(
            {
                "method": self.method,
                "model": self.model,
                "free_parameters": self.names,
                "theta": self.theta,
                "best": dict(self.values),
                "derived": self.derived,
                "units": UNITS,
                "objective": self.objective,
                "intervals_95": self.intervals,
                "wald_intervals_95": self.wald_intervals,
                "correlation": {"parameters": self.names, "matrix": self.correlation},
                "n_evaluations": self.n_evaluations,
                "n_simulations": self.n_simulations,
                "wall_time_s": self.wall_time_s,
                "timings_s": self.timings,
                "stages": self.stages,
                "drivers": self.drivers,
                "tmax": self.tmax,
                "flags": self.flags,
                "warnings": self.warnings,
                "notes": self.notes,
                "eq1_check": self.eq1_check,
                "datasets": files if files is not None else {d.name: {} for d in self.datasets},
                "command": self.command,
                "source": SOURCE,
            }
        )

    @classmethod
    def from_dict(cls, d: dict, datasets: list | None = None) -> FitResult:
        """Rebuild a FitResult from its ``fit.json`` form (the grid table, the
        profile points and MCMC samples are in their own files and not restored;
        ``datasets`` can be given)."""
        corr = d.get("correlation", {}).get("matrix")
        return cls(
            method=d["method"],
            model=d["model"],
            names=list(d["free_parameters"]),
            theta=np.asarray([_float(x) for x in d.get("theta", [])]),
            values={k: _float(v) for k, v in d["best"].items()},
            objective=ObjectiveTerms.from_dict(d["objective"]),
            intervals={k: Interval.from_dict(v) for k, v in d.get("intervals_95", {}).items()},
            wald_intervals={
                k: Interval.from_dict(v) for k, v in d.get("wald_intervals_95", {}).items()
            },
            correlation=None
            if corr is None
            else np.asarray([[_float(x) for x in row] for row in corr]),
            n_evaluations=int(d.get("n_evaluations", 0)),
            n_simulations=int(d.get("n_simulations", 0)),
            wall_time_s=_float(d.get("wall_time_s", 0.0)),
            timings=dict(d.get("timings_s", {})),
            stages=dict(d.get("stages", {})),
            tmax=[TmaxRow.from_dict(r) for r in d.get("tmax", [])],
            drivers=[Driver.from_dict(r) for r in d.get("drivers", [])],
            flags=list(d.get("flags", [])),
            warnings=list(d.get("warnings", [])),
            notes=list(d.get("notes", [])),
            eq1_check=Eq1Check.from_dict(d["eq1_check"]) if d.get("eq1_check") else None,
            datasets=list(datasets or []),
            command=d.get("command"),
        )
