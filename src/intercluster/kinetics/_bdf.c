/*
 * intercluster.kinetics._bdf -- compiled kernels for mass-action networks.
 *
 * rhs:      dy/dt = S v(y), v_j = k_j y[r1_j] y[r2_j]; each reactant slot loses and
 *           each product slot gains one (a species listed twice has coefficient 2).
 * jacobian: analytic, accumulated from a contribution table into block storage.
 * linear:   (I - cJ) x = b by a Schur complement on a dense "core" (monomers) with a
 *           "periphery" (dimer isomers) whose mutual coupling is tridiagonal inside
 *           blocks (dimers of equal total, ordered along the exchange chain).
 *           T = I - c J_PP is an M-matrix (exchange inflows >= 0, bounded by each
 *           column's outflow), so the tridiagonal LU needs no pivoting.
 *           Networks without that structure: the same matrix in a fixed CSC pattern
 *           (jc_block 6), factorized by SciPy's SuperLU through a Python callback once
 *           per factorization; the triangular solves on its L and U run here (general
 *           sparse path, solver.py's _SuperLU).
 * bdf:      a port of SciPy's BDF (scipy/integrate/_ivp/bdf.py: orders 1-5,
 *           quasi-constant step size, NDF of Shampine & Reichelt 1997, same Newton
 *           and step/order logic). One change: the factorization of I - cJ is reused
 *           while c stays within 30 % of the c it was made with (CVODE's rule). Every
 *           Newton iterate still conserves linear invariants exactly (w^T J = 0).
 *           And, like CVODE's inequality constraints, a step that passes the error
 *           test but leaves a component below -neg_tol is rejected and retried with
 *           half the step (concentrations cannot be negative).
 * sens:     forward sensitivities s_i = dy/dp_i (log rate parameters, initial
 *           concentrations) by the staggered direct method of CVODES (Hindmarsh et al.,
 *           ACM TOMS 2005, 31, 363): after the state's Newton iteration converges, the
 *           sensitivity equations s' = J s + df/dp take the same BDF step, corrected with
 *           the same Newton matrix and factorization; they live in the history array D
 *           past the state (step/order changes and dense output apply to them), and enter
 *           the error test only if asked (errconS). Off, the state's steps are unchanged.
 *
 * Python-facing functions take the CompiledNetwork object of solver.py and fetch its
 * arrays by attribute name (C-contiguous float64/int64, sizes checked per field). Every
 * index array is range-checked once when the network is parsed (parse_net), so the
 * kernels never read or write out of bounds whatever a caller passes; solver.py
 * validates the user-facing arguments first and raises ConfigError. bdf_solve releases
 * the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_ORDER 5
#define NEWTON_MAXITER 4
#define MIN_FACTOR 0.2
#define MAX_FACTOR 10.0
#define LU_REUSE 0.3
#define EPS 2.220446049250313e-16

enum { SUCCESS = 0, STEP_TOO_SMALL = -1, TOO_MANY_STEPS = -2, SINGULAR = -4, NO_MEMORY = -5,
       INTERRUPTED = -6 };

/* Every CHECK_EVERY accepted steps the GIL is taken to check for Ctrl-C and call the
   progress callback, if any. */
#define CHECK_EVERY 64

/* Profiling (benchmarks/bench_solver_profile.py): compiled with -DIC_PROFILE, the solver
   accumulates the CLOCK_MONOTONIC time and the number of calls of each phase, and a few
   work counters (Newton iterations, orders of the predictors and interpolations) that the
   flop count needs, read and reset by _bdf.profile_counters(). Without IC_PROFILE every
   macro below expands to the bare statement or to nothing: the normal build's machine code
   is the same as without them. Only leaves are timed (no phase contains another), so the
   phases add up to the total less the untimed bookkeeping and the timer's own cost. */
#ifdef IC_PROFILE
#include <time.h>
enum { PR_RHS, PR_JAC, PR_LU, PR_SOLVE, PR_PREDICT, PR_NEWTON_VEC, PR_ERROR, PR_HISTORY,
       PR_CHANGE_D, PR_ORDER, PR_DENSE, PR_SENS, PR_CHECKIN, PR_TOTAL, PR_NPHASE };
static const char *prof_phase[PR_NPHASE] = {
    "rhs", "jacobian", "factorization", "linear_solve", "predictor", "newton_vector_work",
    "error_estimate", "history_update", "change_D", "order_selection", "dense_output",
    "sensitivities", "check_in", "total"};
enum { PW_NEWTON_ITER, PW_ATTEMPT, PW_ATTEMPT_ORDER, PW_DENSE_COPY, PW_DENSE_INTERP,
       PW_DENSE_ORDER, PW_CHANGE_D_ROWS2, PW_HISTORY_ORDER, PW_ORDER_NORMS, PW_NWORK };
static const char *prof_work[PW_NWORK] = {
    "newton_iterations", "step_attempts", "sum_order_attempts", "outputs_copied",
    "outputs_interpolated", "sum_order_interpolated", "sum_rows_squared_change_D",
    "sum_order_history", "order_norms"};
static double prof_ns[PR_NPHASE];
static long prof_calls[PR_NPHASE];
static long prof_count[PW_NWORK];
static double prof_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
static void prof_add(int id, double t0)
{
    prof_ns[id] += prof_now() - t0;
    prof_calls[id]++;
}
#define PROF_T(name) double name = prof_now()
#define PROF_ADD(id, name) prof_add(id, name)
#define PROF_COUNT(id, amount) (prof_count[id] += (amount))
#define PROFILED(id, ...)                 \
    do {                                  \
        double prof_t0_ = prof_now();     \
        __VA_ARGS__;                      \
        prof_add(id, prof_t0_);           \
    } while (0)
#else
#define PROF_T(name)
#define PROF_ADD(id, name)
#define PROF_COUNT(id, amount)
#define PROFILED(id, ...) \
    do {                  \
        __VA_ARGS__;      \
    } while (0)
#endif

typedef struct {
    npy_intp n, nr, nc, npp, njc, ncp, npc, nblk;
    /* optional (bdf sets them, see rxn_runs): the reactions in nrun runs of one type,
       run q = [run_end[q - 1], run_end[q]) (run_end[-1] = 0) of type run_type[q] =
       2 (second reactant) + 1 (second product) */
    npy_intp nrun;
    const npy_intp *run_end;
    const unsigned char *run_type;
    const double *k;
    const int64_t *r1, *r2, *p1, *p2;
    const int64_t *jc_rxn, *jc_other, *jc_block, *jc_dest;
    const double *jc_coef;
    const int64_t *cp_ptr, *cp_row, *pc_ptr, *pc_row, *blk_of, *blk_start, *blk_end;
    /* general sparse path: I - cJ in a fixed CSC pattern of nnz entries (jc_block 6 puts
       a contribution at jc_dest in it; sp_diag[i] is the position of entry (i, i)),
       factorized and solved by a Python object around SciPy's SuperLU (see solver.py) */
    int sparse;
    npy_intp nnz;
    const int64_t *sp_diag;
    const int64_t *sp_perm; /* species i is row/column sp_perm[i] of the CSC matrix */
    PyObject *lu;      /* lu.factor() -> SuperLU's factors, or None if singular */
    double *lu_data;   /* lu.data: the CSC values the factorization reads */
} Net;

typedef struct {
    double *Jcc, *Jcp, *Jpc, *Jlo, *Jdi, *Jup;
    double *tri_l, *tri_uinv, *tri_up, *Acp, *Apc, *S, *work;
    npy_intp *piv;
    int64_t *blk_mark, *blk_list;
    /* the periphery's independent tridiagonal segments [seg[s], seg[s + 1]) of the last
       factorization, nseg of them (see lin_factor) */
    int64_t *seg;
    npy_intp nseg;
    /* sparse path: J in the CSC pattern; SuperLU's factors (arrays owned by fac) */
    double *Jsp, *z;
    int64_t *udiag;
    PyObject *fac;
    const int32_t *Lp, *Li, *Up, *Ui, *pr, *pc;
    const double *Lx, *Ux;
} Lin;

/* A C-contiguous array of typenum with expect_size elements (-1: any), else an error
   naming the field. */
static int get_array(PyObject *obj, int typenum, const char *name, PyArrayObject **out,
                     npy_intp expect_size, int writable)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a numpy array, got %.100s", name,
                     Py_TYPE(obj)->tp_name);
        return 0;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_TYPE(a) != typenum || !PyArray_IS_C_CONTIGUOUS(a) ||
        (writable && !PyArray_ISWRITEABLE(a))) {
        PyErr_Format(PyExc_TypeError, "%s: expected a C-contiguous %s%s array", name,
                     typenum == NPY_FLOAT64 ? "float64" : (typenum == NPY_INT32 ? "int32" : "int64"), writable ? " writable" : "");
        return 0;
    }
    if (expect_size >= 0 && PyArray_SIZE(a) != expect_size) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd elements, got %zd", name,
                     (Py_ssize_t)expect_size, (Py_ssize_t)PyArray_SIZE(a));
        return 0;
    }
    *out = a;
    return 1;
}

#define F64(a) ((double *)PyArray_DATA(a))
#define I64(a) ((int64_t *)PyArray_DATA(a))

/* ------------------------------------------------------------------ model */
static void net_rhs(const Net *net, const double *x, double *out)
{
    memset(out, 0, sizeof(double) * net->n);
    if (net->nrun > 0) {
        /* the same operations in the same order as the loop below, one loop per run of
           reactions of one type: no per-reaction tests of the optional slots */
        const double *k = net->k;
        const int64_t *r1 = net->r1, *r2 = net->r2, *p1 = net->p1, *p2 = net->p2;
        npy_intp j = 0;
        for (npy_intp q = 0; q < net->nrun; q++) {
            const npy_intp end = net->run_end[q];
            switch (net->run_type[q]) {
            case 0: /* A -> P */
                for (; j < end; j++) {
                    double v = k[j] * x[r1[j]];
                    out[r1[j]] -= v;
                    out[p1[j]] += v;
                }
                break;
            case 1: /* A -> P + Q */
                for (; j < end; j++) {
                    double v = k[j] * x[r1[j]];
                    out[r1[j]] -= v;
                    out[p1[j]] += v;
                    out[p2[j]] += v;
                }
                break;
            case 2: /* A + B -> P */
                for (; j < end; j++) {
                    double v = k[j] * x[r1[j]];
                    v *= x[r2[j]];
                    out[r2[j]] -= v;
                    out[r1[j]] -= v;
                    out[p1[j]] += v;
                }
                break;
            default: /* A + B -> P + Q */
                for (; j < end; j++) {
                    double v = k[j] * x[r1[j]];
                    v *= x[r2[j]];
                    out[r2[j]] -= v;
                    out[r1[j]] -= v;
                    out[p1[j]] += v;
                    out[p2[j]] += v;
                }
                break;
            }
        }
        return;
    }
    for (npy_intp j = 0; j < net->nr; j++) {
        int64_t a = net->r1[j], b = net->r2[j], c = net->p2[j];
        double v = net->k[j] * x[a];
        if (b >= 0) {
            v *= x[b];
            out[b] -= v;
        }
        out[a] -= v;
        out[net->p1[j]] += v;
        if (c >= 0) out[c] += v;
    }
}

static void net_jacobian(const Net *net, const double *x, Lin *L)
{
    memset(L->Jcc, 0, sizeof(double) * net->nc * net->nc);
    memset(L->Jcp, 0, sizeof(double) * net->ncp);
    memset(L->Jpc, 0, sizeof(double) * net->npc);
    memset(L->Jlo, 0, sizeof(double) * net->npp);
    memset(L->Jdi, 0, sizeof(double) * net->npp);
    memset(L->Jup, 0, sizeof(double) * net->npp);
    memset(L->Jsp, 0, sizeof(double) * net->nnz);
    for (npy_intp q = 0; q < net->njc; q++) {
        double v = net->jc_coef[q] * net->k[net->jc_rxn[q]];
        int64_t o = net->jc_other[q], d = net->jc_dest[q];
        if (o >= 0) v *= x[o];
        switch (net->jc_block[q]) {
        case 0: L->Jcc[d] += v; break;
        case 1: L->Jcp[d] += v; break;
        case 2: L->Jpc[d] += v; break;
        case 3: L->Jdi[d] += v; break;
        case 4: L->Jlo[d] += v; break;
        case 5: L->Jup[d] += v; break;
        default: L->Jsp[d] += v; break;
        }
    }
}

/* --------------------------------------------------------- linear algebra */
static void tri_solve(const Lin *L, npy_intp start, npy_intp end, double *y)
{
    for (npy_intp i = start + 1; i < end; i++) y[i] -= L->tri_l[i] * y[i - 1];
    y[end - 1] *= L->tri_uinv[end - 1];
    for (npy_intp i = end - 2; i >= start; i--)
        y[i] = (y[i] - L->tri_up[i] * y[i + 1]) * L->tri_uinv[i];
}

