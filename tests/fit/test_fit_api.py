"""The fit library's shape: a pure ``fit(problem, method, executor) -> FitResult`` made of
dataclasses, writers the CLI calls, no plotting import in the fit layer, errors that name
parameters, and the eq 1 cross-check of Neumaier et al., JACS 2021, 143, 6969."""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from intercluster import ConfigError
from intercluster.fit import FitConfig, SerialExecutor, fit, write_fit_outputs
from intercluster.fit.result import (
    DatasetFit,
    Driver,
    Eq1Check,
    FitResult,
    Interval,
    ObjectiveTerms,
    ProfileResult,
    TmaxRow,
)
from intercluster.fit.workflow import _eq1_check, prepare_output

from .conftest import write_small_fit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A finished small fit (N = 5, sim2, two datasets, 27 grid points), serial."""
    folder = tmp_path_factory.mktemp("small")
    cfg = FitConfig.from_toml(write_small_fit(folder))
    before = sorted(p.name for p in folder.iterdir())
    lines = []
    problem = cfg.problem
    with SerialExecutor(problem) as ex:
        result = fit(
            problem,
            "grid+refine",
            ex,
            grid=cfg.grid,
            refine=cfg.refine,
            uncertainty=cfg.uncertainty,
            say=lines.append,
        )
    return SimpleNamespace(
        cfg=cfg, problem=problem, result=result, lines=lines, folder=folder, before=before
    )


def test_fit_returns_dataclasses_all_the_way_down(small):
    r = small.result
    assert isinstance(r, FitResult) and isinstance(r.objective, ObjectiveTerms)
    assert isinstance(r.uncertainty, ProfileResult)
    assert all(isinstance(t, TmaxRow) for t in r.tmax) and len(r.tmax) == 2 * 17
    assert r.drivers and all(isinstance(d, Driver) for d in r.drivers)
    assert sum(d.share for d in r.drivers) <= 1 + 1e-12
    assert all(isinstance(d, DatasetFit) for d in r.datasets)
    assert set(r.intervals) == set(r.wald_intervals) == {"k_dim", "k_diss", "k_ex", "k_dim/k_diss"}
    # every integration counts, including the final tables and best-fit traces
    assert r.n_simulations > 2 * r.n_evaluations > 2 * 27
    assert {"grid", "refine", "uncertainty", "total"} <= set(r.timings)
    assert r.timings["total"] == pytest.approx(r.wall_time_s)
    # the objective the result reports is the objective at its best point
    ev = small.problem.evaluate(r.theta)
    assert r.objective.value == pytest.approx(ev.value, rel=1e-12)
    assert r.objective.value <= r.stages["grid"]["best"]["objective"]
    assert r.values == small.problem.values(r.theta)


def test_profile_and_wald_intervals_bracket_the_best_and_agree_in_width(small):
    for name, iv in small.result.intervals.items():
        wald = small.result.wald_intervals[name]
        assert isinstance(iv, Interval) and iv.method == "profile" and wald.method == "wald"
        assert iv.lower < iv.best < iv.upper and wald.lower < wald.best < wald.upper
        assert wald.best == pytest.approx(iv.best, rel=1e-12)
        # Wald is symmetric in log10 around the best value ...
        assert math.log10(wald.upper / wald.best) == pytest.approx(
            math.log10(wald.best / wald.lower), rel=1e-9
        )
        # ... and, near a quadratic optimum, as wide as the profile interval (within 3x)
        ratio = math.log10(wald.upper / wald.lower) / math.log10(iv.upper / iv.lower)
        assert 1 / 3 < ratio < 3, (name, iv, wald)
    corr = small.result.correlation
    assert corr.shape == (3, 3) and np.allclose(np.diag(corr), 1.0)


def test_best_fit_observables_are_the_simulation_at_the_best_point(small):
    r, problem = small.result, small.problem
    assert [d.name for d in r.datasets] == ["40:40", "100:60"]
    for i, d in enumerate(r.datasets):
        source = problem.datasets[i]
        np.testing.assert_array_equal(d.data, source.intensity)
        np.testing.assert_array_equal(d.time_s, source.time_s)
        _, sim = problem.simulate_dataset(i, r.values)
        np.testing.assert_allclose(d.best_fit, sim, rtol=1e-12)
        np.testing.assert_allclose(d.best_fit.sum(axis=1), 1.0, rtol=1e-9)  # normalised
        np.testing.assert_allclose(d.residual, d.data - d.best_fit)
        # residuals of a good fit to 3 % noise are small against the intensities
        assert np.abs(d.residual).max() < 0.1


def test_fit_writes_nothing_and_reports_through_say_and_logging(small, caplog):
    assert sorted(p.name for p in small.folder.iterdir()) == small.before
    assert any(line.startswith("grid: 27 points") for line in small.lines)
    assert any(line.startswith("refine: objective") for line in small.lines)
    assert any(line.startswith("95 % interval k_ex") for line in small.lines)
    with caplog.at_level(logging.INFO, logger="intercluster.fit"):
        fit(small.problem, "grid", SerialExecutor(small.problem), grid=small.cfg.grid)
    assert any(rec.message.startswith("grid: best objective") for rec in caplog.records)


def test_write_fit_outputs_round_trips_through_fit_json_and_csv(small, tmp_path):
    written = write_fit_outputs(small.result, tmp_path)
    names = {p.name for p in written}
    assert {
        "grid.csv",
        "tmax.csv",
        "profiles.csv",
        "fit.json",
        "best_fit_observables_40-40.csv",
        "data_observables_40-40.csv",
        "best_fit_observables_100-60.csv",
        "data_observables_100-60.csv",
    } == names
    data = json.loads((tmp_path / "fit.json").read_text())
    back = FitResult.from_dict(data)
    r = small.result
    assert back.values == pytest.approx(r.values, rel=1e-15)
    np.testing.assert_allclose(back.theta, r.theta, rtol=1e-15)
    assert back.intervals == r.intervals and back.wald_intervals == r.wald_intervals
    assert back.objective == r.objective and back.tmax == r.tmax and back.drivers == r.drivers
    np.testing.assert_allclose(back.correlation, r.correlation, rtol=1e-14)
    assert data["datasets"]["40:40"] == {
        "data": "data_observables_40-40.csv",
        "best_fit": "best_fit_observables_40-40.csv",
    }
    for d in r.datasets:
        tag = d.name.replace(":", "-")
        best = pd.read_csv(tmp_path / f"best_fit_observables_{tag}.csv")
        assert list(best.columns) == ["time_s", *d.labels]
        np.testing.assert_allclose(best["time_s"], d.time_s, rtol=1e-10)
        np.testing.assert_allclose(best[d.labels].to_numpy(), d.best_fit, rtol=1e-9, atol=1e-15)
    grid = pd.read_csv(tmp_path / "grid.csv")
    assert sorted(grid["rank"]) == list(range(1, 28))


@pytest.mark.slow
def test_figures_are_drawn_by_the_plot_layer(small, tmp_path):
    from intercluster.plot.fit import write_fit_figures

    written = {p.name for p in write_fit_figures(small.result, tmp_path, small.problem)}
    assert written == {
        "fit_contours.png",
        "fit_traces.png",
        "residual_map.png",
        "landscape.png",
        "profiles.png",
    }
    for name in written:
        assert (tmp_path / name).stat().st_size > 10_000


def test_the_fit_layer_does_not_import_plotting():
    """A grid fit in a fresh interpreter imports neither intercluster.plot nor matplotlib."""
    code = (
        "import sys\n"
        "from tests.fit.conftest import write_small_fit\n"
        "import tempfile, pathlib\n"
        "from intercluster.fit import FitConfig, SerialExecutor, fit\n"
        "cfg = FitConfig.from_toml(write_small_fit(pathlib.Path(tempfile.mkdtemp()), points=2))\n"
        "r = fit(cfg.problem, 'grid', SerialExecutor(cfg.problem), grid=cfg.grid)\n"
        "assert r.datasets and r.eq1_check is not None\n"
        "bad = [m for m in sys.modules if m.startswith(('intercluster.plot', 'matplotlib'))]\n"
        "print(bad)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    imports_plot = re.compile(r"^\s*(from|import)\s+intercluster\.plot", re.MULTILINE)
    for path in (ROOT / "src/intercluster/fit").glob("*.py"):
        assert not imports_plot.search(path.read_text()), path


def test_library_errors_name_parameters_not_flags(small, tmp_path):
    with pytest.raises(ConfigError, match=r"^method = 'fast': one of grid, refine") as exc:
        fit(small.problem, "fast", SerialExecutor(small.problem))
    assert "--" not in str(exc.value)
    with pytest.raises(ConfigError, match=r"grid = 'steps'") as exc:
        fit(small.problem, "grid", SerialExecutor(small.problem), grid={"steps": 3})
    a_file = tmp_path / "f"
    a_file.write_text("x")
    with pytest.raises(ConfigError, match=r"^out = '.*f': is a file") as exc:
        prepare_output(a_file, small.cfg.resolved)
    assert "--" not in str(exc.value)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("x")
    with pytest.raises(ConfigError, match=r"^out = .*not a fit folder") as exc:
        prepare_output(tmp_path / "other", small.cfg.resolved)
    assert "--" not in str(exc.value)


def _grid_table(rows):
    from intercluster.fit.grid import GridResult

    table = pd.DataFrame(rows, columns=["k_dim", "k_diss", "k_ex", "status", "eq1_s2"])
    return GridResult(table, ["k_dim", "k_diss", "k_ex"], [], 0, 0, 0, 0.0)


def test_eq1_check_flags_an_order_of_magnitude():
    from intercluster.fit.problem import Parameter

    problem = SimpleNamespace(
        objective=SimpleNamespace(kind="combined"),
        free=[Parameter(n, 1e-2, 1e-4, 1.0) for n in ("k_dim", "k_diss", "k_ex")],
    )
    grid = _grid_table(
        [
            (0.178, 1.0, 0.032, "ok", 1.0e3),  # eq 1's optimum
            (0.01, 0.056, 0.032, "ok", 5.0e3),
            (0.001, 0.001, 0.001, "solver_error", float("nan")),
        ]
    )
    fit_values = {"k_dim": 0.01, "k_diss": 0.056, "k_ex": 0.032}
    check = _eq1_check(problem, grid, fit_values, "paper")
    assert check.values == {"k_dim": 0.178, "k_diss": 1.0, "k_ex": 0.032}
    assert check.log10_difference["k_dim"] == pytest.approx(math.log10(17.8))
    assert check.log10_difference["k_ex"] == pytest.approx(0.0)
    assert check.far and "k_diss differs by 1.3 decades" in check.message()
    assert Eq1Check.from_dict(json.loads(json.dumps(check.to_dict()))) == check
    near = _eq1_check(problem, grid, {"k_dim": 0.1, "k_diss": 0.56, "k_ex": 0.032}, "paper")
    assert not near.far  # 0.25 decades
    problem.objective.kind = "eq1"  # eq 1 itself: nothing to compare
    assert _eq1_check(problem, grid, fit_values, "paper") is None


def _example_config(tmp_path, k_dim, k_diss, extra=""):
    """examples/fit_sim3.toml with explicit small grids (absolute data paths)."""
    text = (ROOT / "examples/fit_sim3.toml").read_text()
    text = text.replace('path = "data/', f'path = "{ROOT}/examples/data/')
    text = text.replace(
        "k_dim = { lower = 1e-4, upper = 1 }",
        f"k_dim = {{ lower = 1e-4, upper = 1, grid = {k_dim} }}",
    )
    text = text.replace(
        "k_diss = { lower = 1e-4, upper = 1 }",
        f"k_diss = {{ lower = 1e-4, upper = 1, grid = {k_diss} }}",
    )
    text = text.replace(
        "k_ex = { lower = 1e-4, upper = 1 }", "k_ex = { lower = 1e-4, upper = 1, grid = [0.0316] }"
    )
    text = text.replace("starts = 2 ", "starts = 1 ").replace(
        "max_evaluations = 200", "max_evaluations = 40"
    )
    text = text.replace("profiles = true", "profiles = false") + extra
    path = tmp_path / "fit.toml"
    path.write_text(text)
    return path


@pytest.mark.slow
def test_eq1_on_the_grid_far_from_the_combined_fit_warns_on_the_example_data(tmp_path, capsys):
    """examples/fit_sim3.toml (sim3, Table 1 constants, 3 % noise): on a grid that misses the
    truth, eq 1 picks k_dim = 0.178, k_diss = 1 (its t_max values hardly change along the
    k_dim/k_diss ridge) while the combined objective refines to k_dim ~ 0.01, k_diss ~ 0.056."""
    from intercluster.cli.main import main

    cfg = _example_config(tmp_path, "[0.001, 0.178]", "[0.0056, 1.0]")
    out = tmp_path / "res"
    code = main(["fit", str(cfg), "--out", str(out), "--workers", "2", "--quiet", "--no-plots"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads((out / "fit.json").read_text())
    check = data["eq1_check"]
    assert check["values"]["k_dim"] == pytest.approx(0.178) and check["far"] is True
    assert data["best"]["k_dim"] == pytest.approx(0.01, rel=0.3)
    assert data["best"]["k_dim"] / data["best"]["k_diss"] == pytest.approx(0.01 / 0.056, rel=0.2)
    assert len(data["warnings"]) == 1 and "eq 1 alone" in data["warnings"][0]
    assert "intercluster fit: warning: eq 1 alone" in captured.err
    for tag in ("40-40", "100-60"):
        best = pd.read_csv(out / f"best_fit_observables_{tag}.csv")
        assert best.shape == (343, 1 + 77)


@pytest.mark.slow
def test_eq1_agreeing_with_the_fit_gives_no_warning_on_the_example_data(tmp_path, capsys):
    from intercluster.cli.main import main

    cfg = _example_config(tmp_path, "[0.01, 0.178]", "[0.056, 1.0]")
    out = tmp_path / "res"
    code = main(
        [
            *("fit", str(cfg), "--out", str(out), "--method", "grid", "--workers", "1"),
            *("--quiet", "--report"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads((out / "fit.json").read_text())
    assert data["eq1_check"]["values"] == {"k_dim": 0.01, "k_diss": 0.056, "k_ex": 0.0316}
    assert data["eq1_check"]["far"] is False and data["warnings"] == []
    assert "warning" not in captured.err
    for name in ("fit_traces.png", "residual_map.png", "fit_contours.png"):
        assert (out / name).stat().st_size > 10_000
    html = (out / "report.html").read_text()  # --report
    assert "No warnings." in html and html.count('<img alt="') == 4  # + landscape.png


def test_grid_journal_makes_the_library_fit_resumable(small, tmp_path):
    """fit(..., journal=path): a rerun reads every finished point back and recomputes none."""
    journal = tmp_path / "grid.csv"
    ex = SerialExecutor(small.problem)
    first = fit(small.problem, "grid", ex, grid=small.cfg.grid, journal=journal)
    assert first.grid.n_new == 27 and journal.exists()
    again = fit(small.problem, "grid", ex, grid=small.cfg.grid, journal=journal)
    assert again.grid.n_new == 0 and again.grid.n_resumed == 27 and again.n_evaluations == 0
    pd.testing.assert_frame_equal(again.grid.table, first.grid.table)
    assert again.values == first.values


def test_run_fit_chains_folder_fit_and_files(small, tmp_path):
    from intercluster.fit import run_fit

    out = tmp_path / "res"
    result = run_fit(small.cfg, out, method="grid", executor=SerialExecutor(small.problem))
    assert isinstance(result, FitResult) and result.method == "grid" and not result.intervals
    names = {p.name for p in out.iterdir()}
    assert {"fit-config.toml", "grid.csv", "fit.json", "best_fit_observables_40-40.csv"} <= names
    assert not any(n.endswith(".png") for n in names)  # figures belong to the plot layer
    stored = json.loads((out / "fit.json").read_text())
    assert stored["best"] == result.values and stored["eq1_check"]["far"] is False
