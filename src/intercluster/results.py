"""Load a result folder back: :func:`load` returns a typed result for a folder
written by ``intercluster simulate``, ``fit``, ``equilibrium`` or ``exsy``.

One small dataclass per kind, with a common base :class:`RunResult` (``kind``,
``path``, ``config``, ``summary``, ``figures``, ``command``, ``files``):

- :class:`SimulationResult`: ``dataset`` (the :class:`xarray.Dataset` of
  :func:`intercluster.kinetics.simulate`, read by
  :func:`intercluster.kinetics.results.load_result`, which still loads a
  ``result.nc`` alone);
- :class:`FitRunResult`: ``result`` (the :class:`intercluster.fit.FitResult`
  rebuilt from ``fit.json``, with the data and best-fit observables of every
  dataset), ``grid`` (grid.csv), ``tmax`` and ``profiles`` tables;
- :class:`EquilibriumResult`: the Le Chatelier series, its binomial reference,
  site occupancies and exchange constants (Zhong et al., Dalton Trans. 2021,
  50, 4727, doi:10.1039/d1dt00072a, Figure 1a / Table 2);
- :class:`ExsyResult`: ``dataset`` (peak volumes, exchange rates), the
  equilibrium and the cross peaks (Zhong et al. 2021, Figure 4).

>>> import intercluster
>>> callable(intercluster.load)
True
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from intercluster.errors import DataError

__all__ = [
    "EquilibriumResult",
    "ExsyResult",
    "FitRunResult",
    "RunResult",
    "SimulationResult",
    "detect_kind",
    "load",
]

KINDS = ("simulate", "fit", "equilibrium", "exsy")
FIGURE_SUFFIXES = (".png", ".svg")


@dataclass
class RunResult:
    """What every result folder has.

    Attributes
    ----------
    kind : {"simulate", "fit", "equilibrium", "exsy"}
        The command that wrote the folder.
    path : Path
        The folder.
    config : dict
        The run configuration (config.toml, fit-config.toml, or the settings in
        summary.json).
    summary : dict
        The key numbers (summary.json; fit.json for a fit).
    figures : list of Path
        PNG/SVG figures in the folder, sorted by name.
    command : str or None
        The command line that wrote the folder (``command`` in summary.json or
        fit.json; command.txt), if recorded.
    files : list of Path
        Every file in the folder (hidden files excluded).
    """

    kind: str
    path: Path
    config: dict
    summary: dict
    figures: list
    command: str | None
    files: list


@dataclass
class SimulationResult(RunResult):
    """A folder of ``intercluster simulate``.

    Attributes
    ----------
    dataset : xarray.Dataset
        Dims ``time`` [s, after the dead time], ``species``, ``observable``:
        ``concentration`` [nmol/L], ``intensity`` (normalised), ``t_max`` [s] ...
    """

    dataset: object = None


@dataclass
class FitRunResult(RunResult):
    """A folder of ``intercluster fit``.

    Attributes
    ----------
    result : intercluster.fit.FitResult
        Best values, profile and Wald intervals (``result.intervals``,
        ``result.wald_intervals``), objective terms, flags, warnings, and the
        data and best-fit observables of every dataset (``result.datasets``).
    grid : pandas.DataFrame or None
        grid.csv (every grid point, ranked).
    tmax : pandas.DataFrame or None
        tmax.csv.
    profiles : pandas.DataFrame or None
        profiles.csv.
    """

    result: object = None
    grid: object = None
    tmax: object = None
    profiles: object = None

    @property
    def values(self) -> dict:
        """Best values of all parameters."""
        return self.result.values

    @property
    def intervals(self) -> dict:
        """95 % profile intervals {name: Interval}."""
        return self.result.intervals


@dataclass
class EquilibriumResult(RunResult):
    """A folder of ``intercluster equilibrium``.

    Attributes
    ----------
    distributions, binomial : pandas.DataFrame
        Percent of each composition (columns) at each mixing ratio (rows), with
        the site model and without site preferences.
    occupancies : pandas.DataFrame
        Fraction of each site class holding metal A, per composition.
    exchange_constants : pandas.DataFrame
        K and Delta G [kJ/mol] of every exchange step.
    """

    distributions: object = None
    binomial: object = None
    occupancies: object = None
    exchange_constants: object = None


@dataclass
class ExsyResult(RunResult):
    """A folder of ``intercluster exsy``.

    Attributes
    ----------
    dataset : xarray.Dataset
        ``volume``, ``normalized`` (mixing_time x species x species), ``rate``
        [s^-1], ``population`` ...
    equilibrium : pandas.DataFrame
        equilibrium.csv.
    cross_peaks : pandas.DataFrame
        cross_peaks.csv.
    """

    dataset: object = None
    equilibrium: object = None
    cross_peaks: object = None


def _json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{str(path)!r}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DataError(f"{str(path)!r}: expected a JSON object, got {type(data).__name__}")
    return data


def _toml(path: Path) -> dict:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{str(path)!r}: cannot read it as TOML ({exc})") from None


def _csv(path: Path, **kw):
    import pandas as pd

    if not path.exists():
        return None
    try:
        return pd.read_csv(path, **kw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{str(path)!r}: cannot read it as CSV ({exc})") from None


def _netcdf(path: Path):
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{str(path)!r}: cannot read the result ({exc})") from None


def detect_kind(path: str | os.PathLike) -> str:
    """Which command wrote the folder ``path``.

    Returns
    -------
    {"simulate", "fit", "equilibrium", "exsy"}

    Raises
    ------
    DataError
        If ``path`` is not a folder, or holds none of the files these commands
        write (or an unfinished fit).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"path = {str(path)!r}: no such folder")
    if not path.is_dir():
        raise DataError(
            f"path = {str(path)!r}: is a file; give a folder written by intercluster "
            f"{', '.join(KINDS)}"
        )
    has = {p.name for p in path.iterdir()}
    if "fit-config.toml" in has:
        if "fit.json" in has:
            return "fit"
        raise DataError(
            f"path = {str(path)!r}: a fit that did not finish (no fit.json); rerun the same "
            "fit command to resume it"
        )
    if "fit.json" in has and "predictions.csv" in has:
        raise DataError(
            f"path = {str(path)!r}: a fit-equilibrium folder; load() reads simulate, fit, "
            "equilibrium and exsy folders (its numbers are in fit.json and predictions.csv)"
        )
    if {"result.nc", "observables.csv", "summary.json"} <= has:
        return "simulate"
    if {"cross_peaks.csv", "summary.json"} <= has:
        return "exsy"
    if {"distributions.csv", "summary.json"} <= has:
        return "equilibrium"
    raise DataError(
        f"path = {str(path)!r}: not a result folder (expected the files of intercluster "
        f"{', '.join(KINDS)}, e.g. summary.json with result.nc, or fit.json)"
    )


