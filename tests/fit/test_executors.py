"""Serial, local processes and a real Dask cluster give the same results to the last digit."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster import ConfigError
from intercluster.fit.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    make_executor,
)
from intercluster.fit.grid import run_grid
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import FitProblem, Parameter
from intercluster.fit.refine import refine

from .conftest import TABLE1, assert_same_floats, make_data

AXES = [np.array([3e-3, 1e-2, 3e-2]), np.array([3e-2, 1e-1, 3e-1]), np.array([1e-2, 3e-2, 1e-1])]


@pytest.fixture(scope="module")
def problem():
    system, data = make_data(
        5,
        "sim2",
        TABLE1["sim2"],
        ((40, 40), (100, 60)),
        noise=0.03,
        dropout=0.05,
        seed=7,
        t_end_s=900,
    )
    params = [Parameter(n, 1e-2, 1e-3, 1.0) for n in ("k_dim", "k_diss", "k_ex")]
    return FitProblem(system, "sim2", params, data, ObjectiveSpec(kind="combined", smooth_s=60))


def _run(problem, executor, tmp_path, name):
    with executor:
        grid = run_grid(problem, AXES, executor, tmp_path / f"{name}.csv", progress=False)
        ref = refine(problem, grid.best_thetas(problem, 2), executor, max_evaluations=30)
    return grid, ref


def test_serial_processes_and_dask_agree_bit_for_bit(problem, tmp_path):
    from distributed import LocalCluster

    results = {"serial": _run(problem, SerialExecutor(problem), tmp_path, "serial")}
    results["processes"] = _run(problem, ProcessExecutor(problem, 2), tmp_path, "processes")
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        results["dask"] = _run(
            problem, DaskExecutor(problem, cluster.scheduler_address), tmp_path, "dask"
        )
    ref_grid, ref_refine = results["serial"]
    for name in ("processes", "dask"):
        grid, ref = results[name]
        for col in ("objective", "eq1_s2", "tmax_chi2", "intensity_chi2"):
            assert_same_floats(grid.table[col], ref_grid.table[col])
        assert (grid.table["rank"] == ref_grid.table["rank"]).all()
        assert_same_floats(ref.theta, ref_refine.theta)
        assert ref.n_evaluations == ref_refine.n_evaluations
        assert ref.evaluation.value == ref_refine.evaluation.value
    # the journals hold the same lines (in completion order)
    lines = {n: sorted((tmp_path / f"{n}.csv").read_text().splitlines()) for n in results}
    strip = [[",".join(ln.split(",")[:-1]) for ln in v] for v in lines.values()]  # minus seconds
    assert strip[0] == strip[1] == strip[2]


def test_unreachable_scheduler_is_a_config_error(problem):
    with pytest.raises(ConfigError, match=r"^scheduler = 'tcp://127\.0\.0\.1:9'.*cannot reach"):
        DaskExecutor(problem, "tcp://127.0.0.1:9", timeout_s=2)
    with pytest.raises(ConfigError, match="an address such as tcp://HOST:PORT"):
        make_executor(problem, scheduler="localhost")
    with pytest.raises(ConfigError, match=r"^workers = 0"):
        make_executor(problem, workers=0)
    assert isinstance(make_executor(problem, workers=1), SerialExecutor)
