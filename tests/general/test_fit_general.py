"""`fit` on general models (families, complexes, rules): the trimer constants are
recovered from noise-free synthetic data, and the single-family fit is unchanged."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest

from intercluster.errors import ConfigError, DataError
from intercluster.fit.config import FitConfig
from intercluster.fit.synthetic import synthetic_intensities, write_observables_csv
from intercluster.kinetics.config import SimulationConfig
from intercluster.network.system import ExchangeSystem

#: Hidden constants (Neumaier et al., JACS 2021, Table 1, simulation 3, plus
#: illustrative trimer constants).
HIDDEN = {"k_dim": 1e-2, "k_diss": 5.6e-2, "k_ex": 3.2e-2, "k_tri": 4e-3, "k_tri_diss": 8e-2}

FREE = {
    "k_dim": {"lower": 1e-3, "upper": 1.0},
    "k_diss": {"lower": 1e-3, "upper": 1.0},
    "k_ex": {"lower": 1e-3, "upper": 1.0},
    "k_tri": {"lower": 1e-4, "upper": 1e-1},
    "k_tri_diss": {"lower": 1e-3, "upper": 1.0},
}


@pytest.fixture(scope="module")
def trimer_data(tmp_path_factory, trimers_toml):
    cfg = SimulationConfig.from_toml(trimers_toml)
    folder = tmp_path_factory.mktemp("fitdata")
    t, labels, y = synthetic_intensities(
        cfg.system, "sim3", HIDDEN, "Ag3:Au3 = 40:40", t_end_s=900, dt_s=30
    )
    write_observables_csv(folder / "data.csv", t, labels, y)
    return folder


def _fit_toml(folder, system: dict, parameters: dict) -> dict:
    return {
        **system,
        "model": {"name": "sim3"},
        "parameters": parameters,
        "datasets": [
            {
                "name": "40:40",
                "path": "data.csv",
                "mixture": "Ag3:Au3 = 40:40",
                "dead_time_s": 20,
            }
        ],
        "objective": {"kind": "intensity"},
        "refine": {"starts": 2},
        "uncertainty": {"profiles": False},
    }


def _write(path, data):
    import tomli_w

    path.write_bytes(tomli_w.dumps(data).encode())
    return path


@pytest.mark.slow
@pytest.mark.parametrize("form", ["model_file", "inline"])
def test_refine_recovers_hidden_trimer_constants(tmp_path, trimer_data, trimers_toml, form):
    from intercluster.cli.main import main

    if form == "model_file":
        system = {"system": {"model_file": str(trimers_toml)}}
    else:
        table = tomllib.loads(trimers_toml.read_text())
        system = {k: table[k] for k in ("family", "complexes", "constants")}
    data = _fit_toml(trimer_data, system, FREE)
    cfg = _write(trimer_data / f"fit_{form}.toml", data)
    out = tmp_path / "fit"
    args = ["fit", str(cfg), "--out", str(out), "--method", "refine", "--workers", "1"]
    assert main([*args, "--no-plots", "--quiet"]) == 0
    best = json.loads((out / "fit.json").read_text())["best"]
    for name, value in HIDDEN.items():
        assert best[name] == pytest.approx(value, rel=0.01), name


def test_general_problem_knows_the_rule_constants(trimer_data, trimers_toml):
    data = _fit_toml(
        trimer_data,
        {"system": {"model_file": str(trimers_toml)}},
        {"k_tri": {"lower": 1e-4, "upper": 1e-1}, "k_tri_diss": 0.08},
    )
    cfg = FitConfig.from_dict(data, base=trimer_data)
    problem = cfg.problem
    assert not problem.is_single_family
    assert problem.free_names == ["k_tri"]
    assert problem.values(problem.theta({"k_tri": 4e-3}))["k_tri_diss"] == 0.08
    # noise-free data: the objective vanishes at the hidden constants ...
    at_hidden = problem.evaluate(problem.theta({"k_tri": 4e-3}))
    assert at_hidden.ok and at_hidden.intensity_chi2 < 1e-12
    # ... and not elsewhere
    assert problem.evaluate(problem.theta({"k_tri": 4e-2})).intensity_chi2 > 1.0
    # the resolved configuration names the model file and its content
    assert cfg.resolved["system"]["model_file"] == str(trimers_toml)
    assert cfg.resolved["system"]["constants"] == {"k_tri": 4e-3, "k_tri_diss": 8e-2}
    # the stored configuration (fit-config.toml) reads back equal: a run can be resumed
    import tomli_w

    from intercluster.fit.config import config_diff

    table = tomllib.loads(trimers_toml.read_text())
    inline = {k: table[k] for k in ("family", "complexes", "constants")}
    for system in ({"system": {"model_file": str(trimers_toml)}}, inline):
        c = FitConfig.from_dict(_fit_toml(trimer_data, system, FREE), base=trimer_data)
        assert config_diff(tomllib.loads(tomli_w.dumps(c.resolved)), c.resolved) == []


def test_exchange_system_fit_unchanged_and_equal_to_its_family_form(tmp_path):
    """[system] (ExchangeSystem) and the same model written as one [[family]] with
    K = 2 give the same objective everywhere; the [system] form resolves as before."""
    system = ExchangeSystem("Ag", "Au", 3)
    params = {"k_dim": 2e-2, "k_diss": 5e-2, "k_ex": 3e-2}
    t, labels, y = synthetic_intensities(
        system, "sim3", params, "Ag3:Au3 = 40:40", t_end_s=600, dt_s=30, noise_rel=0.03
    )
    write_observables_csv(tmp_path / "data.csv", t, labels, y)
    free = {k: {"lower": 1e-3, "upper": 1.0} for k in params}
    single = _fit_toml(tmp_path, {"system": {"metal_a": "Ag", "metal_b": "Au", "n_atoms": 3}}, free)
    family = {"name": "M3", "metal_a": "Ag", "metal_b": "Au", "n_atoms": 3, "charge": -1}
    general = _fit_toml(tmp_path, {"family": [family], "complexes": {"max_subunits": 2}}, free)
    a = FitConfig.from_dict(single, base=tmp_path)
    b = FitConfig.from_dict(general, base=tmp_path)
    assert a.problem.is_single_family and not b.problem.is_single_family
    assert a.resolved["system"] == {
        "metal_a": "Ag",
        "metal_b": "Au",
        "n_atoms": 3,
        "charge": -1,
        "mechanism": "dimer",
    }
    assert a.problem.datasets[0].labels == b.problem.datasets[0].labels
    rng = np.random.default_rng(1)
    for theta in rng.uniform(-2.5, -0.5, size=(3, 3)):
        ea, eb = a.problem.evaluate(theta), b.problem.evaluate(theta)
        assert ea.value == pytest.approx(eb.value, rel=1e-9)


def test_bad_general_fit_configurations(tmp_path, trimer_data, trimers_toml):
    base = {"system": {"model_file": str(trimers_toml)}}
    with pytest.raises(ConfigError, match="k_quad"):
        FitConfig.from_dict(_fit_toml(trimer_data, base, {"k_quad": 1.0}), base=trimer_data)
    both = {"system": {"metal_a": "Ag", "model_file": str(trimers_toml)}}
    with pytest.raises(ConfigError, match="not both"):
        FitConfig.from_dict(_fit_toml(trimer_data, both, FREE), base=trimer_data)
    missing = {"system": {"model_file": "nowhere.toml"}}
    with pytest.raises(ConfigError, match=r"system\.model_file"):
        FitConfig.from_dict(_fit_toml(trimer_data, missing, FREE), base=trimer_data)
    # the data of another model: columns that are not observables of this one
    other = tmp_path / "other.csv"
    other.write_text("time_s,[Ag25(SR)18]-\n0,1\n10,1\n")
    data = _fit_toml(trimer_data, base, FREE)
    data["datasets"][0]["path"] = str(other)
    with pytest.raises(DataError, match=r"not observables of this model.*\[Ag25\(SR\)18\]-"):
        FitConfig.from_dict(data, base=trimer_data)
    # a rule constant without a value: neither in [constants] nor in [parameters]
    table = tomllib.loads(trimers_toml.read_text())
    inline = {k: table[k] for k in ("family", "complexes")}
    with pytest.raises(ConfigError, match="k_tri"):
        FitConfig.from_dict(_fit_toml(trimer_data, inline, {"k_ex": 0.03}), base=trimer_data)
