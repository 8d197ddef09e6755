"""Mass-action ODEs of a network in the arrays the compiled kernels use.

:class:`CompiledNetwork` holds the sparse stoichiometry (by reaction), the
Jacobian's contribution table and its block structure. It is built once per
network; new rate constants only replace one vector (:meth:`with_rate_constants`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from intercluster.errors import SolverError
from intercluster.kinetics import _bdf

__all__ = ["CompiledNetwork", "IntegrationResult"]


@dataclass(frozen=True)
class IntegrationResult:
    """Raw output of :meth:`CompiledNetwork.integrate`.

    Attributes
    ----------
    y : ndarray, shape (n_out, n_species)
        Concentrations at the output times [nmol/L].
    t_reached : float
        Last time reached [s] (the end time on success).
    n_steps, n_fev, n_jev, n_lu : int
        Accepted steps, right-hand-side and Jacobian evaluations, factorizations.
    min_y : float
        Most negative concentration met at any accepted step [nmol/L] (0 if none).
    """

    y: np.ndarray
    t_reached: float
    n_steps: int
    n_fev: int
    n_jev: int
    n_lu: int
    min_y: float


_STATUS = {
    -1: "the step size fell below the smallest allowed (stiffness, a non-finite "
    "right-hand side or badly scaled concentrations)",
    -2: "the maximum number of steps was reached",
    -4: "the Newton matrix became singular",
}


@dataclass(frozen=True)
class CompiledNetwork:
    """Arrays for the compiled kernels (``intercluster.kinetics._bdf``).

    Build with :meth:`from_network` (or :meth:`from_arrays` for any mass-action
    network with at most two reactants per reaction).
    """

    n_species: int
    k: np.ndarray
    r1: np.ndarray
    r2: np.ndarray
    p1: np.ndarray
    p2: np.ndarray
    jc_rxn: np.ndarray
    jc_coef: np.ndarray
    jc_other: np.ndarray
    jc_block: np.ndarray
    jc_dest: np.ndarray
    jc_row: np.ndarray
    jc_col: np.ndarray
    nc: int
    cp_ptr: np.ndarray
    cp_row: np.ndarray
    pc_ptr: np.ndarray
    pc_row: np.ndarray
    blk_of: np.ndarray
    blk_start: np.ndarray
    blk_end: np.ndarray

    @classmethod
    def from_network(cls, network) -> CompiledNetwork:
        """Arrays of a :class:`~intercluster.network.Network`.

        For the single-family model (an ExchangeSystem) the monomers form the core
        and the dimers the periphery, one block per dimer total. A general network
        (families, complexes, rules) has no such hint and uses the general path.
        """
        system = network.system
        if not getattr(network, "is_single_family", True):
            return cls.from_arrays(
                network.n_species,
                network.reactions.reactants,
                network.reactions.products,
                network.rate_constants,
            )
        block = np.array([d.n_a for d in system.dimers], dtype=np.int64)
        return cls.from_arrays(
            network.n_species,
            network.reactions.reactants,
            network.reactions.products,
            network.rate_constants,
            n_core=system.n_monomers,
            periphery_block=block,
        )

    @classmethod
    def from_arrays(
        cls, n_species, reactants, products, rate_constants, *, n_core=None, periphery_block=None
    ) -> CompiledNetwork:
        """General constructor for mass-action networks with at most two reactant and
        two product slots per reaction.

        Parameters
        ----------
        n_species : int
        reactants, products : int arrays, shape (n_reactions, 2)
            Species indices, -1 for an empty slot; the first slot must be filled. A
            species listed twice has coefficient 2.
        rate_constants : array, shape (n_reactions,)
            Mass-action k: rate = k x[r1] x[r2].
        n_core : int, optional
            Species 0..n_core-1 form the dense core; the rest must couple to each
            other only tridiagonally inside the blocks of ``periphery_block``.
            If that does not hold (or ``n_core`` is None) everything is core.
        periphery_block : int array, shape (n_species - n_core,), optional
            Block id of each periphery species, non-decreasing.
        """
        n = int(n_species)
        reactants = np.ascontiguousarray(reactants, dtype=np.int64)
        products = np.ascontiguousarray(products, dtype=np.int64)
        n_r = len(reactants)
        # net effect of each reaction, one entry per slot: (reaction, species, +-1)
        slots = [(reactants[:, q], -1.0) for q in (0, 1)] + [(products[:, q], 1.0) for q in (0, 1)]
        eff_rxn = np.concatenate([np.flatnonzero(sp >= 0) for sp, _ in slots])
        eff_sp = np.concatenate([sp[sp >= 0] for sp, _ in slots])
        eff_coef = np.concatenate([np.full(int((sp >= 0).sum()), sg) for sp, sg in slots])
        # Jacobian contributions: d(rhs_i)/d(x_r) += coef * k_j * x[other]
        rxn, coef, other, row, col = [], [], [], [], []
        for pos in (0, 1):
            r = reactants[eff_rxn, pos]
            o = reactants[eff_rxn, 1 - pos]
            mask = r >= 0
            rxn.append(eff_rxn[mask])
            coef.append(eff_coef[mask])
            other.append(o[mask])
            row.append(eff_sp[mask])
            col.append(r[mask])
        rxn, coef, other, row, col = (np.concatenate(v) for v in (rxn, coef, other, row, col))

        layout = None
        if n_core is not None and periphery_block is not None:
            layout = _layout(n, n_core, np.asarray(periphery_block, np.int64), row, col)
            if layout is None:
                warnings.warn(
                    "network does not have the core/tridiagonal-periphery structure; "
                    "falling back to a dense linear solver (slow for large networks)",
                    stacklevel=2,
                )
        if layout is None:
            layout = _layout(n, n, np.zeros(0, np.int64), row, col)
        blocks, dest, lay = layout
        k = np.ascontiguousarray(rate_constants, dtype=float)
        if k.shape != (n_r,):
            raise ValueError(f"rate_constants has shape {k.shape}, expected ({n_r},)")
        return cls(
            n_species=n,
            k=k,
            r1=np.ascontiguousarray(reactants[:, 0]),
            r2=np.ascontiguousarray(reactants[:, 1]),
            p1=np.ascontiguousarray(products[:, 0]),
            p2=np.ascontiguousarray(products[:, 1]),
            jc_rxn=rxn.astype(np.int64),
            jc_coef=coef.astype(float),
            jc_other=other.astype(np.int64),
            jc_block=blocks,
            jc_dest=dest,
            jc_row=row.astype(np.int64),
            jc_col=col.astype(np.int64),
            **lay,
        )

    def with_rate_constants(self, rate_constants: np.ndarray) -> CompiledNetwork:
        """The same arrays with new rate constants (shape (n_reactions,))."""
        k = np.ascontiguousarray(rate_constants, dtype=float)
        if k.shape != self.k.shape:
            raise ValueError(f"rate_constants has shape {k.shape}, expected {self.k.shape}")
        return replace(self, k=k)

    # ----------------------------------------------------------- evaluation
    def rhs(self, y: np.ndarray) -> np.ndarray:
        """dy/dt [nmol L^-1 s^-1] at concentrations ``y`` [nmol/L]."""
        out = np.zeros(self.n_species)
        _bdf.rhs(np.ascontiguousarray(y, dtype=float), self.kernel_args(), out)
        return out

    def solve_newton(self, y: np.ndarray, c: float, b: np.ndarray) -> np.ndarray:
        """(I - c J(y))^-1 b by the structured solver that BDF uses (for tests)."""
        out = np.zeros(self.n_species)
        _bdf.solve_newton(
            np.ascontiguousarray(y, dtype=float),
            float(c),
            np.ascontiguousarray(b, dtype=float),
            self.kernel_args(),
            out,
        )
        return out

    def kernel_args(self) -> tuple:
        """The network as the tuple the C kernels take."""
        return (
            self.nc,
            self.k,
            self.r1,
            self.r2,
            self.p1,
            self.p2,
            self.jc_rxn,
            self.jc_coef,
            self.jc_other,
            self.jc_block,
            self.jc_dest,
            self.cp_ptr,
            self.cp_row,
            self.pc_ptr,
            self.pc_row,
            self.blk_of,
            self.blk_start,
            self.blk_end,
        )

    def jacobian_dense(self, y: np.ndarray) -> np.ndarray:
        """The analytic Jacobian as a dense (n_species, n_species) array [s^-1]
        (for tests and small networks; the solver never forms it)."""
        y = np.asarray(y, float)
        v = self.jc_coef * self.k[self.jc_rxn]
        has_other = self.jc_other >= 0
        v[has_other] *= y[self.jc_other[has_other]]
        J = np.zeros((self.n_species, self.n_species))
        np.add.at(J, (self.jc_row, self.jc_col), v)
        return J

    def integrate(
        self,
        y0: np.ndarray,
        t_out: np.ndarray,
        t_end: float,
        *,
        t0: float = 0.0,
        rtol: float = 1e-8,
        atol: float | np.ndarray = 1e-12,
        max_step: float = np.inf,
        first_step: float | None = None,
        max_steps: int = 1_000_000,
        neg_tol: float | None = None,
        callback=None,
    ) -> IntegrationResult:
        """Integrate from ``t0`` to ``t_end`` [s] and return y at ``t_out``.

        ``neg_tol`` [nmol/L]: a step leaving a concentration below -neg_tol is
        rejected and retried with half the step (None: no check).
        ``callback(t)``, if given, is called every 64 accepted steps with the time
        reached (for progress bars); an exception it raises (or Ctrl-C) stops the
        integration and propagates.

        Raises
        ------
        SolverError
            If the integration stops early: says the time reached and what to try.
        """
        y0 = np.ascontiguousarray(y0, dtype=float)
        t_out = np.ascontiguousarray(t_out, dtype=float)
        atol_arr = np.ascontiguousarray(np.broadcast_to(atol, y0.shape), dtype=float)
        Y = np.zeros((t_out.size, self.n_species))
        status, t_reached, n_steps, n_fev, n_jev, n_lu, min_y = _bdf.bdf_solve(
            y0,
            float(t0),
            float(t_end),
            t_out,
            float(rtol),
            atol_arr,
            float(max_step),
            float(first_step or 0.0),
            int(max_steps),
            -1.0 if neg_tol is None else float(neg_tol),
            self.kernel_args(),
            Y,
            callback,
        )
        if status != _bdf.SUCCESS:
            raise SolverError(
                f"integration stopped at t = {t_reached:.6g} s of {t_end:.6g} s: "
                f"{_STATUS.get(status, f'status {status}')}. Try a looser rtol/atol, smaller "
                f"rate constants, or check the initial concentrations"
            )
        return IntegrationResult(Y, t_reached, n_steps, n_fev, n_jev, n_lu, min_y)


def _layout(n, nc, blk, row, col):
    """Block and destination of every Jacobian contribution, or None if the
    periphery is not tridiagonal inside blocks."""
    npp = n - nc
    if len(blk) != npp or (npp and np.any(np.diff(blk) < 0)):
        return None
    core_r, core_c = row < nc, col < nc
    lr, lc = row - nc, col - nc
    block = np.empty(len(row), np.int64)
    dest = np.empty(len(row), np.int64)

    cc = core_r & core_c
    block[cc] = 0
    dest[cc] = row[cc] * nc + col[cc]

    pp = ~core_r & ~core_c
    if pp.any():
        a, b = lr[pp], lc[pp]
        off = b - a
        if np.any(np.abs(off) > 1) or np.any(blk[a] != blk[b]):
            return None
        block[pp] = np.where(off == 0, 3, np.where(off < 0, 4, 5))
        dest[pp] = a

    # core rows, periphery columns: CSC by periphery column
    cp = core_r & ~core_c
    cp_ptr, cp_row, cp_dest = _csc(lc[cp], row[cp], npp)
    block[cp] = 1
    dest[cp] = cp_dest
    # periphery rows, core columns: CSC by core column
    pc = ~core_r & core_c
    pc_ptr, pc_row, pc_dest = _csc(col[pc], lr[pc], nc)
    block[pc] = 2
    dest[pc] = pc_dest

    if npp:
        uniq, start = np.unique(blk, return_index=True)
        end = np.append(start[1:], npp)
        blk_of = np.searchsorted(uniq, blk).astype(np.int64)
    else:
        start = end = blk_of = np.zeros(0, np.int64)
    lay = {
        "nc": int(nc),
        "cp_ptr": cp_ptr,
        "cp_row": cp_row,
        "pc_ptr": pc_ptr,
        "pc_row": pc_row,
        "blk_of": blk_of,
        "blk_start": np.asarray(start, np.int64),
        "blk_end": np.asarray(end, np.int64),
    }
    return block, dest, lay


def _csc(cols, rows, n_cols):
    """Unique (col, row) pattern as CSC arrays, and each entry's position in it."""
    if len(cols) == 0:
        return np.zeros(n_cols + 1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    key = cols.astype(np.int64) * (1 << 32) + rows.astype(np.int64)
    uniq, inverse = np.unique(key, return_inverse=True)
    u_cols = uniq >> 32
    u_rows = uniq & ((1 << 32) - 1)
    ptr = np.zeros(n_cols + 1, np.int64)
    np.add.at(ptr, u_cols + 1, 1)
    return np.cumsum(ptr), u_rows.astype(np.int64), inverse.astype(np.int64)
