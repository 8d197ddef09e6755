"""intercluster vs AMICI (CVODES, KLU, generated C++) on the same SBML, in one run.

Model: our SBML export (:func:`intercluster.network.sbml.to_sbml`) of N = 25, sim3
(Table 1 constants of Neumaier et al., J. Am. Chem. Soc. 2021, 143, 6969: k_dim 1e-2
L nmol^-1 s^-1, k_diss 5.6e-2 s^-1, k_ex 3.2e-2 s^-1),
Ag25:Au25 = 40:40 nmol/L, 0..3620 s with 3621 outputs, rtol 1e-8, atol 1e-12 nmol/L.
The SBML has global parameters k_dim, k_diss, k_ex and per-reaction laws
``solution * k_base * factor * [A] * [B]`` with the statistical factor a constant number,
so AMICI's model parameters are exactly our three base constants (no transformation).
AMICI also gets our 77 observables (monomers m = 0..25 and dimer sum formulas
s = 0..50, sums of the dimer isomers) as its observables y, so both sides return the
same outputs.

AMICI generates and compiles a model module once, outside the timed regions, cached in
``--cache`` (default ``benchmarks/.amici_cache``) under a name keyed by the hash of the
SBML, the observables and AMICI's version; the generation + compile time is printed
separately ("cached" when the cache was hit).

Measured: medians of ``--repeat`` rounds in which every contender is called once in turn
(so that on a shared machine they see the same load), wall clock and the process's CPU
time (all threads: NumPy's BLAS may use two):

1. ``intercluster.kinetics.simulate`` (the public function, observables and intensities
   included, a Dataset returned) vs AMICI ``run_simulation`` (its public function; the
   states x and observables y at the 3621 outputs computed into its C++ ReturnData):
   ratio, target <= 0.25. Copying x and y out of AMICI's ReturnDataView into NumPy takes
   about a second more (SWIG vectors converted element by element); it is measured once
   and printed apart, not added to AMICI's time;
2. ``simulate(..., sensitivities=("k_dim", "k_diss", "k_ex"))`` vs AMICI forward
   sensitivities (FSA, first order, the same three parameters, parameter scale ``ln``
   so that both are d x / d ln p, sensitivity tolerances equal to the state's), for
   each of CVODES' internal methods (simultaneous, AMICI's default; staggered;
   staggered1): ratios to the default and to the fastest, target <= 0.1. CVODES (as
   AMICI sets it up) always includes the sensitivities in its error test; ``simulate``
   does not (its steps are those of a run without sensitivities), so the same
   integration with ``sens_error_control=True`` (through ``CompiledNetwork.integrate``)
   is printed beside it.

Agreement: max |ours - AMICI| of the states relative to the total concentration, and the
largest relative difference of the sensitivities over the entries > 1e-3 of the largest;
the same errors of both against our integrator at rtol 1e-11, atol 1e-15 (a reference).

If AMICI cannot be imported (or its model cannot be built) the benchmark says so in one
line and prints our figures alone (exit 0); ``--without-amici`` simulates that.

Install:  pip install amici swig   (AMICI 1.x builds from source: a C++ compiler,
          CMake from PyPI, and BLAS, which it finds in SciPy's scipy-openblas here)
Run:      python benchmarks/bench_amici.py [--repeat 7] [--cache DIR] [--no-dense]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import median_time

RTOL, ATOL = 1e-8, 1e-12
T_END, N_OUT = 3620.0, 3621
MIXTURE = "Ag25:Au25 = 40:40"
NAMES = ("k_dim", "k_diss", "k_ex")
TARGET_SIM, TARGET_SENS = 0.25, 0.1


def rel_error(S, ref):
    """Largest |S - ref| / |ref| over the entries of ``ref`` above 1e-3 of its largest."""
    big = np.abs(ref) > 1e-3 * np.max(np.abs(ref))
    return float(np.max(np.abs(S - ref)[big] / np.abs(ref[big])))


def load_amici(simulate_missing: bool):
    """AMICI's importer and simulation module, or an ImportError."""
    if simulate_missing:
        raise ImportError("simulated with --without-amici")
    import amici
    import amici.sim.sundials as sundials

    if not sundials.has_clibs:
        raise ImportError("amici is installed without its compiled extension")
    return amici, sundials


