"""Many candidates and multi-family observables: the NNLS used for thousands of ions,
the grouped covariance, and spectra -> observables from a grouping of ions.

Families and ions after Lin et al., Chem. Sci. 2022 (doi:10.1039/d1sc06296d):
[Au_x Ag_(44-x)(p-MBA)30]4- and [Au_x Ag_(44-x)(p-MBA)26]2-, each seen at several
charge states (H+ removed) and with Na+ in place of H+.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse

from intercluster.chem import Ion
from intercluster.ms import (
    Spectrum,
    charge_state_series,
    group_candidates,
    spectra_to_observables,
)
from intercluster.ms.deconvolve import Deconvolver, candidate_window, nnls_gram
from intercluster.ms.timeseries import group_fractions

NA = next(iter(Ion("[Ag + Na]").adducts))
H = next(iter(Ion("[Ag + H]").adducts))


def with_sodium(ion: Ion, k: int) -> Ion:
    adducts = dict(ion.adducts)
    adducts[NA] = adducts.get(NA, 0) + k
    adducts[H] = adducts.get(H, 0) - k
    return Ion.from_parts(
        ion.atoms, ion.ligands, {a: n for a, n in adducts.items() if n}, ion.charge
    )


@pytest.mark.parametrize("seed", range(6))
def test_nnls_gram_equals_scipy_nnls(seed):
    rng = np.random.default_rng(seed)
    n, k = 120, 40
    A = np.abs(rng.normal(size=(n, k))) * (rng.uniform(size=(n, k)) < 0.3)
    A += 0.01 * np.eye(n, k)
    x_true = np.where(rng.uniform(size=k) < 0.5, rng.uniform(size=k), 0.0)
    y = A @ x_true + rng.normal(0, 0.05, n)
    ref, _ = scipy.optimize.nnls(A, y)
    G = A.T @ A
    for gram in (G, scipy.sparse.csc_matrix(G)):
        got = nnls_gram(gram, A.T @ y)
        assert np.all(got >= 0)
        assert got == pytest.approx(ref, abs=1e-9 * max(1.0, ref.max()))


@pytest.fixture(scope="module")
def two_families():
    groups = {}
    for n_lig, q in ((30, -4), (26, -2)):
        for x in (0, 1, 2, 3):
            metals = {k: v for k, v in (("Au", x), ("Ag", 44 - x)) if v}
            base = Ion.from_parts(metals, {"p-MBA": n_lig}, charge=q)
            ions = []
            for cand in charge_state_series(base, [-2, -3, -4], "H"):
                ions += [with_sodium(cand.ion, k) for k in range(13)]
            groups[str(base)] = ions
    cset = group_candidates(groups)
    lo, hi = candidate_window(cset.candidates)
    step = 1.0 / (25_000 * 5)
    grid = lo * np.exp(step * np.arange(int(np.log(hi / lo) / step) + 1))
    return cset, grid


def test_grouped_fit_matches_the_full_covariance(two_families):
    """More than 300 ions (block principal pivoting); the observables' covariance from
    the sparse solves equals G C G^T of the full candidate covariance."""
    cset, grid = two_families
    k = len(cset.candidates)
    assert k > 300
    dec = Deconvolver(cset.candidates, grid)
    rng = np.random.default_rng(1)
    truth = np.where(rng.uniform(size=k) < 0.3, rng.uniform(size=k), 0.0)
    lam = 1e6 * (dec.A[:, :k] @ (truth / truth.sum())) + 5
    spec = Spectrum(grid, np.clip(rng.poisson(lam) + rng.normal(0, 2, len(lam)), 0, None))
    full = dec.fit(spec)
    P = cset.grouping_matrix()
    grouped = dec.fit(spec, grouping=P)
    assert grouped.abundance == pytest.approx(full.abundance, rel=1e-9, abs=1e-9)
    expected = P @ full.covariance @ P.T
    assert grouped.group_covariance == pytest.approx(expected, rel=1e-6, abs=1e-9 * expected.max())
    f_full, e_full = group_fractions(full, P)
    f_grp, e_grp = group_fractions(grouped, P)
    assert f_grp == pytest.approx(f_full, rel=1e-9)
    assert e_grp == pytest.approx(e_full, rel=1e-6)
    # the observables are recovered: each is the sum of its ions
    obs_true = P @ truth / truth.sum()
    assert np.abs(f_grp - obs_true).max() < 0.01
    assert np.abs(f_grp - obs_true).max() < 5 * e_grp.max()


def test_spectra_to_observables_with_a_grouping(two_families):
    cset, grid = two_families
    k = len(cset.candidates)
    dec = Deconvolver(cset.candidates, grid, baseline="none")
    P = cset.grouping_matrix()
    rng = np.random.default_rng(2)
    spectra, truths = [], []
    for t in (60.0, 600.0):
        share = rng.uniform(size=k) * (rng.uniform(size=k) < 0.5)
        truths.append(P @ share / share.sum())
        lam = 1e6 * (dec.A[:, :k] @ (share / share.sum())) + 5
        spectra.append(Spectrum(grid, rng.poisson(lam).astype(float), t))
    series = spectra_to_observables(spectra, candidates=cset)
    labels = list(cset.observable_labels)
    assert list(series.observables.columns) == ["time_s", *labels]
    got = series.observables[labels].to_numpy()
    assert got.sum(axis=1) == pytest.approx(1.0)
    assert np.abs(got - np.array(truths)).max() < 0.01
    assert list(series.ions.columns[1:]) == [c.label for c in cset.candidates]
    assert series.ions.iloc[:, 1:].sum(axis=1).to_numpy() == pytest.approx(1.0)
