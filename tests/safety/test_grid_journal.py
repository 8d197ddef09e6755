"""The grid journal (grid.csv) is checked row by row on resumption: a garbage line
does not hide the rows after it, an edited objective is not trusted (checksum), a
row whose parameters are not its grid point is ignored, and a binary file is one
clear error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from intercluster.errors import DataError
from intercluster.fit.executors import SerialExecutor
from intercluster.fit.grid import grid_values, read_journal, row_checksum, run_grid
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import FitProblem, Parameter
from tests.fit.conftest import make_data, write_small_fit

from .conftest import run_cli

AXES = [np.array([1e-2, 1e-1])] * 3  # 8 points


@pytest.fixture(scope="module")
def problem():
    system, data = make_data(
        4, "sim2", {"k_dim": 1e-2, "k_diss": 1e-1, "k_ex": 3.2e-2}, noise=0.03, seed=3, t_end_s=300
    )
    params = [Parameter(n, 1e-2, 1e-3, 1.0) for n in ("k_dim", "k_diss", "k_ex")]
    return FitProblem(system, "sim2", params, data, ObjectiveSpec(kind="combined"))


@pytest.fixture(scope="module")
def reference(problem, tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "grid.csv"
    full = run_grid(problem, AXES, SerialExecutor(problem), path, progress=False)
    return full, path.read_bytes()


def _resume(problem, path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_grid(problem, AXES, SerialExecutor(problem), path, progress=False)
    return res, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def _same_table(res, full):
    cols = ["index", "k_dim", "k_diss", "k_ex", "status", "objective", "eq1_s2", "rank"]
    pd.testing.assert_frame_equal(res.table[cols], full.table[cols])


def test_a_garbage_line_in_the_middle_keeps_the_rows_after_it(problem, reference, tmp_path):
    full, raw = reference
    lines = raw.split(b"\n")
    path = tmp_path / "grid.csv"
    # line 4 of the file becomes garbage text, and binary junk goes after line 6
    bad = [*lines[:3], b"this is not a row", *lines[3:5], b"\xff\xfe\x00junk", *lines[5:]]
    path.write_bytes(b"\n".join(bad))
    res, msgs = _resume(problem, path)
    assert res.n_resumed == 8 and res.n_new == 0  # nothing after the garbage was lost
    assert any("line(s) 4, 7 are not journal rows" in m for m in msgs), msgs
    _same_table(res, full)
    # the journal was repaired: read again, it warns no more
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_journal(path, problem.free_names, grid_values(AXES), problem.key)) == 8


def test_an_edited_objective_is_recomputed(problem, reference, tmp_path):
    full, raw = reference
    lines = raw.decode().splitlines()
    fields = lines[4].split(",")  # index 3
    assert fields[0] == "3"
    fields[5] = "1e-09"  # would become the best point if trusted
    lines[4] = ",".join(fields)
    path = tmp_path / "grid.csv"
    path.write_text("\n".join(lines) + "\n")
    res, msgs = _resume(problem, path)
    assert res.n_new == 1 and res.n_resumed == 7
    assert any("line(s) 5 fail their checksum" in m for m in msgs), msgs
    _same_table(res, full)
    assert res.best["objective"] > 1e-9


def test_rows_off_the_grid_are_ignored(problem, reference, tmp_path):
    full, raw = reference
    lines = raw.decode().splitlines()
    key = problem.key

    def forged(index, values, objective):
        row = [str(index), *(repr(v) for v in values), "ok", repr(objective), "1.0", "1.0", "1.0"]
        check = row_checksum(key, index, values, "ok", [objective, 1.0, 1.0, 1.0])
        return ",".join([*row, check, "0.1000"])

    # a correct checksum, but parameters that are not the point of index 2, and an index
    # outside the grid
    lines[3] = forged(2, [0.5, 0.1, 0.01], 1e-9)
    lines.append(forged(99, [0.01, 0.01, 0.01], 1e-9))
    path = tmp_path / "grid.csv"
    path.write_text("\n".join(lines) + "\n")
    res, msgs = _resume(problem, path)
    assert res.n_new == 1 and res.n_resumed == 7
    assert any("line(s) 4, 10 hold parameters that are not a point" in m for m in msgs), msgs
    _same_table(res, full)


def test_a_journal_without_checksums_is_recomputed(problem, reference, tmp_path):
    full, raw = reference
    old = []
    for k, line in enumerate(raw.decode().splitlines()):
        f = line.split(",")
        old.append(",".join([*f[:-2], f[-1]]) if k else line.replace(",checksum", ""))
    path = tmp_path / "grid.csv"
    path.write_text("\n".join(old) + "\n")
    res, msgs = _resume(problem, path)
    assert res.n_new == 8 and any("without checksums" in m for m in msgs), msgs
    _same_table(res, full)


@pytest.mark.parametrize("content", [bytes(range(256)) * 4, b"\xff\xfeg\x00r\x00i\x00d\x00\n1,2"])
def test_a_binary_journal_is_one_clear_error(problem, tmp_path, content):
    path = tmp_path / "grid.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match="not a grid journal"):
        run_grid(problem, AXES, SerialExecutor(problem), path, progress=False)
    assert path.read_bytes() == content  # not the tool's to delete


def test_binary_grid_csv_in_a_fit_folder_exits_2(tmp_path, capsys):
    cfg = write_small_fit(tmp_path, n=4, points=2)
    out = tmp_path / "fit"
    args = ["fit", cfg, "--out", out, "--method", "grid", "--workers", "1", "--quiet"]
    from intercluster.fit.config import FitConfig
    from intercluster.fit.workflow import prepare_output

    prepare_output(out, FitConfig.from_toml(cfg).resolved)
    (out / "grid.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    code, _, err = run_cli(args, capsys)
    assert code == 2 and err.count("\n") == 1 and "not a grid journal" in err, err


def test_a_header_cut_by_a_kill_starts_afresh(problem, reference, tmp_path):
    full, _ = reference
    path = tmp_path / "grid.csv"
    path.write_text("index,k_dim,k_di")  # killed while the header was written
    res, msgs = _resume(problem, path)
    assert res.n_new == 8 and not msgs
    _same_table(res, full)
