"""Profiles by the predictor-corrector (secant) search, Wald-only fits, and the count
of integrations.

The secant search must give the intervals of the step-by-step scan (its reference:
least squares re-optimised at fixed steps of half a standard deviation) at a fraction
of the integrations; at the end points it reports, the profile (re-optimised here by
an independent optimiser, SciPy's trust-region least squares with finite-difference
Jacobians) must sit on the threshold. ``n_simulations`` must count every integration
of a fit, sensitivity runs and the final tables included.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from intercluster.fit.executors import TASKS, ProcessExecutor, SerialExecutor
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import FitProblem, Parameter
from intercluster.fit.refine import least_squares_from, refine
from intercluster.fit.uncertainty import (
    _coordinate,
    _limits,
    _profile_setup,
    profile_intervals,
    wald_intervals,
)
from intercluster.fit.workflow import fit

from .conftest import TABLE1, make_data


def _problem(
    noise=0.03, n_atoms=6, dt_s=60.0, ratios=((40, 40), (100, 60)), seed=5, kind="combined"
):
    true = TABLE1["sim3"]
    system, data = make_data(
        n_atoms, "sim3", true, ratios, noise=noise, dropout=0.05, seed=seed, dt_s=dt_s
    )
    params = [Parameter(n, 1e-2, 1e-4, 1.0) for n in ("k_dim", "k_diss", "k_ex")]
    return FitProblem(system, "sim3", params, data, ObjectiveSpec(kind=kind, smooth_s=120))


@pytest.fixture(scope="module")
def fitted():
    problem = _problem()
    ex = SerialExecutor(problem)
    res = refine(problem, [problem.theta(TABLE1["sim3"])], ex, max_evaluations=80)
    return problem, ex, res


def _profile(problem, res, method, ex):
    return profile_intervals(
        problem,
        ex,
        res.theta,
        res.evaluation.value,
        res.jacobian,
        residuals=res.evaluation.residuals,
        method=method,
        max_evaluations=40,
    )


def test_secant_intervals_equal_the_scan_at_a_fraction_of_the_integrations(fitted):
    problem, ex, res = fitted
    scan = _profile(problem, res, "scan", ex)
    secant = _profile(problem, res, "secant", ex)
    assert (
        set(secant.intervals)
        == set(scan.intervals)
        == {
            "k_dim",
            "k_diss",
            "k_ex",
            "k_dim/k_diss",
        }
    )
    for name, a in scan.intervals.items():
        b = secant.intervals[name]
        half = math.log10(a.upper / a.lower) / 2
        # the scan interpolates between points half a standard deviation apart; the
        # secant brackets the crossing closely: they agree to 1 % of the half-width
        assert abs(math.log10(b.lower / a.lower)) < 0.01 * half, (name, a, b)
        assert abs(math.log10(b.upper / a.upper)) < 0.01 * half, (name, a, b)
        assert not (b.lower_open or b.upper_open)
    assert secant.n_integrations * 3 <= scan.n_integrations, (
        secant.n_integrations,
        scan.n_integrations,
    )
    # the Wald intervals are the same whichever search ran
    for name, w in scan.wald.items():
        assert secant.wald[name].lower == pytest.approx(w.lower, rel=1e-12)


def test_profile_sits_on_the_threshold_at_the_reported_ends():
    """Few data and 10 % noise: a skewed profile where the quadratic model is only a
    starting guess. At each reported end, the other parameters re-optimised by an
    independent optimiser give Delta chi2 / s^2 = the threshold. (Intensities only:
    t_max on a 300 s grid makes the objective kinked, and an independent optimiser
    then finds its own local minima.)"""
    problem = _problem(noise=0.10, dt_s=300.0, ratios=((40, 40),), seed=3, kind="intensity")
    ex = SerialExecutor(problem)
    res = refine(problem, [problem.theta(TABLE1["sim3"])], ex, max_evaluations=80)
    unc = _profile(problem, res, "secant", ex)
    chi2_min = res.evaluation.value
    skew = []
    for name, iv in unc.intervals.items():
        names = problem.free_names
        spec = ("param", names.index(name)) if "/" not in name else ("ratio", 0, 1)
        c0 = _coordinate(spec, res.theta)
        skew.append(abs(math.log10(iv.upper / iv.best)) / abs(math.log10(iv.best / iv.lower)))
        for end in (iv.lower, iv.upper):
            c = math.log10(end)
            cmin, cmax = _limits(problem, spec)
            assert cmin < c < cmax
            keep, zlo, zhi, transform = _profile_setup(problem, spec, c)
            z0 = np.clip(res.theta[keep], zlo, zhi)
            out, _ = least_squares_from(
                problem, z0, lower=zlo, upper=zhi, transform=transform, jac="2-point", tol=1e-12
            )
            delta = (2 * float(out.cost) - chi2_min) / unc.s2
            assert delta == pytest.approx(iv.threshold, rel=0.02), (name, end, c0, delta)
    # the test is only worth its name if some profile is visibly asymmetric
    assert max(abs(s - 1) for s in skew) > 0.02, skew


def test_wald_only_needs_no_simulation_and_matches_the_profiled_run(fitted):
    problem, ex, res = fitted
    full = _profile(problem, res, "secant", ex)
    w = wald_intervals(
        problem, res.theta, res.evaluation.value, res.jacobian, res.evaluation.residuals
    )
    assert w.n_integrations == 0 and w.profiles == {} and w.intervals == {}
    assert set(w.wald) == set(full.wald)
    for name, iv in full.wald.items():
        assert w.wald[name].lower == pytest.approx(iv.lower, rel=1e-12)
        assert w.wald[name].upper == pytest.approx(iv.upper, rel=1e-12)
    np.testing.assert_allclose(w.covariance, full.covariance, rtol=1e-12)


@pytest.mark.parametrize("profiles", [True, False])
def test_n_simulations_counts_every_integration(monkeypatch, profiles):
    from intercluster.kinetics.solver import CompiledNetwork

    calls = {"plain": 0, "sensitivities": 0}
    original = CompiledNetwork.integrate

    def counting(self, *args, **kwargs):
        calls["sensitivities" if kwargs.get("sensitivities") is not None else "plain"] += 1
        return original(self, *args, **kwargs)

    problem = _problem()  # the synthetic data are simulated before counting starts
    monkeypatch.setattr(CompiledNetwork, "integrate", counting)
    problem.prepared()  # building the networks integrates nothing
    assert calls == {"plain": 0, "sensitivities": 0}
    result = fit(
        problem,
        method="refine",
        executor=SerialExecutor(problem),
        refine={"starts": 1, "max_evaluations": 60},
        uncertainty={"profiles": profiles},
    )
    total = calls["plain"] + calls["sensitivities"]
    assert calls["sensitivities"] > 0  # the refinement's Jacobians come from sensitivities
    assert result.n_simulations == total, (result.n_simulations, calls)
    assert bool(result.intervals) is profiles
    assert set(result.wald_intervals) == {"k_dim", "k_diss", "k_ex", "k_dim/k_diss"}


def _blas_threads(problem, payload):
    from threadpoolctl import threadpool_info

    return [d["num_threads"] for d in threadpool_info() if d.get("user_api") == "blas"]


def test_process_workers_run_blas_single_threaded(fitted, monkeypatch):
    """A BLAS pool per worker oversubscribes the cores (two workers on two cores ran
    a refinement twice as slowly): workers are limited to one BLAS thread."""
    problem = fitted[0]
    monkeypatch.setitem(TASKS, "blas_threads", f"{__name__}:_blas_threads")
    with ProcessExecutor(problem, 2) as ex:
        threads = ex.map("blas_threads", [None, None])
    assert all(t == [1] * len(t) for t in threads), threads
    assert any(threads), "no BLAS library found in the workers"


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"refine": {"jacobian": "exact"}}, "refine.jacobian = 'exact'"),
        ({"uncertainty": {"profile_method": "grid"}}, "uncertainty.profile_method = 'grid'"),
    ],
)
def test_fit_refuses_unknown_gradient_settings_before_any_work(settings, message):
    from intercluster.errors import ConfigError

    problem = _problem()
    with pytest.raises(ConfigError, match=message):
        fit(problem, method="refine", executor=SerialExecutor(problem), **settings)


def test_sensitivities_refused_for_a_model_parameter():
    """A site energy changes the model factors, which forward sensitivities of the base
    constants do not cover: jacobian = "sensitivities" is refused before any work
    (naming the free parameters); "auto" falls back to finite differences."""
    from intercluster.errors import ConfigError

    system, data = make_data(7, "site", {}, t_end_s=600)
    params = [Parameter("g_top_kJ_mol", 0.5, -5.0, 5.0, log=False)]
    problem = FitProblem(system, "site", params, data)
    assert problem.sensitivity_parameters() is None
    with pytest.raises(ConfigError, match=r"refine\.jacobian = 'sensitivities'.*g_top_kJ_mol"):
        fit(
            problem,
            method="refine",
            executor=SerialExecutor(problem),
            refine={"jacobian": "sensitivities"},
        )
    result = fit(
        problem,
        method="refine",
        executor=SerialExecutor(problem),
        refine={"starts": 1, "max_evaluations": 30},
        uncertainty={"profiles": True, "ratio": False, "max_evaluations": 10},
    )
    assert result.values["g_top_kJ_mol"] == pytest.approx(0.0, abs=0.2)
    assert "g_top_kJ_mol" in result.intervals
