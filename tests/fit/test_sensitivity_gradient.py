"""The least-squares Jacobian from the integrator's forward sensitivities: the gradient
of the objective (J^T r) and the Jacobian itself match central finite differences of
the residuals, for t_max (eq 1 of Neumaier et al., J. Am. Chem. Soc. 2021, 143, 6969,
with and without smoothing), intensity and combined objectives; refine uses it and
recovers the constants of noise-free data."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster.errors import ConfigError
from intercluster.fit.executors import SerialExecutor
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import FitProblem, Parameter
from intercluster.fit.refine import least_squares_from, refine

from .conftest import TABLE1, make_data


def problem(kind, smooth_s, noise=0.03, log=True):
    system, data = make_data(
        6, "sim3", TABLE1["sim3"], ratios=((40, 40), (100, 60)), noise=noise, t_end_s=1200
    )
    params = [
        Parameter("k_dim", 0.02, 1e-3, 1e-1, log=log),
        Parameter("k_diss", 0.05, 1e-2, 1.0, log=log),
        Parameter("k_ex", 0.03, 1e-2, 1e-1),
    ]
    spec = ObjectiveSpec(kind=kind, smooth_s=smooth_s)
    return FitProblem(system, "sim3", params, data, spec, rtol=1e-10, atol_nM=1e-14)


@pytest.mark.parametrize(
    "kind, smooth_s, log",
    [("combined", 60.0, True), ("eq1", 0.0, True), ("intensity", 0.0, False)],
)
def test_gradient_matches_finite_differences(kind, smooth_s, log):
    prob = problem(kind, smooth_s, log=log)
    theta = prob.theta_start
    ev, J = prob.evaluate_jacobian(theta)
    plain = prob.evaluate(theta, residuals=True)
    assert np.array_equal(ev.residuals, plain.residuals) and ev.value == plain.value
    assert J.shape == (prob.n_residuals(), 3)
    Jfd = np.empty_like(J)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h = 1e-5 * abs(theta[k])  # relative steps (theta is p itself if not log)
        up = prob.evaluate(theta + e, residuals=True).residuals
        dn = prob.evaluate(theta - e, residuals=True).residuals
        Jfd[:, k] = (up - dn) / (2 * h)
    # the gradient of the objective sum r^2 / 2
    g, gfd = J.T @ ev.residuals, Jfd.T @ ev.residuals
    np.testing.assert_allclose(g, gfd, rtol=1e-6)
    big = np.abs(Jfd) > 1e-3 * np.abs(Jfd).max()
    assert np.max(np.abs(J - Jfd)[big] / np.abs(Jfd[big])) < 1e-5
    assert np.max(np.abs(J - Jfd)[~big], initial=0.0) < 1e-5 * np.abs(Jfd).max()
    # along directions (the profiles' coordinates): one sensitivity per direction
    A = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, -2.0]])
    ev_d, J_d = prob.evaluate_jacobian(theta, directions=A)
    assert np.array_equal(ev_d.residuals, ev.residuals)
    np.testing.assert_allclose(J_d, J @ A, rtol=0, atol=1e-5 * np.abs(J @ A).max())


def test_refine_with_sensitivities_recovers_the_constants():
    prob = problem("combined", 60.0, noise=0.0)
    res, history = least_squares_from(prob, prob.theta_start, max_evaluations=60)
    values = prob.values(res.x)
    for name, true in TABLE1["sim3"].items():
        assert values[name] == pytest.approx(true, rel=1e-4)
    # one evaluation per Jacobian instead of n_free
    _, fd_history = least_squares_from(prob, prob.theta_start, max_evaluations=60, jac="2-point")
    assert len(history) < len(fd_history)
    out = refine(prob, [prob.theta_start], SerialExecutor(prob), max_evaluations=60)
    assert out.values["k_ex"] == pytest.approx(TABLE1["sim3"]["k_ex"], rel=1e-4)
    assert out.jacobian.shape == (prob.n_residuals(), 3)


def test_model_parameters_need_finite_differences():
    system, data = make_data(7, "site", {}, t_end_s=600)
    params = [Parameter("g_top_kJ_mol", 0.5, -5.0, 5.0, log=False)]
    prob = FitProblem(system, "site", params, data)
    assert prob.sensitivity_parameters() is None
    with pytest.raises(ConfigError, match="parameters"):
        prob.evaluate_jacobian(prob.theta_start)
    with pytest.raises(ConfigError, match="jac"):
        least_squares_from(prob, prob.theta_start, jac="exact")


def test_profile_transforms_use_the_chain_rule():
    """The profiles fix a parameter or a ratio: theta = A z + b, so the Jacobian in z is
    J A; least squares along a ratio profile reaches the same point with it as with
    finite differences, in fewer integrations."""
    from intercluster.fit.uncertainty import _profile_setup

    prob = problem("combined", 60.0)
    theta = prob.theta_start
    for spec in (("param", 2), ("ratio", 0, 1)):
        value = theta[spec[1]] - (theta[spec[2]] if spec[0] == "ratio" else 0.0)
        keep, zlo, zhi, transform = _profile_setup(prob, spec, value)
        z0 = np.clip(theta[keep], zlo, zhi)
        runs = {
            jac: least_squares_from(
                prob, z0, lower=zlo, upper=zhi, transform=transform, jac=jac, tol=1e-8
            )
            for jac in ("auto", "2-point")
        }
        (res_s, hist_s), (res_f, hist_f) = runs["auto"], runs["2-point"]
        np.testing.assert_allclose(res_s.x, res_f.x, atol=1e-3)
        assert 2 * res_s.cost <= 2 * res_f.cost * (1 + 1e-6)
        assert len(hist_s) < len(hist_f)

    def bent(z):  # not affine: finite differences
        return np.array([z[0], z[1] ** 3, -1.5])

    with pytest.raises(ConfigError, match="jac"):
        least_squares_from(
            prob,
            theta[:2],
            lower=prob.theta_lower[:2],
            upper=prob.theta_upper[:2],
            transform=bent,
            jac="sensitivities",
        )
