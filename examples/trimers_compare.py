"""Worked example: [Ag25(DMBT)18]- + [Au25(PET)18]- at 40:40 nmol/L with trimers
(Neumaier, Baksi, Weis, Schneider, Chakraborty, Hahn, Pradeep, Kappes, J. Am. Chem. Soc.
2021, 143, 6969-6980, doi:10.1021/jacs.1c01140): simulation 3 (Table 1 constants) plus
trimer formation dimer + monomer -> trimer (k_tri, k_tri_diss, illustrative), next to the
same constants without trimers.

Prints the tables of docs/example-trimers.md and writes its figures:

    python examples/trimers_compare.py [--img docs/img] [--no-refit] [--no-trimer-refit]
        [--fixed-trimer-only]

1. the trimer sum formulas [Ag_mAu_(75-m)]3- over time, m = 1-5 on the gold side (the
   paper's Figure 1 marks m = 1, 2 at 6 min; its Figure S2 shows m = 1-5);
2. how trimers at a few percent of the ion signal shift the monomer/dimer intensities
   and t_max values;
3. the refit: synthetic data without trimers, with them and with faster trimers (noise as
   in examples/make_fit_data.py),
   fitted with the dimer-only simulation 3 model (what the paper's analysis assumes),
   from the Table 1 constants, by bounded least squares (the `fit` refine stage);
4. the refit of the "with trimers" data with the trimer model itself (`fit` on the
   general model, inline), from the dimer-only fit's values: k_tri, k_tri_diss fixed at
   the example's values, then all five constants free; Wald 95 % intervals and timing
   (minutes: `--no-trimer-refit` skips it, `--fixed-trimer-only` the five-free fit).
"""

from __future__ import annotations

import argparse
import copy
import tempfile
from pathlib import Path

import numpy as np

from intercluster.kinetics.config import SimulationConfig, load_toml

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "trimers_40-40.toml"
TABLE1 = {"k_dim": 1e-2, "k_diss": 5.6e-2, "k_ex": 3.2e-2}  # simulation 3, Table 1
GOLD_SIDE = (1, 2, 3, 4, 5)  # m of [Ag_mAu_(75-m)]3- in Figure S2
MINUTES = (1, 3, 6, 10, 20, 30, 54)
VISIBLE = 1e-4  # a trimer sum formula counts as "visible" above 0.01 % of the ion signal
#: the same K_tri = k_tri/k_tri_diss with 100x faster trimer kinetics (sensitivity)
FAST = {"k_tri": 1.5e-3, "k_tri_diss": 1e-1}
#: the trimer constants of examples/trimers_40-40.toml (illustrative: 1.5e-5, 1e-3)
TRIMER = {k: float(v) for k, v in load_toml(CONFIG)["constants"].items()}


def config_dict(trimers: bool = True, n_atoms: int = 25, **time) -> dict:
    """The TOML structure of examples/trimers_40-40.toml; without trimers: K = 2 and
    only the monomer + monomer association (the same network as simulation 3 of
    ``ExchangeSystem``). ``n_atoms`` other than 25 gives the same model for M_N
    clusters (tests); ``time`` overrides keys of the [time] section."""
    data = copy.deepcopy(load_toml(CONFIG))
    data["family"][0]["n_atoms"] = n_atoms
    data["initial"]["mixture"] = f"Ag{n_atoms}:Au{n_atoms} = 40:40"
    data["time"].update(time)
    if not trimers:
        data["complexes"]["max_subunits"] = 2
        data["rules"]["association"] = [
            r for r in data["rules"]["association"] if list(r["sizes"]) == [1, 1]
        ]
        data.pop("constants", None)
    return data


def run(
    trimers: bool = True,
    mixture: str | None = None,
    n_atoms: int = 25,
    constants: dict | None = None,
    **time,
):
    """Simulate the example (or its dimer-only twin); returns the result Dataset.
    ``constants`` replaces the trimer constants (k_tri, k_tri_diss)."""
    data = config_dict(trimers, n_atoms, **time)
    if mixture is not None:
        data["initial"]["mixture"] = mixture
    if constants is not None:
        data["constants"] = dict(constants)
    name = "trimers" if trimers else "dimers only"
    return SimulationConfig.from_dict(data, source=f"{CONFIG.name} ({name})").run()


