"""NMR figures: hydride isotopomer multiplets (Figure 1c / S2 of Zhong et al., Dalton
Trans. 2021) and simulated 2D EXSY spectra (Figure 4)."""

from __future__ import annotations

import numpy as np

from intercluster.plot.kinetics import _plt

__all__ = ["exsy_figure", "exsy_spectrum", "multiplet_figure"]


def multiplet_figure(
    ppm, intensity, multiplet, shift_ppm: float, field_1h_mhz: float, title: str | None = None
):
    """A multiplet: the Lorentzian spectrum and, below it, its stick lines (ppm axis
    reversed, as chemists draw spectra).

    Parameters
    ----------
    ppm, intensity : arrays, shape (n,)
        From :meth:`intercluster.nmr.multiplets.Multiplet.spectrum`.
    multiplet : Multiplet
    shift_ppm, field_1h_mhz : float
        The centre [ppm] and spectrometer 1H frequency [MHz] the spectrum was made with.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
    ax.plot(ppm, intensity, color="k", lw=1)
    nu0 = multiplet.frequency_mhz(field_1h_mhz)
    scale = 0.3 * float(intensity.max()) / float(multiplet.intensities.max())
    ax.vlines(
        shift_ppm + multiplet.offsets_hz / nu0,
        0,
        -scale * multiplet.intensities,
        color="tab:blue",
        lw=1,
    )
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_xlim(ppm.max(), ppm.min())
    ax.set_xlabel(f"{multiplet.nucleus} chemical shift [ppm] ({nu0:.1f} MHz)")
    ax.set_yticks([])
    ax.text(
        0.01,
        0.97,
        f"{multiplet.n_ag} Ag: J($^{{107}}$Ag) {multiplet.j107_hz:.2f} Hz, J($^{{109}}$Ag) "
        f"{multiplet.j109_hz:.2f} Hz\n{len(multiplet.offsets_hz)} lines (sticks below)",
        transform=ax.transAxes,
        va="top",
        fontsize=8,
    )
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def exsy_spectrum(volumes, shifts_ppm, width_ppm: float, n_points: int = 400):
    """A simulated 2D EXSY spectrum: sum_ij V[i, j] L(F2 - delta_i) L(F1 - delta_j)
    with Lorentzians of full width ``width_ppm``.

    Parameters
    ----------
    volumes : array, shape (n, n)
        Peak volumes, row = detected (F2), column = labelled (F1).
    shifts_ppm : array, shape (n,)
    width_ppm : float

    Returns
    -------
    (axis, spectrum) : ndarray (n_points,), ndarray (n_points, n_points)
        spectrum[a, b] at F2 = axis[a], F1 = axis[b].
    """
    d = np.asarray(shifts_ppm, dtype=float)
    pad = 4 * width_ppm
    axis = np.linspace(d.min() - pad, d.max() + pad, n_points)
    half = width_ppm / 2
    lor = half / np.pi / ((axis[:, None] - d[None, :]) ** 2 + half**2)  # (points, n)
    return axis, lor @ np.asarray(volumes) @ lor.T


def exsy_figure(ds, shifts_ppm=None, width_ppm: float | None = None, min_population=0.0):
    """Contour plots of simulated 2D EXSY spectra, one per mixing time (Figure 4 of Zhong et al.
    2021).

    Each peak is drawn with its volume relative to the geometric mean of its two
    diagonal peaks at zero mixing time (:func:`intercluster.nmr.exsy.normalized_volumes`),
    so that the minor species are as visible as the major ones; the lowest contour is
    the visibility threshold of ``ds`` and the red squares mark the visible cross peaks.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`intercluster.nmr.exsy.simulate_exsy`.
    shifts_ppm : array, shape (n_species,), optional
        Chemical shifts; default: the species evenly spaced by composition, labelled.
    width_ppm : float, optional
        Line width; default 1/6 of the smallest spacing between shifts.
    min_population : float
        Species below this fraction of all clusters are left out (not observed).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    pops = ds.population.values
    keep = pops >= min_population * pops.sum()
    labels = [lab for lab, k in zip(ds.species.values, keep) if k]
    if shifts_ppm is None:
        shifts = np.arange(len(labels), dtype=float)
        axis_name = "species"
    else:
        shifts = np.asarray(shifts_ppm, dtype=float)[keep]
        axis_name = "shift [ppm]"
    gaps = np.diff(np.sort(shifts))
    gaps = gaps[gaps > 0]
    if width_ppm is None:
        width_ppm = (gaps.min() if len(gaps) else 1.0) / 6
    times = ds.mixing_time.values
    threshold = float(ds.attrs["threshold"])
    levels = threshold * np.geomspace(1.0, 1.0 / threshold, 9)
    # a Lorentzian of full width w peaks at 2/(pi w): scale so a peak's height is its volume
    peak = (2 / (np.pi * width_ppm)) ** 2
    fig, axes = plt.subplots(
        1,
        len(times),
        figsize=(5.0 * len(times) + 0.8, 5.0),
        constrained_layout=True,
        squeeze=False,
    )
    for ax, t in zip(axes[0], times):
        V = ds.normalized.sel(mixing_time=t).values[np.ix_(keep, keep)]
        axis, spec = exsy_spectrum(np.nan_to_num(V), shifts, width_ppm, n_points=500)
        cs = ax.contour(
            axis,
            axis,
            spec / peak,
            levels=levels,
            cmap="viridis",
            linewidths=0.9,
            norm=_log_norm(levels),
        )
        cp = ds.cross_peak.sel(mixing_time=t).values[np.ix_(keep, keep)]
        for i, j in zip(*np.nonzero(cp)):
            ax.plot(shifts[j], shifts[i], "s", mfc="none", mec="tab:red", ms=13, mew=0.9)
        ax.set_xlim(axis.max(), axis.min())
        ax.set_ylim(axis.max(), axis.min())
        ax.set_aspect("equal")
        ax.set_title(
            f"mixing time {t * 1000:g} ms: {int(cp.sum()) // 2} cross-peak pairs", fontsize=10
        )
        if shifts_ppm is None:
            ax.set_xticks(shifts)
            ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
            ax.set_yticks(shifts)
            ax.set_yticklabels(labels, fontsize=7)
        ax.set_xlabel(f"F1: {axis_name}")
        ax.set_ylabel(f"F2: {axis_name}")
    cbar = fig.colorbar(cs, ax=axes[0], shrink=0.8)
    cbar.minorticks_off()
    cbar.set_ticks(levels)
    cbar.set_ticklabels([f"{x:.2g}" for x in levels])
    cbar.ax.tick_params(labelsize=8)
    cbar.set_label(
        f"volume / diagonal at t$_\\mathrm{{m}}$ = 0 (lowest contour: threshold {threshold:g})",
        fontsize=8,
    )
    return fig


def _log_norm(levels):
    from matplotlib.colors import LogNorm

    return LogNorm(vmin=float(levels[0]), vmax=float(levels[-1]))
