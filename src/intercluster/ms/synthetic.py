"""Synthetic mass spectra: what an instrument would record for given ion abundances.

For testing and teaching: a simulation result (normalised intensities of the
observables over time, as written by ``intercluster simulate``) becomes the
series of profile spectra a time-resolved ESI-MS experiment would give
(Neumaier et al., JACS 2021, 002, Figure 1a), which :mod:`intercluster.ms.timeseries`
turns back into observables.

Noise model (documented, adjustable): the expected count at point i is

    lambda_i = N_ions * sum_j f_j e_j / sum_k f_k e_k * P_j(x_i) w_i + b,

with f_j the normalised intensity, e_j an optional relative ionisation
efficiency, P_j the profile density at resolving power R, w_i the point spacing
and b a constant baseline [counts]. The recorded value is Poisson(lambda_i)
(ion counting) plus Gaussian detector noise of standard deviation ``noise_sd``
[counts], clipped at 0. Defaults: N_ions = 10^6 per spectrum, b = 5, noise_sd = 2.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError, DataError, bad_value
from intercluster.io import atomic_output_dir
from intercluster.ms.candidates import Candidate, SystemLike, observable_candidates
from intercluster.ms.deconvolve import _efficiency_vector, candidate_window, point_spacing
from intercluster.ms.patterns import (
    DEFAULT_RESOLVING_POWER,
    _check_grid,
    check_resolving_power,
    isotope_pattern,
    profile,
)
from intercluster.ms.spectrum import Spectrum, write_spectrum_csv
from intercluster.validation import check_memory, in_range, number, random_generator, read_text

__all__ = [
    "NoiseModel",
    "SimulationObservables",
    "default_mz_grid",
    "read_efficiency_table",
    "read_simulation_result",
    "synthesize_series",
    "synthetic_spectrum",
    "write_spectra",
]


@dataclass(frozen=True)
class NoiseModel:
    """Counting and detector noise of synthetic spectra (see the module docstring).

    Attributes
    ----------
    total_counts : float or None
        Ions per spectrum N_ions; None gives the noise-free expected spectrum
        (in units of fractions, no baseline or noise).
    baseline : float
        Constant baseline b [counts per point].
    noise_sd : float
        Standard deviation of Gaussian detector noise [counts per point].
    """

    total_counts: float | None = 1e6
    baseline: float = 5.0
    noise_sd: float = 2.0

    def __post_init__(self) -> None:
        if self.total_counts is not None:
            number(
                "total_counts",
                self.total_counts,
                f"a number of ions > 0 and <= {MAX_COUNTS:g}",
                lambda v: 0 < v <= MAX_COUNTS,
            )
        for name in ("baseline", "noise_sd"):
            in_range(name, getattr(self, name), 0, MAX_COUNTS)


#: Arrays of the m/z grid's length a synthetic spectrum holds (grid, profile,
#: expected and noisy counts, their sum, the written table).
GRID_COPIES = 8
#: Largest expected count per spectrum (numpy's Poisson sampler stops near 1e19).
MAX_COUNTS = 1e15


def default_mz_grid(
    candidates: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    points_per_fwhm: float = 8.0,
    margin: float = 2.0,
) -> np.ndarray:
    """Uniform m/z grid [Th] over all candidates' patterns, ``points_per_fwhm`` points
    per FWHM at its low end.

    Raises
    ------
    ConfigError
        For points_per_fwhm < 2 or a bad resolving power.
    """
    points_per_fwhm = in_range("points_per_fwhm", points_per_fwhm, 2, 1000)
    R = check_resolving_power(resolving_power)
    lo, hi = candidate_window(candidates, R, margin)
    step = lo / R / points_per_fwhm
    n_points = (hi - lo) / step + 1
    check_memory(
        f"an m/z grid of {n_points:.3g} points",
        n_points * 8 * GRID_COPIES,
        allow="a smaller resolving power or points_per_fwhm",
    )
    return lo + step * np.arange(int(np.ceil((hi - lo) / step)) + 1)


def synthetic_spectrum(
    candidates: Sequence[Candidate],
    abundances,
    mz_grid,
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    total_counts: float | None = 1e6,
    baseline: float = 5.0,
    noise_sd: float = 2.0,
    efficiency: Mapping[str, float] | np.ndarray | None = None,
    seed: int | np.random.Generator | None = 0,
    time_s: float | None = None,
) -> Spectrum:
    """One synthetic profile spectrum.

    Parameters
    ----------
    candidates : sequence of Candidate, length k
    abundances : array_like, shape (k,)
        Relative abundances (normalised intensities) of the candidates, >= 0.
    mz_grid : array_like, shape (n,)
        m/z points [Th], ascending.
    resolving_power : float
    total_counts, baseline, noise_sd : see :class:`NoiseModel`
    efficiency : mapping label -> factor or array (k,), optional
        Relative ionisation efficiency; multiplies each candidate's share.
    seed : int or numpy.random.Generator
        Randomness for the noise (reproducible).
    time_s : float, optional

    Returns
    -------
    Spectrum
        Counts per point (with ``total_counts=None``: the noise-free expected
        signal, intensities in units of abundance per point).

    Raises
    ------
    ConfigError
        For abundances of the wrong shape, negative or all zero, or bad noise settings.
    """
    noise = NoiseModel(total_counts, baseline, noise_sd)
    grid = _check_grid(mz_grid)
    k = len(candidates)
    f = np.asarray(abundances, dtype=float)
    if f.shape != (k,) or not np.all(np.isfinite(f)) or np.any(f < 0) or not f.sum() > 0:
        raise ConfigError(
            bad_value("abundances", f"shape {f.shape}", f"{k} finite values >= 0, not all 0")
        )
    eff = _efficiency_vector(efficiency, [c.label for c in candidates])
    share = f * eff / np.dot(f, eff)
    R = check_resolving_power(resolving_power)
    w = point_spacing(grid)
    expected = np.zeros(len(grid))
    for c, s in zip(candidates, share):
        if s > 0:
            expected += s * profile(isotope_pattern(c.ion), grid, R)
    expected *= w
    if noise.total_counts is None:
        return Spectrum(grid, expected, time_s, "synthetic")
    rng = random_generator("seed", seed)
    lam = noise.total_counts * expected + noise.baseline
    y = rng.poisson(lam).astype(float)
    if noise.noise_sd > 0:
        y += rng.normal(0.0, noise.noise_sd, len(y))
    return Spectrum(grid, np.clip(y, 0.0, None), time_s, "synthetic")


@dataclass(frozen=True)
class SimulationObservables:
    """What a simulation result folder holds for the MS side.

    Attributes
    ----------
    system : dict
        ``summary.json["system"]``: metal_a, metal_b, n_atoms, charge.
    observables : pandas.DataFrame
        ``observables.csv``: ``time_s`` then one column per observable label.
    path : Path
    """

    system: dict
    observables: object
    path: Path


def _negative_tolerance(summary: dict) -> float:
    """Relative amount below 0 that still counts as 0: the solver's absolute tolerance
    (``solver.atol_nM`` of summary.json, default 1e-12 nmol/L) over the total initial
    concentration [nmol/L]."""
    try:
        atol = float(summary.get("solver", {}).get("atol_nM", 1e-12))
        total = float(sum(float(v) for v in summary.get("initial_conc_nM", {}).values()))
    except (AttributeError, TypeError, ValueError):
        return 0.0
    if not (np.isfinite(atol) and atol > 0 and np.isfinite(total) and total > 0):
        return 0.0
    return atol / total


def read_simulation_result(result_dir: str | os.PathLike) -> SimulationObservables:
    """Read ``observables.csv`` and ``summary.json`` of a simulation result folder.

    Intensities between minus the solver's absolute tolerance (as a relative amount:
    atol_nM / total initial concentration, from summary.json) and 0 are read as 0:
    the integrator keeps concentrations non-negative only to within its tolerance.

    Raises
    ------
    DataError
        If a file is missing or unreadable, ``summary.json`` has no ``system``
        entry, the first column is not ``time_s``, or a value is not a finite
        number >= 0 (the message names the file, row and column).
    """
    import pandas as pd

    folder = Path(result_dir)
    if not folder.is_dir():
        raise DataError(f"result folder {str(folder)!r} does not exist")
    summary_path = folder / "summary.json"
    obs_path = folder / "observables.csv"
    for p in (summary_path, obs_path):
        if not p.is_file():
            raise DataError(
                f"{folder}: {p.name} is missing; give a folder written by 'intercluster simulate'"
            )
    try:
        summary = json.loads(read_text(summary_path, "summary file", error=DataError))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DataError(f"{summary_path}: not valid JSON ({exc})") from None
    system = summary.get("system") if isinstance(summary, dict) else None
    keys = {"metal_a", "metal_b", "n_atoms", "charge"}
    if isinstance(system, dict) and isinstance(system.get("families"), list):
        keys = set(system)  # a general model (families, complexes): its config.toml has it
    elif not isinstance(system, dict) or not keys <= set(system):
        raise DataError(f'{summary_path}: needs "system": {{{", ".join(sorted(keys))}}}')
    try:
        frame = pd.read_csv(io.StringIO(read_text(obs_path, "observables file", error=DataError)))
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{obs_path}: cannot be read as CSV ({exc})") from None
    if len(frame) == 0 or frame.columns[0] != "time_s":
        raise DataError(
            f"{obs_path}: the first column must be 'time_s' followed by observables, with rows"
        )
    tolerance = _negative_tolerance(summary)
    for col in frame.columns:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, copy=True)
        tiny = (values < 0) & (values >= -tolerance)
        if tiny.any():
            values[tiny] = 0.0
            frame[col] = values
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
        if len(bad):
            raise DataError(
                f"{obs_path}: row {bad[0] + 2}, column {col!r}: {frame[col].iloc[bad[0]]!r} is "
                f"not a finite number >= 0"
            )
    return SimulationObservables({k: system[k] for k in sorted(keys)}, frame.astype(float), folder)


def synthesize_series(
    observables,
    system: SystemLike,
    ligand: str = "SR",
    n_ligands: int = 18,
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    mz_grid=None,
    points_per_fwhm: float = 8.0,
    noise: NoiseModel | None = None,
    efficiency: Mapping[str, float] | None = None,
    seed: int | np.random.Generator | None = 0,
    progress: bool = False,
    candidates: Sequence[Candidate] | None = None,
) -> list[Spectrum]:
    """Spectra for every time point of an observables table.

    Parameters
    ----------
    observables : pandas.DataFrame
        ``time_s`` then one column per observable label of ``system`` (any order).
    system : ExchangeSystem
    ligand, n_ligands : shell of the ions (see :func:`intercluster.ms.ion_for_observable`)
    resolving_power : float
    mz_grid : array_like, optional
        Default :func:`default_mz_grid` with ``points_per_fwhm``.
    noise : NoiseModel, optional
    efficiency : mapping label -> factor, optional
    seed : int or Generator
        One generator drives all spectra (reproducible).
    progress : bool
        Show a progress bar.
    candidates : sequence of Candidate, optional
        The ion of each observable, labelled by the table's columns, instead of the
        system's (for a general model of families and complexes, whose ions the
        caller composes; ``system`` is then not used).

    Returns
    -------
    list of Spectrum
        One per row, ``time_s`` set.

    Raises
    ------
    DataError
        If the table's columns are not ``time_s`` plus exactly the system's observables.
    """
    from tqdm import tqdm

    if candidates is not None:
        cands = list(candidates)
        labels = [c.label for c in cands]
    else:
        labels = list(system.observable_labels)
    cols = list(observables.columns)
    if cols[:1] != ["time_s"] or sorted(cols[1:]) != sorted(labels):
        missing = sorted(set(labels) - set(cols))[:3]
        extra = sorted(set(cols[1:]) - set(labels))[:3]
        raise DataError(
            f"observables table: expected 'time_s' and the {len(labels)} observables of the "
            f"system; missing {missing}, unexpected {extra}"
        )
    noise = noise or NoiseModel()
    if candidates is None:
        cands = observable_candidates(system, ligand, n_ligands)
    grid = default_mz_grid(cands, resolving_power, points_per_fwhm) if mz_grid is None else mz_grid
    rng = random_generator("seed", seed)
    values = observables[labels].to_numpy(dtype=float)
    times = observables["time_s"].to_numpy(dtype=float)
    out = []
    for i in tqdm(range(len(times)), desc="synthetic spectra", disable=not progress):
        spec = synthetic_spectrum(
            cands,
            values[i],
            grid,
            resolving_power,
            noise.total_counts,
            noise.baseline,
            noise.noise_sd,
            efficiency,
            rng,
            float(times[i]),
        )
        out.append(Spectrum(spec.mz, spec.intensity, spec.time_s, f"synthetic t = {times[i]:g} s"))
    return out


def write_spectra(
    spectra: Sequence[Spectrum],
    out_dir: str | os.PathLike,
    fmt: str = "csv",
    overwrite: bool = False,
    metadata: Mapping | None = None,
    polarity: str = "negative",
) -> Path:
    """Write a series of spectra to a new folder, atomically.

    ``csv``: one ``<index>_t_<time>s.csv`` per spectrum, numbered in the order
    given (``0000_t_00000180.000s.csv``, ...), so that two spectra at the same
    time never share a file (read back by :func:`intercluster.ms.read_spectra`,
    which refuses two files with one time); ``mzml``: one ``spectra.mzML`` with
    one scan per spectrum and its scan start time. ``metadata`` goes to
    ``synth.json``.

    Raises
    ------
    ConfigError
        For an unknown format or an existing folder without ``overwrite``.
    DataError
        If a spectrum has no time.
    """
    if fmt not in ("csv", "mzml"):
        raise ConfigError(bad_value("format", fmt, "'csv' or 'mzml'"))
    for s in spectra:
        if s.time_s is None:
            raise DataError(f"{s.source}: has no time; a series needs the time of each spectrum")
    with atomic_output_dir(out_dir, overwrite=overwrite) as tmp:
        if fmt == "csv":
            width = max(4, len(str(len(spectra) - 1)))
            for i, s in enumerate(spectra):
                write_spectrum_csv(s, tmp / f"{i:0{width}d}_t_{s.time_s:012.3f}s.csv")
        else:
            from intercluster.ms.mzml import write_mzml

            write_mzml(spectra, tmp / "spectra.mzML", polarity=polarity)
        if metadata is not None:
            (tmp / "synth.json").write_text(
                json.dumps(dict(metadata), indent=2) + "\n", encoding="utf-8"
            )
    return Path(out_dir)


def read_efficiency_table(path: str | os.PathLike) -> dict[str, float]:
    """Relative ionisation efficiencies from a CSV with columns ``label,efficiency``.

    Raises
    ------
    DataError
        If the file is missing, lacks the two columns, or a value is not a number > 0
        (the message names the row).
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataError(f"efficiency file {str(path)!r} does not exist")
    try:
        frame = pd.read_csv(io.StringIO(read_text(path, "efficiency file", error=DataError)))
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from None
    if list(frame.columns[:2]) != ["label", "efficiency"]:
        raise DataError(f"{path}: expected the header 'label,efficiency'")
    out = {}
    for i, (label, value) in enumerate(zip(frame["label"], frame["efficiency"]), start=2):
        v = pd.to_numeric(value, errors="coerce")
        if not (np.isfinite(v) and v > 0):
            raise DataError(
                f"{path}: line {i}: efficiency {value!r} of {label!r} must be a number > 0"
            )
        out[str(label)] = float(v)
    return out