def size_share(ds, size: int) -> np.ndarray:
    """Share of the total ion signal carried by the ions of complexes of ``size``
    subunits (1 monomers, 2 dimers, 3 trimers), per time."""
    return ds.intensity.where(ds.observable_size == size, 0.0).sum("observable").values


def _label(counts: dict[str, int], z: int) -> str:
    body = "".join(f"{el}{'' if n == 1 else n}" for el, n in counts.items() if n > 0)
    return f"[{body}]{'' if z == 1 else z}-"


def gold_side(ds, n_atoms: int = 25) -> dict[int, np.ndarray]:
    """Intensities (share of the ion signal) of the trimers m = 1-5 on the gold side."""
    return {
        m: ds.intensity.sel(observable=_label({"Ag": m, "Au": 3 * n_atoms - m}, 3)).values
        for m in GOLD_SIDE
    }


def rows_at_minutes(ds, minutes=MINUTES) -> list[int]:
    """Row index of each reaction time (minutes after mixing; the output starts after
    the dead time)."""
    t = ds.time.values + float(ds.attrs.get("dead_time_s", 20.0))
    return [int(np.argmin(np.abs(t - 60.0 * mi))) for mi in minutes]


def tmax_shifts(ds_tri, ds_dim) -> dict[int, np.ndarray]:
    """t_max(with trimers) - t_max(without) [s] for the monomer (1) and dimer (2) ions
    whose maximum lies inside the window in both runs (not at its first or last time)."""
    t0, t1 = float(ds_dim.time[0]), float(ds_dim.time[-1])
    out = {}
    for size in (1, 2):
        labels = ds_dim.observable.values[ds_dim.observable_size.values == size]
        a = ds_tri.t_max.sel(observable=labels).values
        b = ds_dim.t_max.sel(observable=labels).values
        inside = (a > t0) & (a < t1) & (b > t0) & (b < t1)
        out[size] = (a - b)[inside]
    return out


def tmax_relative_shifts(ds_tri, ds_dim, min_tmax_s: float = 100.0) -> dict[int, np.ndarray]:
    """Relative t_max shift, t_max(with)/t_max(without) - 1, of the monomer (1) and dimer
    (2) ions peaking inside the window in both runs, at least ``min_tmax_s`` after the
    dead time (earlier maxima are only a few output steps apart)."""
    t0, t1 = max(float(ds_dim.time[0]), min_tmax_s), float(ds_dim.time[-1])
    out = {}
    for size in (1, 2):
        labels = ds_dim.observable.values[ds_dim.observable_size.values == size]
        a = ds_tri.t_max.sel(observable=labels).values
        b = ds_dim.t_max.sel(observable=labels).values
        inside = (a > t0) & (a < t1) & (b > t0) & (b < t1)
        out[size] = a[inside] / b[inside] - 1.0
    return out


def intensity_shifts(ds_tri, ds_dim) -> dict[str, float]:
    """Largest changes caused by the trimers, over all times: of the monomer and dimer
    shares of the ion signal (absolute), of the dimer:monomer ratio (relative) and of
    any single monomer or dimer ion (absolute, share of the ion signal)."""
    mono_t, mono_d = size_share(ds_tri, 1), size_share(ds_dim, 1)
    dim_t, dim_d = size_share(ds_tri, 2), size_share(ds_dim, 2)
    labels = ds_dim.observable.values
    diff = ds_tri.intensity.sel(observable=labels).values - ds_dim.intensity.values
    return {
        "monomer_share": float(np.max(np.abs(mono_t - mono_d))),
        "dimer_share": float(np.max(np.abs(dim_t - dim_d))),
        "dimer_monomer_ratio_rel": float(np.max(np.abs((dim_t / mono_t) / (dim_d / mono_d) - 1))),
        "single_ion": float(np.max(np.abs(diff))),
    }


