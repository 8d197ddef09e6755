"""A series of spectra -> time-resolved observables, in the layout the kinetics fit reads.

Each spectrum is deconvolved against the observables of an exchange system
(monomers [Ag_m Au_(N-m)(SR)18]-, then dimer sum formulas
[Ag_s Au_(2N-s)(SR)36]2-; Neumaier et al., JACS 2021, 002, Figure 1 and
"Kinetic Model") and the abundances are normalised to the total ion signal.
The table has exactly the layout of ``observables.csv`` written by
``intercluster simulate``: ``time_s`` first, then one column per observable
label in the system's order, each row summing to 1.

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
from intercluster.ms.candidates import SystemLike, observable_candidates
from intercluster.ms.deconvolve import Deconvolver, candidate_window
from intercluster.ms.patterns import DEFAULT_RESOLVING_POWER
from intercluster.ms.spectrum import Spectrum

__all__ = ["ObservableSeries", "spectra_to_observables", "write_observables"]


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
    """

    observables: object
    stderr: object
    residual_rms: np.ndarray


_WORKER: dict = {}


def _init_worker(deconvolvers: dict) -> None:
    _WORKER["deconvolvers"] = deconvolvers


def _fit_one(args):
    key, intensity, efficiency = args
    res = _WORKER["deconvolvers"][key].fit(intensity, keep_fitted=False)
    f, err = res.fractions(efficiency)
    return f, err, res.residual_rms


def _grid_key(mz: np.ndarray) -> tuple:
    return (len(mz), float(mz[0]), float(mz[-1]), hash(mz.tobytes()))


def spectra_to_observables(
    spectra: Sequence[Spectrum],
    system: SystemLike,
    ligand: str = "SR",
    n_ligands: int = 18,
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    baseline: str = "linear",
    efficiency: Mapping[str, float] | None = None,
    n_jobs: int = 1,
    progress: bool = False,
) -> ObservableSeries:
    """Deconvolve a time series of spectra into normalised observables.

    Parameters
    ----------
    spectra : sequence of Spectrum
        Each with ``time_s`` [s] (times after mixing), e.g. from
        :func:`intercluster.ms.read_spectra`.
    system : ExchangeSystem
        Gives the observables, their labels and order.
    ligand, n_ligands : ligand shell of a monomer (default SR x 18)
    resolving_power : float
        m/z / FWHM of the instrument (default 25,000, 002).
    baseline : {"none", "constant", "linear"}
    efficiency : mapping label -> relative ionisation efficiency, optional
        Abundances are divided by it before normalising.
    n_jobs : int
        Worker processes for the fits (1 = in this process).
    progress : bool
        Show a progress bar.

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
        For bad options (n_jobs < 1, resolving power, baseline, efficiency labels).
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
    cands = observable_candidates(system, ligand, n_ligands)
    labels = [c.label for c in cands]
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
    jobs = [(key, s.intensity, efficiency) for key, s in zip(keys, cropped)]
    bar = tqdm(total=len(jobs), desc="deconvolving spectra", disable=not progress)
    results = []
    try:
        if n_jobs == 1 or len(jobs) == 1:
            _init_worker(deconvolvers)
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
                initargs=(deconvolvers,),
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
    return ObservableSeries(obs, se, np.array([r[2] for r in results]))


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
