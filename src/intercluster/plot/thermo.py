"""Figures of equilibria: Le Chatelier series (as Figure 1a / Table 2 of Zhong et al.,
Dalton Trans. 2021), site occupancies, and observed vs predicted equilibrium fits."""

from __future__ import annotations

import re

import numpy as np
from matplotlib.ticker import MaxNLocator

from intercluster.plot.kinetics import _plt

__all__ = ["equilibrium_fit_figure", "le_chatelier_figure", "occupancy_figure"]

_MODEL_STYLE = [("tab:red", "o"), ("tab:green", "s"), ("tab:purple", "D"), ("tab:orange", "^")]


def _finish_stacked(fig, axes, xlabels, rotation, handles, names, ncol, fontsize, title, xlabel):
    """Shared by the stacked per-ratio figures: x labels on the last panel, one y label,
    the title above the panels and the legend below them. Constrained layout reserves
    the room for each, so they cannot overlap (one panel or ten)."""
    axes[-1].set_xticks(np.arange(len(xlabels)))
    axes[-1].set_xticklabels(xlabels, rotation=rotation, ha="right", fontsize=8)
    if xlabel:
        axes[-1].set_xlabel(xlabel, fontsize=9)
    fig.supylabel("percent of clusters", fontsize=9)
    fig.legend(
        handles, names, loc="outside lower center", ncol=ncol, fontsize=fontsize, frameon=False
    )
    if title:
        fig.suptitle(title, fontsize=9)
    return fig


def _metal_a(labels) -> str | None:
    """Metal A from the label of the composition with m = N (the last label)."""
    match = re.match(r"\[\(?([A-Z][a-z]?)", str(labels[-1])) if len(labels) else None
    return match.group(1) if match else None


def _a_ascending(frame, *others):
    """``frame`` (and ``others``) with the composition columns in the order m = 0 .. N
    (no atom of metal A first), and metal A's symbol (or "A")."""
    conv = re.match(r"([A-Z][a-z]?)\d+:", str(frame.attrs.get("ratio_convention", "")))
    metal = conv.group(1) if conv else None
    first, last = str(frame.columns[0]), str(frame.columns[-1])
    if metal:
        reverse = re.match(rf"\[\(?{metal}(?![a-z])", first) is not None
    else:
        ms = [re.fullmatch(r"m=(\d+)", c) for c in (first, last)]
        reverse = all(ms) and int(ms[0].group(1)) > int(ms[1].group(1))
    if reverse:
        frame = frame[frame.columns[::-1]]
        others = tuple(None if o is None else o[o.columns[::-1]] for o in others)
    return frame, others, metal or "A"


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
    like the spectra of Figure 1a of Zhong et al., Dalton Trans. 2021
    (doi:10.1039/d1dt00072a), the A-rich mixture on top.

    The composition axis runs from no atom of metal A to N (``[Ag7]`` ... ``[Cu7]``
    for A = Cu), the direction of every composition axis in the package (the
    kinetics contour maps, the occupancy figure), whatever the column order of
    ``frame`` (the paper's Table 2, which :func:`le_chatelier_series` follows,
    lists ``[Cu7]`` first).

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
    conv = frame.attrs.get("ratio_convention")
    frame, (binomial_frame,), metal = _a_ascending(frame, binomial_frame)
    n = len(frame.index)
    fig, axes = plt.subplots(
        n, 1, figsize=(7.5, 1.05 * n + 1.6), sharex=True, squeeze=False, layout="constrained"
    )
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
        text = f"{conv} = {ratio}" if conv and "=" not in str(ratio) else str(ratio)
        ax.text(0.99, 0.9, text, transform=ax.transAxes, ha="right", va="top", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(3))
    handles = [plt.Rectangle((0, 0), 1, 1, color="tab:blue", alpha=0.75)]
    names = [f"site model ({frame.attrs.get('sites', '')})"]
    if binomial_frame is not None:
        handles.append(plt.Line2D([], [], marker="o", ls="", color="tab:red"))
        names.append("binomial (equal energies)")
    xlabel = f"composition (number of {metal} atoms increasing)"
    return _finish_stacked(fig, axes, list(frame.columns), 45, handles, names, 2, 8, title, xlabel)


def occupancy_figure(occupancy, class_names, labels, title: str | None = None):
    """Fraction of each site class occupied by metal A, per composition (the site
    preferences behind the distributions; compare Figure 6 of Zhong et al., Dalton
    Trans. 2021, doi:10.1039/d1dt00072a). The composition axis runs from no atom of
    A (m = 0) to N, as in :func:`le_chatelier_figure`; the axes name the element.

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
    metal = _metal_a(list(labels)) or "metal A"
    ax.set_xlabel(f"composition (number of {metal} atoms increasing)", fontsize=9)
    ax.set_ylabel(f"fraction of the class's sites holding {metal}")
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
    fig, axes = plt.subplots(
        n, 1, figsize=(8, 1.15 * n + 2.0), sharex=True, squeeze=False, layout="constrained"
    )
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
    return _finish_stacked(
        fig, axes, list(table.group_labels), 30, handles, names, 1, 7.5, title, None
    )
