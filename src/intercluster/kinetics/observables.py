"""What a mass spectrometer sees: observables, normalised intensities, t_max.

Neumaier et al., JACS 2021, 143, 6969: monomers and dimer sum formulas are
the 77 observables for N = 25 (all isomers of a dimer sum formula summed);
"simulated concentrations ... have been normalized to the sum of all ion
concentrations"; t_max,i is "the time when each species i passes through its
maximum concentration (as measured by ESI-MS signal)" (eq 1).

For a general model (families, complexes) the observables are the distinct sum
formulas of the charged species, per family combination, ligand shell and
charge (``[Ag3Au72(SR)54]3-`` for all trimer isomers with 3 Ag), in order of
first appearance; neutral fragments give no signal
(:attr:`intercluster.network.ClusterSystem.observables`).
"""

from __future__ import annotations

import math
import weakref

import numpy as np

__all__ = ["normalise", "observable_concentrations", "observable_sums", "observe", "t_max"]


def observable_concentrations(network, concentration: np.ndarray) -> np.ndarray:
    """Sum dimer isomers into sum formulas.

    Parameters
    ----------
    network : Network
    concentration : array, shape (n_time, n_species) [nmol/L]

    Returns
    -------
    array, shape (n_time, n_observables) [nmol/L]
        Monomers m = 0..N, then dimer sum formulas s = 0..2N (general models:
        ``network.observable_labels``).
    """
    return _observable_concentrations(network, concentration)


