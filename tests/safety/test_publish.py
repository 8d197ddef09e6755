"""Publishing result folders: a folder that appears while a run works is never
replaced silently, and --overwrite replaces only recognisable result folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from intercluster.errors import ConfigError
from intercluster.io import (
    MARKER,
    atomic_output_dir,
    check_output_dir,
    is_result_folder,
    read_marker,
)

from .conftest import run_cli, temporaries


def test_folder_that_appears_while_working_is_not_replaced(tmp_path):
    out = tmp_path / "res"
    with pytest.raises(ConfigError) as info:
        with atomic_output_dir(out) as tmp:
            (tmp / "summary.json").write_text('{"run": "late"}')
            # meanwhile another run publishes the same name
            with atomic_output_dir(out) as other:
                (other / "summary.json").write_text('{"run": "early"}')
    msg = str(info.value)
    assert "appeared while this run was working" in msg and "removed" in msg
    assert "overwrite=True" in msg and "--" not in msg and str(out) in msg and "\n" not in msg
    assert json.loads((out / "summary.json").read_text()) == {"run": "early"}
    assert temporaries(tmp_path) == []  # the loser's folder is gone, no lock file left


def test_with_overwrite_the_finished_run_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "res"
    with atomic_output_dir(out) as tmp:
        (tmp / "summary.json").write_text("1")
        (tmp / "only_in_first.csv").write_text("x")
    with atomic_output_dir(out, overwrite=True) as tmp:
        (tmp / "summary.json").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "summary.json"]  # never a mix
    assert (out / "summary.json").read_text() == "2"
    assert temporaries(tmp_path) == []


def test_every_result_folder_carries_the_marker(tiny, tmp_path, capsys):
    out = tmp_path / "res"
    code, _, err = run_cli(["simulate", tiny, "--out", out, "--quiet", "--no-plots"], capsys)
    assert code == 0, err
    info = read_marker(out)
    from intercluster import __version__

    assert info["tool"] == "intercluster" and info["command"] == "simulate"
    assert info["version"] == __version__ and info["created"].endswith("Z")
    assert info["pid"] == os.getpid()


@pytest.mark.parametrize("target", [".", "..", "cwd-absolute", "parent-of-cwd"])
def test_overwrite_never_replaces_the_working_directory_or_its_parents(
    tiny, tmp_path, monkeypatch, capsys, target
):
    work = tmp_path / "project" / "work"
    (work / "sub").mkdir(parents=True)
    (work / "notes.txt").write_text("my notes")
    (work / "sub" / "data.csv").write_text("1,2")
    monkeypatch.chdir(work)
    out = {
        ".": ".",
        "..": "..",
        "cwd-absolute": str(work),
        "parent-of-cwd": str(tmp_path / "project"),
    }[target]
    code, _, err = run_cli(
        ["simulate", tiny, "--out", out, "--overwrite", "--quiet", "--no-plots"], capsys
    )
    assert code == 2 and err.count("\n") == 1, err
    assert "never replaces it" in err and repr(out) in err
    assert (work / "notes.txt").read_text() == "my notes"
    assert (work / "sub" / "data.csv").read_text() == "1,2"


def test_overwrite_refuses_home_root_and_a_folder_without_marker(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    with pytest.raises(ConfigError, match="home folder"):
        check_output_dir(tmp_path / "home", overwrite=True)
    with pytest.raises(ConfigError, match="'/'"):
        check_output_dir("/", overwrite=True)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.json").write_text("{}")
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(ConfigError) as info:
        check_output_dir(mine, overwrite=True)
    assert "not a result folder" in str(info.value) and str(mine) in str(info.value)
    with pytest.raises(ConfigError):  # nor through a symbolic link to a result folder
        res = tmp_path / "res"
        with atomic_output_dir(res) as tmp:
            (tmp / "summary.json").write_text("{}")
        (tmp_path / "link").symlink_to(res)
        check_output_dir(tmp_path / "link", overwrite=True)
    assert (mine / "thesis.tex").read_text() == "years of work"


def test_old_result_folders_without_marker_are_recognised(tmp_path):
    old_sim = tmp_path / "sim"
    old_sim.mkdir()
    for name in ("summary.json", "result.nc", "observables.csv", "species.csv", "config.toml"):
        (old_sim / name).write_text("x")
    old_fit = tmp_path / "fit"
    old_fit.mkdir()
    for name in ("fit-config.toml", "grid.csv", "fit.json", "tmax.csv", "landscape.png"):
        (old_fit / name).write_text("x")
    old_spectra = tmp_path / "spectra"
    old_spectra.mkdir()
    for name in ("synth.json", "t_00000180.000s.csv", "t_00000600.000s.csv"):
        (old_spectra / name).write_text("x")
    for folder in (old_sim, old_fit, old_spectra):
        assert is_result_folder(folder)
        assert check_output_dir(folder, overwrite=True) == folder
    # result files plus anything else, or no summary at all: not recognisable
    (old_sim / "notes.txt").write_text("mine")
    assert not is_result_folder(old_sim)
    only_csv = tmp_path / "csv"
    only_csv.mkdir()
    (only_csv / "observables.csv").write_text("x")
    assert not is_result_folder(only_csv)
    nested = tmp_path / "nested"
    (nested / "sub").mkdir(parents=True)
    (nested / "summary.json").write_text("x")
    assert not is_result_folder(nested)
    assert not is_result_folder(tmp_path / "missing")


def test_a_forged_or_broken_marker_does_not_count(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / MARKER).write_bytes(b"\xff\xfe not json")
    assert read_marker(folder) is None and not is_result_folder(folder)
    (folder / MARKER).write_text('{"tool": "something else"}')
    assert not is_result_folder(folder)
    (folder / MARKER).write_text('{"tool": "intercluster"}')
    assert is_result_folder(folder)


def test_simulate_overwrite_of_a_real_result_works(tiny, tmp_path, capsys):
    out = tmp_path / "res"
    assert run_cli(["simulate", tiny, "--out", out, "--quiet", "--no-plots"], capsys)[0] == 0
    code, _, err = run_cli(
        ["simulate", tiny, "--out", out, "--quiet", "--no-plots", "--overwrite", "--k-ex", "0.1"],
        capsys,
    )
    assert code == 0, err
    assert json.loads((out / "summary.json").read_text())["parameters"]["k_ex"] == 0.1
    assert temporaries(tmp_path) == [] and Path(out / MARKER).exists()


def test_library_names_parameters_and_the_cli_names_its_options(tmp_path, capsys):
    """The library says ``out = ...: ... overwrite=True``; the command line shows the
    options that set them (``--out``, ``--overwrite``), translated from its parser."""
    out = tmp_path / "res"
    out.mkdir()
    with pytest.raises(ConfigError) as info:
        check_output_dir(out)
    msg = str(info.value)
    assert msg.startswith("out = ") and "overwrite=True" in msg and "--" not in msg
    code, _, err = run_cli(["simulate", "--n-atoms", "2", "--t-end", "5", "--out", out], capsys)
    assert code == 2 and "--out = " in err and "--overwrite" in err and "overwrite=True" not in err
