"""A closed stdout (``intercluster simulate ... | head -1``) never decides whether
results are written: the results are written, printing to the closed pipe is
dropped, and the exit status is 0 because the results were written."""

from __future__ import annotations

import json

import pytest

from tests.fit.conftest import write_small_fit

from .conftest import cli, temporaries


def _run_with_closed_stdout(args):
    proc = cli(args)
    proc.stdout.close()  # the reader is gone before the command prints its first line
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err


@pytest.mark.slow
def test_simulate_writes_its_results_into_a_closed_pipe(tiny, tmp_path):
    out = tmp_path / "res"
    code, err = _run_with_closed_stdout(["simulate", tiny, "--out", out])
    assert code == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    for name in ("observables.csv", "result.nc", "summary.json", "contour.png"):
        assert (out / name).stat().st_size > 0
    assert json.loads((out / "summary.json").read_text())["counts"]["species"] == 20
    assert temporaries(tmp_path) == []


@pytest.mark.slow
def test_fit_writes_its_results_into_a_closed_pipe(tmp_path):
    cfg = write_small_fit(tmp_path, n=4, points=2)
    out = tmp_path / "fit"
    args = ["fit", cfg, "--out", out, "--method", "grid", "--workers", "1", "--no-plots"]
    code, err = _run_with_closed_stdout(args)
    assert code == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    fit = json.loads((out / "fit.json").read_text())
    assert set(fit["best"]) == {"k_dim", "k_diss", "k_ex"}
    assert (out / "tmax.csv").exists() and len((out / "grid.csv").read_text().splitlines()) == 9


def test_printing_after_the_reader_left_is_dropped(monkeypatch):
    """The stdout wrapper of the command line, on a stream that raises EPIPE."""
    from intercluster.cli.main import _PipeSafeStdout

    class ClosedPipe:
        def __init__(self):
            self.writes = 0

        def write(self, text):
            self.writes += 1
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            raise ValueError("no file")

    stream = ClosedPipe()
    wrapped = _PipeSafeStdout(stream)
    assert wrapped.write("first line\n") == len("first line\n")
    wrapped.write("second\n")
    wrapped.flush()
    assert wrapped.closed_pipe and stream.writes == 1  # nothing tried after the first EPIPE