# ----------------------------------------------------------------------------- refit
def synthetic(ds, labels, noise_rel=0.03, dropout=0.05, seed=1):
    """What the paper's analysis sees: the monomer and dimer ions (trimers "not further
    taken into account"), renormalised to their total signal, then the noise of
    :func:`intercluster.fit.synthetic.synthetic_intensities` (multiplicative Gaussian
    ``noise_rel``, clipped at 0, renormalised per spectrum, ``dropout`` of the spectra
    lost; the same random draws for the same ``seed``)."""
    rng = np.random.default_rng(seed)
    t = ds.time.values
    y = ds.intensity.sel(observable=list(labels)).values.copy()
    y /= y.sum(axis=1, keepdims=True)
    y = np.clip(y * (1.0 + noise_rel * rng.standard_normal(y.shape)), 0.0, None)
    y /= y.sum(axis=1, keepdims=True)
    n = len(t)
    drop = rng.choice(np.arange(1, n - 1), size=round(dropout * (n - 2)), replace=False)
    keep = np.ones(n, bool)
    keep[drop] = False
    return t[keep], y[keep]


def refit_problem(
    datasets: dict[str, tuple[str, np.ndarray, np.ndarray]],
    labels,
    folder: Path,
    *,
    trimers: bool = False,
    free_trimer: bool = False,
    start: dict[str, float] | None = None,
    n_atoms: int = 25,
    constants: dict[str, float] | None = None,
    objective: dict | None = None,
):
    """The fit problem of the refit: k_dim, k_diss, k_ex free (bounds 1e-4..1, log10),
    objective of examples/fit_sim3.toml, data ``datasets`` (name -> (mixture, time_s,
    intensity)) written to CSV files in ``folder``.

    ``trimers=False``: the dimer-only simulation 3 model (``ExchangeSystem``, the paper's
    analysis). ``trimers=True``: the trimer model of examples/trimers_40-40.toml, given
    to ``fit`` inline ([[family]], [complexes], [rules], [constants]); k_tri and
    k_tri_diss fixed at ``constants`` (default: the example's), or free as well with
    ``free_trimer`` (bounds 1e-7..1e-1 and 1e-5..10). ``start`` overrides the start
    values (default: Table 1 and the trimer constants). Returns the ``FitProblem``."""
    from intercluster.fit.config import FitConfig
    from intercluster.fit.synthetic import write_observables_csv

    fit_toml = load_toml(HERE / "fit_sim3.toml")
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, (mixture, t, y) in datasets.items():
        path = write_observables_csv(
            folder / f"{name.replace(':', '-')}.csv", t, labels, y, float_format="%.6g"
        )
        entries.append({"name": name, "path": str(path), "mixture": mixture, "dead_time_s": 20})
    start = {**TABLE1, **(start or {})}
    parameters = {k: {"lower": 1e-4, "upper": 1, "start": start[k]} for k in TABLE1}
    if trimers:
        model = config_dict(True, n_atoms)
        if constants is not None:
            model["constants"] = dict(constants)
        system = {k: model[k] for k in ("family", "complexes", "rules", "constants")}
        if free_trimer:
            bounds = {"k_tri": (1e-7, 1e-1), "k_tri_diss": (1e-5, 10.0)}
            for k, (lo, hi) in bounds.items():
                parameters[k] = {
                    "lower": lo,
                    "upper": hi,
                    "start": start.get(k, model["constants"][k]),
                }
    else:
        system = {"system": {**fit_toml["system"], "n_atoms": n_atoms}}
    data = {
        **system,
        "model": fit_toml["model"],
        "parameters": parameters,
        "datasets": entries,
        "objective": objective or fit_toml["objective"],
    }
    source = "trimers refit, " + ("trimer model" if trimers else "dimer-only model")
    return FitConfig.from_dict(data, base=folder, source=source).problem


