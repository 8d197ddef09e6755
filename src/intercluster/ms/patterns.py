"""Isotope patterns: fine structure from IsoSpecPy, one peak per nucleon number, profiles.

IsoSpecPy computes the isotopologues (the fine structure) that cover a given
probability. At the resolving powers of cluster work (~25,000, Neumaier et al.,
JACS 2021, 002, "ESI-MS") the fine structure within one nominal mass is not
resolved, so isotopologues are grouped by nucleon number into one peak each
(centroid m/z, summed abundance, and the variance of the fine structure inside
the group). A profile spectrum is the sum of Gaussians of full width at half
maximum FWHM = (m/z) / R, broadened by that fine-structure variance, on any m/z
grid.

IsoSpecPy's own formula parser knows neither ligand abbreviations nor single
isotopes (107Ag, D); here every atom key gets its own isotope table, a single
isotope being an element with one isotope of abundance 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from intercluster.chem.formula import Ion
from intercluster.chem.isotopes import isotopes
from intercluster.errors import ConfigError, FormulaError, bad_value, show_value
from intercluster.ms.masses import ELECTRON_MASS_U
from intercluster.validation import check_memory, number

__all__ = [
    "DEFAULT_PROB_TO_COVER",
    "DEFAULT_RESOLVING_POWER",
    "FWHM_TO_SIGMA",
    "IsotopePattern",
    "check_resolving_power",
    "isotope_pattern",
    "profile",
]

#: Resolving power m/z / FWHM of the timsTOF of Neumaier et al. 2021 (002, "ESI-MS").
DEFAULT_RESOLVING_POWER = 25_000.0

#: Probability of all isotopologues that IsoSpecPy enumerates by default.
DEFAULT_PROB_TO_COVER = 0.9999

#: sigma = FWHM * FWHM_TO_SIGMA for a Gaussian peak.
FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))

#: Peaks are evaluated out to this many standard deviations.
_CUTOFF_SIGMA = 6.0


#: Highest resolving power accepted (FT-ICR instruments reach ~10^7).
MAX_RESOLVING_POWER = 1e8


def check_resolving_power(resolving_power: float) -> float:
    """Return ``resolving_power`` as float; raise ConfigError unless finite, > 0 and at
    most :data:`MAX_RESOLVING_POWER`."""
    try:
        value = float(resolving_power)
    except (TypeError, ValueError, OverflowError):
        value = float("nan")
    return number(
        "resolving power",
        value,
        f"a positive number m/z / FWHM up to {MAX_RESOLVING_POWER:g}, e.g. 25000",
        lambda v: 0 < v <= MAX_RESOLVING_POWER,
    )


@dataclass(frozen=True, eq=False)
class IsotopePattern:
    """Isotope pattern of an ion, one peak per nucleon number.

    Attributes
    ----------
    ion : Ion
    mz : ndarray, shape (n,)
        Centroid m/z of each nominal peak [Th], ascending.
    abundance : ndarray, shape (n,)
        Fraction of all ions in each peak (sums to 1 over the covered isotopologues).
    nucleons : ndarray of int, shape (n,)
        Nucleon number of each peak minus that of the lightest isotopologue.
    fine_variance : ndarray, shape (n,)
        Variance of the fine structure inside each peak [Th^2].
    prob_covered : float
        Probability covered by the enumerated isotopologues (before renormalising).
    n_isotopologues : int
        Number of fine-structure isotopologues IsoSpecPy enumerated.
    """

    ion: Ion
    mz: np.ndarray
    abundance: np.ndarray
    nucleons: np.ndarray
    fine_variance: np.ndarray
    prob_covered: float
    n_isotopologues: int
    _mass_neutral: np.ndarray = field(repr=False)

    @property
    def charge(self) -> int:
        return self.ion.charge

    @property
    def relative_intensity(self) -> np.ndarray:
        """Abundances scaled so that the most intense peak is 1."""
        return self.abundance / self.abundance.max()

    @property
    def most_abundant_mz(self) -> float:
        """m/z of the most intense nominal peak [Th]."""
        return float(self.mz[np.argmax(self.abundance)])

    @property
    def most_abundant_mass_neutral(self) -> float:
        """Summed atomic masses of the most intense nominal peak [u] (no electron term)."""
        return float(self._mass_neutral[np.argmax(self.abundance)])

    @property
    def average_mz(self) -> float:
        """Abundance-weighted mean m/z of the covered pattern [Th]."""
        return float(np.dot(self.mz, self.abundance))

    def window(self, fraction: float = 0.999) -> tuple[float, float]:
        """Smallest m/z range of whole peaks holding ``fraction`` of the ions (around the mode)."""
        order = np.argsort(self.abundance)[::-1]
        cum = np.cumsum(self.abundance[order])
        keep = order[: int(np.searchsorted(cum, fraction * cum[-1])) + 1]
        return float(self.mz[keep].min()), float(self.mz[keep].max())

    def sigma(self, resolving_power: float = DEFAULT_RESOLVING_POWER) -> np.ndarray:
        """Gaussian standard deviation of each peak [Th] at a resolving power."""
        fwhm = self.mz / check_resolving_power(resolving_power)
        return np.sqrt((fwhm * FWHM_TO_SIGMA) ** 2 + self.fine_variance)

    def profile(self, mz_grid, resolving_power: float = DEFAULT_RESOLVING_POWER) -> np.ndarray:
        """Profile spectrum on ``mz_grid``; see :func:`profile`."""
        return profile(self, mz_grid, resolving_power)

    def to_frame(self):
        """Peaks as a table: ``mz``, ``relative_intensity``, ``abundance``, ``nucleons``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "mz": self.mz,
                "relative_intensity": self.relative_intensity,
                "abundance": self.abundance,
                "nucleons": self.nucleons,
            }
        )


