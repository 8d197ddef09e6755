"""Figures of mass spectra: isotope patterns, assignments, deconvolutions.

Every function returns a matplotlib Figure and draws nothing it does not get
from :mod:`intercluster.ms`; :func:`save_figure` writes it atomically (the
format follows the suffix: .png, .svg, .pdf).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["plot_assignment", "plot_deconvolution", "plot_pattern", "save_figure"]


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


def save_figure(fig, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Save a figure atomically (nothing half-written); the suffix selects the format."""
    import matplotlib.pyplot as plt

    from intercluster.io import atomic_file

    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
    return path
