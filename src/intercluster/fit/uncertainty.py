"""Uncertainty: profile likelihood (95 % intervals), covariance, MCMC (emcee).

Noise scale. Every objective is a sum of squared residuals chi2 (see
:mod:`intercluster.fit.objectives`). Its absolute scale depends on sigma_t,
sigma_rel and sigma_abs, which are guesses, so the scale is estimated from the
residuals at the optimum, as in ordinary least squares:

    s^2 = chi2_min / (n - p),

n the residuals with non-zero weight, p the free parameters. Profiles and the
posterior use chi2 / s^2 (so that chi2_min / s^2 = n - p). A 95 % profile
interval is where Delta chi2 / s^2 = (chi2_profile - chi2_min) / s^2 <= 3.84
(chi-square, 1 degree of freedom); it is conditional on the model being right
and the residuals independent.

Profiles are computed for each free parameter and for the ratio
k_dim/k_diss (when both are free): the log ratio is fixed and k_diss (and the
rest) re-optimised, i.e. the reparametrisation (log10 k_dim - log10 k_diss,
log10 k_diss, ...). Intervals that reach a bound before Delta chi2 reaches
3.84 are reported as open at that bound.

Correlated errors. Normalising each spectrum to its total ion signal makes
the errors of all intensities of one spectrum share a random factor, which
independent-residual statistics ignore (with 3 % noise the naive intervals of
synthetic data covered the truth only ~70 % of the time instead of 95 %).
With ``robust = True`` (default) the covariance is the cluster-robust sandwich
B M B, B = (J^T J)^-1, M = sum over spectra g of (J_g^T r_g)(J_g^T r_g)^T
(each t_max residual its own cluster), and each profile's threshold is scaled
by c = var_sandwich / var_naive of its coordinate (an adjusted profile
likelihood): the interval is where Delta chi2 / s^2 <= 3.84 c. The naive
Gauss-Newton covariance s^2 B is used with ``robust = False``. The covariance
gives the correlation matrix and the step sizes of the profiles.

MCMC (:func:`run_mcmc`): emcee's affine-invariant ensemble sampler on
log p(theta) = -chi2(theta) / (2 s^2) with uniform priors on theta (log10 of
the rate constants) within the bounds; seeded.
"""

from __future__ import annotations

import math
import time as _time

import numpy as np

from intercluster.fit.refine import least_squares_from
from intercluster.fit.result import Interval, McmcResult, ProfilePoint, ProfileResult

__all__ = [
    "DELTA_CHI2_95",
    "covariance",
    "profile_intervals",
    "profile_task",
    "run_mcmc",
    "wald_intervals",
]

#: Delta chi2 of a 95 % interval for one parameter (chi-square, 1 dof).
DELTA_CHI2_95 = 3.841458820694124

#: Standard normal quantile of a two-sided 95 % Wald interval.
Z_95 = 1.959963984540054

#: Profile offsets in units of the Gauss-Newton standard deviation (clipped).
_STEPS = np.array([0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 9, 13, 20, 30, 45, 70])


def covariance(
    jacobian: np.ndarray,
    s2: float,
    residuals: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
) -> np.ndarray:
    """Covariance of theta at the optimum, shape (n_free, n_free), theta units.

    Naive: s^2 (J^T J)^+. With ``residuals`` and ``clusters`` (ids aligned with
    the residuals): the cluster-robust sandwich B M B (module docstring).
    """
    J = np.asarray(jacobian, float)
    B = np.linalg.pinv(J.T @ J)
    if residuals is None or clusters is None:
        return s2 * B
    clusters = np.asarray(clusters)
    score = np.zeros((int(clusters.max()) + 1, J.shape[1]))
    np.add.at(score, clusters, J * np.asarray(residuals, float)[:, None])
    return B @ (score.T @ score) @ B


def _profile_setup(problem, spec, value):
    """Bounds and transform for fixing coordinate ``spec`` at ``value``."""
    lo, hi = problem.theta_lower, problem.theta_upper
    n = problem.n_free
    if spec[0] == "param":
        i = spec[1]
        keep = [k for k in range(n) if k != i]

        def transform(z):
            theta = np.empty(n)
            theta[keep] = z
            theta[i] = value
            return theta

        return keep, lo[keep], hi[keep], transform
    i, j = spec[1], spec[2]  # theta_i - theta_j = value
    keep = [k for k in range(n) if k != i]
    zlo, zhi = lo[keep].copy(), hi[keep].copy()
    jj = keep.index(j)
    zlo[jj] = max(zlo[jj], lo[i] - value)
    zhi[jj] = min(zhi[jj], hi[i] - value)

    def transform(z):
        theta = np.empty(n)
        theta[keep] = z
        theta[i] = value + z[jj]
        return theta

    return keep, zlo, zhi, transform