def _isospec_params(composition: dict[str, int]):
    counts, masses, probs = [], [], []
    for key, count in composition.items():
        iso = isotopes(key)
        counts.append(int(count))
        masses.append(list(iso.masses))
        probs.append(list(iso.abundances))
    return counts, masses, probs


@lru_cache(maxsize=4096)
def _nucleon_constants(items: tuple[tuple[str, int], ...]) -> tuple[float, float]:
    """Mass of the lightest isotopologue [u] and mean mass per extra nucleon [u]."""
    light = heavy_mass = heavy_nucleons = 0.0
    for key, count in items:
        iso = isotopes(key)
        light += count * iso.masses[0]
        for a, m, p in zip(iso.mass_numbers[1:], iso.masses[1:], iso.abundances[1:]):
            heavy_nucleons += count * p * (a - iso.mass_numbers[0])
            heavy_mass += count * p * (m - iso.masses[0])
    return light, (heavy_mass / heavy_nucleons if heavy_nucleons else 1.0)


def _group_by_nucleons(comp, fine_masses):
    """Nucleon-number offset of each isotopologue, without asking IsoSpecPy for configurations.

    The offset is ``rint((m - m_lightest) / s)`` with ``s`` the mean mass per
    extra nucleon of this composition; the result is checked (each residual must
    be < 0.3 nucleon) and the caller falls back to exact configurations if not.
    Returns (offsets, m - m_lightest, m_lightest) or None.
    """
    light, slope = _nucleon_constants(tuple(comp.items()))
    dm = fine_masses - light
    scaled = dm / slope
    offsets = np.rint(scaled)
    np.subtract(scaled, offsets, out=scaled)
    if len(scaled) and np.abs(scaled, out=scaled).max() > 0.3:
        return None
    return offsets.astype(np.int64), dm, light


#: Memory IsoSpecPy holds per enumerated isotopologue [bytes] (measured: 7.2 GB for the
#: 1.4e8 isotopologues of [Ag2000Au2000(SR)1000]- at p = 0.9999, with some margin).
BYTES_PER_ISOTOPOLOGUE = 64


