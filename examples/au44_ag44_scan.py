"""Au44/Ag44 feeding-ratio scan (Lin et al., Chem. Sci. 2022, 13, 4598, doi:10.1039/d1sc06296d).

The model is examples/au44_ag44.toml (three M44 frameworks, a [M(p-MBA)2]- pool,
partial decomposition of M44S26 clusters into [M(p-MBA)2]- complexes (one lumped
species per decomposed cluster), thiolate fragments; every constant and energy
illustrative, see docs/example-au44-ag44.md). This script runs it at feeding ratios
R = Au44:Ag44 from 1:40 to 40:1 and draws

- docs/img/au44_ag44_map.png: the dominant framework, the share of the parent
  clusters that decomposed into complexes and the average valence electron
  count of the clusters vs R (with the paper's "average feeding
  electrons", (20 R + 18)/(R + 1));
- docs/img/au44_ag44_families.png: the composition distribution of each framework
  at 20 h for R = 1:3, 3:1 and 6:1;
- docs/img/au44_ag44_time.png: the time course at 1:3 and 3:1 (Figure 3, qualitatively).

Run from the repository root::

    python examples/au44_ag44_scan.py            # prints the table, writes the figures
    python examples/au44_ag44_scan.py --no-figures

The functions are imported by tests/examples/test_au44_ag44.py.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from intercluster.kinetics.config import SimulationConfig
from intercluster.kinetics.simulate import simulate

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "au44_ag44.toml"
FAMILIES = ("M44S30", "M44S27", "M44S26")
#: The lumped family: the 44 [M(p-MBA)2]- complexes of one decomposed cluster.
DECOMPOSED = "decomposed"
#: The free [M(p-MBA)2]- complexes (x = 0: Ag, 1: Au).
POOL = "pool"
#: Every family holding metal, in the order of :attr:`Outcome.distribution`.
ALL_FAMILIES = (*FAMILIES, DECOMPOSED, POOL)
#: Labels as the paper writes the frameworks (p-MBA written out).
FAMILY_TEXT = {
    "M44S30": "[Au_xAg_(44-x)(p-MBA)30]4-",
    "M44S27": "[Au_xAg_(44-x)(p-MBA)27]3-",
    "M44S26": "[Au_xAg_(44-x)(p-MBA)26]2-",
}
#: Feeding ratios of Lin et al. 2022, Fig. 2 (1:40 ... 1:2 and 2:1 ... 40:1), plus 1:1.
PAPER_RATIOS = (
    1 / 40, 1 / 30, 1 / 20, 1 / 10, 1 / 8, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2,
    1.0,
    2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 20.0, 30.0, 40.0,
)  # fmt: skip
#: Reaction time of the paper [s] (20 h).
T_END_S = 20 * 3600.0
#: Total cluster concentration [nmol/L]: the mother solutions hold equal metal
#: concentrations and are mixed by volume, so [Au44] + [Ag44] does not depend on R.
TOTAL_NM = 100.0
#: [M(p-MBA)2]- present in each mother solution, per cluster (partial decomposition).
POOL_PER_CLUSTER = 0.02
#: Free thiolate, thiolate + disulfide and the decomposition reagent (42 RS- + 10 RSSR),
#: each lumped as one fragment, in the mixture [nmol/L].
RESERVOIR_NM = 500.0
#: Fragment names of the reservoir (examples/au44_ag44.toml, ``[fragments]``).
FRAGMENTS = ("RS", "RS_RSSR", "RS42_RSSR10")
#: The lumped reagent that decomposes an M44S30 cluster (40 RS- + 9 RSSR). Its
#: concentration is fixed by the others, [RS42_RSSR10]/([RS][RS_RSSR]) (nmol/L, standard
#: state 1 nmol/L): the conversions form the cycle decomposed -> M44S30 -> M44S27 ->
#: M44S26 -> decomposed, whose net reaction turns RS40_RSSR9 + RS + RS_RSSR into
#: RS42_RSSR10, and this is its equilibrium.
RS40_RSSR9_NM = RESERVOIR_NM / (RESERVOIR_NM * RESERVOIR_NM)


def load(path=CONFIG) -> SimulationConfig:
    """The example's configuration (examples/au44_ag44.toml)."""
    return SimulationConfig.from_toml(path)


