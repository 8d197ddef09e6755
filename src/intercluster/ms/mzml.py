"""mzML files: read scans with their times (pyteomics), write synthetic series.

Reading uses :mod:`pyteomics.mzml` (pyteomics + lxml). Each scan becomes a
:class:`~intercluster.ms.spectrum.Spectrum` with its ``scan start time``
converted to seconds. Writing produces a small, valid mzML 1.1 document
(profile spectra, 64-bit float arrays, no compression, scan start time in
seconds) that pyteomics and other mzML readers load; it is meant for synthetic
series (:mod:`intercluster.ms.synthetic`), not for archiving instrument data.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from intercluster.errors import DataError
from intercluster.io import atomic_file
from intercluster.ms.spectrum import Spectrum
from intercluster.validation import positive, show_path

__all__ = ["read_mzml", "write_mzml"]

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


def _b64(arr: np.ndarray) -> str:
    return base64.b64encode(np.asarray(arr, dtype="<f8").tobytes()).decode("ascii")


def _array_xml(arr: np.ndarray, accession: str, name: str, unit: str) -> str:
    data = _b64(arr)
    return (
        f'<binaryDataArray encodedLength="{len(data)}">'
        '<cvParam cvRef="MS" accession="MS:1000523" name="64-bit float" value=""/>'
        '<cvParam cvRef="MS" accession="MS:1000576" name="no compression" value=""/>'
        f'<cvParam cvRef="MS" accession="{accession}" name="{name}" value="" {unit}/>'
        f"<binary>{data}</binary></binaryDataArray>"
    )


def write_mzml(
    spectra: Sequence[Spectrum],
    path: str | os.PathLike,
    polarity: str = "negative",
    overwrite: bool = False,
) -> Path:
    """Write spectra as one mzML file (one profile scan each, times in seconds).

    Parameters
    ----------
    spectra : sequence of Spectrum
    path : path
        Output file, written atomically.
    polarity : {"negative", "positive"}
    overwrite : bool

    Raises
    ------
    DataError
        If ``spectra`` is empty.
    ConfigError
        If the file exists and ``overwrite`` is false.
    """
    if not spectra:
        raise DataError("write_mzml: no spectra to write")
    if polarity not in ("negative", "positive"):
        raise DataError(f"polarity = {polarity!r}: 'negative' or 'positive'")
    pol = (
        '<cvParam cvRef="MS" accession="MS:1000129" name="negative scan" value=""/>'
        if polarity == "negative"
        else '<cvParam cvRef="MS" accession="MS:1000130" name="positive scan" value=""/>'
    )
    mz_unit = 'unitCvRef="MS" unitAccession="MS:1000040" unitName="m/z"'
    int_unit = 'unitCvRef="MS" unitAccession="MS:1000131" unitName="number of detector counts"'
    path = Path(path)
    with atomic_file(path, overwrite=overwrite) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n')
        fh.write(
            '<mzML xmlns="http://psi.hupo.org/ms/mzml" version="1.1.0" '
            'id="intercluster_synthetic">\n'
        )
        fh.write(
            '<cvList count="2">'
            '<cv id="MS" fullName="Proteomics Standards Initiative Mass Spectrometry Ontology" '
            'version="4.1.0" URI="https://raw.githubusercontent.com/HUPO-PSI/psi-ms-CV/master/psi-ms.obo"/>'
            '<cv id="UO" fullName="Unit Ontology" version="09:04:2014" '
            'URI="https://raw.githubusercontent.com/bio-ontology-research-group/unit-ontology/master/unit.obo"/>'
            "</cvList>\n"
        )
        fh.write(
            "<fileDescription><fileContent>"
            '<cvParam cvRef="MS" accession="MS:1000579" name="MS1 spectrum" value=""/>'
            '<cvParam cvRef="MS" accession="MS:1000128" name="profile spectrum" value=""/>'
            "</fileContent></fileDescription>\n"
        )
        fh.write(
            '<softwareList count="1"><software id="intercluster" version="0.1.0">'
            '<cvParam cvRef="MS" accession="MS:1000799" name="custom unreleased software tool" '
            'value="intercluster"/></software></softwareList>\n'
        )
        fh.write(
            '<instrumentConfigurationList count="1"><instrumentConfiguration id="IC1">'
            '<cvParam cvRef="MS" accession="MS:1000031" name="instrument model" value=""/>'
            "</instrumentConfiguration></instrumentConfigurationList>\n"
        )
        fh.write(
            '<dataProcessingList count="1"><dataProcessing id="synthetic">'
            '<processingMethod order="1" softwareRef="intercluster">'
            '<cvParam cvRef="MS" accession="MS:1000544" name="Conversion to mzML" value=""/>'
            "</processingMethod></dataProcessing></dataProcessingList>\n"
        )
        fh.write('<run id="run1" defaultInstrumentConfigurationRef="IC1">\n')
        fh.write(f'<spectrumList count="{len(spectra)}" defaultDataProcessingRef="synthetic">\n')
        for i, spec in enumerate(spectra):
            time_xml = ""
            if spec.time_s is not None:
                time_xml = (
                    '<cvParam cvRef="MS" accession="MS:1000016" name="scan start time" '
                    f'value="{spec.time_s!r}" unitCvRef="UO" unitAccession="UO:0000010" '
                    'unitName="second"/>'
                )
            title = escape(os.path.basename(spec.source))
            fh.write(
                f'<spectrum index="{i}" id={quoteattr(f"scan={i + 1}")} '
                f'defaultArrayLength="{len(spec)}">'
                '<cvParam cvRef="MS" accession="MS:1000511" name="ms level" value="1"/>'
                '<cvParam cvRef="MS" accession="MS:1000579" name="MS1 spectrum" value=""/>'
                '<cvParam cvRef="MS" accession="MS:1000128" name="profile spectrum" value=""/>'
                f'{pol}<cvParam cvRef="MS" accession="MS:1000796" name="spectrum title" '
                f'value="{title}"/>'
                f'<scanList count="1"><cvParam cvRef="MS" accession="MS:1000795" '
                f'name="no combination" value=""/><scan>{time_xml}</scan></scanList>'
                '<binaryDataArrayList count="2">'
                + _array_xml(spec.mz, "MS:1000514", "m/z array", mz_unit)
                + _array_xml(spec.intensity, "MS:1000515", "intensity array", int_unit)
                + "</binaryDataArrayList></spectrum>\n"
            )
        fh.write("</spectrumList>\n</run>\n</mzML>\n")
    return path
