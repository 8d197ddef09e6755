"""The C boundary is a public API: bad input raises ConfigError/ValueError, never crashes.

Cases that crashed or wrote out of bounds before the boundary was checked run in a
subprocess, so that a crash fails the test instead of killing pytest.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from intercluster import ExchangeSystem, build_network
from intercluster.errors import ConfigError
from intercluster.kinetics import _bdf, compile_network, initial_concentrations
from intercluster.kinetics.solver import CompiledNetwork

DATA = Path(__file__).parent / "data"
SRC = Path(__file__).resolve().parents[2] / "src"


def run_isolated(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (a segfault gives a negative return code)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def ab():
    """A -> B, k = 1 s^-1."""
    return CompiledNetwork.from_arrays(2, [[0, -1]], [[1, -1]], [1.0])


# ------------------------------------------------------------ the reported crashes
def test_huge_product_index_is_refused_not_a_segfault():
    proc = run_isolated(
        """
        import numpy as np
        from intercluster.errors import ConfigError
        from intercluster.kinetics.solver import CompiledNetwork
        try:
            CompiledNetwork.from_arrays(2, [[0, -1]], [[100000000, -1]], [1.0]).rhs(np.ones(2))
        except ConfigError as exc:
            print("refused:", exc)
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert "refused: products[0, 0] = 100000000" in proc.stdout
    assert "[0, 2)" in proc.stdout