def mixture(ratio: float, total_nM: float = TOTAL_NM) -> dict[str, float]:
    """Initial concentrations [nmol/L] at feeding ratio R = [Au44]:[Ag44].

    Parameters
    ----------
    ratio : float
        R = Au44:Ag44 (> 0).
    total_nM : float
        [Au44(p-MBA)26]2- + [Ag44(p-MBA)30]4- [nmol/L].

    Returns
    -------
    dict
        Species label or fragment name -> concentration [nmol/L]: the two parent
        clusters, the [Au(p-MBA)2]- / [Ag(p-MBA)2]- they carry
        (:data:`POOL_PER_CLUSTER` each) and the thiolate reservoir
        (:data:`RESERVOIR_NM` of each of :data:`FRAGMENTS`, :data:`RS40_RSSR9_NM`).

    Raises
    ------
    ValueError
        If ``ratio`` is not a finite number > 0.
    """
    if not (np.isfinite(ratio) and ratio > 0):
        raise ValueError(f"ratio = {ratio!r}: a feeding ratio Au44:Ag44 > 0")
    au = total_nM * ratio / (1 + ratio)
    ag = total_nM - au
    return {
        "[Au44(p-MBA)26]2-": au,
        "[Ag44(p-MBA)30]4-": ag,
        "[Au(p-MBA)2]-": POOL_PER_CLUSTER * au,
        "[Ag(p-MBA)2]-": POOL_PER_CLUSTER * ag,
        **{name: RESERVOIR_NM for name in FRAGMENTS},
        "RS40_RSSR9": RS40_RSSR9_NM,
    }


def ratio_text(ratio: float) -> str:
    """``"1:3"``, ``"3:1"``, ``"1:1"``."""
    if ratio >= 1:
        return f"{ratio:g}:1"
    return f"1:{1 / ratio:g}"


def run(
    config: SimulationConfig,
    ratio: float,
    t_end_s: float = T_END_S,
    dt_s=None,
    times_s=None,
    network=None,
):
    """Simulate the example at feeding ratio ``ratio`` (xarray.Dataset of :func:`simulate`)."""
    net = config.network() if network is None else network
    if times_s is None and dt_s is None:
        times_s = np.array([0.0, 120, 600, 1800, 3600, 7200, 10800, 36000, t_end_s])
        times_s = times_s[times_s <= t_end_s]
    return simulate(
        net,
        mixture(ratio),
        t_end_s=t_end_s,
        dead_time_s=0.0,
        dt_s=dt_s,
        times_s=times_s,
        rtol=config.rtol,
        atol_nM=config.atol_nM,
    )


@dataclass(frozen=True)
class Outcome:
    """The clusters at one time: fractions and composition distributions per framework.

    Attributes
    ----------
    ratio : float
        Feeding ratio R = Au44:Ag44.
    fraction : dict
        Framework -> fraction of the 44-atom clusters (sums to 1; decomposed
        clusters are not clusters).
    distribution : dict
        Family (frameworks, :data:`DECOMPOSED`, :data:`POOL`) -> concentration by
        x = 0..44, shape (45,) [nmol/L] (the pool uses x = 0, 1).
    mode_x : dict
        Framework -> most abundant x.
    dominant : str
        Framework with the largest fraction.
    mean_electrons : float
        Average valence electron count of the clusters (18 for M44S30, 20 for M44S27
        and M44S26, from chem's electron counting).
    decomposed : float
        Fraction of the parent clusters that are decomposed into [M(p-MBA)2]-
        complexes (lumped species / (clusters + lumped species)).
    """

    ratio: float
    fraction: dict
    distribution: dict
    mode_x: dict
    dominant: str
    mean_electrons: float
    decomposed: float

    def mean_x(self, family: str) -> float:
        """Mean Au count of a framework (or of the decomposed complexes); nan if absent."""
        d = self.distribution[family]
        total = d.sum()
        return float((d * np.arange(len(d))).sum() / total) if total > 0 else float("nan")


