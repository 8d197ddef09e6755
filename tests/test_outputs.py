"""Result files of `simulate`: species concentrations in result.nc (CF, compressed,
chunked) by default, species.csv only on request (optionally thinned), observables.csv
always, and no progress output into a redirected log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from intercluster import ExchangeSystem, build_network, simulate
from intercluster.cli.main import main
from intercluster.errors import ConfigError
from intercluster.kinetics.results import (
    CF_CONVENTIONS,
    load_result,
    write_result_files,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ds():
    net = build_network(ExchangeSystem("Ag", "Au", 6), "sim3")
    return simulate(net, "Ag6:Au6 = 40:60", t_end_s=600, dt_s=1)


def test_default_outputs_keep_species_in_result_nc_only(ds, tmp_path):
    files = write_result_files(ds, tmp_path, {"a": 1}, {"b": 2})
    names = [f.name for f in files]
    assert names == ["observables.csv", "result.nc", "summary.json", "config.toml"]
    assert not (tmp_path / "species.csv").exists()
    back = load_result(tmp_path)
    # every species concentration round-trips exactly (lossless compression)
    np.testing.assert_array_equal(back.concentration.values, ds.concentration.values)
    assert list(back.species.values) == list(ds.species.values)
    for name in ds.variables:  # every variable and coordinate, with its dtype
        assert back[name].dtype == ds[name].dtype, name
        np.testing.assert_array_equal(back[name].values, ds[name].values)
    assert set(back.coords) == set(ds.coords) and set(back.data_vars) == set(ds.data_vars)
    assert back.attrs["model"] == "sim3" and back.attrs["k_dim"] == ds.attrs["k_dim"]
    np.testing.assert_array_equal(back.intensity.values, ds.intensity.values)
    # metal atoms are conserved in what was written, as in what was simulated
    n_atoms = 6
    n_a = back.species_n_a.values
    size = np.where(back.species_is_dimer.values, 2, 1)
    metal_a = back.concentration.values @ n_a
    metal_all = back.concentration.values @ (size * n_atoms)
    np.testing.assert_allclose(metal_a, metal_a[0], rtol=1e-9)
    np.testing.assert_allclose(metal_all, metal_all[0], rtol=1e-9)
    obs = pd.read_csv(tmp_path / "observables.csv")
    assert obs.columns[0] == "time_s" and list(obs.columns[1:]) == list(ds.observable.values)
    np.testing.assert_allclose(obs.iloc[:, 1:].to_numpy(), ds.intensity.values, rtol=1e-9)
    np.testing.assert_allclose(obs.iloc[:, 1:].sum(axis=1), 1.0, rtol=1e-9)


def test_result_nc_is_compressed_where_it_pays_and_chunked(ds, tmp_path):
    from intercluster.kinetics.results import compression_pays

    write_result_files(ds, tmp_path)
    with netCDF4.Dataset(tmp_path / "result.nc") as nc:
        var = nc["concentration"]
        filters = var.filters()
        pays = compression_pays(ds.concentration.values, var.chunking())
        assert bool(filters["zlib"]) == pays and bool(filters["shuffle"]) == pays
        n_time, n_species = var.shape
        chunks = var.chunking()
        # at most 512 x 256, covering each axis in equal parts
        for n, c, most in zip((n_time, n_species), chunks, (512, 256)):
            parts = -(-n // c)
            assert c <= most and c * parts - n < parts, (n, c)
        for name in ("intensity", "observable_concentration"):
            pays = compression_pays(ds[name].values, nc[name].chunking())
            assert bool(nc[name].filters()["zlib"]) == pays


def test_result_nc_follows_cf(ds, tmp_path):
    write_result_files(ds, tmp_path)
    with netCDF4.Dataset(tmp_path / "result.nc") as nc:
        assert nc.getncattr("Conventions") == CF_CONVENTIONS == "CF-1.10"
        names = list(nc.variables)
        assert {"concentration", "time", "species", "observable", "t_max"} <= set(names)
        for name in names:
            attrs = nc[name].ncattrs()
            assert "long_name" in attrs and nc[name].long_name.strip(), name
            assert "units" in attrs, name
        assert nc["concentration"].units == "nmol/L"
        # auxiliary coordinates (CF): the composition of each species goes with its data
        assert set(nc["concentration"].coordinates.split()) == {
            "species_n_a",
            "species_is_dimer",
        }
        assert list(nc["species_is_dimer"].flag_values) == [0, 1]
        assert nc["time"].units == "s"
        assert nc["intensity"].units == "1"
    # and through xarray, coordinates included
    with xr.open_dataset(tmp_path / "result.nc") as back:
        for name in list(back.data_vars) + list(back.coords):
            assert {"long_name", "units"} <= set(back[name].attrs), name


def test_species_csv_on_request_and_thinned(ds, tmp_path):
    write_result_files(ds, tmp_path / ".", species_csv=True, species_every=7)
    species = pd.read_csv(tmp_path / "species.csv")
    rows = slice(None, None, 7)
    assert list(species.columns) == ["time_s", *map(str, ds.species.values)]
    np.testing.assert_array_equal(species["time_s"].to_numpy(), ds.time.values[rows])
    np.testing.assert_allclose(
        species.iloc[:, 1:].to_numpy(), ds.concentration.values[rows], rtol=1e-9, atol=0
    )
    assert len(species) == len(range(0, ds.sizes["time"], 7))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_species_every_must_be_a_positive_integer(ds, tmp_path, bad):
    with pytest.raises(ConfigError, match="species_every"):
        write_result_files(ds, tmp_path, species_csv=True, species_every=bad)
    assert list(tmp_path.iterdir()) == []


SMALL = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 4
charge = -1

[model]
name = "sim3"

[initial]
mixture = "Ag4:Au4 = 40:40"

[time]
dead_time_s = 20
t_end_s = 300
dt_s = 10
"""


