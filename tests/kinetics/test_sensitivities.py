"""Forward sensitivities of the integrator (the staggered direct method of CVODES:
Hindmarsh et al., ACM Trans. Math. Softw. 2005, 31, 363, doi:10.1145/1089014.1089020).

The sensitivities d y / d ln k of the kinetic models of Neumaier et al., J. Am. Chem.
Soc. 2021, 143, 6969 (doi:10.1021/jacs.1c01140; simulations 1-3, dimer mechanism), of
the site model (direct exchange of Zhong et al., Dalton Trans. 2021,
doi:10.1039/d1dt00256b) and of a multi-family network with trimers are checked against
central finite differences of the solution over the whole time course, on all three
linear-solver paths; the science requires conserved totals to have zero sensitivity
to the rate constants, the initial-concentration sensitivities to start as the
identity, and the state not to change when sensitivities are computed alongside.
"""

from __future__ import annotations

import numpy as np
import pytest

from intercluster import ExchangeSystem, build_network
from intercluster.errors import ConfigError
from intercluster.kinetics import _bdf, initial_concentrations, simulate
from intercluster.kinetics.simulate import compile_network, rate_parameter_map
from intercluster.kinetics.solver import CompiledNetwork, ParamMap
from intercluster.network.description import ClusterSystem
from intercluster.network.families import Family

RTOL = 1e-10
H = 1e-4  # step in ln p of the central differences


def tols(y0):
    return {"rtol": RTOL, "atol": 1e-14 * float(np.sum(y0))}


def assert_matches_fd(S, fd, rel=1e-5):
    """|S - fd| <= rel |fd| where the sensitivity is not tiny (|fd| > 1e-3 of its largest
    value over time and species), and <= rel times the largest value elsewhere."""
    scale = np.max(np.abs(fd))
    assert scale > 0
    err = np.abs(S - fd)
    big = np.abs(fd) > 1e-3 * scale
    assert big.sum() > 0
    worst = np.max(err[big] / np.abs(fd[big]))
    assert worst <= rel, worst
    assert np.max(err[~big], initial=0.0) <= rel * scale


def fd_rate(cn, y0, t, t_end, pmap, i, **kw):
    """Central difference of y(t) in ln p_i (the constants of its reactions scaled)."""
    sel = pmap.parameter == i
    out = []
    for sign in (1.0, -1.0):
        k = cn.k.copy()
        k[pmap.reaction[sel]] *= np.exp(sign * H * pmap.dlnk_dlnp[sel])
        out.append(cn.with_rate_constants(k).integrate(y0, t, t_end, **kw).y)
    return (out[0] - out[1]) / (2 * H)


def check_network(net, cn, y0, t_end, names, n_out=41):
    t = np.linspace(0.0, t_end, n_out)
    pmap = rate_parameter_map(net, names)
    kw = tols(y0)
    plain = cn.integrate(y0, t, t_end, **kw)
    res = cn.integrate(y0, t, t_end, sensitivities=pmap, **kw)
    # the state's steps do not change: the same numbers, bit for bit
    assert np.array_equal(res.y, plain.y)
    assert (res.n_steps, res.n_fev, res.n_lu) == (plain.n_steps, plain.n_fev, plain.n_lu)
    S = res.sensitivities
    assert S.shape == (n_out, len(names), net.n_species)
    assert np.all(S[0] == 0.0)  # y(t0) does not depend on the rate constants
    for i in range(len(names)):
        assert_matches_fd(S[:, i], fd_rate(cn, y0, t, t_end, pmap, i, **kw))
    return res