def _coordinate(spec, theta):
    return theta[spec[1]] if spec[0] == "param" else theta[spec[1]] - theta[spec[2]]


def _limits(problem, spec):
    lo, hi = problem.theta_lower, problem.theta_upper
    if spec[0] == "param":
        return lo[spec[1]], hi[spec[1]]
    i, j = spec[1], spec[2]
    return lo[i] - hi[j], hi[i] - lo[j]


def profile_task(problem, payload: dict) -> dict:
    """Task ``profile``: one side of one profile, away from the optimum.

    Payload: ``spec`` (("param", i) or ("ratio", i, j)), ``direction`` (+1/-1),
    ``theta`` (optimum), ``chi2`` (its objective), ``s2``, ``threshold`` (Delta
    chi2 / s^2 of the interval, robust adjustment included), ``sigma`` (standard
    deviation of the coordinate in theta), ``slope`` (d theta / d coordinate of the
    quadratic model), ``method`` ("secant" or "scan"), ``max_evaluations``,
    ``diff_step``, ``jac``.

    Returns
    -------
    dict
        ``points`` [{coordinate, chi2, delta, theta, evaluations, integrations}]
        ordered away from the optimum; ``crossing`` (the coordinate where Delta
        chi2 / s^2 reaches the threshold, or the search limit) and ``open`` (the
        limit was reached first).
    """
    from intercluster.fit.problem import integrations_done

    before = integrations_done()
    if payload.get("method", "secant") == "scan":
        points = _scan_side(problem, payload)
    else:
        points = _secant_side(problem, payload)
    spec = payload["spec"]
    c0 = _coordinate(spec, np.asarray(payload["theta"], float))
    points.sort(key=lambda p: abs(p["coordinate"] - c0))
    cmin, cmax = _limits(problem, spec)
    limit = cmax if payload["direction"] > 0 else cmin
    crossing, is_open = _crossing(points, c0, limit, payload["threshold"])
    return {
        "points": points,
        "crossing": crossing,
        "open": is_open,
        "integrations": integrations_done() - before,
    }


def _scan_side(problem, payload: dict) -> list[dict]:
    """Fixed steps of 0.5, 1, 1.5, ... standard deviations, each re-optimised by
    least squares from the previous point's solution, until Delta chi2 / s^2
    exceeds 1.5 x the threshold or a bound is reached."""
    spec = payload["spec"]
    theta_opt = np.asarray(payload["theta"], float)
    c0 = _coordinate(spec, theta_opt)
    cmin, cmax = _limits(problem, spec)
    bound = cmax if payload["direction"] > 0 else cmin
    sigma = payload["sigma"]
    s2, chi2_min = payload["s2"], payload["chi2"]
    z = None
    out = []
    for step in _STEPS:
        c = c0 + payload["direction"] * step * sigma
        at_bound = (c >= cmax) if payload["direction"] > 0 else (c <= cmin)
        if at_bound:
            c = bound
        keep, zlo, zhi, transform = _profile_setup(problem, spec, c)
        if z is None:
            z = theta_opt[keep]
        z = np.clip(z, zlo, zhi)
        if len(keep) == 0 or np.any(zlo > zhi):
            theta = transform(z)
            value, n_ev = problem.evaluate(theta).value, 1
        else:
            res, hist = least_squares_from(
                problem,
                z,
                lower=zlo,
                upper=zhi,
                transform=transform,
                max_evaluations=payload["max_evaluations"],
                diff_step=payload["diff_step"],
                tol=1e-8,
                jac=payload.get("jac", "auto"),
            )
            z = res.x
            theta = transform(z)
            value, n_ev = 2 * float(res.cost), len(hist)
        out.append(_point(c, value, theta, n_ev, chi2_min, s2))
        if at_bound or out[-1]["delta"] > 1.5 * payload["threshold"]:
            break
    return out


