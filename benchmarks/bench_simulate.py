"""The public ``simulate`` against the C solver alone: what the wrapper costs.

N = 25, sim3 (Table 1 constants of Neumaier et al., J. Am. Chem. Soc. 2021, 143, 6969),
Ag25:Au25 = 40:40 nmol/L, dead time 20 s, outputs every second to 3600 s (3601
times), rtol 1e-8, atol 1e-12 nmol/L.

- ``CompiledNetwork.integrate``: the C BDF solver with its output array (the floor of
  any wrapper);
- ``integrate(observation=...)``: the solver that also observes its output rows (what
  ``simulate`` calls);
- ``simulate``: the public function (validation, initial concentrations from the
  mixture string, the solver, observables, normalised intensities, t_max, conservation
  drift, the labelled xarray Dataset).

The observing solver sums each output row into the 77 observables, normalises them,
tracks the grid maxima and the smallest concentration, and sums the atoms of each metal
(for the conservation drift), four rows at a time while they are in cache.

The three are timed interleaved (one of each per round, so that load on a shared machine
hits both alike); the overhead is the median over the rounds of simulate's time over the
solver's in the same round, minus one (target < 15 %), printed with its quartiles and
with the ratios of the medians and of the minima.
The parts of the overhead are then timed one by one on the solver's output.

Run:  python benchmarks/bench_simulate.py [--repeat 41]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import median_time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=41)
    args = ap.parse_args()

    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics import initial_concentrations, simulate
    from intercluster.kinetics.observables import observe, t_max
    from intercluster.kinetics.simulate import (
        _core_data,
        _observation,
        _single_family_template,
        compile_network,
    )

    mix = "Ag25:Au25 = 40:40"
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    cn = compile_network(net)
    y0 = initial_concentrations(net.system, mix)
    times = np.arange(0.0, 3601.0)
    kw = {"rtol": 1e-8, "atol": 1e-12}

    def solver():
        return cn.integrate(y0, 20.0 + times, 3620.0, **kw)

    def public():
        return simulate(net, mix, t_end_s=3600, dead_time_s=20, dt_s=1.0, rtol=1e-8, atol_nM=1e-12)

    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    plan = _observation(net)  # what simulate gives the solver

    def observing_solver():
        return cn.integrate(y0, 20.0 + times, 3620.0, observation=plan, **kw)

    contenders = {
        "CompiledNetwork.integrate": solver,
        "integrate(observation=...)": observing_solver,
        "simulate": public,
    }
    for fn in contenders.values():
        fn()
    runs = {name: [] for name in contenders}
    for _ in range(args.repeat):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    for name, t in runs.items():
        print(f"{name:28s} median {1e3 * statistics.median(t):6.2f} ms (min {1e3 * min(t):.2f})")
    a, b = runs["CompiledNetwork.integrate"], runs["simulate"]
    ma, mb = statistics.median(a), statistics.median(b)
    mo = statistics.median(runs["integrate(observation=...)"])
    # the ratio of the two calls of each round: they ran seconds apart, under the same load
    paired = np.array(b) / np.array(a) - 1
    q1, q2, q3 = np.quantile(paired, [0.25, 0.5, 0.75])
    print(
        f"simulate's overhead beyond the solver (target < 15 %): {100 * q2:.1f} % median of "
        f"the rounds' ratios (quartiles {100 * q1:.1f} .. {100 * q3:.1f} %); "
        f"{100 * (mb / ma - 1):.1f} % of the medians, {100 * (min(b) / min(a) - 1):.1f} % "
        f"of the minima; of it, {1e3 * (mo - ma):.2f} ms observing inside the solver, "
        f"{1e3 * (mb - mo):.2f} ms after"
    )
    res = solver()
    conc = res.y
    obs, inten, _, imax = observe(net, conc)
    n = max(args.repeat, 21)
    parts = {
        "mixture string -> initial concentrations": lambda: initial_concentrations(net.system, mix),
        "observables + intensities + minimum + grid maxima (C, one pass)": lambda: observe(
            net, conc
        ),
        "t_max of 77 observables (grid maxima known)": lambda: t_max(times, inten, imax),
        "xarray Dataset (the cached template copied with the five arrays)": lambda: (
            _single_family_template(net.system, times).copy(
                deep=False, data=_core_data(conc, obs, inten, times, y0, imax)
            )
        ),
    }
    print("parts of the overhead (each timed alone, median):")
    total = 0.0
    for name, fn in parts.items():
        t = median_time(fn, n)
        total += t
        print(f"  {name:62s} {1e3 * t:6.2f} ms")
    print(f"  {'sum of the parts':62s} {1e3 * total:6.2f} ms of {1e3 * (mb - ma):.2f} ms")


if __name__ == "__main__":
    main()
