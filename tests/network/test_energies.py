"""The ``frameworks`` rate model: detailed balance with per-family composition free energies.

Every reversible reaction pair must satisfy k_forward / k_backward = exp(-dG/RT) with
G_f(x) = E_f + F_f(x) - RT ln C(N, x) (network/energies.py), including conversions
between families at fixed x, so that long runs relax to the equilibrium of those
energies under the conservation of metal atoms, ligands and charge.
"""

import numpy as np
import pytest
from tests.energy_balance import RT, chemical_potentials, reactions_by_species

from intercluster.errors import ConfigError
from intercluster.kinetics.simulate import simulate
from intercluster.network import ClusterSystem, Conversion, DirectExchange, Family, build_network
from intercluster.network.energies import (
    FrameworkRateModel,
    framework_log_partition_functions,
)
from intercluster.network.models import get_model
from intercluster.network.sites import log_partition_functions


def _system(e_b=3.0):
    fams = [
        Family("A", "Au", "Ag", 6, charge=-2, ligands="(p-MBA)5"),
        Family("B", "Au", "Ag", 6, charge=-1, ligands="(p-MBA)4", energy_kJ_mol=e_b),
        Family("pool", "Au", "Ag", 1, charge=-1, ligands="(p-MBA)2", pool=True),
    ]
    rules = [
        DirectExchange("k_ex"),
        DirectExchange("k_pool", ("A", "pool")),
        DirectExchange("k_pool", ("B", "pool")),
        Conversion("A", "B", "RS", "k_conv", reverse="k_rec"),
    ]
    return ClusterSystem(
        fams,
        max_subunits=1,
        rules=rules,
        fragments={"RS": "[(p-MBA)]-"},
        constants={"k_pool": 2e-3, "k_conv": 5e-3, "k_rec": 5e-3},  # equal: K = exp(-dG/RT)
    )


MODEL = "frameworks:A(core=2,shell=4);B(au=3,ag=3);pool(m=1)"
ENERGIES = {
    "g_A_core_kJ_mol": -6.0,
    "g_A_shell_kJ_mol": 4.0,
    "h_A_core_kJ_mol": -2.0,
    "g_B_au_kJ_mol": -8.0,
    "g_B_ag_kJ_mol": 5.0,
    "g_pool_m_kJ_mol": 1.5,
    "k_ex": 1e-3,
}


def test_closure_energy_only_changes_the_full_class():
    plain = log_partition_functions([2, 4], [-6.0, 4.0])
    closed = framework_log_partition_functions([2, 4], [-6.0, 4.0], [-2.0, 0.0])
    assert np.allclose(framework_log_partition_functions([2, 4], [-6.0, 4.0]), plain)
    # x = 0, 1 cannot fill the 2-site class: unchanged; x = 6 only with it full
    assert np.allclose(closed[:2], plain[:2])
    assert closed[6] - plain[6] == pytest.approx(2.0 / RT)


def test_every_reaction_pair_obeys_detailed_balance_with_the_energies():
    net = build_network(_system(), MODEL, ENERGIES)
    g = chemical_potentials(net)
    r = net.reactions
    key = reactions_by_species(net)
    checked = {"exchange": 0, "conversion": 0}
    for (react, prod), j in key.items():
        back = key.get((prod, react))
        assert back is not None, f"reaction {j} has no reverse"
        d_g = g[list(prod)].sum() - g[list(react)].sum()
        ratio = net.rate_constants[j] / net.rate_constants[back]
        assert np.log(ratio) == pytest.approx(-d_g / RT, abs=1e-9)
        checked["conversion" if r.kind[j] >= 3 else "exchange"] += 1
    assert checked["exchange"] > 50 and checked["conversion"] == 14


def test_long_run_reaches_the_equilibrium_of_the_energies_and_conserves():
    cs = _system()
    net = build_network(cs, MODEL, ENERGIES)
    init = {"[Au6(p-MBA)5]2-": 10.0, "[Ag6(p-MBA)4]-": 30.0, "[Ag(p-MBA)2]-": 2.0, "RS": 5.0}
    ds = simulate(net, init, t_end_s=3e6, dead_time_s=0.0, times_s=np.array([0.0, 3e6]))
    c = ds["concentration"].values[-1]
    g = chemical_potentials(net)
    # at equilibrium c_i = exp(-G_i/RT + sum_k lambda_k W_ki): ln c + G/RT lies in the
    # span of the conservation laws (rows of the left null space of S)
    S = net.stoichiometry.toarray()
    resid = S.T @ (np.log(c) + g / RT)
    assert np.abs(resid).max() < 1e-5
    for key, value in ds.attrs.items():
        if key.startswith("conservation_drift_"):
            assert abs(value) < 1e-8, key


def test_model_by_name_and_bad_specs():
    model = get_model(MODEL)
    assert isinstance(model, FrameworkRateModel)
    assert "g_B_au_kJ_mol" in model.parameter_names
    with pytest.raises(ConfigError, match="frameworks"):
        get_model("frameworks:A(core=2")
    with pytest.raises(ConfigError, match="N = 6"):
        build_network(_system(), "frameworks:A(core=2,shell=3)")
    with pytest.raises(ConfigError, match=r"'Z'.*a family of the model"):
        build_network(_system(), "frameworks:A(core=2,shell=4);Z(m=1)")
    with pytest.raises(ConfigError, match="frameworks"):
        get_model("frameworks:")
    with pytest.raises(ConfigError, match="temperature_K"):
        build_network(_system(), MODEL, {"temperature_K": -1.0})
