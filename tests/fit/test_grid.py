"""The grid search: presets, the paper's grid-point recovery, resumption, failures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from intercluster import ConfigError
from intercluster.fit.executors import SerialExecutor
from intercluster.fit.grid import PRESETS, grid_axes, grid_values, read_journal, run_grid
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import FitProblem, Parameter

from .conftest import make_data


def test_presets_and_table1():
    qd, paper = PRESETS["quarter-decade"], PRESETS["paper"]
    assert len(qd) == len(paper) == 13
    assert qd[0] == pytest.approx(1e-3) and qd[-1] == 1.0
    assert paper[0] == pytest.approx(1e-4) and paper[-1] == pytest.approx(1.0)
    # Table 1 and the text: 3.2e-3, 1e-2, 3.2e-2, 5.6e-2, 1e-1, 1.8e-3 are quarter-decade values
    for v in (3.2e-3, 1e-2, 3.2e-2, 5.6e-2, 1e-1, 1.8e-3):
        assert np.min(np.abs(np.log10(qd) - math.log10(v))) < 0.01
    assert np.min(np.abs(np.log10(paper) - math.log10(3.2e-2))) > 0.1  # not in the paper's grid


def _problem(system, data, kind="eq1", flags="keep", bounds=(1e-3, 1.0)):
    params = [Parameter(n, 1e-2, *bounds) for n in ("k_dim", "k_diss", "k_ex")]
    return FitProblem(system, "sim2", params, data, ObjectiveSpec(kind=kind, flags=flags))


def test_axes_follow_bounds_and_explicit_grids():
    system, data = make_data(
        3, "sim2", {"k_dim": 1e-2, "k_diss": 1e-1, "k_ex": 3.2e-2}, t_end_s=100
    )
    params = [
        Parameter("k_dim", 1e-2, 1e-2, 1e-1),
        Parameter("k_diss", 1e-1, 1e-4, 1.0, grid=(1e-2, 1e-1)),
        Parameter("k_ex", 3e-2, 1e-4, 1.0),
    ]
    p = FitProblem(system, "sim2", params, data)
    axes = grid_axes(p)
    assert [len(a) for a in axes] == [5, 2, 13]
    assert len(grid_axes(p, "paper")[2]) == 13
    assert grid_values(axes).shape == (130, 3)
    with pytest.raises(ConfigError, match=r"grid\.preset"):
        grid_axes(p, "thirds")


@pytest.mark.parametrize("flags", ["keep", "exclude"])
def test_grid_best_is_the_generating_grid_point(flags):
    """Noise-free sim2 data generated at a grid point: eq 1's best grid point is it."""
    true = {"k_dim": 10**-1.5, "k_diss": 10**-1.0, "k_ex": 10**-1.5}
    system, data = make_data(8, "sim2", true, t_end_s=1800, dt_s=5)
    p = _problem(system, data, flags=flags, bounds=(10**-2.5, 10**-0.5))
    axes = grid_axes(p)
    assert [len(a) for a in axes] == [9, 9, 9]
    # the 3 x 3 x 3 neighbourhood of the true point plus the far corners
    sub = []
    for a, v in zip(axes, true.values()):
        k = int(np.argmin(np.abs(np.log10(a) - np.log10(v))))
        sub.append(a[sorted({0, k - 1, k, k + 1, len(a) - 1})])
    res = run_grid(p, sub, SerialExecutor(p), _tmp_journal(), progress=False)
    best = res.best
    for name, v in true.items():
        assert best[name] == pytest.approx(v, rel=1e-12)
    assert best.objective < 1.0  # s^2 (CSV round-off only)
    second = res.table.sort_values("rank").iloc[1]
    assert second.objective > 100 * max(best.objective, 1e-6)


def _tmp_journal():
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp()) / "grid.csv"


@pytest.fixture(scope="module")
def small_problem():
    system, data = make_data(
        4, "sim2", {"k_dim": 1e-2, "k_diss": 1e-1, "k_ex": 3.2e-2}, noise=0.03, seed=3, t_end_s=600
    )
    return _problem(system, data, kind="combined", flags="exclude")


def test_resume_after_interruption_loses_nothing(small_problem, tmp_path):
    p = small_problem
    axes = [np.array([1e-3, 1e-2, 1e-1])] * 3
    ex = SerialExecutor(p)
    full = run_grid(p, axes, ex, tmp_path / "full.csv", progress=False)
    part = tmp_path / "part.csv"
    assert run_grid(p, axes, ex, part, progress=False, max_points=10) is None
    assert len(read_journal(part, p.free_names)) == 10
    with open(part, "a") as fh:  # a torn line: killed in the middle of a write
        fh.write("10,0.001,0.01")
    res = run_grid(p, axes, ex, part, progress=False)
    assert res.n_resumed == 10 and res.n_new == 17
    lines = part.read_text().splitlines()
    assert len(lines) == 28 and len({ln.split(",")[0] for ln in lines[1:]}) == 27
    cols = ["index", *p.free_names, "status", "objective", "eq1_s2", "intensity_chi2"]
    pd.testing.assert_frame_equal(res.table[cols], full.table[cols])
    assert (res.table["rank"] == full.table["rank"]).all()


def test_failed_points_get_a_status(small_problem, tmp_path, monkeypatch):
    from intercluster.errors import SolverError
    from intercluster.kinetics.solver import CompiledNetwork

    original = CompiledNetwork.integrate

    def flaky(self, y0, t_out, t_end, **kw):
        if self.k.max() > 0.5:  # pretend the stiff corner fails
            raise SolverError("integration stopped at t = 1 s of 620 s: test")
        return original(self, y0, t_out, t_end, **kw)

    monkeypatch.setattr(CompiledNetwork, "integrate", flaky)
    p = small_problem
    axes = [np.array([1e-2]), np.array([1e-1, 1.0]), np.array([3e-2])]
    res = run_grid(p, axes, SerialExecutor(p), tmp_path / "g.csv", progress=False)
    assert res.table.status.tolist() == ["ok", "solver_error"]
    assert res.n_failed == 1 and res.best["k_diss"] == 1e-1
    assert np.isnan(res.table.objective.iloc[1]) and res.table["rank"].tolist() == [1, 2]
