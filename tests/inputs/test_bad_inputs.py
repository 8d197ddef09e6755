"""Hostile inputs on the command line: every one is refused with exit status 2 and
exactly one line on stderr, writes nothing and deletes nothing of the user's.

Each case runs in a fresh working directory holding a file of the user's
(``notes.txt``); the directory must be unchanged afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from intercluster.cli.main import main

SMALL = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 4

[model]
name = "sim3"

[initial]
mixture = "Ag4:Au4 = 40:40"

[time]
dead_time_s = 20
t_end_s = 600
dt_s = 10
"""

TABLE = """parts_Cu7,parts_Ag7,species,percent
6,1,[Cu7],12.1
6,1,[Cu6Ag],63.7
6,1,[Cu5Ag2],22.2
1,1,[Cu7],10
1,1,[Cu6Ag],40
1,1,[Cu5Ag2],50
"""


FIT = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 4

[parameters]
k_dim = {{ lower = 1e-3, upper = 1e-1 }}
k_diss = {{ lower = 1e-2, upper = 1 }}
k_ex = {{ lower = 1e-3, upper = 1e-1 }}

[[datasets]]
path = "{data}"
mixture = "Ag4:Au4 = 40:40"
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Files the cases refer to as ``{name}``; a small simulation result ``{result}``."""
    d = tmp_path_factory.mktemp("inputs")
    files = {
        "small": SMALL,
        "binary": os.urandom(64) + b"\x00\xff\xfe",
        "latin1": "[system]\nmetal_a = 'Ag'  # caf\xe9\n".encode("latin-1"),
        "deep_toml": "a = " + "[" * 5000 + "]" * 5000,
        "table": TABLE,
        "table_nan": TABLE.replace(",63.7", ",nan"),
        "table_big": TABLE.replace(",63.7", ",1e308"),
        "table_blank": "\n".join(
            ",".join(line.split(",")[:3]) + ("," if i else ",percent")
            for i, line in enumerate(TABLE.strip().splitlines())
        ),
        "fit_latin1": b"[system]\nn_atoms = 4 # \xe9\xe8\n",
    }
    paths = {}
    for name, content in files.items():
        p = d / f"{name}.txt"
        if isinstance(content, str):
            p.write_text(content, encoding="utf-8")
        else:
            p.write_bytes(content)
        paths[name] = str(p)
    (d / "small.toml").write_text(SMALL)
    paths["small"] = str(d / "small.toml")
    paths["dir"] = str(d / "a_directory")
    Path(paths["dir"]).mkdir()
    result = d / "result"
    assert main(["simulate", paths["small"], "--out", str(result), "--quiet", "--no-plots"]) == 0
    paths["result"] = str(result)
    fit = FIT.format(data=result / "observables.csv")
    for name, extra in {
        "fit_points": '[grid]\npreset = "bounds"\npoints = 100000\n',
        "fit_walkers": "[mcmc]\nwalkers = 4\n",
        "fit_ratio": '[uncertainty]\nratio = ["k_dim", "k_nope"]\n',
    }.items():
        (d / f"{name}.toml").write_text(fit + extra)
        paths[name] = str(d / f"{name}.toml")
    exsy = '[system]\nmetal_a = "Cu"\nmetal_b = "Ag"\nn_atoms = 7\n'
    (d / "exsy.toml").write_text(exsy + '[initial]\nmixture = "Cu7:Ag7 = 1:1"\n')
    paths["exsy"] = str(d / "exsy.toml")
    return paths


def refused(args, capsys, tmp_path, monkeypatch, message=None):
    """Run the command in a fresh directory; assert exit 2, one stderr line, nothing
    written or deleted there."""
    work = tmp_path / "work"
    work.mkdir(parents=True)
    (work / "notes.txt").write_text("the user's notes")
    monkeypatch.chdir(work)
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    assert sorted(p.name for p in work.iterdir()) == ["notes.txt"], err
    assert (work / "notes.txt").read_text() == "the user's notes"
    if message is not None:
        assert message in err, err
    return err


CASES = [
    # crash classes: each was a traceback
    (["simulate", "{small}", "--k-ex", "nan", "--out", "o"], "k_ex"),
    (["simulate", "{binary}", "--out", "o"], "binary file"),
    (["simulate", "{latin1}", "--out", "o"], "not UTF-8"),
    (["simulate", "{dir}", "--out", "o"], "is a directory"),
    (["simulate", "{deep_toml}", "--out", "o"], "nested too deeply"),
    (["mass", "[" + "(" * 3000 + "Ag" + ")" * 3000 + "]-"], "nested more than"),
    (["mass", "Ag99999999999"], "above the largest allowed"),
    (["mass", "Ag₂₅"], "not an ASCII digit"),
    (["pattern", "[C99999999H99999999]-", "--out", "p.csv"], "above the largest allowed"),
    (["plausibility", "--k-dim", "nan"], "k_dim = nan"),
    (["plausibility", "--k-dim", "-1"], "k_dim = -1.0"),
    (["plausibility", "--k-diss", "0"], "k_diss = 0.0"),
    (["synth-spectra", "{result}", "--out", "s", "--seed", "-1"], "seed = -1"),
    (["simulate", "{small}", "--t-end", "1e300", "--out", "o"], "output grid"),
    (["isomers", "{result}", "[Ag4Au4]2-", "--times", "0", "--plot", "x.unknownext"], "plot"),
    (["isomers", "{result}", "[Ag4Au4]2-", "--times", "nan"], "times_s[0] = nan"),
    (["fit", "{fit_latin1}", "--out", "f"], "not UTF-8"),
    (["fit", "{binary}", "--out", "f"], "binary file"),
    (["fit", "{dir}", "--out", "f"], "is a directory"),
    (["fit-equilibrium", "{table_nan}", "--out", "e"], "percent = 'nan'"),
    (["fit-equilibrium", "{table_big}", "--out", "e"], "0..100"),
    (["fit-equilibrium", "{table_blank}", "--out", "e"], "every percentage is blank"),
    (["fit-equilibrium", "{binary}", "--out", "e"], "binary file"),
    (["fit-equilibrium", "{dir}", "--out", "e"], "is a directory"),
    (["mass", "[Ag25(SR)18]-", "--ligands", "{binary}"], "binary file"),
    (["mass", "[Ag25(SR)18]-", "--ligands", "{dir}"], "is a directory"),
    (["assign", "{binary}", "--ion", "[Ag25(DMBT)18]-"], "binary file"),
    (["assign", "{dir}", "--ion", "[Ag25(DMBT)18]-"], None),
    (["assign", "{table}", "--ions-file", "{binary}"], "binary file"),
    (["assign", "{table}", "--system-from", "{binary}"], "binary file"),
    (["assign", "{table}", "--system-from", "{dir}"], "not found"),
    # found by sweeping every numeric option with nan, inf, -1, 0, 1e300
    (["synth-spectra", "{result}", "--out", "s", "--ions", "1e300"], "total_counts"),
    (["synth-spectra", "{result}", "--out", "s", "--baseline-counts", "1e300"], "baseline"),
    (["synth-spectra", "{result}", "--out", "s", "--resolution", "1e300"], "resolving power"),
    (["synth-spectra", "{result}", "--out", "s", "--points-per-fwhm", "inf"], "points_per_fwhm"),
    (
        [
            "nmr-multiplet",
            "Cu6Ag(H)",
            "--field-mhz",
            "600",
            "--width-hz",
            "1e300",
            "--out",
            "n.csv",
        ],
        "width_hz",
    ),
    (
        ["nmr-multiplet", "Cu6Ag(H)", "--field-mhz", "600", "--j107", "1e300", "--out", "n.csv"],
        "j107_hz",
    ),
    (["equilibrium", "--energy", "top=1e300", "--out", "e"], "g_top_kJ_mol"),
    # size limits, refused before the work with the estimate and what allows it
    (["simulate", "{small}", "--t-end", "1e7", "--dt", "1e-3", "--out", "o"], "GiB"),
    (["simulate", "{small}", "--dt", "1e-9", "--out", "o"], "TiB"),
    (["network", "--mechanism", "direct", "--n-atoms", "3000"], "1,000,000 reactions"),
    (["pattern", "[Ag2000Au2000(SR)1000]-", "--out", "p.csv"], "prob_to_cover"),
    (["simulate", "{small}", "--dead-time", "1e12", "--out", "o"], "slowest time scale"),
    (
        [
            "exsy",
            "{exsy}",
            "--n-atoms",
            "100",
            "--initial",
            "Cu100:Ag100 = 1:1",
            "--mixing-times",
            "0.1",
            "0.8",
            "--out",
            "x",
        ],
        "EXSY for 5,252 species",
    ),
    (["fit", "{fit_points}", "--out", "f"], "a grid of 1,000,000,000,000,000 points needs about"),
    # the whole fit configuration is checked before the grid starts
    (["fit", "{fit_walkers}", "--out", "f"], "mcmc.walkers = 4: an integer >= 6"),
    (["fit", "{fit_ratio}", "--out", "f"], "uncertainty.ratio"),
    # argparse errors: one line, no usage block
    (["simulate", "--k-dim", "x"], "invalid float value"),
    (["no-such-command"], "invalid choice"),
    (["isomers"], "required"),
]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_refused_with_one_line(inputs, args, message, capsys, tmp_path, monkeypatch):
    args = [a.format(**inputs) if "{" in a and "}" in a and "(" not in a else a for a in args]
    refused(args, capsys, tmp_path, monkeypatch, message)


def test_messages_show_numbers_as_numbers_and_cut_long_inputs(capsys, tmp_path, monkeypatch):
    err = refused(["simulate", "--dead-time", "-40", "--out", "o"], capsys, tmp_path, monkeypatch)
    assert "dead_time_s = -40.0" in err and "np.float64" not in err
    huge = "Ag" + "x" * 1_000_000
    args = ["simulate", "--metal-a", huge, "--out", "o"]
    err = refused(args, capsys, tmp_path / "2", monkeypatch)
    assert len(err) < 400 and "(1000004 chars)" in err


def test_k_ex_zero_simulates_and_reports_no_exchange_equilibrium(tmp_path, capsys):
    """k_ex = 0 is allowed: the run succeeds, the compositions never change and the
    summary says that exchange determines no equilibrium (instead of crashing)."""
    import json

    import numpy as np

    from intercluster.kinetics.results import load_result

    out = tmp_path / "r"
    args = ["simulate", "--n-atoms", "4", "--initial", "Ag4:Au4 = 40:40", "--k-ex", "0"]
    code = main([*args, "--t-end", "600", "--dt", "10", "--out", str(out), "--quiet", "--no-plots"])
    assert code == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    assert "no metal is exchanged" in summary["equilibrium"]["note"]
    ds = load_result(out)
    mono = ds.observable_concentration.sel(observable=["[Ag4]-", "[Au4]-"]).values
    # only the parents (and their dimers) exist: every mixed monomer stays at zero
    mixed = ds.observable_concentration.isel(observable=slice(1, 4)).values
    assert np.abs(mixed).max() < 1e-9 and mono.min() > 0


def test_negative_mzml_scan_time_is_refused_naming_the_scan(tmp_path):
    """A scan start time < 0 (or not a number) is refused; the message names the scan."""
    import re

    from intercluster.errors import DataError
    from intercluster.ms.mzml import read_mzml, write_mzml
    from intercluster.ms.spectrum import Spectrum

    mz = np.linspace(5000.0, 5010.0, 50)
    spectra = [Spectrum(mz, np.ones(50), t, f"t{t}") for t in (30.0, 60.0)]
    path = write_mzml(spectra, tmp_path / "ok.mzML")
    assert [s.time_s for s in read_mzml(path)] == [30.0, 60.0]
    text = path.read_text(encoding="utf-8")
    tags = list(re.finditer(r"<cvParam[^>]*scan start time[^>]*>", text))
    assert len(tags) == 2
    second = tags[1]
    bad_tag = re.sub(r'value="([^"]+)"', r'value="-\1"', second.group(0))
    bad = tmp_path / "bad.mzML"
    bad.write_text(text[: second.start()] + bad_tag + text[second.end() :], encoding="utf-8")
    with pytest.raises(DataError, match=r"scan 1 .*scan start time = -60\.0: a finite number >= 0"):
        read_mzml(bad)