def _outcome(dist: dict, ratio: float) -> Outcome:
    totals = {f: float(dist[f].sum()) for f in FAMILIES}
    total = sum(totals.values())
    fraction = {f: totals[f] / total for f in FAMILIES}
    electrons = _family_electrons()
    n_decomposed = float(dist[DECOMPOSED].sum())
    return Outcome(
        ratio=ratio,
        fraction=fraction,
        distribution=dist,
        mode_x={f: int(np.argmax(dist[f])) for f in FAMILIES},
        dominant=max(FAMILIES, key=lambda f: fraction[f]),
        mean_electrons=sum(fraction[f] * electrons[f] for f in FAMILIES),
        decomposed=n_decomposed / (total + n_decomposed),
    )


def outcome(ds, ratio: float, time_index: int = -1) -> Outcome:
    """:class:`Outcome` from a simulation result (equilibria: :func:`equilibrium_outcome`)."""
    comp = ds["family_composition"].isel(time=time_index)
    return _outcome({f: comp.sel(family=f).values.astype(float) for f in ALL_FAMILIES}, ratio)


@lru_cache(maxsize=1)
def _family_electrons() -> dict[str, int]:
    """Valence electrons of each framework's clusters (chem's counting; x-independent)."""
    fams = {f.name: f for f in load().system.families}
    return {name: fams[name].ion(0).valence_electrons for name in FAMILIES}


def standard_potentials_kJ_mol(network) -> np.ndarray:
    """Standard free energy of every species [kJ/mol] (1 nmol/L standard state).

    G = E_f + F_f(x) - RT ln C(N, x) for a cluster or pool species of family f with
    x Au atoms (E_f: ``Family.energy_kJ_mol``; F_f: the framework model's composition
    energy, :class:`intercluster.network.energies.FrameworkRateModel`); 0 for fragments.
    With the model's rate constants every reversible pair satisfies
    k_forward / k_backward = exp(-dG/RT) (tested reaction by reaction).
    """
    from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K, log_binomial

    cs = network.cluster_system
    params = network.parameters
    rt = GAS_CONSTANT_KJ_MOL_K * params.get("temperature_K", 298.15)
    tables = [
        network.model.composition_energy_kJ_mol(f, params)
        - rt * log_binomial(f.n_atoms, np.arange(f.n_atoms + 1))
        + f.energy_kJ_mol
        for f in cs.families
    ]
    out = np.zeros(network.n_species)
    for i, item in enumerate(cs.species):
        for fam, x in getattr(item, "subunits", ()):
            out[i] += tables[fam][x]
    return out


_INVARIANTS: dict = {}


def _invariants(network) -> np.ndarray:
    """Rows spanning the left null space of the stoichiometric matrix (cached per reaction set)."""
    key = id(network.reactions)
    cached = _INVARIANTS.get(key)
    if cached is not None and cached[0] is network.reactions:
        return cached[1]
    S = network.stoichiometry
    gram = (S @ S.T).toarray()  # left null space of S = null space of S S^T
    evals, evecs = np.linalg.eigh(gram)
    W = evecs[:, evals < 1e-9 * max(1.0, evals.max())].T
    _INVARIANTS[key] = (network.reactions, W)
    return W


