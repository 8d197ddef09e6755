"""Start-up: commands import only what they use (checked in sys.modules of a fresh
interpreter, not by timing), and the lazy package namespaces behave like eager ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("scipy", "scipy.optimize", "pandas", "xarray", "matplotlib", "netCDF4", "pyteomics")


def _modules_after(code: str) -> set[str]:
    """Top-level modules loaded by ``code`` in a fresh interpreter."""
    probe = f"import sys, json, io, contextlib\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def _cli(args: list[str]) -> str:
    return (
        "from intercluster.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({args!r})\n"
        "assert code == 0, code\n"
    )


def test_importing_ms_imports_no_scipy_optimize():
    mods = _modules_after("import intercluster.ms")
    assert "scipy.optimize" not in mods
    assert not {"scipy", "pandas", "xarray", "pyteomics"} & mods


def test_peak_assignment_and_synthetic_spectra_need_no_optimizer():
    """Only the deconvolution (NNLS) needs SciPy's optimizers and linear algebra."""
    mods = _modules_after("import intercluster.ms.assign, intercluster.ms.synthetic")
    assert not {"scipy", "scipy.optimize", "pandas", "xarray"} & mods
    mods = _modules_after(
        "from intercluster.ms import Deconvolver, default_mz_grid, observable_candidates\n"
        "from intercluster.network import ExchangeSystem\n"
        "import numpy as np\n"
        "c = observable_candidates(ExchangeSystem('Ag', 'Au', 2))\n"
        "mz = default_mz_grid(c, 10000)\n"
        "Deconvolver(c, mz, 10000).fit(np.ones_like(mz))\n"
    )
    assert "scipy.optimize" in mods  # and it still gets them when it runs


def test_mass_command_imports_no_scipy_pandas_or_plots():
    mods = _modules_after(_cli(["mass", "[Ag25(DMBT)18]-", "[Au25(PET)18]-"]))
    assert "intercluster.ms.masses" in mods  # it did the work
    assert not set(HEAVY) & mods, sorted(set(HEAVY) & mods)


def test_help_imports_no_numpy():
    code = (
        "from intercluster.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    mods = _modules_after(code)
    assert "numpy" not in mods and not set(HEAVY) & mods


def test_network_and_completion_import_no_plots_or_optimizers():
    mods = _modules_after(_cli(["network", "--n-atoms", "6"]))
    assert not {"scipy.optimize", "matplotlib", "netCDF4", "pyteomics"} & mods
    mods = _modules_after(_cli(["completion", "bash"]))
    assert "numpy" not in mods


def test_lazy_names_keep_meaning_the_functions():
    """A submodule that shares its name with a function (ms.assign, ms.deconvolve,
    kinetics.simulate) must not replace the function once it is imported."""
    import importlib

    import intercluster
    import intercluster.kinetics as kinetics
    import intercluster.ms as ms

    importlib.import_module("intercluster.ms.assign")
    importlib.import_module("intercluster.ms.deconvolve")
    importlib.import_module("intercluster.kinetics.simulate")
    assert callable(ms.assign) and ms.assign.__module__ == "intercluster.ms.assign"
    assert callable(ms.deconvolve) and callable(kinetics.simulate)
    assert intercluster.simulate is kinetics.simulate
    for name in ms.__all__:
        assert getattr(ms, name) is not None, name
    for name in kinetics.__all__:
        assert getattr(kinetics, name) is not None, name
    assert set(ms.__all__) <= set(dir(ms))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        ms.nonexistent
