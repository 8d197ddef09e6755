"""The equilibrium, fit-equilibrium, exsy and nmr-multiplet commands end to end, and their
bad input: one line on stderr, exit status 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intercluster.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "m7h_site_direct.toml"


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_refused(code, err, message, out_path=None):
    assert code == 2, err
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    if out_path is not None:
        assert not Path(out_path).exists()


def test_fit_equilibrium_on_table2(tmp_path, capsys):
    out = tmp_path / "fit"
    code, stdout, err = run_cli(["fit-equilibrium", "--out", out], capsys)
    assert code == 0, err
    assert "preferred: site:top=1,tri=3,cap=3" in stdout
    names = {p.name for p in out.iterdir()}
    assert names == {".intercluster", "fit.json", "predictions.csv", "fit.png"}
    report = json.loads((out / "fit.json").read_text())
    assert report["ratio_convention"] == "Cu7:Ag7"
    models = {m["model"]: m for m in report["models"]}
    assert set(models) == {"binomial", "site:tet=4,cap=3", "site:top=1,tri=3,cap=3"}
    best = models["site:top=1,tri=3,cap=3"]
    assert best["delta_aic"] == 0 and models["binomial"]["delta_aic"] > 10
    assert set(best["parameters"]) == {"g_top_kJ_mol", "g_tri_kJ_mol", "ratio_factor"}
    pred = pd.read_csv(out / "predictions.csv")
    assert len(pred) == 49 and "predicted_binomial" in pred.columns


def test_fit_equilibrium_table_file_and_options(tmp_path, capsys):
    table = tmp_path / "t.csv"
    lines = ["parts_Ag4,parts_Au4,species,percent,sigma_percent"]
    for a, b, dist in ((1, 1, [6, 25, 38, 25, 6]), (3, 1, [0.5, 5, 21, 42, 31.5])):
        for m, p in enumerate(dist):
            label = f"[Ag{m}Au{4 - m}]".replace("Ag0", "").replace("Au0", "")
            label = label.replace("Ag1A", "AgA").replace("Au1]", "Au]")
            lines.append(f"{a},{b},{label},{p},1.5")
    table.write_text("\n".join(lines) + "\n")
    out = tmp_path / "fit"
    code, stdout, err = run_cli(
        [
            "fit-equilibrium",
            table,
            "--sites",
            "a:1,b:3",
            "--fixed-ratio",
            "--no-plots",
            "--out",
            out,
        ],
        capsys,
    )
    assert code == 0, err
    assert "uncertainties from the table" in stdout
    assert {p.name for p in out.iterdir()} == {".intercluster", "fit.json", "predictions.csv"}
    code, _, err = run_cli(["fit-equilibrium", table, "--out", tmp_path / "x"], capsys)
    assert_refused(code, err, "no default site model for N = 4", tmp_path / "x")


def test_fit_equilibrium_warns_about_sums_and_refuses_bad_tables(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text(
        "parts_Cu7,parts_Ag7,species,percent\n"
        "1,1,[Cu5Ag2],10\n1,1,[Cu4Ag3],30\n1,1,[Cu3Ag4],30\n1,1,[Cu2Ag5],10\n"
    )
    code, _, err = run_cli(
        [
            "fit-equilibrium",
            table,
            "--sites",
            "tet:4,cap:3",
            "--no-plots",
            "--out",
            tmp_path / "ok",
        ],
        capsys,
    )
    assert code == 0
    assert "warning: t.csv: the percentages at ratio 1:1 sum to 80" in err
    for body, message in (
        ("0,1,[Cu7],100\n", "finite and > 0"),
        ("1,1,[Cu7],-3\n1,1,[Ag7],103\n", "percent = -3.0"),
        ("1,1,[Cu7],50\n1,1,[Cu9],50\n", "9 metal atoms"),
    ):
        table.write_text("parts_Cu7,parts_Ag7,species,percent\n" + body)
        out = tmp_path / "bad"
        code, _, err = run_cli(["fit-equilibrium", table, "--out", out], capsys)
        assert_refused(code, err, message, out)
    code, _, err = run_cli(["fit-equilibrium", "--sites", "tet:4,cap:4", "--out", out], capsys)
    assert_refused(code, err, "must add up to N", out)
    code, _, err = run_cli(["fit-equilibrium", "--sigma-pct", "0", "--out", out], capsys)
    assert_refused(code, err, "sigma_percent = 0.0", out)
    code, _, err = run_cli(["fit-equilibrium", tmp_path / "none.csv", "--out", out], capsys)
    assert_refused(code, err, "not found", out)


def test_equilibrium_from_example_config(tmp_path, capsys):
    out = tmp_path / "eq"
    code, stdout, err = run_cli(["equilibrium", EXAMPLE, "--out", out], capsys)
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {
        ".intercluster",  # the marker of a result folder
        "distributions.csv",
        "binomial.csv",
        "occupancies.csv",
        "exchange_constants.csv",
        "summary.json",
        "le_chatelier.png",
        "occupancies.png",
    }
    dist = pd.read_csv(out / "distributions.csv", index_col="ratio")
    assert list(dist.index) == ["6:1", "4:1", "2:1", "1:1", "1:2", "1:4", "1:6"]
    np.testing.assert_allclose(dist.sum(axis=1), 100.0)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["site_model"]["g_kJ_mol"] == {"top": 12.6, "tri": 2.6, "cap": 0.0}
    assert summary["stats"]["6:1"]["width_ratio"] < 0.8
    assert "Le Chatelier" in stdout
    K = pd.read_csv(out / "exchange_constants.csv")
    assert len(K) == 42  # N(N - 1) exchange steps


def test_equilibrium_options_and_bad_input(tmp_path, capsys):
    out = tmp_path / "eq"
    code, _, err = run_cli(
        [
            "equilibrium",
            "--sites",
            "centre:1,shell:12,staple:12",
            "--energy",
            "shell=-6",
            "--metals",
            "Ag",
            "Au",
            "--ratios",
            "Ag25:Au25 = 3:5",
            "1:1",
            "--no-plots",
            "--out",
            out,
        ],
        capsys,
    )
    assert code == 0, err
    dist = pd.read_csv(out / "distributions.csv", index_col="ratio")
    assert list(dist.columns)[:2] == ["[Ag25]", "[Ag24Au]"]
    for args, message in (
        (["--ratios", "0:1"], "finite and > 0"),
        (["--ratios", "1:-2"], "finite and > 0"),
        (["--energy", "top=abc"], "--energy = 'top=abc'"),
        (["--energy", "bottom=1"], "classes are top, tri, cap"),
        (["--sites", "a:0"], "an integer >= 1"),
        (["--temperature", "-10"], "temperature_K = -10.0"),
        (["--metals", "Cu", "Cu"], "metal_b = 'Cu'"),
    ):
        bad = tmp_path / "bad"
        code, _, err = run_cli(["equilibrium", *args, "--out", bad], capsys)
        assert_refused(code, err, message, bad)
    code, _, err = run_cli(
        ["equilibrium", EXAMPLE, "--sites", "top:1,cap:3", "--out", tmp_path / "bad"], capsys
    )
    assert_refused(code, err, "4 sites, but the system of", tmp_path / "bad")
    config = tmp_path / "sim3.toml"
    config.write_text(
        EXAMPLE.read_text()
        .replace('name = "site"', 'name = "sim2"')
        .replace("g_top_kJ_mol = 12.6", "")
        .replace("g_tri_kJ_mol = 2.6", "")
        .replace("g_cap_kJ_mol = 0.0", "")
        .replace("temperature_K = 298.15", "")
    )
    code, _, err = run_cli(["equilibrium", config, "--out", tmp_path / "bad"], capsys)
    assert_refused(code, err, "a site model", tmp_path / "bad")


def test_exsy_command(tmp_path, capsys):
    out = tmp_path / "exsy"
    code, stdout, err = run_cli(
        ["exsy", EXAMPLE, "--mixing-times", "0.4", "0.8", "--out", out], capsys
    )
    assert code == 0, err
    assert "mixing time 400 ms: 6 cross-peak pairs >= 0.05 (6 pairs differing by 1)" in stdout
    assert "pairs differing by 2" in stdout.split("mixing time 800 ms")[1]
    names = {p.name for p in out.iterdir()}
    assert {
        ".intercluster",  # the marker of a result folder
        "rates.csv",
        "volumes_400ms.csv",
        "volumes_800ms.csv",
        "normalized_400ms.csv",
        "normalized_800ms.csv",
        "cross_peaks.csv",
        "equilibrium.csv",
        "summary.json",
        "result.nc",
        "exsy.png",
    } == names
    V = pd.read_csv(out / "volumes_400ms.csv", index_col=0).to_numpy()
    np.testing.assert_allclose(V, V.T, atol=1e-9 * V.max())
    eq = pd.read_csv(out / "equilibrium.csv")
    np.testing.assert_allclose(V.sum(axis=0), eq["population"], rtol=1e-9)
    import xarray as xr

    with xr.open_dataset(out / "result.nc") as ds:
        np.testing.assert_allclose(ds.volume.sel(mixing_time=0.4).values, V, rtol=1e-12)
        assert int(ds.cross_peak.sel(mixing_time=0.4).sum()) == 12  # 6 pairs, both triangles


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mixing-times", "0"], "mixing time = 0.0"),
        (["--mixing-times", "-0.4", "0.8"], "mixing time = -0.4"),
        (["--mixing-times", "0.4", "--t1", "0"], "t1_s = 0.0"),
        (["--mixing-times", "0.4", "--threshold", "2"], "threshold = 2.0"),
        (["--mixing-times", "0.4", "--shifts-ppm", "1", "2"], "one shift per species"),
        (["--mixing-times", "0.4", "--k-ex", "-1"], "k_ex = -1.0"),
    ],
)
def test_exsy_bad_input(tmp_path, capsys, args, message):
    out = tmp_path / "exsy"
    code, _, err = run_cli(["exsy", EXAMPLE, *args, "--no-plots", "--out", out], capsys)
    assert_refused(code, err, message, out)


def test_nmr_multiplet_command(tmp_path, capsys):
    csv = tmp_path / "spectrum.csv"
    code, stdout, err = run_cli(
        ["nmr-multiplet", "Cu5Ag2(H)", "--field-mhz", "600", "--width-hz", "1", "--out", csv],
        capsys,
    )
    assert code == 0, err
    assert "9 lines in 3 groups (pseudo triplet of triplets); 9 resolved" in stdout
    assert "J(107Ag) 58.30 Hz" in stdout and "Zhong 2021 Table 1" in stdout
    spec = pd.read_csv(csv)
    assert list(spec.columns) == ["ppm", "intensity_per_Hz"]
    assert spec["ppm"].iloc[spec["intensity_per_Hz"].idxmax()] == pytest.approx(1.890, abs=1e-3)
    png = tmp_path / "d.png"
    code, stdout, err = run_cli(
        ["nmr-multiplet", "CuAg6(D)", "--j107", "42.4", "--field-mhz", "400", "--out", png], capsys
    )
    assert code == 0, err
    assert "to 2H at 61.40 MHz" in stdout and png.stat().st_size > 1000
    code, stdout, _ = run_cli(
        ["nmr-multiplet", "Cu6Ag(H)", "--field-mhz", "600", "--out", tmp_path / "a.csv"], capsys
    )
    assert "a pair of doublets" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Cu5Ag2(H)", "--nucleus", "13C"], "nucleus = '13C'"),
        (["Cu5Ag2(H)", "--nucleus", "2H"], "1H, as written in ION"),
        (["Pt2Ag5(H)", "--j107", "50"], "metal = 'Pt'"),
        (["Ag5Au20(H)"], "--j107 = None"),
        (["Cu5Ag2(H)", "--width-hz", "-1"], "width_hz = -1.0"),
        (["Cu5Ag2(H)", "--j107", "0"], "j107_hz = 0.0"),
        (["hydride"], "unexpected character 'h'"),
    ],
)
def test_nmr_multiplet_bad_input(tmp_path, capsys, args, message):
    out = tmp_path / "s.csv"
    code, _, err = run_cli(["nmr-multiplet", *args, "--field-mhz", "600", "--out", out], capsys)
    assert_refused(code, err, message, out)
    code, _, err = run_cli(["nmr-multiplet", "Cu5Ag2(H)", "--field-mhz", "0", "--out", out], capsys)
    assert_refused(code, err, "field_mhz = 0.0", out)
    code, _, err = run_cli(
        ["nmr-multiplet", "Cu5Ag2(H)", "--field-mhz", "600", "--out", tmp_path / "s.txt"], capsys
    )
    assert_refused(code, err, "--out = ", tmp_path / "s.txt")