def test_cli_species_csv_options(tmp_path, capsys):
    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL)
    out = tmp_path / "a"
    assert main(["simulate", str(cfg), "--out", str(out), "--quiet", "--no-plots"]) == 0
    assert not (out / "species.csv").exists() and (out / "observables.csv").exists()
    out = tmp_path / "b"
    args = ["simulate", str(cfg), "--out", str(out), "--quiet", "--no-plots"]
    assert main([*args, "--species-csv", "--species-every", "10"]) == 0
    species = pd.read_csv(out / "species.csv")
    assert species["time_s"].tolist() == [0.0, 100.0, 200.0, 300.0]
    capsys.readouterr()
    # --species-every alone asks for species.csv too (never silently ignored)
    assert main([*args[:3], str(tmp_path / "d"), *args[4:], "--species-every", "15"]) == 0
    assert pd.read_csv(tmp_path / "d" / "species.csv")["time_s"].tolist() == [0.0, 150.0, 300.0]
    code = main(["simulate", str(cfg), "--out", str(tmp_path / "c"), "--species-every", "0"])
    err = capsys.readouterr().err
    assert code == 2 and "species_every = 0" in err and not (tmp_path / "c").exists()


def _cli_logged(args, log: Path) -> int:
    with open(log, "ab") as fh:
        return subprocess.run(
            [sys.executable, "-m", "intercluster.cli.main", *map(str, args)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            timeout=300,
        ).returncode


@pytest.mark.slow
def test_redirected_runs_write_no_progress_bars(tmp_path):
    """A log file gets the summary lines, never progress-bar redraws (carriage returns)."""
    cfg = tmp_path / "small.toml"
    cfg.write_text(
        SMALL.replace("t_end_s = 300", "t_end_s = 120").replace("dt_s = 10", "dt_s = 30")
    )
    log = tmp_path / "log.txt"
    sim = tmp_path / "sim"
    assert _cli_logged(["simulate", cfg, "--out", sim, "--no-plots", "--species-csv"], log) == 0
    # synth-spectra draws a bar per spectrum on a terminal
    spectra = ["synth-spectra", sim, "--out", tmp_path / "spectra", "--resolution", "2000"]
    assert _cli_logged(spectra, log) == 0, log.read_text()
    text = log.read_bytes()
    assert b"outputs in" in text and b"spectra of" in text
    assert b"\r" not in text and b"\x1b[" not in text
    # -v shows the library's log messages (what was written, how large, how long)
    log2 = tmp_path / "log2.txt"
    assert _cli_logged(["-v", "simulate", cfg, "--out", tmp_path / "s2", "--no-plots"], log2) == 0
    assert b"intercluster simulate: wrote observables.csv, result.nc" in log2.read_bytes()
    # -q: errors only (implies the subcommand's --quiet): just the output path
    log3 = tmp_path / "log3.txt"
    assert _cli_logged(["simulate", cfg, "--out", tmp_path / "s3", "--no-plots", "-q"], log3) == 0
    assert log3.read_text().splitlines() == [
        f"outputs in {tmp_path / 's3'}: observables.csv result.nc summary.json config.toml"
    ]


def test_compression_is_chosen_by_a_trial_chunk(tmp_path):
    """Zeros compress (written compressed), noise does not (written plainly, faster);
    both round-trip exactly."""
    import xarray as xr

    from intercluster.kinetics.results import _write_netcdf

    rng = np.random.default_rng(1)
    ds = xr.Dataset(
        {
            "flat": (("time", "species"), np.zeros((600, 300))),
            "noisy": (("time", "species"), rng.random((600, 300))),
        }
    )
    _write_netcdf(ds, tmp_path / "r.nc")
    with netCDF4.Dataset(tmp_path / "r.nc") as nc:
        assert nc["flat"].filters()["zlib"] and not nc["noisy"].filters()["zlib"]
        np.testing.assert_array_equal(nc["noisy"][:], ds.noisy.values)
