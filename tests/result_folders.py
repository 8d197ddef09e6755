"""Small result folders of simulate, fit, equilibrium and exsy, written by the real
commands once per test process (shared by tests/test_load.py and tests/test_report.py)."""

from __future__ import annotations

import os
from pathlib import Path

from intercluster.cli.main import main
from tests.fit.conftest import write_small_fit

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "simulate": ["simulate", "--n-atoms", "5", "--t-end", "600", "--dt", "10", "--quiet"],
    "fit": ["fit", "{fit_toml}", "--workers", "1", "--quiet"],
    "equilibrium": ["equilibrium"],
    "exsy": ["exsy", str(ROOT / "examples/m7h_site_direct.toml"), "--mixing-times", "0.4", "0.8"],
}

_CACHE: dict[str, dict[str, Path]] = {}


def make_folders(tmp_path_factory, kinds=tuple(COMMANDS)) -> dict[str, Path]:
    """kind -> folder written by ``intercluster <kind> ... --out <folder>`` (run in
    a temporary working directory, so the recorded command names it)."""
    base = _CACHE.setdefault("folders", {})
    missing = [k for k in kinds if k not in base]
    if missing:
        work = tmp_path_factory.mktemp("results")
        fit_toml = write_small_fit(work)
        cwd = os.getcwd()
        os.chdir(work)
        try:
            for kind in missing:
                args = [a.format(fit_toml=fit_toml) for a in COMMANDS[kind]]
                code = main([*args, "--out", kind])
                assert code == 0, (kind, args)
                base[kind] = work / kind
        finally:
            os.chdir(cwd)
    return {k: base[k] for k in kinds}
