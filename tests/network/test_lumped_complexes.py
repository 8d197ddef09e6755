"""Partial decomposition of a cluster into small metal-ligand complexes, kept as one
lumped species (a pool family with N > 1).

A reaction has at most two reactants and two products, so a cluster of N atoms that
falls apart into N [M(SR)2]- complexes (Lin et al., Chem. Sci. 2022, 13, 4598,
doi:10.1039/d1sc06296d: "partial decomposition of the two parental NCs occurred as a
side reaction", with Au/Ag-SR complexes) is written as a conversion into ONE species
whose formula is the sum of the N complexes, [M_N(SR)_2N]N-, of a pool family with N
sites. What makes this lumping sound, and what these tests check with the existing
rules (Conversion, DirectExchange) and the ``frameworks:`` rate model:

- metal atoms, ligands and charge are conserved (the fragment carries the thiolate
  and disulfide the decomposition takes up);
- when the lumped and the free complexes have the same per-atom energy, a lumped
  species at equilibrium is a random assembly of free complexes: its composition is
  binomial with the Au fraction of the free pool, as if its N complexes were free;
- detailed balance holds reaction by reaction, and a second decomposition channel
  (into another framework) closes a cycle of conversions that leaves the equilibrium
  unchanged when the lumped reagents are present in the ratio the cycle requires.
"""

import numpy as np
import pytest
from scipy.stats import binom
from tests.energy_balance import RT, chemical_potentials, reactions_by_species

from intercluster.kinetics.simulate import simulate
from intercluster.network import ClusterSystem, Conversion, DirectExchange, Family, build_network

N = 4
MODEL = "frameworks:A(core=2,shell=2);B(all=4);lump(all=4);pool(m=1)"
ENERGIES = {
    "g_A_core_kJ_mol": -5.0,
    "g_A_shell_kJ_mol": 3.0,
    "g_B_all_kJ_mol": -4.0,
    "g_lump_all_kJ_mol": -2.0,
    "g_pool_m_kJ_mol": -2.0,  # the same complexes, free or lumped
    "k_ex": 1e-3,
}


def _system(second_channel: bool = False):
    fams = [
        Family("A", "Au", "Ag", N, charge=-2, ligands="(p-MBA)3"),
        Family("B", "Au", "Ag", N, charge=-1, ligands="(p-MBA)2", energy_kJ_mol=4.0),
        Family(
            "lump",
            "Au",
            "Ag",
            N,
            charge=-N,
            ligands=f"(p-MBA){2 * N}",
            pool=True,
            energy_kJ_mol=6.0,
        ),
        Family("pool", "Au", "Ag", 1, charge=-1, ligands="(p-MBA)2", pool=True),
    ]
    rules = [
        DirectExchange("k_ex"),
        DirectExchange("k_pool", ("A", "pool")),
        DirectExchange("k_pool", ("lump", "pool")),
        Conversion("A", "B", "RS", "k_conv", reverse="k_rec"),
        Conversion("lump", "A", "F5", "k_recon", reverse="k_decomp"),
    ]
    fragments = {"RS": "[(p-MBA)]-", "F5": "[(p-MBA)5]2-"}
    if second_channel:
        rules.append(Conversion("lump", "B", "F6", "k_recon", reverse="k_decomp"))
        fragments["F6"] = "[(p-MBA)6]3-"
    return ClusterSystem(
        fams,
        max_subunits=1,
        rules=rules,
        fragments=fragments,
        constants={
            "k_pool": 1e-2,
            "k_conv": 1e-2,
            "k_rec": 1e-2,
            "k_recon": 1e-2,
            "k_decomp": 1e-2,
        },
    )


INITIAL = {
    "[Au4(p-MBA)3]2-": 10.0,
    "[Ag4(p-MBA)3]2-": 20.0,
    "[Ag(p-MBA)2]-": 2.0,
    "F5": 50.0,
    "RS": 20.0,
}


def _long_run(net, initial=INITIAL):
    return simulate(net, initial, t_end_s=1e8, dead_time_s=0.0, times_s=np.array([0.0, 1e8]))