def refit(
    datasets: dict[str, tuple[str, np.ndarray, np.ndarray]],
    labels,
    folder: Path,
    max_evaluations: int = 80,
    **model,
) -> dict[str, float]:
    """Fit k_dim, k_diss, k_ex to ``datasets`` (name -> (mixture, time_s, intensity)) by
    bounded least squares in log10 space (``fit``'s refine stage,
    ``intercluster.fit.refine.least_squares_from``) from the start values; ``model``: the
    keywords of :func:`refit_problem` (default: the dimer-only simulation 3 model from the
    Table 1 constants). Returns the fitted values of all constants (intervals and timing:
    :func:`refit_with_intervals`)."""
    return refit_with_intervals(datasets, labels, folder, max_evaluations, **model)["values"]


def refit_with_intervals(
    datasets: dict[str, tuple[str, np.ndarray, np.ndarray]],
    labels,
    folder: Path,
    max_evaluations: int = 80,
    **model,
) -> dict:
    """:func:`refit` with Wald (Gauss-Newton) 95 % intervals and timing.

    Returns
    -------
    dict
        ``values`` (name -> fitted value), ``intervals`` (free name -> (lower, upper),
        10^(theta +- 1.96 sd) with the covariance s^2 (J^T J)^+ of the log10 constants,
        s^2 = objective / (effective residuals - free parameters)), ``objective``,
        ``evaluations`` (simulations of all data sets together) and ``wall_time_s``.
    """
    import time as _time

    from intercluster.fit.refine import least_squares_from
    from intercluster.fit.uncertainty import Z_95, covariance

    t0 = _time.perf_counter()
    problem = refit_problem(datasets, labels, folder, **model)
    res, history = least_squares_from(problem, problem.theta_start, max_evaluations=max_evaluations)
    chi2 = 2.0 * float(res.cost)
    s2 = chi2 / max(problem.n_effective() - problem.n_free, 1)
    sd = np.sqrt(np.clip(np.diag(covariance(res.jac, s2)), 0.0, None))
    theta = np.asarray(res.x, float)
    intervals = {
        n: (10.0 ** (theta[i] - Z_95 * sd[i]), 10.0 ** (theta[i] + Z_95 * sd[i]))
        for i, n in enumerate(problem.free_names)
    }
    values = problem.values(res.x)
    if model.get("trimers"):  # the fixed rule constants of the model
        fixed = model.get("constants") or TRIMER
        values = {**{k: float(v) for k, v in fixed.items()}, **values}
    return {
        "values": values,
        "intervals": intervals,
        "objective": chi2,
        "evaluations": len(history),
        "wall_time_s": _time.perf_counter() - t0,
    }


def trimer_refits(
    datasets, labels, folder: Path, dimer_fit: dict, *, free_trimer: bool = True, n_atoms=25
) -> dict[str, dict]:
    """Refit ``datasets`` with the trimer model itself (``fit`` on the general model),
    from the dimer-only fit's ``dimer_fit`` values: k_dim, k_diss, k_ex free with k_tri,
    k_tri_diss fixed at the example's values (at most 40 evaluations) and, with
    ``free_trimer``, then all five free from that result (at most 60). Returns
    case -> :func:`refit_with_intervals` output."""
    start = {k: dimer_fit[k] for k in TABLE1}
    out = {}
    out["trimer model, k_tri fixed"] = refit_with_intervals(
        datasets, labels, folder / "fixed", 40, trimers=True, start=start, n_atoms=n_atoms
    )
    if free_trimer:
        start = {**out["trimer model, k_tri fixed"]["values"]}
        # start the trimer constants off the truth (same K_tri, 3x faster) so that
        # the fit has to find them
        start.update(k_tri=3 * TRIMER["k_tri"], k_tri_diss=3 * TRIMER["k_tri_diss"])
        out["trimer model, all free"] = refit_with_intervals(
            datasets,
            labels,
            folder / "free",
            60,
            trimers=True,
            free_trimer=True,
            start=start,
            n_atoms=n_atoms,
        )
    return out