def isotopologue_count_estimate(composition: dict[str, int], prob_to_cover: float) -> float:
    """Estimated number of fine-structure isotopologues IsoSpecPy enumerates to cover
    ``prob_to_cover``, before it runs.

    The isotope counts of an element with n atoms and abundances p_1..p_k follow a
    multinomial distribution, close to a (k-1)-dimensional Gaussian with covariance
    determinant n^(k-1) p_1...p_k. The configurations covering probability P fill
    the ellipsoid of the joint Gaussian (dimension D = sum of k-1) whose squared
    radius is the chi-square quantile chi2_D(P); its volume counts them:
    V_D r^D sqrt(prod det). Accurate within a factor ~2 for large ions (3.2e6
    enumerated vs 2.1e6 estimated for [Ag500Au500(SR)250]-), an underestimate for
    small ones, where the count does not matter.

    Parameters
    ----------
    composition : dict
        Atom key -> count.
    prob_to_cover : float
        0 < p < 1.

    Returns
    -------
    float
        >= 1.
    """
    from statistics import NormalDist

    dim = 0
    log_det = 0.0
    for key, count in composition.items():
        abundances = [p for p in isotopes(key).abundances if p > 0]
        if len(abundances) < 2 or count <= 0:
            continue
        dim += len(abundances) - 1
        log_det += (len(abundances) - 1) * math.log(count) + sum(math.log(p) for p in abundances)
    if dim == 0:
        return 1.0
    # chi-square quantile by the Wilson-Hilferty approximation (a few % for D >= 1; the
    # estimate is an order of magnitude) with the standard library's normal quantile, so
    # that checking the size does not import SciPy on the light commands (mass)
    z = NormalDist().inv_cdf(prob_to_cover)
    c = 2.0 / (9.0 * dim)
    r2 = dim * max(1.0 - c + z * math.sqrt(c), 1e-3) ** 3
    log_volume = (
        dim / 2 * math.log(math.pi)
        - math.lgamma(dim / 2 + 1)
        + dim / 2 * math.log(r2)
        + 0.5 * log_det
    )
    return max(1.0, math.exp(min(log_volume, 700.0)))


def _fine_structure(comp, prob_to_cover, get_confs=False):
    """IsoSpecPy's isotopologues covering ``prob_to_cover`` (one isotope table per atom key)."""
    import IsoSpecPy

    counts, masses, probs = _isospec_params(comp)
    return IsoSpecPy.IsoTotalProb(
        prob_to_cover=prob_to_cover,
        atomCounts=counts,
        isotopeMasses=masses,
        isotopeProbabilities=probs,
        get_confs=get_confs,
    )


def _offsets_from_confs(comp, prob_to_cover):
    dist = _fine_structure(comp, prob_to_cover, get_confs=True)
    numbers = [isotopes(k).mass_numbers for k in comp]
    fm, fp, offsets = [], [], []
    for m, p, conf in dist:
        fm.append(m)
        fp.append(p)
        offsets.append(
            sum(n * (a - nums[0]) for c, nums in zip(conf, numbers) for n, a in zip(c, nums))
        )
    light = sum(c * isotopes(k).masses[0] for k, c in comp.items())
    return np.asarray(fm), np.asarray(fp), np.asarray(offsets, dtype=np.int64), light


@lru_cache(maxsize=4096)
def _pattern_cached(ion: Ion, prob_to_cover: float) -> IsotopePattern:
    comp = ion.composition
    dist = _fine_structure(comp, prob_to_cover)
    fine_m = dist.np_masses()
    fine_p = dist.np_probs()
    grouped = _group_by_nucleons(comp, fine_m)
    if grouped is None:  # pragma: no cover (needs hundreds of extra nucleons)
        fine_m, fine_p, idx, light = _offsets_from_confs(comp, prob_to_cover)
        dm = fine_m - light
    else:
        idx, dm, light = grouped  # offsets >= 0: m_lightest is the lightest possible mass
    w = np.bincount(idx, fine_p)
    pdm = fine_p * dm
    s1 = np.bincount(idx, pdm)
    s2 = np.bincount(idx, pdm * dm)
    keep = w > 0
    w, s1, s2 = w[keep], s1[keep], s2[keep]
    mean_dm = s1 / w
    var = np.maximum(s2 / w - mean_dm**2, 0.0)
    mass = light + mean_dm
    q = ion.charge
    covered = float(w.sum())
    return IsotopePattern(
        ion=ion,
        mz=(mass - q * ELECTRON_MASS_U) / abs(q),
        abundance=w / covered,
        nucleons=np.nonzero(keep)[0],
        fine_variance=var / q**2,
        prob_covered=covered,
        n_isotopologues=len(fine_p),
        _mass_neutral=mass,
    )


