"""Objectives: eq 1 (t_max), weighted least squares on intensities, and their sum.

Every objective is a sum of squared residuals, so that the grid search, the
least-squares refinement and the uncertainty analysis share one definition.
For dataset d (weight W_d) and observable i:

``eq1``
    the paper's eq 1 (Neumaier et al., JACS 2021, 143, 6969),
    chi2_t = sum_d W_d sum_i w_di (t_max,i^sim - t_max,i^exp)^2 [s^2],
    with w_di = 1 for every observable when ``flags = "keep"`` (eq 1 exactly as
    printed) and the weights of :func:`intercluster.fit.tmax.tmax_weights`
    otherwise (edge and near-tie observables excluded, flat maxima down-weighted).
    Residuals: sqrt(W_d w_di) (t_sim - t_exp) [s].
``intensity``
    weighted least squares on the normalised intensities,
    chi2_I = sum_d W_d sum_{t,i} p_dti (I_sim - I_exp)^2 / sigma_dti^2 with
    sigma = sigma_rel x I_sim + sigma_abs (3 % multiplicative noise and a floor
    for near-zero signals by default) and p the optional point weights of the
    dataset (1 otherwise). Dimensionless. sigma follows the *simulated*
    intensity: weights computed from the noisy data favour the points that
    happen to be low and bias the fit (by several standard errors for 3 % noise
    on 26,000 intensities).
``combined``
    tmax_weight x chi2_t / sigma_t^2 + intensity_weight x chi2_I: the t_max
    residuals in units of sigma_t [s] next to the intensity residuals.

The value minimised is the sum of the squared residuals of the chosen kind;
every evaluation also reports the other terms (eq 1 in s^2 always).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from intercluster.errors import ConfigError, bad_value
from intercluster.validation import number as _number

__all__ = ["KINDS", "ObjectiveSpec"]

#: Objective kinds.
KINDS = ("eq1", "intensity", "combined")


@dataclass(frozen=True)
class ObjectiveSpec:
    """What the fit minimises and how t_max is treated (module docstring).

    Attributes
    ----------
    kind : {"eq1", "intensity", "combined"}
    tmax_weight, intensity_weight : float
        Weights of the two terms in ``combined``.
    sigma_t_s : float
        t_max scale [s]: divides the t_max residuals in ``combined`` and sets the
        down-weighting of flat maxima.
    sigma_rel, sigma_abs : float
        Noise model of the intensities, sigma = sigma_rel x I_sim + sigma_abs.
    flags : {"exclude", "keep"}
        Exclude edge/near-tie observables from eq 1 and down-weight flat maxima,
        or keep every observable with weight 1 (the paper's eq 1).
    tie_rel, plateau_rel : float
        Thresholds of :func:`intercluster.fit.tmax.tmax_features`.
    smooth_s : float
        Window [s] of the local quadratic smoothing applied to data and
        simulations alike before t_max is located (0: none).
    """

    kind: str = "combined"
    tmax_weight: float = 1.0
    intensity_weight: float = 1.0
    sigma_t_s: float = 30.0
    sigma_rel: float = 0.03
    sigma_abs: float = 1e-3
    flags: str = "exclude"
    tie_rel: float = 0.05
    plateau_rel: float = 0.01
    smooth_s: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(bad_value("objective.kind", self.kind, " or ".join(KINDS)))
        if self.flags not in ("exclude", "keep"):
            raise ConfigError(bad_value("objective.flags", self.flags, "'exclude' or 'keep'"))
        checks = {
            "tmax_weight": (lambda v: v >= 0, "a number >= 0"),
            "intensity_weight": (lambda v: v >= 0, "a number >= 0"),
            "sigma_t_s": (lambda v: v > 0, "a time > 0 [s]"),
            "sigma_rel": (lambda v: v >= 0, "a number >= 0"),
            "sigma_abs": (lambda v: v > 0, "a number > 0"),
            "tie_rel": (lambda v: 0 < v < 1, "a fraction in (0, 1)"),
            "plateau_rel": (lambda v: 0 < v < 1, "a fraction in (0, 1)"),
            "smooth_s": (lambda v: v >= 0, "a window >= 0 [s]"),
        }
        for name, (ok, allowed) in checks.items():
            _number(f"objective.{name}", getattr(self, name), allowed, ok)
        if self.kind == "combined" and self.tmax_weight == 0 and self.intensity_weight == 0:
            raise ConfigError("objective: tmax_weight and intensity_weight are both 0")

    @property
    def uses_tmax(self) -> bool:
        return self.kind == "eq1" or (self.kind == "combined" and self.tmax_weight > 0)

    @property
    def uses_intensity(self) -> bool:
        return self.kind == "intensity" or (self.kind == "combined" and self.intensity_weight > 0)

    def tmax_scale(self) -> float:
        """Factor on the t_max residuals [s] in the objective's residual vector."""
        if self.kind == "eq1":
            return 1.0
        return math.sqrt(self.tmax_weight) / self.sigma_t_s

    def intensity_scale(self) -> float:
        """Factor on the sigma-normalised intensity residuals."""
        if self.kind == "intensity":
            return 1.0
        return math.sqrt(self.intensity_weight)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def allowed_keys(cls) -> set[str]:
        return {f.name for f in fields(cls)}
