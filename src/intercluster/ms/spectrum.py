"""Mass spectra: the :class:`Spectrum` object, two-column text files, folders of spectra.

A spectrum is a profile (or centroid) m/z axis [Th], strictly ascending, with
intensities (negative values of a baseline-subtracted spectrum included) and,
optionally, the time of its acquisition [s] after mixing. Readers check everything
a fit relies on and say which file and line is wrong and how to fix it.

Text files have two columns, m/z and intensity, separated by a comma,
semicolon, tab or spaces; one header line and ``#`` comments are allowed. A
time series can be a folder of such files whose names carry the time
(``t_180s.csv``, ``3.5min.csv``, ``0180.csv`` in seconds), or a multi-scan mzML
file (:mod:`intercluster.ms.mzml`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from intercluster.errors import DataError
from intercluster.io import atomic_file
from intercluster.validation import read_text

__all__ = [
    "SPECTRUM_SUFFIXES",
    "Spectrum",
    "read_spectra",
    "read_spectrum",
    "read_spectrum_folder",
    "read_spectrum_table",
    "time_from_name",
    "write_spectrum_csv",
]

#: File suffixes read as two-column text spectra.
SPECTRUM_SUFFIXES = (".csv", ".txt", ".tsv", ".xy", ".dat")

_TIME_UNITS = {"ms": 1e-3, "s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0}


@dataclass(frozen=True, eq=False)
class Spectrum:
    """One mass spectrum.

    Parameters
    ----------
    mz : array_like, shape (n,)
        m/z values [Th], strictly ascending, finite.
    intensity : array_like, shape (n,)
        Intensities (counts or arbitrary units), finite and >= 0.
    time_s : float, optional
        Acquisition time after mixing [s].
    source : str
        Where the spectrum came from (file, scan) for messages.

    Raises
    ------
    DataError
        If the arrays differ in length, have fewer than 2 points, contain NaN or
        infinity or m/z is not strictly ascending; the message names the source and
        the first offending index. Negative intensities (baseline-subtracted
        spectra) are accepted and used as they are: the deconvolution is a least-
        squares fit, and noise around a subtracted baseline is part of the data.
    """

    mz: np.ndarray
    intensity: np.ndarray
    time_s: float | None = None
    source: str = field(default="spectrum")

    def __post_init__(self) -> None:
        mz = np.ascontiguousarray(self.mz, dtype=float)
        y = np.ascontiguousarray(self.intensity, dtype=float)
        src = self.source
        if mz.ndim != 1 or y.ndim != 1 or len(mz) != len(y):
            raise DataError(
                f"{src}: m/z and intensity must be 1-D arrays of equal length "
                f"(got shapes {mz.shape} and {y.shape})"
            )
        if len(mz) < 2:
            raise DataError(f"{src}: a spectrum needs at least 2 points (got {len(mz)})")
        for name, arr in (("m/z", mz), ("intensity", y)):
            bad = np.flatnonzero(~np.isfinite(arr))
            if len(bad):
                raise DataError(
                    f"{src}: {name} value {arr[bad[0]]} at point {bad[0]} is not a finite number"
                )
        step = np.diff(mz)
        bad = np.flatnonzero(step <= 0)
        if len(bad):
            i = bad[0] + 1
            raise DataError(
                f"{src}: m/z must be strictly ascending, but point {i} (m/z {mz[i]}) follows "
                f"m/z {mz[i - 1]}; sort the rows by m/z and remove duplicates"
            )
        if self.time_s is not None and not np.isfinite(self.time_s):
            raise DataError(f"{src}: time {self.time_s!r} is not a finite number of seconds")
        mz.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "mz", mz)
        object.__setattr__(self, "intensity", y)

    def __len__(self) -> int:
        return len(self.mz)

    def with_time(self, time_s: float | None) -> Spectrum:
        return Spectrum(self.mz, self.intensity, time_s, self.source)

    def select(self, mz_min: float, mz_max: float) -> Spectrum:
        """The part of the spectrum with mz_min <= m/z <= mz_max."""
        keep = (self.mz >= mz_min) & (self.mz <= mz_max)
        return Spectrum(self.mz[keep], self.intensity[keep], self.time_s, self.source)

    @property
    def total_intensity(self) -> float:
        """Sum of all intensities (total ion signal)."""
        return float(self.intensity.sum())


# -------------------------------------------------------------- text files
def _split(line: str, delim: str | None) -> list[str]:
    return [p for p in (line.split(delim) if delim else line.split()) if p.strip() != ""]


def _sniff(lines: list[str]) -> str | None:
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        for d in (",", ";", "\t"):
            if d in s:
                return d
        return None
    return None


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _read_fast(path: Path, lines: list[str], delim: str | None):
    """Arrays via pandas' C parser, or None if anything looks off (the slow path explains)."""
    import pandas as pd

    first = next((ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")), "")
    header = 0 if any(_as_float(p) is None for p in _split(first, delim)) else None
    try:
        frame = pd.read_csv(
            path,
            sep=delim if delim else r"\s+",
            header=header,
            comment="#",
            skip_blank_lines=True,
            dtype=float,
            engine="c" if delim else "python",
            encoding="utf-8-sig",
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if frame.shape[1] != 2 or len(frame) == 0:
        return None
    mz, y = frame.iloc[:, 0].to_numpy(), frame.iloc[:, 1].to_numpy()
    if not (np.all(np.isfinite(mz)) and np.all(np.isfinite(y))):
        return None
    if np.any(np.diff(mz) <= 0) or np.any(y < 0):
        return None
    return mz, y


def read_spectrum_table(path: str | os.PathLike, time_s: float | None = None) -> Spectrum:
    """Read a two-column text spectrum (m/z, intensity).

    Parameters
    ----------
    path : path
        CSV/TXT/TSV file: comma, semicolon, tab or whitespace separated; an
        optional header line; ``#`` comment lines; extra columns are not allowed.
    time_s : float, optional
        Time to attach [s].

    Returns
    -------
    Spectrum

    Raises
    ------
    DataError
        If the file does not exist, is empty, a line is not two numbers (the
        message gives the line number and its text), m/z is not strictly
        ascending (with the line number); negative intensities are accepted (see
        :class:`Spectrum`).
    """
    path = Path(path)
    text = read_text(path, "spectrum file", error=DataError)
    lines = text.splitlines()
    delim = _sniff(lines[:50])
    fast = _read_fast(path, lines, delim) if text.strip() else None
    if fast is not None:
        return Spectrum(fast[0], fast[1], time_s, str(path))
    mz, y, line_no = _read_slow(path, lines, delim)
    return _checked(path, mz, y, line_no, time_s)


def _read_slow(path: Path, lines: list[str], delim: str | None):
    mz: list[float] = []
    y: list[float] = []
    line_no: list[int] = []
    header_allowed = True
    for number, line in enumerate(lines, start=1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = _split(s, delim)
        values = [_as_float(p) for p in parts]
        if len(parts) != 2 or None in values:
            if header_allowed and all(v is None for v in values):
                header_allowed = False  # one header line such as "mz,intensity"
                continue
            raise DataError(
                f"{path}: line {number} ({s[:40]!r}) is not two numbers 'm/z{delim or ' '}"
                f"intensity'; fix or delete that line"
            )
        header_allowed = False
        mz.append(values[0])
        y.append(values[1])
        line_no.append(number)
    if len(mz) == 0:
        raise DataError(
            f"{path}: no data; the file is empty or has only a header; expected "
            f"lines of 'm/z,intensity'"
        )
    return np.asarray(mz), np.asarray(y), line_no


def _checked(path, mz_a, y_a, line_no, time_s) -> Spectrum:
    for arr, name in ((mz_a, "m/z"), (y_a, "intensity")):
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            raise DataError(f"{path}: line {line_no[bad[0]]}: {name} is not a finite number")
    bad = np.flatnonzero(np.diff(mz_a) <= 0)
    if len(bad):
        i = bad[0] + 1
        raise DataError(
            f"{path}: line {line_no[i]}: m/z {mz_a[i]} is not above the previous m/z "
            f"{mz_a[i - 1]} (line {line_no[i - 1]}); the file must be sorted by ascending m/z "
            f"without duplicates"
        )
    return Spectrum(mz_a, y_a, time_s, str(path))


def read_spectrum(path: str | os.PathLike, scan: int = 0) -> Spectrum:
    """Read one spectrum from a text file or one scan of an mzML file.

    Parameters
    ----------
    path : path
        ``.csv/.txt/.tsv/.xy/.dat`` or ``.mzML``.
    scan : int
        Index of the scan in an mzML file (0-based).

    Raises
    ------
    DataError
        See :func:`read_spectrum_table` and :func:`intercluster.ms.mzml.read_mzml`;
        also for a scan index out of range.
    """
    path = Path(path)
    if path.suffix.lower() == ".mzml":
        from intercluster.ms.mzml import read_mzml

        spectra = read_mzml(path, require_time=False)
        if not 0 <= scan < len(spectra):
            raise DataError(
                f"{path}: scan {scan} does not exist; the file has scans 0..{len(spectra) - 1}"
            )
        return spectra[scan]
    if path.is_dir():
        raise DataError(f"{path} is a folder; give one spectrum file")
    return read_spectrum_table(path)


_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_WITH_UNIT = re.compile(_NUM + r"\s*(ms|sec|min|s|h)(?![A-Za-z])")
_ANY_NUM = re.compile(_NUM)


def time_from_name(name: str, default_unit: str = "s") -> float:
    """Time [s] written in a file name.

    The name (without suffix) must contain one number with a unit (``ms``, ``s``,
    ``sec``, ``min``, ``h``) or exactly one number, read in ``default_unit``.

    Raises
    ------
    DataError
        If no time or more than one candidate number is found.

    Examples
    --------
    >>> time_from_name("t_180s.csv"), time_from_name("spectrum_3.5min.csv")
    (180.0, 210.0)
    >>> time_from_name("0120.csv")
    120.0
    """
    if default_unit not in _TIME_UNITS:
        raise DataError(f"time unit {default_unit!r}: allowed {sorted(_TIME_UNITS)}")
    stem = Path(name).stem
    with_unit = _WITH_UNIT.findall(stem)
    if len(with_unit) == 1:
        value, unit = with_unit[0]
        return float(value) * _TIME_UNITS[unit]
    numbers = _ANY_NUM.findall(stem)
    if not with_unit and len(numbers) == 1:
        return float(numbers[0]) * _TIME_UNITS[default_unit]
    found = "several times" if with_unit or numbers else "no time"
    raise DataError(
        f"file name {Path(name).name!r}: {found} found; name each spectrum by its time after "
        f"mixing, e.g. 't_180s.csv', '3.5min.csv' or '0180.csv' (seconds)"
    )


def read_spectrum_folder(folder: str | os.PathLike, default_unit: str = "s") -> list[Spectrum]:
    """Read every text spectrum of a folder; times come from the file names.

    Returns
    -------
    list of Spectrum
        Sorted by time.

    Raises
    ------
    DataError
        If the folder does not exist or holds no spectrum files, a name carries
        no time, two files carry the same time, or a file is bad (see
        :func:`read_spectrum_table`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"spectrum folder {str(folder)!r} does not exist")
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SPECTRUM_SUFFIXES and not p.name.startswith(".")
    )
    if not files:
        raise DataError(
            f"spectrum folder {str(folder)!r} has no spectrum files "
            f"({', '.join(SPECTRUM_SUFFIXES)})"
        )
    times = {}
    for p in files:
        t = time_from_name(p.name, default_unit)
        if t in times:
            raise DataError(
                f"{folder}: files {times[t].name!r} and {p.name!r} both have time {t:g} s; "
                f"each time may appear once"
            )
        times[t] = p
    return [read_spectrum_table(times[t], time_s=t) for t in sorted(times)]


def read_spectra(source: str | os.PathLike, default_unit: str = "s") -> list[Spectrum]:
    """A time series of spectra from a folder of text files or a multi-scan mzML file.

    Raises
    ------
    DataError
        See :func:`read_spectrum_folder` and :func:`intercluster.ms.mzml.read_mzml`
        (every scan must have a time).
    """
    source = Path(source)
    if source.is_dir():
        return read_spectrum_folder(source, default_unit)
    if source.suffix.lower() == ".mzml":
        from intercluster.ms.mzml import read_mzml

        return read_mzml(source, require_time=True)
    if not source.exists():
        raise DataError(f"spectra source {str(source)!r} does not exist")
    raise DataError(
        f"{source}: a time series is a folder of spectrum files named by time or an .mzML "
        f"file with many scans"
    )


def write_spectrum_csv(spectrum: Spectrum, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Write ``mz,intensity`` CSV atomically (nothing half-written on failure)."""
    path = Path(path)
    with atomic_file(path, overwrite=overwrite) as tmp:
        data = np.column_stack([spectrum.mz, spectrum.intensity])
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("mz,intensity\n")
            np.savetxt(fh, data, delimiter=",", fmt=["%.6f", "%.6g"])
    return path
