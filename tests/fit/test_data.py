"""Reading time-resolved data: the observables.csv layout and every bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest

from intercluster import DataError, ExchangeSystem
from intercluster.fit.data import load_observables_csv

SYSTEM = ExchangeSystem("Ag", "Au", 2)
LABELS = SYSTEM.observable_labels  # 3 monomers + 5 dimer sums


def write(path, rows, columns=("time_s", *LABELS)):
    lines = [",".join(columns)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def good_rows(n=4):
    rng = np.random.default_rng(0)
    y = rng.random((n, len(LABELS)))
    return [[10.0 * i, *row] for i, row in enumerate(y)]


def test_reads_and_renormalises(tmp_path):
    d = load_observables_csv(write(tmp_path / "x.csv", good_rows()), SYSTEM, dead_time_s=15)
    assert d.labels == LABELS and d.intensity.shape == (4, 8)
    np.testing.assert_allclose(d.intensity.sum(axis=1), 1.0)
    assert d.dead_time_s == 15 and d.name == "x" and d.notes == ()


def test_missing_observables_are_skipped_with_a_note(tmp_path):
    rows = [r[:-2] for r in good_rows()]
    d = load_observables_csv(write(tmp_path / "x.csv", rows, ("time_s", *LABELS[:-2])), SYSTEM)
    assert d.labels == LABELS[:-2]
    assert "2 observable(s) of the model not in the data" in d.notes[0]
    assert LABELS[-1] in d.notes[0]


def test_columns_in_any_order_and_spelling(tmp_path):
    cols = ("time_s", "[Ag2]-", "[AgAu]-", "[Au2]-", *LABELS[3:])
    d = load_observables_csv(write(tmp_path / "x.csv", good_rows(), cols), SYSTEM)
    assert d.labels == LABELS


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows, cols: (rows, ("t", *cols[1:])), "no 'time_s' column"),
        (lambda rows, cols: ([rows[0], rows[0], *rows[2:]], cols), "duplicate time_s"),
        (lambda rows, cols: ([rows[1], rows[0], *rows[2:]], cols), "decreasing time_s"),
        (lambda rows, cols: ([[-5.0, *rows[0][1:]], *rows[1:]], cols), "must be >= 0"),
        (lambda rows, cols: ([[0.0, "nan", *rows[0][2:]], *rows[1:]], cols), "finite and >= 0"),
        (lambda rows, cols: ([[0.0, -0.1, *rows[0][2:]], *rows[1:]], cols), "finite and >= 0"),
        (lambda rows, cols: ([[0.0, "", *rows[0][2:]], *rows[1:]], cols), "--drop-invalid"),
        (lambda rows, cols: ([[0.0, "abc", *rows[0][2:]], *rows[1:]], cols), "non-numeric"),
        (
            lambda rows, cols: (rows, (*cols[:-2], "[Ag5]-", "[Pt4]2-")),
            "2 column(s) are not observables of this system (Ag/Au, N = 2): [Ag5]-, [Pt4]2-",
        ),
    ],
)
def test_bad_data(tmp_path, mutate, message):
    rows, cols = mutate(good_rows(), ("time_s", *LABELS))
    with pytest.raises(DataError, match=re.escape(message)):
        load_observables_csv(write(tmp_path / "x.csv", rows, cols), SYSTEM)


def test_drop_invalid_reports_what_it_dropped(tmp_path):
    rows = good_rows(5)
    rows[1][3] = "nan"
    rows[3][2] = -1.0
    d = load_observables_csv(write(tmp_path / "x.csv", rows), SYSTEM, drop_invalid=True)
    assert d.time_s.tolist() == [0.0, 20.0, 40.0]
    assert "dropped 2 of 5 time points" in d.notes[0] and "time_s = 10, 30" in d.notes[0]


def test_weights_file_must_match(tmp_path):
    data = write(tmp_path / "x.csv", good_rows())
    w = write(tmp_path / "w.csv", [[r[0], *([2.0] * 8)] for r in good_rows()])
    d = load_observables_csv(data, SYSTEM, weights_path=w)
    assert d.point_weights.shape == (4, 8) and np.all(d.point_weights == 2.0)
    bad = write(tmp_path / "w2.csv", [[r[0] + 1, *([2.0] * 8)] for r in good_rows()])
    with pytest.raises(DataError, match="time_s column must equal"):
        load_observables_csv(data, SYSTEM, weights_path=bad)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_observables_csv(tmp_path / "nope.csv", SYSTEM)