def _point(c, value, theta, n_ev, chi2_min, s2) -> dict:
    delta = (value - chi2_min) / s2 if math.isfinite(value) else math.inf
    return {
        "coordinate": float(c),
        "chi2": float(value),
        "delta": float(delta),
        "theta": np.asarray(theta, float).tolist(),
        "evaluations": int(n_ev),
    }


def _secant_side(problem, payload: dict) -> list[dict]:
    """Predictor-corrector search for the threshold crossing along one side.

    Under the quadratic (Gauss-Newton) model at the optimum, sqrt(Delta chi2 / s^2)
    grows linearly with the distance from the optimum and crosses sqrt(threshold) at
    the Wald end point; the other parameters follow the conditional optimum
    theta(c) = theta_opt + slope (c - c_opt). The first point is placed at 0.8 of the
    predicted crossing, each next one where the line through the two nearest known
    points (the optimum counts, at 0) reaches 1.03 sqrt(threshold). At each point the
    other parameters start from the previous point's solution moved along the slope
    (a warm start) and are corrected by Gauss-Newton steps whose Jacobian comes from
    the forward sensitivities (one integration per step); the correction stops when
    the Gauss-Newton model predicts less than 0.002 s^2 of further decrease. The
    search ends when a point lands within 3 % of sqrt(threshold) on the far side,
    or the crossing is bracketed by points within 25 %; at most 6 points.
    """
    spec = payload["spec"]
    direction = payload["direction"]
    theta_opt = np.asarray(payload["theta"], float)
    slope = np.asarray(payload["slope"], float)
    c0 = _coordinate(spec, theta_opt)
    cmin, cmax = _limits(problem, spec)
    s2, chi2_min = payload["s2"], payload["chi2"]
    root_t = math.sqrt(payload["threshold"])
    # the quadratic model's crossing: Delta chi2 / s^2 = d^2 / var_naive reaches the
    # threshold (which carries the robust adjustment) at d = sqrt(threshold) sd_naive
    dist = 0.8 * root_t * payload["sigma_naive"]
    known = [(0.0, 0.0)]  # (distance, sqrt(delta)), the optimum first
    prev_c, prev_theta = c0, theta_opt
    out: list[dict] = []
    for _ in range(6):
        c = c0 + direction * dist
        at_bound = c >= cmax if direction > 0 else c <= cmin
        if at_bound:
            c = cmax if direction > 0 else cmin
        keep, zlo, zhi, transform = _profile_setup(problem, spec, c)
        guess = prev_theta + slope * (c - prev_c)
        z0 = np.clip(guess[keep], zlo, np.maximum(zlo, zhi))
        value, theta, n_ev = _correct(problem, transform, z0, zlo, zhi, s2, payload)
        out.append(_point(c, value, theta, n_ev, chi2_min, s2))
        delta = out[-1]["delta"]
        if at_bound or not math.isfinite(delta):
            break
        root = math.sqrt(max(delta, 0.0))
        d_here = abs(c - c0)
        known.append((d_here, root))
        prev_c, prev_theta = c, np.asarray(theta, float)
        below = [k for k in known if k[1] < root_t]
        above = [k for k in known if k[1] >= root_t]
        if above and root_t <= min(a[1] for a in above) <= 1.03 * root_t:
            break
        if above and below:
            lo_k, hi_k = max(below), min(above)
            if lo_k[1] >= 0.75 * root_t and hi_k[1] <= 1.25 * root_t:
                break
            pair = (lo_k, hi_k)
        else:
            pair = tuple(sorted(known, key=lambda k: abs(k[1] - root_t))[:2])
        (d1, r1), (d2, r2) = sorted(pair)
        target = 1.03 * root_t
        if r2 > r1 and d2 > d1:
            new = d1 + (target - r1) * (d2 - d1) / (r2 - r1)
        else:  # flat or non-monotone: step out
            new = 2.0 * d_here
        dist = float(min(max(new, 0.25 * d_here), 3.0 * d_here))
    return out


