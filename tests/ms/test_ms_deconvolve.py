"""Deconvolution: monoanion vs co-located dianion, standard errors, errors."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster.errors import ConfigError, DataError
from intercluster.ms import (
    Deconvolver,
    Spectrum,
    candidates_from_ions,
    deconvolve,
    synthetic_spectrum,
)

PAIR = ["[Ag12Au13(SR)18]-", "[Ag24Au26(SR)36]2-"]  # same m/z (002, Figure 1b-d)


@pytest.fixture(scope="module")
def pair():
    cands = candidates_from_ions(PAIR)
    grid = np.arange(6300.0, 6352.0, 0.025)
    return cands, grid, Deconvolver(cands, grid)


@pytest.mark.parametrize("x_mono", [0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
def test_monoanion_and_dianion_at_the_same_mz_are_separated(pair, x_mono):
    cands, grid, dec = pair
    spec = synthetic_spectrum(cands, [x_mono, 1 - x_mono], grid, total_counts=2e5, seed=7)
    f, err = dec.fit(spec).fractions()
    assert f[0] == pytest.approx(x_mono, abs=0.01)
    assert f[1] == pytest.approx(1 - x_mono, abs=0.01)
    assert np.all(err < 0.01)


def test_separation_relies_on_the_half_integer_peaks(pair):
    """Fitting the dianion-only spectrum with the monoanion alone leaves the half-integer
    peaks unexplained: the residual is far above the noise; with both candidates it is not."""
    cands, grid, dec = pair
    spec = synthetic_spectrum(cands, [0.0, 1.0], grid, total_counts=2e5, seed=3)
    both = dec.fit(spec)
    mono_only = Deconvolver(cands[:1], grid).fit(spec)
    assert mono_only.residual_rms > 5 * both.residual_rms


def test_noise_free_spectrum_is_recovered_exactly(pair):
    cands, grid, dec = pair
    spec = synthetic_spectrum(cands, [0.25, 0.75], grid, total_counts=None)
    res = dec.fit(spec)
    assert res.fractions()[0] == pytest.approx([0.25, 0.75], abs=1e-6)
    assert res.abundance.sum() == pytest.approx(1.0, abs=1e-4)  # area = ion signal


def test_standard_errors_are_calibrated(pair):
    cands, grid, dec = pair
    z = []
    for seed in range(30):
        spec = synthetic_spectrum(cands, [0.4, 0.6], grid, total_counts=5e4, seed=seed)
        f, err = dec.fit(spec).fractions()
        z.append((f[0] - 0.4) / err[0])
    assert 0.6 < np.std(z) < 1.6


def test_deconvolve_crops_and_reports_out_of_range():
    cands = candidates_from_ions([*PAIR, "[Au25(PET)18]-"])
    grid = np.arange(6000.0, 6400.0, 0.025)  # [Au25]- (7394) is outside
    spec = synthetic_spectrum(cands[:2], [0.5, 0.5], grid, seed=1)
    res = deconvolve(spec, cands)
    assert res.mz[0] > 6000.0 and res.mz[-1] < 6400.0  # cropped to the patterns
    assert not res.in_range[2] and np.isnan(res.abundance[2])
    frame = res.to_frame()
    assert frame["fraction"].iloc[:2].sum() == pytest.approx(1.0)
    assert list(frame.columns) == [
        "label",
        "ion",
        "charge",
        "abundance",
        "stderr",
        "fraction",
        "fraction_stderr",
    ]


def test_efficiency_correction(pair):
    cands, grid, dec = pair
    eff = {PAIR[0]: 1.0, PAIR[1]: 0.5}  # dianions ionised half as well
    spec = synthetic_spectrum(cands, [0.5, 0.5], grid, efficiency=eff, total_counts=None)
    assert dec.fit(spec).fractions()[0] == pytest.approx([2 / 3, 1 / 3], abs=1e-6)
    assert dec.fit(spec).fractions(eff)[0] == pytest.approx([0.5, 0.5], abs=1e-6)
    with pytest.raises(ConfigError, match="not candidates"):
        dec.fit(spec).fractions({"[Ag99]-": 1.0})


def test_errors(pair):
    cands, grid, dec = pair
    with pytest.raises(ConfigError, match="no candidate's isotope pattern"):
        Deconvolver(cands, np.arange(100.0, 200.0, 0.1))
    with pytest.raises(ConfigError, match="appears twice"):
        Deconvolver([cands[0], cands[0]], grid)
    with pytest.raises(ConfigError, match="baseline"):
        Deconvolver(cands, grid, baseline="spline")
    with pytest.raises(DataError, match="differ from the grid"):
        dec.fit(Spectrum(grid + 0.001, np.ones(len(grid))))
    with pytest.raises(DataError, match="no candidate signal"):
        dec.fit(np.zeros(len(grid))).fractions()
    with pytest.raises(ConfigError, match="outside the spectrum"):
        deconvolve(Spectrum([100.0, 101.0], [1.0, 1.0]), cands)


def test_baseline_subtracted_spectrum_is_fitted_as_it_is(pair):
    """A spectrum whose baseline was subtracted has negative noise values: accepted and
    used as they are (least squares), giving the same fractions as the raw spectrum."""
    cands, grid, dec = pair
    raw = synthetic_spectrum(cands, [0.3, 0.7], grid, total_counts=2e5, seed=11)
    subtracted = Spectrum(raw.mz, raw.intensity - np.median(raw.intensity), source="sub")
    assert (subtracted.intensity < 0).sum() > 100
    f_sub, err = dec.fit(subtracted).fractions()
    assert f_sub[0] == pytest.approx(0.3, abs=0.01) and np.all(err < 0.01)
