"""Local refinement: bounded least squares in log-parameter space (scipy.optimize).

From the best grid points (``grid+refine``) or from Latin-hypercube points
without any grid (``refine``), :func:`scipy.optimize.least_squares` (trust
region reflective, bounds = the parameters' bounds) minimises the objective's
residual vector over theta (log10 of each log-scale parameter). The Jacobian
comes from the integrator's forward sensitivities when every free parameter is
a base rate constant (one integration per Jacobian), else from forward
differences. Starts run in parallel on the executor; every simulation is
counted, including the ones spent on Jacobians.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

from intercluster.errors import ConfigError, bad_value

__all__ = ["RefineResult", "latin_hypercube", "refine", "refine_task"]


@dataclass
class RefineResult:
    """Best of several least-squares runs.

    Attributes
    ----------
    theta : ndarray, shape (n_free,)
        Best theta (log10 values for log-scale parameters).
    values : dict
        All parameter values at the best point.
    evaluation : Evaluation
        Objective terms at the best point.
    jacobian : ndarray, shape (n_residuals, n_free)
        Finite-difference Jacobian of the residuals at the best point (theta units).
    n_evaluations : int
        Parameter vectors evaluated over all starts (each simulates every dataset).
    n_integrations : int
        Integrations over all starts and the final evaluation, those with
        sensitivities included.
    starts : list of dict
        Start, end, objective, evaluations and scipy's message of each start.
    history : list of list of float
        Objective of every evaluation of each start, in order (time-to-fit).
    wall_time_s : float
    """

    theta: np.ndarray
    values: dict
    evaluation: object
    jacobian: np.ndarray
    n_evaluations: int
    n_integrations: int = 0
    starts: list = field(default_factory=list)
    history: list = field(default_factory=list)
    wall_time_s: float = 0.0


def latin_hypercube(problem, n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` Latin-hypercube points in theta space within the bounds (seeded)."""
    from scipy.stats import qmc

    lo, hi = problem.theta_lower, problem.theta_upper
    sample = qmc.LatinHypercube(d=problem.n_free, seed=seed).random(n)
    return list(qmc.scale(sample, lo, hi))


def least_squares_from(
    problem,
    theta0,
    *,
    lower=None,
    upper=None,
    transform=None,
    max_evaluations: int = 200,
    diff_step: float = 1e-3,
    tol: float = 1e-10,
    jac: str = "auto",
):
    """Run least squares from ``theta0``; returns (result, history of objective values).

    ``transform(z) -> theta`` maps the optimised coordinates to theta (profiles
    optimise over a subset); default identity. ``max_evaluations`` bounds every
    evaluation, including those of the finite-difference Jacobian; when it is
    used up, the best point so far is returned (with its Jacobian, n_free more
    evaluations).

    ``jac``: "sensitivities" for the Jacobian of the residuals from the integrator's
    forward sensitivities (:meth:`FitProblem.evaluate_jacobian`: every evaluation is
    one integration with sensitivities that gives the residuals and their Jacobian
    together), "2-point" for forward
    differences with ``diff_step`` (n_free evaluations per Jacobian), "auto"
    (default) for "sensitivities" when every free parameter is a base rate constant
    and ``transform`` is affine (theta = A z + b, as the profiles' transforms: the
    Jacobian is then J A), else "2-point".
    """
    from types import SimpleNamespace

    from scipy.optimize import least_squares

    history: list[float] = []
    cache: dict[bytes, np.ndarray] = {}
    best = {"cost": np.inf, "x": None}

    class _Budget(Exception):
        pass

    jcache: dict[bytes, np.ndarray] = {}

    def fun(z, budget=True):
        key = np.asarray(z, float).tobytes()
        if key in cache:
            return cache[key]
        if budget and len(history) >= max_evaluations:
            raise _Budget
        theta = z if transform is None else transform(z)
        jcache.clear()
        if analytic:
            # residuals and their Jacobian from one integration with sensitivities:
            # trust-region steps are rarely rejected near a minimum, so the Jacobian
            # that scipy asks for next is almost always this one
            ev, J = problem.evaluate_jacobian(theta, directions=dtheta_dz)
            jcache[key] = J if J is not None else np.zeros((len(ev.residuals), len(z)))
        else:
            ev = problem.evaluate(theta, residuals=True)
        history.append(ev.value if ev.ok else float("nan"))
        cache.clear()
        cache[key] = ev.residuals
        cost = 0.5 * float(ev.residuals @ ev.residuals)
        if cost < best["cost"]:
            best.update(cost=cost, x=np.array(z, float))
        return ev.residuals

    if jac not in ("auto", "sensitivities", "2-point"):
        raise ConfigError(bad_value("jac", jac, "'auto', 'sensitivities' or '2-point'"))
    lo = problem.theta_lower if lower is None else lower
    hi = problem.theta_upper if upper is None else upper
    z0 = np.clip(np.asarray(theta0, float), lo, hi)
    dtheta_dz = np.eye(len(z0)) if transform is None else _affine_matrix(transform, z0)
    analytic = jac == "sensitivities" or (
        jac == "auto"
        and dtheta_dz is not None
        and getattr(problem, "sensitivity_parameters", lambda: None)() is not None
    )
    if analytic and dtheta_dz is None:
        raise ConfigError(bad_value("jac", jac, "'2-point' with a transform that is not affine"))

    def jac_fn(z, budget=True):
        z = np.asarray(z, float)
        if z.tobytes() in jcache:
            return jcache[z.tobytes()]
        if budget and len(history) >= max_evaluations:
            raise _Budget
        theta = z if transform is None else transform(z)
        # one sensitivity per optimised coordinate: d r / d z = (d r / d theta) A
        ev, J = problem.evaluate_jacobian(theta, directions=dtheta_dz)
        history.append(ev.value if ev.ok else float("nan"))
        cache.clear()
        cache[z.tobytes()] = ev.residuals
        if J is None:  # the integration failed here: no gradient information
            return np.zeros((len(ev.residuals), len(z)))
        return J

    try:
        res = least_squares(
            fun,
            z0,
            jac=jac_fn if analytic else "2-point",
            bounds=(lo, hi),
            method="trf",
            diff_step=diff_step,
            x_scale=1.0,
            max_nfev=max_evaluations,
            ftol=tol,
            xtol=tol,
            gtol=tol,
        )
    except _Budget:
        x = best["x"]
        if analytic:
            jmat = jac_fn(x, budget=False)
        else:
            f0 = fun(x, budget=False)
            jmat = np.empty((len(f0), len(x)))
            for k in range(len(x)):  # forward differences, stepping inwards at an upper bound
                h = diff_step * max(1.0, abs(x[k]))
                if x[k] + h > hi[k]:
                    h = -h
                z = x.copy()
                z[k] += h
                jmat[:, k] = (fun(z, budget=False) - f0) / h
        res = SimpleNamespace(
            x=x,
            cost=best["cost"],
            jac=jmat,
            message=f"stopped after {max_evaluations} evaluations (the budget)",
        )
    return res, history


