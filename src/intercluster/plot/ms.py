"""Figures of mass spectra: isotope patterns, assignments, deconvolutions.

Every function returns a matplotlib Figure and draws nothing it does not get
from :mod:`intercluster.ms`; :func:`save_figure` writes it atomically (the
format follows the suffix: .png, .svg, .pdf).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = [
    "plot_assignment",
    "plot_breakdown",
    "plot_deconvolution",
    "plot_fragment_comparison",
    "plot_pattern",
    "save_figure",
]


def _figure(ax=None, size=(8.0, 4.0)):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _label(ion) -> str:
    try:
        return ion.format("latex")
    except AttributeError:  # pragma: no cover
        return str(ion)


def plot_pattern(
    pattern, resolving_power: float = 25_000.0, ax=None, points_per_fwhm: float = 20.0
):
    """Calculated isotope pattern: nominal peaks as sticks and the profile at ``resolving_power``.

    Parameters
    ----------
    pattern : IsotopePattern
    resolving_power : float
        m/z / FWHM of the profile (default 25,000).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure(ax)
    lo, hi = pattern.window(0.9999)
    sig = pattern.sigma(resolving_power).max()
    step = lo / resolving_power / points_per_fwhm
    grid = np.arange(lo - 6 * sig, hi + 6 * sig, step)
    y = pattern.profile(grid, resolving_power)
    ax.plot(grid, y / y.max(), color="C0", lw=1.0, label=f"profile, R = {resolving_power:,.0f}")
    ax.vlines(pattern.mz, 0, pattern.relative_intensity, color="k", lw=0.8, label="nominal peaks")
    ax.set_xlabel("m/z [Th]")
    ax.set_ylabel("relative intensity")
    ax.set_title(_label(pattern.ion))
    ax.set_ylim(0, 1.08)
    ax.legend(frameon=False, loc="upper right")
    return fig


def plot_assignment(
    spectrum, table, resolving_power: float = 25_000.0, ax=None, max_labels: int = 30
):
    """Spectrum with the calculated patterns of the assigned candidates overlaid.

    Parameters
    ----------
    spectrum : Spectrum
    table : pandas.DataFrame
        From :func:`intercluster.ms.assign` (uses ``ion``, ``signal``, ``assigned``).
    resolving_power : float

    Returns
    -------
    matplotlib.figure.Figure
    """
    from intercluster.chem import Ion
    from intercluster.ms import isotope_pattern
    from intercluster.ms.deconvolve import point_spacing

    fig, ax = _figure(ax, (10.0, 4.5))
    x, y = spectrum.mz, spectrum.intensity
    ax.plot(x, y, color="0.3", lw=0.6, label="spectrum")
    w = point_spacing(x)
    top = float(y.max()) or 1.0
    hits = table[table["assigned"]]
    for i, (_, row) in enumerate(hits.iterrows()):
        ion = Ion(row["ion"])
        model = row["signal"] * isotope_pattern(ion).profile(x, resolving_power) * w
        color = f"C{i % 10}"
        ax.plot(x, model, color=color, lw=0.9, alpha=0.8)
        if i < max_labels:
            j = int(np.argmax(model))
            ax.annotate(
                _label(ion),
                (x[j], model[j]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=color,
                rotation=90,
            )
    ax.set_xlabel("m/z [Th]")
    ax.set_ylabel("intensity")
    ax.set_ylim(0, 1.35 * top)
    ax.set_title(f"{Path(spectrum.source).name}: {len(hits)} of {len(table)} candidates assigned")
    return fig


def plot_deconvolution(spectrum, result, ax=None):
    """Spectrum, fitted model and residual of a deconvolution.

    Parameters
    ----------
    spectrum : Spectrum
        The spectrum that was fitted (the fit's grid may be a cropped part of it).
    result : DeconvolutionResult

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure(ax, (10.0, 4.5))
    keep = (spectrum.mz >= result.mz[0]) & (spectrum.mz <= result.mz[-1])
    ax.plot(spectrum.mz[keep], spectrum.intensity[keep], color="0.3", lw=0.6, label="spectrum")
    if len(result.fitted):
        ax.plot(result.mz, result.fitted, color="C3", lw=0.8, label="fit")
        resid = spectrum.intensity[keep] - result.fitted
        ax.plot(
            result.mz,
            resid - 0.05 * float(spectrum.intensity[keep].max()),
            color="C0",
            lw=0.5,
            label="residual (offset)",
        )
    ax.set_xlabel("m/z [Th]")
    ax.set_ylabel("intensity")
    ax.legend(frameon=False, loc="upper right")
    ax.set_title(f"{Path(spectrum.source).name}: residual rms {result.residual_rms:.3g}")
    return fig


def plot_breakdown(curves, ax=None, max_fragments: int = 8):
    """Breakdown curves: survival yield of the precursor and fragment yields vs collision
    energy, with the fitted sigmoid and E50 (like Figure 4 of Acharya et al., J. Phys.
    Chem. C 2025, doi:10.1021/acs.jpcc.4c07077).

    Parameters
    ----------
    curves : BreakdownCurves
        From :func:`intercluster.ms.breakdown.breakdown_curves`.
    max_fragments : int
        Draw the fragments with the largest yields, at most this many.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from intercluster.ms.breakdown import survival_sigmoid

    fig, ax = _figure(ax, (7.5, 4.5))
    t = curves.table
    e = t["collision_energy"].to_numpy()
    ax.errorbar(
        e,
        t["survival"],
        yerr=t["survival_stderr"],
        fmt="o",
        color="k",
        ms=4,
        label=f"{curves.precursor} (survival)",
    )
    fit = curves.fit
    if fit is not None:
        grid = np.linspace(e.min(), e.max(), 400)
        ax.plot(
            grid,
            survival_sigmoid(grid, fit.e50, fit.width),
            color="k",
            lw=1.0,
            label=f"sigmoid: E50 = {fit.e50:.2f} ± {fit.e50_stderr:.2f} eV",
        )
        ax.axvline(fit.e50, color="0.6", lw=0.8, ls="--")
    top = sorted(curves.fragments, key=lambda lab: -float(t[lab].max()))[:max_fragments]
    for i, lab in enumerate(top):
        ax.errorbar(
            e, t[lab], yerr=t[f"{lab}_stderr"], fmt="s-", ms=3, lw=0.8, color=f"C{i}", label=lab
        )
    ax.set_xlabel("collision energy (lab) [eV]")
    ax.set_ylabel("yield (share of precursor + fragments)")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(frameon=False, fontsize=7, loc="center right")
    ax.set_title(f"CID breakdown of {curves.precursor}")
    return fig


def plot_fragment_comparison(table, title: str = "", ax=None):
    """Observed fragment shares (with standard errors) beside predicted ones, as bars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`intercluster.ms.breakdown.compare_fragment_shares`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure(ax, (10.0, 4.0))
    x = np.arange(len(table))
    ax.bar(
        x - 0.2,
        table["observed"],
        0.4,
        yerr=table["observed_stderr"],
        label="observed",
        color="C0",
    )
    ax.bar(x + 0.2, table["predicted"], 0.4, label="predicted (dimer isomers)", color="C1")
    ax.set_xticks(x)
    ax.set_xticklabels(list(table.index), rotation=90, fontsize=7)
    ax.set_ylabel("share of fragment ions")
    ax.legend(frameon=False)
    ax.set_title(title)
    return fig


def save_figure(fig, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Save a figure atomically (nothing half-written); the suffix selects the format."""
    import matplotlib.pyplot as plt

    from intercluster.io import atomic_file

    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
    return path
