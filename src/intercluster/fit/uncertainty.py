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


def profile_task(problem, payload: dict) -> list[dict]:
    """Task ``profile``: one side of one profile, stepping away from the optimum.

    Payload: ``spec`` (("param", i) or ("ratio", i, j)), ``direction`` (+1/-1),
    ``theta`` (optimum), ``chi2`` (its objective), ``s2``, ``sigma`` (step unit in
    theta), ``max_evaluations``, ``diff_step``. Returns the points
    [{coordinate, chi2, delta, theta, evaluations}] in stepping order.
    """
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
            )
            z = res.x
            theta = transform(z)
            value, n_ev = 2 * float(res.cost), len(hist)
        delta = (value - chi2_min) / s2 if math.isfinite(value) else math.inf
        out.append(
            {
                "coordinate": float(c),
                "chi2": float(value),
                "delta": float(delta),
                "theta": theta.tolist(),
                "evaluations": n_ev,
            }
        )
        if at_bound or delta > payload.get("stop", 1.5 * DELTA_CHI2_95):
            break
    return out


def _crossing(points, c0, limit, threshold):
    """Where Delta chi2 first reaches ``threshold`` along one side (sqrt-linear
    interpolation); the limit if it never does. Returns (value, open)."""
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
    return limit, True


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
) -> dict:
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
        Residual Jacobian at the optimum (step sizes, correlation).
    ratio : (str, str) or None
        Profile also log10(a / b) when both are free (default k_dim/k_diss).
    max_evaluations : int
        Per profile point (least squares over the other parameters).
    threshold : float
        Delta chi2 / s^2 of the interval (3.84: 95 %).
    robust : bool
        Cluster-robust covariance and adjusted thresholds (module docstring).

    Returns
    -------
    ProfileResult
        Noise scale ``s2``, ``n_effective``, ``covariance`` and ``correlation``
        (theta units, free-parameter order), ``adjustment`` {name: c}, profile
        ``intervals`` and ``wald`` intervals {name: Interval}, ``profiles``
        {name: [ProfilePoint]}, ``n_evaluations``, ``better_point`` (a theta with a
        lower objective met while profiling, or None).
    """
    t0 = _time.perf_counter()
    n_eff = problem.n_effective()
    s2 = chi2_min / max(n_eff - problem.n_free, 1)
    if not s2 > 0:
        s2 = 1e-300
    naive = covariance(jacobian, s2)
    if robust:
        ev = problem.evaluate(theta_opt, residuals=True)
        cov = covariance(jacobian, s2, ev.residuals, problem.residual_clusters())
    else:
        cov = naive
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    names = problem.free_names
    specs = {n: ("param", i) for i, n in enumerate(names)}
    if ratio is not None and ratio[0] in names and ratio[1] in names:
        i, j = names.index(ratio[0]), names.index(ratio[1])
        if problem.free[i].log and problem.free[j].log:
            specs[f"{ratio[0]}/{ratio[1]}"] = ("ratio", i, j)
    payloads = []
    sigmas, adjust, wald = {}, {}, {}
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
        sigmas[name] = sigma
        if ok:
            log = spec[0] == "ratio" or problem.free[spec[1]].log
            conv = (lambda c: 10.0**c) if log else (lambda c: c)
            c0 = _coordinate(spec, np.asarray(theta_opt, float))
            wald[name] = Interval(
                name=name,
                best=conv(c0),
                lower=conv(c0 - Z_95 * sigma),
                upper=conv(c0 + Z_95 * sigma),
                method="wald",
                sigma_theta=sigma,
                log=log,
            )
        sigma = min(max(sigma, 1e-4), 0.5)
        for direction in (-1, 1):
            payloads.append(
                {
                    "name": name,
                    "spec": spec,
                    "direction": direction,
                    "theta": np.asarray(theta_opt, float),
                    "chi2": chi2_min,
                    "s2": s2,
                    "sigma": sigma,
                    "max_evaluations": max_evaluations,
                    "diff_step": diff_step,
                    "stop": 1.5 * threshold * adjust[name],
                }
            )
    sides = executor.map("profile", payloads)
    intervals, profiles = {}, {}
    n_ev = 0
    better = None
    best_chi2 = chi2_min
    for name, spec in specs.items():
        c0 = _coordinate(spec, np.asarray(theta_opt, float))
        cmin, cmax = _limits(problem, spec)
        lower_pts = next(
            s for p, s in zip(payloads, sides) if p["name"] == name and p["direction"] < 0
        )
        upper_pts = next(
            s for p, s in zip(payloads, sides) if p["name"] == name and p["direction"] > 0
        )
        lo, lo_open = _crossing(lower_pts, c0, cmin, threshold * adjust[name])
        hi, hi_open = _crossing(upper_pts, c0, cmax, threshold * adjust[name])
        log = spec[0] == "ratio" or problem.free[spec[1]].log
        conv = (lambda c: 10.0**c) if log else (lambda c: c)
        intervals[name] = Interval(
            name=name,
            best=conv(c0),
            lower=conv(lo),
            upper=conv(hi),
            lower_open=lo_open,
            upper_open=hi_open,
            method="profile",
            sigma_theta=sigmas[name],
            log=log,
            threshold=threshold * adjust[name],
        )
        pts = [
            *reversed(lower_pts),
            {"coordinate": c0, "delta": 0.0, "chi2": chi2_min, "evaluations": 0},
            *upper_pts,
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
        for p in [*lower_pts, *upper_pts]:
            n_ev += p["evaluations"]
            if p["chi2"] < best_chi2 - 1e-9 * abs(best_chi2):
                best_chi2, better = p["chi2"], np.asarray(p["theta"])
    return ProfileResult(
        s2=s2,
        n_effective=n_eff,
        threshold=threshold,
        robust=robust,
        adjustment=adjust,
        covariance=cov,
        correlation=np.nan_to_num(corr),
        intervals=intervals,
        wald=wald,
        profiles=profiles,
        n_evaluations=n_ev + (1 if robust else 0),
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