def test_lumped_species_is_the_sum_of_its_complexes_and_conserves():
    net = build_network(_system(), MODEL, ENERGIES)
    labels = net.species_labels
    assert "[Au2Ag2(p-MBA)8]4-" in labels  # = 2 [Au(p-MBA)2]- + 2 [Ag(p-MBA)2]-
    lump = next(f for f in net.cluster_system.families if f.name == "lump")
    assert lump.ion(2).valence_electrons == 0  # Au(I)/Ag(I) complexes
    ds = _long_run(net)
    for key in ("Au", "Ag", "(p-MBA)", "charge"):
        assert abs(ds.attrs[f"conservation_drift_{key}"]) < 1e-8
    assert ds.attrs.get("min_concentration_relative", 0.0) > -1e-12


def test_lumped_complexes_are_a_random_assembly_of_free_ones_at_equilibrium():
    net = build_network(_system(), MODEL, ENERGIES)
    ds = _long_run(net)
    c = dict(zip(net.species_labels, ds["concentration"].values[-1]))
    lump = np.array([c[f"[{_core(x)}(p-MBA){2 * N}]{N}-"] for x in range(N + 1)])
    assert lump.sum() > 0.5  # the channel is in use
    q = c["[Au(p-MBA)2]-"] / (c["[Au(p-MBA)2]-"] + c["[Ag(p-MBA)2]-"])
    assert lump / lump.sum() == pytest.approx(binom.pmf(np.arange(N + 1), N, q), abs=1e-6)
    # with a different per-atom energy in the lump the binomial is lost
    other = build_network(_system(), MODEL, dict(ENERGIES, g_lump_all_kJ_mol=-6.0))
    c2 = dict(zip(other.species_labels, _long_run(other)["concentration"].values[-1]))
    lump2 = np.array([c2[f"[{_core(x)}(p-MBA){2 * N}]{N}-"] for x in range(N + 1)])
    q2 = c2["[Au(p-MBA)2]-"] / (c2["[Au(p-MBA)2]-"] + c2["[Ag(p-MBA)2]-"])
    assert np.abs(lump2 / lump2.sum() - binom.pmf(np.arange(N + 1), N, q2)).max() > 0.05


def _core(x: int) -> str:
    au = "" if x == 0 else ("Au" if x == 1 else f"Au{x}")
    ag = "" if x == N else ("Ag" if N - x == 1 else f"Ag{N - x}")
    return au + ag


def test_detailed_balance_with_two_decomposition_channels():
    net = build_network(_system(second_channel=True), MODEL, ENERGIES)
    g = chemical_potentials(net)
    key = reactions_by_species(net)
    for (react, prod), j in key.items():
        back = key[(prod, react)]
        d_g = g[list(prod)].sum() - g[list(react)].sum()
        assert np.log(net.rate_constants[j] / net.rate_constants[back]) == pytest.approx(
            -d_g / RT, abs=1e-9
        )


def test_cycle_of_channels_keeps_the_equilibrium_if_the_reagents_are_consistent():
    """lump -> A + F5, A + RS -> B, B + F6 -> lump: net F5 + RS -> F6. With the fragments'
    standard potentials 0 (1 nmol/L) the cycle is balanced when [F6] = [F5][RS]: adding
    the second channel to the first one's equilibrium, with F6 at that value, changes
    nothing (the state is the unique equilibrium of both); with F6 off that value the
    cycle turns the reagents into each other and moves the clusters too."""
    one = build_network(_system(), MODEL, ENERGIES)
    two = build_network(_system(second_channel=True), MODEL, ENERGIES)
    c1 = dict(zip(one.species_labels, _long_run(one)["concentration"].values[-1]))
    balanced = dict(INITIAL, F6=c1["[(p-MBA)5]2-"] * c1["[(p-MBA)]-"])
    c2 = dict(zip(two.species_labels, _long_run(two, balanced)["concentration"].values[-1]))
    for label, value in c1.items():
        assert c2[label] == pytest.approx(value, rel=1e-5, abs=1e-9)
    off = dict(INITIAL, F6=1.0)
    c3 = dict(zip(two.species_labels, _long_run(two, off)["concentration"].values[-1]))
    assert max(abs(c3[k] - v) for k, v in c1.items()) > 1.0