def equilibrium(network, initial) -> np.ndarray:
    """Equilibrium concentrations [nmol/L], shape (n_species,), from ``initial``.

    The state that minimises the free energy sum_i c_i (G_i/RT + ln c_i - 1) under
    every linear invariant of the network (each metal, the ligand, the charge and
    the pool size: the left null space of the stoichiometric matrix), i.e. the
    long-time limit of the kinetics when every reaction obeys detailed balance
    with :func:`standard_potentials_kJ_mol`. Solved by Newton's method on the (convex)
    dual, c_i = exp(-G_i/RT + sum_k lambda_k W_ki), with a backtracking line search
    from lambda = 0, so that no step leaves the range of floating point.

    Raises
    ------
    RuntimeError
        If the invariants are not met to 1e-8 (relative) after 500 Newton steps.
    """
    from intercluster.kinetics.initial import initial_concentrations
    from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K

    c0 = initial_concentrations(network.cluster_system, initial)
    rt = GAS_CONSTANT_KJ_MOL_K * network.parameters.get("temperature_K", 298.15)
    W = _invariants(network)
    target = W @ c0
    base = -standard_potentials_kJ_mol(network) / rt
    scale = max(1.0, float(np.abs(target).max()))

    def dual(lam):
        with np.errstate(over="ignore"):
            c = np.exp(base + W.T @ lam)
            return c, float(c.sum() - lam @ target)

    lam = np.zeros(len(W))
    c, f = dual(lam)
    for _ in range(500):
        grad = W @ c - target
        if np.abs(grad).max() <= 1e-8 * scale:
            return c
        hess = (W * c) @ W.T
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        t = 1.0
        while True:
            c_new, f_new = dual(lam - t * step)
            if np.isfinite(f_new) and f_new <= f - 1e-4 * t * (grad @ step):
                break
            t *= 0.5
            if t < 1e-12:  # no descent left: rounding
                break
        if t < 1e-12:
            break
        lam, c, f = lam - t * step, c_new, f_new
    raise RuntimeError(
        f"equilibrium: invariants met to {np.abs(W @ c - target).max() / scale:.1e} "
        "(relative), not 1e-8"
    )


def equilibrium_outcome(config: SimulationConfig, ratio: float, network=None) -> Outcome:
    """:class:`Outcome` of the equilibrium (t -> infinity) at feeding ratio ``ratio``."""
    net = config.network() if network is None else network
    c = equilibrium(net, mixture(ratio))
    cs = net.cluster_system
    dist = {f: np.zeros(45) for f in ALL_FAMILIES}
    names = [f.name for f in cs.families]
    for i, item in enumerate(cs.species):
        for fam, x in getattr(item, "subunits", ()):
            if names[fam] in dist:
                dist[names[fam]][x] += c[i]
    return _outcome(dist, ratio)


def feeding_electrons(ratio) -> np.ndarray:
    """Average valence electrons fed by the parents, (20 R + 18)/(R + 1) (Lin 2022, Table S1)."""
    r = np.asarray(ratio, dtype=float)
    return (20 * r + 18) / (r + 1)


def scan(config: SimulationConfig, ratios=PAPER_RATIOS, t_end_s: float | None = T_END_S):
    """:class:`Outcome` at ``t_end_s`` for every feeding ratio (None: at equilibrium)."""
    net = config.network()
    out = []
    for r in ratios:
        if t_end_s is None:
            out.append(equilibrium_outcome(config, r, network=net))
            continue
        ds = run(config, r, t_end_s=t_end_s, times_s=np.array([0.0, t_end_s]), network=net)
        out.append(outcome(ds, r))
    return out


def print_table(outcomes) -> None:
    """One line per feeding ratio: framework shares, modal x, decomposed share and its
    Au fraction, dominant framework, electron counts."""
    print(f"{'R':>6} {'M44S30':>7} {'M44S27':>7} {'M44S26':>7}  modal x (30/27/26)  "
          "decomposed (Au %)  dominant  e-(clusters)  e-(fed)")  # fmt: skip
    for o in outcomes:
        # shares below 0 by the solver's tolerance print as 0; no modal x without clusters
        fr = {f: max(v, 0.0) for f, v in o.fraction.items()}
        modes = "/".join(str(o.mode_x[f]) if fr[f] > 1e-3 else "-" for f in FAMILIES)
        au = f"{100 * o.mean_x(DECOMPOSED) / 44:3.0f}" if o.decomposed > 1e-6 else "  -"
        dec = f"{o.decomposed:6.3f} ({au})"
        print(
            f"{ratio_text(o.ratio):>6} {fr['M44S30']:7.3f} {fr['M44S27']:7.3f} "
            f"{fr['M44S26']:7.3f}  {modes:>18}  {dec:>17}  {o.dominant:>8}  "
            f"{o.mean_electrons:12.2f}  {float(feeding_electrons(o.ratio)):7.2f}"
        )


