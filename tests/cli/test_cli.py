"""The command line end to end, and every bad input of the specification:
one line on stderr naming the field, exit status 2, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intercluster.cli.main import main

SMALL = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 4
charge = -1

[model]
name = "sim3"
k_dim = 1e-2
k_diss = 5.6e-2
k_ex = 3.2e-2

[initial]
mixture = "Ag4:Au4 = 40:40"

[time]
dead_time_s = 20
t_end_s = 600
dt_s = 10
"""


@pytest.fixture
def config(tmp_path):
    p = tmp_path / "small.toml"
    p.write_text(SMALL)
    return p


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_writes_every_output(config, tmp_path, capsys):
    out = tmp_path / "res"
    code, _, err = run_cli(["simulate", config, "--out", out, "--quiet", "--species-csv"], capsys)
    assert code == 0, err
    names = {p.name for p in out.iterdir()}
    assert names == {
        ".intercluster",  # the marker of a result folder
        "observables.csv",
        "species.csv",
        "result.nc",
        "summary.json",
        "config.toml",
        "contour.png",
        "distribution.png",
    }
    obs = pd.read_csv(out / "observables.csv")
    assert obs.columns[0] == "time_s" and obs.shape == (61, 1 + 5 + 9)
    np.testing.assert_allclose(obs.iloc[:, 1:].sum(axis=1), 1.0, rtol=1e-9)
    species = pd.read_csv(out / "species.csv")
    assert species.shape == (61, 1 + 5 + 15)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["reactions"] == 2 * 15 + 4 * 3
    assert summary["conservation_drift"]["Ag"] < 1e-12
    assert summary["parameters"] == {"k_dim": 0.01, "k_diss": 0.056, "k_ex": 0.032}
    assert set(summary["t_max_s"]) == set(obs.columns[1:])
    # the written config reproduces the run
    code, _, err = run_cli(
        ["simulate", out / "config.toml", "--out", tmp_path / "again", "--quiet", "--no-plots"],
        capsys,
    )
    assert code == 0, err
    again = pd.read_csv(tmp_path / "again" / "observables.csv")
    pd.testing.assert_frame_equal(obs, again)
    assert not list(tmp_path.glob(".*tmp*"))


def test_overrides_and_overwrite(config, tmp_path, capsys):
    out = tmp_path / "res"
    assert run_cli(["simulate", config, "--out", out, "--quiet", "--no-plots"], capsys)[0] == 0
    code, _, err = run_cli(["simulate", config, "--out", out, "--quiet"], capsys)
    assert code == 2 and "--overwrite" in err and err.count("\n") == 1
    code, _, err = run_cli(
        [
            "simulate",
            config,
            "--out",
            out,
            "--overwrite",
            "--quiet",
            "--no-plots",
            "--model",
            "sim1",
            "--k-ex",
            "0.1",
            "--t-end",
            "100",
        ],
        capsys,
    )
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "sim1" and summary["parameters"]["k_ex"] == 0.1
    assert summary["time"]["t_end_s"] == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--initial", "Ag4:Au4 = -5:40"], "finite and >= 0"),
        (["--initial", "Ag4:Au4 = 0:0"], "all concentrations are zero"),
        (["--initial", "Ag4:Au4 = inf:40"], "finite and >= 0"),
        (["--k-dim", "-1"], "k_dim = -1.0"),
        (["--k-diss", "0"], "k_diss = 0.0"),
        (["--k-ex", "nan"], "k_ex = nan"),
        (["--n-atoms", "0"], "n_atoms = 0"),
        (["--metal-b", "Ag"], "metal_b = 'Ag'"),
        (["--model", "sim9"], "model = 'sim9'"),
        (["--t-end", "-3"], "t_end_s = -3.0"),
        (["--dead-time", "-1"], "dead_time_s = -1.0"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(config, tmp_path, capsys, args, message):
    out = tmp_path / "res"
    code, _, err = run_cli(["simulate", config, "--out", out, "--quiet", *args], capsys)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [config]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            ("k_ex = 3.2e-2", "k_exchange = 3.2e-2"),
            "unknown key 'k_exchange'; did you mean 'k_ex'?",
        ),
        (("[time]", "[times]"), "unknown key 'times'; did you mean 'time'?"),
        (("dt_s = 10", "dt = 10"), "unknown key 'dt'; did you mean 'dt_s'?"),
        (("n_atoms = 4", "n_atoms = 4.5"), "n_atoms = 4.5"),
        (("n_atoms = 4", "n_atoms = "), "Invalid value"),
    ],
)
def test_bad_config_files(tmp_path, capsys, patch, message):
    p = tmp_path / "bad.toml"
    p.write_text(SMALL.replace(*patch))
    out = tmp_path / "res"
    code, _, err = run_cli(["simulate", p, "--out", out], capsys)
    assert code == 2 and message in err and not out.exists()


