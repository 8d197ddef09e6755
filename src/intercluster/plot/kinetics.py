"""Figures of simulation results: contour maps like Figure 3 of Neumaier et al.,
JACS 2021, 143, 6969, final distributions against the binomial, dimer isomers."""

from __future__ import annotations

import os

import numpy as np

__all__ = [
    "contour_figure",
    "distribution_figure",
    "family_figure",
    "isomer_figure",
    "save",
    "tex_name",
]

#: Most time points a contour map draws: 3601 output times give the same picture at
#: 5.5 inches and 150 dpi as every 4th of them, at a quarter of the drawing time.
MAX_CONTOUR_TIMES = 900


def tex_name(name: str) -> str:
    r"""A symbol with its subscript for figure labels (matplotlib mathtext).

    >>> print(tex_name("k_dim"), tex_name("t_max"), tex_name("dead time"))
    k$_\mathrm{dim}$ t$_\mathrm{max}$ dead time
    """
    head, sep, sub = name.partition("_")
    if not sep or not head or not sub or " " in name:
        return name
    return f"{head}$_\\mathrm{{{sub.replace('_', ' ')}}}$"


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save(fig, path: str | os.PathLike, dpi: int = 150) -> None:
    """Save and close a figure (format from the file extension: .png, .svg, .pdf).

    Figures laid out by constrained layout already fit their canvas and are drawn
    once; others are cropped to their content (``bbox_inches="tight"``, which draws
    the figure twice).
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    constrained = isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    fig.savefig(path, dpi=dpi, bbox_inches=None if constrained else "tight")
    _plt().close(fig)


def _title(ds) -> str:
    a = ds.attrs
    k = {name: tex_name(name) for name in ("k_dim", "k_diss", "k_ex")}
    if a.get("mechanism") == "direct":
        # bimolecular exchange between clusters; k_dim and k_diss play no part
        return (
            f"{a['model']}: direct exchange, {k['k_ex']} = {a['k_ex']:.3g} "
            "L nmol$^{-1}$ s$^{-1}$"
        )
    return (
        f"{a['model']}: {k['k_dim']} = {a['k_dim']:.3g} L nmol$^{{-1}}$ s$^{{-1}}$, "
        f"{k['k_diss']} = {a['k_diss']:.3g} s$^{{-1}}$, {k['k_ex']} = {a['k_ex']:.3g} s$^{{-1}}$"
    )


def contour_figure(ds):
    """Monomer and dimer intensities vs time as two contour maps (Figure 3 of
    Neumaier et al., JACS 2021, 143, 6969).

    x: time after the dead time [min]; y: number of atoms of metal A in the
    monomer (0..N) or in the dimer (0..2N), increasing upwards as in every
    composition axis of the package; colour: intensity normalised to the total ion
    signal (each observable's share of all ions, as in ``observables.csv``). Long
    series are drawn at most :data:`MAX_CONTOUR_TIMES` time points (evenly
    thinned, last point kept).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    N = int(ds.attrs["n_atoms"])
    a = ds.attrs["metal_a"]
    t_min = ds.time.values / 60.0
    I = ds.intensity.values
    if len(t_min) > MAX_CONTOUR_TIMES:
        step = -(-len(t_min) // MAX_CONTOUR_TIMES)
        rows = np.unique(np.append(np.arange(0, len(t_min), step), len(t_min) - 1))
        t_min, I = t_min[rows], I[rows]
    mono, dim = I[:, : N + 1], I[:, N + 1 :]
    kind = "monoanions" if ds.attrs.get("charge", -1) == -1 else "clusters"
    panels = [(mono, N, f"{kind}: number of {a} atoms")]
    if dim.shape[1]:
        panels.append((dim, 2 * N, f"dimers: number of {a} atoms (of {2 * N})"))
    # The parent ions dominate the first minutes; scale the colours to what happens
    # after the first 5 % of the window (values above are shown in the top colour).
    late = t_min >= 0.05 * t_min[-1]
    vmax = float(I[late].max()) if late.any() else float(I.max())
    from matplotlib.ticker import MaxNLocator

    levels = MaxNLocator(nbins=20).tick_values(0.0, vmax or 1.0)
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5.5 * len(panels), 4.2), constrained_layout=True, squeeze=False
    )
    axes = axes[0]
    for ax, (data, n, name) in zip(axes, panels):
        cs = ax.contourf(
            t_min, np.arange(n + 1), data.T, levels=levels, cmap="viridis", extend="max"
        )
        ax.set_xlabel("time [min]")
        ax.set_ylabel(name)
    fig.colorbar(cs, ax=axes, label="intensity: share of all ions")
    fig.suptitle(_title(ds), fontsize=10)
    return fig


