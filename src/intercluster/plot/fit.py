"""Figures of a fit: data vs best fit as contour maps (like Figure 3 of Neumaier
et al., J. Am. Chem. Soc. 2021, 143, 6969), data vs
fit traces of the observables that drive the objective, the residual map
(data - fit, time x observable), the objective landscape over pairs of
parameters, profile likelihoods, and a corner plot of MCMC samples.

:func:`write_fit_figures` draws every figure a :class:`~intercluster.fit.FitResult`
supports into its output folder (what ``intercluster fit`` calls after
:func:`intercluster.fit.workflow.write_fit_outputs`)."""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path

import numpy as np

from intercluster.plot.kinetics import _plt

__all__ = [
    "corner_figure",
    "fit_contour_figure",
    "fit_traces_figure",
    "landscape_figure",
    "profiles_figure",
    "residual_map_figure",
    "write_fit_figures",
]

_TEX = {"k_dim": r"k$_\mathrm{dim}$", "k_diss": r"k$_\mathrm{diss}$", "k_ex": r"k$_\mathrm{ex}$"}


def _tex(name: str) -> str:
    """A parameter name with mathtext subscripts (k_dim -> k$_\\mathrm{dim}$)."""
    return "/".join(_TEX.get(part, part) for part in name.split("/"))


def _full(system, labels, values):
    """Columns of ``values`` placed among all observables (NaN where missing)."""
    out = np.full((values.shape[0], system.n_observables), np.nan)
    idx = [system.observable_labels.index(label) for label in labels]
    out[:, idx] = values
    return out


