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

import weakref

import numpy as np

__all__ = ["normalise", "observable_concentrations", "t_max"]


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