def _correct(problem, transform, z0, zlo, zhi, s2, payload) -> tuple[float, np.ndarray, int]:
    """Minimise the objective over the free coordinates z of a profile point by
    damped Gauss-Newton steps (bounds by clipping). Returns (objective, theta,
    evaluations)."""
    from intercluster.fit.refine import _affine_matrix

    z = np.asarray(z0, float)
    if len(z) == 0:
        return problem.evaluate(transform(z)).value, transform(z), 1
    A = _affine_matrix(transform, z)
    budget = int(payload["max_evaluations"])
    use_sens = (
        payload.get("jac", "auto") != "2-point"
        and A is not None
        and problem.sensitivity_parameters() is not None
    )

    def residuals_and_jacobian(zz):
        theta = transform(zz)
        if use_sens:
            ev, J = problem.evaluate_jacobian(theta, directions=A)
            return ev, J, 1
        ev = problem.evaluate(theta, residuals=True)
        if not ev.ok:
            return ev, None, 1
        J = np.empty((len(ev.residuals), len(zz)))
        for k in range(len(zz)):
            h = payload["diff_step"] * max(1.0, abs(zz[k]))
            if zz[k] + h > zhi[k]:
                h = -h
            step = zz.copy()
            step[k] += h
            shifted = problem.evaluate(transform(step), residuals=True).residuals
            J[:, k] = (shifted - ev.residuals) / h
        return ev, J, 1 + len(zz)

    ev, J, n = residuals_and_jacobian(z)
    if J is None:
        return ev.value, transform(z), n
    r, value, mu = ev.residuals, float(ev.value), 0.0
    while n < budget:
        g = J.T @ r
        H = J.T @ J
        try:
            step = np.linalg.solve(H + mu * np.diag(np.diag(H)), -g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(J, r, rcond=None)[0]
        z_new = np.clip(z + step, zlo, zhi)
        s = z_new - z
        predicted = float(r @ r - (r + J @ s) @ (r + J @ s))
        if not predicted > 2e-3 * s2:
            break
        ev_new, J_new, k = residuals_and_jacobian(z_new)
        n += k
        if J_new is not None and ev_new.ok and ev_new.value < value:
            z, r, J, value = z_new, ev_new.residuals, J_new, float(ev_new.value)
            mu = 0.0 if mu <= 1e-3 else mu / 10
        else:
            mu = max(1e-3, 10 * mu)
    return value, transform(z), n


def _crossing(points, c0, limit, threshold):
    """Where Delta chi2 first reaches ``threshold`` along one side (sqrt-linear
    interpolation between the bracketing points; a short sqrt-linear extrapolation
    when the farthest point lies within 3 % below it); the limit if it never does.
    Returns (value, open)."""
    prev_c, prev_d = c0, 0.0
    for p in points:
        d = max(p["delta"], 0.0)
        if d >= threshold:
            a, b = math.sqrt(prev_d), math.sqrt(d) if math.isfinite(d) else math.inf
            if not math.isfinite(b):
                return p["coordinate"], False
            f = (math.sqrt(threshold) - a) / (b - a) if b > a else 1.0
            return prev_c + f * (p["coordinate"] - prev_c), False
        prev_c, prev_d = p["coordinate"], d
    if points and math.isfinite(prev_d) and math.sqrt(prev_d) >= 0.97 * math.sqrt(threshold):
        if len(points) > 1:
            c1, d1 = points[-2]["coordinate"], max(points[-2]["delta"], 0.0)
        else:
            c1, d1 = c0, 0.0
        a, b = math.sqrt(d1), math.sqrt(prev_d)
        if b > a and (prev_c - c1) * (limit - prev_c) > 0:
            c = prev_c + (math.sqrt(threshold) - b) / (b - a) * (prev_c - c1)
            if (limit - c) * (limit - prev_c) > 0:  # still inside the search range
                return c, False
    return limit, True


def _summary(problem, theta_opt, chi2_min, jacobian, residuals, ratio, threshold, robust):
    """Noise scale, covariances, Wald intervals and profile set-up at the optimum."""
    n_eff = problem.n_effective()
    s2 = chi2_min / max(n_eff - problem.n_free, 1)
    if not s2 > 0:
        s2 = 1e-300
    naive = covariance(jacobian, s2)
    cov = covariance(jacobian, s2, residuals, problem.residual_clusters()) if robust else naive
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    names = problem.free_names
    specs = {n: ("param", i) for i, n in enumerate(names)}
    if ratio is not None and ratio[0] in names and ratio[1] in names:
        i, j = names.index(ratio[0]), names.index(ratio[1])
        if problem.free[i].log and problem.free[j].log:
            specs[f"{ratio[0]}/{ratio[1]}"] = ("ratio", i, j)
    theta_opt = np.asarray(theta_opt, float)
    setup = {}
    adjust, wald = {}, {}
    for name, spec in specs.items():
        a = np.zeros(problem.n_free)
        if spec[0] == "param":
            a[spec[1]] = 1.0
        else:
            a[spec[1]], a[spec[2]] = 1.0, -1.0
        var, var_naive = float(a @ cov @ a), float(a @ naive @ a)
        ok = math.isfinite(var) and var > 0 and math.isfinite(var_naive) and var_naive > 0
        adjust[name] = var / var_naive if ok else 1.0
        sigma = math.sqrt(var) if ok else 0.05
        # conditional optimum of the quadratic model with a . theta fixed
        slope = naive @ a / var_naive if ok else a / max(float(a @ a), 1.0)
        log = spec[0] == "ratio" or problem.free[spec[1]].log
        if ok:
            conv = (lambda c: 10.0**c) if log else (lambda c: c)
            c0 = _coordinate(spec, theta_opt)
            wald[name] = Interval(
                name=name,
                best=conv(c0),
                lower=conv(c0 - Z_95 * sigma),
                upper=conv(c0 + Z_95 * sigma),
                method="wald",
                sigma_theta=sigma,
                log=log,
            )
        setup[name] = {
            "spec": spec,
            "sigma": sigma,
            "sigma_naive": math.sqrt(var_naive) if ok else 0.05,
            "slope": slope,
            "log": log,
        }
    return {
        "s2": s2,
        "n_effective": n_eff,
        "naive": naive,
        "covariance": cov,
        "correlation": np.nan_to_num(corr),
        "adjustment": adjust,
        "wald": wald,
        "setup": setup,
    }


def wald_intervals(
    problem,
    theta_opt: np.ndarray,
    chi2_min: float,
    jacobian: np.ndarray,
    residuals: np.ndarray | None = None,
    *,
    ratio: tuple[str, str] | None = ("k_dim", "k_diss"),
    threshold: float = DELTA_CHI2_95,
    robust: bool = True,
) -> ProfileResult:
    """Covariance and Wald intervals at the optimum, without profiles.

    The same noise scale, (robust) covariance and Wald intervals as
    :func:`profile_intervals`, from the Gauss-Newton Hessian J^T J of the residuals
    at the optimum; no simulation unless ``robust`` and ``residuals`` is None.

    Parameters
    ----------
    problem : FitProblem
    theta_opt : array, shape (n_free,)
    chi2_min : float
    jacobian : array, shape (n_residuals, n_free)
    residuals : array, shape (n_residuals,), optional
        The residuals at the optimum (else evaluated once).
    ratio, threshold, robust
        As :func:`profile_intervals`.

    Returns
    -------
    ProfileResult
        With ``wald`` intervals, empty ``intervals`` and ``profiles``.
    """
    from intercluster.fit.problem import integrations_done

    t0 = _time.perf_counter()
    before = integrations_done()
    evaluated = robust and residuals is None
    if evaluated:
        residuals = problem.evaluate(theta_opt, residuals=True).residuals
    info = _summary(problem, theta_opt, chi2_min, jacobian, residuals, ratio, threshold, robust)
    return ProfileResult(
        s2=info["s2"],
        n_effective=info["n_effective"],
        threshold=threshold,
        robust=robust,
        adjustment=info["adjustment"],
        covariance=info["covariance"],
        correlation=info["correlation"],
        intervals={},
        wald=info["wald"],
        profiles={},
        n_evaluations=int(evaluated),
        n_integrations=integrations_done() - before,
        better_point=None,
        wall_time_s=_time.perf_counter() - t0,
    )


def profile_intervals(
    problem,
    executor,
    theta_opt: np.ndarray,
    chi2_min: float,
    jacobian: np.ndarray,
    *,
    ratio: tuple[str, str] | None = ("k_dim", "k_diss"),
    max_evaluations: int = 60,
    diff_step: float = 1e-3,
    threshold: float = DELTA_CHI2_95,
    robust: bool = True,
    residuals: np.ndarray | None = None,
    method: str = "secant",
    jac: str = "auto",
) -> ProfileResult:
    """Profile likelihood of every free parameter (and of a ratio), 95 % intervals.

    Parameters
    ----------
    problem : FitProblem
    executor : executor (both sides of every profile run as separate tasks)
    theta_opt : array, shape (n_free,)
        The optimum (from :func:`intercluster.fit.refine.refine`).
    chi2_min : float
        Objective at the optimum.
    jacobian : array, shape (n_residuals, n_free)
        Residual Jacobian at the optimum (covariance, warm starts, step sizes).
    ratio : (str, str) or None
        Profile also log10(a / b) when both are free (default k_dim/k_diss).
    max_evaluations : int
        Per profile point (re-optimisation of the other parameters).
    threshold : float
        Delta chi2 / s^2 of the interval (3.84: 95 %).
    robust : bool
        Cluster-robust covariance and adjusted thresholds (module docstring).
    residuals : array, shape (n_residuals,), optional
        Residuals at the optimum (robust covariance; else evaluated once).
    method : {"secant", "scan"}
        "secant" (default): predictor-corrector search for each crossing, warm
        started from the quadratic model and corrected with gradients from the
        sensitivities (:func:`_secant_side`, typically two points per side);
        "scan": fixed steps of 0.5, 1, 1.5, ... standard deviations, each
        re-optimised by least squares, until 1.5 x the threshold.
    jac : {"auto", "sensitivities", "2-point"}
        Jacobians of the re-optimisations (see
        :func:`intercluster.fit.refine.least_squares_from`).

    Returns
    -------
    ProfileResult
        Noise scale ``s2``, ``n_effective``, ``covariance`` and ``correlation``
        (theta units, free-parameter order), ``adjustment`` {name: c}, profile
        ``intervals`` and ``wald`` intervals {name: Interval}, ``profiles``
        {name: [ProfilePoint]}, ``n_evaluations``, ``n_integrations``,
        ``better_point`` (a theta with a lower objective met while profiling, or
        None).

    Raises
    ------
    ConfigError
        Unknown ``method`` or ``jac``.
    """
    from intercluster.errors import ConfigError, bad_value
    from intercluster.fit.problem import integrations_done

    if method not in ("secant", "scan"):
        raise ConfigError(bad_value("method", method, "'secant' or 'scan'"))
    if jac not in ("auto", "sensitivities", "2-point"):
        raise ConfigError(bad_value("jac", jac, "'auto', 'sensitivities' or '2-point'"))
    t0 = _time.perf_counter()
    before = integrations_done()
    if robust and residuals is None:
        residuals = problem.evaluate(theta_opt, residuals=True).residuals
    n_main = integrations_done() - before
    info = _summary(problem, theta_opt, chi2_min, jacobian, residuals, ratio, threshold, robust)
    s2, adjust = info["s2"], info["adjustment"]
    payloads = []
    for name, st in info["setup"].items():
        for direction in (-1, 1):
            payloads.append(
                {
                    "name": name,
                    "spec": st["spec"],
                    "direction": direction,
                    "theta": np.asarray(theta_opt, float),
                    "chi2": chi2_min,
                    "s2": s2,
                    "sigma": min(max(st["sigma"], 1e-4), 0.5) if method == "scan" else st["sigma"],
                    "sigma_naive": st["sigma_naive"],
                    "slope": st["slope"],
                    "threshold": threshold * adjust[name],
                    "method": method,
                    "max_evaluations": max_evaluations,
                    "diff_step": diff_step,
                    "jac": jac,
                }
            )
    sides = executor.map("profile", payloads)
    intervals, profiles = {}, {}
    n_ev = 0
    n_int = n_main + sum(side["integrations"] for side in sides)
    better = None
    best_chi2 = chi2_min
    for name, st in info["setup"].items():
        spec = st["spec"]
        c0 = _coordinate(spec, np.asarray(theta_opt, float))
        lower = next(s for p, s in zip(payloads, sides) if p["name"] == name and p["direction"] < 0)
        upper = next(s for p, s in zip(payloads, sides) if p["name"] == name and p["direction"] > 0)
        conv = (lambda c: 10.0**c) if st["log"] else (lambda c: c)
        intervals[name] = Interval(
            name=name,
            best=conv(c0),
            lower=conv(lower["crossing"]),
            upper=conv(upper["crossing"]),
            lower_open=lower["open"],
            upper_open=upper["open"],
            method="profile",
            sigma_theta=st["sigma"],
            log=st["log"],
            threshold=threshold * adjust[name],
        )
        pts = [
            *reversed(lower["points"]),
            {"coordinate": c0, "delta": 0.0, "chi2": chi2_min, "evaluations": 0},
            *upper["points"],
        ]
        profiles[name] = [
            ProfilePoint(
                value=conv(p["coordinate"]),
                delta_chi2=p["delta"],
                delta_chi2_adjusted=p["delta"] / adjust[name],
                chi2=p["chi2"],
            )
            for p in pts
        ]
        for p in [*lower["points"], *upper["points"]]:
            n_ev += p["evaluations"]
            if p["chi2"] < best_chi2 - 1e-9 * abs(best_chi2):
                best_chi2, better = p["chi2"], np.asarray(p["theta"])
    return ProfileResult(
        s2=s2,
        n_effective=info["n_effective"],
        threshold=threshold,
        robust=robust,
        adjustment=adjust,
        covariance=info["covariance"],
        correlation=info["correlation"],
        intervals=intervals,
        wald=info["wald"],
        profiles=profiles,
        n_evaluations=n_ev + (1 if n_main else 0),
        n_integrations=n_int,
        better_point=better,
        wall_time_s=_time.perf_counter() - t0,
    )


def run_mcmc(
    problem,
    executor,
    theta_opt: np.ndarray,
    s2: float,
    *,
    walkers: int = 16,
    steps: int = 300,
    burn: int = 100,
    seed: int = 0,
    cov: np.ndarray | None = None,
    progress: bool = False,
) -> dict:
    """Posterior samples with emcee (uniform priors on theta within the bounds).

    Parameters
    ----------
    problem : FitProblem
    executor : executor; each step evaluates all walkers in parallel
    theta_opt : array, shape (n_free,)
        Optimum: the walkers start in a small ball around it.
    s2 : float
        Noise scale (see the module docstring).
    walkers, steps, burn : int
        Walkers (>= 2 n_free), steps, steps discarded as burn-in.
    seed : int
    cov : array, optional
        Covariance in theta units for the initial ball (default 1e-3 dex).

    Returns
    -------
    McmcResult
        ``samples`` (array (n_samples, n_free), theta units), ``log_prob``
        (n_samples,), ``acceptance`` (mean), ``n_evaluations``, ``wall_time_s``.

    Raises
    ------
    ConfigError
        For too few walkers or steps <= burn.
    """
    import emcee

    from intercluster.errors import ConfigError

    ndim = problem.n_free
    if walkers < 2 * ndim or walkers % 2:
        raise ConfigError(f"mcmc.walkers = {walkers!r}: an even number >= {2 * ndim}")
    if steps <= burn or burn < 0:
        raise ConfigError(f"mcmc.steps = {steps!r}: more than mcmc.burn = {burn!r}")
    lo, hi = problem.theta_lower, problem.theta_upper
    counter = [0]

    def log_prob(thetas):
        thetas = np.atleast_2d(thetas)
        inside = np.all((thetas >= lo) & (thetas <= hi), axis=1)
        out = np.full(len(thetas), -np.inf)
        idx = np.flatnonzero(inside)
        if len(idx):
            chunks = [[(int(k), thetas[k])] for k in idx]
            for results in executor.map("points", chunks):
                for k, ev in results:
                    if ev.ok:
                        out[k] = -0.5 * ev.value / s2
            counter[0] += len(idx)
        return out

    rng = np.random.default_rng(seed)
    scale = np.sqrt(np.clip(np.diag(cov), 1e-12, 1e-2)) * 0.1 if cov is not None else 1e-3
    p0 = np.clip(theta_opt + scale * rng.standard_normal((walkers, ndim)), lo, hi)
    sampler = emcee.EnsembleSampler(walkers, ndim, log_prob, vectorize=True)
    t0 = _time.perf_counter()
    state = emcee.State(p0, random_state=np.random.RandomState(seed).get_state())
    sampler.run_mcmc(state, steps, progress=progress)
    samples = sampler.get_chain(discard=burn, flat=True)
    lp = sampler.get_log_prob(discard=burn, flat=True)
    return McmcResult(
        samples=samples,
        log_prob=lp,
        acceptance=float(np.mean(sampler.acceptance_fraction)),
        n_evaluations=counter[0],
        wall_time_s=_time.perf_counter() - t0,
    )