@pytest.mark.parametrize("model", ["sim1", "sim2", "sim3"])
@pytest.mark.parametrize("N", [6, 12])
def test_dimer_models_match_finite_differences_schur(model, N):
    net = build_network(ExchangeSystem("Ag", "Au", N), model)
    cn = compile_network(net)
    assert cn.linear_solver == "schur"
    y0 = initial_concentrations(net.system, f"Ag{N}:Au{N} = 40:40")
    res = check_network(net, cn, y0, 620.0, ("k_dim", "k_diss", "k_ex"))
    # metal A and metal B are conserved for every value of the constants: w^T S = 0
    W = net.atom_matrix
    for i in range(3):
        assert np.max(np.abs(W @ res.sensitivities[:, i].T)) <= 1e-9 * float(y0.sum()) * N


def test_sim3_n25_matches_finite_differences_over_the_hour():
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    y0 = initial_concentrations(net.system, "Ag25:Au25 = 40:40")
    check_network(net, compile_network(net), y0, 3620.0, ("k_dim", "k_diss", "k_ex"), 61)


def test_site_model_direct_exchange_dense_path():
    """The site model with direct exchange between free clusters: monomers only, so the
    dense LU path."""
    net = build_network(ExchangeSystem("Ag", "Cu", 7, mechanism="direct"), "site")
    cn = compile_network(net)
    assert cn.linear_solver == "dense"
    y0 = initial_concentrations(net.system, "Ag7:Cu7 = 40:40")
    res = check_network(net, cn, y0, 20.0, ("k_ex",))  # equilibrates within ~10 s
    assert np.max(np.abs(net.atom_matrix @ res.sensitivities[:, 0].T)) <= 1e-9 * 80 * 7


def test_site_model_dimer_mechanism():
    net = build_network(ExchangeSystem("Ag", "Au", 7), "site")
    y0 = initial_concentrations(net.system, "Ag7:Au7 = 40:40")
    check_network(net, compile_network(net), y0, 620.0, ("k_dim", "k_diss", "k_ex"))


def trimer_network(N=3):
    system = ClusterSystem(
        [Family("M", "Ag", "Au", N)],
        max_subunits=3,
        constants={"k_tri": 4e-3, "k_tri_diss": 5e-2},
    )
    return build_network(system, "sim3")


@pytest.mark.parametrize("linear_solver", ["dense", "sparse"])
def test_trimer_network_matches_finite_differences(linear_solver):
    """A general network (dimers and trimers of one family, the constants k_tri and
    k_tri_diss of its own rules) on the dense and on the sparse (SuperLU) path."""
    net = trimer_network()
    cn = CompiledNetwork.from_network(net, linear_solver=linear_solver)
    assert cn.linear_solver == linear_solver
    names = tuple(net.base_constant_names)
    assert {"k_tri", "k_tri_diss", "k_dim", "k_ex"} <= set(names)
    y0 = initial_concentrations(net.system, "Ag3:Au3 = 40:40")
    res = check_network(net, cn, y0, 620.0, names)
    C = net.conservation_matrix
    for i in range(len(names)):
        assert np.max(np.abs(C @ res.sensitivities[:, i].T)) <= 1e-9 * 80 * 3


def test_two_family_network_sparse_path():
    system = ClusterSystem(
        [Family("A", "Ag", "Au", 3), Family("B", "Ag", "Au", 2, charge=-2, fixed="Pd")],
        max_subunits=2,
    )
    net = build_network(system, "sim2")
    cn = CompiledNetwork.from_network(net, linear_solver="sparse")
    y0 = np.zeros(net.n_species)
    free = [i for i, sp in enumerate(system.species) if getattr(sp, "size", 0) == 1]
    y0[free] = np.linspace(5.0, 30.0, len(free))
    check_network(net, cn, y0, 620.0, tuple(net.base_constant_names))


