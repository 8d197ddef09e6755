"""Fit processes: one run per fit folder (a lock, refused at once naming the holder),
workers that die with a killed main process, and --workers capped at the cores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings

import pytest

from intercluster.errors import ConfigError
from intercluster.fit.executors import (
    ProcessExecutor,
    SerialExecutor,
    available_cores,
    make_executor,
)
from intercluster.io import LOCK_FILE, folder_lock
from tests.fit.conftest import write_small_fit

from .conftest import cli, run_cli, write_tiny

HOLD_LOCK = (
    "import sys, time\n"
    "from intercluster.io import folder_lock\n"
    "with folder_lock(sys.argv[1]):\n"
    "    print('locked', flush=True)\n"
    "    time.sleep(600)\n"
)


def _wait_for_lines(path, n, proc, timeout=300):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if path.exists() and path.read_text().count("\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"the fit ended early: {proc.communicate()[1]}")
        time.sleep(0.05)
    pytest.fail("no progress")


def test_a_second_run_on_a_locked_fit_folder_refuses_at_once(tmp_path, capsys):
    cfg = write_small_fit(tmp_path, n=4, points=2)
    out = tmp_path / "fit"
    from intercluster.fit.config import FitConfig
    from intercluster.fit.workflow import prepare_output

    prepare_output(out, FitConfig.from_toml(cfg).resolved)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.perf_counter()
        code, _, err = run_cli(
            ["fit", cfg, "--out", out, "--method", "grid", "--workers", "1", "--quiet"], capsys
        )
        assert code == 2 and err.count("\n") == 1, err
        assert f"PID {holder.pid}" in err and str(out) in err and "another run" in err
        assert time.perf_counter() - t0 < 30  # at once, not after waiting for the holder
        assert not (out / "grid.csv").exists()  # no point was evaluated
    finally:
        holder.kill()  # even SIGKILL releases the lock: it dies with the process
        holder.wait()
    with folder_lock(out):
        assert (out / LOCK_FILE).read_text().strip() == str(os.getpid())
    assert not (out / LOCK_FILE).exists()


def test_folder_lock_in_one_process_twice(tmp_path):
    with folder_lock(tmp_path):
        with pytest.raises(ConfigError, match=f"PID {os.getpid()}"):
            with folder_lock(tmp_path):
                pass
    with folder_lock(tmp_path):  # released
        pass


@pytest.mark.slow
def test_two_real_fits_on_one_folder(tmp_path):
    cfg = write_small_fit(tmp_path, n=5, points=4)  # 64 points
    out = tmp_path / "fit"
    args = ["fit", cfg, "--out", out, "--method", "grid", "--workers", "1", "--quiet"]
    first = cli(args)
    try:
        _wait_for_lines(out / "grid.csv", 3, first)
        second = cli(args)
        _, err = second.communicate(timeout=300)
        assert second.returncode == 2 and f"PID {first.pid}" in err, err
        n_lines = (out / "grid.csv").read_text().count("\n")
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=300)
    rows = (out / "grid.csv").read_text().splitlines()[1:]
    indices = [r.split(",")[0] for r in rows]
    assert len(indices) == len(set(indices)) and len(rows) >= n_lines - 1  # no point twice


@pytest.mark.slow
def test_workers_die_with_a_killed_main_process(tmp_path):
    psutil = pytest.importorskip("psutil")
    cfg = write_small_fit(tmp_path, n=6, points=5)  # 125 points: minutes of work
    out = tmp_path / "fit"
    proc = cli(
        ["fit", cfg, "--out", out, "--method", "grid", "--workers", "2",
         "--allow-oversubscribe", "--quiet"]
    )  # fmt: skip
    _wait_for_lines(out / "grid.csv", 3, proc)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert len(workers) >= 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    t0 = time.time()
    _, alive = psutil.wait_procs(workers, timeout=20)
    for w in alive:  # do not leave them burning CPU when the test fails
        w.kill()
    assert not alive, f"workers still running {time.time() - t0:.0f} s after SIGKILL"


def test_watcher_thread_ends_a_worker_whose_parent_died(tmp_path):
    """The portable fallback (no prctl): a worker notices that its parent changed."""
    script = (
        "import os, sys, time\n"
        "import intercluster.fit.executors as ex\n"
        "ex.PARENT_CHECK_S = 0.05\n"
        "sys.platform = 'portable'  # skip prctl: only the watcher thread remains\n"
        "middle = os.fork()\n"
        "if middle == 0:\n"
        "    parent = os.getpid()\n"
        "    worker = os.fork()\n"
        "    if worker == 0:\n"
        "        ex._die_with_parent(parent)\n"
        "        time.sleep(120)\n"
        "        os._exit(0)\n"
        "    print(worker, flush=True)\n"
        "    time.sleep(0.5)\n"
        "    os._exit(0)  # the parent of the worker dies\n"
        "os.waitpid(middle, 0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    worker = int(proc.stdout.split()[0])
    t0 = time.time()
    while time.time() - t0 < 20:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        if _is_zombie(worker):
            return
        time.sleep(0.05)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the orphaned worker kept running")


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_workers_are_capped_at_the_cores(tmp_path):
    from tests.fit.conftest import make_data
    from tests.fit.test_grid import _problem

    system, data = make_data(3, "sim2", {"k_dim": 1e-2, "k_diss": 1e-1, "k_ex": 3.2e-2})
    problem = _problem(system, data)
    cores = available_cores()
    with pytest.warns(UserWarning, match=f"more than the {cores} core") as rec:
        ex = make_executor(problem, workers=1000)
    assert "allow-oversubscribe" in str(rec[0].message) and "workers = 1000" in str(rec[0].message)
    with ex:
        assert ex.n_workers == cores
        assert isinstance(ex, SerialExecutor if cores == 1 else ProcessExecutor)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with make_executor(problem, workers=cores + 1, allow_oversubscribe=True) as ex:
            assert ex.n_workers == cores + 1
        with make_executor(problem, workers=1) as ex:
            assert ex.n_workers == 1


def test_overwrite_never_replaces_a_folder_a_fit_is_working_in(tmp_path, capsys):
    cfg = write_small_fit(tmp_path, n=4, points=2)
    out = tmp_path / "fit"
    from intercluster.fit.config import FitConfig
    from intercluster.fit.workflow import prepare_output

    prepare_output(out, FitConfig.from_toml(cfg).resolved)  # a fit folder (fit-config.toml)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        tiny = write_tiny(tmp_path)
        code, _, err = run_cli(
            ["simulate", tiny, "--out", out, "--overwrite", "--quiet", "--no-plots"], capsys
        )
        assert code == 2 and f"PID {holder.pid}" in err and err.count("\n") == 1, err
        assert (out / "fit-config.toml").exists()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_prctl_kills_a_worker_at_once_when_its_parent_is_killed():
    script = (
        "import os, signal, sys, time\n"
        "import intercluster.fit.executors as ex\n"
        "ex.PARENT_CHECK_S = 1000  # the watcher would take ages: only prctl can be fast\n"
        "r, w = os.pipe()\n"
        "middle = os.fork()\n"
        "if middle == 0:\n"
        "    parent = os.getpid()\n"
        "    if os.fork() == 0:\n"
        "        ex._die_with_parent(parent)\n"
        "        os.write(w, f'{os.getpid()}\\n'.encode())\n"
        "        time.sleep(600)\n"
        "        os._exit(0)\n"
        "    time.sleep(600)\n"
        "worker = int(os.read(r, 100).split()[0])\n"
        "os.kill(middle, signal.SIGKILL)\n"
        "os.waitpid(middle, 0)\n"
        "print(worker, flush=True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    worker = int(proc.stdout.split()[0])
    t0 = time.time()
    while time.time() - t0 < 10:  # long before the watcher's first check (1000 s)
        if _is_zombie(worker):
            return
        time.sleep(0.01)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the worker outlived its killed parent")
