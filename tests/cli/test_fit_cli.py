"""``intercluster fit`` end to end: outputs, resumption after Ctrl-C or a killed worker,
refusal of a changed configuration, and every bad input of the specification (one line
on stderr, exit status 2, nothing written)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.fit.conftest import write_small_fit

from intercluster.cli.main import main


@pytest.fixture
def small_fit(tmp_path):
    return lambda **kw: write_small_fit(tmp_path, **kw)


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fit_writes_every_output_and_resumes(small_fit, tmp_path, capsys):
    cfg = small_fit()
    out = tmp_path / "res"
    code, stdout, err = run_cli(["fit", cfg, "--out", out, "--workers", "2", "--quiet"], capsys)
    assert code == 0, err
    names = {p.name for p in out.iterdir()}
    assert names == {
        "fit-config.toml",
        "grid.csv",
        "fit.json",
        "tmax.csv",
        "profiles.csv",
        "fit_contours.png",
        "landscape.png",
        "profiles.png",
        "fit_traces.png",
        "residual_map.png",
        "data_observables_40-40.csv",
        "best_fit_observables_40-40.csv",
        "data_observables_100-60.csv",
        "best_fit_observables_100-60.csv",
    }
    grid = pd.read_csv(out / "grid.csv")
    assert len(grid) == 27 and list(grid["index"]) == list(range(27))
    assert sorted(grid["rank"]) == list(range(1, 28))
    fit = json.loads((out / "fit.json").read_text())
    assert set(fit["best"]) == {"k_dim", "k_diss", "k_ex"}
    assert set(fit["intervals_95"]) == {"k_dim", "k_diss", "k_ex", "k_dim/k_diss"}
    # every integration counts: each evaluation simulates both datasets, and the final
    # tables and best-fit traces simulate again
    assert fit["n_simulations"] > 2 * fit["n_evaluations"] > 2 * 27
    assert fit["objective"]["value"] <= fit["stages"]["grid"]["best"]["objective"]
    assert len(fit["correlation"]["matrix"]) == 3 and fit["wall_time_s"] > 0
    assert fit["drivers"] and {"observable", "term", "share"} <= set(fit["drivers"][0])
    assert "best: k_dim = " in stdout and "95 % interval k_ex" in stdout
    # the same command again: every grid point is read back, none recomputed
    code, stdout, err = run_cli(
        ["fit", cfg, "--out", out, "--workers", "1", "--method", "grid", "--quiet"], capsys
    )
    assert code == 0, err
    assert "(0 evaluated now, 27 resumed, 0 failed" in stdout
    pd.testing.assert_frame_equal(pd.read_csv(out / "grid.csv"), grid)


def test_changed_configuration_is_refused_with_the_difference(small_fit, tmp_path, capsys):
    cfg = small_fit()
    out = tmp_path / "res"
    assert (
        run_cli(
            [
                "fit",
                cfg,
                "--out",
                out,
                "--method",
                "grid",
                "--quiet",
                "--no-plots",
                "--workers",
                "1",
            ],
            capsys,
        )[0]
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    cfg.write_text(cfg.read_text().replace("smooth_s = 60", "smooth_s = 90"))
    code, _, err = run_cli(["fit", cfg, "--out", out, "--method", "grid", "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "different configuration" in err and "objective.smooth_s: 60 -> 90" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # changed data are refused too (their SHA-256 is stored)
    cfg.write_text(cfg.read_text().replace("smooth_s = 90", "smooth_s = 60"))
    data = cfg.parent / "a.csv"
    data.write_text(data.read_text().replace("0.", "0.0", 1))
    code, _, err = run_cli(["fit", cfg, "--out", out, "--method", "grid", "--quiet"], capsys)
    assert code == 2 and "datasets[0].sha256" in err


def test_mcmc_saves_samples_and_a_corner_plot(small_fit, tmp_path, capsys):
    cfg = small_fit()
    out = tmp_path / "res"
    code, _, err = run_cli(
        ["fit", cfg, "--out", out, "--method", "mcmc", "--workers", "1", "--quiet"], capsys
    )
    assert code == 0, err
    samples = pd.read_csv(out / "mcmc_samples.csv")
    assert list(samples.columns) == ["k_dim", "k_diss", "k_ex", "k_dim/k_diss", "log_prob"]
    assert len(samples) == 6 * (6 - 2)
    assert (out / "mcmc_corner.png").stat().st_size > 1000
    fit = json.loads((out / "fit.json").read_text())
    assert fit["stages"]["mcmc"]["walkers"] == 6 and "grid" not in fit["stages"]


def _bad(tmp, cfg, what):
    """Make config or data bad in one way; returns extra CLI args."""
    a = tmp / "a.csv"
    text = a.read_text().splitlines()
    if what == "no time column":
        a.write_text("\n".join([text[0].replace("time_s", "t"), *text[1:]]) + "\n")
    elif what == "duplicate times":
        a.write_text("\n".join([text[0], text[1], text[1], *text[2:]]) + "\n")
    elif what == "decreasing times":
        a.write_text("\n".join([text[0], text[2], text[1], *text[3:]]) + "\n")
    elif what in ("NaN intensity", "negative intensity"):
        row = text[3].split(",")
        row[2] = "nan" if what == "NaN intensity" else "-0.01"
        a.write_text("\n".join([*text[:3], ",".join(row), *text[4:]]) + "\n")
    elif what == "lower >= upper":
        cfg.write_text(
            cfg.read_text().replace("{ lower = 1e-2, upper = 1 }", "{ lower = 1, upper = 1e-2 }")
        )
    elif what == "unknown parameter":
        cfg.write_text(cfg.read_text().replace("k_ex = {", "k_exchange = {"))
    elif what == "observables do not match":
        cfg.write_text(
            cfg.read_text().replace("n_atoms = 5", "n_atoms = 4").replace("Ag5:Au5", "Ag4:Au4")
        )
    elif what == "unreachable scheduler":
        return ["--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1"]
    elif what == "unknown objective":
        cfg.write_text(cfg.read_text().replace('kind = "combined"', 'kind = "chi2"'))
    return []


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("no time column", "no 'time_s' column"),
        ("duplicate times", "duplicate time_s"),
        ("decreasing times", "decreasing time_s"),
        ("NaN intensity", "must be finite and >= 0"),
        ("negative intensity", "must be finite and >= 0"),
        ("lower >= upper", "parameters.k_diss.lower = 1: a bound below upper = 0.01"),
        ("unknown parameter", "unknown key 'k_exchange'; did you mean 'k_ex'?"),
        ("observables do not match", "are not observables of this system (Ag/Au, N = 4)"),
        ("unreachable scheduler", "cannot reach the Dask scheduler"),
        ("unknown objective", "objective.kind = 'chi2'"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(
    small_fit,
    tmp_path,
    capsys,
    what,
    message,
):
    cfg = small_fit()
    extra = _bad(tmp_path, cfg, what)
    out = tmp_path / "res"
    files = sorted(tmp_path.iterdir())
    code, _, err = run_cli(["fit", cfg, "--out", out, "--quiet", *extra], capsys)
    assert code == 2, err
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and sorted(tmp_path.iterdir()) == files


def test_drop_invalid_reports_and_fits(small_fit, tmp_path, capsys):
    cfg = small_fit()
    _bad(tmp_path, cfg, "NaN intensity")
    out = tmp_path / "res"
    code, stdout, err = run_cli(
        [
            "fit",
            cfg,
            "--out",
            out,
            "--method",
            "grid",
            "--drop-invalid",
            "--quiet",
            "--no-plots",
            "--workers",
            "1",
        ],
        capsys,
    )
    assert code == 0, err
    assert "note: a.csv: dropped 1 of" in stdout and "time_s = 20" in stdout


def _cli(args, **kw):
    exe = Path(sys.executable).parent / "intercluster"
    return subprocess.Popen(
        [str(exe), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw
    )


def _wait_for_lines(path, n, proc, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if path.exists() and path.read_text().count("\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail("the fit finished before it could be interrupted")
        time.sleep(0.02)
    pytest.fail("no progress")


@pytest.mark.parametrize("how", ["ctrl-c", "killed worker"])
def test_interrupted_grid_resumes_without_loss_or_duplicates(small_fit, tmp_path, how):
    cfg = small_fit(n=8, points=6)  # 216 points
    cfg.write_text(cfg.read_text().replace("dead_time_s = 20", "dead_time_s = 20", 1))
    ref = tmp_path / "reference"
    args = ["fit", cfg, "--method", "grid", "--quiet", "--no-plots"]
    assert (
        subprocess.run(
            [
                str(Path(sys.executable).parent / "intercluster"),
                *map(str, args),
                "--out",
                str(ref),
                "--workers",
                "1",
            ],
            capture_output=True,
        ).returncode
        == 0
    )
    out = tmp_path / "res"
    proc = _cli([*args, "--out", out, "--workers", "2"])
    _wait_for_lines(out / "grid.csv", 20, proc)
    if how == "ctrl-c":
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "interrupted" in err
    else:
        import psutil

        workers = psutil.Process(proc.pid).children()
        assert workers
        os.kill(workers[0].pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1 and "rerun the same command to resume" in err
    partial = pd.read_csv(out / "grid.csv")
    assert 20 <= len(partial) < 216 and partial["index"].is_unique
    assert not (out / "fit.json").exists()
    proc = _cli([*args, "--out", out, "--workers", "2"])
    stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"{len(partial)} resumed" in stdout
    final, expect = pd.read_csv(out / "grid.csv"), pd.read_csv(ref / "grid.csv")
    assert list(final["index"]) == list(range(216))
    for col in ("objective", "eq1_s2", "tmax_chi2", "intensity_chi2", "rank"):
        np.testing.assert_array_equal(final[col], expect[col])
