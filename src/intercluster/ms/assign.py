"""Assignment: which candidate ions are present in a spectrum, decided jointly.

Overlapping candidates (an ion and its protonated form 1/3 Th away at 3-, a
monoanion, the dianion and the trianion at the same m/z, isobaric species)
cannot be judged one at a time: each would explain the other's peaks. So the
candidates are first fitted together by the non-negative deconvolution of
:mod:`intercluster.ms.deconvolve` (the same fit ``deconvolve`` reports), and a
candidate is **present** when its fitted ion signal exceeds ``n_sigma`` (3)
standard errors and ``min_fraction`` (0.5 %) of the total fitted signal. The
papers confirm assignments the same way, by the agreement of experimental and
calculated isotope patterns (Lin et al., Chem. Sci. 2022, 13, 4431; Acharya et
al., J. Phys. Chem. C 2025, doi:10.1021/acs.jpcc.4c07077, Figure 1C; Neumaier et
al., JACS 2021, 143, 6969, Figure 1b-d).

Each candidate's own part of the spectrum ("component") is the spectrum minus
the fitted baseline and the fitted patterns of all other candidates. On it:

- ``error_ppm``: mean offset (weighted by calculated intensity) of the observed
  centroids of the pattern's main peaks (relative intensity >= 0.3) from their
  calculated m/z, in ppm; each centroid is taken over +-FWHM/2 and re-centred
  until it settles;
- ``similarity_joint``: cosine similarity (0..1) of the component and the
  calculated profile in the pattern's window.

Kept from the one-candidate-at-a-time scoring: ``similarity``, the cosine
similarity of the whole (baseline-corrected) spectrum and the candidate's
profile in its window, which is high for every candidate that overlaps a
present ion and therefore does not decide presence.

A present candidate is ``assigned`` when, in addition, |error_ppm| <=
``ppm_tolerance``, ``similarity_joint`` >= ``min_similarity`` and its peak
signal-to-noise ``snr`` >= ``min_snr``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.ms.candidates import Candidate
from intercluster.ms.deconvolve import (
    BASELINES,
    Deconvolver,
    candidate_window,
    point_spacing,
)
from intercluster.ms.patterns import (
    DEFAULT_RESOLVING_POWER,
    check_resolving_power,
    isotope_pattern,
    profile,
)
from intercluster.ms.spectrum import Spectrum

__all__ = ["ASSIGNMENT_COLUMNS", "assign", "noise_level"]

#: Columns of the assignment table.
ASSIGNMENT_COLUMNS = (
    "label",
    "ion",
    "charge",
    "mz_calc",
    "mz_observed",
    "error_ppm",
    "similarity",
    "similarity_joint",
    "signal",
    "signal_stderr",
    "fraction",
    "snr",
    "present",
    "assigned",
)

#: Default number of standard errors an abundance must exceed to count as present.
DEFAULT_N_SIGMA = 3.0

#: Default smallest share of the total fitted ion signal that counts as present.
DEFAULT_MIN_FRACTION = 0.005


def noise_level(spectrum: Spectrum) -> tuple[float, float]:
    """Baseline and noise standard deviation of a spectrum (robust estimates).

    Returns
    -------
    baseline, sigma : float
        The 5th percentile of the intensities, and 1.4826 x the median absolute
        point-to-point difference / sqrt(2) over the lower half of the points.
    """
    y = spectrum.intensity
    base = float(np.percentile(y, 5))
    low = y <= np.median(y)
    d = np.abs(np.diff(y))[low[1:] & low[:-1]]
    sigma = 1.4826 * float(np.median(d)) / np.sqrt(2) if len(d) else 0.0
    return base, max(sigma, 1e-12 * (float(y.max()) or 1.0))


def _centroid_shift(pat, x, yc, resolving_power):
    """Intensity-weighted mean offset [Th] of the observed centroids of the main peaks."""
    offsets, weights = [], []
    fwhm = pat.mz / resolving_power
    for mz_k, rel_k, f_k in zip(pat.mz, pat.relative_intensity, fwhm):
        if rel_k < 0.3:
            continue
        centroid = mz_k
        for _ in range(6):  # re-centre the +-FWHM/2 window on the observed peak
            near = np.abs(x - centroid) <= 0.5 * f_k
            if np.count_nonzero(near) < 2 or yc[near].sum() <= 0:
                centroid = np.nan
                break
            centroid = float(np.dot(x[near], yc[near]) / yc[near].sum())
        if np.isfinite(centroid):
            offsets.append(centroid - mz_k)
            weights.append(rel_k)
    return float(np.average(offsets, weights=weights)) if offsets else np.nan


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / denom if denom > 0 else 0.0


def assign(
    spectrum: Spectrum,
    candidates: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    ppm_tolerance: float = 30.0,
    min_similarity: float = 0.8,
    min_snr: float = 3.0,
    n_sigma: float = DEFAULT_N_SIGMA,
    min_fraction: float = DEFAULT_MIN_FRACTION,
    baseline: str = "linear",
):
    """Decide which candidates are present, jointly, and score each one.

    Parameters
    ----------
    spectrum : Spectrum
        Profile spectrum.
    candidates : sequence of Candidate
        All ions that could explain the peaks (include the overlapping ones:
        +-H, other charge states, trimers; see :func:`default_candidates`).
    resolving_power : float
        m/z / FWHM used for the calculated profiles (default 25,000; Neumaier et
        al., JACS 2021, 143, 6969).
    ppm_tolerance, min_similarity, min_snr : float
        Acceptance thresholds for ``assigned`` (mass error [ppm], similarity of
        the candidate's component, peak signal / noise).
    n_sigma : float
        A candidate is present when its fitted signal > ``n_sigma`` standard errors (3).
    min_fraction : float
        ... and >= ``min_fraction`` of the total fitted signal (0.005 = 0.5 %).
    baseline : {"none", "constant", "linear"}
        Baseline of the joint fit.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, columns :data:`ASSIGNMENT_COLUMNS`; m/z [Th]
        (``mz_calc`` is the most abundant peak), ``signal`` and
        ``signal_stderr`` the jointly fitted ion signal [intensity units summed
        over points], ``fraction`` its share of the total. ``attrs``:
        ``residual_rms`` of the joint fit and ``noise_sd`` of the spectrum
        [intensity units]. Candidates outside the spectrum get NaN scores and
        ``present`` = ``assigned`` = False.

    Raises
    ------
    ConfigError
        For no candidates or thresholds out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from intercluster.ms import candidates_from_ions, synthetic_spectrum
    >>> cands = candidates_from_ions(["[Ag25(DMBT)18]-", "[Ag24Au(DMBT)18]-"])
    >>> grid = np.arange(5150.0, 5270.0, 0.02)
    >>> spec = synthetic_spectrum(cands, [1.0, 0.0], grid, seed=1)
    >>> table = assign(spec, cands)
    >>> table["assigned"].tolist()
    [True, False]
    """
    import pandas as pd

    if not candidates:
        raise ConfigError("assignment needs at least one candidate ion")
    R = check_resolving_power(resolving_power)
    if not 0 <= min_similarity <= 1:
        raise ConfigError(bad_value("min_similarity", min_similarity, "a number in [0, 1]"))
    if not ppm_tolerance > 0:
        raise ConfigError(bad_value("ppm_tolerance", ppm_tolerance, "a number > 0"))
    if not (np.isfinite(n_sigma) and n_sigma >= 0):
        raise ConfigError(bad_value("n_sigma", n_sigma, "a number >= 0 (standard errors)"))
    if not 0 <= min_fraction < 1:
        raise ConfigError(bad_value("min_fraction", min_fraction, "a number in [0, 1)"))
    if baseline not in BASELINES:
        raise ConfigError(bad_value("baseline", baseline, f"one of {BASELINES}"))
    _, sigma = noise_level(spectrum)
    cands = list(candidates)
    pats = [isotope_pattern(c.ion) for c in cands]
    windows = []
    for pat in pats:
        s_max = pat.sigma(R).max()
        lo, hi = pat.window(0.999)
        windows.append((lo - 5 * s_max, hi + 5 * s_max))
    x_all = spectrum.mz
    counts = [int(np.count_nonzero((x_all >= lo) & (x_all <= hi))) for lo, hi in windows]
    fit = None
    on_grid = [n >= 5 for n in counts]
    if any(on_grid):
        # joint non-negative fit of every candidate on the spectrum (cropped to them)
        inside = [c for c, ok in zip(cands, on_grid) if ok]
        lo, hi = candidate_window(inside, R)
        spec = spectrum.select(lo, hi)
        if len(spec) < 5:
            spec = spectrum
        dec = Deconvolver(cands, spec.mz, R, baseline)
        fit = dec.fit(spec)
        x_fit, resid = spec.mz, spec.intensity - fit.fitted
        w_fit = point_spacing(x_fit)
        total = float(np.nansum(np.where(fit.in_range, fit.abundance, 0.0)))
    base, _ = noise_level(spectrum)
    y_all = spectrum.intensity
    w_all = point_spacing(x_all)
    rows = []
    for j, (c, pat) in enumerate(zip(cands, pats)):
        lo, hi = windows[j]
        row = {
            "label": c.label,
            "ion": str(c.ion),
            "charge": c.ion.charge,
            "mz_calc": pat.most_abundant_mz,
            "mz_observed": np.nan,
            "error_ppm": np.nan,
            "similarity": np.nan,
            "similarity_joint": np.nan,
            "signal": np.nan,
            "signal_stderr": np.nan,
            "fraction": np.nan,
            "snr": np.nan,
            "present": False,
            "assigned": False,
        }
        if not on_grid[j] or fit is None or not fit.in_range[j]:
            rows.append(row)
            continue
        # one candidate alone against the whole spectrum (kept as a column)
        sel = (x_all >= lo) & (x_all <= hi)
        col_alone = profile(pat, x_all[sel], R) * w_all[sel]
        row["similarity"] = _cosine(col_alone, np.clip(y_all[sel] - base, 0.0, None))
        # the candidate's component in the joint fit
        sel = (x_fit >= lo) & (x_fit <= hi)
        x = x_fit[sel]
        col = profile(pat, x, R) * w_fit[sel]
        a, se = float(fit.abundance[j]), float(fit.stderr[j])
        comp = resid[sel] + a * col
        yc = np.clip(comp, 0.0, None)
        shift = _centroid_shift(pat, x, yc, R) if a > 0 else np.nan
        if np.isfinite(shift):
            row["mz_observed"] = pat.most_abundant_mz + shift
            row["error_ppm"] = shift / pat.most_abundant_mz * 1e6
        fraction = a / total if total > 0 else 0.0
        snr = a * float(col.max()) / sigma if len(col) else 0.0
        present = bool(a > n_sigma * se and a > 0 and fraction >= min_fraction)
        row.update(
            similarity_joint=_cosine(col, yc),
            signal=a,
            signal_stderr=se,
            fraction=fraction,
            snr=snr,
            present=present,
        )
        row["assigned"] = bool(
            present
            and row["similarity_joint"] >= min_similarity
            and np.isfinite(row["error_ppm"])
            and abs(row["error_ppm"]) <= ppm_tolerance
            and snr >= min_snr
        )
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))
    table.attrs["residual_rms"] = fit.residual_rms if fit is not None else float("nan")
    table.attrs["noise_sd"] = float(sigma)
    return table
