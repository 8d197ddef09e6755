"""Interruption: SIGTERM and Ctrl-C remove the temporary folder of a run (exit
128 + signal), and a later run removes temporary folders whose owner process is
gone, never one of a live process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from intercluster.io import MARKER, read_marker, remove_stale_temporaries, write_marker
from tests.fit.conftest import write_small_fit

from .conftest import cli, run_cli, temporaries, write_tiny

#: many output rows, so that writing the result folder takes a while
LONG_OUTPUT = ["--t-end", "20000", "--dt", "1"]


def _interrupt_while_writing(tmp_path, sig):
    """Run simulate and send ``sig`` once its temporary folder exists."""
    tiny = write_tiny(tmp_path)
    for _ in range(3):  # the writing phase is short: retry if the run finished first
        out = tmp_path / "res"
        proc = cli(["simulate", tiny, "--out", out, "--quiet", *LONG_OUTPUT])
        while proc.poll() is None and not list(tmp_path.glob(".res.*.tmp")):
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            return proc.returncode, err, out
        shutil.rmtree(out)
    pytest.skip("the run always finished before the signal could arrive")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "code", "word"),
    [
        (signal.SIGTERM, 128 + signal.SIGTERM, "terminated (SIGTERM)"),
        (signal.SIGINT, 130, "interrupted"),
    ],
)
def test_signal_while_writing_leaves_nothing(tmp_path, sig, code, word):
    returncode, err, out = _interrupt_while_writing(tmp_path, sig)
    assert returncode == code, err
    assert word in err and err.count("\n") == 1 and "Traceback" not in err
    # nothing half-written: either no folder, or (the signal arrived just after the rename
    # that publishes it) the complete result
    if out.exists():
        assert read_marker(out) is not None and (out / "summary.json").exists()
    assert temporaries(tmp_path) == []


@pytest.mark.slow
def test_sigterm_of_a_fit_keeps_the_journal_and_releases_the_folder(tmp_path):
    cfg = write_small_fit(tmp_path, n=5, points=4)
    out = tmp_path / "fit"
    args = ["fit", cfg, "--out", out, "--method", "grid", "--workers", "2", "--quiet"]
    proc = cli(args)
    t0 = time.time()
    while not ((out / "grid.csv").exists() and (out / "grid.csv").read_text().count("\n") > 3):
        assert proc.poll() is None and time.time() - t0 < 300
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 143 and "terminated (SIGTERM)" in err, err
    assert not (out / ".intercluster.lock").exists() and not (out / "fit.json").exists()
    rows = (out / "grid.csv").read_text().splitlines()
    assert rows[0].startswith("index,k_dim") and len(rows) > 3


def _fake_temporary(parent, name, **owner):
    folder = parent / name
    folder.mkdir()
    write_marker(folder, "simulate")
    if owner:
        info = json.loads((folder / MARKER).read_text())
        info.update(owner)
        (folder / MARKER).write_text(json.dumps(info))
    (folder / "result.nc").write_bytes(b"\0" * 1000)
    return folder


def test_next_run_removes_temporaries_of_dead_runs_only(tmp_path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    try:
        _fake_temporary(tmp_path, ".res.dead0001.tmp", pid=dead.pid, pid_start=None)
        _fake_temporary(tmp_path, ".res.live0001.tmp", pid=live.pid, pid_start=None)
        reused = _fake_temporary(tmp_path, ".res.reus0001.tmp", pid=live.pid, pid_start=1)
        _fake_temporary(tmp_path, ".res.host0001.tmp", pid=dead.pid, host="elsewhere")
        (tmp_path / ".res.nomarker.tmp").mkdir()  # whose? unknown: kept
        (tmp_path / ".other.dead0002.tmp").mkdir()  # another output's: not looked at
        tiny = write_tiny(tmp_path)
        code, _, err = run_cli(["simulate", tiny, "--out", tmp_path / "res", "--quiet",
                                "--no-plots"], capsys)  # fmt: skip
        assert code == 0, err
        left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
        assert left == [
            ".other.dead0002.tmp",
            ".res.host0001.tmp",
            ".res.live0001.tmp",
            ".res.nomarker.tmp",
        ]
        assert not reused.exists()  # the PID lives, but it is another process now
        assert (tmp_path / "res" / "summary.json").exists()
    finally:
        live.kill()
        live.wait()
    assert remove_stale_temporaries(tmp_path / "res") == [tmp_path / ".res.live0001.tmp"]
    assert socket.gethostname() != "elsewhere"


def test_the_temporary_folder_names_its_owner_from_the_start(tmp_path):
    from intercluster.io import atomic_output_dir, read_marker

    with atomic_output_dir(tmp_path / "res") as tmp:
        info = read_marker(tmp)
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        assert remove_stale_temporaries(tmp_path / "res") == []  # a live run's folder stays
        assert tmp.exists()


def test_own_temporaries_are_removed_after_a_signal(tmp_path):
    """The second line behind atomic_output_dir's clean-up: every temporary folder this
    process still holds is removed when the command line ends by a signal."""
    from intercluster.io import _OWN_TEMPORARIES, atomic_output_dir, remove_own_temporaries

    gen = atomic_output_dir(tmp_path / "res")
    tmp = gen.__enter__()  # abandoned without __exit__, as if a signal cut it short
    assert tmp in _OWN_TEMPORARIES and tmp.exists()
    assert remove_own_temporaries() == [tmp]
    assert not tmp.exists() and tmp not in _OWN_TEMPORARIES
    assert temporaries(tmp_path) == []