def test_tampered_network_is_refused_by_the_c_side():
    """Arrays changed after construction (bypassing the Python checks) are caught by C."""
    proc = run_isolated(
        """
        import dataclasses
        import numpy as np
        from intercluster.kinetics import _bdf
        from intercluster.kinetics.solver import CompiledNetwork
        cn = CompiledNetwork.from_arrays(2, [[0, -1]], [[1, -1]], [1.0])
        for field, value in [("p1", [100000000]), ("r1", [-5]), ("r2", [2]), ("p2", [-2]),
                             ("jc_rxn", [3, 0]), ("jc_other", [9, -1]), ("jc_dest", [4, 0]),
                             ("jc_block", [7, 0]), ("pc_ptr", [0, 5, 0]), ("cp_ptr", [1]),
                             ("cp_row", [1]), ("nc", 3)]:
            arr = value if field == "nc" else np.array(value, dtype=np.int64)
            bad = dataclasses.replace(cn, **{field: arr})
            try:
                _bdf.rhs(np.ones(2), bad, np.zeros(2))
                print("ACCEPTED", field)
            except (ValueError, TypeError) as exc:
                print("refused", field, exc)
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert "ACCEPTED" not in proc.stdout
    assert proc.stdout.count("refused") == 12
    assert "network.p1[0] = 100000000: expected an index in [0, 2)" in proc.stdout


def test_c_side_checks_dtype_and_size_by_field_name(ab):
    with pytest.raises(TypeError, match=r"network\.k: expected a C-contiguous float64"):
        _bdf.rhs(np.ones(2), dataclasses.replace(ab, k=np.array([1], np.int64)), np.zeros(2))
    with pytest.raises(ValueError, match=r"network\.r2: expected 1 elements, got 2"):
        _bdf.rhs(np.ones(2), dataclasses.replace(ab, r2=np.array([-1, -1])), np.zeros(2))
    with pytest.raises(AttributeError):
        _bdf.rhs(np.ones(2), object(), np.zeros(2))
    with pytest.raises(ValueError, match="y: expected 2 elements"):
        _bdf.rhs(np.ones(3), ab, np.zeros(2))
    with pytest.raises(ValueError, match="t_out"):
        _bdf.bdf_solve(
            np.ones(2),
            0.0,
            1.0,
            np.array([2.0]),
            1e-8,
            np.full(2, 1e-12),
            np.inf,
            0.0,
            100,
            -1.0,
            ab,
            np.zeros((1, 2)),
        )


# ------------------------------------------------------------ from_arrays
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((2, [[0, -1]], [[7, -1]], [1.0]), r"products\[0, 0\] = 7: a species index in \[0, 2\)"),
        ((2, [[0, 2]], [[1, -1]], [1.0]), r"reactants\[0, 1\] = 2"),
        ((2, [[0, -2]], [[1, -1]], [1.0]), r"reactants\[0, 1\] = -2"),
        ((2, [[-1, 0]], [[1, -1]], [1.0]), r"reactants\[0, 0\] = -1: .*first slot"),
        ((2, [[0, -1]], [[-1, 1]], [1.0]), r"products\[0, 0\] = -1"),
        ((2, [[0, -1]], [[1, -1]], [-1.0]), r"rate_constants\[0\] = -1.0: a finite rate"),
        ((2, [[0, -1]], [[1, -1]], [np.nan]), r"rate_constants\[0\] = nan"),
        ((2, [[0, -1]], [[1, -1]], [np.inf]), r"rate_constants\[0\] = inf"),
        ((2, [[0, -1]], [[1, -1]], [1.0, 2.0]), r"rate_constants = .*shape \(1,\)"),
        ((2, [[0, -1]], [[1, -1]], ["x"]), r"rate_constants = .*dtype"),
        ((2, [[0.0, -1.0]], [[1, -1]], [1.0]), r"reactants = .*an integer array"),
        ((2, [[0, -1, 1]], [[1, -1]], [1.0]), r"reactants = .*shape \(n_reactions, 2\)"),
        ((2, [[0, -1]], [[1, -1], [1, -1]], [1.0]), r"products = .*2 rows"),
        ((0, [[0, -1]], [[1, -1]], [1.0]), r"n_species = 0: an integer >= 1"),
        ((2.5, [[0, -1]], [[1, -1]], [1.0]), r"n_species = 2.5: an integer"),
        ((True, [[0, -1]], [[1, -1]], [1.0]), r"n_species = True"),
    ],
)
def test_from_arrays_refuses_bad_arrays(args, match):
    with pytest.raises(ConfigError, match=match):
        CompiledNetwork.from_arrays(*args)


def test_from_arrays_refuses_bad_layout_options():
    with pytest.raises(ConfigError, match="n_core = 3"):
        CompiledNetwork.from_arrays(2, [[0, -1]], [[1, -1]], [1.0], n_core=3)
    with pytest.raises(ConfigError, match="periphery_block"):
        CompiledNetwork.from_arrays(
            2, [[0, -1]], [[1, -1]], [1.0], n_core=1, periphery_block=[0, 1]
        )


def test_with_rate_constants_refuses_negative_and_wrong_shape(ab):
    with pytest.raises(ConfigError, match=r"rate_constants\[0\] = -1.0"):
        ab.with_rate_constants([-1.0])
    with pytest.raises(ConfigError, match=r"shape \(1,\)"):
        ab.with_rate_constants([1.0, 1.0])
    assert ab.with_rate_constants([0.0]).k[0] == 0.0  # k = 0 is allowed


# ------------------------------------------------------------ integrate / rhs / solve_newton
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"t_out": [2.0], "t_end": 1.0}, r"t_out\[0\] = 2.0: a finite time within \[t0, t_end\]"),
        ({"t_out": [0.5], "t_end": -1.0}, r"t_end = -1.0: a time >= t0"),
        ({"t_out": [0.5, 0.2], "t_end": 1.0}, r"t_out\[1\] = 0.2: times in non-decreasing"),
        ({"t_out": [np.nan], "t_end": 1.0}, r"t_out\[0\] = nan"),
        ({"t_out": [[0.5]], "t_end": 1.0}, r"t_out = .*1-D"),
        ({"t_out": [0.5], "t_end": np.inf}, r"t_end = inf: a finite number"),
        ({"t_out": [0.5], "t_end": 1.0, "t0": 0.7}, r"t_out\[0\] = 0.5"),
        ({"t_out": [0.5], "t_end": 1.0, "rtol": 0.0}, r"rtol = 0.0: a finite number > 0"),
        ({"t_out": [0.5], "t_end": 1.0, "rtol": np.nan}, r"rtol = nan"),
        ({"t_out": [0.5], "t_end": 1.0, "atol": -1e-12}, r"atol = -1e-12"),
        ({"t_out": [0.5], "t_end": 1.0, "atol": [1e-12, 0.0]}, r"atol\[1\] = 0.0"),
        ({"t_out": [0.5], "t_end": 1.0, "atol": [1e-12]}, r"atol = .*shape \(2,\)"),
        ({"t_out": [0.5], "t_end": 1.0, "max_steps": 0}, r"max_steps = 0: an integer >= 1"),
        ({"t_out": [0.5], "t_end": 1.0, "max_steps": 1.5}, r"max_steps = 1.5: an integer"),
        ({"t_out": [0.5], "t_end": 1.0, "max_step": 0.0}, r"max_step = 0.0"),
        ({"t_out": [0.5], "t_end": 1.0, "first_step": -1.0}, r"first_step = -1.0"),
        ({"t_out": [0.5], "t_end": 1.0, "neg_tol": np.nan}, r"neg_tol = nan"),
        ({"t_out": [0.5], "t_end": 1.0, "callback": 3}, r"callback = 3"),
    ],
)
def test_integrate_refuses_bad_times_and_options(ab, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ab.integrate(np.ones(2), **kwargs)


@pytest.mark.parametrize(
    ("y0", "match"),
    [
        (np.ones(3), r"y0 = .*shape \(2,\)"),
        (np.array([1.0, np.nan]), r"y0\[1\] = nan: a finite number"),
        (np.array([1.0, np.inf]), r"y0\[1\] = inf"),
        (np.array(["a", "b"]), r"y0 = .*dtype"),
    ],
)
def test_integrate_refuses_bad_initial_concentrations(ab, y0, match):
    with pytest.raises(ConfigError, match=match):
        ab.integrate(y0, [1.0], 1.0)


def test_rhs_and_solve_newton_refuse_bad_vectors(ab):
    with pytest.raises(ConfigError, match=r"y = .*shape \(2,\)"):
        ab.rhs(np.ones(5))
    with pytest.raises(ConfigError, match=r"b\[0\] = nan"):
        ab.solve_newton(np.ones(2), 1.0, [np.nan, 1.0])
    with pytest.raises(ConfigError, match=r"c = -1.0"):
        ab.solve_newton(np.ones(2), -1.0, np.ones(2))


def test_valid_edge_cases_still_work(ab):
    """t_out at t0 and at t_end, repeated times, an empty grid, t_end == t0."""
    res = ab.integrate(np.array([1.0, 0.0]), [0.0, 0.5, 0.5, 1.0], 1.0, rtol=1e-10, atol=1e-14)
    expected = np.exp(-np.array([0.0, 0.5, 0.5, 1.0]))
    np.testing.assert_allclose(res.y[:, 0], expected, rtol=1e-8)
    np.testing.assert_allclose(res.y.sum(axis=1), 1.0, rtol=1e-14)
    assert ab.integrate(np.ones(2), [], 1.0).y.shape == (0, 2)
    same = ab.integrate(np.array([1.0, 0.0]), [2.0], 2.0, t0=2.0)
    assert same.y.tolist() == [[1.0, 0.0]]


def test_output_times_off_by_rounding_are_kept_not_zeros(ab):
    """dead time + n * dt can exceed dead time + t_end by one ulp (0.1 + 7 * 0.1 = 0.8 >
    0.1 + 0.7): the output is computed (the integration runs to it), not refused or left
    at zero; a real excursion is still refused."""
    y0 = np.array([1.0, 0.0])
    t_out = 0.1 + np.arange(8) * 0.1
    assert t_out[-1] > 0.1 + 0.7
    res = ab.integrate(y0, t_out, 0.1 + 0.7, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(res.y[:, 0], np.exp(-t_out), rtol=1e-8)
    res = ab.integrate(y0, [0.3 - 1e-17 * 0.3, 0.5], 1.0, t0=0.3)
    assert res.y[0].tolist() == [1.0, 0.0]
    with pytest.raises(ConfigError, match=r"t_out\[0\] = 0.8000001"):
        ab.integrate(y0, [0.8000001], 0.8)


# ------------------------------------------------------------ unchanged results
def test_valid_network_trajectory_is_bit_identical_to_before_the_checks():
    """N = 4 sim3, 40:40 over 3620 s: the same bits as the kernels gave before the
    boundary checks (saved in tests/kinetics/data from the previous version)."""
    net = build_network(ExchangeSystem("Ag", "Au", 4), "sim3")
    cn = compile_network(net)
    y0 = initial_concentrations(net.system, "Ag4:Au4 = 40:40")
    res = cn.integrate(
        y0, np.linspace(0, 3620, 11), 3620.0, rtol=1e-8, atol=1e-12, neg_tol=1e-13 * y0.sum()
    )
    np.testing.assert_array_equal(res.y, np.load(DATA / "sim3_N4_trajectory.npy"))


def test_compiled_arrays_are_read_only_views():
    """The C integrator checks the index arrays once per call and trusts them afterwards:
    a compiled network's arrays cannot be changed in place (not even by a callback during
    a solve), and the caller's own rate-constant array keeps its flags."""
    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics.simulate import compile_network

    net = build_network(ExchangeSystem("Ag", "Au", 3), "sim3")
    cn = compile_network(net)
    for name in ("r1", "r2", "p1", "p2", "k", "jc_row", "cp_ptr", "blk_start"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(cn, name)[0] = 10**6
    k = np.array(net.rate_constants, dtype=float)
    cn2 = cn.with_rate_constants(k)
    assert k.flags.writeable  # the caller's array is untouched
    with pytest.raises(ValueError, match="read-only"):
        cn2.k[0] = 1.0
