"""A series of spectra -> time-resolved observables, in the layout the kinetics fit reads.

Each spectrum is deconvolved against candidate ions and the abundances are
normalised to the total ion signal of the observables. Two ways to say what
the observables are:

- an exchange system (Neumaier et al., JACS 2021, 143, 6969, Figure 1 and
  "Kinetic Model"): its observables, monomers [Ag_m Au_(N-m)(SR)18]- then dimer
  sum formulas [Ag_s Au_(2N-s)(SR)36]2-, each one ion; the trimers
  [Ag_m Au_(3N-m)(SR)54]3- (Figure S2) are fitted beside them by default so
  that their signal does not leak into the monomers and dimers at the same
  m/z, but are not observables of the model and are left out of the
  normalisation;
- a :class:`~intercluster.ms.candidates.CandidateSet` built from any list of
  ions (several families, charge states, adducts; e.g. every ion of a
  network, composed by the caller since ``ms`` does not import ``network``),
  optionally grouped: an observable is then the sum of its ions' signals, each
  divided by its relative response (weight).

The observables table has exactly the layout of ``observables.csv`` written by
``intercluster simulate``: ``time_s`` first, then one column per observable
label, each row summing to 1. The per-ion table (every candidate's share of the
total fitted signal) is returned beside it.

The design matrix is built once per distinct m/z grid and shared by all
spectra on that grid; ``n_jobs > 1`` fits the spectra in worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError, DataError, bad_value
from intercluster.io import atomic_file
from intercluster.ms.candidates import (
    Candidate,
    CandidateSet,
    SystemLike,
    observable_candidates,
    trimer_candidates,
)
from intercluster.ms.deconvolve import Deconvolver, _efficiency_vector, candidate_window
from intercluster.ms.patterns import DEFAULT_RESOLVING_POWER
from intercluster.ms.spectrum import Spectrum

__all__ = ["ObservableSeries", "group_fractions", "spectra_to_observables", "write_observables"]


@dataclass(frozen=True)
class ObservableSeries:
    """Normalised intensities of the observables over time.

    Attributes
    ----------
    observables : pandas.DataFrame, shape (n_times, 1 + n_observables)
        ``time_s`` [s], then one column per observable label; rows sum to 1.
    stderr : pandas.DataFrame
        Same layout: standard errors of the normalised intensities.
    residual_rms : ndarray, shape (n_times,)
        Fit residual of each spectrum [intensity units].
    ions : pandas.DataFrame, shape (n_times, 1 + n_candidates)
        ``time_s``, then every candidate ion's share of the total fitted signal of
        all candidates (NaN for an ion outside the spectrum).
    """

    observables: object
    stderr: object
    residual_rms: np.ndarray
    ions: object = None


_WORKER: dict = {}


def _init_worker(deconvolvers: dict, grouping: np.ndarray, efficiency) -> None:
    _WORKER["deconvolvers"] = deconvolvers
    _WORKER["grouping"] = grouping
    _WORKER["efficiency"] = efficiency


def _fit_one(args):
    key, intensity = args
    res = _WORKER["deconvolvers"][key].fit(
        intensity, keep_fitted=False, grouping=_WORKER["grouping"]
    )
    f, err = group_fractions(res, _WORKER["grouping"], _WORKER["efficiency"])
    a = np.where(res.in_range, res.abundance, np.nan)
    total = np.nansum(a)
    return f, err, res.residual_rms, a / total if total > 0 else a * np.nan


def group_fractions(result, grouping: np.ndarray, efficiency: np.ndarray | None = None):
    """Observables as sums of candidate signals, normalised, with standard errors.

    Parameters
    ----------
    result : DeconvolutionResult
        k candidates.
    grouping : ndarray, shape (n_obs, k)
        Observable i = sum_j grouping[i, j] * abundance_j (1 / relative response of
        ion j in observable i; see :meth:`CandidateSet.grouping_matrix`). Candidates
        in no observable (nuisance ions such as trimers) have zero columns.
    efficiency : ndarray, shape (n_obs,), optional
        Relative ionisation efficiency of each observable; divided out before normalising.

    Returns
    -------
    fraction, fraction_stderr : ndarray, shape (n_obs,)
        ``fraction`` sums to 1 over observables with some ion on the grid (NaN for
        the others); errors from the covariance, C_o = G C G^T and the Jacobian of
        f = o / sum(o); an observable fitted as 0 gets sqrt(sum_j G_ij^2 se_j^2) / total.

    Raises
    ------
    DataError
        If the total observable signal is 0.
    """
    G = np.asarray(grouping, dtype=float)
    eff = np.ones(G.shape[0]) if efficiency is None else np.asarray(efficiency, dtype=float)
    Ge = G / eff[:, None]
    inr = result.in_range
    a = np.where(inr, result.abundance, 0.0)
    se = np.where(inr, result.stderr, 0.0)
    o = Ge @ a
    if result.group_covariance is not None:
        if result.group_covariance.shape != (len(o), len(o)):
            raise ConfigError("group_fractions: the fit was made with another grouping")
        cov = result.group_covariance / np.outer(eff, eff)
    else:
        cov = Ge @ result.covariance @ Ge.T
    observed = (np.abs(G) @ inr.astype(float)) > 0
    total = o[observed].sum()
    if not total > 0:
        raise DataError(
            f"{result.source or 'spectrum'}: no signal of the observables was found, so "
            f"intensities cannot be normalised; check the m/z range and the candidates"
        )
    n = len(o)
    f = o / total
    jac = (np.eye(n) - np.outer(f, observed.astype(float))) / total
    var = np.einsum("ij,jk,ik->i", jac, cov, jac)
    err = np.sqrt(np.maximum(var, 0.0))
    zero = (o == 0) & observed
    err[zero] = np.sqrt((Ge**2 @ se**2)[zero]) / total
    f[~observed] = np.nan
    err[~observed] = np.nan
    return f, err


def _grid_key(mz: np.ndarray) -> tuple:
    return (len(mz), float(mz[0]), float(mz[-1]), hash(mz.tobytes()))


def spectra_to_observables(
    spectra: Sequence[Spectrum],
    system: SystemLike | None = None,
    ligand: str = "SR",
    n_ligands: int = 18,
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    baseline: str = "linear",
    efficiency: Mapping[str, float] | None = None,
    n_jobs: int = 1,
    progress: bool = False,
    candidates: CandidateSet | Sequence[Candidate] | None = None,
    trimers: bool = True,
) -> ObservableSeries:
    """Deconvolve a time series of spectra into normalised observables.

    Parameters
    ----------
    spectra : sequence of Spectrum
        Each with ``time_s`` [s] (times after mixing), e.g. from
        :func:`intercluster.ms.read_spectra`.
    system : ExchangeSystem, optional
        Gives the observables, their labels and order (when ``candidates`` is None).
    ligand, n_ligands : ligand shell of a monomer (default SR x 18)
    resolving_power : float
        m/z / FWHM of the instrument (default 25,000, Neumaier et al. 2021).
    baseline : {"none", "constant", "linear"}
    efficiency : mapping observable label -> relative ionisation efficiency, optional
        Abundances are divided by it before normalising.
    n_jobs : int
        Worker processes for the fits (1 = in this process).
    progress : bool
        Show a progress bar.
    candidates : CandidateSet or sequence of Candidate, optional
        The ions to fit instead of the system's observables; with groups, the
        observables are the groups (see :func:`intercluster.ms.read_candidates`).
    trimers : bool
        With a system: also fit its trimers (not reported as observables).

    Returns
    -------
    ObservableSeries
        Rows sorted by time.

    Raises
    ------
    DataError
        If there are no spectra, a spectrum has no time, two spectra share a
        time, or a spectrum contains no candidate signal.
    ConfigError
        For bad options (n_jobs < 1, resolving power, baseline, efficiency labels),
        or neither ``system`` nor ``candidates``.
    """
    import pandas as pd
    from tqdm import tqdm

    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ConfigError(bad_value("n_jobs", n_jobs, "an integer >= 1"))
    if not spectra:
        raise DataError("no spectra given; a time series needs at least one spectrum")
    for s in spectra:
        if s.time_s is None:
            raise DataError(
                f"{s.source}: has no time; name files by time ('t_180s.csv') or use an mzML "
                f"file with scan start times"
            )
    times = [s.time_s for s in spectra]
    if len(set(times)) != len(times):
        dup = next(t for t in times if times.count(t) > 1)
        raise DataError(f"two spectra have the same time {dup:g} s; each time may appear once")
    spectra = sorted(spectra, key=lambda s: s.time_s)
    if candidates is not None:
        cset = (
            candidates if isinstance(candidates, CandidateSet) else CandidateSet(list(candidates))
        )
        cands = list(cset.candidates)
        labels = list(cset.observable_labels)
        grouping = cset.grouping_matrix()
    elif system is not None:
        cands = observable_candidates(system, ligand, n_ligands)
        labels = [c.label for c in cands]
        grouping = np.eye(len(cands))
        if trimers:
            cands += trimer_candidates(system, ligand, n_ligands)
            grouping = np.hstack([grouping, np.zeros((len(labels), len(cands) - len(labels)))])
    else:
        raise ConfigError("spectra_to_observables needs a system or candidates")
    eff = _efficiency_vector(efficiency, labels) if efficiency is not None else None
    lo, hi = candidate_window(cands, resolving_power)
    cropped = [
        s.select(lo, hi) if np.count_nonzero((s.mz >= lo) & (s.mz <= hi)) >= 2 else s
        for s in spectra
    ]
    deconvolvers: dict = {}
    keys = []
    for s in cropped:
        key = _grid_key(s.mz)
        if key not in deconvolvers:
            deconvolvers[key] = Deconvolver(cands, s.mz, resolving_power, baseline)
        keys.append(key)
    jobs = [(key, s.intensity) for key, s in zip(keys, cropped)]
    bar = tqdm(total=len(jobs), desc="deconvolving spectra", disable=not progress)
    results = []
    try:
        if n_jobs == 1 or len(jobs) == 1:
            _init_worker(deconvolvers, grouping, eff)
            for job, s in zip(jobs, cropped):
                try:
                    results.append(_fit_one(job))
                except DataError as exc:
                    raise DataError(f"{s.source}: {exc}") from None
                bar.update()
        else:
            with ProcessPoolExecutor(
                max_workers=min(n_jobs, len(jobs)),
                initializer=_init_worker,
                initargs=(deconvolvers, grouping, eff),
            ) as pool:
                for r in pool.map(_fit_one, jobs, chunksize=max(1, len(jobs) // (4 * n_jobs))):
                    results.append(r)
                    bar.update()
    finally:
        bar.close()
        _WORKER.clear()
    frac = np.array([r[0] for r in results])
    err = np.array([r[1] for r in results])
    t = np.array([s.time_s for s in spectra])
    obs = pd.DataFrame(frac, columns=labels)
    obs.insert(0, "time_s", t)
    se = pd.DataFrame(err, columns=labels)
    se.insert(0, "time_s", t)
    ions = pd.DataFrame(np.array([r[3] for r in results]), columns=[c.label for c in cands])
    ions.insert(0, "time_s", t)
    return ObservableSeries(obs, se, np.array([r[2] for r in results]), ions)


def write_observables(frame, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Write an observables table as CSV (``time_s`` first), atomically.

    Raises
    ------
    DataError
        If the first column is not ``time_s``.
    """
    if list(frame.columns[:1]) != ["time_s"]:
        raise DataError("observables table: the first column must be 'time_s'")
    path = Path(path)
    with atomic_file(path, overwrite=overwrite) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.10g")
    return path