def print_trimer_refits(fits: dict[str, dict]) -> None:
    """The table of docs/example-trimers.md: fitted values with Wald 95 % intervals
    (one column per fit), ratio of each value to the truth, evaluations and time."""
    names = [*TABLE1, *TRIMER]
    truth = {**TABLE1, **TRIMER}
    print("\nrefit of the 'with trimers' data (40:40 and 100:60 jointly; 95 % Wald intervals)")
    print(f"{'':11}{'truth':>8}" + "".join(f"{case:>30}" for case in fits))
    for n in names:
        cells, ratios = [], []
        for r in fits.values():
            v = r["values"].get(n)
            if v is None:  # not a constant of this model
                cells.append("-")
                ratios.append("")
            elif n in r["intervals"]:
                lo, hi = r["intervals"][n]
                cells.append(f"{v:.4g} ({lo:.3g}-{hi:.3g})")
                ratios.append(f"{v / truth[n]:.4f}")
            else:
                cells.append(f"{v:.4g} fixed")
                ratios.append("")
        print(f"{n:11}{truth[n]:8.3g}" + "".join(f"{c:>30}" for c in cells))
        print(f"{'  / truth':19}" + "".join(f"{c:>30}" for c in ratios))
    print(
        f"{'evaluations':19}"
        + "".join(f"{r['evaluations']:>30d}" for r in fits.values())
        + "\n"
        + f"{'wall time':19}"
        + "".join(f"{r['wall_time_s']:>28.0f} s" for r in fits.values())
    )


