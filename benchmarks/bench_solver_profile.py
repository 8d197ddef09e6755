"""Where the C BDF integrator's time goes, and how far it is from the floor.

N = 25, sim3 (Table 1 constants of Neumaier et al., J. Am. Chem. Soc. 2021, 143, 6969,
doi:10.1021/jacs.1c01140), Ag25:Au25 = 40:40 nmol/L, 0..3620 s with 3621 outputs, rtol 1e-8,
atol 1e-12 nmol/L (as benchmarks/bench_kinetics.py): 377 species, 1,302 reactions.

1. Builds a profiling variant of ``intercluster.kinetics._bdf`` into a temporary folder
   (the gcc line of the worktree's build script, plus ``-DIC_PROFILE``): the solver then
   times every phase of a step with CLOCK_MONOTONIC (right-hand sides, Jacobians,
   factorizations, linear solves, the Newton loop's other vector work, predictor, error
   estimate, history update, step-size changes of the history (change_D), order
   selection, dense output) and counts the work the flop model needs (Newton iterations,
   orders). The normal build is untouched; its time is measured beside it.
2. Counts the flops and bytes of every phase analytically from the network's structure
   (the loops of _bdf.c, one flop per +, -, *, /) and the counts of the run.
3. Measures this machine's rates: a tight C loop y += a x on an L1-resident vector of
   n = 377 (the shape of the solver's vector work, compiled with the same flags), a
   BLAS dgemm on one thread (the peak), and the store bandwidth for the 3621 x 377 output
   array (pre-touched, and freshly allocated, whose first touch costs page faults).
4. Prints the table (phase, calls, ms, us per call, % of the total, Mflop, Gflop/s) and
   the floor: total flops / the L1 loop's rate, and output bytes / store bandwidth; the
   ratio measured / floor.

Run:  python benchmarks/bench_solver_profile.py [--repeat 15] [--sensitivities] [--source F.c]
(needs gcc and Python headers, as building the extension does)
"""

from __future__ import annotations

import os

# one BLAS thread for the peak-rate measurement (set before numpy is imported)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import ctypes  # noqa: E402
import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

RTOL, ATOL = 1e-8, 1e-12
T_END, N_OUT = 3620.0, 3621
MIXTURE = "Ag25:Au25 = 40:40"
SRC = Path(__file__).resolve().parent.parent / "src" / "intercluster" / "kinetics" / "_bdf.c"
CFLAGS = ["-shared", "-fPIC", "-O3", "-std=c99"]  # as build_ext.sh / setup.py

PHASES = (
    ("rhs", "right-hand sides"),
    ("jacobian", "Jacobians"),
    ("factorization", "factorizations (Schur)"),
    ("linear_solve", "linear solves"),
    ("newton_vector_work", "Newton vector work"),
    ("predictor", "predictor"),
    ("error_estimate", "error estimate"),
    ("history_update", "history update"),
    ("change_D", "step-size change of D"),
    ("order_selection", "order selection"),
    ("dense_output", "dense output"),
    ("sensitivities", "sensitivity corrector"),
    ("check_in", "check-in (GIL, Ctrl-C)"),
)

RATES_C = r"""
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
                          return t.tv_sec + 1e-9 * t.tv_nsec; }
/* seconds for reps passes of y += a x over n elements (2 flops per 2 loads + 1 store) */
double axpy_seconds(long n, long reps, const double *x, double *y)
{
    double t0 = now();
    for (long r = 0; r < reps; r++) {
        double a = 1e-9 * (double)(r & 7);
        for (long i = 0; i < n; i++) y[i] += a * x[i];
    }
    return now() - t0;
}
/* seconds for reps passes of out = D0 + D1 p1 + ... + D5 p5 over n columns: the dense
   output's kernel at order 5 (10 flops per 6 loads + 1 store) */
double interp5_seconds(long n, long reps, const double *D, double *out)
{
    double t0 = now();
    for (long r = 0; r < reps; r++) {
        double p1 = 1e-3 * (double)(r & 7), p2 = p1 * 0.5, p3 = p2 * 0.5, p4 = p3 * 0.5,
               p5 = p4 * 0.5;
        for (long i = 0; i < n; i++)
            out[i] = D[i] + D[n + i] * p1 + D[2 * n + i] * p2 + D[3 * n + i] * p3 +
                     D[4 * n + i] * p4 + D[5 * n + i] * p5;
    }
    return now() - t0;
}
/* seconds for reps reads of n 64-bit words (vectorized xor), *sink receives the xor */
double read_seconds(long n, long reps, const uint64_t *x, uint64_t *sink)
{
    uint64_t acc = 0;
    double t0 = now();
    for (long r = 0; r < reps; r++)
        for (long i = 0; i < n; i++) acc ^= x[i] + (uint64_t)r;
    double t = now() - t0;
    *sink = acc;
    return t;
}
"""


