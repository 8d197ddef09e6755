"""Result files of a simulation (DESIGN.md "Conventions": NetCDF for results, CSV for
tables people open in a spreadsheet)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import xarray as xr

from intercluster.errors import DataError

__all__ = ["load_result", "write_result_files"]

RESULT_FILES = ("observables.csv", "species.csv", "result.nc", "summary.json")


def _csv(path: Path, time: np.ndarray, values: np.ndarray, columns) -> None:
    import pandas as pd

    frame = pd.DataFrame(values, columns=list(columns))
    frame.insert(0, "time_s", time)
    frame.to_csv(path, index=False, float_format="%.10g")


def _ion_table(ds: xr.Dataset):
    import pandas as pd

    return pd.DataFrame(
        {
            "ion": ds.observed_ion.values,
            "charge": ds.observed_ion_charge.values,
            "mz_average": ds.observed_ion_mz_average.values,
            "mz_most_abundant": ds.observed_ion_mz_most_abundant.values,
            "valence_electrons": ds.observed_ion_valence_electrons.values,
            "from_species": ds.observed_ion_source.values,
            "final_intensity": ds.observed_ion_intensity.values[-1],
        }
    )


def write_result_files(
    ds: xr.Dataset,
    folder: str | os.PathLike,
    summary: dict | None = None,
    config: dict | None = None,
) -> list[Path]:
    """Write ``observables.csv`` (time_s + normalised intensity per observable),
    ``species.csv`` (time_s + concentration per species [nmol/L]), ``result.nc``,
    ``summary.json`` and, if given, ``config.toml`` into an existing folder; with
    an observation model (``observed_ion_intensity`` in ``ds``,
    :func:`intercluster.kinetics.observed.apply_observation`) also
    ``observed_ions.csv`` (time_s + normalised intensity per observed ion) and
    ``observed_ions_table.csv`` (one row per ion: charge, m/z, valence electrons,
    the species it mostly comes from).

    Returns
    -------
    list of Path
        The files written.
    """
    import tomli_w

    folder = Path(folder)
    t = ds.time.values
    out = []
    p = folder / "observables.csv"
    _csv(p, t, ds.intensity.values, ds.observable.values)
    out.append(p)
    p = folder / "species.csv"
    _csv(p, t, ds.concentration.values, ds.species.values)
    out.append(p)
    if "observed_ion_intensity" in ds:
        p = folder / "observed_ions.csv"
        _csv(p, t, ds.observed_ion_intensity.values, ds.observed_ion.values)
        out.append(p)
        p = folder / "observed_ions_table.csv"
        _ion_table(ds).to_csv(p, index=False, float_format="%.4f")
        out.append(p)
    p = folder / "result.nc"
    ds.to_netcdf(
        p, engine="netcdf4", encoding={v: {"zlib": True, "complevel": 1} for v in ds.data_vars}
    )
    out.append(p)
    if summary is not None:
        p = folder / "summary.json"
        p.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        out.append(p)
    if config is not None:
        p = folder / "config.toml"
        p.write_bytes(tomli_w.dumps(config).encode())
        out.append(p)
    return out


def load_result(folder: str | os.PathLike) -> xr.Dataset:
    """Load ``result.nc`` from a folder written by ``intercluster simulate``.

    Raises
    ------
    DataError
        If the folder or its result.nc is missing or unreadable.
    """
    folder = Path(folder)
    path = folder / "result.nc" if folder.is_dir() else folder
    if not path.exists():
        raise DataError(
            f"{str(folder)!r}: no result.nc here; give a folder written by 'intercluster simulate'"
        )
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{str(path)!r}: cannot read the result ({exc})") from None