def observe(network, concentration: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Observables, normalised intensities and the smallest concentration in one pass.

    Parameters
    ----------
    network : Network
    concentration : array, shape (n_time, n_species) [nmol/L]

    Returns
    -------
    obs : array, shape (n_time, n_observables) [nmol/L]
        As :func:`observable_concentrations`.
    intensity : array, shape (n_time, n_observables)
        As :func:`normalise` of ``obs``.
    min_concentration : float
        The smallest entry of ``concentration`` [nmol/L] (NaN if it is empty).

    Notes
    -----
    Where every species feeds at most one observable (the single-family model and
    every observation model without split contributions) a C kernel does all three in
    one single-threaded pass over the concentrations (N = 25, 3621 times x 377 species:
    ~1 ms against ~4 ms for the matrix product, normalisation and minimum, and no BLAS
    thread pool competing with other work on a loaded machine); otherwise the matrix
    product.
    """
    conc = np.asarray(concentration)
    plan = _one_to_one(network)
    if plan is not None and conc.ndim == 2 and conc.dtype == np.float64:
        from intercluster.kinetics import _bdf

        conc = np.ascontiguousarray(conc)
        n_obs = network.observable_matrix.shape[0]
        obs = np.empty((conc.shape[0], n_obs))
        intensity = np.empty_like(obs)
        low = _bdf.observe(conc, plan[0], plan[1], n_obs, obs, intensity)
        return obs, intensity, float(low)
    obs = _observable_concentrations(network, conc)
    return obs, normalise(obs), float(conc.min()) if conc.size else math.nan


def observable_sums(network, values: np.ndarray) -> np.ndarray:
    """Species quantities summed into observables along the last axis: ``values``
    (..., n_species) -> (..., n_observables), e.g. sensitivities d conc / d ln p
    (time, parameter, species) -> (time, parameter, observable). The C kernel of
    :func:`observe` where each species feeds at most one observable, else the matrix
    product."""
    values = np.asarray(values, dtype=float)
    M = network.observable_matrix
    lead = values.shape[:-1]
    flat = np.ascontiguousarray(values.reshape(-1, values.shape[-1]))
    plan = _one_to_one(network)
    if plan is not None:
        from intercluster.kinetics import _bdf

        out = np.empty((flat.shape[0], M.shape[0]))
        _bdf.observe(flat, plan[0], plan[1], M.shape[0], out, None)
    else:
        from scipy.sparse import csr_matrix

        out = np.asarray(flat @ csr_matrix(M.T))
    return out.reshape(*lead, M.shape[0])


def _one_to_one(network):
    """(index, weight) per species if each species feeds at most one observable
    (index -1: none), else None; cached per network."""
    if network in _PLAN:
        return _PLAN[network]
    M = network.observable_matrix.tocsc()
    counts = np.diff(M.indptr)
    plan = None
    if counts.max(initial=0) <= 1:
        index = np.full(M.shape[1], -1, dtype=np.int64)
        weight = np.zeros(M.shape[1])
        cols = np.flatnonzero(counts)
        index[cols] = M.indices[M.indptr[cols]]
        weight[cols] = M.data[M.indptr[cols]]
        plan = (index, weight)
    _PLAN[network] = plan
    return plan


_PLAN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _observable_concentrations(network, concentration) -> np.ndarray:
    M = network.observable_matrix
    conc = np.asarray(concentration)
    if M.shape[0] * M.shape[1] <= DENSE_OBSERVABLE_ENTRIES and conc.ndim == 2:
        # a contiguous (time, species) x (species, observable) product: 3 x faster than the
        # sparse product, which copies the transposed concentrations (N = 25: 3.4 vs 9.2 ms)
        dense = _DENSE.get(network)
        if dense is None:
            dense = _DENSE[network] = np.ascontiguousarray(M.toarray().T)
        return np.ascontiguousarray(conc) @ dense
    return np.asarray(M @ conc.T).T


#: Largest observable matrix (observables x species) multiplied as a dense array; above it
#: (N = 144: 433 x 10,730) the sparse product is cheaper.
DENSE_OBSERVABLE_ENTRIES = 200_000
_DENSE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def normalise(obs_conc: np.ndarray) -> np.ndarray:
    """Each row divided by its sum: intensity normalised to the total ion signal.

    Parameters
    ----------
    obs_conc : array, shape (n_time, n_observables) [nmol/L]

    Returns
    -------
    array, same shape, dimensionless, rows summing to 1 (rows of zeros stay zero).
    """
    obs_conc = np.asarray(obs_conc, dtype=float)
    total = obs_conc.sum(axis=-1, keepdims=True)
    positive = total > 0
    inverse = np.divide(1.0, total, out=np.zeros_like(total), where=positive)
    out = obs_conc * inverse
    if not positive.all():  # rows of zeros stay zero, also where an entry is not finite
        out[~positive[..., 0]] = 0.0
    return out


def t_max(time: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Time of the maximum of each column, refined between grid points.

    The grid maximum (first one if tied) is refined by the vertex of the
    parabola through it and its two neighbours; a maximum at the first or last
    point stays there. A column that is zero everywhere has no maximum (NaN).

    Parameters
    ----------
    time : array, shape (n_time,) [s]
    values : array, shape (n_time, n_columns)

    Returns
    -------
    array, shape (n_columns,) [s]

    Examples
    --------
    >>> t = np.arange(0.0, 10.0)
    >>> round(float(t_max(t, (100 - (t - 4.3) ** 2)[:, None])[0]), 9)
    4.3
    """
    time = np.asarray(time, dtype=float)
    values = np.asarray(values, dtype=float)
    n = len(time)
    i = np.argmax(values, axis=0)
    out = time[i].copy()
    cols = np.arange(values.shape[1])
    inner = (i > 0) & (i < n - 1)
    if np.any(inner):
        ii, cc = i[inner], cols[inner]
        t0, t1, t2 = time[ii - 1], time[ii], time[ii + 1]
        y0, y1, y2 = values[ii - 1, cc], values[ii, cc], values[ii + 1, cc]
        num = (t1 - t0) ** 2 * (y1 - y2) - (t1 - t2) ** 2 * (y1 - y0)
        den = (t1 - t0) * (y1 - y2) - (t1 - t2) * (y1 - y0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shift = np.where(den != 0, 0.5 * num / np.where(den != 0, den, 1.0), 0.0)
        out[inner] = np.clip(t1 - shift, t0, t2)
    out[~np.any(values > 0, axis=0)] = np.nan
    return out