def fit_contour_figure(problem, theta, datasets=None):
    """Data and best fit side by side for every dataset.

    Rows: monomers and dimer sum formulas of each dataset; columns: data, fit.
    x: time after the dead time [min]; y: atoms of metal A; colour: normalised
    intensity (the same scale for data and fit of one dataset).

    Parameters
    ----------
    problem : FitProblem
    theta : array, shape (n_free,)
        The best point.
    datasets : list of DatasetFit, optional
        Data and best fit already computed (``FitResult.datasets``); default:
        simulated here.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import MaxNLocator

    from intercluster.fit.result import DatasetFit

    plt = _plt()
    system = problem.system
    N = system.n_atoms
    values = problem.values(theta)
    if datasets is None:
        datasets = []
        for i, d in enumerate(problem.datasets):
            prep = problem.prepared()[i]
            _, inten = problem.simulate_dataset(i, values)
            datasets.append(
                DatasetFit(d.name, d.time_s, list(d.labels), d.intensity, inten[prep.data_rows])
            )
    panels = []
    for d in datasets:
        data = _full(system, d.labels, d.data)
        fit = _full(system, d.labels, d.best_fit)
        parts = [(slice(0, N + 1), N, "monomers")]
        if system.has_dimers:
            parts.append((slice(N + 1, None), 2 * N, "dimers"))
        for sl, n, what in parts:
            panels.append((d, data[:, sl], fit[:, sl], n, what))
    fig, axes = plt.subplots(
        len(panels), 2, figsize=(10, 3.0 * len(panels)), constrained_layout=True, squeeze=False
    )
    a = system.metal_a
    for row, (d, data, fit, n, what) in zip(axes, panels):
        t_min = d.time_s / 60.0
        late = t_min >= 0.05 * t_min[-1]
        vmax = float(np.nanmax(np.concatenate([data[late], fit[late]]))) if late.any() else 1.0
        levels = MaxNLocator(nbins=20).tick_values(0.0, vmax or 1.0)
        for ax, z, title in ((row[0], data, "data"), (row[1], fit, "best fit")):
            cs = ax.contourf(
                t_min,
                np.arange(n + 1),
                np.nan_to_num(z).T,
                levels=levels,
                cmap="viridis",
                extend="max",
            )
            ax.set_title(f"{d.name}: {what}, {title}", fontsize=9)
            ax.set_xlabel("time [min]")
            ax.set_ylabel(f"number of {a} atoms")
        fig.colorbar(cs, ax=row.tolist(), label="normalised intensity")
    params = ", ".join(f"{_tex(k)} = {v:.3g}" for k, v in values.items())
    fig.suptitle(f"{problem.model}: {params}", fontsize=10)
    return fig


def landscape_figure(grid, best: dict | None = None):
    """log10 objective over each pair of free parameters, minimised over the others.

    Parameters
    ----------
    grid : GridResult
    best : dict, optional
        Best values to mark (e.g. the refined optimum).
    """
    from intercluster.fit.grid import landscape

    plt = _plt()
    pairs = list(itertools.combinations(grid.names, 2))
    fig, axes = plt.subplots(
        1, len(pairs), figsize=(4.6 * len(pairs), 4.0), constrained_layout=True, squeeze=False
    )
    for ax, (a, b) in zip(axes[0], pairs):
        va, vb, Z = landscape(grid, a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            logz = np.log10(np.where(Z > 0, Z, np.nan))
        mesh = ax.pcolormesh(np.log10(va), np.log10(vb), logz, shading="nearest", cmap="magma_r")
        fig.colorbar(mesh, ax=ax, label="log10 objective (min over the others)")
        gb = grid.best
        ax.plot(
            math.log10(gb[a]),
            math.log10(gb[b]),
            "s",
            mfc="none",
            mec="c",
            ms=10,
            label="best grid point",
        )
        if best is not None and a in best and b in best:
            ax.plot(math.log10(best[a]), math.log10(best[b]), "x", color="c", ms=9, label="refined")
        ax.set_xlabel(f"log10 {_tex(a)}")
        ax.set_ylabel(f"log10 {_tex(b)}")
        ax.legend(fontsize=7, loc="lower left")
    return fig


def profiles_figure(unc):
    """Delta chi2 / (s^2 c) along each profile (c: the robust adjustment of
    :mod:`intercluster.fit.uncertainty`), with the 95 % threshold (3.84); x in
    percent from the best value on a shared axis, so that tight and loose
    parameters compare at a glance.

    Parameters
    ----------
    unc : ProfileResult
        From :func:`intercluster.fit.uncertainty.profile_intervals`.
    """
    plt = _plt()
    profiles = unc.profiles
    fig, axes = plt.subplots(
        1,
        len(profiles),
        figsize=(3.8 * len(profiles), 3.4),
        constrained_layout=True,
        squeeze=False,
        sharex=True,
        sharey=True,
    )
    for ax, (name, pts) in zip(axes[0], profiles.items()):
        iv = unc.intervals[name]
        best = iv.best
        x = np.array([100 * (p.value / best - 1) for p in pts])
        y = np.array([p.delta_chi2_adjusted for p in pts], float)
        if iv.sigma_theta:  # the quadratic (Wald) model, (d / sd)^2, beside the profile
            sd = iv.sigma_theta
            d = np.linspace(-1.5, 1.5, 121) * sd * math.sqrt(unc.threshold)
            v = best * 10.0**d if iv.log else best + d
            ax.plot(
                100 * (v / best - 1),
                (d / sd) ** 2,
                color="0.6",
                lw=0.8,
                ls=":",
                label="quadratic (Wald)",
            )
        ax.plot(x, y, "o-", ms=3, label="profile")
        ax.axhline(unc.threshold, color="tab:red", lw=0.8, ls="--", label="95 % (3.84)")
        lo, hi = 100 * (iv.lower / best - 1), 100 * (iv.upper / best - 1)
        ax.axvspan(lo, hi, color="tab:green", alpha=0.15, label=f"{iv.lower:.4g} .. {iv.upper:.4g}")
        ax.set_ylim(-0.2, max(3 * unc.threshold, 1.0))
        ax.set_xlabel(f"{_tex(name)}: % from {best:.4g}")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel(r"$\Delta\chi^2 / (s^2 c)$")
    return fig


def corner_figure(samples: dict, best: dict | None = None, bins: int = 30):
    """Corner-style plot of posterior samples (log10 axes), matplotlib only.

    Parameters
    ----------
    samples : dict name -> array (n_samples,)
    best : dict, optional
        Values to mark.
    """
    plt = _plt()
    names = list(samples)
    n = len(names)
    fig, axes = plt.subplots(
        n, n, figsize=(2.4 * n, 2.4 * n), constrained_layout=True, squeeze=False
    )
    logs = {k: np.log10(np.asarray(v, float)) for k, v in samples.items()}
    for i, j in itertools.product(range(n), range(n)):
        ax = axes[i, j]
        if j > i:
            ax.axis("off")
            continue
        if i == j:
            ax.hist(logs[names[i]], bins=bins, color="tab:blue", histtype="stepfilled", alpha=0.6)
            ax.set_yticks([])
        else:
            ax.hist2d(logs[names[j]], logs[names[i]], bins=bins, cmap="Blues")
            if best and names[i] in best and names[j] in best:
                ax.plot(math.log10(best[names[j]]), math.log10(best[names[i]]), "r+", ms=8)
        if i == n - 1:
            ax.set_xlabel(f"log10 {_tex(names[j])}", fontsize=8)
        if j == 0 and i > 0:
            ax.set_ylabel(f"log10 {_tex(names[i])}", fontsize=8)
    return fig


def _trace_labels(result, d, k: int) -> list[str]:
    """Up to ``k`` observables of dataset ``d``: those that drive the objective
    (``result.drivers``, largest share first), then the most intense ones."""
    out = []
    for drv in result.drivers:
        if drv.dataset == d.name and drv.observable in d.labels and drv.observable not in out:
            out.append(drv.observable)
    for j in np.argsort(-np.nanmax(np.asarray(d.data, float), axis=0)):
        if len(out) >= k:
            break
        if d.labels[j] not in out:
            out.append(d.labels[j])
    return out[:k]


def fit_traces_figure(result, k: int = 6):
    """Data (points) and best fit (lines) against time for the observables that
    drive the objective, one panel per dataset.

    Parameters
    ----------
    result : FitResult
        With ``datasets`` (data and best fit) and ``drivers``.
    k : int
        Observables per panel (drivers first, then the most intense).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    n = max(len(result.datasets), 1)
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 3.9), constrained_layout=True, squeeze=False)
    for ax, d in zip(axes[0], result.datasets):
        t_min = np.asarray(d.time_s, float) / 60.0
        for c, label in enumerate(_trace_labels(result, d, k)):
            j = d.labels.index(label)
            color = f"C{c % 10}"
            ax.plot(t_min, d.data[:, j], "o", ms=2.5, color=color, alpha=0.6)
            ax.plot(t_min, d.best_fit[:, j], "-", lw=1.4, color=color, label=label)
        ax.set_title(f"{d.name}: data (points) and best fit (lines)", fontsize=9)
        ax.set_xlabel("time after the dead time [min]")
        ax.set_ylabel("intensity (fraction of all ions)")
        ax.legend(fontsize=7, loc="best", title="observable", title_fontsize=7)
    return fig