def _base(path: Path, kind: str, config: dict, summary: dict) -> dict:
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    command = summary.get("command") if isinstance(summary.get("command"), str) else None
    cmd = path / "command.txt"
    if command is None and cmd.exists():
        command = cmd.read_text(encoding="utf-8", errors="replace").strip() or None
    return {
        "kind": kind,
        "path": path,
        "config": config,
        "summary": summary,
        "figures": [p for p in files if p.suffix.lower() in FIGURE_SUFFIXES],
        "command": command,
        "files": files,
    }


def _load_fit(path: Path) -> FitRunResult:
    import numpy as np

    from intercluster.fit.result import DatasetFit, FitResult

    summary = _json(path / "fit.json")
    config = _toml(path / "fit-config.toml") if (path / "fit-config.toml").exists() else {}
    datasets = []
    for name, files in (summary.get("datasets") or {}).items():
        if not files:
            continue
        data = _csv(path / files["data"])
        best = _csv(path / files["best_fit"])
        if data is None or best is None:
            raise DataError(
                f"{str(path)!r}: dataset {name!r}: {files['data']} or {files['best_fit']} missing"
            )
        labels = [c for c in data.columns if c != "time_s"]
        datasets.append(
            DatasetFit(
                name=name,
                time_s=data["time_s"].to_numpy(float),
                labels=labels,
                data=data[labels].to_numpy(float),
                best_fit=best[labels].to_numpy(float),
            )
        )
    try:
        result = FitResult.from_dict(summary, datasets)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{str(path / 'fit.json')!r}: not a fit result ({exc!r})") from None
    grid = _csv(path / "grid.csv")
    result.theta = np.asarray(result.theta, float)
    return FitRunResult(
        **_base(path, "fit", config, summary),
        result=result,
        grid=grid,
        tmax=_csv(path / "tmax.csv"),
        profiles=_csv(path / "profiles.csv"),
    )


def load(path: str | os.PathLike) -> RunResult:
    """Load a result folder written by ``intercluster simulate``, ``fit``,
    ``equilibrium`` or ``exsy``.

    Parameters
    ----------
    path : str or path-like
        The folder (the ``--out`` of the command).

    Returns
    -------
    SimulationResult, FitRunResult, EquilibriumResult or ExsyResult
        All share ``kind``, ``path``, ``config``, ``summary``, ``figures``,
        ``command`` and ``files`` (:class:`RunResult`). For a result.nc alone,
        :func:`intercluster.kinetics.results.load_result` returns the Dataset.

    Raises
    ------
    DataError
        If ``path`` is not a result folder, or one of its files is unreadable.

    Examples
    --------
    >>> import intercluster
    >>> intercluster.load("no/such/folder")
    Traceback (most recent call last):
    ...
    intercluster.errors.DataError: path = 'no/such/folder': no such folder
    """
    path = Path(path)
    kind = detect_kind(path)
    if kind == "fit":
        return _load_fit(path)
    summary = _json(path / "summary.json")
    if kind == "simulate":
        config = _toml(path / "config.toml") if (path / "config.toml").exists() else {}
        return SimulationResult(
            **_base(path, kind, config, summary), dataset=_netcdf(path / "result.nc")
        )
    if kind == "exsy":
        config = summary.get("config", {}) if isinstance(summary.get("config"), dict) else {}
        nc = path / "result.nc"
        return ExsyResult(
            **_base(path, kind, config, summary),
            dataset=_netcdf(nc) if nc.exists() else None,
            equilibrium=_csv(path / "equilibrium.csv"),
            cross_peaks=_csv(path / "cross_peaks.csv"),
        )
    config = {k: summary[k] for k in ("site_model", "ratio_convention") if k in summary}
    return EquilibriumResult(
        **_base(path, kind, config, summary),
        distributions=_csv(path / "distributions.csv", index_col=0),
        binomial=_csv(path / "binomial.csv", index_col=0),
        occupancies=_csv(path / "occupancies.csv", index_col=0),
        exchange_constants=_csv(path / "exchange_constants.csv"),
    )
