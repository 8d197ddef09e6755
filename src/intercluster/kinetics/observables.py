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

__all__ = [
    "matrix_plan",
    "normalise",
    "observable_concentrations",
    "observable_sums",
    "observation_plan",
    "observe",
    "t_max",
]


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


def observe(network, concentration: np.ndarray):
    """Observables, normalised intensities, the smallest concentration and the grid
    maxima in one pass.

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
    imax : array of int, shape (n_observables,)
        Row of each observable's largest intensity (the first if tied), for
        :func:`t_max`.

    Notes
    -----
    A C kernel gathers each observable from the species of its row of
    ``network.observable_matrix`` (CSR: the row of concentrations in L1, the sums in
    registers), normalises, and tracks the minimum and the grid maxima, in one
    single-threaded pass (N = 25, 3601 times x 377 species: about a millisecond; the
    matrix product alone took 2.7 ms on two BLAS threads, more on a loaded machine).
    """
    conc = np.asarray(concentration)
    if conc.ndim == 2 and conc.dtype == np.float64:
        from intercluster.kinetics import _bdf

        ptr, species, weight = observation_plan(network)
        conc = np.ascontiguousarray(conc)
        obs = np.empty((conc.shape[0], len(ptr) - 1))
        intensity = np.empty_like(obs)
        imax = np.empty(len(ptr) - 1, dtype=np.int64)
        low = _bdf.observe(conc, ptr, species, weight, obs, intensity, imax)
        return obs, intensity, float(low), imax
    obs = observable_concentrations(network, conc)
    intensity = normalise(obs)
    low = float(conc.min()) if conc.size else math.nan
    return obs, intensity, low, np.argmax(intensity, axis=0)


def observable_sums(network, values: np.ndarray) -> np.ndarray:
    """Species quantities summed into observables along the last axis: ``values``
    (..., n_species) -> (..., n_observables), e.g. sensitivities d conc / d ln p
    (time, parameter, species) -> (time, parameter, observable), by the C kernel of
    :func:`observe` (sums only)."""
    from intercluster.kinetics import _bdf

    values = np.asarray(values, dtype=float)
    ptr, species, weight = observation_plan(network)
    lead = values.shape[:-1]
    flat = np.ascontiguousarray(values.reshape(-1, values.shape[-1]))
    out = np.empty((flat.shape[0], len(ptr) - 1))
    _bdf.observe(flat, ptr, species, weight, out, None)
    return out.reshape(*lead, len(ptr) - 1)


def observation_plan(network):
    """The observation matrix as CSR arrays (:func:`matrix_plan`) for the C kernel of
    :func:`observe` and for ``CompiledNetwork.integrate(observation=...)``, which observes
    the output rows four at a time while they are in cache; cached per network."""
    plan = _PLAN.get(network)
    if plan is None:
        plan = _PLAN[network] = matrix_plan(network.observable_matrix)
    return plan


def matrix_plan(matrix) -> tuple:
    """An observation matrix (observables x species, sparse or dense) as the CSR arrays
    the C kernel takes: (ptr int64 (n_observables + 1,), species int64 (nnz,), weight
    float64 (nnz,) or None if every weight is 1), members of each row in species order."""
    from scipy.sparse import csr_matrix

    M = csr_matrix(matrix)
    M.sort_indices()
    weight = np.ascontiguousarray(M.data, dtype=float)
    return (
        np.ascontiguousarray(M.indptr, dtype=np.int64),
        np.ascontiguousarray(M.indices, dtype=np.int64),
        None if np.all(weight == 1.0) else weight,
    )


_PLAN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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


def t_max(time: np.ndarray, values: np.ndarray, imax: np.ndarray | None = None) -> np.ndarray:
    """Time of the maximum of each column, refined between grid points.

    The grid maximum (first one if tied) is refined by the vertex of the
    parabola through it and its two neighbours; a maximum at the first or last
    point stays there. A column that is zero everywhere has no maximum (NaN).

    Parameters
    ----------
    time : array, shape (n_time,) [s]
    values : array, shape (n_time, n_columns)
    imax : array of int, shape (n_columns,), optional
        Row of each column's maximum (the first if tied), if already known
        (:func:`observe` finds it while it normalises).

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
    i = np.argmax(values, axis=0) if imax is None else np.asarray(imax)
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
    if n:
        out[~(values[i, cols] > 0)] = np.nan  # the maximum is > 0 unless the column is not
    return out