@pytest.mark.parametrize("linear_solver", ["schur", "dense", "sparse"])
def test_initial_concentration_sensitivities(linear_solver):
    """s_i(t0) = e_i exactly; later d y / d y0 matches finite differences, and the
    conserved totals w^T y have d (w^T y) / d y0_i = w_i at every time."""
    N = 5
    net = build_network(ExchangeSystem("Ag", "Au", N), "sim3")
    cn = CompiledNetwork.from_network(net, linear_solver=linear_solver)
    y0 = initial_concentrations(net.system, f"Ag{N}:Au{N} = 40:30")
    y0[1:N] = 2.0  # some mixed clusters present at the start
    species = np.arange(N + 1)
    pmap = ParamMap.from_groups({"k_ex": np.flatnonzero(net.reactions.kind == 2)}, species)
    t = np.linspace(0.0, 300.0, 31)
    kw = tols(y0)
    res = cn.integrate(y0, t, 300.0, sensitivities=pmap, **kw)
    S = res.sensitivities
    assert S.shape == (31, 1 + len(species), net.n_species)
    assert np.array_equal(S[0, 1:], np.eye(net.n_species)[species])
    W = net.atom_matrix
    for m, i in enumerate(species):
        h = 1e-4 * max(y0[i], 1.0)
        e = np.zeros_like(y0)
        e[i] = h
        fd = (cn.integrate(y0 + e, t, 300.0, **kw).y - cn.integrate(y0 - e, t, 300.0, **kw).y) / (
            2 * h
        )
        assert_matches_fd(S[:, 1 + m], fd)
        np.testing.assert_allclose(W @ S[:, 1 + m].T, np.repeat(W[:, [i]], 31, axis=1), atol=1e-9)


def test_sensitivity_error_control():
    """With the sensitivities in the error test the steps change (more of them) and the
    sensitivities stay as accurate; the state stays within the tolerance of the plain run."""
    N = 8
    net = build_network(ExchangeSystem("Ag", "Au", N), "sim3")
    cn = compile_network(net)
    y0 = initial_concentrations(net.system, f"Ag{N}:Au{N} = 40:40")
    names = ("k_dim", "k_diss", "k_ex")
    pmap = rate_parameter_map(net, names)
    t = np.linspace(0.0, 620.0, 32)
    kw = tols(y0)
    plain = cn.integrate(y0, t, 620.0, **kw)
    res = cn.integrate(y0, t, 620.0, sensitivities=pmap, sens_error_control=True, **kw)
    assert res.n_steps >= plain.n_steps
    np.testing.assert_allclose(res.y, plain.y, rtol=1e-7, atol=1e-12)
    for i in range(3):
        assert_matches_fd(res.sensitivities[:, i], fd_rate(cn, y0, t, 620.0, pmap, i, **kw))


def test_simulate_sensitivities_of_observables_and_intensities():
    N = 6
    net = build_network(ExchangeSystem("Ag", "Au", N), "sim2")
    names = ("k_dim", "k_diss", "k_ex")
    kw = {"t_end_s": 300.0, "dt_s": 10.0, "rtol": RTOL, "atol_nM": 1e-13}
    ds = simulate(net, f"Ag{N}:Au{N} = 40:40", sensitivities=names, **kw)
    assert list(ds.parameter.values) == list(names)
    assert ds.concentration_sensitivity.dims == ("time", "parameter", "species")
    dI = ds.intensity_sensitivity.values
    # the normalised intensities sum to 1 at every time, so their sensitivities to 0
    assert np.max(np.abs(dI.sum(axis=2))) <= 1e-12
    plain = simulate(net, f"Ag{N}:Au{N} = 40:40", **kw)
    assert np.array_equal(plain.concentration.values, ds.concentration.values)
    for i, name in enumerate(names):
        p = net.parameters[name]
        up = simulate(net.with_parameters(**{name: p * np.exp(H)}), f"Ag{N}:Au{N} = 40:40", **kw)
        dn = simulate(net.with_parameters(**{name: p * np.exp(-H)}), f"Ag{N}:Au{N} = 40:40", **kw)
        for var in ("concentration", "observable_concentration", "intensity"):
            fd = (up[var].values - dn[var].values) / (2 * H)
            assert_matches_fd(ds[f"{var}_sensitivity"].values[:, i], fd)