static int lu_factor(double *A, npy_intp *piv, npy_intp n)
{
    for (npy_intp kk = 0; kk < n; kk++) {
        npy_intp p = kk;
        double best = fabs(A[kk * n + kk]);
        for (npy_intp i = kk + 1; i < n; i++) {
            double v = fabs(A[i * n + kk]);
            if (v > best) { best = v; p = i; }
        }
        piv[kk] = p;
        if (best == 0.0 || !isfinite(best)) return 0;
        if (p != kk) {
            for (npy_intp j = 0; j < n; j++) {
                double t = A[kk * n + j];
                A[kk * n + j] = A[p * n + j];
                A[p * n + j] = t;
            }
        }
        double inv = 1.0 / A[kk * n + kk];
        for (npy_intp i = kk + 1; i < n; i++) {
            double lik = A[i * n + kk] * inv;
            A[i * n + kk] = lik;
            if (lik != 0.0) {
                double *ri = A + i * n, *rk = A + kk * n;
                for (npy_intp j = kk + 1; j < n; j++) ri[j] -= lik * rk[j];
            }
        }
    }
    return 1;
}

static void lu_solve(const double *A, const npy_intp *piv, npy_intp n, double *b)
{
    for (npy_intp i = 0; i < n; i++) {
        npy_intp p = piv[i];
        if (p != i) { double t = b[i]; b[i] = b[p]; b[p] = t; }
    }
    for (npy_intp i = 0; i < n; i++) {
        double s = b[i];
        for (npy_intp j = 0; j < i; j++) s -= A[i * n + j] * b[j];
        b[i] = s;
    }
    for (npy_intp i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (npy_intp j = i + 1; j < n; j++) s -= A[i * n + j] * b[j];
        b[i] = s / A[i * n + i];
    }
}

/* Sparse path: write I - cJ into lu.data and call lu.factor() (with the GIL), which runs
   SuperLU and returns its factors Pr A Pc = L U as CSC arrays (L unit lower, U upper):
   (L.indptr, L.indices, L.data, U.indptr, U.indices, U.data, perm_r, perm_c), int32
   indices, float64 values; or None if A is singular. The factors are checked here, once
   per factorization, and the triangular solves then run in C without the GIL.
   1 ok, 0 singular, -1 a Python exception is set. */
static int check_factor_csc(const int32_t *ptr, const int32_t *idx, npy_intp nnz, npy_intp n,
                            int lower, int64_t *diag)
{
    if (ptr[0] != 0 || ptr[n] != nnz) return 0;
    for (npy_intp j = 0; j < n; j++) {
        if (ptr[j + 1] < ptr[j]) return 0;
        if (diag) diag[j] = -1;
        for (int32_t p = ptr[j]; p < ptr[j + 1]; p++) {
            int32_t i = idx[p];
            if (i < 0 || i >= n || (lower ? i < j : i > j)) return 0;
            if (diag && i == j) diag[j] = p;
        }
        if (diag && diag[j] < 0) return 0;
    }
    return 1;
}

static int sparse_factor(const Net *net, Lin *L, double c)
{
    const npy_intp n = net->n;
    for (npy_intp p = 0; p < net->nnz; p++) net->lu_data[p] = -c * L->Jsp[p];
    for (npy_intp i = 0; i < n; i++) net->lu_data[net->sp_diag[i]] += 1.0;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_CLEAR(L->fac);
    int ret = -1;
    PyObject *r = PyObject_CallMethod(net->lu, "factor", NULL);
    if (r == NULL) goto out;
    if (r == Py_None) { ret = 0; Py_DECREF(r); goto out; }
    L->fac = r;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 8) {
        PyErr_SetString(PyExc_TypeError, "lu.factor(): expected a tuple of 8 arrays or None");
        goto out;
    }
    static const char *names[8] = {"L.indptr", "L.indices", "L.data", "U.indptr",
                                   "U.indices", "U.data", "perm_r", "perm_c"};
    PyArrayObject *a[8];
    for (int i = 0; i < 8; i++) {
        int typenum = (i == 2 || i == 5) ? NPY_FLOAT64 : NPY_INT32;
        npy_intp size = (i == 0 || i == 3) ? n + 1 : ((i >= 6) ? n : -1);
        if (!get_array(PyTuple_GET_ITEM(r, i), typenum, names[i], &a[i], size, 0)) goto out;
    }
    L->Lp = (const int32_t *)PyArray_DATA(a[0]); L->Li = (const int32_t *)PyArray_DATA(a[1]);
    L->Lx = F64(a[2]);
    L->Up = (const int32_t *)PyArray_DATA(a[3]); L->Ui = (const int32_t *)PyArray_DATA(a[4]);
    L->Ux = F64(a[5]);
    L->pr = (const int32_t *)PyArray_DATA(a[6]); L->pc = (const int32_t *)PyArray_DATA(a[7]);
    if (PyArray_SIZE(a[1]) != PyArray_SIZE(a[2]) || PyArray_SIZE(a[4]) != PyArray_SIZE(a[5]) ||
        !check_factor_csc(L->Lp, L->Li, PyArray_SIZE(a[1]), n, 1, NULL) ||
        !check_factor_csc(L->Up, L->Ui, PyArray_SIZE(a[4]), n, 0, L->udiag)) {
        PyErr_SetString(PyExc_ValueError, "lu.factor(): L and U are not n x n triangular CSC");
        goto out;
    }
    for (npy_intp i = 0; i < n; i++)
        if (L->pr[i] < 0 || L->pr[i] >= n || L->pc[i] < 0 || L->pc[i] >= n) {
            PyErr_SetString(PyExc_ValueError, "lu.factor(): permutation out of range");
            goto out;
        }
    ret = 1;
    for (npy_intp j = 0; j < n; j++) {
        double d = L->Ux[L->udiag[j]];
        if (d == 0.0 || !isfinite(d)) { ret = 0; break; }
    }
out:
    if (ret != 1) Py_CLEAR(L->fac);
    PyGILState_Release(g);
    return ret;
}

/* Sparse path: out = A^-1 b with A[sp_perm[i], sp_perm[j]] = (I - cJ)[i, j] and
   Pr A Pc = L U. Always 1. */
static int sparse_solve(const Net *net, Lin *L, const double *b, double *out)
{
    const npy_intp n = net->n;
    double *z = L->z;
    for (npy_intp i = 0; i < n; i++) z[L->pr[net->sp_perm[i]]] = b[i];
    for (npy_intp j = 0; j < n; j++) { /* L z' = z, unit diagonal */
        double zj = z[j];
        if (zj != 0.0)
            for (int32_t p = L->Lp[j]; p < L->Lp[j + 1]; p++)
                if (L->Li[p] != j) z[L->Li[p]] -= L->Lx[p] * zj;
    }
    for (npy_intp j = n - 1; j >= 0; j--) { /* U y = z' */
        double yj = z[j] / L->Ux[L->udiag[j]];
        z[j] = yj;
        if (yj != 0.0)
            for (int32_t p = L->Up[j]; p < L->Up[j + 1]; p++)
                if (L->Ui[p] != j) z[L->Ui[p]] -= L->Ux[p] * yj;
    }
    for (npy_intp i = 0; i < n; i++) out[i] = z[L->pc[net->sp_perm[i]]];
    return 1;
}

/* Factorize I - cJ (J from the last net_jacobian). 1 ok, 0 singular, -1 Python error. */
static int lin_factor(const Net *net, Lin *L, double c)
{
    if (net->sparse) return sparse_factor(net, L, c);
    npy_intp nc = net->nc, npp = net->npp;
    for (npy_intp i = 0; i < npp; i++) L->tri_up[i] = -c * L->Jup[i];
    for (npy_intp i = 0; i < npp; i++) {
        double b = 1.0 - c * L->Jdi[i];
        if (i > 0 && net->blk_of[i] == net->blk_of[i - 1]) {
            double l = -c * L->Jlo[i] * L->tri_uinv[i - 1];
            L->tri_l[i] = l;
            b -= l * L->tri_up[i - 1];
        } else {
            L->tri_l[i] = 0.0;
        }
        L->tri_uinv[i] = 1.0 / b;
    }
    /* Segments: where the block changes, tri_l is 0 and, if tri_up before it is 0 too
       (always, for the networks solver.py builds), the two sides do not couple. Solving
       them one by one in lin_solve gives the same numbers as one sweep over the whole
       periphery (x - 0 * y is x for finite y), but the sweeps' dependency chains end at
       each segment, so that the processor overlaps the short recurrences instead of
       waiting out one chain of npp multiply-subtract latencies. */
    L->nseg = 0;
    for (npy_intp i = 0; i < npp; i++)
        if (i == 0 || (net->blk_of[i] != net->blk_of[i - 1] && L->tri_up[i - 1] == 0.0))
            L->seg[L->nseg++] = i;
    L->seg[L->nseg] = npp;
    for (npy_intp r = 0; r < net->ncp; r++) L->Acp[r] = c * L->Jcp[r];
    for (npy_intp r = 0; r < net->npc; r++) L->Apc[r] = c * L->Jpc[r];
    for (npy_intp i = 0; i < nc; i++) {
        for (npy_intp j = 0; j < nc; j++) L->S[i * nc + j] = -c * L->Jcc[i * nc + j];
        L->S[i * nc + i] += 1.0;
    }
    for (npy_intp b = 0; b < net->nblk; b++) L->blk_mark[b] = -1;
    for (npy_intp j = 0; j < nc; j++) {
        npy_intp n_blk = 0;
        for (int64_t p = net->pc_ptr[j]; p < net->pc_ptr[j + 1]; p++) {
            int64_t bk = net->blk_of[net->pc_row[p]];
            if (L->blk_mark[bk] != j) {
                L->blk_mark[bk] = j;
                L->blk_list[n_blk++] = bk;
                for (int64_t i = net->blk_start[bk]; i < net->blk_end[bk]; i++) L->work[i] = 0.0;
            }
        }
        for (int64_t p = net->pc_ptr[j]; p < net->pc_ptr[j + 1]; p++)
            L->work[net->pc_row[p]] -= L->Apc[p];
        for (npy_intp q = 0; q < n_blk; q++) {
            int64_t bk = L->blk_list[q];
            tri_solve(L, net->blk_start[bk], net->blk_end[bk], L->work);
            for (int64_t i = net->blk_start[bk]; i < net->blk_end[bk]; i++) {
                double wi = L->work[i];
                if (wi != 0.0)
                    for (int64_t r = net->cp_ptr[i]; r < net->cp_ptr[i + 1]; r++)
                        L->S[net->cp_row[r] * nc + j] += L->Acp[r] * wi;
            }
        }
    }
    return lu_factor(L->S, L->piv, nc);
}

/* out = (I - cJ)^-1 b with the last factorization. 1 ok, -1 Python error (sparse path). */
static int lin_solve(const Net *net, Lin *L, const double *b, double *out)
{
    if (net->sparse) return sparse_solve(net, L, b, out);
    npy_intp nc = net->nc, npp = net->npp;
    double *w = L->work;
    memcpy(w, b + nc, sizeof(double) * npp);
    for (npy_intp s = 0; s < L->nseg; s++) tri_solve(L, L->seg[s], L->seg[s + 1], w);
    memcpy(out, b, sizeof(double) * nc);
    for (npy_intp i = 0; i < npp; i++) {
        double yi = w[i];
        if (yi != 0.0)
            for (int64_t r = net->cp_ptr[i]; r < net->cp_ptr[i + 1]; r++)
                out[net->cp_row[r]] += L->Acp[r] * yi;
    }
    lu_solve(L->S, L->piv, nc, out);
    memcpy(w, b + nc, sizeof(double) * npp);
    for (npy_intp j = 0; j < nc; j++) {
        double xj = out[j];
        if (xj != 0.0)
            for (int64_t p = net->pc_ptr[j]; p < net->pc_ptr[j + 1]; p++)
                w[net->pc_row[p]] += L->Apc[p] * xj;
    }
    for (npy_intp s = 0; s < L->nseg; s++) tri_solve(L, L->seg[s], L->seg[s + 1], w);
    memcpy(out + nc, w, sizeof(double) * npp);
    return 1;
}

static void lin_free(Lin *L)
{
    free(L->Jcc); free(L->Jcp); free(L->Jpc); free(L->Jlo); free(L->Jdi); free(L->Jup);
    free(L->tri_l); free(L->tri_uinv); free(L->tri_up); free(L->Acp); free(L->Apc);
    free(L->S); free(L->work); free(L->piv); free(L->blk_mark); free(L->blk_list);
    free(L->seg);
    free(L->Jsp); free(L->z); free(L->udiag);
    if (L->fac) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_CLEAR(L->fac);
        PyGILState_Release(g);
    }
}