def ext_suffix() -> str:
    return sysconfig.get_config_var("EXT_SUFFIX")


def gcc(out: Path, src: Path, *flags: str) -> None:
    import numpy

    inc = sysconfig.get_paths()["include"]
    cmd = [
        "gcc",
        *CFLAGS,
        *flags,
        f"-I{inc}",
        f"-I{numpy.get_include()}",
        str(src),
        "-o",
        str(out),
        "-lm",
    ]
    subprocess.run(cmd, check=True)


def load_extension(path: Path):
    """Import an extension module named ``_bdf`` from ``path`` (not from src/)."""
    loader = importlib.machinery.ExtensionFileLoader("_bdf", str(path))
    spec = importlib.util.spec_from_file_location("_bdf", str(path), loader=loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------ the flop model
def structure(cn) -> dict:
    """Sizes of the compiled network that the kernels' loop counts depend on."""
    nc, n = int(cn.nc), int(cn.n_species)
    npp = n - nc
    blk_start, blk_end = np.asarray(cn.blk_start), np.asarray(cn.blk_end)
    blk_of = np.asarray(cn.blk_of)
    cp_ptr, pc_ptr, pc_row = np.asarray(cn.cp_ptr), np.asarray(cn.pc_ptr), np.asarray(cn.pc_row)
    cp_per_row = np.diff(cp_ptr)
    # Schur complement: per core column, the blocks its periphery column touches
    schur = 0
    for j in range(nc):
        rows = pc_row[pc_ptr[j] : pc_ptr[j + 1]]
        schur += rows.size  # work -= Apc
        for b in np.unique(blk_of[rows]):
            size = int(blk_end[b] - blk_start[b])
            schur += 5 * (size - 1) + 1  # tri_solve of the block
            schur += 2 * int(cp_per_row[blk_start[b] : blk_end[b]].sum())  # S += Acp w
    coupled = int(np.sum(blk_of[1:] == blk_of[:-1])) if npp else 0
    return {
        "n": n,
        "nr": len(cn.k),
        "nc": nc,
        "npp": npp,
        "nblk": len(blk_start),
        "bimolecular": int(np.sum(np.asarray(cn.r2) >= 0)),
        "two_products": int(np.sum(np.asarray(cn.p2) >= 0)),
        "njc": len(cn.jc_rxn),
        "jc_with_x": int(np.sum(np.asarray(cn.jc_other) >= 0)),
        "ncp": len(cn.cp_row),
        "npc": len(cn.pc_row),
        "coupled": coupled,
        "schur_columns": schur,
    }


def flop_model(s: dict, phases: dict, work: dict, n_out: int) -> dict:
    """(flops, bytes streamed) per phase for the counts of one run.

    One flop per +, -, *, / of the loops in _bdf.c; bytes are those each call streams
    through the caches (index arrays int64, values float64), not DRAM traffic, except
    for the output array Y (written once: the only data that cannot stay in cache).
    """
    n, nr, nc, npp, nseg = s["n"], s["nr"], s["nc"], s["npp"], s["nblk"]
    calls = {k: v[0] for k, v in phases.items()}
    rhs = 3 * nr + 2 * s["bimolecular"] + s["two_products"]
    rhs_bytes = nr * (8 + 4 * 8) + 2 * 8 * n
    jac = 2 * s["njc"] + s["jc_with_x"]
    jac_bytes = s["njc"] * (8 + 4 * 8) + 8 * (nc * nc + s["ncp"] + s["npc"] + 3 * npp)
    tri_fac = 4 * npp + 4 * s["coupled"]
    dense_lu = sum(1 + (nc - k - 1) * (1 + 2 * (nc - k - 1)) for k in range(nc))
    lu = tri_fac + s["ncp"] + s["npc"] + nc * nc + nc + s["schur_columns"] + dense_lu
    lu_bytes = 8 * (6 * npp + 2 * (s["ncp"] + s["npc"]) + 2 * nc * nc) + 8 * 2 * s["npc"]
    tri = 2 * (npp - nseg) + 3 * (npp - nseg) + nseg
    solve = 2 * tri + 2 * s["ncp"] + 2 * s["npc"] + 2 * nc * nc - nc
    # tri_l, tri_up, tri_uinv twice and w; values and rows of Jcp, Jpc; S; b, out, w
    solve_bytes = 8 * (7 * npp + 2 * (s["ncp"] + s["npc"]) + npp + nc + nc * nc + 4 * n)
    it = work["newton_iterations"]
    newton = it * 8 * n  # b = c f - psi - d (3n), rms (3n), y += dy, d += dy (2n)
    # b = c f - psi - d (4 n), rms (2 n), y += dy, d += dy (5 n); per attempt y = y_pred, d = 0
    newton_bytes = 8 * n * (11 * it + 3 * work["step_attempts"])
    pred = n * (3 * work["sum_order_attempts"] + 4 * work["step_attempts"])
    pred_bytes = 8 * n * (work["sum_order_attempts"] + 5 * work["step_attempts"])
    err = 6 * n * calls["error_estimate"]
    hist = n * (work["sum_order_history"] + 2 * calls["history_update"])
    chg = 2 * n * work["sum_rows_squared_change_D"]
    order = 8 * n * work["order_norms"]
    dense = 2 * n * work["sum_order_interpolated"]
    y_bytes = 8 * n * n_out
    out = {
        "rhs": (calls["rhs"] * rhs, calls["rhs"] * rhs_bytes),
        "jacobian": (calls["jacobian"] * jac, calls["jacobian"] * jac_bytes),
        "factorization": (calls["factorization"] * lu, calls["factorization"] * lu_bytes),
        "linear_solve": (calls["linear_solve"] * solve, calls["linear_solve"] * solve_bytes),
        "newton_vector_work": (newton, newton_bytes),
        "predictor": (pred, pred_bytes),
        "error_estimate": (err, 8 * 8 * n * calls["error_estimate"]),
        # y = y_new, min, D_{k+2} = d - D_{k+1}, D_{k+1} = d, then D_q += D_{q+1}
        "history_update": (
            hist,
            8
            * n
            * (
                7 * calls["history_update"]
                + 3 * (work["sum_order_history"] + calls["history_update"])
            ),
        ),
        "change_D": (chg, 8 * 3 * n * work["sum_rows_squared_change_D"]),
        "order_selection": (order, 8 * 6 * n * work["order_norms"]),
        "dense_output": (dense, y_bytes),
        "sensitivities": (0, 0),
        "check_in": (0, 0),
    }
    per_call = {"rhs": rhs, "jacobian": jac, "factorization": lu, "linear_solve": solve}
    # what one Newton iteration touches: the RHS's and the solve's arrays, the step's
    # vectors (11 n) and the history D ((MAX_ORDER + 3) n)
    working_set = rhs_bytes + solve_bytes + 8 * n * (11 + 8)
    return out, per_call, y_bytes, working_set


# ------------------------------------------------------------------ machine rates
def machine_rates(tmp: Path, n: int) -> dict:
    src = tmp / "rates.c"
    src.write_text(RATES_C)
    lib_path = tmp / "rates.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O3", "-std=c99", str(src), "-o", str(lib_path)], check=True
    )
    lib = ctypes.CDLL(str(lib_path))
    for name in ("axpy_seconds", "interp5_seconds", "read_seconds"):
        getattr(lib, name).restype = ctypes.c_double
        getattr(lib, name).argtypes = [
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
    rng = np.random.default_rng(0)
    x, y = rng.random(n), np.zeros(n)
    reps = 200_000
    t = min(lib.axpy_seconds(n, reps, x.ctypes.data, y.ctypes.data) for _ in range(7))
    axpy = 2.0 * n * reps / t
    D = rng.random(6 * n)
    t = min(lib.interp5_seconds(n, reps // 2, D.ctypes.data, y.ctypes.data) for _ in range(7))
    interp5 = 10.0 * n * (reps // 2) / t
    words = np.arange(1 << 17, dtype=np.uint64)  # 1 MB: in L2, not in L1
    sink = np.zeros(1, np.uint64)
    t = min(
        lib.read_seconds(words.size, 200, words.ctypes.data, sink.ctypes.data) for _ in range(7)
    )
    l2_read = words.nbytes * 200 / t

    a = rng.random((600, 600))
    a @ a
    t_mm = min(_timed(lambda: a @ a) for _ in range(7))
    dgemm = 2.0 * 600**3 / t_mm

    shape = (N_OUT, n)
    big = np.zeros(shape)
    big.fill(1.0)
    t_store = min(_timed(lambda: big.fill(2.0)) for _ in range(7))
    t_fresh = min(_timed(lambda: np.zeros(shape).fill(2.0)) for _ in range(7))
    return {
        "axpy": axpy,
        "interp5": interp5,
        "l2_read": l2_read,
        "dgemm": dgemm,
        "store": big.nbytes / t_store,
        "fresh": big.nbytes / t_fresh,
    }


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ------------------------------------------------------------------ main
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=15,
        help="runs of each build; the fastest profiled run is tabulated",
    )
    parser.add_argument(
        "--sensitivities",
        action="store_true",
        help="with forward sensitivities for k_dim, k_diss, k_ex",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=SRC,
        help="the _bdf.c to profile (default: this checkout's; e.g. an earlier version "
        "with the IC_PROFILE macros, to compare); the normal build is always the installed one",
    )
    args = parser.parse_args()

    from intercluster import ExchangeSystem, build_network
    from intercluster.kinetics import compile_network, initial_concentrations, solver
    from intercluster.kinetics.simulate import rate_parameter_map

    net = build_network(ExchangeSystem("Ag", "Au", 25), "sim3")
    x0 = initial_concentrations(net.system, MIXTURE)
    cn = compile_network(net)
    t_out = np.linspace(0.0, T_END, N_OUT)
    pmap = rate_parameter_map(net, ["k_dim", "k_diss", "k_ex"]) if args.sensitivities else None
    s = structure(cn)

    with tempfile.TemporaryDirectory(prefix="ic_profile_") as tmpd:
        tmp = Path(tmpd)
        so = tmp / f"_bdf{ext_suffix()}"
        gcc(so, args.source, "-DIC_PROFILE")
        prof = load_extension(so)
        normal = solver._bdf

        def run(mod):
            solver._bdf = mod
            try:
                t0 = time.perf_counter()
                res = cn.integrate(x0, t_out, T_END, rtol=RTOL, atol=ATOL, sensitivities=pmap)
                return time.perf_counter() - t0, res
            finally:
                solver._bdf = normal

        run(normal)
        run(prof)
        prof.profile_counters()
        t_normal, t_prof, profiles = [], [], []
        for _ in range(args.repeat):  # interleaved, so that both see the same load
            t_normal.append(run(normal)[0])
            dt, res = run(prof)
            t_prof.append(dt)
            profiles.append(prof.profile_counters())
        rates = machine_rates(tmp, s["n"])

    best = min(profiles, key=lambda c: c["phases"]["total"][1])
    phases, work = best["phases"], best["work"]
    total = phases["total"][1]
    flops, per_call, y_bytes, working_set = flop_model(s, phases, work, N_OUT)
    load = os.getloadavg()

    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        f"N = 25 sim3, {MIXTURE} nmol/L, 0..{T_END:g} s, {N_OUT} outputs, rtol {RTOL:g}, "
        f"atol {ATOL:g} nmol/L{', sensitivities for k_dim, k_diss, k_ex' if pmap else ''}"
    )
    print(
        f"  {s['n']} species ({s['nc']} monomers, {s['npp']} dimer isomers in {s['nblk']} "
        f"blocks), {s['nr']} reactions ({s['bimolecular']} bimolecular), "
        f"{s['njc']} Jacobian contributions"
    )
    print(
        f"  {res.n_steps} steps, {res.n_fev} RHS, {res.n_jev} Jacobians, {res.n_lu} LU, "
        f"{work['newton_iterations']} Newton iterations, {work['step_attempts']} step "
        f"attempts, {work['outputs_interpolated']} interpolated outputs (mean order "
        f"{work['sum_order_interpolated'] / max(work['outputs_interpolated'], 1):.2f})"
    )
    print(
        f"  integrate(), the installed (normal) build: median "
        f"{statistics.median(t_normal) * 1e3:.1f} ms, "
        f"fastest {min(t_normal) * 1e3:.1f} ms of {args.repeat}; profiling build: median "
        f"{statistics.median(t_prof) * 1e3:.1f} ms, fastest {min(t_prof) * 1e3:.1f} ms"
    )
    print(
        f"machine rates: the dense output's kernel at order 5 on {s['n']} columns in L1 "
        f"(gcc -O3, as _bdf.c) {rates['interp5'] * 1e-9:.2f} Gflop/s; y += a x in L1 "
        f"{rates['axpy'] * 1e-9:.2f} Gflop/s; dgemm 600^3 on one thread "
        f"{rates['dgemm'] * 1e-9:.1f} Gflop/s; reading 1 MB (L2) "
        f"{rates['l2_read'] * 1e-9:.1f} GB/s; storing the {N_OUT} x {s['n']} output array "
        f"({y_bytes / 1e6:.1f} MB) {rates['store'] * 1e-9:.1f} GB/s pre-touched, "
        f"{rates['fresh'] * 1e-9:.1f} GB/s freshly allocated"
    )

    def floor_of(key):
        fl, by = flops[key]
        mem = by / (rates["store"] if key == "dense_output" else rates["l2_read"])
        return max(fl / rates["interp5"], mem)

    model = pmap is None
    print(
        "\nphases of the fastest profiled run (the solver alone)"
        + (
            f"; floor = max(flops / {rates['interp5'] * 1e-9:.1f} Gflop/s, bytes / "
            f"{rates['l2_read'] * 1e-9:.0f} GB/s) (the output array: / "
            f"{rates['store'] * 1e-9:.0f} GB/s)"
            if model
            else ""
        )
    )
    header = f"  {'phase':<26}{'calls':>7}{'ms':>9}{'us/call':>9}{'%':>7}"
    if model:
        header += f"{'Mflop':>8}{'Gflop/s':>8}{'MB':>7}{'floor ms':>9}{'x floor':>8}"
    print(header)
    timed = 0.0
    n_timed = 0
    tot_flops = tot_bytes = 0
    tot_floor = 0.0
    for key, label in PHASES:
        calls, sec = phases[key]
        if calls == 0 and key == "sensitivities":
            continue
        fl, by = flops[key] if model else (0, 0)
        fk = floor_of(key) if model else 0.0
        timed += sec
        n_timed += calls
        tot_flops += fl
        tot_bytes += by
        tot_floor += fk
        rate = f"{fl / sec * 1e-9:8.2f}" if sec > 0 and fl > 0 else f"{'':>8}"
        ratio = f"{sec / fk:8.1f}" if fk > 0 else f"{'':>8}"
        row = (
            f"  {label:<26}{calls:>7}{sec * 1e3:>9.3f}{sec / max(calls, 1) * 1e6:>9.2f}"
            f"{100 * sec / total:>7.1f}"
        )
        if model:
            row += f"{fl * 1e-6:>8.2f}{rate}{by * 1e-6:>7.1f}{fk * 1e3:>9.3f}{ratio}"
        print(row)
    other = total - timed
    print(
        f"  {'untimed (setup, control)':<26}{'':>7}{other * 1e3:>9.3f}{'':>9}"
        f"{100 * other / total:>7.1f}"
    )
    row = f"  {'total':<26}{'':>7}{total * 1e3:>9.3f}{'':>9}{100.0:>7.1f}"
    if model:
        row += (
            f"{tot_flops * 1e-6:>8.2f}{tot_flops / total * 1e-9:>8.2f}{tot_bytes * 1e-6:>7.1f}"
            f"{tot_floor * 1e3:>9.3f}{total / tot_floor:>8.1f}"
        )
    print(row)
    read_ns = best["timer_ns"] / 2
    print(
        f"  (each phase includes about one clock read, {read_ns:.0f} ns; {n_timed} timed calls: "
        f"{n_timed * read_ns * 1e-6:.2f} ms in the phases and as much in 'untimed')"
    )
    if not model:
        print(
            "(with sensitivities the flop model does not apply: the corrector is not modelled "
            "and the history array holds the sensitivities too)"
        )
        return 0
    print(
        "flops per call (analytic, one per +, -, *, /): "
        + ", ".join(f"{k} {v:,}" for k, v in per_call.items())
    )
    try:
        l1 = os.sysconf("SC_LEVEL1_DCACHE_SIZE")
    except (AttributeError, ValueError, OSError):
        try:
            size = Path("/sys/devices/system/cpu/cpu0/cache/index0/size").read_text().strip()
            l1 = int(size.rstrip("K")) * 1024 if size.endswith("K") else 0
        except (OSError, ValueError):
            l1 = 0
    print(
        f"a Newton iteration's working set: {working_set / 1024:.0f} KiB"
        + (f" (L1d: {l1 / 1024:.0f} KiB per core)" if l1 and l1 > 0 else "")
        + ", so its arrays stream from L2 at every iteration"
    )

    f_arith = tot_flops / rates["interp5"]
    f_l2 = (tot_bytes - y_bytes) / rates["l2_read"]
    f_out = y_bytes / rates["store"]
    floor = max(f_arith, f_l2 + f_out)
    print(
        f"\nfloor of the whole run: {tot_flops * 1e-6:.1f} Mflop at "
        f"{rates['interp5'] * 1e-9:.1f} Gflop/s = {f_arith * 1e3:.2f} ms "
        f"(at y += a x's {rates['axpy'] * 1e-9:.1f} Gflop/s: "
        f"{tot_flops / rates['axpy'] * 1e3:.2f} ms; at the dgemm peak: "
        f"{tot_flops / rates['dgemm'] * 1e3:.2f} ms); memory: "
        f"{(tot_bytes - y_bytes) * 1e-6:.0f} MB through the caches at "
        f"{rates['l2_read'] * 1e-9:.0f} GB/s = {f_l2 * 1e3:.2f} ms, plus the "
        f"{y_bytes / 1e6:.1f} MB output at {rates['store'] * 1e-9:.0f} GB/s = "
        f"{f_out * 1e3:.2f} ms ({y_bytes / rates['fresh'] * 1e3:.2f} ms into a fresh array)"
    )
    print(
        f"floor = max(arithmetic, memory) = {floor * 1e3:.2f} ms; phase by phase (the "
        f"larger of the two in each) {tot_floor * 1e3:.2f} ms"
    )
    print(
        f"measured: the profiled solver {total * 1e3:.2f} ms (fastest run): / floor = "
        f"{total / floor:.1f}; integrate() with the installed build {min(t_normal) * 1e3:.2f} ms "
        f"(fastest; median {statistics.median(t_normal) * 1e3:.2f} ms): / floor = "
        f"{min(t_normal) / floor:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