# ----------------------------------------------------------------------------- main
def main(
    img: Path | None = Path("docs/img"),
    do_refit: bool = True,
    do_trimer_refit: bool = True,
    free_trimer: bool = True,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from intercluster.plot.ms import save_figure

    tri, dim = run(True), run(False)
    print(
        "largest relative drift of a conserved quantity (Ag, Au, charge):",
        f"{tri.attrs['conservation_drift_max']:.1e}",
    )
    rows = rows_at_minutes(tri)
    print("\nshare of the ion signal (with trimers | without)")
    print(f"{'t/min':>5} {'monomers':>17} {'dimers':>17} {'trimers':>8}")
    for mi, r in zip(MINUTES, rows):
        print(
            f"{mi:5d} {size_share(tri, 1)[r]:8.4f} {size_share(dim, 1)[r]:8.4f} "
            f"{size_share(tri, 2)[r]:8.4f} {size_share(dim, 2)[r]:8.4f} "
            f"{size_share(tri, 3)[r]:8.4f}"
        )
    gs = gold_side(tri)
    fast = run(True, constants=FAST)
    gs_fast = gold_side(fast)
    t_min = (tri.time.values + 20.0) / 60.0
    for title, ds, g in (("example", tri, gs), (f"faster trimers {FAST}", fast, gs_fast)):
        print(f"\ngold-side trimers [Ag_mAu_(75-m)]3-, share of the ion signal, {title}")
        print(f"{'m':>2} " + " ".join(f"{mi:>6d}'" for mi in MINUTES) + "  above 0.01 %")
        for m, y in g.items():
            vis = t_min[y > VISIBLE]
            span = f"{vis[0]:.1f}-{vis[-1]:.1f} min" if len(vis) else "never"
            print(f"{m:2d} " + " ".join(f"{1e3 * y[r]:6.3f} " for r in rows) + f"  {span}")
        print("    trimers " + " ".join(f"{1e3 * size_share(ds, 3)[r]:6.2f} " for r in rows))
    print("(values x 1e-3)")
    tri3 = tri.intensity.where(tri.observable_size == 3, 0.0)
    for mi, r in zip(MINUTES, rows):
        row = tri3.isel(time=r)
        top = row.observable.values[np.argsort(row.values)[::-1][:3]]
        print(
            f"  {mi:2d} min: strongest trimers "
            + ", ".join(f"{o} {1e3 * float(row.sel(observable=o)):.2f}" for o in top)
        )

    variants = {"example": tri, "faster trimers": fast}
    for title, ds in variants.items():
        print(f"\n{title}: t_max shift with trimers [s] (ions peaking inside the window)")
        sh = tmax_shifts(ds, dim)
        rel = tmax_relative_shifts(ds, dim)
        for size, name in ((1, "monomers"), (2, "dimers")):
            d, r = sh[size], 100 * rel[size]
            print(
                f"  {name:8}: n = {len(d):2d}, median {np.median(d):+6.1f} s, largest "
                f"|shift| {np.max(np.abs(d)):5.1f} s; t_max >= 100 s (n = {len(r):2d}): "
                f"{r.min():+5.1f} % to {r.max():+5.1f} %, median {np.median(r):+5.1f} %"
            )
        ish = intensity_shifts(ds, dim)
        print("  largest intensity changes:", {k: round(v, 4) for k, v in ish.items()})

    fitted = {}
    if do_refit:
        labels = list(dim.observable.values)
        mixtures = {"40:40": "Ag25:Au25 = 40:40", "100:60": "Ag25:Au25 = 100:60"}
        cases = {
            "without trimers": (False, None, dim),
            "with trimers": (True, None, tri),
            "faster trimers": (True, FAST, fast),
        }
        with tempfile.TemporaryDirectory() as tmp:
            all_sets, dimer_fits = {}, {}
            for case, (with_tri, constants, ds40) in cases.items():
                sets = {}
                for k, (name, mix) in enumerate(mixtures.items()):
                    ds = ds40 if name == "40:40" else run(with_tri, mix, constants=constants)
                    t, y = synthetic(ds, labels, seed=1 + k)
                    sets[name] = (mix, t, y)
                all_sets[case] = sets
                dimer_fits[case] = refit_with_intervals(
                    sets, labels, Path(tmp) / case.replace(" ", "_")
                )
                fitted[case] = dimer_fits[case]["values"]
            if do_trimer_refit:
                trimer_fits = trimer_refits(
                    all_sets["with trimers"],
                    labels,
                    Path(tmp) / "trimer_model",
                    fitted["with trimers"],
                    free_trimer=free_trimer,
                )
        print("\nrefit with the dimer-only simulation 3 model (40:40 and 100:60 jointly)")
        print(f"{'data':16} {'k_dim':>9} {'k_diss':>9} {'k_ex':>9} {'k_dim:k_diss':>12}")
        print(
            f"{'Table 1':16} "
            + " ".join(f"{TABLE1[k]:9.3g}" for k in TABLE1)
            + f" {TABLE1['k_dim'] / TABLE1['k_diss']:12.3f}"
        )
        for case, v in fitted.items():
            print(
                f"{case:16} "
                + " ".join(f"{v[k]:9.3g}" for k in TABLE1)
                + f" {v['k_dim'] / v['k_diss']:12.3f}"
            )
        b = fitted["without trimers"]
        for case in ("with trimers", "faster trimers"):
            a = fitted[case]
            print(
                f"bias ({case} / without): "
                + ", ".join(f"{k} {a[k] / b[k]:.3f}" for k in TABLE1)
                + f", k_dim:k_diss {(a['k_dim'] / a['k_diss']) / (b['k_dim'] / b['k_diss']):.3f}"
            )

        if do_trimer_refit:
            print_trimer_refits({"dimer-only model": dimer_fits["with trimers"], **trimer_fits})

    if img is None:
        return
    img.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for m, y in gs.items():
        ax[0].plot(
            t_min, 1e2 * y, color=f"C{m - 1}", label=f"[Ag{'' if m == 1 else m}Au{75 - m}]3-"
        )
        ax[0].plot(t_min, 1e2 * gs_fast[m], ":", color=f"C{m - 1}", lw=1)
    ax[0].plot([], [], ":", color="0.3", lw=1, label="faster: k_tri_diss = 0.1 s^-1")
    ax[0].axvline(6, color="0.6", ls=":", lw=1)
    ax[0].text(6.3, 0.2, "6 min (Fig. 1)", fontsize=8, color="0.4")
    ax[0].axhline(1e2 * VISIBLE, color="0.6", lw=0.8)
    ax[0].set(
        xlabel="reaction time [min]",
        ylabel="share of ion signal [%]",
        title="gold-side trimers, m = 1-5 (cf. Figure S2)",
        yscale="log",
        ylim=(1e-3, 0.3),
        xscale="log",
    )
    ax[0].legend(fontsize=8)
    for r, mi in ((rows[2], 6), (rows[-1], 54)):
        y = tri3.isel(time=r).values[tri.observable_size.values == 3]
        ax[1].plot(np.arange(len(y)), 1e2 * y, marker=".", ms=3, label=f"{mi} min")
    ax[1].axvspan(0.5, 5.5, color="gold", alpha=0.3, label="m = 1-5")
    ax[1].set(
        xlabel="m in [Ag_mAu_(75-m)]3-",
        ylabel="share of ion signal [%]",
        title="all trimer sum formulas",
    )
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, img / "trimers_goldside.png", dpi=120)

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for ds, ls, name in ((tri, "-", "with trimers"), (dim, "--", "without")):
        ax[0].plot(t_min, size_share(ds, 1), ls, color="C0", label=f"monomers, {name}")
        ax[0].plot(t_min, size_share(ds, 2), ls, color="C3", label=f"dimers, {name}")
    ax[0].plot(t_min, size_share(tri, 3), color="C2", label="trimers")
    ax[0].set(
        xlabel="reaction time [min]",
        ylabel="share of ion signal",
        ylim=(0, 0.7),
        title="monomer / dimer / trimer ions",
    )
    ax[0].legend(fontsize=7)
    for ds, marker, title in ((tri, "o", "example"), (fast, "x", "faster trimers")):
        for size, color, name in ((1, "C0", "monomers"), (2, "C3", "dimers")):
            labels = dim.observable.values[dim.observable_size.values == size]
            a = ds.t_max.sel(observable=labels).values
            b = dim.t_max.sel(observable=labels).values
            ax[1].plot(b, a - b, marker, ms=3, color=color, label=f"{name}, {title}")
    ax[1].axhline(0, color="0.6", lw=0.8)
    ax[1].set(
        xlabel="t_max without trimers [s]",
        ylabel="t_max shift with trimers [s]",
        title="t_max (after the 20 s dead time)",
    )
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, img / "trimers_shift.png", dpi=120)
    names = ["trimers_goldside.png", "trimers_shift.png"]
    if fitted:
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        keys = [*TABLE1, "k_dim:k_diss"]
        ratio = {"k_dim:k_diss": TABLE1["k_dim"] / TABLE1["k_diss"], **TABLE1}
        for j, (case, v) in enumerate(fitted.items()):
            vals = {**v, "k_dim:k_diss": v["k_dim"] / v["k_diss"]}
            ax.bar(
                np.arange(len(keys)) + 0.27 * (j - 1),
                [vals[k] / ratio[k] for k in keys],
                width=0.27,
                label=f"data {case}",
            )
        ax.axhline(1, color="0.4", lw=0.8)
        ax.set_xticks(np.arange(len(keys)), keys)
        ax.set(
            ylabel="fitted / Table 1",
            ylim=(0.8, 1.35),
            title="refit with the dimer-only sim 3 model",
        )
        ax.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, img / "trimers_refit.png", dpi=120)
        names.append("trimers_refit.png")
    print("\nfigures: " + ", ".join(str(img / n) for n in names))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--img", default=str(Path("docs") / "img"))
    parser.add_argument("--no-refit", action="store_true", help="skip every refit")
    parser.add_argument(
        "--no-trimer-refit", action="store_true", help="skip the refits with the trimer model"
    )
    parser.add_argument(
        "--fixed-trimer-only",
        action="store_true",
        help="trimer-model refit with k_tri, k_tri_diss fixed only (not also free)",
    )
    args = parser.parse_args()
    main(
        Path(args.img),
        do_refit=not args.no_refit,
        do_trimer_refit=not args.no_trimer_refit,
        free_trimer=not args.fixed_trimer_only,
    )
