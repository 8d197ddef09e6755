"""Result files of a simulation (DESIGN.md "Conventions": NetCDF for results, CSV for
tables people open in a spreadsheet).

A simulation folder holds

- ``result.nc``: the whole :class:`xarray.Dataset` (every species concentration), NetCDF-4
  following the CF conventions (``Conventions = "CF-1.10"``; ``long_name`` and ``units`` on
  every variable and coordinate), the large arrays compressed (shuffle + zlib) and chunked in
  blocks of at most 512 output times x 256 species (about 1 MB; equal parts, e.g. 451 x
  244 for 3601 times x 1952 species), so that reading one species' time course or one
  time's distribution touches few chunks;
- ``observables.csv``: ``time_s`` then the normalised intensity of each observable (always);
- ``species.csv``: ``time_s`` then the concentration of each species [nmol/L], only on
  request (``species_csv=True``), optionally every K-th output time: at N = 60 it is ~2,000
  columns and ~100 MB, at N = 144 ~10^4 columns;
- ``summary.json`` and ``config.toml``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
import time as _time
from pathlib import Path

import numpy as np
import xarray as xr

from intercluster.errors import ConfigError, DataError, bad_value

__all__ = ["CF_CONVENTIONS", "cf_annotate", "load_result", "write_result_files"]

log = logging.getLogger(__name__)

RESULT_FILES = ("observables.csv", "result.nc", "summary.json")
CF_CONVENTIONS = "CF-1.10"

#: Chunk shape (time, species/observable) of the 2-D arrays in result.nc (~1 MB of float64).
CHUNK_TIME = 512
CHUNK_COLUMNS = 256

#: long_name and units of every variable and coordinate that :func:`simulate` writes.
_CF = {
    "time": ("time after the dead time (the measurement axis)", "s"),
    "species": ("species label (monomer or dimer isomer)", "1"),
    "species_n_a": ("atoms of metal A in the species", "1"),
    "species_is_dimer": ("species is a dimer (1) or a monomer (0)", "1"),
    "observable": ("observable label (monomer or dimer sum formula)", "1"),
    "observable_n_a": ("atoms of metal A in the observable", "1"),
    "observable_is_dimer": ("observable is a dimer sum formula (1) or a monomer (0)", "1"),
    "concentration": ("concentration of each species", "nmol/L"),
    "observable_concentration": ("concentration summed over each observable", "nmol/L"),
    "intensity": ("intensity normalised to the total ion signal (share of all ions)", "1"),
    "t_max": ("time of maximum normalised intensity", "s"),
    "initial_concentration": ("concentration of each species at mixing (t = 0)", "nmol/L"),
}

#: Progress bars appear only for writes expected to take longer than this [s].
_PROGRESS_DELAY_S = 0.5


def cf_annotate(ds: xr.Dataset) -> xr.Dataset:
    """A shallow copy of ``ds`` that follows the CF conventions (CF-1.10).

    Sets the global ``Conventions`` attribute and gives every data variable and
    coordinate a ``long_name`` and ``units`` (existing attributes are kept; names
    not known here get their name as ``long_name`` and ``units = "1"``).

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`intercluster.kinetics.simulate` (or any Dataset).

    Returns
    -------
    xarray.Dataset
    """
    ds = ds.copy()
    for name in list(ds.variables):
        long_name, units = _CF.get(str(name), (str(name).replace("_", " "), "1"))
        attrs = dict(ds[name].attrs)
        attrs.setdefault("long_name", long_name)
        attrs.setdefault("units", units)
        ds[name].attrs = attrs
    ds.attrs["Conventions"] = CF_CONVENTIONS
    return ds


def _show_progress(progress: bool | None) -> bool:
    """Progress bars only when asked for and stderr is a terminal (never into a log)."""
    if progress is False:
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def _bar(total: int, desc: str, progress: bool | None, unit: str = "rows"):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        leave=False,
        delay=_PROGRESS_DELAY_S,
        disable=not _show_progress(progress),
    )


def _csv(
    path: Path,
    time: np.ndarray,
    values: np.ndarray,
    columns,
    progress: bool | None = None,
    block: int = 256,
) -> None:
    """``time_s`` + one column per label, 10 significant digits.

    Formats rows with one C-level ``%`` per row (4-5 x faster than
    ``DataFrame.to_csv(float_format=...)`` on thousands of columns).
    """
    values = np.asarray(values, dtype=float)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(["time_s", *map(str, columns)])
    row_fmt = ",".join(["%.10g"] * (values.shape[1] + 1)) + "\n"
    with (
        open(path, "w", encoding="utf-8", newline="") as fh,
        _bar(len(time), f"writing {path.name}", progress) as bar,
    ):
        fh.write(header.getvalue())
        for start in range(0, len(time), block):
            stop = min(start + block, len(time))
            rows = np.column_stack([time[start:stop], values[start:stop]])
            fh.write("".join(row_fmt % tuple(r) for r in rows.tolist()))
            bar.update(stop - start)


def _even_chunk(n: int, most: int) -> int:
    """The chunk length <= ``most`` that splits ``n`` into equal parts (no padded edge
    chunk: 3601 output times -> 8 chunks of 451, not 7 of 512 and one of 17)."""
    n = max(int(n), 1)
    return -(-n // -(-n // most))


def _attr_value(value):
    """A Dataset attribute as netCDF can store it (bools as 0/1, sequences as arrays)."""
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, list | tuple):
        return [str(v) for v in value] if any(isinstance(v, str) for v in value) else list(value)
    return value


#: Compress a 2-D array only if a trial chunk shrinks below this fraction: the
#: concentrations of a large run hardly compress (309 MB -> 255 MB for N = 144 at a cost
#: of 7 s of zlib, 37 x the 0.19 s of writing them plainly).
COMPRESS_BELOW = 0.7


def compression_pays(values: np.ndarray, chunks: tuple[int, int]) -> bool:
    """Whether shuffle + zlib (level 1) shrinks a chunk of ``values`` below
    :data:`COMPRESS_BELOW` of its size, judged on one chunk from the middle of the
    array (the HDF5 shuffle filter is reproduced with NumPy).

    >>> compression_pays(np.zeros((100, 10)), (50, 10))
    True
    >>> compression_pays(np.random.default_rng(0).random((100, 10)), (50, 10))
    False
    """
    import zlib

    i0 = max(0, values.shape[0] // 2 - chunks[0] // 2)
    j0 = max(0, values.shape[1] // 2 - chunks[1] // 2)
    block = np.ascontiguousarray(values[i0 : i0 + chunks[0], j0 : j0 + chunks[1]])
    raw = block.view(np.uint8).reshape(-1, block.itemsize)
    shuffled = np.ascontiguousarray(raw.T).tobytes()
    return len(zlib.compress(shuffled, 1)) < COMPRESS_BELOW * len(shuffled)


def _write_netcdf(ds: xr.Dataset, path: Path, progress: bool | None = None) -> None:
    """result.nc written with netCDF4 directly, in the layout xarray reads back
    (``load_result`` round-trips it): 2-D arrays chunked, and compressed (shuffle +
    zlib level 1) where a trial chunk says it pays (:func:`compression_pays`), written
    in blocks of output times so that a progress bar can follow the large ones;
    label coordinates as strings; flags as int8 with ``dtype = bool``
    (xarray's convention) and CF ``flag_values``; auxiliary coordinates listed in
    each variable's ``coordinates`` attribute (CF). Going around ``to_netcdf`` also
    keeps xarray from importing Dask and its scheduler on every write."""
    import netCDF4

    ds = cf_annotate(ds)
    aux = [str(c) for c in ds.coords if c not in ds.dims]
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.setncatts({k: _attr_value(v) for k, v in ds.attrs.items() if v is not None})
        for dim, size in ds.sizes.items():
            nc.createDimension(str(dim), size)
        for name in [*ds.coords, *ds.data_vars]:
            da = ds[name].variable
            values = da.values
            attrs = {k: _attr_value(v) for k, v in da.attrs.items() if k != "_FillValue"}
            kind = values.dtype.kind
            options: dict = {}
            if kind == "b":
                values = values.astype("i1")
                attrs.update(dtype="bool", flag_values=np.array([0, 1], "i1"))
                attrs["flag_meanings"] = "false true"
                dtype = "i1"
            elif kind in "iu":
                dtype = values.dtype
            elif kind == "f":
                dtype = values.dtype
                options["fill_value"] = np.nan
            elif kind in "UO":
                dtype = str
                values = values.astype(object)
            else:
                raise DataError(f"result.nc: variable {name!r} has dtype {values.dtype}")
            if values.ndim == 2 and kind != "O":
                chunks = (
                    _even_chunk(values.shape[0], CHUNK_TIME),
                    _even_chunk(values.shape[1], CHUNK_COLUMNS),
                )
                options["chunksizes"] = chunks
                if compression_pays(values, chunks):
                    options.update(zlib=True, complevel=1, shuffle=True)
            var = nc.createVariable(str(name), dtype, tuple(map(str, da.dims)), **options)
            if name in ds.data_vars:
                mine = [c for c in aux if set(ds[c].dims) <= set(da.dims)]
                if mine:
                    attrs["coordinates"] = " ".join(mine)
            var.setncatts(attrs)
            if values.ndim == 2 and values.size > 1_000_000:
                step = options["chunksizes"][0]
                n = values.shape[0]
                with _bar(n, f"writing {path.name}: {name}", progress, unit="times") as bar:
                    for start in range(0, n, step):
                        stop = min(start + step, n)
                        var[start:stop, :] = values[start:stop]
                        bar.update(stop - start)
            elif values.ndim == 0:
                var.assignValue(values)
            else:
                var[...] = values


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
    *,
    species_csv: bool = False,
    species_every: int = 1,
    progress: bool | None = None,
) -> list[Path]:
    """Write the result files of a simulation into an existing folder.

    ``observables.csv`` (time_s + normalised intensity per observable), ``result.nc``,
    ``summary.json`` and, if given, ``config.toml``; with an observation model
    (``observed_ion_intensity`` in ``ds``,
    :func:`intercluster.kinetics.observed.apply_observation`) also
    ``observed_ions.csv`` (time_s + normalised intensity per observed ion) and
    ``observed_ions_table.csv`` (one row per ion: charge, m/z, valence electrons,
    the species it mostly comes from).

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`intercluster.kinetics.simulate`.
    folder : path
        An existing (normally temporary, see :func:`intercluster.io.atomic_output_dir`)
        folder.
    summary : dict, optional
        Written as ``summary.json``.
    config : dict, optional
        Written as ``config.toml``.
    species_csv : bool
        Also write ``species.csv`` (``time_s`` + concentration of each species
        [nmol/L]). Off by default: every species is in ``result.nc``.
    species_every : int
        Write every ``species_every``-th output time to ``species.csv`` (rows 0, K,
        2K, ...; 1 = all).
    progress : bool or None
        Progress bars for long writes (> 0.5 s), shown only where stderr is a
        terminal; False never shows them.

    Returns
    -------
    list of Path
        The files written: ``observables.csv``, [``species.csv``,] ``result.nc``,
        [``summary.json``, ``config.toml``].

    Raises
    ------
    ConfigError
        If ``species_every`` is not an integer >= 1.
    """
    import tomli_w

    if (
        isinstance(species_every, bool)
        or not isinstance(species_every, int | np.integer)
        or species_every < 1
    ):
        raise ConfigError(bad_value("species_every", species_every, "an integer >= 1"))
    folder = Path(folder)
    t = ds.time.values
    out = []
    t0 = _time.perf_counter()
    p = folder / "observables.csv"
    _csv(p, t, ds.intensity.values, ds.observable.values, progress)
    out.append(p)
    if "observed_ion_intensity" in ds:
        p = folder / "observed_ions.csv"
        _csv(p, t, ds.observed_ion_intensity.values, ds.observed_ion.values, progress)
        out.append(p)
        p = folder / "observed_ions_table.csv"
        _ion_table(ds).to_csv(p, index=False, float_format="%.4f")
        out.append(p)
    if species_csv:
        p = folder / "species.csv"
        rows = slice(None, None, int(species_every))
        _csv(p, t[rows], ds.concentration.values[rows], ds.species.values, progress)
        out.append(p)
    p = folder / "result.nc"
    _write_netcdf(ds, p, progress)
    out.append(p)
    if summary is not None:
        p = folder / "summary.json"
        p.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        out.append(p)
    if config is not None:
        p = folder / "config.toml"
        p.write_bytes(tomli_w.dumps(config).encode())
        out.append(p)
    size_mb = sum(f.stat().st_size for f in out) / 1e6
    log.info(
        "wrote %s (%.1f MB) in %.2f s",
        ", ".join(f.name for f in out),
        size_mb,
        _time.perf_counter() - t0,
    )
    return out


def load_result(folder: str | os.PathLike) -> xr.Dataset:
    """Load ``result.nc`` from a folder written by ``intercluster simulate``.

    Parameters
    ----------
    folder : path
        The result folder (or the ``result.nc`` file itself).

    Returns
    -------
    xarray.Dataset
        As returned by :func:`intercluster.kinetics.simulate`, with CF attributes.

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