def _affine_matrix(transform, z0: np.ndarray) -> np.ndarray | None:
    """d theta / d z of ``transform`` if it is affine (checked at a third point),
    else None. Costs no simulation."""
    t0 = np.asarray(transform(z0), float)
    eye = np.eye(len(z0))
    A = np.stack([np.asarray(transform(z0 + e), float) - t0 for e in eye], axis=1)
    probe = z0 + np.linspace(0.5, 1.5, len(z0))
    pred = t0 + A @ (probe - z0)
    if not np.allclose(np.asarray(transform(probe), float), pred, rtol=1e-12, atol=1e-12):
        return None
    return A


def refine_task(problem, payload: dict) -> dict:
    """Task ``refine``: one least-squares run (same code path on every executor)."""
    from intercluster.fit.problem import integrations_done

    before = integrations_done()
    res, history = least_squares_from(
        problem,
        payload["theta0"],
        max_evaluations=payload["max_evaluations"],
        diff_step=payload["diff_step"],
        jac=payload.get("jac", "auto"),
    )
    return {
        "integrations": integrations_done() - before,
        "theta0": np.asarray(payload["theta0"], float),
        "theta": res.x,
        "jacobian": res.jac,
        "cost": 2 * float(res.cost),
        "message": res.message,
        "history": history,
    }


def refine(
    problem,
    starts: list[np.ndarray],
    executor,
    *,
    max_evaluations: int = 200,
    diff_step: float = 1e-3,
    jac: str = "auto",
) -> RefineResult:
    """Least squares from every start; the best end point wins.

    Parameters
    ----------
    problem : FitProblem
    starts : list of theta vectors
    executor : executor from :mod:`intercluster.fit.executors`
    max_evaluations : int
        Limit per start (scipy's max_nfev).
    diff_step : float
        Relative finite-difference step (in theta units).
    jac : {"auto", "sensitivities", "2-point"}
        The residuals' Jacobian (:func:`least_squares_from`).

    Returns
    -------
    RefineResult

    Raises
    ------
    ConfigError
        For no start, max_evaluations < 1 or diff_step <= 0.
    """
    if not starts:
        raise ConfigError("refine: no start point")
    if (
        isinstance(max_evaluations, bool)
        or not isinstance(max_evaluations, int)
        or (max_evaluations < 1)
    ):
        raise ConfigError(bad_value("refine.max_evaluations", max_evaluations, "an integer >= 1"))
    if not diff_step > 0:
        raise ConfigError(bad_value("refine.diff_step", diff_step, "a step > 0"))
    t0 = _time.perf_counter()
    payloads = [
        {
            "theta0": np.asarray(s, float),
            "max_evaluations": max_evaluations,
            "diff_step": diff_step,
            "jac": jac,
        }
        for s in starts
    ]
    runs = executor.map("refine", payloads)
    best = min(
        range(len(runs)),
        key=lambda i: (np.inf if not np.isfinite(runs[i]["cost"]) else runs[i]["cost"], i),
    )
    theta = runs[best]["theta"]
    from intercluster.fit.problem import integrations_done

    before = integrations_done()
    ev = problem.evaluate(theta, residuals=True)
    n_final = integrations_done() - before
    names = problem.free_names
    starts_out = [
        {
            "start": {n: problem.values(r["theta0"])[n] for n in names},
            "end": {n: problem.values(r["theta"])[n] for n in names},
            "objective": r["cost"],
            "evaluations": len(r["history"]),
            "message": r["message"],
        }
        for r in runs
    ]
    return RefineResult(
        theta=theta,
        values=problem.values(theta),
        evaluation=ev,
        jacobian=runs[best]["jacobian"],
        n_evaluations=sum(len(r["history"]) for r in runs) + 1,
        n_integrations=sum(r.get("integrations", 0) for r in runs) + n_final,
        starts=starts_out,
        history=[r["history"] for r in runs],
        wall_time_s=_time.perf_counter() - t0,
    )