def test_simulate_sensitivities_general_network():
    net = trimer_network()
    ds = simulate(net, "Ag3:Au3 = 40:40", t_end_s=100.0, dt_s=10.0, sensitivities=["k_tri"])
    assert ds.intensity_sensitivity.shape == (11, 1, ds.sizes["observable"])
    assert np.max(np.abs(ds.intensity_sensitivity.values.sum(axis=2))) <= 1e-12


def test_bad_sensitivity_arguments():
    net = build_network(ExchangeSystem("Ag", "Au", 3), "sim3")
    cn = compile_network(net)
    y0 = initial_concentrations(net.system, "Ag3:Au3 = 40:40")
    with pytest.raises(ConfigError, match="sensitivities"):
        simulate(net, "Ag3:Au3 = 40:40", t_end_s=10.0, sensitivities=("k_tri",))
    with pytest.raises(ConfigError, match="sensitivities"):
        simulate(net, "Ag3:Au3 = 40:40", t_end_s=10.0, sensitivities=())
    with pytest.raises(ConfigError, match="sensitivities"):
        simulate(net, "Ag3:Au3 = 40:40", t_end_s=10.0, sensitivities=("k_ex", "k_ex"))
    with pytest.raises(ConfigError, match="sensitivities"):
        cn.integrate(y0, [1.0], 1.0, sensitivities={"k_ex": [0]})
    with pytest.raises(ConfigError, match=r"sensitivities.reaction\[0\]"):
        cn.integrate(y0, [1.0], 1.0, sensitivities=ParamMap.from_groups({"k": [len(cn.k)]}))
    with pytest.raises(ConfigError, match="initial_species"):
        cn.integrate(y0, [1.0], 1.0, sensitivities=ParamMap.from_groups({}, [net.n_species]))
    with pytest.raises(ConfigError, match="dlnk_dlnp"):
        ParamMap.from_groups({"k": ([0], np.nan)})
    with pytest.raises(ConfigError, match="groups"):
        ParamMap.from_groups({"k": [0.5]})
    with pytest.raises(ConfigError, match="groups"):
        ParamMap.from_groups(7)
    with pytest.raises(ConfigError, match="sensitivities"):
        simulate(net, "Ag3:Au3 = 40:40", t_end_s=10.0, sensitivities=5)


def test_c_side_checks_sensitivity_indices():
    """Direct callers of the C kernel get the indices checked there too."""
    net = build_network(ExchangeSystem("Ag", "Au", 3), "sim3")
    cn = compile_network(net)
    n = net.n_species
    y0 = np.full(n, 1.0)
    base = (y0, 0.0, 1.0, np.array([1.0]), 1e-8, np.full(n, 1e-12), np.inf, 0.0, 100, -1.0)
    Y = np.zeros((1, n))

    def call(ptr, rxn, val, sp, S):
        return _bdf.bdf_solve(*base, cn, Y, None, None, ptr, rxn, val, sp, S, False)

    i64 = np.int64
    ok = (np.array([0, 1], i64), np.array([0], i64), np.array([1.0]), np.zeros(0, i64))
    call(*ok, np.zeros((1, 1, n)))
    with pytest.raises(ValueError, match="sens_rxn"):
        call(ok[0], np.array([len(cn.k)], i64), ok[2], ok[3], np.zeros((1, 1, n)))
    with pytest.raises(ValueError, match="sens_ptr"):
        call(np.array([0, 2], i64), *ok[1:], np.zeros((1, 1, n)))
    with pytest.raises(ValueError, match="sens_species"):
        call(*ok[:3], np.array([n], i64), np.zeros((1, 2, n)))
    with pytest.raises(ValueError, match="S: expected"):
        call(*ok, np.zeros((1, 2, n)))
    with pytest.raises(TypeError, match="sens_val"):
        call(ok[0], ok[1], np.array([1], i64), ok[3], np.zeros((1, 1, n)))
