"""Competing assignment: presence decided jointly by the non-negative deconvolution.

Overlaps resolved: an ion and its protonated form at 3- (1/3 Th apart, the
[Ag54(BDT)12(DMBT)18 + H]3- ion of Acharya et al., J. Phys. Chem. C 2025,
doi:10.1021/acs.jpcc.4c07077), and a monoanion, dianion and trianion at one m/z
(Neumaier et al., JACS 2021, 143, 6969, Figure 1 and Figure S2).
"""

from __future__ import annotations

import pytest

from intercluster.errors import ConfigError
from intercluster.ms import (
    assign,
    candidates_from_ions,
    deconvolve,
    default_candidates,
    default_mz_grid,
    synthetic_spectrum,
)

PLUS_H = ["[Ag54(BDT)12(DMBT)18 + H]3-", "[Ag54(BDT)12(DMBT)18]3-"]


@pytest.fixture(scope="module")
def plus_h():
    cands = candidates_from_ions(PLUS_H)
    return cands, default_mz_grid(cands)


def test_protonated_ion_alone_is_not_also_read_as_the_bare_ion(plus_h):
    cands, grid = plus_h
    spec = synthetic_spectrum(cands, [1.0, 0.0], grid, seed=1)
    table = assign(spec, cands)
    bare = table.iloc[1]
    # one candidate at a time the bare ion looks present (its pattern overlaps) ...
    assert bare["similarity"] > 0.99
    # ... jointly it is not
    assert not bare["present"] and not bare["assigned"]
    assert bare["signal"] < 3 * bare["signal_stderr"]
    top = table.iloc[0]
    assert top["present"] and top["assigned"] and top["fraction"] > 0.95
    assert abs(top["error_ppm"]) < 2 and top["similarity_joint"] > 0.99
    # the same fit as `deconvolve`, and the residual is reported (at the noise level)
    res = deconvolve(spec, cands)
    assert table["signal"].to_numpy() == pytest.approx(res.abundance, rel=1e-6)
    assert table.attrs["residual_rms"] == pytest.approx(res.residual_rms)
    assert table.attrs["residual_rms"] < 3 * table.attrs["noise_sd"] + 0.05 * spec.intensity.std()


@pytest.mark.parametrize("share", [0.3, 0.6])
def test_both_forms_present_when_both_are_there(plus_h, share):
    cands, grid = plus_h
    spec = synthetic_spectrum(cands, [share, 1 - share], grid, seed=4)
    table = assign(spec, cands)
    assert table["present"].all() and table["assigned"].all()
    f, se = table["fraction"].to_numpy(), table["signal_stderr"] / table["signal"].sum()
    assert abs(f[0] - share) < 3 * se.iloc[0] + 0.01


def test_monoanion_dianion_trianion_at_one_mz(agau):
    """[AgAu24]- with [Ag3Au72]3- at the same m/z: the dianion [Ag2Au48]2- between them
    scores high alone but is not present; the true pair is."""
    pair = candidates_from_ions(["[AgAu24(SR)18]-", "[Ag3Au72(SR)54]3-"])
    spec = synthetic_spectrum(pair, [0.5, 0.5], default_mz_grid(pair), seed=1)
    table = assign(spec, default_candidates(agau)).set_index("label")
    assert set(table.index[table["present"]]) == {"[AgAu24]-", "[Ag3Au72]3-"}
    assert set(table.index[table["assigned"]]) == {"[AgAu24]-", "[Ag3Au72]3-"}
    assert table.loc["[Ag2Au48]2-", "similarity"] > 0.8  # the one-at-a-time rule took it
    assert table.loc["[AgAu24]-", "fraction"] == pytest.approx(0.5, abs=0.01)


def test_thresholds_are_settable(plus_h):
    cands, grid = plus_h
    spec = synthetic_spectrum(cands, [0.9, 0.1], grid, seed=2)
    assert assign(spec, cands)["present"].tolist() == [True, True]
    assert assign(spec, cands, min_fraction=0.2)["present"].tolist() == [True, False]
    assert assign(spec, cands, n_sigma=1e6)["present"].tolist() == [False, False]
    for kwargs in ({"n_sigma": -1}, {"min_fraction": 1.5}, {"baseline": "cubic"}):
        with pytest.raises(ConfigError, match=next(iter(kwargs))):
            assign(spec, cands, **kwargs)


def test_absent_candidates_everywhere_are_not_present(agau):
    """A noise-only spectrum: nothing is present (no false positives from the 3 SE rule)."""
    cands = candidates_from_ions(["[AgAu24(SR)18]-"])
    grid = default_mz_grid(cands)
    spec = synthetic_spectrum(cands, [1.0], grid, total_counts=1.0, seed=3)  # ~1 ion: noise
    table = assign(spec, default_candidates(agau))
    assert table["present"].sum() <= 1
    assert not table["assigned"].any()