static int lin_alloc(const Net *net, Lin *L)
{
    npy_intp npp1 = net->npp > 0 ? net->npp : 1;
    memset(L, 0, sizeof(Lin));
    L->Jcc = calloc(net->nc * net->nc + 1, sizeof(double));
    L->Jcp = calloc(net->ncp + 1, sizeof(double));
    L->Jpc = calloc(net->npc + 1, sizeof(double));
    L->Jlo = calloc(npp1, sizeof(double));
    L->Jdi = calloc(npp1, sizeof(double));
    L->Jup = calloc(npp1, sizeof(double));
    L->tri_l = calloc(npp1, sizeof(double));
    L->tri_uinv = calloc(npp1, sizeof(double));
    L->tri_up = calloc(npp1, sizeof(double));
    L->Acp = calloc(net->ncp + 1, sizeof(double));
    L->Apc = calloc(net->npc + 1, sizeof(double));
    L->S = calloc(net->nc * net->nc + 1, sizeof(double));
    L->work = calloc(npp1, sizeof(double));
    L->piv = calloc(net->nc + 1, sizeof(npy_intp));
    L->blk_mark = calloc(net->nblk + 1, sizeof(int64_t));
    L->blk_list = calloc(net->nblk + 1, sizeof(int64_t));
    L->seg = calloc(npp1 + 1, sizeof(int64_t));
    L->Jsp = calloc(net->nnz + 1, sizeof(double));
    L->z = calloc(net->sparse ? net->n : 1, sizeof(double));
    L->udiag = calloc(net->sparse ? net->n : 1, sizeof(int64_t));
    if (!L->Jsp || !L->z || !L->udiag || !L->Jcc || !L->Jcp || !L->Jpc || !L->Jlo || !L->Jdi || !L->Jup || !L->tri_l ||
        !L->tri_uinv || !L->tri_up || !L->Acp || !L->Apc || !L->S || !L->work || !L->piv ||
        !L->blk_mark || !L->blk_list || !L->seg) {
        lin_free(L);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------- forward sensitivities */
/* Parameters p_i: nk log rate parameters (d ln k_j / d ln p_i = val over the CSR list
   ptr[i]..ptr[i+1] of (rxn, val)) and ny0 initial concentrations (species[i - nk]).
   The sensitivities s_i = dy/dp_i [nmol/L] obey s_i' = J(y) s_i + df/dp_i, s_i(0) = 0
   for a rate parameter and e_species for an initial concentration. */
typedef struct {
    npy_intp nk, ny0, ns;
    const int64_t *ptr, *rxn, *species;
    const double *val;
    int errcon; /* 1: the step's error test and the order selection include them */
} Sens;

/* Rates v_j = k_j x[r1_j] x[r2_j]. */
static void net_rates(const Net *net, const double *x, double *v)
{
    for (npy_intp j = 0; j < net->nr; j++) {
        int64_t b = net->r2[j];
        double r = net->k[j] * x[net->r1[j]];
        v[j] = b >= 0 ? r * x[b] : r;
    }
}

/* out = J(x) s + df/dp_ip(x), with v the rates at x and w an nr workspace. */
static void sens_rhs(const Net *net, const Sens *se, npy_intp ip, const double *x,
                     const double *v, const double *s, double *w, double *out)
{
    for (npy_intp j = 0; j < net->nr; j++) {
        int64_t a = net->r1[j], b = net->r2[j];
        w[j] = b >= 0 ? net->k[j] * (s[a] * x[b] + x[a] * s[b]) : net->k[j] * s[a];
    }
    if (ip < se->nk)
        for (int64_t q = se->ptr[ip]; q < se->ptr[ip + 1]; q++)
            w[se->rxn[q]] += se->val[q] * v[se->rxn[q]];
    memset(out, 0, sizeof(double) * net->n);
    for (npy_intp j = 0; j < net->nr; j++) {
        int64_t a = net->r1[j], b = net->r2[j], c = net->p2[j];
        double d = w[j];
        out[a] -= d;
        if (b >= 0) out[b] -= d;
        out[net->p1[j]] += d;
        if (c >= 0) out[c] += d;
    }
}

/* -------------------------------------------------------------------- BDF */
static double rms(const double *x, const double *scale, npy_intp n)
{
    double s = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        double v = x[i] / scale[i];
        s += v * v;
    }
    return sqrt(s / (double)(n > 0 ? n : 1));
}

static void compute_R(int order, double fac, double R[MAX_ORDER + 1][MAX_ORDER + 1])
{
    for (int i = 0; i <= order; i++)
        for (int j = 0; j <= order; j++)
            R[i][j] = (i == 0) ? 1.0 : ((j == 0) ? 0.0 : (i - 1 - fac * j) / (double)i);
    for (int i = 1; i <= order; i++)
        for (int j = 0; j <= order; j++) R[i][j] *= R[i - 1][j];
}

/* D[:order+1] = (R(fac) U)^T D[:order+1] (scipy change_D). D is (MAX_ORDER+3) x n. */
static void change_D(double *D, npy_intp n, int order, double fac, double *tmp)
{
    double R[MAX_ORDER + 1][MAX_ORDER + 1], U[MAX_ORDER + 1][MAX_ORDER + 1];
    double RU[MAX_ORDER + 1][MAX_ORDER + 1];
    compute_R(order, fac, R);
    compute_R(order, 1.0, U);
    for (int i = 0; i <= order; i++)
        for (int j = 0; j <= order; j++) {
            double s = 0.0;
            for (int q = 0; q <= order; q++) s += R[i][q] * U[q][j];
            RU[i][j] = s;
        }
    for (int i = 0; i <= order; i++) {
        double *ti = tmp + (npy_intp)i * n;
        memset(ti, 0, sizeof(double) * n);
        for (int q = 0; q <= order; q++) {
            double w = RU[q][i];
            const double *Dq = D + (npy_intp)q * n;
            for (npy_intp s = 0; s < n; s++) ti[s] += w * Dq[s];
        }
    }
    memcpy(D, tmp, sizeof(double) * n * (order + 1));
}

/* The per-step vector kernels over the history array D ((MAX_ORDER + 3) rows of N), one
   pass over the columns with the loop over the rows inside and unrolled for each order
   (1..MAX_ORDER), so that every column is read once and the compiler vectorizes across
   columns. Each element sees the same operations in the same order as row-by-row
   passes would do: the results are the same bit for bit. */
#define FOR_ORDER(order, ...)                          \
    switch (order) {                                   \
    case 1: { const int K_ = 1; __VA_ARGS__ } break;     \
    case 2: { const int K_ = 2; __VA_ARGS__ } break;     \
    case 3: { const int K_ = 3; __VA_ARGS__ } break;     \
    case 4: { const int K_ = 4; __VA_ARGS__ } break;     \
    case 5: { const int K_ = 5; __VA_ARGS__ } break;     \
    default: { const int K_ = order; __VA_ARGS__ } break; \
    }

/* b = c f - psi - d, and whether every f_i is finite (then 1, else 0 and b is not to be
   used): one pass, the finiteness test on the exponent bits (all ones: inf or NaN) as an
   integer OR, which the compiler vectorizes, where an isfinite() loop that stops at the
   first failure runs one element per cycle. */
static int newton_residual(double c, const double *f, const double *psi, const double *d,
                           double *b, npy_intp n)
{
    const uint64_t exponent = 0x7ff0000000000000ULL, one = 0x0010000000000000ULL;
    uint64_t bad = 0;
    for (npy_intp i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, f + i, sizeof u);
        bad |= (u & exponent) + one; /* bit 63 set iff the exponent is all ones */
        b[i] = c * f[i] - psi[i] - d[i];
    }
    return (bad >> 63) == 0;
}

/* The predictor y_pred = sum_{q<=order} D_q, psi = sum_{1<=q<=order} gamma_q D_q / alpha
   and the error weights atol + rtol |y_pred| (scipy bdf.py _step_impl). */
static void predict(const double *D, npy_intp N, npy_intp n, int order, const double *gamma,
                    double alpha_o, const double *atol, double rtol, double *y_pred,
                    double *scale, double *psi)
{
    FOR_ORDER(order, for (npy_intp i = 0; i < n; i++) {
        double s = 0.0, p = 0.0;
        for (int q = 0; q <= K_; q++) s += D[q * N + i];
        for (int q = 1; q <= K_; q++) p += D[q * N + i] * gamma[q];
        y_pred[i] = s;
        scale[i] = atol[i] + rtol * fabs(s);
        psi[i] = p / alpha_o;
    })
}

/* After an accepted step (scipy bdf.py): D_{order+2} = d - D_{order+1}, D_{order+1} = d
   (here for m columns), then D_q += D_{q+1} for q = order, ..., 0, row by row (rows do
   not overlap: restrict lets the compiler vectorize without run-time alias checks). */
static void history_shift(double *restrict Dn1, double *restrict Dn2, const double *restrict d,
                          npy_intp m)
{
    for (npy_intp i = 0; i < m; i++) {
        Dn2[i] = d[i] - Dn1[i];
        Dn1[i] = d[i];
    }
}

static void add_row(double *restrict a, const double *restrict b, npy_intp m)
{
    for (npy_intp i = 0; i < m; i++) a[i] += b[i];
}

static void history_sum(double *D, npy_intp N, int order)
{
    for (int q = order; q >= 0; q--) add_row(D + (npy_intp)q * N, D + (npy_intp)(q + 1) * N, N);
}

/* Dense output (scipy BdfDenseOutput): out[i] = D_0[i] + sum_{q=1..order} D_q[i] p[q-1]
   for m columns from D, added left to right. */
static void interpolate(double *out, const double *D, npy_intp N, npy_intp m, int order,
                        const double *p)
{
    FOR_ORDER(order, for (npy_intp i = 0; i < m; i++) {
        double v = D[i];
        for (int q = 1; q <= K_; q++) v += D[q * N + i] * p[q - 1];
        out[i] = v;
    })
}

typedef struct {
    int status;
    double t;
    long n_steps, n_fev, n_jev, n_lu;
    double min_y;
    long n_sens_solve, n_sens_lu;
} BdfStats;

/* the corrector: at most SENS_MAXITER iterations with the state's matrix; the convergence
   rate estimate (CVODES' crateS) carries over between steps, decays by SENS_CRDOWN and is
   reset when the matrix is refactorized; an iteration whose correction grows by more than
   SENS_RDIV is diverging */
#define SENS_MAXITER 8
#define SENS_CRDOWN 0.3
#define SENS_RDIV 2.0
/* The corrector's convergence tolerance (RMS norm of the correction in units of the
   local error weights): SciPy's cap of the state's Newton tolerance, min(0.03, sqrt(rtol)),
   and below CVODES' 0.1 for both. Measured on N = 25 sim3 at rtol 1e-8: the
   sensitivities' largest relative error against a run at rtol 1e-11 is 1.8e-5 with the
   state's tolerance (1e-4: 3.3 solves per parameter and step) and 1.5e-5 with 0.03
   (1.5 solves). */
#ifndef SENS_NEWTON_TOL
#define SENS_NEWTON_TOL 0.03
#endif

typedef struct {
    double *v, *w, *spred, *psi, *s, *g, *r, *delta, *scale;
    Lin L2; /* J(y_new) factorized with the step's c: the corrector's fallback */
    double crate; /* convergence rate estimate of the corrector iteration */
    long n_lu_seen; /* the state's factorization count the estimate belongs to */
} SensWork;

/* The staggered direct corrector (CVODES' staggered method). After the state's Newton
   iteration has converged at a step (y_new, c = h / alpha_order), the BDF formula of the
   state applied to s_i' = J s_i + df/dp_i gives, for d_i = s_new - s_pred,
       (I - c J(y_new)) d_i = c (J(y_new) s_pred + df/dp_i(y_new)) - psi_i.
   It is solved by iterating with the state's Newton matrix and factorization, converged
   when |correction| min(1, rate) < sens_tol in the RMS norm of atol + rtol |s_pred| (as
   CVODES); if that does not converge in SENS_MAXITER iterations,
   by one solve with J(y_new) factorized for this c (exact). dS (ns x n) receives the d_i;
   *err_norm the largest RMS norm of ec d_i over the parameters (scale atol + rtol |s_new|).
   1 ok, 0 singular, -1 Python error. */
static int sens_correct(const Net *net, const Sens *se, Lin *L, SensWork *W, const double *D,
                        npy_intp N, int order, const double *gamma, double alpha_o, double ec,
                        double c, const double *y_new, const double *atol, double rtol,
                        double newton_tol, double *dS, double *err_norm, BdfStats *st)
{
    const npy_intp n = net->n;
    const double sens_tol = fmax(newton_tol, SENS_NEWTON_TOL);
    int l2_ready = 0;
    *err_norm = 0.0;
    if (st->n_lu != W->n_lu_seen) { W->crate = 1.0; W->n_lu_seen = st->n_lu; }
    net_rates(net, y_new, W->v);
    for (npy_intp ip = 0; ip < se->ns; ip++) {
        const double *Dc = D + n + ip * n;
        double *d = dS + ip * n;
        for (npy_intp i = 0; i < n; i++) {
            double sp = 0.0, p = 0.0;
            for (int q = 0; q <= order; q++) sp += Dc[q * N + i];
            for (int q = 1; q <= order; q++) p += Dc[q * N + i] * gamma[q];
            W->spred[i] = sp;
            W->psi[i] = p / alpha_o;
            W->scale[i] = atol[i] + rtol * fabs(sp);
            d[i] = 0.0;
        }
        int converged = 0;
        double norm_old = -1.0;
        for (int kk = 0; kk < SENS_MAXITER; kk++) {
            for (npy_intp i = 0; i < n; i++) W->s[i] = W->spred[i] + d[i];
            sens_rhs(net, se, ip, y_new, W->v, W->s, W->w, W->g);
            for (npy_intp i = 0; i < n; i++) W->r[i] = c * W->g[i] - W->psi[i] - d[i];
            if (lin_solve(net, L, W->r, W->delta) < 0) return -1;
            st->n_sens_solve++;
            double nrm = rms(W->delta, W->scale, n);
            if (!isfinite(nrm)) break;
            if (norm_old >= 0.0) {
                if (nrm > SENS_RDIV * norm_old) break;
                W->crate = fmax(SENS_CRDOWN * W->crate, norm_old > 0.0 ? nrm / norm_old : 0.0);
            }
            for (npy_intp i = 0; i < n; i++) d[i] += W->delta[i];
            if (nrm * fmin(1.0, W->crate) < sens_tol) {
                converged = 1;
                break;
            }
            norm_old = nrm;
        }
        if (!converged) {
            if (!l2_ready) {
                net_jacobian(net, y_new, &W->L2);
                st->n_sens_lu++;
                int fs = lin_factor(net, &W->L2, c);
                if (fs <= 0) return fs;
                l2_ready = 1;
            }
            sens_rhs(net, se, ip, y_new, W->v, W->spred, W->w, W->g);
            for (npy_intp i = 0; i < n; i++) W->r[i] = c * W->g[i] - W->psi[i];
            if (lin_solve(net, &W->L2, W->r, d) < 0) return -1;
            st->n_sens_solve++;
        }
        for (npy_intp i = 0; i < n; i++) {
            W->delta[i] = ec * d[i];
            W->scale[i] = atol[i] + rtol * fabs(W->spred[i] + d[i]);
        }
        double en = rms(W->delta, W->scale, n);
        if (!(en <= *err_norm)) *err_norm = en;
    }
    return 1;
}

