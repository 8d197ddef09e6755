"""Output locations are checked before any computation: a read-only location, a
folder where a file is expected and a file where a folder is expected each give
one line on stderr and exit status 2, and nothing is written."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from intercluster.io import check_output_dir, check_output_file
from tests.fit.conftest import write_small_fit

from .conftest import EXE, run_cli, write_tiny

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _commands(tmp_path: Path, target: Path) -> dict[str, list]:
    """Every command that writes, with its output inside ``target``."""
    tiny = write_tiny(tmp_path)
    fit_cfg = write_small_fit(tmp_path)
    spectrum = tmp_path / "t_180s.csv"
    spectrum.write_text("mz,intensity\n1000,1\n1001,2\n1002,1\n")
    result = tmp_path / "sim"  # inputs are never read: the output check comes first
    return {
        "simulate": ["simulate", tiny, "--out", target / "res", "--quiet"],
        "fit": ["fit", fit_cfg, "--out", target / "fit", "--quiet"],
        "synth-spectra": ["synth-spectra", result, "--out", target / "spectra", "--quiet"],
        "spectra-to-observables": [
            "spectra-to-observables", tmp_path, "--out", target / "obs.csv", "--quiet",
        ],
        "exsy": ["exsy", tiny, "--mixing-times", "0.1", "--out", target / "exsy"],
        "equilibrium": ["equilibrium", EXAMPLES / "m7h_site_direct.toml", "--out", target / "eq"],
        "fit-equilibrium": ["fit-equilibrium", "--out", target / "feq"],
        "isomers": ["isomers", result, "[Ag4Au4]2-", "--times", "10", "--plot", target / "i.png"],
        "nmr-multiplet": ["nmr-multiplet", "Cu5Ag2(H)", "--field-mhz", "500", "--out",
                          target / "nmr.csv"],
        "pattern": ["pattern", "[Ag25(DMBT)18]-", "--out", target / "p.csv"],
        "deconvolve": ["deconvolve", spectrum, "--out", target / "ab.csv", "--quiet"],
        "assign": ["assign", spectrum, "--plot", target / "as.png", "--quiet"],
        "network": ["network", tiny, "--csv", target / "reactions.csv"],
        "export-sbml": ["export-sbml", tiny, "--out", target / "model.xml"],
    }  # fmt: skip


COMMANDS = ["simulate", "fit", "synth-spectra", "spectra-to-observables", "exsy", "equilibrium",
            "fit-equilibrium", "isomers", "nmr-multiplet", "pattern", "deconvolve", "assign",
            "network", "export-sbml"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_location_is_refused_before_any_work(command, tmp_path, monkeypatch, capsys):
    ro = tmp_path / "readonly"
    ro.mkdir()
    args = _commands(tmp_path, ro)[command]
    real_access = os.access

    def access(path, mode, *a, **kw):  # as for a non-root user on a 0555 folder
        if Path(path).resolve() == ro.resolve() and mode & os.W_OK:
            return False
        return real_access(path, mode, *a, **kw)

    monkeypatch.setattr(os, "access", access)
    # no computation may start: the simulation and the fit's grid would fail loudly
    from intercluster.fit import grid
    from intercluster.kinetics.config import SimulationConfig

    def no_work(*a, **kw):
        raise AssertionError("computation started before the output location was checked")

    monkeypatch.setattr(SimulationConfig, "run", no_work)
    monkeypatch.setattr(grid, "run_grid", no_work)
    code, _, err = run_cli(args, capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "cannot write in" in err and str(ro) in err
    assert list(ro.iterdir()) == []


@pytest.mark.slow
def test_really_read_only_folder(tmp_path):
    """A real refusal by the system: a 0555 folder for a normal user; as root (who may
    write anywhere) a read-only bind mount in a private mount namespace."""
    tiny = write_tiny(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    cmd = [EXE, "simulate", str(tiny), "--out", str(ro / "res"), "--quiet"]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("root without unshare(1): cannot make a read-only folder")
        script = f'mount --bind "{ro}" "{ro}" && mount -o remount,bind,ro "{ro}" && exec "$@"'
        cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *cmd]
    else:
        os.chmod(ro, 0o555)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    finally:
        os.chmod(ro, 0o755)
    if os.geteuid() == 0 and "mount" in proc.stderr and "intercluster" not in proc.stderr:
        pytest.skip(f"cannot make a read-only mount here: {proc.stderr.strip()}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "cannot write in" in proc.stderr, proc.stderr
    assert str(ro) in proc.stderr and list(ro.iterdir()) == []


FILE_OUTPUTS = ["pattern", "nmr-multiplet", "network", "export-sbml", "isomers", "deconvolve",
                "spectra-to-observables"]  # fmt: skip


@pytest.mark.parametrize("command", FILE_OUTPUTS)
def test_a_folder_where_a_file_is_expected(command, tmp_path, capsys):
    target = tmp_path / "outputs"
    args = _commands(tmp_path, target)[command]
    folder = Path(args[args.index(next(a for a in args if str(a).startswith(str(target))))])
    folder.mkdir(parents=True)  # e.g. --out p.csv that is a folder
    (folder / "keep.txt").write_text("mine")
    code, _, err = run_cli(args, capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "is a folder; give a file name" in err and str(folder) in err
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("command", ["simulate", "fit", "synth-spectra", "exsy", "equilibrium"])
def test_a_file_where_a_folder_is_expected(command, tmp_path, capsys):
    target = tmp_path / "outputs"
    args = _commands(tmp_path, target)[command]
    target.mkdir()
    out = Path(args[args.index("--out") + 1])
    out.write_text("mine")
    code, _, err = run_cli(args, capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "is a file" in err and str(out) in err
    assert out.read_text() == "mine"


def test_checks_name_the_parent_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(Exception, match="is a file, not a folder"):
        check_output_dir(tmp_path / "f" / "sub" / "res")
    with pytest.raises(Exception, match="is a file, not a folder"):
        check_output_file(tmp_path / "f" / "table.csv", name="--csv")
    # missing parents are fine (they are created); the nearest existing one must be writable
    assert check_output_dir(tmp_path / "a" / "b" / "res") == tmp_path / "a" / "b" / "res"


def test_devices_and_pipes_are_never_replaced(tmp_path, capsys):
    from intercluster.errors import ConfigError
    from intercluster.io import atomic_file

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for overwrite in (False, True):
        with pytest.raises(ConfigError, match="not a regular file"):
            check_output_file(fifo, overwrite)
        with pytest.raises(ConfigError, match="not a regular file"):
            with atomic_file(fifo, overwrite=overwrite):
                pass
    tiny = write_tiny(tmp_path)
    code, _, err = run_cli(["export-sbml", tiny, "--out", fifo, "--overwrite"], capsys)
    assert code == 2 and "not a regular file" in err and err.count("\n") == 1
    assert fifo.is_fifo()


def test_a_full_disk_while_writing_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import errno

    import intercluster.kinetics.results as results

    def full(ds, folder, *a, **kw):
        (Path(folder) / "observables.csv").write_text("partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder))

    monkeypatch.setattr(results, "write_result_files", full)
    out = tmp_path / "res"
    code, _, err = run_cli(["simulate", write_tiny(tmp_path), "--out", out, "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "No space left on device" in err and "nothing was written" in err
    assert not out.exists() and not list(tmp_path.glob(".res.*"))


def test_a_name_too_long_for_the_temporary_sibling_is_refused_first(tmp_path, capsys):
    out = tmp_path / ("r" * 245)
    code, _, err = run_cli(["simulate", write_tiny(tmp_path), "--out", out, "--quiet"], capsys)
    assert code == 2 and "too long" in err and err.count("\n") == 1, err
    with pytest.raises(Exception, match="too long"):
        check_output_file(tmp_path / ("p" * 240 + ".csv"))
