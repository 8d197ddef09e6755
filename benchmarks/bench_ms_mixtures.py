"""Benchmark: a multi-family ESI-MS time series to observables (not part of the tests).

A 60-spectrum series shaped like the Au44/Ag44 inter-cluster reaction of Lin et al.,
Chem. Sci. 2022 (doi:10.1039/d1sc06296d; Fig. 2-3): three framework families
[Au_x Ag_(44-x)(p-MBA)30]4-, [Au_x Ag_(44-x)(p-MBA)27]3- and [Au_x Ag_(44-x)(p-MBA)26]2-
(x = 0..44; 135 solution species), each seen at 2-, 3- and 4- (H+ removed or added)
with 0..4 Na+ in place of H+ (15 ions per species, 2,025 candidate ions). The
observables are the solution species (sums of their ions), as a multi-family kinetic
model would read them.

Timed (goal: under 2 minutes on 2 cores): reading the series from one mzML file,
isotope patterns of all 2,025 ions (cold cache), the design matrix, 60 fits with
2 worker processes, normalisation to 135 observables with standard errors.

Compared in the same run:
- one spectrum's NNLS by SciPy ``nnls`` (dense Lawson-Hanson, the single-system path)
  against block principal pivoting on the sparse Gram matrix (ours for > 300 ions);
- the existing single-system path: 60 Ag/Au N = 25 spectra, 77 observables + 76 trimers.

Run: python benchmarks/bench_ms_mixtures.py [--spectra 60] [--jobs 2] [--skip-scipy]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.optimize

from intercluster.chem import Ion
from intercluster.ms import (
    Spectrum,
    charge_state_series,
    group_candidates,
    read_spectra,
    spectra_to_observables,
    synthesize_series,
)
from intercluster.ms.deconvolve import Deconvolver, candidate_window, nnls_gram
from intercluster.ms.mzml import write_mzml
from intercluster.ms.patterns import _pattern_cached
from intercluster.network.system import ExchangeSystem

R = 25_000.0
FAMILIES = ((30, -4), (27, -3), (26, -2))  # (p-MBA count, native charge)
CHARGES = (-2, -3, -4)
MAX_NA = 4
POINTS_PER_FWHM = 6.0


def _adduct(name: str):
    return next(iter(Ion(f"[Ag + {name}]").adducts))


NA, H = _adduct("Na"), _adduct("H")


def with_sodium(ion: Ion, k: int) -> Ion:
    """``ion`` with k Na+ in place of k H+ (same charge): [M + kNa - kH]."""
    adducts = dict(ion.adducts)
    adducts[NA] = adducts.get(NA, 0) + k
    adducts[H] = adducts.get(H, 0) - k
    adducts = {a: n for a, n in adducts.items() if n}
    return Ion.from_parts(ion.atoms, ion.ligands, adducts, ion.charge, ion.subunits)


def species_ions():
    """Solution species label -> its 15 ions, and the observation weights of each ion."""
    groups, weights = {}, {}
    for n_lig, q in FAMILIES:
        for x in range(45):
            metals = {k: v for k, v in (("Au", x), ("Ag", 44 - x)) if v}
            base = Ion.from_parts(metals, {"p-MBA": n_lig}, charge=q)
            ions, w = [], []
            for cand in charge_state_series(base, list(CHARGES), "H"):
                z_w = 1.0 if cand.ion.charge == q else 0.3  # native charge state strongest
                for k in range(MAX_NA + 1):
                    ions.append(with_sodium(cand.ion, k))
                    w.append(z_w * 0.5**k)  # fewer Na+ adducts are more likely
            groups[str(base)] = ions
            weights[str(base)] = np.array(w) / sum(w)
    return groups, weights


def truth_series(labels, n_spectra, seed=0):
    """Species shares over 20 h: Au enters the Ag44 framework (4-), the 3- family grows,
    Ag enters Au44 (2-)."""
    rng = np.random.default_rng(seed)
    times = np.linspace(60.0, 72_000.0, n_spectra)
    rows = []
    x = np.arange(45)
    for t in times:
        u = t / times[-1]
        fam = []
        for centre, width, amount in (
            (1 + 10 * u, 1.5 + 2 * u, 1.0 - 0.4 * u),  # [Au_x Ag_(44-x)(p-MBA)30]4-
            (21.0, 2.0 + u, 0.1 + 0.5 * u),  # (p-MBA)27 3-
            (44 - 4 * u, 0.8 + 1.5 * u, 0.6),  # (p-MBA)26 2-
        ):
            d = np.exp(-0.5 * ((x - centre) / width) ** 2)
            d[d < 1e-3 * d.max()] = 0.0
            fam.append(amount * d / d.sum())
        v = np.concatenate(fam) * rng.uniform(0.9, 1.1, 135)
        rows.append([t, *(v / v.sum())])
    return pd.DataFrame(rows, columns=["time_s", *labels])


def log_grid(lo, hi):
    step = 1.0 / (R * POINTS_PER_FWHM)
    return lo * np.exp(step * np.arange(int(np.log(hi / lo) / step) + 1))


def make_spectra(cset, weights, truth, grid, seed=1):
    dec = Deconvolver(cset.candidates, grid, R, baseline="none")
    A = dec.A[:, : len(cset.candidates)]
    rng = np.random.default_rng(seed)
    spectra = []
    for _, row in truth.iterrows():
        share = np.concatenate([row[lab] * weights[lab] for lab in cset.groups])
        lam = 1e7 * (A @ share) + 5.0
        y = rng.poisson(lam) + rng.normal(0.0, 2.0, len(lam))
        spectra.append(Spectrum(grid, np.clip(y, 0, None), float(row["time_s"]), "synthetic"))
    return spectra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectra", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-scipy", action="store_true", help="skip the SciPy nnls timing")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    groups, weights = species_ions()
    labels = list(groups)
    cset = group_candidates(groups)  # an observable = the sum of its ions' signals
    n_ions = len(cset.candidates)
    lo, hi = candidate_window(cset.candidates, R)
    grid = log_grid(lo, hi)
    truth = truth_series(labels, args.spectra)
    t0 = time.perf_counter()
    spectra = make_spectra(cset, weights, truth, grid)
    t_make = time.perf_counter() - t0
    print(
        f"series: {len(spectra)} spectra, {len(grid):,} points each ({lo:.0f}-{hi:.0f} Th, "
        f"R = {R:,.0f}, {POINTS_PER_FWHM:g} points/FWHM), {len(labels)} species, "
        f"{n_ions:,} candidate ions (made in {t_make:.1f} s, not timed)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = write_mzml(spectra, Path(tmp) / "series.mzML")
        _pattern_cached.cache_clear()
        t0 = time.perf_counter()
        read = read_spectra(path)
        t_read = time.perf_counter() - t0
        series = spectra_to_observables(read, candidates=cset, n_jobs=args.jobs)
        t_total = time.perf_counter() - t0
    got = series.observables[labels].to_numpy()
    err = np.abs(got - truth[labels].to_numpy())
    se = series.stderr[labels].to_numpy()
    big = truth[labels].to_numpy() > 0.005
    print(
        f"[1] mzML -> {len(labels)} observables, {args.jobs} process(es): {t_total:6.1f} s "
        f"({t_read:.1f} s reading)   goal < 120 s on 2 cores"
    )
    print(
        f"    max |error| {err.max():.4f}; median |error|/stderr over shares > 0.005: "
        f"{np.median(err[big] / se[big]):.2f}"
    )
    # one spectrum: our NNLS against SciPy's on the same normal equations
    dec = Deconvolver(cset.candidates, grid, R)
    c = dec._AsT @ spectra[len(spectra) // 2].intensity
    t0 = time.perf_counter()
    z_bpp = nnls_gram(dec._G_sparse, c)
    t_bpp = time.perf_counter() - t0
    print(f"[2] one spectrum's NNLS, {len(c)} columns: block principal pivoting {t_bpp:.3f} s")
    if not args.skip_scipy:
        L = scipy.linalg.cholesky(dec._G_sparse.toarray(), lower=True)
        d = scipy.linalg.solve_triangular(L, c, lower=True)
        t0 = time.perf_counter()
        z_sp, _ = scipy.optimize.nnls(L.T, d, maxiter=50 * len(d))
        t_sp = time.perf_counter() - t0
        diff = np.abs(z_sp - z_bpp).max() / np.abs(z_sp).max()
        print(
            f"    SciPy nnls (dense Lawson-Hanson)                : {t_sp:.3f} s "
            f"(ratio {t_bpp / t_sp:.4f}; solutions agree to {diff:.1e})"
        )
    # the existing single-system path, same number of spectra
    system = ExchangeSystem("Ag", "Au", 25)
    rng = np.random.default_rng(0)
    obs = list(system.observable_labels)
    rows = [[60.0 * (i + 1), *rng.dirichlet(np.ones(77))] for i in range(args.spectra)]
    agau = synthesize_series(pd.DataFrame(rows, columns=["time_s", *obs]), system, seed=1)
    for trimers in (False, True):
        _pattern_cached.cache_clear()
        t0 = time.perf_counter()
        spectra_to_observables(agau, system, n_jobs=args.jobs, trimers=trimers)
        t_sys = time.perf_counter() - t0
        what = "77 observables + 76 trimers" if trimers else "77 observables"
        print(f"[3] single system (Ag/Au, N = 25, {len(agau[0]):,} points), {what}: {t_sys:6.1f} s")


if __name__ == "__main__":
    main()
