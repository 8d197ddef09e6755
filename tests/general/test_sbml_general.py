"""SBML export of general networks: valid Level 3, ids from the labels, and the same
trajectories in libRoadRunner."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster import simulate
from intercluster.kinetics import initial_concentrations
from intercluster.kinetics.config import SimulationConfig
from intercluster.network.sbml import species_ids, to_sbml


@pytest.fixture(params=["two_families", "trimers"])
def network_x0(request, two_families_toml, trimers_toml):
    path = two_families_toml if request.param == "two_families" else trimers_toml
    cfg = SimulationConfig.from_toml(path)
    net = cfg.network()
    return net, initial_concentrations(cfg.system, cfg.initial)


def test_general_sbml_is_valid_with_every_species_and_constant(network_x0):
    import libsbml

    net, x0 = network_x0
    doc = libsbml.readSBMLFromString(to_sbml(net, x0))
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    model = doc.getModel()
    assert model.getNumSpecies() == net.n_species
    assert model.getNumReactions() == net.n_reactions
    ids = species_ids(net)
    assert len(set(ids)) == len(ids)
    for sid, label, c0 in zip(ids, net.species_labels, x0):
        sp = model.getSpecies(sid)
        assert sp.getName() == label and sp.getInitialConcentration() == c0
        assert sp.getCompartment() == "solution"
    names = {model.getParameter(i).getId() for i in range(model.getNumParameters())}
    assert names == set(net.base_constant_names)
    for name in net.base_constant_names:
        p = model.getParameter(name)
        assert p.getValue() == net.parameters[name]
        bimolecular = any(c.bimolecular for c in net.channels if c.constant == name)
        assert p.getUnits() == ("per_nM_per_s" if bimolecular else "per_s")


def test_general_sbml_in_libroadrunner_gives_our_trajectories(network_x0):
    roadrunner = pytest.importorskip("roadrunner")
    net, x0 = network_x0
    rr = roadrunner.RoadRunner(to_sbml(net, x0))
    rr.getIntegrator().setValue("relative_tolerance", 1e-10)
    rr.getIntegrator().setValue("absolute_tolerance", 1e-14)
    out = rr.simulate(0, 600, 31)
    cols = list(out.colnames)
    rr_y = np.array(out)[:, [cols.index(f"[{i}]") for i in species_ids(net)]]
    ds = simulate(net, x0, dead_time_s=0, t_end_s=600, dt_s=20, rtol=1e-10, atol_nM=1e-14)
    np.testing.assert_allclose(ds.concentration.values, rr_y, rtol=1e-6, atol=1e-8)
    if "k_tri" in net.base_constant_names:
        # the trimer constants are global parameters the simulator can change
        rr.reset()
        rr["k_tri"] = 2e-2
        out2 = np.array(rr.simulate(0, 600, 31))[
            :, [cols.index(f"[{i}]") for i in species_ids(net)]
        ]
        ds2 = simulate(
            net.with_parameters(k_tri=2e-2),
            x0,
            dead_time_s=0,
            t_end_s=600,
            dt_s=20,
            rtol=1e-10,
            atol_nM=1e-14,
        )
        np.testing.assert_allclose(ds2.concentration.values, out2, rtol=1e-6, atol=1e-8)


def test_export_sbml_command_on_a_family_config(tmp_path, trimers_toml):
    from intercluster.cli.main import main

    out = tmp_path / "m.xml"
    assert main(["export-sbml", str(trimers_toml), "--out", str(out)]) == 0
    text = out.read_text()
    assert 'id="k_tri"' in text and 'name="[Ag3(SR)2]-"' in text
