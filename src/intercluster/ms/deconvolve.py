"""Deconvolution: a profile spectrum as a non-negative sum of candidate isotope patterns.

The model for the intensities y_i at the grid points x_i is

    y_i = sum_j a_j P_j(x_i) w_i + baseline(x_i) + noise,

where P_j is the profile density of candidate j at the spectrum's resolving
power (area 1, :func:`intercluster.ms.patterns.profile`), w_i the local point
spacing [Th] and a_j >= 0 the ion signal of candidate j (in intensity units
summed over its points). The baseline is none, a constant or a linear ramp
written as two non-negative end-point weights. The fit is non-negative least
squares (SciPy ``nnls``).

Ions that share a nominal m/z are resolved by their isotope spacing: the
monoanion [Ag_m Au_(25-m)]- and the dianion [Ag_2m Au_(50-2m)]2- sit at the same
m/z, but only the dianion has peaks at half-integer spacing (Neumaier et al.,
JACS 2021, 002, Figure 1b-d: "due to the resolved isotopic patterns, the
relative intensities of both species can be deconvoluted").

Speed: the design matrix is sparse and built once per (candidates, m/z grid,
resolving power); its Gram matrix G = A^T A (k x k, k ~ 80) is factorised once
(G = L L^T), and each spectrum costs one sparse product A^T y and an NNLS on
the k x k problem min ||L^T z - L^-1 A^T y||, which has the same minimiser.
With more than :data:`BPP_MIN_CANDIDATES` candidates (multi-family mixtures with
charge states and adducts: thousands of ions) the same minimiser is found by
block principal pivoting on the Gram matrix (Kim & Park, SIAM J. Sci. Comput.
2011, 33, 3261, doi:10.1137/110821172), which exchanges many variables between
the free and the bound set per step; :func:`nnls_gram` is checked against
SciPy's ``nnls`` in the tests.

Standard errors, over the active (free) set F of positive coefficients: by
default the heteroscedasticity-consistent sandwich estimator (HC1, White 1980)
Cov = n/(n-k_F) (A_F^T A_F)^-1 A_F^T diag(r^2) A_F (A_F^T A_F)^-1, because
ion-counting noise grows with the signal; with ``errors="uniform"``,
sigma^2 (A_F^T A_F)^-1 with sigma^2 = RSS/(n - k_F). Coefficients at the bound 0
get the one-parameter approximation sigma / ||A_j||. (Documented approximation:
the active set is treated as known.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from intercluster.errors import ConfigError, DataError, bad_value
from intercluster.ms.candidates import Candidate
from intercluster.ms.patterns import (
    DEFAULT_PROB_TO_COVER,
    DEFAULT_RESOLVING_POWER,
    _check_grid,
    check_resolving_power,
    isotope_pattern,
    profile,
)
from intercluster.ms.spectrum import Spectrum

__all__ = [
    "BASELINES",
    "DeconvolutionResult",
    "Deconvolver",
    "candidate_window",
    "deconvolve",
    "nnls_gram",
    "point_spacing",
]

#: Baseline models: none, one constant, or a linear ramp (two non-negative end weights).
BASELINES = ("none", "constant", "linear")

#: Standard-error models: heteroscedasticity-consistent sandwich (HC1) or uniform noise.
ERROR_MODELS = ("sandwich", "uniform")

#: A candidate with less than this fraction of its pattern on the grid is not fitted.
MIN_COVERAGE = 0.5

#: From this many fitted columns on, NNLS uses block principal pivoting (:func:`nnls_gram`).
BPP_MIN_CANDIDATES = 300


def nnls_gram(G: np.ndarray, c: np.ndarray, max_iter: int | None = None) -> np.ndarray:
    """Non-negative least squares from the normal equations: min 1/2 z^T G z - c^T z, z >= 0.

    Block principal pivoting (Kim & Park, SIAM J. Sci. Comput. 2011, 33, 3261,
    doi:10.1137/110821172, Algorithm 2 with its backup rule, which guarantees
    termination): the free set F is updated by exchanging all infeasible
    variables (z_F < 0 or dual y = G z - c < 0 outside F) at once, falling back
    to one exchange at a time when that stops reducing their number.

    Parameters
    ----------
    G : ndarray or scipy.sparse matrix, shape (k, k)
        Symmetric positive definite Gram matrix A^T A (sparse: each free-set
        system is solved by sparse LU, which is what makes thousands of
        candidates cheap; isotope patterns far apart in m/z do not couple).
    c : ndarray, shape (k,)
        A^T y.
    max_iter : int, optional
        Default 10 k.

    Returns
    -------
    ndarray, shape (k,)
        The minimiser (the same as SciPy's ``nnls`` on A, y), >= 0.

    Raises
    ------
    SolverError
        If it has not converged after ``max_iter`` exchanges.
    """
    import scipy.sparse.linalg

    from intercluster.errors import SolverError

    sparse = scipy.sparse.issparse(G)
    if sparse:
        G = scipy.sparse.csc_matrix(G)
    k = len(c)
    F = np.zeros(k, dtype=bool)
    z = np.zeros(k)
    scale = float(np.max(np.abs(c))) or 1.0
    tol_y = 1e-12 * scale * max(1.0, float(np.max(np.abs(G.diagonal()))))
    alpha, beta = 3, k + 1
    for _ in range(max_iter or 10 * k + 10):
        z = np.zeros(k)
        if F.any():
            idx = np.flatnonzero(F)
            if sparse:
                z[idx] = scipy.sparse.linalg.splu(G[idx][:, idx].tocsc()).solve(c[idx])
            else:
                z[idx] = scipy.linalg.solve(G[np.ix_(idx, idx)], c[idx], assume_a="pos")
        y = G @ z - c
        y[F] = 0.0
        tol_z = 1e-12 * max(float(np.max(np.abs(z))), 1e-300)
        infeasible = (F & (z < -tol_z)) | (~F & (y < -tol_y))
        n_inf = int(infeasible.sum())
        if n_inf == 0:
            return np.maximum(z, 0.0)
        if n_inf < beta:
            beta, alpha = n_inf, 3
            F ^= infeasible
        elif alpha >= 1:
            alpha -= 1
            F ^= infeasible
        else:
            j = int(np.flatnonzero(infeasible)[-1])
            F[j] = not F[j]
    raise SolverError(f"NNLS (block principal pivoting) did not converge for {k} candidates")


def point_spacing(mz: np.ndarray) -> np.ndarray:
    """Width [Th] each grid point stands for (half the distance to each neighbour)."""
    return np.gradient(np.asarray(mz, dtype=float))


def candidate_window(
    candidates: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    margin: float = 2.0,
    prob_to_cover: float = DEFAULT_PROB_TO_COVER,
) -> tuple[float, float]:
    """m/z range [Th] holding all candidates' patterns plus ``margin`` [Th] on each side."""
    lo, hi = np.inf, -np.inf
    for c in candidates:
        p = isotope_pattern(c.ion, prob_to_cover)
        s = p.sigma(resolving_power).max()
        lo = min(lo, p.mz.min() - 6 * s)
        hi = max(hi, p.mz.max() + 6 * s)
    return float(lo - margin), float(hi + margin)


@dataclass(frozen=True, eq=False)
class DeconvolutionResult:
    """Abundances of the candidates in one spectrum.

    Attributes
    ----------
    labels : tuple of str, length k
    ions : tuple of Ion, length k
    abundance : ndarray, shape (k,)
        Ion signal of each candidate [intensity units summed over its points]; NaN
        where a candidate lies outside the spectrum.
    stderr : ndarray, shape (k,)
        Standard error of ``abundance``.
    covariance : ndarray, shape (k, k), or None
        Covariance of ``abundance`` over the active set (zeros elsewhere; see module);
        None for a fit with a grouping (see ``group_covariance``).
    baseline : ndarray, shape (n_baseline,)
        Baseline weights.
    residual_rms : float
        Root-mean-square residual [intensity units].
    fitted : ndarray, shape (n,)
        Model spectrum on the fitted grid.
    mz : ndarray, shape (n,)
        The fitted grid [Th].
    in_range : ndarray of bool, shape (k,)
        Candidates whose pattern lies (mostly) on the grid.
    time_s : float or None
    source : str
    group_covariance : ndarray, shape (n_obs, n_obs), or None
        Covariance of the grouped observables of :meth:`Deconvolver.fit` with ``grouping``.
    """

    labels: tuple[str, ...]
    ions: tuple
    abundance: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    baseline: np.ndarray
    residual_rms: float
    fitted: np.ndarray = field(repr=False)
    mz: np.ndarray = field(repr=False)
    in_range: np.ndarray = field(repr=False)
    time_s: float | None = None
    source: str = ""
    group_covariance: np.ndarray | None = field(default=None, repr=False)

    def fractions(self, efficiency: Mapping[str, float] | np.ndarray | None = None):
        """Abundances normalised to the total ion signal, with standard errors.

        Parameters
        ----------
        efficiency : mapping label -> factor, or array (k,), optional
            Relative ionisation/detection efficiency of each candidate; the
            abundances are divided by it before normalising.

        Returns
        -------
        fraction, fraction_stderr : ndarray, shape (k,)
            Sum of ``fraction`` over fitted candidates is 1; errors propagated
            from :attr:`covariance` (f = a/S, J = (I - f 1^T)/S).

        Raises
        ------
        DataError
            If the total fitted signal is 0 (nothing found).
        """
        if self.covariance is None:
            raise ConfigError(
                "this fit was made with a grouping of the candidates and has no candidate "
                "covariance; use intercluster.ms.timeseries.group_fractions"
            )
        eff = _efficiency_vector(efficiency, self.labels)
        a = np.where(self.in_range, self.abundance, 0.0) / eff
        cov = self.covariance / np.outer(eff, eff)
        total = a.sum()
        if not total > 0:
            raise DataError(
                f"{self.source or 'spectrum'}: no candidate signal was found, so intensities "
                f"cannot be normalised; check the m/z range and the candidates"
            )
        f = a / total
        jac = (np.eye(len(a)) - np.outer(f, np.ones(len(a)))) / total
        var = np.einsum("ij,jk,ik->i", jac, cov, jac)
        zero = (a == 0) & self.in_range
        err = np.sqrt(np.maximum(var, 0.0))
        err[zero] = (self.stderr / eff)[zero] / total
        f[~self.in_range] = np.nan
        err[~self.in_range] = np.nan
        return f, err

    def to_frame(self, efficiency=None):
        """Table: label, ion, charge, abundance, stderr, fraction, fraction_stderr."""
        import pandas as pd

        f, ferr = self.fractions(efficiency)
        return pd.DataFrame(
            {
                "label": list(self.labels),
                "ion": [str(i) for i in self.ions],
                "charge": [i.charge for i in self.ions],
                "abundance": self.abundance,
                "stderr": self.stderr,
                "fraction": f,
                "fraction_stderr": ferr,
            }
        )


def _efficiency_vector(efficiency, labels: Sequence[str]) -> np.ndarray:
    k = len(labels)
    if efficiency is None:
        return np.ones(k)
    if isinstance(efficiency, Mapping):
        unknown = set(efficiency) - set(labels)
        if unknown:
            raise ConfigError(
                f"efficiency: label(s) {sorted(unknown)[:3]} are not candidates; use labels such "
                f"as {labels[0]!r}"
            )
        eff = np.array([float(efficiency.get(lab, 1.0)) for lab in labels])
    else:
        eff = np.asarray(efficiency, dtype=float)
        if eff.shape != (k,):
            raise ConfigError(
                bad_value("efficiency", f"shape {eff.shape}", f"one value per candidate ({k})")
            )
    if not np.all(np.isfinite(eff)) or np.any(eff <= 0):
        raise ConfigError("efficiency: every ionisation efficiency must be a finite number > 0")
    return eff


class Deconvolver:
    """Precomputed design matrix for fitting many spectra on one m/z grid.

    Parameters
    ----------
    candidates : sequence of Candidate
        Ions to fit (e.g. :func:`intercluster.ms.observable_candidates`).
    mz_grid : array_like, shape (n,)
        m/z of the spectra's points [Th], ascending.
    resolving_power : float
        R = m/z / FWHM (default 25,000).
    baseline : {"none", "constant", "linear"}
    prob_to_cover : float
        Passed to :func:`intercluster.ms.isotope_pattern`.
    errors : {"sandwich", "uniform"}
        Standard errors from the heteroscedasticity-consistent sandwich
        estimator (default; counting noise grows with the signal) or assuming
        uniform noise (see the module docstring).

    Raises
    ------
    ConfigError
        For no candidates, duplicate labels, a bad resolving power or baseline,
        or when no candidate lies on the grid.
    DataError
        For a grid that is not ascending.

    Examples
    --------
    >>> import numpy as np
    >>> from intercluster.ms import candidates_from_ions, synthetic_spectrum
    >>> cands = candidates_from_ions(["[Ag12Au13(SR)18]-", "[Ag24Au26(SR)36]2-"])
    >>> grid = np.arange(6300.0, 6350.0, 0.01)
    >>> spec = synthetic_spectrum(cands, [0.3, 0.7], grid, total_counts=None)  # noise-free
    >>> res = Deconvolver(cands, grid).fit(spec)
    >>> np.round(res.fractions()[0], 4)
    array([0.3, 0.7])
    """

    def __init__(
        self,
        candidates: Sequence[Candidate],
        mz_grid,
        resolving_power: float = DEFAULT_RESOLVING_POWER,
        baseline: str = "linear",
        prob_to_cover: float = DEFAULT_PROB_TO_COVER,
        errors: str = "sandwich",
    ) -> None:
        self.candidates = list(candidates)
        if errors not in ERROR_MODELS:
            raise ConfigError(bad_value("errors", errors, f"one of {ERROR_MODELS}"))
        self.errors = errors
        if not self.candidates:
            raise ConfigError("deconvolution needs at least one candidate ion")
        labels = [c.label for c in self.candidates]
        if len(set(labels)) != len(labels):
            dup = next(lab for lab in labels if labels.count(lab) > 1)
            raise ConfigError(f"candidate label {dup!r} appears twice")
        if baseline not in BASELINES:
            raise ConfigError(bad_value("baseline", baseline, f"one of {BASELINES}"))
        self.resolving_power = check_resolving_power(resolving_power)
        self.baseline_model = baseline
        grid = _check_grid(mz_grid)
        self.mz = grid
        n, k = len(grid), len(self.candidates)
        w = point_spacing(grid) if n > 1 else np.ones(1)
        rows, cols, vals = [], [], []
        coverage = np.zeros(k)
        for j, c in enumerate(self.candidates):
            pat = isotope_pattern(c.ion, prob_to_cover)
            reach = 7.0 * float(pat.sigma(self.resolving_power).max())
            lo, hi = np.searchsorted(grid, [pat.mz[0] - reach, pat.mz[-1] + reach])
            hi = max(hi, lo)
            col = profile(pat, grid[lo:hi], self.resolving_power) * w[lo:hi] if hi > lo else []
            col = np.asarray(col, dtype=float)
            nz = np.flatnonzero(col)
            coverage[j] = col.sum()
            rows.append(nz + lo)
            cols.append(np.full(len(nz), j))
            vals.append(col[nz])
        self.in_range = coverage >= MIN_COVERAGE
        if not self.in_range.any():
            raise ConfigError(
                f"no candidate's isotope pattern lies in the spectrum's m/z range "
                f"{grid[0]:.1f}-{grid[-1]:.1f}; check the candidates and the spectrum"
            )
        base = []
        if baseline == "constant":
            base = [np.ones(n)]
        elif baseline == "linear":
            u = (grid - grid[0]) / (grid[-1] - grid[0]) if n > 1 else np.zeros(1)
            base = [1.0 - u, u]
        for b, col in enumerate(base):
            rows.append(np.arange(n))
            cols.append(np.full(n, k + b))
            vals.append(col)
        self.n_baseline = len(base)
        # SciPy on first use: assign and synth-spectra use this module's helpers only
        import scipy.linalg
        import scipy.sparse

        A = scipy.sparse.csc_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n, k + self.n_baseline),
        )
        active = np.concatenate([self.in_range, np.ones(self.n_baseline, bool)])
        self._active = np.flatnonzero(active)
        self.A = A
        As = A[:, self._active]
        norms = np.sqrt(np.asarray(As.multiply(As).sum(axis=0)).ravel())
        self._norms = norms
        self._As = (As @ scipy.sparse.diags(1.0 / norms)).tocsc()
        self._AsT = self._As.T.tocsr()
        G_sparse = (self._AsT @ self._As).tocsc()
        G = G_sparse.toarray()
        self._G = G
        ridge = 1e-12 * np.trace(G) / len(G)
        if len(G) < BPP_MIN_CANDIDATES:
            self._L = scipy.linalg.cholesky(G + ridge * np.eye(len(G)), lower=True)
            self._G_sparse = None
        else:
            self._L = None
            self._G_sparse = (G_sparse + ridge * scipy.sparse.eye(len(G), format="csc")).tocsc()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.candidates)

    def _grouped_result(
        self, z, free, resid, rss, dof, s2, grouping, fitted, time_s, source
    ) -> DeconvolutionResult:
        import scipy.sparse.linalg

        k = len(self.candidates)
        P = np.asarray(grouping, dtype=float)
        if P.ndim != 2 or P.shape[1] != k:
            raise ConfigError(
                bad_value(
                    "grouping", f"shape {P.shape}", f"(n_observables, {k}) for {k} candidates"
                )
            )
        cand_pos = self._active[self._active < k]
        n_c = len(cand_pos)
        m = len(z)
        Q = np.zeros((P.shape[0], m))
        Q[:, :n_c] = P[:, cand_pos]
        Q /= self._norms  # observables = P x = Q z  (x = z / norms)
        cov_o = np.zeros((P.shape[0], P.shape[0]))
        if free.any():
            idx = np.flatnonzero(free)
            if self._G_sparse is not None:
                lu = scipy.sparse.linalg.splu(self._G_sparse[idx][:, idx].tocsc())
                W = lu.solve(np.ascontiguousarray(Q[:, idx].T))  # G_FF^-1 Q_F^T
            else:
                W = scipy.linalg.solve(self._G[np.ix_(idx, idx)], Q[:, idx].T, assume_a="pos")
            if self.errors == "sandwich":
                a_f = self._As[:, idx]
                meat = a_f.T @ a_f.multiply(resid[:, None] ** 2)
                cov_o = (len(resid) / dof) * (W.T @ (meat @ W))
            else:
                cov_o = s2 * (Q[:, idx] @ W)
        err_z = np.full(m, np.nan)
        err_z[~free] = np.sqrt(s2 / np.diag(self._G)[~free])
        x = z / self._norms
        abundance = np.full(k, np.nan)
        stderr = np.full(k, np.nan)
        abundance[cand_pos] = x[:n_c]
        stderr[cand_pos] = (err_z / self._norms)[:n_c]
        return DeconvolutionResult(
            labels=self.labels,
            ions=tuple(c.ion for c in self.candidates),
            abundance=abundance,
            stderr=stderr,
            covariance=None,
            baseline=x[n_c:],
            residual_rms=float(np.sqrt(rss / len(resid))),
            fitted=fitted if fitted is not None else np.empty(0),
            mz=self.mz,
            in_range=self.in_range.copy(),
            time_s=time_s,
            source=source,
            group_covariance=cov_o,
        )

    def fit(
        self,
        spectrum: Spectrum | np.ndarray,
        keep_fitted: bool = True,
        grouping: np.ndarray | None = None,
    ) -> DeconvolutionResult:
        """Fit one spectrum recorded on this grid.

        Parameters
        ----------
        spectrum : Spectrum or ndarray, shape (n,)
            Intensities on :attr:`mz` (a Spectrum's m/z must equal the grid).
            Negative values (baseline-subtracted spectra) are used as they are.
        keep_fitted : bool
            Keep the model spectrum in the result.
        grouping : ndarray, shape (n_obs, k), optional
            Observables as linear combinations of the candidates' abundances
            (:meth:`CandidateSet.grouping_matrix`). When given, only the covariance
            of the observables is computed (``group_covariance``, by sparse
            solves with the n_obs right-hand sides), not the k x k covariance of
            the candidates (``covariance`` is None and ``stderr`` of fitted
            candidates NaN): for thousands of candidates this is what keeps a
            fit well under a second.

        Returns
        -------
        DeconvolutionResult

        Raises
        ------
        DataError
            If the spectrum's grid differs from this deconvolver's.
        ConfigError
            If ``grouping`` does not have k columns.
        """
        if isinstance(spectrum, Spectrum):
            if len(spectrum.mz) != len(self.mz) or not np.array_equal(spectrum.mz, self.mz):
                raise DataError(
                    f"{spectrum.source}: its m/z points differ from the grid this deconvolver "
                    f"was built for; build one per grid (deconvolve() does this)"
                )
            y, time_s, source = spectrum.intensity, spectrum.time_s, spectrum.source
        else:
            y, time_s, source = np.asarray(spectrum, dtype=float), None, "spectrum"
            if y.shape != self.mz.shape:
                raise DataError(
                    bad_value("intensity", f"shape {y.shape}", f"shape {self.mz.shape}")
                )
        import scipy.linalg
        import scipy.optimize

        c = self._AsT @ y
        if len(c) >= BPP_MIN_CANDIDATES:
            z = nnls_gram(self._G_sparse, c)
        else:
            d = scipy.linalg.solve_triangular(self._L, c, lower=True)
            z, _ = scipy.optimize.nnls(self._L.T, d, maxiter=50 * len(d))
        fitted = self._As @ z
        resid = y - fitted
        rss = float(resid @ resid)
        free = z > 0
        dof = max(len(y) - int(free.sum()), 1)
        s2 = rss / dof
        if grouping is not None:
            return self._grouped_result(
                z,
                free,
                resid,
                rss,
                dof,
                s2,
                grouping,
                fitted if keep_fitted else None,
                time_s,
                source,
            )
        m = len(z)
        cov_z = np.zeros((m, m))
        if free.any():
            idx = np.flatnonzero(free)
            g_inv = np.linalg.inv(self._G[np.ix_(idx, idx)])
            if self.errors == "sandwich":
                a_f = self._As[:, idx]
                meat = (a_f.T @ a_f.multiply(resid[:, None] ** 2)).toarray()
                cov_z[np.ix_(idx, idx)] = (len(y) / dof) * g_inv @ meat @ g_inv
            else:
                cov_z[np.ix_(idx, idx)] = s2 * g_inv
        err_z = np.sqrt(np.maximum(np.diag(cov_z), 0.0))
        err_z[~free] = np.sqrt(s2 / np.diag(self._G)[~free])
        x = z / self._norms
        cov_x = cov_z / np.outer(self._norms, self._norms)
        err_x = err_z / self._norms
        k = len(self.candidates)
        abundance = np.full(k, np.nan)
        stderr = np.full(k, np.nan)
        cov = np.zeros((k, k))
        cand_pos = self._active[self._active < k]
        n_c = len(cand_pos)
        abundance[cand_pos] = x[:n_c]
        stderr[cand_pos] = err_x[:n_c]
        cov[np.ix_(cand_pos, cand_pos)] = cov_x[:n_c, :n_c]
        return DeconvolutionResult(
            labels=self.labels,
            ions=tuple(c.ion for c in self.candidates),
            abundance=abundance,
            stderr=stderr,
            covariance=cov,
            baseline=x[n_c:],
            residual_rms=float(np.sqrt(rss / len(y))),
            fitted=fitted if keep_fitted else np.empty(0),
            mz=self.mz,
            in_range=self.in_range.copy(),
            time_s=time_s,
            source=source,
        )


