"""`intercluster simulate` on general models (families, complexes, rules): the result
files, the per-family summary and figure, and conservation of every quantity."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from intercluster.chem import Ion
from intercluster.kinetics.config import SimulationConfig


def test_result_files_of_a_general_model(simulated):
    for folder in simulated.values():
        names = {p.name for p in folder.iterdir()}
        assert {"observables.csv", "species.csv", "result.nc", "summary.json"} <= names
        assert {"config.toml", "families.png"} <= names


@pytest.mark.parametrize("name", ["two_families", "trimers"])
def test_observables_are_sum_formulas_normalised_to_the_total_ion_signal(simulated, name):
    folder = simulated[name]
    obs = pd.read_csv(folder / "observables.csv")
    assert obs.columns[0] == "time_s"
    np.testing.assert_allclose(obs.iloc[:, 1:].sum(axis=1), 1.0, atol=1e-12)
    ions = [Ion(c) for c in obs.columns[1:]]
    assert len(set(ions)) == len(ions)  # one column per sum formula
    assert all(ion.charge != 0 for ion in ions)
    assert all(not ion.subunits for ion in ions)  # sum formulas, not isomers
    # the intensities are the species concentrations summed per sum formula
    species = pd.read_csv(folder / "species.csv")
    conc = species.iloc[:, 1:].to_numpy()
    total = np.zeros((len(species), len(ions)))
    index = {ion: i for i, ion in enumerate(ions)}
    for col, label in enumerate(species.columns[1:]):
        sp = Ion(label)
        summed = Ion.from_parts(sp.core_atoms, sp.ligands, charge=sp.charge)
        total[:, index[summed]] += conc[:, col]
    total /= total.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(obs.iloc[:, 1:].to_numpy(), total, atol=1e-9)


def test_trimer_sum_formulas_and_charges(simulated):
    obs = pd.read_csv(simulated["trimers"] / "observables.csv")
    charges = sorted({Ion(c).charge for c in obs.columns[1:]})
    assert charges == [-3, -2, -1]
    # trimer sum formulas [Ag_m Au_(9-m)(SR)6]3-, m = 0..9: ten of them
    trimers = [c for c in obs.columns[1:] if Ion(c).charge == -3]
    assert len(trimers) == 10
    assert all(Ion(c).ligands and sum(Ion(c).ligands.values()) == 6 for c in trimers)


def test_summary_per_family_and_conservation(simulated):
    s = json.loads((simulated["two_families"] / "summary.json").read_text())
    assert [f["name"] for f in s["system"]["families"]] == ["M3", "PdM2"]
    # every conserved quantity: both metals, the fixed Pd, both ligands, the charge
    assert set(s["conservation_drift"]) == {"Ag", "Au", "Pd", "(SR)", "(DMBT)", "charge"}
    assert max(s["conservation_drift"].values()) < 1e-8
    fams = s["families"]
    assert set(fams) == {"M3", "PdM2"}
    for name, n in (("M3", 3), ("PdM2", 2)):
        f = fams[name]
        assert f["x"] == list(range(n + 1))
        assert len(f["mean_x"]) == s["time"]["n_times"]
        for dist in f["snapshots"].values():
            assert sum(dist) == pytest.approx(1.0)
        assert sum(f["final"].values()) == pytest.approx(1.0)
    # start: M3 is pure Ag (x = 3), PdM2 pure Au (x = 0); both move towards the other
    assert fams["M3"]["mean_x"][0] < 3 and fams["PdM2"]["mean_x"][0] > 0
    assert fams["M3"]["mean_x"][-1] < fams["M3"]["mean_x"][0]
    # Ag atoms are conserved across the two families: sum over families of
    # N_sub(f) x mean_x(f) (+ nothing else holds Ag) is constant
    ds = xr.open_dataset(simulated["two_families"] / "result.nc")
    comp = ds.family_composition.values
    ag = (comp * np.arange(comp.shape[2])).sum(axis=(1, 2))
    np.testing.assert_allclose(ag, 30 * 3, rtol=1e-9)
    # multi-family: no binomial comparison, and the summary says so
    assert "binomial" not in s["final"] and "binomial_note" in s["final"]


def test_single_family_with_trimers_relaxes_to_the_binomial(tmp_path, trimers_toml):
    """sim2 (random exchange, composition-independent association) relaxes to a random
    distribution of the atoms: the subunit compositions are Binomial(N, 1/2)."""
    from intercluster.cli.main import main

    cfg = SimulationConfig.from_toml(trimers_toml)
    data = cfg.to_dict()
    data["model"]["name"] = "sim2"
    data["time"]["t_end_s"] = 20000
    data["time"]["dt_s"] = 1000
    import tomli_w

    path = tmp_path / "sim2.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    assert main(["simulate", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    final = s["final"]
    assert final["a_fraction_overall"] == pytest.approx(0.5)
    np.testing.assert_allclose(
        list(final["family_distribution"]["M3"].values()),
        list(final["binomial"].values()),
        atol=1e-6,
    )
    assert final["composition_vs_binomial"]["total_variation"] < 1e-6


def test_single_family_outputs_unchanged(tmp_path):
    """The single-family model keeps its historical files and summary keys."""
    from intercluster.cli.main import main

    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[system]\nmetal_a = "Ag"\nmetal_b = "Au"\nn_atoms = 3\n[initial]\n'
        'mixture = "Ag3:Au3 = 40:40"\n[time]\nt_end_s = 100\ndt_s = 10\n'
    )
    assert main(["simulate", str(cfg), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {"contour.png", "distribution.png"} <= names and "families.png" not in names
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(s["system"]) == {"metal_a", "metal_b", "n_atoms", "charge", "mechanism"}
    assert "monomer_distribution" in s["final"]


def test_family_figure_has_a_row_per_family(simulated):
    from intercluster.plot.kinetics import family_figure

    folder = simulated["two_families"]
    ds = xr.open_dataset(folder / "result.nc")
    summary = json.loads((folder / "summary.json").read_text())
    fig = family_figure(ds, summary)
    axes = fig.axes
    labels = [ax.get_ylabel() for ax in axes]
    assert sum("M3: number of Ag atoms" in lab for lab in labels) == 1
    assert sum("PdM2: number of Ag atoms" in lab for lab in labels) == 1
