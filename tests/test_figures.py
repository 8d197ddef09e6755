"""Figures people read: subscripts in symbols, titles and legends that do not overlap,
one direction of composition axes (number of metal-A atoms increasing, element named),
and axis labels that say what a share is of."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from intercluster import ExchangeSystem, build_network, simulate
from intercluster.network.sites import SiteModel
from intercluster.plot.kinetics import (
    MAX_CONTOUR_TIMES,
    contour_figure,
    distribution_figure,
    tex_name,
)
from intercluster.plot.thermo import le_chatelier_figure, occupancy_figure
from intercluster.thermo.report import summarize
from intercluster.thermo.sites import le_chatelier_series, site_occupancies


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return [t for t in out if t]


@pytest.fixture(scope="module")
def sim():
    net = build_network(ExchangeSystem("Ag", "Au", 6), "sim3")
    ds = simulate(net, "Ag6:Au6 = 40:40", t_end_s=1200, dt_s=1)
    return ds, summarize(ds, net)


def test_rate_constants_are_written_with_subscripts(sim):
    import matplotlib.pyplot as plt

    ds, summary = sim
    for fig in (contour_figure(ds), distribution_figure(ds, summary)):
        fig.canvas.draw()  # mathtext must parse
        texts = " ".join(_texts(fig))
        assert r"k$_\mathrm{dim}$" in texts and r"k$_\mathrm{ex}$" in texts
        assert "k_dim" not in texts and "k_ex" not in texts
        plt.close(fig)
    assert tex_name("k_diss") == r"k$_\mathrm{diss}$" and tex_name("time") == "time"


def test_shares_say_what_they_are_of(sim):
    import matplotlib.pyplot as plt

    ds, summary = sim
    fig = distribution_figure(ds, summary)
    ylabels = [ax.get_ylabel() for ax in fig.axes]
    assert ylabels == ["share of all monomers", "share of all dimers"]
    # and the monomer panel really is normalised within the monomers
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert sum(heights) == pytest.approx(1.0, abs=1e-9)
    plt.close(fig)
    fig = contour_figure(ds)
    assert "intensity: share of all ions" in _texts(fig)
    plt.close(fig)


def test_long_series_are_thinned_for_drawing(sim):
    import matplotlib.pyplot as plt

    ds, _ = sim
    assert ds.sizes["time"] > MAX_CONTOUR_TIMES
    fig = contour_figure(ds)
    xmax = max(ax.get_xlim()[1] for ax in fig.axes[:1])
    assert xmax == pytest.approx(ds.time.values[-1] / 60)  # the last time is kept
    plt.close(fig)


@pytest.fixture(scope="module")
def m7h():
    system = ExchangeSystem("Cu", "Ag", 7, charge=0)
    model = SiteModel.from_spec("top:1,tri:3,cap:3", {"top": 12.6, "tri": 2.6})
    return system, model


def _overlap(a, b) -> bool:
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


@pytest.mark.parametrize("ratios", [["1:1"], ["6:1", "1:1", "1:6"]])
def test_le_chatelier_title_legend_and_panels_do_not_overlap(m7h, ratios):
    import matplotlib.pyplot as plt

    system, model = m7h
    series = le_chatelier_series(model, ratios, system)
    binom = le_chatelier_series(model.with_energies({"top": 0, "tri": 0, "cap": 0}), ratios, system)
    fig = le_chatelier_figure(series, binom, "a title long enough to reach the legend " * 2)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    assert not _overlap(title, legend)
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        assert not _overlap(box, title) and not _overlap(box, legend)
    plt.close(fig)


def test_composition_axes_run_the_same_way_and_name_the_element(m7h):
    """Occupancies and the Le Chatelier series both run [Ag7] -> [Cu7] (metal A = Cu
    increasing), as the kinetics maps run 0 -> N atoms of metal A upwards."""
    import matplotlib.pyplot as plt

    system, model = m7h
    labels = [system.label(s) for s in system.monomers]
    assert labels[0] == "[Ag7]" and labels[-1] == "[Cu7]"
    series = le_chatelier_series(model, ["2:1"], system)
    assert series.columns[0] == "[Cu7]"  # the paper's table order is kept in the data
    fig = le_chatelier_figure(series)
    ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    assert ticks == labels
    bars = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_allclose(bars, series.loc["2:1"].to_numpy()[::-1])
    assert "Cu" in fig.axes[-1].get_xlabel()
    plt.close(fig)
    occ = site_occupancies(model)
    fig = occupancy_figure(occ, model.names, labels)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert "Cu" in ax.get_ylabel() and "metal A" not in ax.get_ylabel()
    # the occupancy of every class rises from 0 ([Ag7]) to 1 ([Cu7])
    for line in ax.get_lines()[: len(model.names)]:
        y = line.get_ydata()
        assert y[0] == pytest.approx(0.0) and y[-1] == pytest.approx(1.0)
    plt.close(fig)
