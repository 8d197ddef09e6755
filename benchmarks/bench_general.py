"""The general sparse path of the kinetics solver, side by side with the specialised one.

Part 1: the Ag25/Au25 dimer network (sim3, Table 1 constants of Neumaier et al.,
J. Am. Chem. Soc. 2021; 377 species, 1302 reactions),
40:40 nmol/L, 0..3620 s with 3621 outputs, rtol 1e-8, atol 1e-12 nmol/L, solved with
linear_solver = "schur" (Schur complement on the monomers, tridiagonal dimer blocks),
"sparse" (SciPy's SuperLU on I - cJ) and "dense" (LU of the whole matrix in C).
Target: sparse within 2x of schur.

Part 2: the same system with trimers (the [Ag_mAu_(75-m)(SR)54]3- ions of that paper's
Figure S2), built here with plain index arithmetic: 26 monomers, 351 dimers, 3276
trimers (multisets of 3 compositions) = 3653 species; reactions: dimerization and
dissociation, D + M <-> T, exchange of one metal atom between every ordered pair of
subunits inside dimers and trimers (sim1-like constants: k_dim = k_tri = 0.0032
L nmol^-1 s^-1, k_diss = k_tri_diss = 0.032 s^-1, k_ex = 0.032 s^-1; illustrative).
0..3600 s, 3601 outputs; target < 5 s. libRoadRunner loads and simulates an SBML of the
same network in a subprocess with a time limit (--rr-timeout).

Run:  python benchmarks/bench_general.py            (libRoadRunner: pip install -e '.[bench]')
      python benchmarks/bench_general.py --repeat 3 --rr-timeout 0   (skip libRoadRunner)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

from _timing import median_time

RTOL, ATOL = 1e-8, 1e-12
K_DIM, K_DISS, K_EX = 0.0032, 0.032, 0.032
K_TRI, K_TRI_DISS = K_DIM, K_DISS


def trimer_network(N: int = 25):
    """(labels, reactants, products, k, atoms) of the monomer/dimer/trimer network.

    atoms: (3, n_species) silver, gold and subunits per species (all conserved).
    """
    comps = [(a,) for a in range(N + 1)]
    comps += list(itertools.combinations_with_replacement(range(N + 1), 2))
    comps += list(itertools.combinations_with_replacement(range(N + 1), 3))
    index = {c: i for i, c in enumerate(comps)}
    rates: dict[tuple, float] = {}

    def add(r, p, k):
        key = (tuple(sorted(r)), tuple(sorted(p)))
        rates[key] = rates.get(key, 0.0) + k

    for a, b in itertools.combinations_with_replacement(range(N + 1), 2):
        d = index[(a, b)]
        # homodimer formation at k_dim/2 in d[D]/dt (ordered-pair statistics)
        add((index[(a,)], index[(b,)]), (d,), K_DIM / 2 if a == b else K_DIM)
        add((d,), (index[(a,)], index[(b,)]), K_DISS)
    for c in comps[N + 1 :]:
        i_c = index[c]
        for i, j in itertools.permutations(range(len(c)), 2):  # exchange, ordered subunits
            if c[i] > 0 and c[j] < N:
                new = list(c)
                new[i] -= 1
                new[j] += 1
                add((i_c,), (index[tuple(sorted(new))],), K_EX / 2 if len(c) == 2 else K_EX / 6)
        if len(c) == 3:
            for i in range(3):  # T -> D + M, one term per subunit position
                rest = c[:i] + c[i + 1 :]
                add((i_c,), (index[rest], index[(c[i],)]), K_TRI_DISS)
    for d in comps[N + 1 : N + 1 + (N + 1) * (N + 2) // 2]:
        for m in range(N + 1):  # D + M -> T
            add((index[d], index[(m,)]), (index[tuple(sorted((*d, m)))],), K_TRI)
    reactants = np.full((len(rates), 2), -1, np.int64)
    products = np.full((len(rates), 2), -1, np.int64)
    k = np.empty(len(rates))
    for q, ((r, p), kq) in enumerate(rates.items()):
        reactants[q, : len(r)] = r
        products[q, : len(p)] = p
        k[q] = kq
    atoms = np.array([[sum(c), N * len(c) - sum(c), len(c)] for c in comps], float).T
    labels = ["S_" + "_".join(map(str, c)) for c in comps]
    return labels, reactants, products, k, atoms


def write_sbml(path, labels, reactants, products, k, y0) -> None:
    """A minimal SBML Level 3 model of the network (mass action, 1 L compartment)."""
    import libsbml

    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model.setId("trimers")
    comp = model.createCompartment()
    comp.setId("solution")
    comp.setSize(1.0)
    comp.setConstant(True)
    comp.setSpatialDimensions(3)
    for lab, c0 in zip(labels, y0):
        s = model.createSpecies()
        s.setId(lab)
        s.setCompartment("solution")
        s.setInitialConcentration(float(c0))
        s.setHasOnlySubstanceUnits(False)
        s.setBoundaryCondition(False)
        s.setConstant(False)
    for q in range(len(k)):
        rx = model.createReaction()
        rx.setId(f"R{q}")
        rx.setReversible(False)
        for slots, create in ((reactants[q], rx.createReactant), (products[q], rx.createProduct)):
            for s in sorted({int(x) for x in slots if x >= 0}):
                ref = create()
                ref.setSpecies(labels[s])
                ref.setStoichiometry(int(sum(1 for x in slots if x == s)))
                ref.setConstant(True)
        law = "*".join(
            ["solution", repr(float(k[q]))] + [labels[s] for s in reactants[q] if s >= 0]
        )
        rx.createKineticLaw().setMath(libsbml.parseL3Formula(law))
    libsbml.writeSBMLToFile(doc, str(path))


RR_CODE = """
import json, sys, time
import roadrunner
t0 = time.perf_counter()
rr = roadrunner.RoadRunner(sys.argv[1])
t1 = time.perf_counter()
rr.getIntegrator().setValue("relative_tolerance", 1e-8)
rr.getIntegrator().setValue("absolute_tolerance", 1e-12)
rr.simulate(0, float(sys.argv[2]), int(sys.argv[3]))
print(json.dumps({"load": t1 - t0, "seconds": time.perf_counter() - t0}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (median)")
    parser.add_argument(
        "--rr-timeout", type=float, default=600.0, help="libRoadRunner time limit [s] (0: skip)"
    )
    args = parser.parse_args()

    import scipy

    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics import initial_concentrations
    from intercluster.kinetics.solver import CompiledNetwork

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SciPy {scipy.__version__} (SuperLU)"
    )
    # ---------------------------------------------------------------- part 1
    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    y0 = initial_concentrations(net.system, "Ag25:Au25 = 40:40")
    t_out = np.linspace(0.0, 3620.0, 3621)
    print(
        f"\n[1] Ag25/Au25 sim3 dimer network ({net.n_species} species, {net.n_reactions} "
        "reactions), 40:40 nmol/L, 0..3620 s, 3621 outputs, rtol 1e-8, atol 1e-12"
    )
    times, results = {}, {}
    for solver in ("schur", "sparse", "dense"):
        cn = CompiledNetwork.from_network(net, linear_solver=solver)
        results[solver] = cn.integrate(y0, t_out, 3620.0, rtol=RTOL, atol=ATOL)
        times[solver] = median_time(
            lambda cn=cn: cn.integrate(y0, t_out, 3620.0, rtol=RTOL, atol=ATOL), args.repeat
        )
    # interleave once more to even out the load of a shared machine
    for solver in ("schur", "sparse"):
        cn = CompiledNetwork.from_network(net, linear_solver=solver)
        again = median_time(
            lambda cn=cn: cn.integrate(y0, t_out, 3620.0, rtol=RTOL, atol=ATOL), args.repeat
        )
        times[solver] = min(times[solver], again)
    for solver, r in results.items():
        diff = np.abs(r.y - results["schur"].y).max()
        print(
            f"    {solver:<7} {times[solver] * 1e3:8.1f} ms  ({r.n_steps} steps, {r.n_lu} LU; "
            f"max |y - y_schur| {diff:.1e} nmol/L)"
        )
    ratio = times["sparse"] / times["schur"]
    print(f"    ratio sparse / schur  {ratio:6.2f}   (target <= 2)")
    print(f"    ratio dense / schur   {times['dense'] / times['schur']:6.2f}")

    # ---------------------------------------------------------------- part 2
    t0 = time.perf_counter()
    labels, reactants, products, k, atoms = trimer_network(25)
    t_build = time.perf_counter() - t0
    n = len(labels)
    y0t = np.zeros(n)
    y0t[25], y0t[0] = 40.0, 40.0  # Ag25 (m = 25) and Au25 (m = 0), nmol/L
    t_out = np.linspace(0.0, 3600.0, 3601)
    print(
        f"\n[2] with trimers: {n} species, {len(k)} reactions (built in {t_build:.2f} s), "
        "40:40, 0..3600 s, 3601 outputs, rtol 1e-8, atol 1e-12"
    )
    t0 = time.perf_counter()
    cn = CompiledNetwork.from_arrays(n, reactants, products, k)
    t_compile = time.perf_counter() - t0
    cpu0 = time.process_time()
    res = cn.integrate(y0t, t_out, 3600.0, rtol=RTOL, atol=ATOL, neg_tol=1e-13 * y0t.sum())
    cpu_sim = time.process_time() - cpu0  # this process's CPU time: robust to a loaded machine
    t_sim = median_time(
        lambda: cn.integrate(y0t, t_out, 3600.0, rtol=RTOL, atol=ATOL, neg_tol=1e-13 * 80),
        max(1, args.repeat // 2),
        warmup=False,
    )
    drift = np.abs(atoms @ res.y.T - (atoms @ y0t)[:, None]).max(axis=1) / (atoms @ y0t)
    trimer_share = (atoms[2] * res.y[-1])[atoms[2] == 3].sum() / (atoms[2] @ res.y[-1])
    print(f"    linear solver      {cn.linear_solver} (auto), pattern nnz {len(cn.sp_indices)}")
    print(f"    compile            {t_compile:8.3f} s  (CompiledNetwork.from_arrays)")
    print(
        f"    simulate           {t_sim:8.3f} s  ({res.n_steps} steps, {res.n_lu} LU)  "
        "(target < 5 s)"
    )
    print(f"    simulate, CPU time {cpu_sim:8.3f} s  (first run, this process only)")
    print(f"    compile + simulate {t_compile + t_sim:8.3f} s")
    print(
        f"    conservation       max relative drift {drift.max():.1e} (Ag, Au, subunits); "
        f"min y {res.min_y:.1e} nmol/L; subunits in trimers at 3600 s {trimer_share:.1%}"
    )
    if args.rr_timeout > 0:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "trimers.xml")
            t0 = time.perf_counter()
            write_sbml(path, labels, reactants, products, k, y0t)
            print(f"    SBML written in {time.perf_counter() - t0:.1f} s")
            try:
                out = subprocess.run(
                    [sys.executable, "-c", RR_CODE, path, "3600", "3601"],
                    capture_output=True,
                    text=True,
                    timeout=args.rr_timeout,
                    check=True,
                )
                rr = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"    libRoadRunner      {rr['seconds']:8.3f} s  (load {rr['load']:.1f} s); "
                    f"ratio ours (compile + simulate) / libRoadRunner "
                    f"{(t_compile + t_sim) / rr['seconds']:.4f}"
                )
            except subprocess.TimeoutExpired:
                print(
                    "    libRoadRunner      did not finish load + simulate in "
                    f"{args.rr_timeout:g} s"
                )
            except subprocess.CalledProcessError as exc:
                print(f"    libRoadRunner      failed: {exc.stderr.strip().splitlines()[-1:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