def deconvolve(
    spectrum: Spectrum,
    candidates: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    baseline: str = "linear",
    crop: bool = True,
    prob_to_cover: float = DEFAULT_PROB_TO_COVER,
) -> DeconvolutionResult:
    """Abundances of candidate ions in one profile spectrum, with standard errors.

    Parameters
    ----------
    spectrum : Spectrum
        Profile spectrum (m/z [Th], intensity).
    candidates : sequence of Candidate
    resolving_power : float
        R = m/z / FWHM of the instrument (default 25,000, Neumaier et al. 2021).
    baseline : {"none", "constant", "linear"}
    crop : bool
        Fit only the m/z range of the candidates' patterns (plus 2 Th).

    Returns
    -------
    DeconvolutionResult

    Raises
    ------
    ConfigError
        See :class:`Deconvolver`.
    DataError
        If the cropped spectrum has fewer than 2 points.
    """
    if crop:
        lo, hi = candidate_window(candidates, resolving_power, prob_to_cover=prob_to_cover)
        spectrum = spectrum.select(lo, hi) if _enough(spectrum, lo, hi) else spectrum
    return Deconvolver(candidates, spectrum.mz, resolving_power, baseline, prob_to_cover).fit(
        spectrum
    )


def _enough(spectrum: Spectrum, lo: float, hi: float) -> bool:
    n = int(np.count_nonzero((spectrum.mz >= lo) & (spectrum.mz <= hi)))
    if n < 2:
        raise ConfigError(
            f"{spectrum.source}: the candidates' patterns ({lo:.1f}-{hi:.1f} Th) lie outside the "
            f"spectrum ({spectrum.mz[0]:.1f}-{spectrum.mz[-1]:.1f} Th)"
        )
    return True
