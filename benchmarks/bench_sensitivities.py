"""Forward sensitivities: their cost against the plain simulation and against finite
differences, and their accuracy.

N = 25, sim3 (Table 1 constants of Neumaier et al., J. Am. Chem. Soc. 2021, 143, 6969),
Ag25:Au25 = 40:40 nmol/L, 0..3620 s with 3621 outputs, rtol 1e-8, atol 1e-12 nmol/L.
d y / d ln p for p = k_dim, k_diss, k_ex:

1. ``CompiledNetwork.integrate`` without and with forward sensitivities (the staggered
   direct method in the C integrator), median times and their ratio;
2. ``simulate`` (the public function, observables and intensities included) without and
   with ``sensitivities=("k_dim", "k_diss", "k_ex")``;
3. forward finite differences (4 simulations: the base run and one per constant,
   step h in ln p) and central differences (6 simulations) for cost and accuracy.
   The reference for accuracy is the forward sensitivities at rtol 1e-11, atol 1e-15;
   the error is the largest relative error over the entries whose reference exceeds
   1e-3 of the largest one.

AMICI's figures for the same model (quoted, not measured here): 167 ms per simulation,
2.2 s per simulation with forward sensitivities for the three constants
(``benchmarks/bench_amici.py`` measures AMICI side by side).

Run:  python benchmarks/bench_sensitivities.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import median_time

NAMES = ("k_dim", "k_diss", "k_ex")
AMICI_SIM_S, AMICI_SENS_S = 0.167, 2.2


def rel_error(S, ref):
    big = np.abs(ref) > 1e-3 * np.max(np.abs(ref))
    return float(np.max(np.abs(S - ref)[big] / np.abs(ref[big])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics import initial_concentrations, simulate
    from intercluster.kinetics.simulate import compile_network, rate_parameter_map

    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    cn = compile_network(net)
    y0 = initial_concentrations(net.system, "Ag25:Au25 = 40:40")
    t = np.linspace(0.0, 3620.0, 3621)
    kw = {"rtol": 1e-8, "atol": 1e-12}
    pmap = rate_parameter_map(net, NAMES)
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print(f"N = 25 sim3: {net.n_species} species, {net.n_reactions} reactions, 3621 outputs")

    plain = cn.integrate(y0, t, 3620.0, **kw)
    sens = cn.integrate(y0, t, 3620.0, sensitivities=pmap, **kw)
    assert np.array_equal(plain.y, sens.y)
    t_plain = median_time(lambda: cn.integrate(y0, t, 3620.0, **kw), args.repeat)
    t_sens = median_time(lambda: cn.integrate(y0, t, 3620.0, sensitivities=pmap, **kw), args.repeat)

    def fd(h):
        base = cn.integrate(y0, t, 3620.0, **kw).y
        out = []
        for i in range(len(NAMES)):
            sel = pmap.reaction[pmap.parameter == i]
            k = cn.k.copy()
            k[sel] *= np.exp(h)
            out.append((cn.with_rate_constants(k).integrate(y0, t, 3620.0, **kw).y - base) / h)
        return np.stack(out, axis=1)

    def central(h):
        out = []
        for i in range(len(NAMES)):
            sel = pmap.reaction[pmap.parameter == i]
            runs = []
            for sign in (1.0, -1.0):
                k = cn.k.copy()
                k[sel] *= np.exp(sign * h)
                runs.append(cn.with_rate_constants(k).integrate(y0, t, 3620.0, **kw).y)
            out.append((runs[0] - runs[1]) / (2 * h))
        return np.stack(out, axis=1)

    t_fd = median_time(lambda: fd(1e-4), max(1, args.repeat // 2))
    t_central = median_time(lambda: central(1e-4), max(1, args.repeat // 2))
    ref = cn.integrate(y0, t, 3620.0, sensitivities=pmap, rtol=1e-11, atol=1e-15).sensitivities

    mix = "Ag25:Au25 = 40:40"
    skw = {"t_end_s": 3600.0, "dt_s": 1.0}
    t_sim = median_time(lambda: simulate(net, mix, **skw), args.repeat)
    t_sim_sens = median_time(lambda: simulate(net, mix, sensitivities=NAMES, **skw), args.repeat)

    print(
        f"\nintegrate: {plain.n_steps} steps, {plain.n_fev} RHS, {plain.n_lu} LU; with "
        f"sensitivities {sens.n_sens_solves} corrector solves "
        f"({sens.n_sens_solves / (3 * sens.n_steps):.2f} per constant and step), "
        f"{sens.n_sens_lu} extra LU; the state identical bit for bit"
    )
    print("\n| | time | ratio to the plain run | error vs reference |")
    print("|---|---|---|---|")
    print(f"| integrate, no sensitivities | {t_plain * 1e3:.1f} ms | 1 | |")
    print(
        f"| integrate + forward sensitivities (3) | {t_sens * 1e3:.1f} ms | "
        f"{t_sens / t_plain:.2f} | {rel_error(sens.sensitivities, ref):.1e} |"
    )
    for h in (1e-2, 1e-4, 1e-6):
        err = rel_error(fd(h), ref)
        label = f"forward differences, h = {h:g} in ln k (4 runs)"
        timing = f"{t_fd * 1e3:.1f} ms | {t_fd / t_plain:.2f}" if h == 1e-4 else " | "
        print(f"| {label} | {timing} | {err:.1e} |")
    print(
        f"| central differences, h = 0.0001 in ln k (6 runs) | {t_central * 1e3:.1f} ms | "
        f"{t_central / t_plain:.2f} | {rel_error(central(1e-4), ref):.1e} |"
    )
    print(f"| simulate, no sensitivities | {t_sim * 1e3:.1f} ms | {t_sim / t_plain:.2f} | |")
    print(
        f"| simulate + sensitivities of concentrations, observables, intensities | "
        f"{t_sim_sens * 1e3:.1f} ms | {t_sim_sens / t_plain:.2f} | |"
    )
    print(
        f"\nagainst AMICI's quoted figures (not measured in this run): simulate "
        f"{t_sim / AMICI_SIM_S:.3f}x of 167 ms; with forward sensitivities "
        f"{t_sim_sens / AMICI_SENS_S:.3f}x of 2.2 s (target <= 0.1x)"
    )


if __name__ == "__main__":
    main()