def distribution_figure(ds, summary: dict):
    """Final monomer and dimer distributions with the binomial expectation.

    Each panel is normalised within its class: a monomer's share of all monomers,
    a dimer sum formula's share of all dimers (``summary.json["final"]``), unlike
    ``observables.csv`` and the contour map, which give shares of all ions.

    Parameters
    ----------
    ds : result Dataset
    summary : dict from :func:`intercluster.thermo.report.summarize`
    """
    plt = _plt()
    final = summary["final"]
    a = ds.attrs["metal_a"]
    panels = [("monomer_distribution", "binomial_monomers", "monomers")]
    if "dimer_distribution" in final:
        panels.append(("dimer_distribution", "binomial_dimers", "dimers"))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5.5 * len(panels), 3.8), constrained_layout=True, squeeze=False
    )
    for ax, (key, bkey, what) in zip(axes[0], panels):
        values = np.array(list(final[key].values()))
        binom = np.array(list(final[bkey].values()))
        x = np.arange(len(values))
        ax.bar(
            x, values, color="tab:blue", alpha=0.7, label=f"simulation, t = {final['time_s']:g} s"
        )
        ax.plot(
            x,
            binom,
            "o",
            color="tab:red",
            ms=4,
            label=f"binomial, p = {final['a_fraction_overall']:.3f}",
        )
        ax.set_xlabel(f"number of {a} atoms ({what})")
        ax.set_ylabel(f"share of all {what}")
        ax.legend(fontsize=8)
    fig.suptitle(_title(ds), fontsize=10)
    return fig


def isomer_figure(shares, fragments, sum_formula: str):
    """Isomer shares of a dimer sum formula and its CID fragments at several times.

    Parameters
    ----------
    shares, fragments : pandas.DataFrame from
        :func:`intercluster.thermo.isomers.isomer_shares` / ``cid_fragments``.
    """
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    n_t = len(shares.index)
    width = 0.8 / max(n_t, 1)
    for ax, frame, what in ((axes[0], shares, "isomers"), (axes[1], fragments, "CID fragments")):
        x = np.arange(len(frame.columns))
        for i, t in enumerate(frame.index):
            ax.bar(x + i * width, frame.loc[t].to_numpy(), width, label=f"{t:g} s")
        ax.set_xticks(x + width * (n_t - 1) / 2)
        ax.set_xticklabels(frame.columns, rotation=90, fontsize=7)
        ax.set_ylabel("share")
        ax.set_title(f"{sum_formula}: {what}")
        ax.legend(fontsize=8)
    return fig


def family_figure(ds, summary: dict | None = None):
    """One row per family: composition vs time (contour) and the final distribution.

    For a general simulation result (families, complexes, rules): the colour is the
    fraction of the family's subunits (free clusters and subunits of complexes)
    with x atoms of the family's metal A at each time; the bars are that
    distribution at the last time, with the binomial expectation where
    ``summary`` holds one (a single family over its whole window).

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`intercluster.kinetics.simulate` of a general network
        (``family_composition(time, family, x)`` [nmol/L]).
    summary : dict, optional
        From :func:`intercluster.thermo.report.summarize`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    comp = ds.family_composition.values
    names = [str(n) for n in ds.family.values]
    fams = (summary or {}).get("families", {})
    t_min = ds.time.values / 60.0
    fig, axes = plt.subplots(
        len(names), 2, figsize=(11, 3.6 * len(names)), constrained_layout=True, squeeze=False
    )
    final = (summary or {}).get("final", {})
    for i, name in enumerate(names):
        info = fams.get(name, {})
        xs = np.asarray(info.get("x", np.arange(comp.shape[2])))
        d = comp[:, i, xs[0] : xs[-1] + 1]
        total = d.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(total > 0, d / np.where(total > 0, total, 1.0), 0.0)
        a = info.get("metal_a", "A")
        ax = axes[i, 0]
        if len(xs) > 1 and len(t_min) > 1:
            levels = MaxNLocator(nbins=20).tick_values(0.0, float(p.max()) or 1.0)
            cs = ax.contourf(t_min, xs, p.T, levels=levels, cmap="viridis")
            fig.colorbar(cs, ax=ax, label="fraction of the family")
        else:
            ax.plot(t_min, p[:, 0])
        ax.set_xlabel("time [min]")
        ax.set_ylabel(f"{name}: number of {a} atoms")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax = axes[i, 1]
        ax.bar(xs, p[-1], color="tab:blue", alpha=0.7, label=f"t = {ds.time.values[-1]:g} s")
        if len(names) == 1 and "binomial" in final:
            binom = np.array(list(final["binomial"].values()))
            ax.plot(
                np.arange(len(binom)),
                binom,
                "o",
                color="tab:red",
                ms=4,
                label=f"binomial, p = {final['a_fraction_overall']:.3f}",
            )
        ax.set_xlabel(f"{name}: number of {a} atoms")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("fraction")
        ax.legend(fontsize=8)
    fig.suptitle(ds.attrs.get("title", ""), fontsize=10)
    return fig