/* Largest RMS norm over the parameters of coef * row_i (row: ns x n, a row of D past the
   state), scaled by atol + rtol |s| with s the sensitivities in D0. */
static double sens_norm(const double *row, double coef, const double *D0, npy_intp n,
                        npy_intp ns, const double *atol, double rtol, double *err, double *scl)
{
    double m = 0.0;
    for (npy_intp ip = 0; ip < ns; ip++) {
        for (npy_intp i = 0; i < n; i++) {
            err[i] = coef * row[ip * n + i];
            scl[i] = atol[i] + rtol * fabs(D0[ip * n + i]);
        }
        double en = rms(err, scl, n);
        if (!(en <= m)) m = en;
    }
    return m;
}

/* Split the reactions into runs of one type (see Net; networks list reactions grouped by
   kind, so there are few). Returns the number of runs; run_end and run_type need nr
   elements. */
static npy_intp rxn_runs(const Net *net, npy_intp *run_end, unsigned char *run_type)
{
    npy_intp nrun = 0;
    for (npy_intp j = 0; j < net->nr; j++) {
        unsigned char t = (unsigned char)(2 * (net->r2[j] >= 0) + (net->p2[j] >= 0));
        if (nrun == 0 || run_type[nrun - 1] != t) run_type[nrun++] = t;
        run_end[nrun - 1] = j + 1;
    }
    return nrun;
}

/* Observation of the solution: o[t, j] = sum over k in ptr[j]..ptr[j+1] of w[k] y[t, sp[k]]
   (the observation matrix in CSR form; w NULL: all 1); intensities o / sum o (0 where the
   sum is not > 0 or not finite; IN NULL: sums only); IM[j] the first row of observable j's
   largest intensity (IM NULL: not tracked; VM holds that intensity, so that a row is compared
   with n_obs running maxima in one array instead of a gather from the rows they are in);
   ymin the smallest entry; TOT[k, t] the totals sum_j TW[k, j] o[t, j] (n_tot 0: none; e.g.
   the atoms of each metal, for the conservation drift). Used by observe() on a finished
   array and by the solver on each block of output rows while they are in cache. */
typedef struct {
    const int64_t *ptr, *sp;
    const double *w;
    npy_intp n_obs, n;
    double *O, *IN;
    int64_t *IM;
    double ymin;
    double *VM;        /* with IM: the largest intensity of each observable so far (n_obs) */
    npy_intp n_tot;    /* totals: TOT[k, t] = sum over j of TW[k, j] O[t, j] (0: none) */
    const double *TW;  /* (n_tot, n_obs) weights of the observables */
    double *TOT;       /* (n_tot, n_rows): each total over time, contiguous */
    npy_intp n_rows;   /* rows of the output (time points) */
    int skip_min;      /* 1: no minimum (a gather of sensitivities) */
    npy_intp ns;       /* sensitivities observed by the solver (0: none): */
    double *OS;        /* (n_rows, ns, n_obs) d obs / d p */
    double *IS;        /* (n_rows, ns, n_obs) d intensity / d p */
} Obs;

/* rows t0 .. t0 + nb - 1 (nb <= 4) of Y (rows of ob->n): blocks of four rows, so that each
   gathered index serves four independent sums (the loop overhead of the short member lists
   is paid once per block and the additions of one row do not wait on each other); each sum
   still adds its members in order, so the result does not depend on the blocking */
static void observe_block(Obs *restrict ob, const double *Y, npy_intp t0, npy_intp nb)
{
    const npy_intp ns = ob->n, n_obs = ob->n_obs;
    const int64_t *P = ob->ptr, *SP = ob->sp;
    const double *W = ob->w;
    double *IN = ob->IN;
    int64_t *IM = ob->IM;
    const double *r0 = Y + t0 * ns;
    const double *r1 = nb > 1 ? r0 + ns : r0, *r2 = nb > 2 ? r0 + 2 * ns : r0;
    const double *r3 = nb > 3 ? r0 + 3 * ns : r0;
    /* eight running minima: a single one is a serial chain of compares (4 cycles each) */
    double mn[8] = {INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY,
                    INFINITY};
    const npy_intp len = ob->skip_min ? 0 : nb * ns;
    npy_intp i = 0;
#if defined(__SSE2__)
    /* MINPD(a, b) is a < b ? a : b lane by lane, the C expression below (a NaN is never
       taken, and of two zeros the running one is kept), two lanes at a time: GCC does not
       vectorize the ternary itself, since it cannot prove the operands are not NaN */
    __m128d m0 = _mm_set1_pd(INFINITY), m1 = m0, m2 = m0, m3 = m0;
    for (; i + 8 <= len; i += 8) {
        m0 = _mm_min_pd(_mm_loadu_pd(r0 + i), m0);
        m1 = _mm_min_pd(_mm_loadu_pd(r0 + i + 2), m1);
        m2 = _mm_min_pd(_mm_loadu_pd(r0 + i + 4), m2);
        m3 = _mm_min_pd(_mm_loadu_pd(r0 + i + 6), m3);
    }
    _mm_storeu_pd(mn, m0);
    _mm_storeu_pd(mn + 2, m1);
    _mm_storeu_pd(mn + 4, m2);
    _mm_storeu_pd(mn + 6, m3);
#else
    for (; i + 8 <= len; i += 8)
        for (int q = 0; q < 8; q++) mn[q] = r0[i + q] < mn[q] ? r0[i + q] : mn[q];
#endif
    for (; i < len; i++) mn[0] = r0[i] < mn[0] ? r0[i] : mn[0];
    for (int q = 0; q < 8; q++) ob->ymin = mn[q] < ob->ymin ? mn[q] : ob->ymin;
    double tot[4] = {0.0, 0.0, 0.0, 0.0};
    double *restrict o = ob->O + t0 * n_obs;
    /* two totals (the atoms of two metals) are summed in the same pass, in eight
       independent registers; other counts after it, four rows at a time */
    const int fused = ob->n_tot == 2;
    const double *TW0 = ob->TW, *TW1 = fused ? ob->TW + n_obs : NULL;
    double u0 = 0.0, u1 = 0.0, u2 = 0.0, u3 = 0.0, v0 = 0.0, v1 = 0.0, v2 = 0.0, v3 = 0.0;
    for (npy_intp j = 0; j < n_obs; j++) {
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        const int64_t e = P[j + 1];
        if (W) {
            for (int64_t k = P[j]; k < e; k++) {
                const int64_t v = SP[k];
                const double wk = W[k];
                a0 += wk * r0[v];
                a1 += wk * r1[v];
                a2 += wk * r2[v];
                a3 += wk * r3[v];
            }
        } else {
            for (int64_t k = P[j]; k < e; k++) {
                const int64_t v = SP[k];
                a0 += r0[v];
                a1 += r1[v];
                a2 += r2[v];
                a3 += r3[v];
            }
        }
        const double a[4] = {a0, a1, a2, a3};
        for (npy_intp b = 0; b < nb; b++) {
            o[b * n_obs + j] = a[b];
            tot[b] += a[b];
        }
        if (fused) {
            const double w0 = TW0[j], w1 = TW1[j];
            u0 += w0 * a0; u1 += w0 * a1; u2 += w0 * a2; u3 += w0 * a3;
            v0 += w1 * a0; v1 += w1 * a1; v2 += w1 * a2; v3 += w1 * a3;
        }
    }
    if (fused) {
        const double u[4] = {u0, u1, u2, u3}, v[4] = {v0, v1, v2, v3};
        for (npy_intp b = 0; b < nb; b++) {
            ob->TOT[t0 + b] = u[b];
            ob->TOT[ob->n_rows + t0 + b] = v[b];
        }
    } else {
        for (npy_intp k = 0; k < ob->n_tot; k++) {
            const double *restrict tw = ob->TW + k * n_obs;
            double s[4] = {0.0, 0.0, 0.0, 0.0};
            for (npy_intp j = 0; j < n_obs; j++)
                for (npy_intp b = 0; b < 4; b++) s[b] += tw[j] * o[(b < nb ? b : 0) * n_obs + j];
            for (npy_intp b = 0; b < nb; b++) ob->TOT[k * ob->n_rows + t0 + b] = s[b];
        }
    }
    if (!IN) return;
    for (npy_intp b = 0; b < nb; b++) {
        const npy_intp t = t0 + b;
        const double *restrict orow = o + b * n_obs;
        double *restrict in = IN + t * n_obs;
        const int pos = tot[b] > 0.0 && isfinite(tot[b]);
        const double inv = pos ? 1.0 / tot[b] : 0.0;
        double *restrict vm = ob->VM;
        if (!IM) {
            if (pos)
                for (npy_intp j = 0; j < n_obs; j++) in[j] = orow[j] * inv;
            else
                memset(in, 0, (size_t)n_obs * sizeof(double));
        } else if (t == 0) {
            for (npy_intp j = 0; j < n_obs; j++) vm[j] = in[j] = pos ? orow[j] * inv : 0.0;
        } else {
            /* normalise and compare with the running maxima in one loop; a new maximum
               is rare after the first rows, so the branch is well predicted */
            npy_intp j = 0;
#if defined(__SSE2__)
            if (pos) { /* two at a time: the same products, and CMPGTPD is the same > */
                const __m128d vinv = _mm_set1_pd(inv);
                for (; j + 2 <= n_obs; j += 2) {
                    const __m128d x = _mm_mul_pd(_mm_loadu_pd(orow + j), vinv);
                    _mm_storeu_pd(in + j, x);
                    if (_mm_movemask_pd(_mm_cmpgt_pd(x, _mm_loadu_pd(vm + j))))
                        for (npy_intp q = j; q < j + 2; q++)
                            if (in[q] > vm[q]) {
                                vm[q] = in[q];
                                IM[q] = (int64_t)t;
                            }
                }
            }
#endif
            for (; j < n_obs; j++) {
                const double x = pos ? orow[j] * inv : 0.0;
                in[j] = x;
                if (x > vm[j]) {
                    vm[j] = x;
                    IM[j] = (int64_t)t;
                }
            }
        }
    }
}

/* The sensitivities of output rows t0 .. t0 + nb - 1 (observed after their state rows):
   OS[t, p, :] = the observation matrix applied to S[t, p, :] (the gather of
   observe_block, sums only), and the intensity sensitivities
   IS[t, p, j] = (OS[t, p, j] - IN[t, j] sum_k OS[t, p, k]) / sum_k O[t, k]
   (the normalisation I = o / sum o differentiated; 0 where sum o is not > 0 or not
   finite, as the intensities) */
static void observe_sens(const Obs *ob, const double *S, npy_intp t0, npy_intp nb)
{
    const npy_intp ns = ob->ns, n_obs = ob->n_obs;
    Obs g = *ob;
    g.O = ob->OS;
    g.IN = NULL;
    g.IM = NULL;
    g.n_tot = 0;
    g.skip_min = 1;
    const npy_intp r1 = (t0 + nb) * ns;
    for (npy_intp r = t0 * ns; r < r1; r += 4) observe_block(&g, S, r, r1 - r < 4 ? r1 - r : 4);
    for (npy_intp t = t0; t < t0 + nb; t++) {
        const double *o = ob->O + t * n_obs, *in = ob->IN + t * n_obs;
        double tot = 0.0;
        for (npy_intp j = 0; j < n_obs; j++) tot += o[j];
        const double inv = tot > 0.0 && isfinite(tot) ? 1.0 / tot : 0.0;
        for (npy_intp p = 0; p < ns; p++) {
            const double *restrict d = ob->OS + (t * ns + p) * n_obs;
            double *restrict di = ob->IS + (t * ns + p) * n_obs;
            double dt = 0.0;
            for (npy_intp j = 0; j < n_obs; j++) dt += d[j];
            for (npy_intp j = 0; j < n_obs; j++) di[j] = (d[j] - in[j] * dt) * inv;
        }
    }
}

