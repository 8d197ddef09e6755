"""simulate through an observation model: per-species observables are the sum of their
ions with the model's weights, the per-ion table is written beside them (observed_ions.csv),
the identity model changes nothing; the [observation] section of a configuration."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from intercluster.cli.main import main
from intercluster.errors import ConfigError
from intercluster.kinetics.config import SimulationConfig
from intercluster.kinetics.observed import apply_observation
from intercluster.ms.observation import observed_ions, preset_model

# [Ag29(BDT)12]3- + [Ag25(DMBT)18]- <-> [Ag54(BDT)12(DMBT)18]4- (Acharya et al., J. Phys.
# Chem. C 2025): the integral dimer is seen only after in-source losses.
CONFIG = """
[[family]]
name = "Ag29"
n_atoms = 0
fixed = "Ag29"
ligands = "(BDT)12"
charge = -3

[[family]]
name = "Ag25"
n_atoms = 0
fixed = "Ag25"
ligands = "(DMBT)18"
charge = -1

[complexes]
max_subunits = 2
types = [["Ag29", "Ag25"]]

[[rules.association]]
families = ["Ag29", "Ag25"]
constant = "k_dim"
reverse = "k_diss"

[model]
name = "sim1"
k_dim = 1e-4
k_diss = 1e-2

[initial]
mixture = "Ag29:Ag25 = 100:100"

[time]
dead_time_s = 0
t_end_s = 600
dt_s = 60
"""


def _config(extra: str = "", top: str = "") -> SimulationConfig:
    return SimulationConfig.from_dict(tomllib.loads(top + CONFIG + extra), "test")


def test_identity_model_changes_nothing():
    cfg = _config()
    network = cfg.network()
    ds = cfg.run(network=network)
    seen = apply_observation(ds, network, "identity")
    np.testing.assert_allclose(seen.intensity.values, ds.intensity.values, atol=1e-15)
    assert list(seen.observed_ion.values) == list(ds.observable.values)
    np.testing.assert_allclose(seen.observed_ion_intensity.values, ds.intensity.values, atol=1e-15)


def test_dimer_seen_only_through_its_losses():
    cfg = _config('\n[observation]\npreset = "acharya2025-dimers"\n')
    ds = cfg.run()
    ions = list(ds.observed_ion.values)
    dimer = "[Ag54(BDT)12(DMBT)18]4-"
    assert dimer in ds.observable.values and dimer not in ions  # never seen intact
    expected = [str(i) for i, _ in observed_ions(dimer, preset_model("acharya2025-dimers"))]
    assert set(expected) <= set(ions) and len(expected) == 4
    # rows of the per-ion table sum to 1 (normalised to the total ion signal)
    np.testing.assert_allclose(ds.observed_ion_intensity.sum("observed_ion"), 1.0, atol=1e-12)
    # per-species observable = the sum of its ions with the model's weights
    from_dimer = ds.observed_ion_intensity.sel(observed_ion=expected).sum("observed_ion")
    np.testing.assert_allclose(ds.intensity.sel(observable=dimer), from_dimer, atol=1e-12)
    np.testing.assert_allclose(ds.intensity.sum("observable"), 1.0, atol=1e-12)
    # the solution-phase value is kept
    assert "solution_intensity" in ds and float(ds.intensity.sel(observable=dimer)[-1]) > 0


def test_observation_section_round_trip_and_bad_values():
    cfg = _config(top='observation = "acharya2025-dimers"\n')
    again = SimulationConfig.from_dict(cfg.to_dict(), "again")
    assert again.observation == "acharya2025-dimers"
    with pytest.raises(ConfigError, match="observation model"):
        _config(top='observation = "no-such-preset"\n')
    with pytest.raises(ConfigError, match="preset name or a table"):
        _config(top="observation = 5\n")
    with pytest.raises(ConfigError, match="unknown key"):
        _config("\n[observation]\nprest = 'identity'\n")


def test_cli_simulate_writes_observed_ions(tmp_path, capsys):
    cfg = tmp_path / "dimers.toml"
    cfg.write_text(CONFIG + '\n[observation]\npreset = "acharya2025-dimers"\n')
    out = tmp_path / "res"
    code = main(["simulate", str(cfg), "--out", str(out), "--no-plots"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "[Ag53(BDT)12(DMBT)16]3-" in printed.out
    ions = pd.read_csv(out / "observed_ions.csv")
    table = pd.read_csv(out / "observed_ions_table.csv")
    assert list(ions.columns[1:]) == list(table.ion)
    row = table.set_index("ion").loc["[Ag53(BDT)12(DMBT)16]3-"]
    assert abs(row.mz_average - 3198) < 1 and row.valence_electrons == 16
    obs = pd.read_csv(out / "observables.csv")
    np.testing.assert_allclose(obs.iloc[:, 1:].sum(axis=1), 1.0, atol=1e-9)
    # a bad observation model: exit 2, one line, nothing written
    bad = tmp_path / "bad.toml"
    bad.write_text('observation = "no-such-preset"\n' + CONFIG)
    code = main(["simulate", str(bad), "--out", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 2 and "observation" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "none").exists()
