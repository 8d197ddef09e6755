"""The integrator's profiling build (-DIC_PROFILE) and the Newton loop's finiteness test.

The profiling build (benchmarks/bench_solver_profile.py) must count the same work as the
integrator's own statistics and must not change a single bit of the solution; the normal
build has no profiling entry point.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from intercluster import ExchangeSystem, build_network
from intercluster.errors import SolverError
from intercluster.kinetics import _bdf, compile_network, initial_concentrations, solver
from intercluster.kinetics.solver import CompiledNetwork

BDF_C = Path(__file__).resolve().parents[2] / "src" / "intercluster" / "kinetics" / "_bdf.c"


def test_overflowing_solution_stops_where_it_overflows():
    # A -> 2 A at k = 1/s from [A] = 1 nmol/L: [A] = e^t, whose right-hand side is no
    # longer finite past t = ln(DBL_MAX) = 709.78 s. The Newton loop's finiteness test
    # must reject those steps (no inf or NaN in the output), so the integration stops
    # there with a SolverError naming the time reached.
    cn = CompiledNetwork.from_arrays(1, [[0, -1]], [[0, 0]], [1.0])
    with pytest.raises(SolverError, match=r"stopped at t = ") as info:
        cn.integrate(np.array([1.0]), np.array([0.0, 100.0, 2000.0]), 2000.0)
    t_reached = float(re.search(r"t = ([0-9.e+-]+) s", str(info.value)).group(1))
    assert abs(t_reached - np.log(np.finfo(float).max)) < 1e-2


def test_normal_build_has_no_profiling_entry_point():
    assert not hasattr(_bdf, "profile_counters")


def _build_profiling_variant(out_dir: Path):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not available")
    import numpy

    inc = sysconfig.get_paths()["include"]
    if not (Path(inc) / "Python.h").exists():
        pytest.skip("Python headers are not available")
    so = out_dir / f"_bdf{sysconfig.get_config_var('EXT_SUFFIX')}"
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-O3",
            "-std=c99",
            "-DIC_PROFILE",
            f"-I{inc}",
            f"-I{numpy.get_include()}",
            str(BDF_C),
            "-o",
            str(so),
            "-lm",
        ],
        check=True,
    )
    loader = importlib.machinery.ExtensionFileLoader("_bdf", str(so))
    spec = importlib.util.spec_from_file_location("_bdf", str(so), loader=loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_profiling_build_counts_the_solver_work_and_changes_no_bit(tmp_path, monkeypatch):
    prof = _build_profiling_variant(tmp_path)
    net = build_network(ExchangeSystem("Ag", "Au", 8), "sim3")
    cn = compile_network(net)
    x0 = initial_concentrations(net.system, "Ag8:Au8 = 40:40")
    t_out = np.linspace(0.0, 3600.0, 361)
    normal = cn.integrate(x0, t_out, 3600.0)

    monkeypatch.setattr(solver, "_bdf", prof)
    prof.profile_counters()  # reset
    profiled = cn.integrate(x0, t_out, 3600.0)
    counters = prof.profile_counters()
    again = prof.profile_counters()

    np.testing.assert_array_equal(profiled.y, normal.y)
    phases, work = counters["phases"], counters["work"]
    assert phases["total"][0] == 1
    assert phases["rhs"][0] == profiled.n_fev
    assert phases["jacobian"][0] == profiled.n_jev
    assert phases["factorization"][0] == profiled.n_lu
    # no sensitivities: one linear solve per Newton iteration, one RHS per iteration plus
    # the initial one and the initial-step estimate's
    assert phases["linear_solve"][0] == work["newton_iterations"]
    assert profiled.n_fev == work["newton_iterations"] + 2
    assert phases["sensitivities"][0] == 0
    assert work["step_attempts"] >= profiled.n_steps == phases["history_update"][0]
    assert work["outputs_copied"] + work["outputs_interpolated"] == t_out.size - 1
    assert 1 <= work["sum_order_interpolated"] / work["outputs_interpolated"] <= 5
    timed = sum(sec for name, (_, sec) in phases.items() if name != "total")
    assert 0 < timed <= phases["total"][1]
    assert all(calls == 0 for calls, _ in again["phases"].values())
    assert all(count == 0 for count in again["work"].values())