/* observe output rows t0 .. t0 + nb - 1: the state's, then the sensitivities' */
static void observe_out(Obs *ob, const double *Y, const double *S, npy_intp t0, npy_intp nb)
{
    observe_block(ob, Y, t0, nb);
    if (ob->ns > 0) observe_sens(ob, S, t0, nb);
}

static BdfStats bdf(const Net *net, const double *y0, double t0, double t_end,
                    const double *t_out, npy_intp n_out, double rtol, const double *atol,
                    double max_step, double first_step, long max_steps, double neg_tol,
                    double *Y, PyObject *callback, const Sens *se, double *Sout, Obs *ob)
{
    BdfStats st = {SUCCESS, t0, 0, 0, 0, 0, 0.0, 0, 0};
    const npy_intp n = net->n;
    /* the history array D holds the state and, past it, the sensitivities
       (column n + ip * n + i is d y_i / d p_ip): N columns */
    const npy_intp ns = se ? se->ns : 0, N = n * (1 + ns);
    /* the right-hand side by runs of one reaction type (same numbers, fewer tests) */
    Net net_runs = *net;
    npy_intp *run_end = malloc(sizeof(npy_intp) * (net->nr + 1));
    unsigned char *run_type = malloc(net->nr + 1);
    if (!run_end || !run_type) {
        free(run_end); free(run_type);
        st.status = NO_MEMORY;
        return st;
    }
    net_runs.nrun = rxn_runs(net, run_end, run_type);
    net_runs.run_end = run_end;
    net_runs.run_type = run_type;
    net = &net_runs;
    Lin L;
    if (!lin_alloc(net, &L)) { free(run_end); free(run_type); st.status = NO_MEMORY; return st; }
    SensWork W;
    memset(&W, 0, sizeof W);
    W.crate = 1.0;
    W.n_lu_seen = -1;
    double *svec = NULL;
    if (ns > 0) {
        if (!lin_alloc(net, &W.L2)) {
            lin_free(&L); free(run_end); free(run_type);
            st.status = NO_MEMORY;
            return st;
        }
        svec = calloc(ns * n + 8 * n + 2 * net->nr + 1, sizeof(double));
    }
    const npy_intp rows = MAX_ORDER + 3;
    double *D = calloc(rows * N + 1, sizeof(double));
    double *tmp = calloc(rows * N + 1, sizeof(double));
    double *vec = calloc(11 * n + 1, sizeof(double));
    if (!D || !tmp || !vec || (ns > 0 && !svec)) {
        free(D); free(tmp); free(vec); free(svec); lin_free(&L);
        if (ns > 0) lin_free(&W.L2);
        free(run_end); free(run_type);
        st.status = NO_MEMORY;
        return st;
    }
    double *dS = svec;
    if (ns > 0) {
        double *b = svec + ns * n;
        W.spred = b; W.psi = b + n; W.s = b + 2 * n; W.g = b + 3 * n; W.r = b + 4 * n;
        W.delta = b + 5 * n; W.scale = b + 6 * n; W.v = b + 8 * n; W.w = b + 8 * n + net->nr;
        for (npy_intp m = 0; m < se->ny0; m++) D[n + (se->nk + m) * n + se->species[m]] = 1.0;
    }
    double *f = vec, *y = vec + n, *y_new = vec + 2 * n, *y_pred = vec + 3 * n;
    double *psi = vec + 4 * n, *dvec = vec + 5 * n, *dy = vec + 6 * n, *bvec = vec + 7 * n;
    double *scale = vec + 8 * n, *err = vec + 9 * n;

    const double kappa[MAX_ORDER + 1] = {0.0, -0.1850, -1.0 / 9.0, -0.0823, -0.0415, 0.0};
    double gamma[MAX_ORDER + 1], alpha[MAX_ORDER + 1], error_const[MAX_ORDER + 1];
    gamma[0] = 0.0;
    for (int i = 1; i <= MAX_ORDER; i++) gamma[i] = gamma[i - 1] + 1.0 / i;
    for (int i = 0; i <= MAX_ORDER; i++) {
        alpha[i] = (1.0 - kappa[i]) * gamma[i];
        error_const[i] = kappa[i] * gamma[i] + 1.0 / (i + 1);
    }
    double newton_tol = fmax(10.0 * EPS / rtol, fmin(0.03, sqrt(rtol)));

    memcpy(y, y0, sizeof(double) * n);
    for (npy_intp i = 0; i < n; i++) if (y[i] < st.min_y) st.min_y = y[i];
    double t = t0;
    npy_intp out_i = 0;
    npy_intp obs_done = 0; /* output rows observed so far (ob), in blocks of four */
    while (out_i < n_out && t_out[out_i] <= t0) {
        memcpy(Y + out_i * n, y, sizeof(double) * n);
        if (ns > 0) memcpy(Sout + out_i * ns * n, D + n, sizeof(double) * ns * n);
        out_i++;
        if (ob && out_i - obs_done == 4) {
            observe_out(ob, Y, Sout, obs_done, 4);
            obs_done = out_i;
        }
    }
    PROFILED(PR_RHS, net_rhs(net, y, f));
    st.n_fev++;
    double interval = t_end - t0;
    double h_abs;
    if (interval <= 0.0) goto done;

    if (first_step > 0.0) {
        h_abs = fmin(first_step, interval);
    } else { /* scipy select_initial_step, order 1 */
        for (npy_intp i = 0; i < n; i++) scale[i] = atol[i] + fabs(y[i]) * rtol;
        double d0 = rms(y, scale, n), d1 = rms(f, scale, n), h0, h1;
        h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
        h0 = fmin(h0, interval);
        for (npy_intp i = 0; i < n; i++) y_new[i] = y[i] + h0 * f[i];
        PROFILED(PR_RHS, net_rhs(net, y_new, dy));
        st.n_fev++;
        for (npy_intp i = 0; i < n; i++) err[i] = dy[i] - f[i];
        double d2 = rms(err, scale, n) / h0;
        if (d1 <= 1e-15 && d2 <= 1e-15) h1 = fmax(1e-6, h0 * 1e-3);
        else h1 = sqrt(0.01 / fmax(d1, d2));
        h_abs = fmin(fmin(100.0 * h0, h1), fmin(interval, max_step));
    }
    for (npy_intp i = 0; i < n; i++) { D[i] = y[i]; D[N + i] = f[i] * h_abs; }
    if (ns > 0) { /* s'(t0) = J s0 + df/dp */
        net_rates(net, y, W.v);
        for (npy_intp ip = 0; ip < ns; ip++) {
            sens_rhs(net, se, ip, y, W.v, D + n + ip * n, W.w, W.g);
            for (npy_intp i = 0; i < n; i++) D[N + n + ip * n + i] = W.g[i] * h_abs;
        }
    }
    int order = 1, n_equal_steps = 0, lu_valid = 0;
    double c = 0.0, c_lu = 1.0;
    PROFILED(PR_JAC, net_jacobian(net, y, &L));
    st.n_jev++;

    while (t < t_end) {
        if (st.n_steps >= max_steps) { st.status = TOO_MANY_STEPS; goto done; }
        double min_step = 10.0 * EPS * fmax(fabs(t), 1e-300);
        if (h_abs > max_step) {
            PROFILED(PR_CHANGE_D, change_D(D, N, order, max_step / h_abs, tmp));
            PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
            h_abs = max_step;
            n_equal_steps = 0;
        } else if (h_abs < min_step) {
            PROFILED(PR_CHANGE_D, change_D(D, N, order, min_step / h_abs, tmp));
            PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
            h_abs = min_step;
            n_equal_steps = 0;
        }
        int current_jac = 0, step_accepted = 0, n_iter = 0;
        double error_norm = 0.0, t_new = t, safety = 0.9;
        while (!step_accepted) {
            if (h_abs < min_step) { st.status = STEP_TOO_SMALL; goto done; }
            t_new = t + h_abs;
            if (t_new >= t_end) {
                t_new = t_end;
                PROFILED(PR_CHANGE_D, change_D(D, N, order, (t_new - t) / h_abs, tmp));
                PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
                n_equal_steps = 0;
            }
            double h = t_new - t;
            h_abs = h;
            PROF_T(prof_pred);
            PROF_COUNT(PW_ATTEMPT, 1);
            PROF_COUNT(PW_ATTEMPT_ORDER, order);
            predict(D, N, n, order, gamma, alpha[order], atol, rtol, y_pred, scale, psi);
            PROF_ADD(PR_PREDICT, prof_pred);
            int converged = 0;
            c = h / alpha[order];
            if (lu_valid && fabs(c / c_lu - 1.0) > LU_REUSE) lu_valid = 0;
            while (!converged) {
                if (!lu_valid) {
                    st.n_lu++;
                    int fs;
                    PROFILED(PR_LU, fs = lin_factor(net, &L, c));
                    if (fs < 0) { st.status = INTERRUPTED; goto done; }
                    if (fs == 0) { st.status = SINGULAR; goto done; }
                    c_lu = c;
                    lu_valid = 1;
                }
                /* Newton iteration (scipy solve_bdf_system) */
                PROF_T(prof_init);
                memcpy(y_new, y_pred, sizeof(double) * n);
                memset(dvec, 0, sizeof(double) * n);
                PROF_ADD(PR_NEWTON_VEC, prof_init);
                double dy_norm_old = -1.0;
                for (int kk = 0; kk < NEWTON_MAXITER; kk++) {
                    n_iter = kk + 1;
                    PROF_COUNT(PW_NEWTON_ITER, 1);
                    PROFILED(PR_RHS, net_rhs(net, y_new, f));
                    st.n_fev++;
                    PROF_T(prof_b);
                    if (!newton_residual(c, f, psi, dvec, bvec, n)) {
                        PROF_ADD(PR_NEWTON_VEC, prof_b);
                        break;
                    }
                    PROF_ADD(PR_NEWTON_VEC, prof_b);
                    int ls;
                    PROFILED(PR_SOLVE, ls = lin_solve(net, &L, bvec, dy));
                    if (ls < 0) { st.status = INTERRUPTED; goto done; }
                    PROF_T(prof_u);
                    double dy_norm = rms(dy, scale, n);
                    int has_rate = dy_norm_old >= 0.0;
                    double rate = (has_rate && dy_norm_old > 0.0) ? dy_norm / dy_norm_old : 0.0;
                    if (has_rate && (rate >= 1.0 ||
                                     pow(rate, NEWTON_MAXITER - kk) / (1.0 - rate) * dy_norm > newton_tol)) {
                        PROF_ADD(PR_NEWTON_VEC, prof_u);
                        break;
                    }
                    for (npy_intp i = 0; i < n; i++) { y_new[i] += dy[i]; dvec[i] += dy[i]; }
                    PROF_ADD(PR_NEWTON_VEC, prof_u);
                    if (dy_norm == 0.0 || (has_rate && rate / (1.0 - rate) * dy_norm < newton_tol)) {
                        converged = 1;
                        break;
                    }
                    dy_norm_old = dy_norm;
                }
                if (!converged) {
                    if (current_jac) break;
                    PROFILED(PR_JAC, net_jacobian(net, y_pred, &L));
                    st.n_jev++;
                    lu_valid = 0;
                    current_jac = 1;
                }
            }
            if (!converged) {
                PROFILED(PR_CHANGE_D, change_D(D, N, order, 0.5, tmp));
                PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
                h_abs *= 0.5;
                n_equal_steps = 0;
                continue;
            }
            safety = 0.9 * (2 * NEWTON_MAXITER + 1) / (double)(2 * NEWTON_MAXITER + n_iter);
            PROF_T(prof_err);
            for (npy_intp i = 0; i < n; i++) {
                scale[i] = atol[i] + rtol * fabs(y_new[i]);
                err[i] = error_const[order] * dvec[i];
            }
            error_norm = rms(err, scale, n);
            int negative = 0;
            if (neg_tol >= 0.0)
                for (npy_intp i = 0; i < n; i++)
                    if (y_new[i] < -neg_tol) { negative = 1; break; }
            PROF_ADD(PR_ERROR, prof_err);
            if (error_norm > 1.0) {
                double fac = fmax(MIN_FACTOR, safety * pow(error_norm, -1.0 / (order + 1)));
                h_abs *= fac;
                PROFILED(PR_CHANGE_D, change_D(D, N, order, fac, tmp));
                PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
                n_equal_steps = 0;
            } else if (negative) {
                h_abs *= 0.5;
                PROFILED(PR_CHANGE_D, change_D(D, N, order, 0.5, tmp));
                PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
                n_equal_steps = 0;
            } else {
                step_accepted = 1;
                if (ns > 0) {
                    double en;
                    int sr;
                    PROFILED(PR_SENS,
                             sr = sens_correct(net, se, &L, &W, D, N, order, gamma, alpha[order],
                                               error_const[order], c, y_new, atol, rtol,
                                               newton_tol, dS, &en, &st));
                    if (sr < 0) { st.status = INTERRUPTED; goto done; }
                    if (sr == 0) { st.status = SINGULAR; goto done; }
                    if (se->errcon) {
                        if (!(en <= 1.0)) {
                            double fac = isfinite(en) ? fmax(MIN_FACTOR, safety * pow(en, -1.0 / (order + 1)))
                                                      : MIN_FACTOR;
                            h_abs *= fac;
                            PROFILED(PR_CHANGE_D, change_D(D, N, order, fac, tmp));
                            PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
                            n_equal_steps = 0;
                            step_accepted = 0;
                        } else if (en > error_norm) {
                            error_norm = en;
                        }
                    }
                }
            }
        }

        st.n_steps++;
        n_equal_steps++;
        double t_old = t;
        t = t_new;
        PROF_T(prof_hist);
        PROF_COUNT(PW_HISTORY_ORDER, order);
        {
            double *Dn1 = D + (npy_intp)(order + 1) * N, *Dn2 = D + (npy_intp)(order + 2) * N;
            memcpy(y, y_new, sizeof(double) * n);
            for (npy_intp i = 0; i < n; i++)
                if (y[i] < st.min_y) st.min_y = y[i];
            history_shift(Dn1, Dn2, dvec, n);
            if (N > n) history_shift(Dn1 + n, Dn2 + n, dS, N - n);
            history_sum(D, N, order);
        }
        PROF_ADD(PR_HISTORY, prof_hist);
        /* dense output on (t_old, t] (scipy BdfDenseOutput) */
        PROF_T(prof_dense);
        while (out_i < n_out && t_out[out_i] <= t) {
            double tt = t_out[out_i];
            double *Yo = Y + out_i * n;
            double *So = ns > 0 ? Sout + out_i * ns * n : NULL;
            const npy_intp nsn = ns * n;
            if (tt == t) {
                PROF_COUNT(PW_DENSE_COPY, 1);
                memcpy(Yo, y, sizeof(double) * n);
                if (ns > 0) memcpy(So, D + n, sizeof(double) * nsn);
            } else {
                PROF_COUNT(PW_DENSE_INTERP, 1);
                PROF_COUNT(PW_DENSE_ORDER, order);
                double p[MAX_ORDER], pq = 1.0;
                for (int q = 0; q < order; q++) {
                    pq *= (tt - (t - h_abs * q)) / (h_abs * (1 + q));
                    p[q] = pq;
                }
                interpolate(Yo, D, N, n, order, p);
                if (ns > 0) interpolate(So, D + n, N, nsn, order, p);
            }
            out_i++;
            if (ob && out_i - obs_done == 4) { /* four fresh rows, still in cache */
                observe_out(ob, Y, Sout, obs_done, 4);
                obs_done = out_i;
            }
        }
        PROF_ADD(PR_DENSE, prof_dense);
        if (t_old == t) break;
        if (st.n_steps % CHECK_EVERY == 0) {
            PROF_T(prof_chk);
            PyGILState_STATE g = PyGILState_Ensure();
            int bad = PyErr_CheckSignals();
            if (!bad && callback != Py_None) {
                PyObject *r = PyObject_CallFunction(callback, "d", t);
                if (r == NULL) bad = 1;
                Py_XDECREF(r);
            }
            PyGILState_Release(g);
            PROF_ADD(PR_CHECKIN, prof_chk);
            if (bad) { st.status = INTERRUPTED; goto done; }
        }
        if (n_equal_steps < order + 1) continue;

        PROF_T(prof_ord);
        PROF_COUNT(PW_ORDER_NORMS, 1);
        double norms[3];
        if (order > 1) {
            for (npy_intp i = 0; i < n; i++) err[i] = error_const[order - 1] * D[(npy_intp)order * N + i];
            norms[0] = rms(err, scale, n);
            if (ns > 0 && se->errcon)
                norms[0] = fmax(norms[0], sens_norm(D + (npy_intp)order * N + n, error_const[order - 1],
                                                    D + n, n, ns, atol, rtol, W.delta, W.scale));
        } else {
            norms[0] = INFINITY;
        }
        norms[1] = error_norm;
        if (order < MAX_ORDER) {
            for (npy_intp i = 0; i < n; i++)
                err[i] = error_const[order + 1] * D[(npy_intp)(order + 2) * N + i];
            norms[2] = rms(err, scale, n);
            if (ns > 0 && se->errcon)
                norms[2] = fmax(norms[2], sens_norm(D + (npy_intp)(order + 2) * N + n, error_const[order + 1],
                                                    D + n, n, ns, atol, rtol, W.delta, W.scale));
        } else {
            norms[2] = INFINITY;
        }
        double best = -1.0;
        int delta = 0;
        for (int q = 0; q < 3; q++) {
            double fq = (norms[q] == 0.0) ? INFINITY : pow(norms[q], -1.0 / (order + q));
            if (fq > best) { best = fq; delta = q - 1; }
        }
        order += delta;
        double fac = fmin(MAX_FACTOR, safety * best);
        h_abs *= fac;
        PROF_ADD(PR_ORDER, prof_ord);
        PROFILED(PR_CHANGE_D, change_D(D, N, order, fac, tmp));
        PROF_COUNT(PW_CHANGE_D_ROWS2, (order + 1) * (order + 1));
        n_equal_steps = 0;
    }
done:
    if (ob && out_i > obs_done) observe_out(ob, Y, Sout, obs_done, out_i - obs_done);
    /* rows the integration did not reach (it stopped early) are NaN: the caller's arrays
       need not be zeroed first */
    for (npy_intp i = out_i * n; i < n_out * n; i++) Y[i] = NAN;
    for (npy_intp i = out_i * ns * n; i < n_out * ns * n; i++) Sout[i] = NAN;
    st.t = t;
    free(D); free(tmp); free(vec); free(svec); free(run_end); free(run_type);
    lin_free(&L);
    if (ns > 0) lin_free(&W.L2);
    return st;
}