def isotope_pattern(ion: Ion | str, prob_to_cover: float = DEFAULT_PROB_TO_COVER) -> IsotopePattern:
    """Isotope pattern of a charged ion, aggregated to one peak per nucleon number.

    Parameters
    ----------
    ion : Ion or str
        A charged ion; isotope-specific atoms (``107Ag``, ``D``) are honoured.
    prob_to_cover : float
        Total probability of the fine-structure isotopologues IsoSpecPy
        enumerates (0 < p < 1; default 0.9999).

    Returns
    -------
    IsotopePattern
        Peaks sorted by m/z; abundances renormalised to sum to 1. Patterns are
        cached per (ion, prob_to_cover); treat the arrays as read-only.

    Raises
    ------
    FormulaError
        For a neutral ion (a pattern is drawn in m/z) or an element without
        stable isotopes.
    ConfigError
        For ``prob_to_cover`` outside (0, 1).

    Examples
    --------
    >>> p = isotope_pattern("[Ag25(DMBT)18]-")
    >>> round(p.most_abundant_mz, 2), round(p.average_mz, 1)
    (5167.39, 5166.7)
    >>> p107 = isotope_pattern("[107Ag25(DMBT)18]-")   # isotopically pure silver
    >>> len(p107.mz) < len(p.mz)
    True
    """
    ion = ion if isinstance(ion, Ion) else Ion(ion)
    if ion.charge == 0:
        raise FormulaError(
            f"ion {str(ion)!r} has no charge; an isotope pattern is drawn in m/z: write the "
            f"charge after the square bracket, e.g. '[Ag25(DMBT)18]-'"
        )
    p = float(prob_to_cover)
    if not 0.0 < p < 1.0:
        raise ConfigError(
            bad_value("prob_to_cover", prob_to_cover, "a probability 0 < p < 1, e.g. 0.9999")
        )
    n_iso = isotopologue_count_estimate(ion.composition, p)
    check_memory(
        f"the isotope pattern of {show_value(str(ion))} (about {n_iso:.2g} isotopologues "
        f"at prob_to_cover = {p:g})",
        n_iso * BYTES_PER_ISOTOPOLOGUE,
        allow="a smaller prob_to_cover (e.g. 0.99)",
    )
    return _pattern_cached(ion, p)


def profile(
    pattern: IsotopePattern,
    mz_grid,
    resolving_power: float = DEFAULT_RESOLVING_POWER,
) -> np.ndarray:
    """Profile spectrum of a pattern: sum of Gaussians, area = abundance.

    Parameters
    ----------
    pattern : IsotopePattern
    mz_grid : array_like, shape (m,)
        Ascending m/z values [Th] (any spacing).
    resolving_power : float
        R = m/z / FWHM (default 25,000, Neumaier et al. 2021).

    Returns
    -------
    ndarray, shape (m,)
        Density [1/Th]: integrates over m/z to the pattern's total abundance (1).

    Raises
    ------
    ConfigError
        For a non-positive resolving power.
    DataError
        If the grid is not one-dimensional and ascending.

    Examples
    --------
    >>> import numpy as np
    >>> p = isotope_pattern("[Au25(PET)18]-")
    >>> grid = np.arange(7370.0, 7420.0, 0.005)
    >>> y = profile(p, grid, 25_000)
    >>> round(float(np.trapezoid(y, grid)), 4)
    1.0
    """
    grid = _check_grid(mz_grid)
    sig = pattern.sigma(resolving_power)
    centers = pattern.mz
    lo = np.searchsorted(grid, centers - _CUTOFF_SIGMA * sig)
    hi = np.searchsorted(grid, centers + _CUTOFF_SIGMA * sig)
    out = np.zeros(len(grid))
    width = int((hi - lo).max(initial=0))
    if width == 0:
        return out
    idx = lo[:, None] + np.arange(width)[None, :]
    valid = idx < hi[:, None]
    idx = np.where(valid, idx, 0)
    z = (grid[idx] - centers[:, None]) / sig[:, None]
    vals = np.exp(-0.5 * z * z) * (pattern.abundance / (sig * np.sqrt(2 * np.pi)))[:, None]
    vals = np.where(valid, vals, 0.0)
    out += np.bincount(idx.ravel(), vals.ravel(), minlength=len(grid))
    return out


def _check_grid(mz_grid) -> np.ndarray:
    from intercluster.errors import DataError

    grid = np.asarray(mz_grid, dtype=float)
    if grid.ndim != 1 or len(grid) == 0:
        raise DataError(bad_value("m/z grid", f"shape {grid.shape}", "a non-empty 1-D array"))
    if len(grid) > 1 and not np.all(np.diff(grid) > 0):
        raise DataError("m/z grid: values must be strictly ascending")
    return grid