def amici_model(amici, sbml: str, observables: dict[str, str], cache: Path):
    """The AMICI model module of ``sbml`` (generated and compiled into ``cache`` once).

    Returns the module and the seconds spent generating and compiling it (0.0 when the
    cached module was loaded)."""
    text = amici.__version__ + sbml + repr(sorted(observables.items()))
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    name = f"intercluster_n25_sim3_{key}"
    out = cache / name
    seconds = 0.0
    if not (out / ".complete").exists():
        import shutil

        from amici import MeasurementChannel

        if shutil.which("swig") is None:  # pip installs swig next to this interpreter
            bindir = os.path.dirname(sys.executable)
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        importer = amici.SbmlImporter(sbml, from_file=False)
        t0 = time.perf_counter()
        importer.sbml2amici(
            name,
            str(out),
            observation_model=[
                MeasurementChannel(oid, formula=formula) for oid, formula in observables.items()
            ],
            compute_conservation_laws=False,
            verbose=False,
        )
        seconds = time.perf_counter() - t0
        (out / ".complete").write_text(name + "\n")
    return amici.import_model_module(name, str(out)), seconds


def round_robin(fns: dict, repeat: int) -> dict:
    """Median wall and CPU seconds of each callable in ``fns``, called in turn.

    Each callable is called once untimed (as :func:`_timing.median_time` does), then the
    callables are called one after the other ``repeat`` times, so that on a shared machine
    every contender sees the same load; returns ``{name: (wall, cpu)}``. CPU time is
    the process's (all its threads)."""
    for fn in fns.values():
        fn()
    wall = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    return {k: (statistics.median(wall[k]), statistics.median(cpu[k])) for k in fns}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=7, help="timed repetitions (median)")
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path(__file__).resolve().parent / ".amici_cache",
        help="folder for AMICI's generated and compiled model (default benchmarks/.amici_cache)",
    )
    ap.add_argument("--no-dense", action="store_true", help="skip AMICI with its dense LU")
    ap.add_argument(
        "--without-amici", action="store_true", help="behave as if AMICI were not installed"
    )
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")
    if args.cache.exists() and not args.cache.is_dir():
        ap.error(f"--cache: {args.cache} exists and is not a folder")

    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics import initial_concentrations, simulate
    from intercluster.kinetics.simulate import compile_network, rate_parameter_map
    from intercluster.network.sbml import species_ids, to_sbml

    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    x0 = initial_concentrations(net.system, MIXTURE)
    total = float(x0.sum())
    times = np.linspace(0.0, T_END, N_OUT)
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"N = 25 sim3: {net.n_species} species, {net.n_reactions} reactions, {MIXTURE} nmol/L, "
        f"0..{T_END:g} s, {N_OUT} outputs, rtol {RTOL:g}, atol {ATOL:g} nmol/L"
    )

    # ---- ours
    skw = {"dead_time_s": 0.0, "t_end_s": T_END, "dt_s": 1.0, "rtol": RTOL, "atol_nM": ATOL}
    cn = compile_network(net)
    pmap = rate_parameter_map(net, NAMES)
    ikw = {"rtol": RTOL, "atol": ATOL, "sensitivities": pmap, "sens_error_control": True}
    ours = {
        "simulate": lambda: simulate(net, x0, **skw),
        "simulate_sens": lambda: simulate(net, x0, sensitivities=NAMES, **skw),
        "integrate_sens_errcon": lambda: cn.integrate(x0, times, T_END, **ikw),
    }
    ds = ours["simulate"]()
    ds_sens = ours["simulate_sens"]()
    res_errcon = ours["integrate_sens_errcon"]()
    S_ours = ds_sens.concentration_sensitivity.values  # (time, parameter, species)

    def ms(t):
        return f"{t[0] * 1e3:9.1f} ms  (CPU {t[1] * 1e3:6.1f} ms)"

    def ours_lines(tm):
        print(
            f"  intercluster simulate                      {ms(tm['simulate'])}  "
            f"{ds.attrs['n_steps']} steps, {ds.attrs['n_rhs_evaluations']} RHS, "
            f"{ds.attrs['n_factorizations']} LU"
        )
        print(
            f"  intercluster simulate + sensitivities (3)  {ms(tm['simulate_sens'])}  "
            f"sensitivities not in the error test, {ds_sens.attrs['n_steps']} steps"
        )
        print(
            f"  integrate, sensitivities in the error test {ms(tm['integrate_sens_errcon'])}  "
            f"CompiledNetwork.integrate, {res_errcon.n_steps} steps, {res_errcon.n_lu} LU"
        )

    def ours_alone(why):
        print(
            f"\nAMICI is not available ({why}): intercluster's figures alone, medians of "
            f"{args.repeat}:"
        )
        ours_lines(round_robin(ours, args.repeat))
        return 0

    try:
        amici, sundials = load_amici(args.without_amici)
    except ImportError as exc:
        return ours_alone(exc)

    # ---- AMICI: build once (outside the timed regions)
    sbml = to_sbml(net, x0)
    ids = species_ids(net)
    M = net.observable_matrix.tocsr()
    obs_ids = [f"obs_{i}" for i in range(M.shape[0])]
    observables = {
        oid: " + ".join(ids[j] for j in M.indices[M.indptr[i] : M.indptr[i + 1]])
        for i, oid in enumerate(obs_ids)
    }
    try:
        module, compile_s = amici_model(amici, sbml, observables, args.cache)
    except Exception as exc:  # a failed build is reported, not raised
        first = str(exc).splitlines()[0] if str(exc) else ""
        return ours_alone(
            f"AMICI {amici.__version__} could not build the model: {type(exc).__name__} {first}"
        )

    model = module.get_model()
    model.set_timepoints(times)
    pids = list(model.get_free_parameter_ids())
    model.set_parameter_list([pids.index(n) for n in NAMES])
    model.set_parameter_scale(sundials.ParameterScaling.ln)
    state_ids = list(model.get_state_ids())
    order = [state_ids.index(s) for s in ids]  # AMICI's state index of each of our species
    y_ids = list(model.get_observable_ids())
    y_order = [y_ids.index(o) for o in obs_ids]

    ism = sundials.InternalSensitivityMethod

    def make_solver(linear_solver, sensi_method=None):
        solver = model.create_solver()
        solver.set_relative_tolerance(RTOL)
        solver.set_absolute_tolerance(ATOL)
        solver.set_relative_tolerance_fsa(RTOL)
        solver.set_absolute_tolerance_fsa(ATOL)
        solver.set_max_steps(100_000)
        solver.set_linear_solver(linear_solver)
        if sensi_method is not None:
            solver.set_sensitivity_order(sundials.SensitivityOrder.first)
            solver.set_sensitivity_method(sundials.SensitivityMethod.forward)
            solver.set_internal_sensitivity_method(sensi_method)
        return solver

    def run(solver):
        """AMICI's public simulation call; the results stay in its C++ ReturnData."""
        rdata = sundials.run_simulation(model, solver)
        if rdata["status"] != sundials.AMICI_SUCCESS:
            raise RuntimeError(f"AMICI simulation failed with status {rdata['status']}")
        return rdata

    def read_out(rdata, fields):
        """Seconds to copy ``fields`` of a fresh ReturnData into NumPy, and the arrays."""
        t0 = time.perf_counter()
        arrays = [np.array(rdata[f]) for f in fields]
        return time.perf_counter() - t0, arrays

    klu = sundials.LinearSolver.KLU
    default_ism = ism(model.create_solver().get_internal_sensitivity_method())
    solvers = {"amici": make_solver(klu)}
    methods = (ism.simultaneous, ism.staggered, ism.staggered1)
    for method in methods:
        solvers[f"amici_fsa_{method.name}"] = make_solver(klu, method)
    rdata = {k: run(sv) for k, sv in solvers.items()}
    t_read, (x_am, y_am) = read_out(run(solvers["amici"]), ("x", "y"))
    sens_key = f"amici_fsa_{default_ism.name}"
    t_read_s, (sx_am, sy_am) = read_out(run(solvers[sens_key]), ("sx", "sy"))

    # ---- the timed rounds: ours and AMICI's calls in turn
    fns = dict(ours)
    for k, sv in solvers.items():
        fns[k] = lambda sv=sv: run(sv)
    tm = round_robin(fns, args.repeat)
    dense = None
    if not args.no_dense:  # SUNDIALS' own dense LU of the 377 x 377 matrix: ~2 s a run
        dsolver = make_solver(sundials.LinearSolver.dense)
        dense = (median_time(lambda: run(dsolver), 1), run(dsolver))

    # ---- agreement (sx, sy: (time, parameter, state / observable), d / d ln p)
    dx = np.max(np.abs(x_am[:, order] - ds.concentration.values)) / total
    dy = np.max(np.abs(y_am[:, y_order] - ds.observable_concentration.values)) / total
    sx_am = sx_am[:, :, order]
    ds_err = rel_error(S_ours, sx_am)
    ds_err_errcon = rel_error(res_errcon.sensitivities, sx_am)
    dsy_err = rel_error(ds_sens.observable_concentration_sensitivity.values, sy_am[:, :, y_order])
    # which side is closer to the solution: our integrator at rtol 1e-11, atol 1e-15
    ref = cn.integrate(x0, times, T_END, rtol=1e-11, atol=1e-15, sensitivities=pmap)
    ex_ours = np.max(np.abs(ds.concentration.values - ref.y)) / total
    ex_am = np.max(np.abs(x_am[:, order] - ref.y)) / total
    es_ours, es_am = rel_error(S_ours, ref.sensitivities), rel_error(sx_am, ref.sensitivities)
    es_errcon = rel_error(res_errcon.sensitivities, ref.sensitivities)

    def stats(rd):
        return (
            f"{int(rd['numsteps'][-1])} steps, {int(rd['num_rhs_evals'][-1])} RHS, "
            f"{int(rd['num_err_test_fails'][-1])} error-test fails, "
            f"CVODES time {rd['cpu_time']:.0f} ms"
        )

    swig_version = ".".join(map(str, getattr(sundials, "_SWIG_VERSION", ("?",))))
    print(
        f"\nAMICI {amici.__version__} (SUNDIALS CVODES, BDF, Newton), SWIG "
        f"{swig_version}; model module: "
        + (f"generated + compiled in {compile_s:.1f} s" if compile_s else "cached")
        + f" ({args.cache})"
    )
    sv = solvers["amici"]
    print(
        f"  settings: linear solver {sundials.LinearSolver(sv.get_linear_solver()).name}, "
        f"rtol = rtol_fsa = {sv.get_relative_tolerance_fsa():g}, atol = atol_fsa = "
        f"{sv.get_absolute_tolerance_fsa():g}, max steps 100000; sensitivities forward, "
        f"first order, error-controlled (AMICI always), parameter scale ln (d x / d ln p, "
        f"as ours), plist = {list(NAMES)}; {len(obs_ids)} observables (ours), no "
        f"conservation-law reduction; AMICI's default internal sensitivity method: "
        f"{default_ism.name}"
    )
    print(f"  simulation: {stats(rdata['amici'])}")
    for method in methods:
        print(f"  with sensitivities, {method.name}: {stats(rdata[f'amici_fsa_{method.name}'])}")
    print(
        f"\nagreement: max |x_ours - x_AMICI| / total = {dx:.1e}, observables {dy:.1e}; "
        f"sensitivities d / d ln p (entries > 1e-3 of the largest; AMICI {default_ism.name}): "
        f"states {ds_err:.1e} (ours with error control {ds_err_errcon:.1e}), "
        f"observables {dsy_err:.1e}"
    )
    print(
        f"  against a reference (ours at rtol 1e-11, atol 1e-15): states / total: ours "
        f"{ex_ours:.1e}, AMICI {ex_am:.1e}; sensitivities: ours {es_ours:.1e} (with error "
        f"control {es_errcon:.1e}), AMICI {es_am:.1e}"
    )
    print(f"\nmedians of {args.repeat}, calls in turn (wall clock, and CPU of the process):")
    ours_lines(tm)
    print(f"  AMICI run_simulation, KLU                  {ms(tm['amici'])}")
    for method in methods:
        label = f"AMICI, KLU, FSA (3), {method.name}"
        print(f"  {label:<42} {ms(tm[f'amici_fsa_{method.name}'])}")
    print(
        f"  AMICI, reading x and y into NumPy (once)   {t_read * 1e3:9.1f} ms  (ReturnDataView, "
        f"not in the times above); sx and sy: {t_read_s * 1e3:.1f} ms"
    )
    if dense is not None:
        print(
            f"  AMICI run_simulation, dense LU (1 run)     {dense[0] * 1e3:9.1f} ms  "
            f"({stats(dense[1])})"
        )
    fastest = min((f"amici_fsa_{m.name}" for m in methods), key=lambda k: tm[k][0])

    def ratio(a, b):
        return f"{tm[a][0] / tm[b][0]:6.3f} (CPU {tm[a][1] / tm[b][1]:.3f})"

    r1 = tm["simulate"][0] / tm["amici"][0]
    r2 = max(tm["simulate_sens"][0] / tm[k][0] for k in (sens_key, fastest))
    print(
        "\nratios ours / AMICI, wall clock (CPU) (KLU; AMICI's times exclude reading its "
        "results into NumPy):"
    )
    print(
        f"  simulate                                   {ratio('simulate', 'amici')}   "
        f"target <= {TARGET_SIM}: {'met' if r1 <= TARGET_SIM else 'not met'}"
    )
    fast_name = fastest.removeprefix("amici_fsa_")
    print(
        f"  simulate + sensitivities vs {default_ism.name:<14} "
        f"{ratio('simulate_sens', sens_key)}   AMICI's default"
        + (" and its fastest here" if fastest == sens_key else "")
        + (
            f"; target <= {TARGET_SENS}: {'met' if r2 <= TARGET_SENS else 'not met'}"
            if fastest == sens_key
            else ""
        )
    )
    if fastest != sens_key:
        print(
            f"  simulate + sensitivities vs {fast_name:<14} {ratio('simulate_sens', fastest)}"
            f"   AMICI's fastest here; target <= {TARGET_SENS}: "
            f"{'met' if r2 <= TARGET_SENS else 'not met'}"
        )
    print(
        f"  integrate (error-controlled) vs {fast_name:<10} "
        f"{ratio('integrate_sens_errcon', fastest)}   both sensitivities error-controlled"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