/* ------------------------------------------------------- Python interface */

/* The network's arrays, fetched from the CompiledNetwork object by attribute name. The
   Net keeps a reference to every array it points into until net_release(), so a callback
   that rebinds an attribute cannot free memory the kernels are using. */
#define MAX_REFS 32
typedef struct {
    PyObject *refs[MAX_REFS];
    int nref;
} Refs;

static void refs_release(Refs *r)
{
    for (int i = 0; i < r->nref; i++) Py_DECREF(r->refs[i]);
    r->nref = 0;
}

/* net.<name> as an array of typenum with expect_size elements (-1: any). */
static PyArrayObject *attr_array(PyObject *obj, const char *name, int typenum,
                                 npy_intp expect_size, Refs *r)
{
    PyObject *a = PyObject_GetAttrString(obj, name);
    if (a == NULL) return NULL;
    if (r->nref >= MAX_REFS) {
        Py_DECREF(a);
        PyErr_SetString(PyExc_RuntimeError, "network: too many arrays");
        return NULL;
    }
    r->refs[r->nref++] = a;
    PyArrayObject *out;
    char field[64];
    snprintf(field, sizeof field, "network.%s", name);
    if (!get_array(a, typenum, field, &out, expect_size, 0)) return NULL;
    return out;
}

static int attr_int(PyObject *obj, const char *name, npy_intp lo, npy_intp hi, npy_intp *out)
{
    PyObject *a = PyObject_GetAttrString(obj, name);
    if (a == NULL) return 0;
    long long v = PyLong_AsLongLong(a);
    Py_DECREF(a);
    if (v == -1 && PyErr_Occurred()) return 0;
    if (v < lo || v > hi) {
        PyErr_Format(PyExc_ValueError, "network.%s = %lld: expected an integer in [%lld, %lld]",
                     name, v, (long long)lo, (long long)hi);
        return 0;
    }
    *out = (npy_intp)v;
    return 1;
}

/* Every element of an index array in [lo, hi). */
static int check_range(const int64_t *a, npy_intp size, int64_t lo, int64_t hi, const char *name)
{
    for (npy_intp i = 0; i < size; i++)
        if (a[i] < lo || a[i] >= hi) {
            PyErr_Format(PyExc_ValueError,
                         "network.%s[%zd] = %lld: expected an index in [%lld, %lld)", name,
                         (Py_ssize_t)i, (long long)a[i], (long long)lo, (long long)hi);
            return 0;
        }
    return 1;
}

/* A CSC/CSR pointer array: ptr[0] = 0, non-decreasing, ptr[last] = total. */
static int check_ptr(const int64_t *p, npy_intp size, npy_intp total, const char *name)
{
    if (p[0] != 0 || p[size - 1] != total) {
        PyErr_Format(PyExc_ValueError,
                     "network.%s: expected to start at 0 and end at %zd, got %lld..%lld", name,
                     (Py_ssize_t)total, (long long)p[0], (long long)p[size - 1]);
        return 0;
    }
    for (npy_intp i = 1; i < size; i++)
        if (p[i] < p[i - 1]) {
            PyErr_Format(PyExc_ValueError, "network.%s: decreases at position %zd", name,
                         (Py_ssize_t)i);
            return 0;
        }
    return 1;
}

/* Fill a Net from a CompiledNetwork (arrays by attribute name) and check every index it
   holds, once, so that the kernels can use them without bounds checks. */
static int parse_net(PyObject *obj, Net *net, Refs *r)
{
    npy_intp n, nc;
    memset(net, 0, sizeof(Net));
    if (!attr_int(obj, "n_species", 1, ((npy_intp)1) << 40, &n)) return 0;
    if (!attr_int(obj, "nc", 0, n, &nc)) return 0;
    net->n = n;
    net->nc = nc;
    net->npp = n - nc;
    PyArrayObject *k = attr_array(obj, "k", NPY_FLOAT64, -1, r);
    if (!k) return 0;
    npy_intp nr = net->nr = PyArray_SIZE(k);
    PyArrayObject *r1 = attr_array(obj, "r1", NPY_INT64, nr, r);
    PyArrayObject *r2 = r1 ? attr_array(obj, "r2", NPY_INT64, nr, r) : NULL;
    PyArrayObject *p1 = r2 ? attr_array(obj, "p1", NPY_INT64, nr, r) : NULL;
    PyArrayObject *p2 = p1 ? attr_array(obj, "p2", NPY_INT64, nr, r) : NULL;
    if (!p2) return 0;
    PyArrayObject *jc_rxn = attr_array(obj, "jc_rxn", NPY_INT64, -1, r);
    if (!jc_rxn) return 0;
    npy_intp njc = net->njc = PyArray_SIZE(jc_rxn);
    PyArrayObject *jc_coef = attr_array(obj, "jc_coef", NPY_FLOAT64, njc, r);
    PyArrayObject *jc_other = jc_coef ? attr_array(obj, "jc_other", NPY_INT64, njc, r) : NULL;
    PyArrayObject *jc_block = jc_other ? attr_array(obj, "jc_block", NPY_INT64, njc, r) : NULL;
    PyArrayObject *jc_dest = jc_block ? attr_array(obj, "jc_dest", NPY_INT64, njc, r) : NULL;
    PyArrayObject *cp_ptr = jc_dest ? attr_array(obj, "cp_ptr", NPY_INT64, net->npp + 1, r) : NULL;
    PyArrayObject *cp_row = cp_ptr ? attr_array(obj, "cp_row", NPY_INT64, -1, r) : NULL;
    PyArrayObject *pc_ptr = cp_row ? attr_array(obj, "pc_ptr", NPY_INT64, nc + 1, r) : NULL;
    PyArrayObject *pc_row = pc_ptr ? attr_array(obj, "pc_row", NPY_INT64, -1, r) : NULL;
    PyArrayObject *blk_of = pc_row ? attr_array(obj, "blk_of", NPY_INT64, net->npp, r) : NULL;
    PyArrayObject *blk_start = blk_of ? attr_array(obj, "blk_start", NPY_INT64, -1, r) : NULL;
    PyArrayObject *blk_end =
        blk_start ? attr_array(obj, "blk_end", NPY_INT64, PyArray_SIZE(blk_start), r) : NULL;
    if (!blk_end) return 0;
    net->k = F64(k);
    net->r1 = I64(r1); net->r2 = I64(r2); net->p1 = I64(p1); net->p2 = I64(p2);
    net->jc_rxn = I64(jc_rxn); net->jc_coef = F64(jc_coef); net->jc_other = I64(jc_other);
    net->jc_block = I64(jc_block); net->jc_dest = I64(jc_dest);
    net->cp_ptr = I64(cp_ptr); net->cp_row = I64(cp_row); net->ncp = PyArray_SIZE(cp_row);
    net->pc_ptr = I64(pc_ptr); net->pc_row = I64(pc_row); net->npc = PyArray_SIZE(pc_row);
    net->blk_of = I64(blk_of); net->blk_start = I64(blk_start); net->blk_end = I64(blk_end);
    net->nblk = PyArray_SIZE(blk_start);
    npy_intp sparse;
    if (!attr_int(obj, "sparse", 0, 1, &sparse)) return 0;
    net->sparse = (int)sparse;
    PyArrayObject *sp_indices = attr_array(obj, "sp_indices", NPY_INT64, -1, r);
    PyArrayObject *sp_diag =
        sp_indices ? attr_array(obj, "sp_diag", NPY_INT64, sparse ? n : -1, r) : NULL;
    PyArrayObject *sp_perm =
        sp_diag ? attr_array(obj, "sp_perm", NPY_INT64, sparse ? n : -1, r) : NULL;
    if (!sp_perm) return 0;
    net->nnz = PyArray_SIZE(sp_indices);
    net->sp_diag = I64(sp_diag);
    net->sp_perm = I64(sp_perm);

    /* the index checks: after these the kernels never leave their arrays */
    if (!check_range(net->r1, nr, 0, n, "r1") || !check_range(net->r2, nr, -1, n, "r2") ||
        !check_range(net->p1, nr, 0, n, "p1") || !check_range(net->p2, nr, -1, n, "p2") ||
        !check_range(net->jc_rxn, njc, 0, nr > 0 ? nr : 0, "jc_rxn") ||
        !check_range(net->jc_other, njc, -1, n, "jc_other") ||
        !check_range(net->jc_block, njc, 0, 7, "jc_block") ||
        !check_ptr(net->cp_ptr, net->npp + 1, net->ncp, "cp_ptr") ||
        !check_range(net->cp_row, net->ncp, 0, nc, "cp_row") ||
        !check_ptr(net->pc_ptr, nc + 1, net->npc, "pc_ptr") ||
        !check_range(net->pc_row, net->npc, 0, net->npp, "pc_row") ||
        !check_range(net->blk_of, net->npp, 0, net->nblk, "blk_of") ||
        !check_range(net->blk_start, net->nblk, 0, net->npp + 1, "blk_start") ||
        !check_range(net->blk_end, net->nblk, 0, net->npp + 1, "blk_end") ||
        (sparse && !check_range(net->sp_diag, n, 0, net->nnz, "sp_diag")) ||
        (sparse && !check_range(net->sp_perm, n, 0, n, "sp_perm")))
        return 0;
    for (npy_intp b = 0; b < net->nblk; b++)
        if (net->blk_start[b] > net->blk_end[b]) {
            PyErr_Format(PyExc_ValueError, "network.blk_start[%zd] > network.blk_end[%zd]",
                         (Py_ssize_t)b, (Py_ssize_t)b);
            return 0;
        }
    const npy_intp dest_size[7] = {nc * nc,  net->ncp, net->npc, net->npp,
                                   net->npp, net->npp, net->nnz};
    for (npy_intp q = 0; q < njc; q++) {
        int64_t bk = net->jc_block[q], d = net->jc_dest[q];
        if (d < 0 || d >= dest_size[bk]) {
            PyErr_Format(PyExc_ValueError,
                         "network.jc_dest[%zd] = %lld: expected an index in [0, %zd) for "
                         "block %lld",
                         (Py_ssize_t)q, (long long)d, (Py_ssize_t)dest_size[bk], (long long)bk);
            return 0;
        }
    }
    return 1;
}