#: Sampling times of the time course [s] (Lin et al. 2022, Fig. 3: 2 min ... 20 h).
TIME_COURSE_S = np.array([0, 120, 600, 1800, 3600, 7200, 10800, 36000, 72000.0])


def time_course(config: SimulationConfig, ratio: float, times_s=TIME_COURSE_S, network=None):
    """:class:`Outcome` at each of ``times_s`` [s] for feeding ratio ``ratio`` (list)."""
    ds = run(config, ratio, t_end_s=float(times_s[-1]), times_s=times_s, network=network)
    return [outcome(ds, ratio, i) for i in range(len(times_s))]


def print_time_course(outcomes, times_s=TIME_COURSE_S) -> None:
    """Framework shares, mean x per framework and the decomposed share over time."""
    print(f"{'t':>8} {'M44S30':>7} {'M44S27':>7} {'M44S26':>7}  mean x (30/27/26)  decomposed")
    for t, o in zip(times_s, outcomes):
        fr = {f: max(v, 0.0) for f, v in o.fraction.items()}
        xs = "/".join(f"{o.mean_x(f):.1f}" if fr[f] > 1e-3 else "-" for f in FAMILIES)
        label = f"{t / 60:g} min" if t < 3600 else f"{t / 3600:g} h"
        print(
            f"{label:>8} {fr['M44S30']:7.3f} {fr['M44S27']:7.3f} {fr['M44S26']:7.3f}"
            f"  {xs:>17}  {o.decomposed:10.3f}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-figures", action="store_true")
    parser.add_argument("--out", default=str(HERE.parent / "docs" / "img"))
    args = parser.parse_args(argv)
    config = load()
    print(f"final state at {T_END_S / 3600:g} h (kinetics):")
    kinetic = scan(config)
    print_table(kinetic)
    print("equilibrium (t -> infinity):")
    equil = scan(config, t_end_s=None)
    print_table(equil)
    net = config.network()
    for r in (1 / 3, 3.0):
        print(f"time course at {ratio_text(r)}:")
        print_time_course(time_course(config, r, network=net))
    if not args.no_figures:
        write_figures(config, kinetic, equil, Path(args.out))


