"""Reading spectra (text, folders named by time, mzML) and every bad-input error."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster.errors import DataError
from intercluster.ms import (
    Spectrum,
    read_spectra,
    read_spectrum,
    read_spectrum_table,
    time_from_name,
    write_spectrum_csv,
)
from intercluster.ms.mzml import read_mzml, write_mzml


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "mz,intensity\n5000.0,1\n5000.5,2\n5001.0,0\n",
        "# exported\n5000.0\t1\n5000.5\t2\n\n5001.0\t0\n",
        "m/z intensity\n5000.0 1\n5000.5   2\n5001.0 0\n",
        "5000.0;1\n5000.5;2\n5001.0;0\n",
    ],
)
def test_read_two_column_variants(tmp_path, text):
    s = read_spectrum_table(_write(tmp_path / "s.csv", text))
    assert s.mz.tolist() == [5000.0, 5000.5, 5001.0]
    assert s.intensity.tolist() == [1.0, 2.0, 0.0]


def test_csv_round_trip(tmp_path):
    s = Spectrum(np.linspace(5000, 5010, 501), np.random.default_rng(0).uniform(0, 100, 501), 12.0)
    back = read_spectrum(write_spectrum_csv(s, tmp_path / "x.csv"))
    assert np.allclose(back.mz, s.mz, atol=1e-6) and np.allclose(
        back.intensity, s.intensity, rtol=1e-5
    )


BAD_FILES = [
    ("", "no data"),
    ("mz,intensity\n", "no data"),
    ("5000,1\n5001,abc\n", "line 2 ('5001,abc') is not two numbers"),
    ("5000,1,3\n5001,1,3\n", "line 1"),
    (
        "5000,1\n5002,1\n5001,1\n",
        "line 3: m/z 5001.0 is not above the previous m/z 5002.0 (line 2)",
    ),
    ("5000,1\n5000,1\n", "line 2"),
    ("5000,1\n5001,nan\n", "line 2: intensity is not a finite number"),
    ("5000,1\n", "at least 2 points"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_text_spectra_name_file_and_line(tmp_path, text, message):
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(DataError) as info:
        read_spectrum(path)
    assert message in str(info.value)
    assert "bad.csv" in str(info.value)


def test_missing_file_and_folder_given_as_spectrum(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_spectrum(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_spectrum(tmp_path)


def test_spectrum_object_validation():
    with pytest.raises(DataError, match="strictly ascending"):
        Spectrum([2.0, 1.0], [1.0, 1.0])
    assert Spectrum([1.0, 2.0], [1.0, -1.0]).intensity[1] == -1.0  # baseline-subtracted
    with pytest.raises(DataError, match="equal length"):
        Spectrum([1.0, 2.0], [1.0])


@pytest.mark.parametrize(
    ("name", "seconds"),
    [
        ("t_180s.csv", 180.0),
        ("3.5min.csv", 210.0),
        ("0120.csv", 120.0),
        ("scan_2h.txt", 7200.0),
        ("t_00000180.000s.csv", 180.0),
        ("t=500ms.csv", 0.5),
    ],
)
def test_time_from_name(name, seconds):
    assert time_from_name(name) == seconds


@pytest.mark.parametrize("name", ["spectrum.csv", "run2_t180s_5min.csv", "a1_b2.csv"])
def test_time_from_name_errors(name):
    with pytest.raises(DataError, match="name each spectrum by its time"):
        time_from_name(name)


def test_folder_series(tmp_path):
    for t in ("t_600s", "t_180s", "t_1800s"):
        _write(tmp_path / f"{t}.csv", "5000,1\n5001,2\n")
    _write(tmp_path / "notes.md", "ignored")
    spectra = read_spectra(tmp_path)
    assert [s.time_s for s in spectra] == [180.0, 600.0, 1800.0]
    _write(tmp_path / "3min.csv", "5000,1\n5001,2\n")
    with pytest.raises(DataError, match="both have time 180 s"):
        read_spectra(tmp_path)


def test_folder_errors(tmp_path):
    with pytest.raises(DataError, match="no spectrum files"):
        read_spectra(tmp_path)
    _write(tmp_path / "spectrum.csv", "5000,1\n5001,2\n")
    with pytest.raises(DataError, match=r"spectrum\.csv"):
        read_spectra(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        read_spectra(tmp_path / "nope")


def test_mzml_round_trip_with_times(tmp_path):
    spectra = [
        Spectrum(np.linspace(5000, 5001, 11), np.arange(11.0) * k, t, f"s{k}")
        for k, t in ((1, 180.0), (2, 600.0), (3, 1800.0))
    ]
    path = write_mzml(spectra, tmp_path / "run.mzML")
    back = read_spectra(path)
    assert [s.time_s for s in back] == [180.0, 600.0, 1800.0]
    assert np.array_equal(back[2].intensity, spectra[2].intensity)
    assert read_spectrum(path, scan=1).intensity.tolist() == spectra[1].intensity.tolist()
    with pytest.raises(DataError, match="scan 5 does not exist"):
        read_spectrum(path, scan=5)


def test_mzml_minutes_are_converted(tmp_path):
    path = write_mzml([Spectrum([5000.0, 5001.0], [1.0, 2.0], 90.0)], tmp_path / "m.mzML")
    text = path.read_text().replace(
        'value="90.0" unitCvRef="UO" unitAccession="UO:0000010" unitName="second"',
        'value="1.5" unitCvRef="UO" unitAccession="UO:0000031" unitName="minute"',
    )
    path.write_text(text)
    assert read_mzml(path)[0].time_s == 90.0


def test_mzml_scan_without_time_is_an_error_for_series(tmp_path):
    path = write_mzml([Spectrum([5000.0, 5001.0], [1.0, 2.0], None, "x")], tmp_path / "n.mzML")
    with pytest.raises(DataError, match=r"scan 0 .* no scan start time"):
        read_spectra(path)
    assert read_spectrum(path).time_s is None  # a single spectrum needs no time


def test_not_mzml(tmp_path):
    path = _write(tmp_path / "x.mzML", "<html>no</html>")
    with pytest.raises(DataError, match=r"x\.mzML"):
        read_spectra(path)


def test_baseline_subtracted_spectra_with_negative_intensities_are_read(tmp_path):
    path = _write(tmp_path / "sub.csv", "5000,1\n5001,-3\n5002,2\n")
    spec = read_spectrum(path)
    assert spec.intensity.tolist() == [1.0, -3.0, 2.0]
