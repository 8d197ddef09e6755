"""t_max, the time at which an observable peaks, and when not to trust it.

Eq 1 of Neumaier et al., JACS 2021, 143, 6969 scores a simulation by the
squared differences of t_max over all 77 observables. t_max is fragile:
with the Table 1 constants 9-12 observables still rise at
3600 s (their t_max is the end of the window), five sit at t = 0, some maxima
are flat (within 1e-6 of the peak for 20 s) and some dianions have two nearly
equal peaks far apart ([Ag24Au26]2-, sim3 1:1: 89 s and 3600 s, 1.4 % lower),
so a tiny change of constants moves their t_max by thousands of seconds.

The rule used by the fit (documented in docs/fitting.md), applied to each
observable of each *data* set once, before fitting, so that the objective is
one fixed function of the parameters:

plateau
    the contiguous run of samples around the highest one whose intensity is
    within ``plateau_rel`` (default 1 %) of the peak; its half-width [s] is the
    t_max uncertainty of a flat maximum.
edge
    the plateau touches the first or the last sample: the observable is still
    rising at the end of the window, or peaks at (or before) t = 0.
near tie
    some sample outside the run around the peak that stays above
    (1 - ``tie_rel``) x peak (default 5 %) also reaches (1 - tie_rel) x peak:
    a second peak, separated from the first by a dip, nearly as high.

With ``flags = "exclude"`` (default) edge and near-tie observables get weight 0
in eq 1 and every other observable weight 1 / (1 + (h / sigma_t)^2), h its
plateau half-width, sigma_t the t_max scale of the objective (flat maxima are
down-weighted, sharp ones keep weight ~1). With ``flags = "keep"`` every
observable has weight 1: eq 1 exactly as printed in the paper.

The same estimator is applied to the data and to every simulation: both are
sampled at the data times, smoothed alike (a local quadratic fit over a
window of ``smooth_s`` seconds, :func:`smoothing_matrix`; for noisy data), and
the maximum is refined between samples by the parabola through the highest
sample and its neighbours (:func:`intercluster.kinetics.observables.t_max`).
The estimator's own bias (a coarse grid, the smoothing) therefore cancels: at
the true constants, noise-free data give eq 1 = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from intercluster.kinetics.observables import t_max as refined_t_max

__all__ = ["TmaxFeatures", "smooth", "smoothing_matrix", "tmax_features", "tmax_weights"]


@dataclass(frozen=True)
class TmaxFeatures:
    """t_max of every column and its flags.

    Attributes (arrays of shape (n_columns,))
    ----------
    t_max_s : t_max refined between samples [s] (NaN for a column of zeros)
    edge : plateau touches the first or last sample
    at_start, at_end : which edge
    near_tie : a separate second peak within ``tie_rel`` of the highest
    second_peak_s : time of that second peak [s] (NaN if none)
    second_peak_rel : its height relative to the peak (NaN if none)
    plateau_halfwidth_s : half-width of the plateau within ``plateau_rel`` [s]
    """

    t_max_s: np.ndarray
    edge: np.ndarray
    at_start: np.ndarray
    at_end: np.ndarray
    near_tie: np.ndarray
    second_peak_s: np.ndarray
    second_peak_rel: np.ndarray
    plateau_halfwidth_s: np.ndarray

    @property
    def flagged(self) -> np.ndarray:
        """Edge or near tie, shape (n_columns,)."""
        return self.edge | self.near_tie

    def reason(self, j: int) -> str:
        """Why column ``j`` is flagged ('' if it is not)."""
        why = []
        if self.at_start[j]:
            why.append("peaks at the start of the window")
        if self.at_end[j]:
            why.append("still rising at the end of the window")
        if self.near_tie[j]:
            why.append(
                f"second peak at {self.second_peak_s[j]:.0f} s, "
                f"{100 * (1 - self.second_peak_rel[j]):.1f} % lower"
            )
        return "; ".join(why)


def smoothing_matrix(time: np.ndarray, window_s: float):
    """Local quadratic smoothing (Savitzky-Golay on a possibly uneven grid) as a
    sparse matrix S, shape (n_time, n_time): ``S @ values`` replaces each sample
    by the value at its time of the least-squares parabola through the samples
    within +-window_s/2 (at least 5 samples). None for ``window_s = 0``.

    Parameters
    ----------
    time : array, shape (n_time,) [s], increasing
    window_s : float
        Window width [s].
    """
    import scipy.sparse as sp

    time = np.asarray(time, dtype=float)
    n = len(time)
    if window_s <= 0 or n < 5:
        return None
    lo = np.searchsorted(time, time - window_s / 2, side="left")
    hi = np.searchsorted(time, time + window_s / 2, side="right")
    rows, cols, vals = [], [], []
    for i in range(n):
        a, b = int(lo[i]), int(hi[i])
        if b - a < 5:  # widen to 5 samples
            a = max(0, min(i - 2, n - 5))
            b = a + 5
        dt = time[a:b] - time[i]
        scale = max(float(np.abs(dt).max()), 1e-12)
        X = np.vander(dt / scale, 3, increasing=True)
        # the value at dt = 0 is the first coefficient: row 0 of pinv(X)
        rows.extend([i] * (b - a))
        cols.extend(range(a, b))
        vals.extend(np.linalg.pinv(X)[0])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def smooth(time: np.ndarray, values: np.ndarray, window_s: float) -> np.ndarray:
    """``values`` (shape (n_time, n_columns)) smoothed by :func:`smoothing_matrix`
    (returned unchanged for ``window_s = 0``)."""
    S = smoothing_matrix(time, window_s)
    values = np.asarray(values, dtype=float)
    return values if S is None else np.asarray(S @ values)


def tmax_features(
    time: np.ndarray,
    values: np.ndarray,
    *,
    tie_rel: float = 0.05,
    plateau_rel: float = 0.01,
) -> TmaxFeatures:
    """t_max of each column with edge, near-tie and plateau information.

    Parameters
    ----------
    time : array, shape (n_time,) [s]
    values : array, shape (n_time, n_columns)
        Intensities (smoothed if noisy).
    tie_rel : float
        Relative depth defining a near-tie second peak (see module docstring).
    plateau_rel : float
        Relative depth defining the plateau of a flat maximum.

    Returns
    -------
    TmaxFeatures

    Examples
    --------
    >>> t = np.linspace(0, 100, 101)
    >>> y = np.stack([np.exp(-((t - 30) / 10) ** 2),                  # clean peak
    ...               np.exp(-((t - 20) / 5) ** 2) + 0.99 * np.exp(-((t - 80) / 5) ** 2),
    ...               t / 100], axis=1)                                 # still rising
    >>> f = tmax_features(t, y)
    >>> f.t_max_s.round(1).tolist(), f.near_tie.tolist(), f.at_end.tolist()
    ([30.0, 20.0, 100.0], [False, True, False], [False, False, True])
    """
    time = np.asarray(time, dtype=float)
    values = np.asarray(values, dtype=float)
    n, m = values.shape
    tm = refined_t_max(time, values)
    at_start = np.zeros(m, bool)
    at_end = np.zeros(m, bool)
    near_tie = np.zeros(m, bool)
    second_t = np.full(m, np.nan)
    second_rel = np.full(m, np.nan)
    half = np.zeros(m)
    for j in range(m):
        y = values[:, j]
        p = int(np.argmax(y))
        peak = y[p]
        if not peak > 0:
            continue
        a, b = _run(y >= (1 - plateau_rel) * peak, p)
        at_start[j] = a == 0
        at_end[j] = b == n - 1
        half[j] = 0.5 * (time[b] - time[a])
        thr = (1 - tie_rel) * peak
        a2, b2 = _run(y >= thr, p)
        outside = np.concatenate([y[:a2], np.full(1, -np.inf), y[b2 + 1 :]])
        k = int(np.argmax(outside))
        if outside[k] >= thr:
            near_tie[j] = True
            idx = k if k < a2 else b2 + k - a2
            second_t[j] = time[idx]
            second_rel[j] = y[idx] / peak
    return TmaxFeatures(
        t_max_s=tm,
        edge=at_start | at_end,
        at_start=at_start,
        at_end=at_end,
        near_tie=near_tie,
        second_peak_s=second_t,
        second_peak_rel=second_rel,
        plateau_halfwidth_s=half,
    )


def _run(mask: np.ndarray, p: int) -> tuple[int, int]:
    """First and last index of the run of True in ``mask`` that contains ``p``."""
    false = np.flatnonzero(~mask)
    before = false[false < p]
    after = false[false > p]
    a = int(before[-1]) + 1 if len(before) else 0
    b = int(after[0]) - 1 if len(after) else len(mask) - 1
    return a, b


def tmax_weights(features: TmaxFeatures, flags: str, sigma_t_s: float) -> np.ndarray:
    """Weights of the observables in eq 1 under the rule of the module docstring.

    Parameters
    ----------
    features : TmaxFeatures of the data
    flags : {"exclude", "keep"}
    sigma_t_s : float
        t_max scale [s] against which plateau half-widths are compared.

    Returns
    -------
    array, shape (n_columns,), values in [0, 1] (0: excluded).
    """
    m = len(features.t_max_s)
    if flags == "keep":
        w = np.ones(m)
    else:
        w = 1.0 / (1.0 + (features.plateau_halfwidth_s / sigma_t_s) ** 2)
        w[features.flagged] = 0.0
    w[~np.isfinite(features.t_max_s)] = 0.0
    return w
