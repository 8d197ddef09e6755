"""Helpers of the output-safety tests: a tiny simulation config and the command line
in this process or as a real process (signals, pipes, concurrency)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from intercluster.cli.main import main

#: a network of 5 monomers and 15 dimers, 7 output times: a run takes well under a second
TINY = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 4
charge = -1

[model]
name = "sim3"
k_dim = 1e-2
k_diss = 5.6e-2
k_ex = {k_ex}

[initial]
mixture = "Ag4:Au4 = 40:40"

[time]
dead_time_s = 20
t_end_s = 60
dt_s = 10
"""

EXE = str(Path(sys.executable).parent / "intercluster")


def write_tiny(folder: Path, k_ex: float = 3.2e-2, name: str = "tiny.toml") -> Path:
    path = folder / name
    path.write_text(TINY.format(k_ex=k_ex))
    return path


@pytest.fixture
def tiny(tmp_path):
    return write_tiny(tmp_path)


def run_cli(args, capsys):
    """(exit status, stdout, stderr) of the command line run in this process."""
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def cli(args, **kw) -> subprocess.Popen:
    """The command line as a real process (stdout and stderr piped, text)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("text", True)
    kw.setdefault("env", {**os.environ, "MPLBACKEND": "Agg"})
    return subprocess.Popen([EXE, *map(str, args)], **kw)


def temporaries(folder: Path) -> list[str]:
    """Hidden temporary folders/files of the atomic writers left in ``folder``."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith(".") and (".tmp" in p.name or p.name.endswith((".old", ".lock")))
    )
