"""The fit problem: datasets, rate model, free and fixed parameters, objective.

:class:`FitProblem` evaluates one parameter vector by simulating every dataset
on the fast path (no xarray): one :class:`~intercluster.kinetics.CompiledNetwork`
per dataset, built once per process, whose rate constants are swapped for each
candidate; integration on the dataset's time grid (dead time + data times),
observables by ``network.observable_matrix``, normalisation over the
observables the dataset has, t_max by the same estimator as the data's
(:mod:`intercluster.fit.tmax`), then the residuals of
:mod:`intercluster.fit.objectives`.

Free parameters live in ``theta`` space: log10 of the value for log-scale
parameters (the default), the value itself otherwise.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import time as _time
from dataclasses import dataclass, field

import numpy as np

from intercluster.errors import ConfigError, SolverError, bad_value
from intercluster.fit.data import FitData
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.tmax import TmaxFeatures, smoothing_matrix, tmax_features, tmax_weights
from intercluster.kinetics.observables import matrix_plan
from intercluster.kinetics.observables import t_max as refined_t_max
from intercluster.validation import number as _number

__all__ = ["Evaluation", "FitProblem", "Parameter", "integrations_done"]

#: Residual given to every entry when a simulation fails (keeps optimisers finite).
FAILED_RESIDUAL = 1e6

#: Integrations started in this process by any FitProblem (with or without
#: sensitivities); read with :func:`integrations_done`.
_INTEGRATIONS = [0]


def integrations_done() -> int:
    """Integrations started in this process so far by :class:`FitProblem`
    (every call of the integrator, with or without sensitivities, failed ones
    included). Stages report differences of this counter, so that a fit's
    ``n_simulations`` counts every integration wherever it ran."""
    return _INTEGRATIONS[0]


@dataclass(frozen=True)
class Parameter:
    """A rate-model parameter: free within bounds, or fixed.

    Attributes
    ----------
    name : str
        k_dim [L nmol^-1 s^-1], k_diss [s^-1], k_ex [s^-1] or a model parameter.
    value : float
        Start value of a free parameter, value of a fixed one.
    lower, upper : float
        Bounds (free parameters; lower < upper, both > 0 on log scale).
    log : bool
        Fit log10 of the value (default) or the value itself.
    fixed : bool
    grid : tuple of float, optional
        Explicit grid values for the grid search.
    """

    name: str
    value: float
    lower: float = 1e-4
    upper: float = 1.0
    log: bool = True
    fixed: bool = False
    grid: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        for what in ("value", "lower", "upper"):
            _number(
                f"parameters.{self.name}.{what}", getattr(self, what), "a number", lambda v: True
            )
        if self.fixed:
            return
        if not self.lower < self.upper:
            raise ConfigError(
                bad_value(
                    f"parameters.{self.name}.lower",
                    self.lower,
                    f"a bound below upper = {self.upper!r}",
                )
            )
        if self.log and self.lower <= 0:
            raise ConfigError(
                bad_value(f"parameters.{self.name}.lower", self.lower, "> 0 on a log scale")
            )
        if self.grid is not None:
            g = np.asarray(self.grid, float)
            if g.size == 0 or np.any(~np.isfinite(g)) or np.any(np.diff(g) <= 0):
                raise ConfigError(
                    bad_value(f"parameters.{self.name}.grid", list(self.grid), "increasing values")
                )
            if g[0] < self.lower or g[-1] > self.upper:
                raise ConfigError(
                    bad_value(
                        f"parameters.{self.name}.grid",
                        list(self.grid),
                        f"values within [{self.lower:g}, {self.upper:g}]",
                    )
                )

    def to_theta(self, value: float) -> float:
        return math.log10(value) if self.log else float(value)

    def from_theta(self, theta: float) -> float:
        return 10.0**theta if self.log else float(theta)


@dataclass
class Evaluation:
    """Objective of one parameter vector.

    Attributes
    ----------
    value : float
        The objective minimised (sum of squared residuals; NaN if failed).
    eq1_s2 : float
        Eq 1 with the t_max weights [s^2].
    tmax_chi2, intensity_chi2 : float
        The two terms (t_max in units of sigma_t; intensities in units of sigma).
    status : str
        ``"ok"`` or ``"solver_error"``.
    message : str
        The solver's message on failure.
    residuals : ndarray or None
        The residual vector (sum of squares = value) when asked for.
    seconds : float
        Wall time of the evaluation [s].
    """

    value: float
    eq1_s2: float
    tmax_chi2: float
    intensity_chi2: float
    status: str = "ok"
    message: str = ""
    residuals: np.ndarray | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class _Prepared:
    """Per-process state of one dataset (never pickled)."""

    network: object
    compiled: object
    x0: np.ndarray
    t_out: np.ndarray  # on the data axis (after the dead time) [s]
    data_rows: np.ndarray  # rows of t_out that are data times
    obs_index: np.ndarray  # positions of the dataset's observables among the system's
    observation: tuple  # the dataset's rows of the observation matrix, as the solver's CSR plan
    smoother: object  # sparse (n_t, n_t) or None: the same smoothing as the data's
    t_end_total: float
    neg_tol: float
    tmax_exp: np.ndarray
    tmax_w: np.ndarray
    features: TmaxFeatures
    int_w: np.ndarray  # sqrt(dataset weight x point weights), shape (n_t, n_obs)


# per-process cache: problem fingerprint -> list of _Prepared
_CACHE: dict[str, list[_Prepared]] = {}


@dataclass(eq=False)
class FitProblem:
    """Datasets + rate model + parameters + objective.

    Parameters
    ----------
    system : ExchangeSystem or ClusterSystem
        The single-family model, or a general model of families, complexes and
        rules (:class:`~intercluster.network.ClusterSystem`).
    model : str
        Rate model name (sim1, sim2, sim3 or a registered one).
    parameters : list of Parameter
        Free and fixed parameters; model parameters not listed keep the model's
        defaults. For a ClusterSystem also the base constants of its rules
        (k_tri [L nmol^-1 s^-1], k_tri_diss [s^-1], ...); those not listed keep
        the values of its ``constants``.
    datasets : list of FitData
        Fitted jointly; they share the rate constants.
    objective : ObjectiveSpec
    rtol, atol_nM : float
        Integrator tolerances.

    Raises
    ------
    ConfigError
        Unknown parameter names (listing the model's), no free parameter, no
        dataset, or a dataset whose mixture does not fit the system.
    """

    system: object
    model: str
    parameters: list[Parameter]
    datasets: list[FitData]
    objective: ObjectiveSpec = field(default_factory=ObjectiveSpec)
    rtol: float = 1e-8
    atol_nM: float = 1e-12

    def __post_init__(self) -> None:
        from intercluster.kinetics.initial import initial_concentrations
        from intercluster.network.build import resolve_parameters
        from intercluster.network.models import get_model

        model = get_model(self.model)
        names = tuple(model.parameter_names)
        if not self.is_single_family:
            # a general model: the base constants of its rules (k_tri, ...) are parameters too
            extra = list(self.system.constant_names) + list(self.system.constants)
            names += tuple(dict.fromkeys(n for n in extra if n not in names))
        seen = set()
        for p in self.parameters:
            if p.name not in names:
                what = "model" if self.is_single_family else "model and rules"
                raise ConfigError(
                    bad_value(
                        "parameters." + p.name,
                        p.value,
                        f"the {what} of {self.model!r} have parameters {', '.join(names)}",
                    )
                )
            if p.name in seen:
                raise ConfigError(f"parameters.{p.name}: given twice")
            seen.add(p.name)
        if not self.free:
            raise ConfigError("parameters: no free parameter; give at least one with bounds")
        if not self.datasets:
            raise ConfigError("datasets: none given; a fit needs at least one dataset")
        resolve_parameters(self.system, model, {p.name: p.value for p in self.parameters})
        for d in self.datasets:
            try:
                initial_concentrations(self.system, d.initial)
            except ConfigError as exc:
                raise ConfigError(f"dataset {d.name!r}: {exc}") from None

    @property
    def is_single_family(self) -> bool:
        """True for an ExchangeSystem (the single-family model), False for a general
        model of families, complexes and rules (a ClusterSystem)."""
        from intercluster.network.system import ExchangeSystem

        return isinstance(self.system, ExchangeSystem)

    # ------------------------------------------------------------ parameters
    @property
    def free(self) -> list[Parameter]:
        return [p for p in self.parameters if not p.fixed]

    @property
    def free_names(self) -> list[str]:
        return [p.name for p in self.free]

    @property
    def n_free(self) -> int:
        return len(self.free)

    @property
    def theta_lower(self) -> np.ndarray:
        return np.array([p.to_theta(p.lower) for p in self.free])

    @property
    def theta_upper(self) -> np.ndarray:
        return np.array([p.to_theta(p.upper) for p in self.free])

    @property
    def theta_start(self) -> np.ndarray:
        lo, hi = self.theta_lower, self.theta_upper
        return np.clip([p.to_theta(p.value) for p in self.free], lo, hi)

    def values(self, theta) -> dict[str, float]:
        """All parameter values (fixed and free) for a theta vector."""
        theta = np.asarray(theta, float)
        out = {p.name: float(p.value) for p in self.parameters if p.fixed}
        for p, t in zip(self.free, theta):
            out[p.name] = p.from_theta(float(t))
        return out

    def theta(self, values: dict[str, float]) -> np.ndarray:
        """Theta vector of a dict of free-parameter values."""
        return np.array([p.to_theta(values[p.name]) for p in self.free])

    def fingerprint(self) -> str:
        """Hash of everything that determines the objective (for per-process caches)."""
        system = self.system if self.is_single_family else self.system.to_dict()
        state = (
            system,
            self.model,
            self.parameters,
            [
                (
                    d.name,
                    d.time_s.tobytes(),
                    d.labels,
                    d.intensity.tobytes(),
                    str(d.initial),
                    d.dead_time_s,
                    d.weight,
                    None if d.point_weights is None else d.point_weights.tobytes(),
                )
                for d in self.datasets
            ],
            self.objective,
            self.rtol,
            self.atol_nM,
        )
        return hashlib.sha256(pickle.dumps(state)).hexdigest()

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_fp", None)
        return state

    @property
    def key(self) -> str:
        fp = self.__dict__.get("_fp")
        if fp is None:
            fp = self.__dict__["_fp"] = self.fingerprint()
        return fp

    # ------------------------------------------------------------- preparing
    def prepared(self) -> list[_Prepared]:
        """Per-dataset structures, built once per process and cached."""
        prep = _CACHE.get(self.key)
        if prep is None:
            prep = [self._prepare(d) for d in self.datasets]
            _CACHE.clear()  # one problem per process at a time
            _CACHE[self.key] = prep
        return prep

    def _prepare(self, d: FitData) -> _Prepared:
        from intercluster.kinetics.initial import initial_concentrations
        from intercluster.kinetics.simulate import NEG_TOL_RELATIVE, compile_network
        from intercluster.network import build_network

        spec = self.objective
        net = build_network(self.system, self.model, self.values(self.theta_start))
        compiled = compile_network(net)
        x0 = initial_concentrations(self.system, d.initial)
        t_end = d.t_end_s
        t_out = d.time_s.copy()
        data_rows = np.arange(len(t_out))
        labels = self.system.observable_labels
        obs_index = np.array([labels.index(lab) for lab in d.labels])
        S = smoothing_matrix(d.time_s, spec.smooth_s)
        smoothed = d.intensity if S is None else np.asarray(S @ d.intensity)
        feats = tmax_features(
            d.time_s, smoothed, tie_rel=spec.tie_rel, plateau_rel=spec.plateau_rel
        )
        tmax_w = tmax_weights(feats, spec.flags, spec.sigma_t_s) * d.weight
        int_w = np.full(d.intensity.shape, d.weight)
        if d.point_weights is not None:
            int_w = int_w * d.point_weights
        return _Prepared(
            network=net,
            compiled=compiled,
            x0=x0,
            t_out=t_out,
            data_rows=data_rows,
            obs_index=obs_index,
            observation=matrix_plan(net.observable_matrix[obs_index]),
            smoother=S,
            t_end_total=d.dead_time_s + t_end,
            neg_tol=NEG_TOL_RELATIVE * float(x0.sum()),
            tmax_exp=feats.t_max_s,
            tmax_w=tmax_w,
            features=feats,
            int_w=np.sqrt(int_w),
        )

    # ------------------------------------------------------------ simulating
    def simulate_dataset(self, i: int, values: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Simulated normalised intensities of dataset ``i`` on its output grid.

        Returns
        -------
        t_out : array, shape (n_out,) [s] (the data times)
        intensity : array, shape (n_out, n_obs_i), rows summing to 1 over the
            dataset's observables

        Raises
        ------
        SolverError
            If the integration fails.
        """
        prep = self.prepared()[i]
        net = prep.network.with_parameters(**values)
        res = self._integrate(i, prep.compiled.with_rate_constants(net.rate_constants))
        return prep.t_out, res.observed[1]  # normalised over the dataset's observables

    def _integrate(self, i: int, compiled, sensitivities=None):
        """Dataset ``i`` integrated with ``compiled`` (its rate constants set) on the
        dataset's time grid, counted in :func:`integrations_done`."""
        prep, d = self.prepared()[i], self.datasets[i]
        _INTEGRATIONS[0] += 1
        return compiled.integrate(
            prep.x0,
            d.dead_time_s + prep.t_out,
            prep.t_end_total,
            rtol=self.rtol,
            atol=self.atol_nM,
            neg_tol=prep.neg_tol,
            sensitivities=sensitivities,
            observation=prep.observation,
        )

    def evaluate(self, theta, *, residuals: bool = False) -> Evaluation:
        """Objective at ``theta`` (see :mod:`intercluster.fit.objectives`).

        Solver failures do not raise: they give ``status = "solver_error"``, NaN
        objective values and residuals of :data:`FAILED_RESIDUAL`.
        """
        start = _time.perf_counter()
        values = self.values(theta)
        spec = self.objective
        parts = []
        eq1 = ichi = 0.0
        try:
            for i, d in enumerate(self.datasets):
                prep = self.prepared()[i]
                t_out, inten = self.simulate_dataset(i, values)
                dt = self._sim_tmax(prep, t_out, inten) - prep.tmax_exp
                dt = np.where(prep.tmax_w > 0, np.nan_to_num(dt, nan=t_out[-1]), 0.0)
                rt = np.sqrt(prep.tmax_w) * dt
                eq1 += float(rt @ rt)
                ri = self._intensity_residuals(prep, d, inten).ravel()
                ichi += float(ri @ ri)
                if residuals:
                    if spec.uses_tmax:
                        parts.append(rt * spec.tmax_scale())
                    if spec.uses_intensity:
                        parts.append(ri * spec.intensity_scale())
        except SolverError as exc:
            return self._failed(exc, start, residuals)
        return self._evaluation(eq1, ichi, np.concatenate(parts) if residuals else None, start)

    def _evaluation(self, eq1: float, ichi: float, residuals, start: float) -> Evaluation:
        """The Evaluation of eq 1 [s^2] and the intensity chi^2 combined as the objective
        asks, with the residual vector (or None) and the seconds since ``start``."""
        spec = self.objective
        tchi = eq1 / spec.sigma_t_s**2
        if spec.kind == "eq1":
            value = eq1
        elif spec.kind == "intensity":
            value = ichi
        else:
            value = spec.tmax_weight * tchi + spec.intensity_weight * ichi
        return Evaluation(
            value=value,
            eq1_s2=eq1,
            tmax_chi2=tchi,
            intensity_chi2=ichi,
            residuals=residuals,
            seconds=_time.perf_counter() - start,
        )

    def _failed(self, exc: SolverError, start: float, residuals: bool) -> Evaluation:
        """The Evaluation of a point whose integration failed: NaN objective values and,
        if asked, residuals of :data:`FAILED_RESIDUAL`."""
        return Evaluation(
            value=math.nan,
            eq1_s2=math.nan,
            tmax_chi2=math.nan,
            intensity_chi2=math.nan,
            status="solver_error",
            message=str(exc),
            residuals=np.full(self.n_residuals(), FAILED_RESIDUAL) if residuals else None,
            seconds=_time.perf_counter() - start,
        )

    @staticmethod
    def _sim_tmax(prep, t_out, inten) -> np.ndarray:
        """t_max of a simulation by the estimator applied to the data."""
        if prep.smoother is not None:
            inten = np.asarray(prep.smoother @ inten)
        return refined_t_max(t_out, inten)

    def _intensity_residuals(self, prep, d, inten) -> np.ndarray:
        """(I_sim - I_exp) / sigma x sqrt(weights), sigma from the simulated intensity."""
        spec = self.objective
        sim = inten[prep.data_rows]
        sigma = spec.sigma_rel * sim + spec.sigma_abs
        return (sim - d.intensity) / sigma * prep.int_w

    # ------------------------------------------- gradients from sensitivities
    def sensitivity_parameters(self) -> list[str] | None:
        """The free parameters if every one is a base rate constant of the network
        (k_dim, k_diss, k_ex or a general model's constants), so that
        :meth:`evaluate_jacobian` applies; else None (model parameters such as site
        energies change the model factors, which the sensitivities do not cover)."""
        bases = set(self.prepared()[0].network.base_constant_names)
        names = self.free_names
        return names if all(n in bases for n in names) else None

    def evaluate_jacobian(self, theta, directions=None) -> tuple[Evaluation, np.ndarray | None]:
        """The evaluation at ``theta`` with its residuals, and their Jacobian
        d r / d theta, shape (n_residuals, n_free), from forward sensitivities of
        the integrator (one integration per dataset).

        ``directions`` (n_free, n_dir), optional: the Jacobian along these directions
        in theta, d r / d theta @ directions, shape (n_residuals, n_dir), with one
        sensitivity per direction (a profile's fixed coordinate costs nothing).

        Intensity residuals are differentiated exactly, the normalisation to the
        dataset's total ion signal included (d(o_i / sum o) = (do_i - I_i d sum o) /
        sum o) and sigma = sigma_rel I_sim + sigma_abs following I_sim. t_max
        residuals are differentiated through the estimator itself (smoothing, then the
        vertex of the parabola through the grid maximum and its neighbours), which is
        exact wherever the grid maximum does not move; a maximum on the first or last
        point, a clipped vertex or an observable excluded from eq 1 gives 0.

        Returns (evaluation, None) when the integration fails (the evaluation then
        has status "solver_error", as :meth:`evaluate`).

        Raises
        ------
        ConfigError
            If a free parameter is not a base rate constant
            (:meth:`sensitivity_parameters` is None).
        """
        from intercluster.kinetics.simulate import reaction_constant_names
        from intercluster.kinetics.solver import ParamMap

        names = self.sensitivity_parameters()
        if names is None:
            raise ConfigError(
                bad_value(
                    "parameters",
                    self.free_names,
                    "base rate constants only for gradients from sensitivities",
                )
            )
        start = _time.perf_counter()
        theta = np.asarray(theta, float)
        values = self.values(theta)
        # d ln p / d theta: ln 10 for log10-scale parameters, 1 / p otherwise
        fac = np.array([math.log(10.0) if p.log else 1.0 / values[p.name] for p in self.free])
        A = np.eye(len(fac)) if directions is None else np.asarray(directions, float)
        if A.ndim != 2 or A.shape[0] != len(fac):
            raise ConfigError(
                bad_value("directions", f"shape {A.shape}", f"shape ({len(fac)}, n_dir)")
            )
        dlnp = fac[:, None] * A  # d ln p / d direction m, per free parameter
        spec = self.objective
        parts, jparts = [], []
        eq1 = ichi = 0.0
        try:
            for i, d in enumerate(self.datasets):
                prep = self.prepared()[i]
                net = prep.network.with_parameters(**values)
                compiled = prep.compiled.with_rate_constants(net.rate_constants)
                const = reaction_constant_names(net)
                groups = {}
                for m in range(A.shape[1]):
                    rxn, val = [], []
                    for q, name in enumerate(names):
                        if dlnp[q, m] != 0.0:
                            idx = np.flatnonzero(const == name)
                            rxn.append(idx)
                            val.append(np.full(idx.size, dlnp[q, m]))
                    cat = (np.concatenate(rxn), np.concatenate(val)) if rxn else ([], [])
                    groups[f"direction {m}"] = cat
                res = self._integrate(i, compiled, ParamMap.from_groups(groups))
                n_t, n_p, _ = res.sensitivities.shape  # d y / d direction
                # the dataset's intensities and their derivatives (the normalisation over
                # its observables differentiated), observed by the solver
                inten = res.observed[1]
                dint = res.observed_sensitivities[1]
                # t_max residuals
                t_out = prep.t_out
                sm, dsm = inten, dint
                if prep.smoother is not None:
                    sm = np.asarray(prep.smoother @ inten)
                    dsm = np.asarray(prep.smoother @ dint.reshape(n_t, -1)).reshape(dint.shape)
                tsim = refined_t_max(t_out, sm)
                dt = tsim - prep.tmax_exp
                use = (prep.tmax_w > 0) & np.isfinite(tsim)
                dt = np.where(prep.tmax_w > 0, np.nan_to_num(dt, nan=t_out[-1]), 0.0)
                sw = np.sqrt(prep.tmax_w)
                rt = sw * dt
                jt = (sw * use)[:, None] * _tmax_jacobian(t_out, sm, dsm).T
                eq1 += float(rt @ rt)
                # intensity residuals
                ri = self._intensity_residuals(prep, d, inten)
                sim = inten[prep.data_rows]
                sigma = spec.sigma_rel * sim + spec.sigma_abs
                dr = prep.int_w * (spec.sigma_abs + spec.sigma_rel * d.intensity) / sigma**2
                ji = dr[:, None, :] * dint[prep.data_rows]  # (n_t, n_p, n_obs)
                ji = ji.transpose(0, 2, 1).reshape(-1, n_p)  # rows as ri.ravel()
                ri = ri.ravel()
                ichi += float(ri @ ri)
                if spec.uses_tmax:
                    parts.append(rt * spec.tmax_scale())
                    jparts.append(jt * spec.tmax_scale())
                if spec.uses_intensity:
                    parts.append(ri * spec.intensity_scale())
                    jparts.append(ji * spec.intensity_scale())
        except SolverError as exc:
            return self._failed(exc, start, residuals=True), None
        ev = self._evaluation(eq1, ichi, np.concatenate(parts), start)
        return ev, np.concatenate(jparts, axis=0)

    def n_residuals(self) -> int:
        """Length of the residual vector."""
        spec = self.objective
        n = 0
        for d in self.datasets:
            if spec.uses_tmax:
                n += len(d.labels)
            if spec.uses_intensity:
                n += d.intensity.size
        return n

    def residual_clusters(self) -> np.ndarray:
        """Cluster id of every residual, shape (n_residuals,): all intensities of one
        spectrum (dataset, time) share an id, since normalising a spectrum to its
        total ion signal correlates their errors; each t_max residual is its own."""
        spec = self.objective
        ids = []
        next_id = 0
        for d in self.datasets:
            n_t, n_o = d.intensity.shape
            if spec.uses_tmax:
                ids.append(next_id + np.arange(n_o))
                next_id += n_o
            if spec.uses_intensity:
                ids.append(next_id + np.repeat(np.arange(n_t), n_o))
                next_id += n_t
        return np.concatenate(ids)

    def n_effective(self) -> int:
        """Residuals with non-zero weight (degrees of freedom + free parameters)."""
        spec = self.objective
        n = 0
        for prep in self.prepared():
            if spec.uses_tmax:
                n += int(np.count_nonzero(prep.tmax_w))
            if spec.uses_intensity:
                n += int(np.count_nonzero(prep.int_w))
        return n

    # --------------------------------------------------------------- reports
    def tmax_table(self, theta=None) -> list[dict]:
        """One row per dataset and observable: t_max of the data (and of the
        simulation at ``theta``), flags, weight and contribution to eq 1 [s^2]."""
        rows = []
        values = None if theta is None else self.values(theta)
        for i, d in enumerate(self.datasets):
            prep = self.prepared()[i]
            f = prep.features
            tsim = None
            if values is not None:
                t_out, inten = self.simulate_dataset(i, values)
                tsim = self._sim_tmax(prep, t_out, inten)
            for j, label in enumerate(d.labels):
                row = {
                    "dataset": d.name,
                    "observable": label,
                    "t_max_data_s": _num(f.t_max_s[j]),
                    "weight": float(prep.tmax_w[j]),
                    "flag": f.reason(j),
                    "plateau_halfwidth_s": float(f.plateau_halfwidth_s[j]),
                }
                if tsim is not None:
                    row["t_max_fit_s"] = _num(tsim[j])
                    diff = tsim[j] - f.t_max_s[j]
                    row["eq1_contribution_s2"] = (
                        float(prep.tmax_w[j] * diff**2) if prep.tmax_w[j] > 0 else 0.0
                    )
                rows.append(row)
        return rows

    def intensity_contributions(self, theta) -> list[dict]:
        """chi2 of the intensities per dataset and observable at ``theta``."""
        values = self.values(theta)
        rows = []
        for i, d in enumerate(self.datasets):
            prep = self.prepared()[i]
            _, inten = self.simulate_dataset(i, values)
            r = self._intensity_residuals(prep, d, inten)
            chi = (r**2).sum(axis=0)
            for j, label in enumerate(d.labels):
                rows.append({"dataset": d.name, "observable": label, "chi2": float(chi[j])})
        return rows


def _tmax_jacobian(time: np.ndarray, values: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """Derivative of :func:`intercluster.kinetics.observables.t_max` [s per unit of the
    parameter], shape (n_params, n_columns), for ``values`` (n_time, n_columns) and their
    derivatives ``dvalues`` (n_time, n_params, n_columns).

    The estimator is the vertex of the parabola through the grid maximum y1 (at t1) and
    its neighbours, t1 - num / (2 den) with num = a^2 (y1 - y2) - b^2 (y1 - y0), den =
    a (y1 - y2) - b (y1 - y0), a = t1 - t0, b = t1 - t2; its derivative with the grid
    maximum held is exact wherever the maximum does not move to another grid point. A
    maximum on the first or last point, a clipped vertex or a zero column: 0.
    """
    n = len(time)
    i = np.argmax(values, axis=0)
    cols = np.arange(values.shape[1])
    out = np.zeros((dvalues.shape[1], values.shape[1]))
    inner = (i > 0) & (i < n - 1) & np.any(values > 0, axis=0)
    if not np.any(inner):
        return out
    ii, cc = i[inner], cols[inner]
    t0, t1, t2 = time[ii - 1], time[ii], time[ii + 1]
    y0, y1, y2 = values[ii - 1, cc], values[ii, cc], values[ii + 1, cc]
    d0, d1, d2 = (dvalues[ii + k, :, cc] for k in (-1, 0, 1))  # (n_inner, n_params)
    a, b = (t1 - t0)[:, None], (t1 - t2)[:, None]
    num = (a**2 * (y1 - y2)[:, None] - b**2 * (y1 - y0)[:, None])[:, 0]
    den = (a * (y1 - y2)[:, None] - b * (y1 - y0)[:, None])[:, 0]
    dnum = b**2 * d0 + (a**2 - b**2) * d1 - a**2 * d2
    dden = b * d0 + (a - b) * d1 - a * d2
    ok = den != 0
    safe = np.where(ok, den, 1.0)
    vertex = t1 - 0.5 * num / safe
    ok &= (vertex > t0) & (vertex < t2)
    dshift = 0.5 * (dnum * safe[:, None] - num[:, None] * dden) / safe[:, None] ** 2
    out[:, cc] = np.where(ok[:, None], -dshift, 0.0).T
    return out


def _num(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None