/* The sparse path's LU object (solver.py's _SuperLU): a writable float64 array ``data``
   (nnz) and a method factor(). Ignored when the network is not sparse. */
static int attach_lu(PyObject *lu, Net *net, Refs *r)
{
    if (!net->sparse) return 1;
    if (lu == NULL || lu == Py_None) {
        PyErr_SetString(PyExc_ValueError,
                        "lu: the network uses the sparse path and needs an LU object");
        return 0;
    }
    if (r->nref >= MAX_REFS - 1) {
        PyErr_SetString(PyExc_RuntimeError, "lu: too many arrays");
        return 0;
    }
    PyObject *a = PyObject_GetAttrString(lu, "data");
    if (a == NULL) return 0;
    r->refs[r->nref++] = a;
    PyArrayObject *arr;
    if (!get_array(a, NPY_FLOAT64, "lu.data", &arr, net->nnz, 1)) return 0;
    Py_INCREF(lu);
    r->refs[r->nref++] = lu;
    net->lu = lu;
    net->lu_data = F64(arr);
    return 1;
}

static PyObject *py_rhs(PyObject *self, PyObject *args)
{
    PyObject *ox, *onet, *oout;
    if (!PyArg_ParseTuple(args, "OOO", &ox, &onet, &oout)) return NULL;
    PyArrayObject *x, *out;
    Net net;
    Refs refs = {{0}, 0};
    PyObject *ret = NULL;
    if (parse_net(onet, &net, &refs) && get_array(ox, NPY_FLOAT64, "y", &x, net.n, 0) &&
        get_array(oout, NPY_FLOAT64, "out", &out, net.n, 1)) {
        net_rhs(&net, F64(x), F64(out));
        ret = Py_None;
        Py_INCREF(ret);
    }
    refs_release(&refs);
    return ret;
}

/* solve_newton(y, c, b, network, out): out = (I - c J(y))^-1 b, for tests. */
static PyObject *py_solve_newton(PyObject *self, PyObject *args)
{
    PyObject *oy, *ob, *onet, *oout, *lu = Py_None;
    double c;
    if (!PyArg_ParseTuple(args, "OdOOO|O", &oy, &c, &ob, &onet, &oout, &lu)) return NULL;
    PyArrayObject *y, *b, *out;
    Net net;
    Refs refs = {{0}, 0};
    if (!parse_net(onet, &net, &refs) || !get_array(oy, NPY_FLOAT64, "y", &y, net.n, 0) ||
        !get_array(ob, NPY_FLOAT64, "b", &b, net.n, 0) ||
        !get_array(oout, NPY_FLOAT64, "out", &out, net.n, 1) || !attach_lu(lu, &net, &refs)) {
        refs_release(&refs);
        return NULL;
    }
    Lin L;
    if (!lin_alloc(&net, &L)) {
        refs_release(&refs);
        return PyErr_NoMemory();
    }
    net_jacobian(&net, F64(y), &L);
    int ok = lin_factor(&net, &L, c);
    if (ok > 0 && lin_solve(&net, &L, F64(b), F64(out)) < 0) ok = -1;
    lin_free(&L);
    refs_release(&refs);
    if (ok < 0) return NULL;
    if (ok == 0) {
        PyErr_SetString(PyExc_ArithmeticError, "singular Newton matrix");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* The sensitivity arguments of bdf_solve: the CSR map parameter -> (reaction, d ln k /
   d ln p) for the nk = len(ptr) - 1 rate parameters, the species of the initial-
   concentration parameters, and the output array S (n_out x ns x n). Every index is
   checked here, once. */
static int parse_sens(PyObject *optr, PyObject *orxn, PyObject *oval, PyObject *osp,
                      PyObject *oS, const Net *net, npy_intp n_out, Sens *se, double **S)
{
    PyArrayObject *ptr, *rxn, *val, *sp, *Sa;
    if (!get_array(optr, NPY_INT64, "sens_ptr", &ptr, -1, 0) ||
        !get_array(orxn, NPY_INT64, "sens_rxn", &rxn, -1, 0) ||
        !get_array(oval, NPY_FLOAT64, "sens_val", &val, PyArray_SIZE(rxn), 0) ||
        !get_array(osp, NPY_INT64, "sens_species", &sp, -1, 0))
        return 0;
    if (PyArray_SIZE(ptr) < 1) {
        PyErr_SetString(PyExc_ValueError, "sens_ptr: expected at least 1 element");
        return 0;
    }
    se->nk = PyArray_SIZE(ptr) - 1;
    se->ny0 = PyArray_SIZE(sp);
    se->ns = se->nk + se->ny0;
    se->ptr = I64(ptr); se->rxn = I64(rxn); se->val = F64(val); se->species = I64(sp);
    npy_intp nq = PyArray_SIZE(rxn);
    if (se->ptr[0] != 0 || se->ptr[se->nk] != nq) {
        PyErr_Format(PyExc_ValueError, "sens_ptr: expected to start at 0 and end at %zd",
                     (Py_ssize_t)nq);
        return 0;
    }
    for (npy_intp i = 0; i < se->nk; i++)
        if (se->ptr[i + 1] < se->ptr[i]) {
            PyErr_Format(PyExc_ValueError, "sens_ptr: decreases at position %zd", (Py_ssize_t)(i + 1));
            return 0;
        }
    for (npy_intp q = 0; q < nq; q++)
        if (se->rxn[q] < 0 || se->rxn[q] >= net->nr || !isfinite(se->val[q])) {
            PyErr_Format(PyExc_ValueError,
                         "sens_rxn[%zd] = %lld, sens_val = %g: expected a reaction index in "
                         "[0, %zd) and a finite derivative", (Py_ssize_t)q,
                         (long long)se->rxn[q], se->val[q], (Py_ssize_t)net->nr);
            return 0;
        }
    for (npy_intp m = 0; m < se->ny0; m++)
        if (se->species[m] < 0 || se->species[m] >= net->n) {
            PyErr_Format(PyExc_ValueError,
                         "sens_species[%zd] = %lld: expected a species index in [0, %zd)",
                         (Py_ssize_t)m, (long long)se->species[m], (Py_ssize_t)net->n);
            return 0;
        }
    if (!get_array(oS, NPY_FLOAT64, "S", &Sa, n_out * se->ns * net->n, 1)) return 0;
    *S = F64(Sa);
    return 1;
}

/* the optional totals of an observation: totals_weight (n_tot, n_obs) C-contiguous float64
   and totals (n_tot, n_rows) writable, both given or both None; sets ob->n_tot, TW, TOT */
static int get_totals(PyObject *otw, PyObject *otot, npy_intp n_obs, npy_intp n_rows,
                      PyArrayObject **atw, PyArrayObject **atot, Obs *ob)
{
    if (otw == Py_None && otot == Py_None) return 1;
    if (otw == Py_None || otot == Py_None) {
        PyErr_SetString(PyExc_ValueError, "totals_weight and totals: give both or neither");
        return 0;
    }
    if (!get_array(otw, NPY_FLOAT64, "totals_weight", atw, -1, 0)) return 0;
    npy_intp size = PyArray_SIZE(*atw);
    if (PyArray_NDIM(*atw) != 2 || PyArray_DIM(*atw, 1) != n_obs || size < n_obs) {
        PyErr_SetString(PyExc_ValueError,
                        "totals_weight: expected an (n_totals >= 1, n_observables) array");
        return 0;
    }
    npy_intp n_tot = size / n_obs;
    if (!get_array(otot, NPY_FLOAT64, "totals", atot, n_rows * n_tot, 1)) return 0;
    ob->n_tot = n_tot;
    ob->TW = F64(*atw);
    ob->TOT = F64(*atot);
    ob->n_rows = n_rows;
    return 1;
}

/* bdf_solve(y0, t0, t_end, t_out, rtol, atol, max_step, first_step, max_steps, neg_tol,
             network, Y[, callback, lu, sens_ptr, sens_rxn, sens_val, sens_species, S,
             sens_error_control]); neg_tol < 0 switches the non-negativity check off;
   sens_ptr None: no sensitivities */
static PyObject *py_bdf_solve(PyObject *self, PyObject *args)
{
    PyObject *oy0, *otout, *oatol, *onet, *oY, *callback = Py_None, *lu = Py_None;
    PyObject *optr = Py_None, *orxn = Py_None, *oval = Py_None, *osp = Py_None, *oS = Py_None;
    PyObject *oobs = Py_None;
    int errcon = 0;
    double t0, t_end, rtol, max_step, first_step, neg_tol;
    long max_steps;
    if (!PyArg_ParseTuple(args, "OddOdOddldOO|OOOOOOOpO", &oy0, &t0, &t_end, &otout, &rtol,
                          &oatol, &max_step, &first_step, &max_steps, &neg_tol, &onet, &oY,
                          &callback, &lu, &optr, &orxn, &oval, &osp, &oS, &errcon, &oobs))
        return NULL;
    if (callback != Py_None && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return NULL;
    }
    /* the scalar checks the Python wrapper makes, repeated for direct callers */
    if (!(rtol > 0.0) || !isfinite(rtol) || !isfinite(t0) || !isfinite(t_end) || t_end < t0 ||
        !(max_step > 0.0) || !(first_step >= 0.0) || !isfinite(first_step) || max_steps < 1 ||
        isnan(neg_tol)) {
        PyErr_SetString(PyExc_ValueError,
                        "bdf_solve: expected finite rtol > 0, finite t0 <= t_end, max_step > 0, "
                        "finite first_step >= 0, max_steps >= 1, neg_tol not NaN");
        return NULL;
    }
    PyArrayObject *y0, *tout, *atol, *Y;
    Net net;
    Refs refs = {{0}, 0};
    if (!parse_net(onet, &net, &refs) || !get_array(oy0, NPY_FLOAT64, "y0", &y0, net.n, 0) ||
        !get_array(otout, NPY_FLOAT64, "t_out", &tout, -1, 0) ||
        !get_array(oatol, NPY_FLOAT64, "atol", &atol, net.n, 0) || !attach_lu(lu, &net, &refs)) {
        refs_release(&refs);
        return NULL;
    }
    npy_intp n = net.n, n_out = PyArray_SIZE(tout);
    const double *to = F64(tout);
    for (npy_intp i = 0; i < n_out; i++)
        if (!(to[i] >= t0 && to[i] <= t_end) || (i > 0 && to[i] < to[i - 1])) {
            PyErr_Format(PyExc_ValueError,
                         "t_out[%zd]: expected non-decreasing times within [t0, t_end]",
                         (Py_ssize_t)i);
            refs_release(&refs);
            return NULL;
        }
    if (!get_array(oY, NPY_FLOAT64, "Y", &Y, n_out * n, 1)) {
        refs_release(&refs);
        return NULL;
    }
    Sens sens;
    double *S = NULL;
    memset(&sens, 0, sizeof sens);
    sens.errcon = errcon;
    if (optr != Py_None && !parse_sens(optr, orxn, oval, osp, oS, &net, n_out, &sens, &S)) {
        refs_release(&refs);
        return NULL;
    }
    Obs obs = {NULL, NULL, NULL, 0, n, NULL, NULL, NULL, INFINITY,
               NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL};
    PyArrayObject *olow = NULL;
    if (oobs != Py_None) {
        /* observation = (ptr, species, weight or None, obs, intensity, imax, low[1]
           [, totals_weight (n_tot, n_obs) or None, totals (n_tot, n_out) or None
           [, sens_obs (n_out, ns, n_obs), sens_intensity (n_out, ns, n_obs)]]) */
        PyObject *op, *os, *ow, *oo, *oi, *om, *ol, *otw = Py_None, *otot = Py_None;
        PyObject *oso = Py_None, *osi = Py_None;
        PyArrayObject *ap = NULL, *as = NULL, *aw = NULL, *ao, *ai, *am, *atw = NULL;
        PyArrayObject *atot = NULL, *aso = NULL, *asi = NULL;
        if (!PyTuple_Check(oobs) ||
            !PyArg_ParseTuple(oobs, "OOOOOOO|OOOO", &op, &os, &ow, &oo, &oi, &om, &ol, &otw,
                              &otot, &oso, &osi)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "observation: expected a tuple of 7 to 11");
            refs_release(&refs);
            return NULL;
        }
        if ((oso != Py_None || osi != Py_None) && (optr == Py_None || oso == Py_None ||
                                                   osi == Py_None)) {
            PyErr_SetString(PyExc_ValueError,
                            "observation sens_obs and sens_intensity: both, and only with "
                            "sensitivities");
            refs_release(&refs);
            return NULL;
        }
        int ok = get_array(op, NPY_INT64, "observation ptr", &ap, -1, 0) &&
                 PyArray_SIZE(ap) >= 2 &&
                 get_array(os, NPY_INT64, "observation species", &as, -1, 0);
        npy_intp m = ok ? PyArray_SIZE(ap) - 1 : 0, nnz = ok ? PyArray_SIZE(as) : 0;
        ok = ok && check_ptr(I64(ap), m + 1, nnz, "observation ptr") &&
             check_range(I64(as), nnz, 0, n, "observation species") &&
             (ow == Py_None || get_array(ow, NPY_FLOAT64, "observation weight", &aw, nnz, 0)) &&
             get_array(oo, NPY_FLOAT64, "observation obs", &ao, n_out * m, 1) &&
             get_array(oi, NPY_FLOAT64, "observation intensity", &ai, n_out * m, 1) &&
             get_array(om, NPY_INT64, "observation imax", &am, m, 1) &&
             get_array(ol, NPY_FLOAT64, "observation low", &olow, 1, 1) &&
             get_totals(otw, otot, m, n_out, &atw, &atot, &obs) &&
             (oso == Py_None ||
              (get_array(oso, NPY_FLOAT64, "observation sens_obs", &aso, n_out * sens.ns * m,
                         1) &&
               get_array(osi, NPY_FLOAT64, "observation sens_intensity", &asi,
                         n_out * sens.ns * m, 1)));
        if (!ok) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "observation ptr: expected at least 2 entries");
            refs_release(&refs);
            return NULL;
        }
        obs.ptr = I64(ap);
        obs.sp = I64(as);
        obs.w = aw ? F64(aw) : NULL;
        obs.n_obs = m;
        obs.O = F64(ao);
        obs.IN = F64(ai);
        obs.IM = I64(am);
        for (npy_intp j = 0; j < m; j++) obs.IM[j] = 0;
        if (aso) {
            obs.ns = sens.ns;
            obs.OS = F64(aso);
            obs.IS = F64(asi);
        }
        obs.VM = malloc(sizeof(double) * m);
        if (!obs.VM) {
            refs_release(&refs);
            return PyErr_NoMemory();
        }
    }
    BdfStats st;
    Py_BEGIN_ALLOW_THREADS
    PROFILED(PR_TOTAL, st = bdf(&net, F64(y0), t0, t_end, F64(tout), n_out, rtol, F64(atol),
                                max_step, first_step, max_steps, neg_tol, F64(Y), callback,
                                optr != Py_None ? &sens : NULL, S,
                                oobs != Py_None ? &obs : NULL));
    Py_END_ALLOW_THREADS
    if (olow) F64(olow)[0] = n_out * n > 0 ? obs.ymin : NAN;
    free(obs.VM);
    refs_release(&refs);
    if (st.status == NO_MEMORY) return PyErr_NoMemory();
    if (st.status == INTERRUPTED) return NULL; /* the exception raised in the check-in */
    return Py_BuildValue("(idlllldll)", st.status, st.t, st.n_steps, st.n_fev, st.n_jev,
                         st.n_lu, st.min_y, st.n_sens_solve, st.n_sens_lu);
}

