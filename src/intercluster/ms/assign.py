"""Assignment: score candidate ions against a spectrum by mass error and isotope pattern.

For each candidate the spectrum is compared, in the m/z window of its isotope
pattern, with the candidate's profile at the instrument's resolving power
(the way the papers confirm assignments: "the experimental and simulated
isotope patterns ... are in perfect agreement", Lin et al., Chem. Sci. 2022,
004, Fig. 1c-d; Acharya et al., JPCC 2025, 001, Figure 1C):

- ``error_ppm``: mean offset (weighted by calculated intensity) of the observed
  centroids of the pattern's main peaks (relative intensity >= 0.3) from their
  calculated m/z, in ppm; each centroid is taken over +-FWHM/2 and re-centred
  until it settles;
- ``similarity``: cosine similarity (0..1) of the baseline-corrected spectrum
  and the calculated profile in the window;
- ``signal``: least-squares scale of the profile (ion signal, intensity units
  summed over points) and ``snr``, its peak height over the noise.

A candidate is ``assigned`` when similarity >= ``min_similarity``, |error_ppm|
<= ``ppm_tolerance`` and snr >= ``min_snr``. Overlapping ions (a monoanion and
the dianion at the same m/z) lower each other's similarity; use
:func:`intercluster.ms.deconvolve` for their abundances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.ms.candidates import Candidate
from intercluster.ms.deconvolve import point_spacing
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
    "signal",
    "snr",
    "assigned",
)


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


def assign(
    spectrum: Spectrum,
    candidates: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    ppm_tolerance: float = 30.0,
    min_similarity: float = 0.8,
    min_snr: float = 3.0,
):
    """Score each candidate against the spectrum.

    Parameters
    ----------
    spectrum : Spectrum
        Profile spectrum.
    candidates : sequence of Candidate
    resolving_power : float
        m/z / FWHM used for the calculated profiles (default 25,000, 002).
    ppm_tolerance, min_similarity, min_snr : float
        Acceptance thresholds for ``assigned``.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, columns :data:`ASSIGNMENT_COLUMNS`; m/z [Th],
        ``mz_calc`` is the most abundant peak. Candidates outside the spectrum
        get NaN scores and ``assigned`` False.

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
    base, sigma = noise_level(spectrum)
    x_all, y_all = spectrum.mz, spectrum.intensity
    w_all = point_spacing(x_all)
    rows = []
    for c in candidates:
        pat = isotope_pattern(c.ion)
        sig = pat.sigma(R)
        lo, hi = pat.window(0.999)
        sel = (x_all >= lo - 5 * sig.max()) & (x_all <= hi + 5 * sig.max())
        row = {
            "label": c.label,
            "ion": str(c.ion),
            "charge": c.ion.charge,
            "mz_calc": pat.most_abundant_mz,
            "mz_observed": np.nan,
            "error_ppm": np.nan,
            "similarity": np.nan,
            "signal": np.nan,
            "snr": np.nan,
            "assigned": False,
        }
        if np.count_nonzero(sel) < 5:
            rows.append(row)
            continue
        x, y, w = x_all[sel], y_all[sel] - base, w_all[sel]
        col = profile(pat, x, R) * w
        yc = np.clip(y, 0.0, None)
        denom = float(np.linalg.norm(col) * np.linalg.norm(yc))
        similarity = float(col @ yc) / denom if denom > 0 else 0.0
        scale = max(float(col @ y) / float(col @ col), 0.0)
        snr = scale * float(col.max()) / sigma
        offsets, weights = [], []
        fwhm = pat.mz / R
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
        if offsets:
            shift = float(np.average(offsets, weights=weights))
            row["mz_observed"] = pat.most_abundant_mz + shift
            row["error_ppm"] = shift / pat.most_abundant_mz * 1e6
        row.update(similarity=similarity, signal=scale, snr=snr)
        row["assigned"] = bool(
            similarity >= min_similarity
            and np.isfinite(row["error_ppm"])
            and abs(row["error_ppm"]) <= ppm_tolerance
            and snr >= min_snr
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))