def write_figures(config, kinetic, equil, out: Path) -> list[Path]:
    """The map, the per-framework distributions and the time courses (PNG files in ``out``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    colors = {"M44S30": "tab:purple", "M44S27": "tab:green", "M44S26": "goldenrod"}
    paths = []

    # 1. dosage-dependent map
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True)
    r_k = np.array([o.ratio for o in kinetic])
    r_e = np.array([o.ratio for o in equil])
    for f in FAMILIES:
        ax1.plot(r_k, [o.fraction[f] for o in kinetic], "o-", color=colors[f],
                 label=f"{FAMILY_TEXT[f]}, 20 h")  # fmt: skip
        ax1.plot(r_e, [o.fraction[f] for o in equil], "--", color=colors[f], alpha=0.7,
                 label="equilibrium" if f == "M44S26" else None)  # fmt: skip
    ax1.plot(r_k, [o.decomposed for o in kinetic], "s-", color="gray", ms=4,
             label="decomposed into [M(p-MBA)2]- (share of parents), 20 h")  # fmt: skip
    ax1.plot(r_e, [o.decomposed for o in equil], "--", color="gray", alpha=0.7)
    ax1.set_xscale("log")
    ax1.set_ylabel("fraction of the M44 clusters\n(gray: of the parent clusters)")
    ax1.legend(fontsize=7, loc="center left")
    ax1.set_title("Au44:Ag44 feeding ratio scan (illustrative constants)", fontsize=10)
    ax2.plot(r_k, [o.mean_electrons for o in kinetic], "ko-", label="clusters, 20 h")
    ax2.plot(
        r_e, [o.mean_electrons for o in equil], "k--", alpha=0.7, label="clusters, equilibrium"
    )
    rr = np.geomspace(r_k.min(), r_k.max(), 200)
    ax2.plot(rr, feeding_electrons(rr), color="tab:red", label="average feeding electrons")
    ax2.axhline(19, color="gray", lw=0.8, ls=":")
    ax2.set_xlabel("R = [Au44(p-MBA)26]2- : [Ag44(p-MBA)30]4-")
    ax2.set_ylabel("valence electrons")
    ax2.legend(fontsize=7)
    ticks = [1 / 40, 1 / 10, 1 / 3, 1, 3, 10, 40]
    ax2.set_xticks(ticks, [ratio_text(t) for t in ticks])
    fig.tight_layout()
    paths.append(out / "au44_ag44_map.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    # 2. per-family composition at 20 h for 1:3, 3:1, 6:1
    net = config.network()
    ratios = (1 / 3, 3.0, 6.0)
    fig, axes = plt.subplots(3, 1, figsize=(7, 7), sharex=True)
    x = np.arange(45)
    for ax, r in zip(axes, ratios):
        o = outcome(run(config, r, times_s=np.array([0.0, T_END_S]), network=net), r)
        total = sum(o.distribution[f].sum() for f in FAMILIES)
        width = 0.28
        for k, f in enumerate(FAMILIES):
            ax.bar(x + (k - 1) * width, o.distribution[f] / total, width, color=colors[f],
                   label=FAMILY_TEXT[f])  # fmt: skip
        ax.step(x, o.distribution[DECOMPOSED] / total, where="mid", color="gray",
                label="decomposed, 44 [M(p-MBA)2]- (lumped)")  # fmt: skip
        ax.set_title(f"R = {ratio_text(r)}, 20 h ({o.decomposed:.0%} of the parent clusters "
                     "decomposed)", fontsize=9)  # fmt: skip
        ax.set_ylabel("per cluster")
    axes[0].legend(fontsize=7)
    axes[-1].set_xlabel("x (Au atoms in Au_xAg_(44-x))")
    fig.tight_layout()
    paths.append(out / "au44_ag44_families.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    # 3. time courses at 1:3 and 3:1 (Figure 3 of Lin et al. 2022, qualitatively)
    times = TIME_COURSE_S
    fig, axes = plt.subplots(2, 2, figsize=(9, 6))
    for col, r in enumerate((1 / 3, 3.0)):
        outs = time_course(config, r, network=net)
        th = times / 3600
        for f in FAMILIES:
            axes[0, col].plot(th, [o.fraction[f] for o in outs], "o-", color=colors[f],
                              label=FAMILY_TEXT[f])  # fmt: skip
            mean_x = [
                float((o.distribution[f] * x).sum() / o.distribution[f].sum())
                if o.fraction[f] > 1e-3
                else np.nan
                for o in outs
            ]
            axes[1, col].plot(th, mean_x, "o-", color=colors[f])
        axes[0, col].plot(th, [o.decomposed for o in outs], "s--", color="gray", ms=4,
                          label="decomposed (share of parents)")  # fmt: skip
        axes[1, col].plot(th, [o.mean_x(DECOMPOSED) if o.decomposed > 1e-3 else np.nan
                               for o in outs], "s--", color="gray", ms=4)  # fmt: skip
        axes[0, col].set_title(f"R = {ratio_text(r)}", fontsize=9)
        axes[0, col].set_xscale("symlog", linthresh=0.1)
        axes[1, col].set_xscale("symlog", linthresh=0.1)
        axes[1, col].set_xlabel("time [h]")
    axes[0, 0].set_ylabel("fraction of the M44 clusters")
    axes[1, 0].set_ylabel("mean x (Au per 44 atoms)")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    paths.append(out / "au44_ag44_time.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    for p in paths:
        print("wrote", p)
    return paths


if __name__ == "__main__":
    main()
