"""Concurrent writers of one output folder: without --overwrite exactly one run
succeeds and the others exit 2 with one line; with --overwrite the folder is
always one complete result, never a mix; no temporary folder is left."""

from __future__ import annotations

import threading
import tomllib

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from intercluster.errors import ConfigError
from intercluster.io import atomic_output_dir, read_marker

from .conftest import cli, temporaries, write_tiny


def _writers(out, n, overwrite):
    """``n`` threads that all pass the up-front check, then publish at the same moment."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def work(k):
        try:
            with atomic_output_dir(out, overwrite=overwrite) as tmp:
                barrier.wait(timeout=60)
                for name in ("summary.json", "observables.csv", "species.csv"):
                    (tmp / name).write_text(f"writer {k}\n" * 1000)
            results[k] = "ok"
        except ConfigError as exc:
            results[k] = str(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_racing_publishers_exactly_one_wins(tmp_path):
    out = tmp_path / "res"
    results = _writers(out, 8, overwrite=False)
    assert results.count("ok") == 1
    for r in results:
        assert r == "ok" or ("appeared while this run was working" in r and "\n" not in r)
    texts = {(out / n).read_text() for n in ("summary.json", "observables.csv", "species.csv")}
    assert len(texts) == 1  # all three files from the same writer
    assert temporaries(tmp_path) == []


def test_racing_overwriters_leave_one_complete_result(tmp_path):
    out = tmp_path / "res"
    for _ in range(3):
        results = _writers(out, 6, overwrite=True)
        assert results == ["ok"] * 6
        texts = {(out / n).read_text() for n in ("summary.json", "observables.csv", "species.csv")}
        assert len(texts) == 1 and read_marker(out) is not None
        assert temporaries(tmp_path) == []


def _consistent(out):
    """The files of a simulate folder come from one run."""
    config = tomllib.loads((out / "config.toml").read_text())
    summary = pd.read_json(out / "summary.json", typ="series")
    assert summary["parameters"]["k_ex"] == config["model"]["k_ex"]
    obs = pd.read_csv(out / "observables.csv")
    with xr.open_dataset(out / "result.nc", engine="netcdf4") as ds:
        np.testing.assert_allclose(obs.iloc[:, 1:].to_numpy(), ds.intensity.values, rtol=1e-9)
    return config["model"]["k_ex"]


@pytest.mark.slow
def test_four_simulate_processes_on_one_out(tmp_path):
    configs = [write_tiny(tmp_path, k_ex=0.01 * (k + 1), name=f"c{k}.toml") for k in range(4)]
    out = tmp_path / "res"
    procs = [cli(["simulate", c, "--out", out, "--quiet", "--no-plots"]) for c in configs]
    done = [(p.wait(timeout=600), p.communicate()[1]) for p in procs]
    codes = sorted(code for code, _ in done)
    assert codes == [0, 2, 2, 2], done
    for code, err in done:
        if code == 2:
            assert err.count("\n") == 1 and "Traceback" not in err
            assert "appeared while this run was working" in err or "the folder exists" in err
    winner = next(k for k, (code, _) in enumerate(done) if code == 0)
    assert _consistent(out) == pytest.approx(0.01 * (winner + 1))
    assert temporaries(tmp_path) == []


@pytest.mark.slow
def test_four_simulate_processes_overwriting_one_out(tmp_path):
    configs = [write_tiny(tmp_path, k_ex=0.01 * (k + 1), name=f"c{k}.toml") for k in range(4)]
    out = tmp_path / "res"
    args = ["--out", out, "--quiet", "--no-plots", "--overwrite"]
    procs = [cli(["simulate", c, *args]) for c in configs]
    done = [(p.wait(timeout=600), p.communicate()[1]) for p in procs]
    assert [code for code, _ in done] == [0, 0, 0, 0], done
    k_ex = _consistent(out)
    assert any(k_ex == pytest.approx(0.01 * (k + 1)) for k in range(4))
    assert temporaries(tmp_path) == []
