"""Figures of equilibria: Le Chatelier series (as Figure 1a / Table 2 of Zhong et al.,
Dalton Trans. 2021), site occupancies, and observed vs predicted equilibrium fits."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from intercluster.plot.kinetics import _plt

__all__ = ["equilibrium_fit_figure", "le_chatelier_figure", "occupancy_figure"]

_MODEL_STYLE = [("tab:red", "o"), ("tab:green", "s"), ("tab:purple", "D"), ("tab:orange", "^")]


def _finish_stacked(fig, axes, xlabels, rotation, handles, names, ncol, fontsize, title):
    """Shared by the stacked per-ratio figures: x labels on the last panel, one y label,
    the legend above the panels and the title above the legend."""
    axes[-1].set_xticks(np.arange(len(xlabels)))
    axes[-1].set_xticklabels(xlabels, rotation=rotation, ha="right", fontsize=8)
    fig.supylabel("percent of clusters", fontsize=9)
    fig.tight_layout(rect=(0.02, 0, 1, 1))
    fig.legend(
        handles,
        names,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.99),
        ncol=ncol,
        fontsize=fontsize,
        frameon=False,
    )
    if title:
        rows = len(names) if ncol == 1 else 1
        fig.suptitle(title, fontsize=9, y=1.0 + 0.022 * (rows + 1), va="bottom")
    return fig


def _model_label(fit) -> str:
    if fit.model == "binomial":
        name = "binomial"
    else:
        energies = ", ".join(
            f"{n} {g:.1f}" for n, g in zip(fit.site_model.names, fit.site_model.energies_kJ_mol)
        )
        name = f"sites {fit.site_model.spec} (g: {energies} kJ/mol)"
    kappa = (
        f", ratio factor {fit.parameter('ratio_factor'):.3f}"
        if "ratio_factor" in fit.parameter_names
        else ""
    )
    return f"{name}{kappa}; chi2 {fit.chi2:.0f}, AIC {fit.aic:.1f}"


def le_chatelier_figure(frame, binomial_frame=None, title: str | None = None):
    """Equilibrium distributions at several mixing ratios, one panel per ratio stacked
    like the spectra of Figure 1a of 000 (the A-rich mixture on top).

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`intercluster.thermo.sites.le_chatelier_series` (percent).
    binomial_frame : pandas.DataFrame, optional
        The same for equal energies, drawn as markers.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    n = len(frame.index)
    fig, axes = plt.subplots(n, 1, figsize=(7.5, 1.05 * n + 1.2), sharex=True, squeeze=False)
    axes = axes[:, 0]
    x = np.arange(len(frame.columns))
    top = float(np.nanmax(frame.to_numpy()))
    if binomial_frame is not None:
        top = max(top, float(np.nanmax(binomial_frame.to_numpy())))
    for ax, ratio in zip(axes, frame.index):
        ax.bar(x, frame.loc[ratio].to_numpy(), color="tab:blue", alpha=0.75, width=0.7)
        if binomial_frame is not None:
            ax.plot(x, binomial_frame.loc[ratio].to_numpy(), "o", color="tab:red", ms=4)
        ax.set_ylim(0, top * 1.15)
        conv = frame.attrs.get("ratio_convention")
        text = f"{conv} = {ratio}" if conv and "=" not in str(ratio) else str(ratio)
        ax.text(0.99, 0.9, text, transform=ax.transAxes, ha="right", va="top", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(3))
    handles = [plt.Rectangle((0, 0), 1, 1, color="tab:blue", alpha=0.75)]
    names = [f"site model ({frame.attrs.get('sites', '')})"]
    if binomial_frame is not None:
        handles.append(plt.Line2D([], [], marker="o", ls="", color="tab:red"))
        names.append("binomial (equal energies)")
    return _finish_stacked(fig, axes, list(frame.columns), 45, handles, names, 2, 8, title)


def occupancy_figure(occupancy, class_names, labels, title: str | None = None):
    """Fraction of each site class occupied by metal A, per composition (the site
    preferences behind the distributions; compare Figure 6 of 000).

    Parameters
    ----------
    occupancy : array, shape (N + 1, n_classes)
        From :func:`intercluster.thermo.sites.site_occupancies` (row m = composition M_m).
    class_names : sequence of str
    labels : sequence of str, length N + 1
        Composition labels for m = 0..N.
    """
    plt = _plt()
    occ = np.asarray(occupancy)
    fig, ax = plt.subplots(figsize=(6.5, 3.8), constrained_layout=True)
    m = np.arange(len(occ))
    for i, name in enumerate(class_names):
        ax.plot(m, occ[:, i], "o-", label=name)
    ax.plot(m, m / (len(occ) - 1), "k:", lw=1, label="no preference (m/N)")
    ax.set_xticks(m)
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("fraction of class sites holding metal A")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def equilibrium_fit_figure(fits, title: str | None = None):
    """Observed vs predicted percentages, one panel per mixing ratio.

    Parameters
    ----------
    fits : sequence of EquilibriumFit
        Fits of the same table (:func:`intercluster.thermo.equilibrium_fit.fit_equilibrium`);
        the observed bars come from the first.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    fits = list(fits)
    table = fits[0].table
    n = len(table.ratio_labels)
    fig, axes = plt.subplots(n, 1, figsize=(8, 1.15 * n + 1.6), sharex=True, squeeze=False)
    axes = axes[:, 0]
    x = np.arange(len(table.group_labels))
    top = max(float(np.nanmax(f.predicted)) for f in fits)
    top = max(top, float(np.nanmax(fits[0].observed)))
    offsets = np.linspace(-0.2, 0.2, len(fits)) if len(fits) > 1 else [0.0]
    for i, (ax, ratio) in enumerate(zip(axes, table.ratio_labels)):
        ax.bar(x, np.nan_to_num(fits[0].observed[i]), color="0.75", width=0.75)
        for fit, dx, (color, marker) in zip(fits, offsets, _MODEL_STYLE):
            ax.plot(x + dx, fit.predicted[i], marker, color=color, ms=4.5, ls="")
        ax.set_ylim(0, top * 1.18)
        ax.text(
            0.995,
            0.88,
            f"{table.metal_a}{table.n_atoms}:{table.metal_b}{table.n_atoms} = {ratio}",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
        )
        ax.tick_params(labelsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color="0.75")]
    names = [f"observed ({table.source})"]
    for fit, (color, marker) in zip(fits, _MODEL_STYLE):
        handles.append(plt.Line2D([], [], marker=marker, ls="", color=color))
        names.append(_model_label(fit))
    return _finish_stacked(fig, axes, list(table.group_labels), 30, handles, names, 1, 7.5, title)