/* ------------------------------------------------------------- observables */

/* observe(y, ptr, species, weight, obs, intensity[, imax]) -> min(y)
 * obs[t, j] = sum over k in ptr[j]..ptr[j+1] of weight[k] y[t, species[k]] (the observation
 * matrix in CSR form; weight None: all 1), gathered with the row in L1 and the sums in
 * registers; intensity = obs / row sum (rows with a sum <= 0, or not finite, stay 0; None:
 * sums only); imax[j] = first row of the largest intensity of observable j (the grid maximum
 * that t_max refines). One pass over the (time, species) array, single-threaded. */
static PyObject *py_observe(PyObject *self, PyObject *args)
{
    PyObject *oy, *optr, *osp, *ow, *oobs, *oint, *oimax = Py_None, *otw = Py_None;
    PyObject *otot = Py_None;
    if (!PyArg_ParseTuple(args, "OOOOOO|OOO", &oy, &optr, &osp, &ow, &oobs, &oint, &oimax,
                          &otw, &otot))
        return NULL;
    PyArrayObject *y, *ptr, *sp, *w = NULL, *obs, *inten = NULL, *imax = NULL;
    if (!get_array(oy, NPY_FLOAT64, "y", &y, -1, 0)) return NULL;
    if (PyArray_NDIM(y) != 2) {
        PyErr_SetString(PyExc_ValueError, "y: expected a (time, species) array");
        return NULL;
    }
    npy_intp nt = PyArray_DIM(y, 0), ns = PyArray_DIM(y, 1);
    if (!get_array(optr, NPY_INT64, "ptr", &ptr, -1, 0)) return NULL;
    npy_intp n_obs = PyArray_SIZE(ptr) - 1;
    if (n_obs < 1) {
        PyErr_SetString(PyExc_ValueError, "ptr: expected at least 2 entries");
        return NULL;
    }
    if (!get_array(osp, NPY_INT64, "species", &sp, -1, 0)) return NULL;
    npy_intp nnz = PyArray_SIZE(sp);
    if (!check_ptr(I64(ptr), n_obs + 1, nnz, "observation ptr")) return NULL;
    if (!check_range(I64(sp), nnz, 0, ns, "observation species")) return NULL;
    if (ow != Py_None && !get_array(ow, NPY_FLOAT64, "weight", &w, nnz, 0)) return NULL;
    if (!get_array(oobs, NPY_FLOAT64, "obs", &obs, nt * n_obs, 1)) return NULL;
    if (oint != Py_None && !get_array(oint, NPY_FLOAT64, "intensity", &inten, nt * n_obs, 1))
        return NULL;
    if (oimax != Py_None) {
        if (!inten) {
            PyErr_SetString(PyExc_ValueError, "imax: needs the intensity array");
            return NULL;
        }
        if (!get_array(oimax, NPY_INT64, "imax", &imax, n_obs, 1)) return NULL;
    }
    Obs ob = {I64(ptr), I64(sp), w ? F64(w) : NULL, n_obs, ns, F64(obs),
              inten ? F64(inten) : NULL, imax ? I64(imax) : NULL, INFINITY,
              NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL};
    PyArrayObject *atw, *atot;
    if (!get_totals(otw, otot, n_obs, nt, &atw, &atot, &ob)) return NULL;
    if (imax && !(ob.VM = malloc(sizeof(double) * n_obs))) return PyErr_NoMemory();
    const double *Y = F64(y);
    double ymin = INFINITY;
    Py_BEGIN_ALLOW_THREADS
    if (ob.IM)
        for (npy_intp j = 0; j < n_obs; j++) ob.IM[j] = 0;
    for (npy_intp t0 = 0; t0 < nt; t0 += 4) observe_block(&ob, Y, t0, nt - t0 < 4 ? nt - t0 : 4);
    ymin = ob.ymin;
    Py_END_ALLOW_THREADS
    free(ob.VM);
    return PyFloat_FromDouble(nt * ns > 0 ? ymin : NAN);
}

#ifdef IC_PROFILE
/* profile_counters(reset=True) -> {"phases": {name: (calls, seconds)}, "work": {name: count},
   "timer_ns": cost of one timed call of an empty statement}; only in the profiling build. */
static PyObject *py_profile_counters(PyObject *self, PyObject *args)
{
    int reset = 1;
    if (!PyArg_ParseTuple(args, "|p", &reset)) return NULL;
    const int n_cal = 200000;
    double t_cal = prof_now();
    for (int i = 0; i < n_cal; i++) {
        double t = prof_now();
        prof_ns[PR_NPHASE - 1] += 0.0 * t;
    }
    double per_pair = 2.0 * (prof_now() - t_cal) / n_cal; /* two clock reads per phase */
    PyObject *phases = PyDict_New(), *work = PyDict_New(), *ret = NULL;
    if (!phases || !work) goto out;
    for (int i = 0; i < PR_NPHASE; i++) {
        PyObject *v = Py_BuildValue("(ld)", prof_calls[i], prof_ns[i] * 1e-9);
        if (!v || PyDict_SetItemString(phases, prof_phase[i], v) < 0) { Py_XDECREF(v); goto out; }
        Py_DECREF(v);
    }
    for (int i = 0; i < PW_NWORK; i++) {
        PyObject *v = PyLong_FromLong(prof_count[i]);
        if (!v || PyDict_SetItemString(work, prof_work[i], v) < 0) { Py_XDECREF(v); goto out; }
        Py_DECREF(v);
    }
    ret = Py_BuildValue("{sOsOsd}", "phases", phases, "work", work, "timer_ns", per_pair);
    if (ret && reset) {
        memset(prof_ns, 0, sizeof prof_ns);
        memset(prof_calls, 0, sizeof prof_calls);
        memset(prof_count, 0, sizeof prof_count);
    }
out:
    Py_XDECREF(phases);
    Py_XDECREF(work);
    return ret;
}
#endif

static PyMethodDef methods[] = {
    {"observe", py_observe, METH_VARARGS,
     "observe(y, ptr, species, weight, obs, intensity[, imax]) -> min(y): obs[t, j] = sum of "
     "weight[k] y[t, species[k]] over k in ptr[j]..ptr[j+1] (weight None: 1), intensity = "
     "obs / row sum (None: sums only), imax = first row of each observable's largest "
     "intensity"},
#ifdef IC_PROFILE
    {"profile_counters", py_profile_counters, METH_VARARGS,
     "profile_counters(reset=True) -> {'phases': {name: (calls, seconds)}, 'work': {name: "
     "count}, 'timer_ns': ns per timed phase}; the profiling build (-DIC_PROFILE) only"},
#endif
    {"rhs", py_rhs, METH_VARARGS,
     "rhs(y, network, out): out = dy/dt; network is a CompiledNetwork (arrays by name)"},
    {"solve_newton", py_solve_newton, METH_VARARGS,
     "solve_newton(y, c, b, network, out[, lu]): out = (I - c J(y))^-1 b"},
    {"bdf_solve", py_bdf_solve, METH_VARARGS,
     "bdf_solve(y0, t0, t_end, t_out, rtol, atol, max_step, first_step, max_steps, neg_tol, "
     "network, Y"
     "[, callback, lu, sens_ptr, sens_rxn, sens_val, sens_species, S, sens_error_control, "
     "observation]); "
     "callback(t) is called every 64 steps; lu: the sparse path's LU object; sens_*: forward "
     "sensitivities (None: off) into S (n_out, n_params, n_species); observation: "
     "(ptr, species, weight, obs, intensity, imax, low) observes the output rows four at a "
     "time as they are written (see observe)"
     " -> (status, t_reached, n_steps, n_fev, n_jev, n_lu, min_y, n_sens_solve, n_sens_lu)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "_bdf",
                                       "Compiled kernels of intercluster.kinetics", -1, methods};

PyMODINIT_FUNC PyInit__bdf(void)
{
    import_array();
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    PyModule_AddIntConstant(m, "SUCCESS", SUCCESS);
    PyModule_AddIntConstant(m, "STEP_TOO_SMALL", STEP_TOO_SMALL);
    PyModule_AddIntConstant(m, "TOO_MANY_STEPS", TOO_MANY_STEPS);
    PyModule_AddIntConstant(m, "SINGULAR", SINGULAR);
    return m;
}