def test_missing_config_and_debug_traceback(tmp_path, capsys):
    code, _, err = run_cli(["simulate", tmp_path / "nope.toml", "--out", tmp_path / "r"], capsys)
    assert code == 2 and "not found" in err
    with pytest.raises(Exception, match="not found"):
        main(["--debug", "simulate", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "r")])


def test_network_command(capsys, tmp_path):
    code, out, _ = run_cli(["network", "--n-atoms", "25", "--model", "sim3"], capsys)
    assert code == 0
    assert "species           377" in out and "reactions       1,302" in out
    assert "exchanges         600   N(N - 1)" in out
    code, out, _ = run_cli(
        ["network", "--n-atoms", "2", "--model", "sim2", "--list", "--csv", tmp_path / "r.csv"],
        capsys,
    )
    assert code == 0 and "[Ag2]- + [Ag2]- -> [(Ag2)(Ag2)]2-" in out
    assert len(pd.read_csv(tmp_path / "r.csv")) == 14


def test_export_sbml_command(config, tmp_path, capsys):
    out = tmp_path / "model.xml"
    code, stdout, err = run_cli(["export-sbml", config, "--out", out], capsys)
    assert code == 0, err
    assert "<sbml" in out.read_text()[:300] and "20 species and 42 reactions" in stdout
    code, _, err = run_cli(["export-sbml", config, "--out", out], capsys)
    assert code == 2 and "--overwrite" in err


def test_isomers_and_plausibility_commands(config, tmp_path, capsys):
    res = tmp_path / "res"
    run_cli(["simulate", config, "--out", res, "--quiet", "--no-plots"], capsys)
    code, out, err = run_cli(["isomers", res, "[Ag4Au4]2-", "--times", "0", "300", "600"], capsys)
    assert code == 0, err
    assert "[(Ag4)(Au4)]2-" in out and "CID fragments" in out
    assert (res / "isomers_Ag4Au42.png").exists()
    code, _, err = run_cli(["isomers", res, "[Ag4Au]-", "--times", "0"], capsys)
    assert code == 2 and "metal atoms" in err
    code, _, err = run_cli(["isomers", tmp_path / "none", "[Ag4Au4]2-", "--times", "0"], capsys)
    assert code == 2 and "no result.nc" in err
    code, out, _ = run_cli(["plausibility"], capsys)
    assert code == 0 and "8.27 L nmol^-1 s^-1" in out and "0.533" in out


def test_installed_entry_point(tmp_path):
    """The console script exists and reports errors with exit status 2."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "intercluster.cli.main",
            "simulate",
            "--n-atoms",
            "0",
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "n_atoms = 0" in proc.stderr
    assert not Path(tmp_path / "x").exists()


def test_missing_parent_folders_are_created(config, tmp_path, capsys):
    out = tmp_path / "results" / "deep" / "run"
    code, _, err = run_cli(["simulate", config, "--out", out, "--quiet", "--no-plots"], capsys)
    assert code == 0, err
    assert (out / "summary.json").exists()
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, _, err = run_cli(["simulate", config, "--out", blocker / "run", "--quiet"], capsys)
    assert code == 2 and "is a file" in err


def test_outputs_get_the_usual_permissions(config, tmp_path, capsys):
    import os
    import stat

    umask = os.umask(0o022)
    try:
        run_cli(["simulate", config, "--out", tmp_path / "r", "--quiet", "--no-plots"], capsys)
        run_cli(["export-sbml", config, "--out", tmp_path / "m.xml"], capsys)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "m.xml").stat().st_mode) == 0o644
