"""Figures of simulations seen through an observation model (general models):
intensities per observable and per observed ion over time, and a concentration scan
(Acharya et al., J. Phys. Chem. C 2025, doi:10.1021/acs.jpcc.4c07077, Figure S15)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from intercluster.plot.kinetics import _plt

__all__ = ["concentration_scan_figure", "observed_figure"]


def _time_axis(t_s: np.ndarray) -> tuple[np.ndarray, str]:
    t_end = float(t_s[-1]) if len(t_s) else 0.0
    if t_end >= 4 * 3600:
        return t_s / 3600.0, "time [h]"
    if t_end >= 600:
        return t_s / 60.0, "time [min]"
    return t_s, "time [s]"


def observed_figure(ds, min_share: float = 1e-3):
    """Normalised intensities over time: per observable (left) and, if the result went
    through an observation model, per observed ion (right).

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`intercluster.kinetics.simulate` (general network), optionally
        through :func:`intercluster.kinetics.observed.apply_observation`.
    min_share : float
        Lines whose maximum stays below this intensity are not drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    observed = "observed_ion_intensity" in ds
    fig, axes = plt.subplots(1, 2 if observed else 1, figsize=(12 if observed else 6.5, 4.2))
    axes = np.atleast_1d(axes)
    t, tlabel = _time_axis(ds.time.values)
    panels = [("observable", ds.intensity, "species (sum of their ions)")]
    if observed:
        panels.append(("observed_ion", ds.observed_ion_intensity, "observed ions"))
    for ax, (dim, var, title) in zip(axes, panels):
        for k, label in enumerate(ds[dim].values):
            y = var.values[:, k]
            if np.nanmax(y) >= min_share:
                ax.plot(t, y, label=str(label))
        ax.set_xlabel(tlabel)
        ax.set_ylabel("intensity (normalised to the total ion signal)")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def concentration_scan_figure(
    conc_nM: Sequence[float],
    values: np.ndarray,
    labels: Sequence[str],
    xlabel: str = "[Ag29] at mixing [nmol/L]",
    ylabel: str = "dimer ions, share of the total ion signal",
    logy: bool = False,
):
    """A quantity against an initial concentration, one line per label (times or metals).

    Parameters
    ----------
    conc_nM : sequence of float, length n
    values : array, shape (n, n_lines)
    labels : sequence of str, length n_lines
    xlabel, ylabel : str
    logy : bool
        Logarithmic y axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    values = np.asarray(values, dtype=float)
    for k, label in enumerate(labels):
        ax.plot(conc_nM, values[:, k], marker="o", label=str(label))
    ax.set_xscale("log")
    ax.set_xticks(list(conc_nM), [f"{c:g}" for c in conc_nM])
    ax.xaxis.set_minor_locator(_plt().NullLocator())
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