def residual_map_figure(result):
    """Residuals data - best fit as a map (time x observable), one panel per
    dataset, on a symmetric diverging colour scale shared by all panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import TwoSlopeNorm

    plt = _plt()
    n = max(len(result.datasets), 1)
    fig, axes = plt.subplots(1, n, figsize=(5.4 * n, 4.6), constrained_layout=True, squeeze=False)
    vmax = max(
        (float(np.nanmax(np.abs(d.residual))) for d in result.datasets if d.residual.size),
        default=1.0,
    )
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-(vmax or 1.0), vmax=vmax or 1.0)
    mesh = None
    for ax, d in zip(axes[0], result.datasets):
        t_min = np.asarray(d.time_s, float) / 60.0
        mesh = ax.pcolormesh(
            t_min,
            np.arange(len(d.labels)),
            d.residual.T,
            shading="nearest",
            cmap="RdBu_r",
            norm=norm,
        )
        step = max(1, math.ceil(len(d.labels) / 20))
        ticks = np.arange(0, len(d.labels), step)
        ax.set_yticks(ticks)
        ax.set_yticklabels([d.labels[i] for i in ticks], fontsize=6)
        ax.set_title(f"{d.name}: data - best fit", fontsize=9)
        ax.set_xlabel("time after the dead time [min]")
        ax.set_ylabel("observable")
    if mesh is not None:
        fig.colorbar(mesh, ax=axes[0].tolist(), label="residual (fraction of all ions)")
    return fig


def write_fit_figures(result, folder: str | os.PathLike, problem=None) -> list[Path]:
    """Draw every figure of a fit into ``folder`` (each file atomically).

    ``fit_traces.png`` and ``residual_map.png`` (from ``result.datasets``),
    ``fit_contours.png`` (needs ``problem`` for the system), ``landscape.png``
    (a grid over two or more parameters), ``profiles.png`` (profiles),
    ``mcmc_corner.png`` (mcmc).

    Parameters
    ----------
    result : FitResult
    folder : path
        An existing folder.
    problem : FitProblem, optional

    Returns
    -------
    list of Path
        The figures written.
    """
    from intercluster.io import atomic_file
    from intercluster.plot.kinetics import save

    folder = Path(folder)
    figures = {}
    if problem is not None and getattr(problem, "is_single_family", True):
        # monomer/dimer contour maps: single-family model only (fit_traces.png shows
        # the observables of a general model)
        figures["fit_contours.png"] = lambda: fit_contour_figure(
            problem, result.theta, result.datasets or None
        )
    if result.datasets:
        figures["fit_traces.png"] = lambda: fit_traces_figure(result)
        figures["residual_map.png"] = lambda: residual_map_figure(result)
    grid = result.grid
    if grid is not None and len(grid.names) >= 2:
        figures["landscape.png"] = lambda: landscape_figure(grid, result.values)
    if result.uncertainty is not None and result.uncertainty.profiles:
        figures["profiles.png"] = lambda: profiles_figure(result.uncertainty)
    if result.mcmc is not None:
        figures["mcmc_corner.png"] = lambda: corner_figure(result.mcmc.values, result.values)
    written = []
    for name, draw in figures.items():
        with atomic_file(folder / name) as tmp:
            save(draw(), tmp)
        written.append(folder / name)
    return written
