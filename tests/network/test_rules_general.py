"""Conversions (framework change, fragment loss), pools, model descriptions (TOML and
Python), the ``intercluster network`` listing and every kind of bad input."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from intercluster import build_network, simulate
from intercluster.errors import ConfigError, NetworkSizeError
from intercluster.kinetics.config import SimulationConfig
from intercluster.network.description import ClusterSystem
from intercluster.network.families import Family
from intercluster.network.rules import (
    CONVERSION,
    RECOMBINATION,
    Association,
    ComplexExchange,
    Conversion,
    DirectExchange,
)

ROOT = Path(__file__).resolve().parents[2]


def heterodimer_with_tpp_loss() -> ClusterSystem:
    """Acharya et al., J. Phys. Chem. C 2025: [Ag29(BDT)12(TPP)4]3- loses its TPP and
    forms heterodimers with [PdAg24(DMBT)18]2- (here with 2 variable sites for speed);
    TPP is released as one fragment of four ligands."""
    fams = [
        Family("Ag29TPP", "Ag", "Au", 0, charge=-3, fixed="Ag29", ligands="(BDT)12(TPP)4"),
        Family("Ag29", "Ag", "Au", 0, charge=-3, fixed="Ag29", ligands="(BDT)12"),
        Family("PdM", "Ag", "Au", 2, charge=-2, fixed="Pd", ligands="(DMBT)3"),
    ]
    rules = [
        Conversion("Ag29TPP", "Ag29", "TPP4", "k_loss", "k_bind"),
        Association((1, 1), "k_dim", "k_diss", families=("Ag29", "PdM")),
        ComplexExchange(),
    ]
    return ClusterSystem(
        fams,
        max_subunits=2,
        complex_types=[["Ag29", "PdM"]],
        rules=rules,
        fragments={"TPP4": "[(TPP)4]"},
        constants={"k_loss": 1e-2, "k_bind": 1e-4},
    )


def test_fragment_loss_and_heterodimers_conserve_and_balance():
    system = heterodimer_with_tpp_loss()
    net = build_network(system, "sim2")
    kinds = net.reactions.kind
    assert np.sum(kinds == CONVERSION) == 1 and np.sum(kinds == RECOMBINATION) == 1
    assert np.all(net.conservation_matrix @ net.stoichiometry.toarray() == 0)
    assert "(PPh3)" in net.conservation_labels
    labels = system.species_labels
    assert "[(Ag29)(PdAg2)(BDT)12(DMBT)3]5-" in labels
    x0 = {"[Ag29(BDT)12(TPP)4]3-": 20.0, "[PdAg2(DMBT)3]2-": 20.0}
    ds = simulate(net, x0, t_end_s=2e4, dt_s=2e3, rtol=1e-10, atol_nM=1e-14)
    x = dict(zip(labels, ds.concentration.values[-1]))
    # loss/recombination equilibrium: [Ag29][TPP4]/[Ag29TPP] = k_loss/k_bind
    ratio = x["[Ag29(BDT)12]3-"] * x["TPP4" if "TPP4" in x else "[(PPh3)4]"]
    ratio /= x["[Ag29(BDT)12(PPh3)4]3-"]
    assert ratio == pytest.approx(1e-2 / 1e-4, rel=1e-5)
    assert ds.attrs["conservation_drift_max"] < 1e-8
    # the neutral fragment gives no MS signal: not an observable
    assert "[(PPh3)4]" not in set(ds.observable.values)


def test_conversion_in_complexes_uses_multiplicity():
    fams = [
        Family("F", "Ag", "Au", 1, charge=-2, ligands="(SR)4"),
        Family("G", "Ag", "Au", 1, charge=-1, ligands="(SR)3"),
    ]
    system = ClusterSystem(
        fams,
        max_subunits=2,
        rules=[
            Association(),
            Conversion("F", "G", "SR", "k_conv", "k_back", in_complexes=True),
        ],
        fragments={"SR": "[(SR)]-"},
        constants={"k_conv": 1.0, "k_back": 1.0},
    )
    net = build_network(system, "sim1")
    r, sp = net.reactions, system.species
    for j in np.flatnonzero(r.kind == CONVERSION):
        c = sp[r.reactants[j, 0]]
        f_sub = [s for s in c.subunits if s[0] == 0]
        same = sum(1 for s in f_sub if s == f_sub[0])
        assert r.statistical_factor[j] in (1.0, 2.0)
        if c.size == 2 and len(f_sub) == 2 and f_sub[0] == f_sub[1]:
            assert r.statistical_factor[j] == 2.0 == same
    assert np.all(net.conservation_matrix @ net.stoichiometry.toarray() == 0)


def test_pool_exchange_conserves_and_reaches_detailed_balance():
    """Clusters give atoms to and take atoms from a pool of [Ag(SR)2]-/[Au(SR)2]-."""
    fams = [
        Family("M", "Ag", "Au", 3, charge=-1, ligands="(SR)2"),
        Family("pool", "Ag", "Au", 1, charge=-1, ligands="(SR)2", pool=True),
    ]
    system = ClusterSystem(
        fams,
        max_subunits=1,
        rules=[DirectExchange("k_ex"), DirectExchange("k_pool", ("M", "pool"), "pool exchange")],
        constants={"k_pool": 2e-3},
    )
    net = build_network(system, "sim2", {"k_ex": 1e-3})
    assert net.counts()["reactions: pool exchange"] > 0
    assert np.all(net.conservation_matrix @ net.stoichiometry.toarray() == 0)
    x0 = {"[Ag3(SR)2]-": 30.0, "[Au(SR)2]-": 30.0}
    ds = simulate(net, x0, t_end_s=5e4, dt_s=5e3, rtol=1e-10, atol_nM=1e-14)
    x = ds.concentration.values[-1]
    r, k = net.reactions, net.rate_constants
    xx = np.append(x, 1.0)
    rates = k * xx[r.reactants[:, 0]] * xx[r.reactants[:, 1]]
    flux = {}
    for j in range(len(r)):
        left, right = tuple(sorted(r.reactants[j])), tuple(sorted(r.products[j]))
        key = min(left, right), max(left, right)
        flux[key] = flux.get(key, 0) + (rates[j] if left <= right else -rates[j])
    assert max(abs(v) for v in flux.values()) < 1e-6 * rates.max()


def test_isotope_exchange_is_the_same_machinery():
    """107Ag25 + 109Ag25 (cited in Acharya et al. 2025): m/z from isotope masses."""
    fam = Family("Ag25", "107Ag", "109Ag", 25, ligands="(DMBT)18")
    system = ClusterSystem([fam], max_subunits=2)
    assert system.n_species == 377
    ion = system.ion(system.species[0])
    assert ion.metals == {"109Ag": 25}
    net = build_network(system, "sim2")
    assert net.n_reactions == 1302


# ------------------------------------------------------------------- descriptions
def general_dict(**changes) -> dict:
    data = {
        "family": [{"name": "M", "metal_a": "Ag", "metal_b": "Au", "n_atoms": 3, "charge": -1}],
        "complexes": {"max_subunits": 3},
        "constants": {"k_tri": 1e-3, "k_tri_diss": 1e-1},
        "model": {"name": "sim2"},
        "initial": {"mixture": "Ag3:Au3 = 40:40"},
        "time": {"t_end_s": 100, "dt_s": 10},
    }
    for key, value in changes.items():
        data[key] = value
    return data


def test_toml_and_python_descriptions_agree(tmp_path):
    cfg = SimulationConfig.from_dict(general_dict())
    fam = Family("M", "Ag", "Au", 3)
    py = ClusterSystem([fam], 3, constants={"k_tri": 1e-3, "k_tri_diss": 1e-1})
    a, b = cfg.network(), build_network(py, "sim2")
    assert a.cluster_system.species_labels == b.cluster_system.species_labels
    np.testing.assert_array_equal(a.rate_constants, b.rate_constants)
    # round trip through to_dict and a TOML file
    import tomli_w

    path = tmp_path / "config.toml"
    path.write_bytes(tomli_w.dumps(cfg.to_dict()).encode())
    again = SimulationConfig.from_toml(path)
    np.testing.assert_array_equal(again.network().rate_constants, a.rate_constants)
    assert again.system.species_labels == cfg.system.species_labels
    ds = cfg.run()
    assert ds.sizes["species"] == 4 + 10 + 20


def test_constants_override_like_parameters():
    cfg = SimulationConfig.from_dict(general_dict()).with_overrides(k_tri=5e-3)
    net = cfg.network()
    assert net.parameters["k_tri"] == 5e-3


def test_example_trimers_counts():
    cfg = SimulationConfig.from_toml(ROOT / "examples" / "trimers_40-40.toml")
    assert cfg.system.count_by_size() == {1: 26, 2: 351, 3: 3276}
    assert cfg.system.n_species == 3653
    labels = cfg.system.observable_labels
    assert len(labels) == 26 + 51 + 76
    assert {"[AgAu24]-", "[Ag25Au25]2-", "[Ag3Au72]3-"} <= set(labels)


def test_size_limit_refused_before_building():
    data = general_dict()
    data["family"][0]["n_atoms"] = 60  # 61 + 1,891 + 39,711 species
    with pytest.raises(NetworkSizeError, match="41,663 species"):
        SimulationConfig.from_dict(data)


BAD = [
    # unknown ligand
    (
        lambda d: d["family"][0].update(ligands="(XYZQ)18"),
        r"family\['M'\]\.ligands",
    ),
    # unknown family in a complex type and in a rule
    (lambda d: d["complexes"].update(types=[["M", "Q"]]), r"complexes\.types = 'Q'"),
    (
        lambda d: d.update(rules={"direct_exchange": [{"families": ["M", "Q"]}]}),
        r"families = 'Q'",
    ),
    # a complex larger than K
    (
        lambda d: d["complexes"].update(max_subunits=2, types=[["M", "M", "M"]]),
        r"at most K = 2",
    ),
    (
        lambda d: d.update(
            complexes={"max_subunits": 2},
            rules={"association": [{"sizes": [2, 1], "constant": "k_tri"}]},
        ),
        r"sizes = \[2, 1\].*at most K = 2",
    ),
    # a rule that does not conserve ligands and charge
    (
        lambda d: (
            d["family"].append(
                {"name": "L", "metal_a": "Ag", "metal_b": "Au", "n_atoms": 3, "ligands": "(SR)2"}
            ),
            d.update(rules={"conversion": [{"source": "M", "target": "L", "constant": "k_tri"}]}),
        ),
        r"does not conserve \(SR\)",
    ),
    # a rule that would not conserve metal atoms (different N)
    (
        lambda d: (
            d["family"].append({"name": "L", "metal_a": "Ag", "metal_b": "Au", "n_atoms": 4}),
            d.update(rules={"conversion": [{"source": "M", "target": "L", "constant": "k_tri"}]}),
        ),
        r"would not conserve metal atoms",
    ),
    # windows that exclude the starting clusters
    (lambda d: d["family"][0].update(x_max=2), r"outside its window"),
    # a mixture naming a species outside the model
    (lambda d: d["initial"].update(mixture="Ag2Cu:Au3 = 40:40"), r"initial"),
    # unknown family key, unknown rule kind
    (lambda d: d["family"][0].update(n_atom=3), r"did you mean 'n_atoms'"),
    (lambda d: d.update(rules={"fusion": []}), r"unknown key 'fusion'"),
    # two families that give the same ions
    (
        lambda d: d["family"].append(
            {"name": "N", "metal_a": "Au", "metal_b": "Ag", "n_atoms": 3, "charge": -1}
        ),
        r"may not share an ion",
    ),
    # a rule list that is not a list of tables
    (lambda d: d.update(rules={"association": 5}), r"rules\.association = 5"),
    # a base constant without a value
    (lambda d: d.pop("constants"), r"constants\.k_tri"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_input_names_field_value_and_allowed(change, message):
    data = copy.deepcopy(general_dict())
    change(data)
    with pytest.raises(ConfigError, match=message):
        SimulationConfig.from_dict(data).network()


def run_cli(argv, capsys):
    from intercluster.cli.main import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_network_prints_general_counts_and_refuses_bad_input(tmp_path, capsys):
    import tomli_w

    good = tmp_path / "good.toml"
    good.write_bytes(tomli_w.dumps(general_dict()).encode())
    code, out, err = run_cli(["network", good], capsys)
    assert code == 0, err
    assert "C(4 + 3 - 1, 3) = 20" in out
    assert "trimer formation" in out and "reactions per kind" in out
    bad_data = general_dict()
    bad_data["family"][0]["ligands"] = "(XYZQ)18"
    bad = tmp_path / "bad.toml"
    bad.write_bytes(tomli_w.dumps(bad_data).encode())
    csv = tmp_path / "reactions.csv"
    code, out, err = run_cli(["network", bad, "--csv", csv], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "ligands" in err
    assert not csv.exists()
    # system options do not apply to a family description
    code, out, err = run_cli(["network", good, "--n-atoms", "5"], capsys)
    assert code == 2 and "[[family]]" in err


def test_species_are_full_ions_masses_and_electrons_from_chem_ms():
    """m/z and electron counts come from chem/ms: the [Ag29(BDT)12]3- + [PdAg24(DMBT)18]2-
    heterodimer (Acharya et al. 2025) has 8 + 8 = 16 valence electrons and the mass
    of its two subunits; isotopologue families differ by the isotope masses."""
    from intercluster.ms.masses import ion_mass, mz

    fams = [
        Family("Ag29", "Ag", "Au", 0, charge=-3, fixed="Ag29", ligands="(BDT)12"),
        Family("PdM24", "Ag", "Au", 24, charge=-2, fixed="Pd", ligands="(DMBT)18", x_min=24),
    ]
    system = ClusterSystem(fams, 2, complex_types=[["Ag29", "PdM24"]])
    dimer = system.parse("[(Ag29)(PdAg24)(BDT)12(DMBT)18]5-")
    ion = system.ion(dimer)
    assert ion.valence_electrons == 16
    parts = [system.ion(system.parse(t)) for t in ("[Ag29(BDT)12]3-", "[PdAg24(DMBT)18]2-")]
    assert [p.valence_electrons for p in parts] == [8, 8]
    assert ion_mass(ion) == pytest.approx(sum(ion_mass(p) for p in parts), abs=1e-6)
    assert mz(ion) == pytest.approx(ion_mass(ion) / 5, rel=1e-12)
    iso = ClusterSystem([Family("I", "107Ag", "109Ag", 25, ligands="(DMBT)18")], 1)
    light, heavy = (iso.ion(iso.species[i]) for i in (-1, 0))  # x = 25 (107Ag), x = 0
    from intercluster.chem.isotopes import isotopes

    d = isotopes("109Ag").masses[0] - isotopes("107Ag").masses[0]
    assert mz(heavy) - mz(light) == pytest.approx(25 * d, abs=1e-6)


def test_conversion_detailed_balance_from_family_energies():
    """Framework change G <-> F + H with family free energies: at equilibrium
    [F][H]/[G] = (k_conv/k_back) exp(-(E_F - E_G)/RT) for every composition."""
    from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K

    fams = [
        Family("F", "Ag", "Au", 2, charge=-1, ligands="(SR)3"),
        Family("G", "Ag", "Au", 2, charge=-1, ligands="(SR)3", fixed="H", energy_kJ_mol=-3.0),
    ]
    # G carries one more H than F: the fragment must carry it (H here stands for any
    # conserved atom the framework change releases); without it the rule is refused
    with pytest.raises(ConfigError, match="does not conserve H"):
        ClusterSystem(fams, 1, rules=[Conversion("F", "G", None, "k_conv", "k_back")])
    system = ClusterSystem(
        fams,
        1,
        rules=[DirectExchange(), Conversion("G", "F", "H", "k_conv", "k_back")],
        fragments={"H": "H"},
        constants={"k_conv": 1e-2, "k_back": 1e-3},
    )
    net = build_network(system, "sim2", {"k_ex": 1e-3})
    x0 = {"[Ag2(SR)3]-": 20.0, "[Au2(SR)3]-": 20.0, "H": 50.0}
    ds = simulate(net, x0, t_end_s=5e4, dt_s=5e3, rtol=1e-10, atol_nM=1e-14)
    x = dict(zip(system.species_labels, ds.concentration.values[-1]))
    rt = GAS_CONSTANT_KJ_MOL_K * 298.15
    for xa in range(3):
        f = x[fams[0].label(xa)]
        g = x[fams[1].label(xa)]
        h = x["H"]
        assert f * h / g == pytest.approx(10.0 * np.exp(-3.0 / rt), rel=1e-5)


def test_build_time_conservation_check_names_the_rule():
    """The generic check at build (every reaction against the conservation matrix)
    refuses a reaction that loses a ligand, naming its rule."""
    from intercluster.network.build import check_conservation
    from intercluster.network.rules import ReactionSet, generate_reactions

    fams = [
        Family("F", "Ag", "Au", 1, ligands="(SR)2"),
        Family("G", "Ag", "Au", 1, ligands="(SR)3", charge=-2),
    ]
    system = ClusterSystem(fams, 1, rules=[DirectExchange(name="swap")])
    reactions, channels, _ = generate_reactions(system)
    check_conservation(system, reactions, channels)  # the real reactions conserve
    broken = ReactionSet(
        kind=reactions.kind[:1],
        reactants=reactions.reactants[:1],
        products=np.array([[system.index("[Ag(SR)2]-"), reactions.products[0, 1]]]),
        a=reactions.a[:1],
        b=reactions.b[:1],
        statistical_factor=reactions.statistical_factor[:1],
        channel=reactions.channel[:1],
    )
    with pytest.raises(ConfigError, match=r"rule 'swap'.*does not conserve \(SR\) \(-1\)"):
        check_conservation(system, broken, channels)


def test_single_family_dataset_layout_unchanged():
    """An ExchangeSystem run keeps the Dataset layout that files and fits rely on."""
    from intercluster import ExchangeSystem

    ds = simulate(build_network(ExchangeSystem("Ag", "Au", 3), "sim2"), "Ag3:Au3 = 1:1", t_end_s=10)
    assert set(ds.data_vars) == {
        "concentration",
        "observable_concentration",
        "intensity",
        "t_max",
        "initial_concentration",
    }
    assert set(ds.coords) == {
        "time",
        "species",
        "species_n_a",
        "species_is_dimer",
        "observable",
        "observable_n_a",
        "observable_is_dimer",
    }
    assert {"conservation_drift_a", "conservation_drift_b", "metal_a", "n_atoms"} <= set(ds.attrs)
    assert not any(k.startswith("conservation_drift_A") for k in ds.attrs)


def test_cli_network_refuses_oversized_model_before_building(tmp_path, capsys):
    import tomli_w

    data = general_dict()
    data["family"][0]["n_atoms"] = 60
    path = tmp_path / "big.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    code, _, err = run_cli(["network", path], capsys)
    assert code == 2
    assert "41,663 species" in err and "allow" in err


def test_pool_transfer_decomposition_and_reconstruction():
    """A cluster releases one metal atom as [Ag(SR)2]- or [Au(SR)2]- (becoming a
    framework with N - 1 sites) and takes it back: metal atoms, ligands and charge are
    conserved, and at equilibrium [G_(x-1)][P_A]/[F_x] = (k_release/k_uptake) x,
    [G_x][P_B]/[F_x] = (k_release/k_uptake)(N - x)."""
    from intercluster.network import PoolTransfer

    fams = [
        Family("F", "Ag", "Au", 3, charge=-2, ligands="(SR)4"),
        Family("G", "Ag", "Au", 2, charge=-1, ligands="(SR)2"),
        Family("pool", "Ag", "Au", 1, charge=-1, ligands="(SR)2", pool=True),
    ]
    system = ClusterSystem(
        fams,
        1,
        rules=[PoolTransfer("F", "G", "pool")],
        constants={"k_release": 1e-2, "k_uptake": 2e-3},
    )
    net = build_network(system, "sim1")
    assert np.all(net.conservation_matrix @ net.stoichiometry.toarray() == 0)
    x0 = {"[Ag3(SR)4]2-": 20.0, "[Au3(SR)4]2-": 20.0, "[AgAu2(SR)4]2-": 5.0}
    ds = simulate(net, x0, t_end_s=2e4, dt_s=2e3, rtol=1e-10, atol_nM=1e-14)
    x = dict(zip(system.species_labels, ds.concentration.values[-1]))
    K = 1e-2 / 2e-3
    for xa in range(4):
        f = x[fams[0].label(xa)]
        if xa >= 1:
            assert x[fams[1].label(xa - 1)] * x["[Ag(SR)2]-"] / f == pytest.approx(K * xa, rel=1e-5)
        if xa <= 2:
            assert x[fams[1].label(xa)] * x["[Au(SR)2]-"] / f == pytest.approx(
                K * (3 - xa), rel=1e-5
            )
    # a target that does not take the released atom's ligands is refused
    bad = [fams[0], Family("G", "Ag", "Au", 2, charge=-1, ligands="(SR)3"), fams[2]]
    with pytest.raises(ConfigError, match=r"does not conserve \(SR\)"):
        ClusterSystem(bad, 1, rules=[PoolTransfer("F", "G", "pool")])
    with pytest.raises(ConfigError, match="N = 2 and a pool with N = 1"):
        ClusterSystem(fams, 1, rules=[PoolTransfer("F", "F", "pool")])
