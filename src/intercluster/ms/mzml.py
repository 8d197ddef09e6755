"""mzML files: read scans with their times (pyteomics), write synthetic series.

Reading uses :mod:`pyteomics.mzml` (pyteomics + lxml). Each scan becomes a
:class:`~intercluster.ms.spectrum.Spectrum` with its ``scan start time``
converted to seconds. Writing uses psims' ``MzMLWriter``: an indexed mzML 1.1
document (offset index, checksum) with zlib-compressed 64-bit float arrays and
scan start times in seconds, which pyteomics, OpenMS and other mzML readers load;
it is meant for synthetic series (:mod:`intercluster.ms.synthetic`).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from intercluster.errors import DataError
from intercluster.io import atomic_file
from intercluster.ms.spectrum import Spectrum
from intercluster.validation import positive, show_path

__all__ = ["read_mzml", "write_mzml"]

log = logging.getLogger(__name__)

_UNIT_TO_S = {
    "second": 1.0,
    "s": 1.0,
    "minute": 60.0,
    "min": 60.0,
    "hour": 3600.0,
    "millisecond": 1e-3,
}


def _scan_time_s(spec: dict, path: Path, index: int) -> float | None:
    try:
        scan = spec["scanList"]["scan"][0]
    except (KeyError, IndexError, TypeError):
        return None
    t = scan.get("scan start time")
    if t is None:
        return None
    unit = getattr(t, "unit_info", None) or "minute"  # mzML default unit is minutes
    if unit not in _UNIT_TO_S:
        raise DataError(
            f"{path}: scan {index} ({spec.get('id', '?')}): scan start time unit {unit!r} "
            f"not understood; expected second or minute"
        )
    try:
        value = float(t)
    except (TypeError, ValueError):
        value = math.nan
    return positive(
        f"{path}: scan {index} ({spec.get('id', '?')}): scan start time",
        value * _UNIT_TO_S[unit],
        allow_zero=True,
        unit="s",
        error=DataError,
    )


def read_mzml(
    path: str | os.PathLike, require_time: bool = True, ms_level: int | None = 1
) -> list[Spectrum]:
    """Read all scans of an mzML file.

    Parameters
    ----------
    path : path
        The mzML file.
    require_time : bool
        Raise if a scan has no ``scan start time`` (needed for a time series).
    ms_level : int or None
        Keep only scans of this MS level (1 = full-scan spectra); None keeps all.

    Returns
    -------
    list of Spectrum
        In file order; ``time_s`` in seconds (None where absent and not required).

    Raises
    ------
    DataError
        If the file does not exist, is not mzML, holds no scans, a scan has no
        m/z or intensity array or (with ``require_time``) no time; the message
        names the file and the scan.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"mzML file {show_path(path)} is a directory; give a file")
    if not path.is_file():
        raise DataError(f"mzML file {show_path(path)} does not exist")
    from lxml.etree import LxmlError
    from pyteomics import mzml
    from pyteomics.auxiliary import PyteomicsError

    spectra: list[Spectrum] = []
    try:
        with mzml.MzML(str(path), use_index=False, decode_binary=True) as reader:
            for index, spec in enumerate(reader):
                level = spec.get("ms level")
                if ms_level is not None and level is not None and int(level) != ms_level:
                    continue
                source = f"{path} scan {index} ({spec.get('id', '?')})"
                if "m/z array" not in spec or "intensity array" not in spec:
                    raise DataError(f"{source}: no m/z or intensity array; export profile spectra")
                time_s = _scan_time_s(spec, path, index)
                if time_s is None and require_time:
                    raise DataError(
                        f"{source}: no scan start time; a time series needs the time of every "
                        f"scan (re-export with scan times, or use a folder of files named by time)"
                    )
                mz = np.asarray(spec["m/z array"], dtype=float)
                y = np.asarray(spec["intensity array"], dtype=float)
                spectra.append(Spectrum(mz, y, time_s, source))
    except (PyteomicsError, LxmlError, OSError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: cannot be read as mzML ({type(exc).__name__}: {exc})") from None
    if not spectra:
        raise DataError(f"{path}: no MS{ms_level or ''} scans found")
    return spectra


def write_mzml(
    spectra: Sequence[Spectrum],
    path: str | os.PathLike,
    polarity: str = "negative",
    overwrite: bool = False,
) -> Path:
    """Write spectra as one indexed mzML 1.1 file (psims), one profile scan each.

    The file is an ``indexedmzML`` document (offset index and SHA-1 checksum, so
    readers can seek to any scan) with zlib-compressed 64-bit float arrays, the
    scan start time of each spectrum in seconds, its polarity, MS level 1 and its
    source as the spectrum title. Written by :class:`psims.mzml.writer.MzMLWriter`
    with the PSI-MS and unit ontologies that psims ships.

    Parameters
    ----------
    spectra : sequence of Spectrum
        ``mz`` [Th] and ``intensity`` [counts] arrays of shape (n_points,) each;
        ``time_s`` [s] (may be None: the scan then has no start time).
    path : path
        Output file, written atomically (nothing is left behind on failure).
    polarity : {"negative", "positive"}
        Scan polarity of every spectrum.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    DataError
        If ``spectra`` is empty or ``polarity`` is not 'negative' or 'positive'.
    ConfigError
        If the file exists and ``overwrite`` is false.
    """
    if not spectra:
        raise DataError("spectra: no spectra to write (give at least one)")
    if polarity not in ("negative", "positive"):
        raise DataError(f"polarity = {polarity!r}: 'negative' or 'positive'")
    import warnings

    from psims.mzml.writer import MzMLWriter

    from intercluster import __version__

    path = Path(path)
    encoding = {"m/z array": np.float64, "intensity array": np.float64}
    with atomic_file(path, overwrite=overwrite) as tmp, warnings.catch_warnings():
        # psims leaves the vendored ontology file open while it parses it
        warnings.simplefilter("ignore", ResourceWarning)
        with MzMLWriter(open(tmp, "wb"), close=True, id="intercluster_synthetic") as out:
            out.controlled_vocabularies()
            out.file_description(["MS1 spectrum", "profile spectrum"])
            out.software_list(
                [
                    {
                        "id": "intercluster",
                        "version": __version__,
                        "params": ["custom unreleased software tool"],
                    }
                ]
            )
            out.instrument_configuration_list(
                [
                    out.InstrumentConfiguration(
                        id="IC1",
                        component_list=out.ComponentList(
                            [out.Source(1, ["electrospray ionization"])]
                        ),
                        params=["instrument model"],
                    )
                ]
            )
            out.data_processing_list(
                [
                    out.DataProcessing(
                        [
                            out.ProcessingMethod(
                                order=1,
                                software_reference="intercluster",
                                params=["Conversion to mzML"],
                            )
                        ],
                        id="synthetic",
                    )
                ]
            )
            with out.run(id="run1", instrument_configuration="IC1"):
                with out.spectrum_list(count=len(spectra), data_processing_method="synthetic"):
                    for i, spec in enumerate(spectra):
                        time_param = None
                        if spec.time_s is not None:
                            time_param = {
                                "name": "scan start time",
                                "value": float(spec.time_s),
                                "unit_name": "second",
                            }
                        out.write_spectrum(
                            np.asarray(spec.mz, dtype=np.float64),
                            np.asarray(spec.intensity, dtype=np.float64),
                            id=f"scan={i + 1}",
                            polarity=f"{polarity} scan",
                            centroided=False,
                            scan_start_time=time_param,
                            params=[
                                "MS1 spectrum",
                                {"ms level": 1},
                                {"spectrum title": os.path.basename(spec.source)},
                            ],
                            compression="zlib",
                            encoding=encoding,
                        )
    log.info(
        "wrote %d spectra to %s (indexed mzML, zlib; %.1f MB)",
        len(spectra),
        path,
        path.stat().st_size / 1e6,
    )
    return path
