"""SBML export: valid Level 3 that libRoadRunner loads and that gives our trajectories."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster import ExchangeSystem, build_network, simulate
from intercluster.kinetics import initial_concentrations
from intercluster.network.sbml import species_ids, to_sbml


def test_sbml_is_valid_level_3():
    import libsbml

    net = build_network(ExchangeSystem("Ag", "Au", 4), "sim3")
    doc = libsbml.readSBMLFromString(
        to_sbml(net, initial_concentrations(net.system, "Ag4:Au4 = 4:4"))
    )
    assert doc.getLevel() == 3
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    assert doc.checkConsistency() == 0 or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    model = doc.getModel()
    assert model.getNumSpecies() == net.n_species
    assert model.getNumReactions() == net.n_reactions
    assert model.getSpecies("M_4").getName() == "[Ag4]-"
    assert model.getSpecies("M_4").getInitialConcentration() == 4.0


@pytest.mark.parametrize("model", ["sim2", "sim3"])
def test_libroadrunner_gives_the_same_trajectories(model):
    roadrunner = pytest.importorskip("roadrunner")
    net = build_network(ExchangeSystem("Ag", "Au", 6), model)
    x0 = initial_concentrations(net.system, "Ag6:Au6 = 40:40")
    rr = roadrunner.RoadRunner(to_sbml(net, x0))
    rr.getIntegrator().setValue("relative_tolerance", 1e-10)
    rr.getIntegrator().setValue("absolute_tolerance", 1e-14)
    out = rr.simulate(0, 620, 32)
    cols = list(out.colnames)
    rr_y = np.array(out)[:, [cols.index(f"[{i}]") for i in species_ids(net)]]
    ds = simulate(net, x0, dead_time_s=0, t_end_s=620, dt_s=20, rtol=1e-10, atol_nM=1e-14)
    np.testing.assert_allclose(ds.concentration.values, rr_y, rtol=1e-6, atol=1e-8)
    # changing the global k_ex in the simulator acts like changing it in intercluster
    rr.reset()
    rr["k_ex"] = 0.1
    out2 = np.array(rr.simulate(0, 620, 32))[:, [cols.index(f"[{i}]") for i in species_ids(net)]]
    ds2 = simulate(
        net.with_parameters(k_ex=0.1),
        x0,
        dead_time_s=0,
        t_end_s=620,
        dt_s=20,
        rtol=1e-10,
        atol_nM=1e-14,
    )
    np.testing.assert_allclose(ds2.concentration.values, out2, rtol=1e-6, atol=1e-8)
