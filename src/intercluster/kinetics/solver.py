"""Mass-action ODEs of a network in the arrays the compiled kernels use.

:class:`CompiledNetwork` holds the sparse stoichiometry (by reaction), the
Jacobian's contribution table and its block structure. It is built once per
network; new rate constants only replace one vector (:meth:`with_rate_constants`).

The Newton systems (I - cJ) x = b of the integrator are solved by one of three paths
(``linear_solver``): a Schur complement on the monomers with tridiagonal dimer blocks
(the dimer networks of Neumaier et al., J. Am. Chem. Soc. 2021), SciPy's SuperLU on
the sparsity pattern of I - cJ (any network: trimers, several families), or a dense LU
(small networks).

Every array is validated here before it crosses into C (:class:`ConfigError` naming
the parameter, value and what is allowed); the C side checks every index again, once,
when it reads the network by attribute name.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field, fields, replace

import numpy as np

from intercluster.errors import ConfigError, SolverError, bad_value
from intercluster.kinetics import _bdf

__all__ = [
    "DENSE_MAX_SPECIES",
    "LINEAR_SOLVERS",
    "CompiledNetwork",
    "IntegrationResult",
    "ParamMap",
]

#: Choices of ``linear_solver`` in :meth:`CompiledNetwork.from_arrays`.
LINEAR_SOLVERS = ("auto", "schur", "sparse", "dense")
#: With ``linear_solver="auto"``, networks without the core/periphery structure use the
#: dense C LU up to this many species and SuperLU above (measured crossover: 83 species
#: dense 28 ms vs sparse 32 ms, 119 species 71 ms vs 53 ms, on random trimer networks).
DENSE_MAX_SPECIES = 100


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
    sensitivities : ndarray, shape (n_out, n_params, n_species), or None
        Forward sensitivities d y / d p [nmol/L] at the output times, parameters in the
        order of :attr:`ParamMap.labels` (None if not requested).
    n_sens_solves, n_sens_lu : int
        Linear solves of the sensitivity corrector, and the factorizations it needed
        beyond the state's (when the iteration with the state's matrix did not converge).
    observed : tuple or None
        With ``observation``: (obs (n_out, n_observables) [nmol/L], intensity (n_out,
        n_observables), smallest output concentration [nmol/L], imax (n_observables,)),
        as :func:`intercluster.kinetics.observables.observe` gives them.
    observed_totals : ndarray, shape (n_totals, n_out), or None
        With an ``observation`` that carries totals weights: the weighted sums of the
        observables at each output time (e.g. the atoms of each metal) [nmol/L].
    observed_sensitivities : tuple or None
        With ``observation`` and ``sensitivities``: (d obs / d p (n_out, n_params,
        n_observables) [nmol/L], d intensity / d p (n_out, n_params, n_observables)), the
        intensities' normalisation differentiated exactly: (d o_i - I_i d sum o) / sum o.
    """

    y: np.ndarray
    t_reached: float
    n_steps: int
    n_fev: int
    n_jev: int
    n_lu: int
    min_y: float
    sensitivities: np.ndarray | None = None
    n_sens_solves: int = 0
    n_sens_lu: int = 0
    observed: tuple | None = None
    observed_totals: np.ndarray | None = None
    observed_sensitivities: tuple | None = None


@dataclass(frozen=True)
class ParamMap:
    """Parameters of forward sensitivities: log rate parameters and initial concentrations.

    A rate parameter p scales some reactions' constants: ``d ln k_j / d ln p`` is given
    for every reaction j it affects (1 for a base constant such as k_dim that multiplies
    k_j). Its sensitivity is d y / d ln p [nmol/L]. An initial-concentration parameter is
    y_i(t0) for one species i; its sensitivity d y / d y_i(t0) is dimensionless.

    Build with :meth:`from_groups`.

    Attributes
    ----------
    names : tuple of str
        The rate parameters (n_k).
    parameter, reaction : int64 arrays, shape (n_entries,)
        Which parameter affects which reaction.
    dlnk_dlnp : float array, shape (n_entries,)
        d ln k_reaction / d ln p_parameter.
    initial_species : int64 array, shape (n_y0,)
        Species whose initial concentration is a parameter (after the rate parameters).
    initial_names : tuple of str
        Their labels (n_y0).
    """

    names: tuple
    parameter: np.ndarray
    reaction: np.ndarray
    dlnk_dlnp: np.ndarray
    initial_species: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    initial_names: tuple = ()

    @classmethod
    def from_groups(cls, groups, initial_species=(), initial_names=None) -> ParamMap:
        """A map from ``{name: reaction indices}`` (each reaction's constant proportional
        to the parameter, d ln k / d ln p = 1) or ``{name: (reaction indices,
        d ln k / d ln p)}``, and optionally species whose initial concentration is a
        parameter (labels ``initial_names``, default ``"y0[i]"``).

        Raises
        ------
        ConfigError
            For ``groups`` that is not a mapping, indices that are not integers,
            derivatives that are not finite, arrays of different lengths or a repeated
            name.
        """
        try:
            groups = dict(groups)
        except (TypeError, ValueError):
            raise ConfigError(
                bad_value("groups", _show(groups), "a mapping {name: reaction indices}")
            ) from None
        names, par, rxn, val = [], [], [], []
        for i, (name, spec) in enumerate(groups.items()):
            if isinstance(spec, tuple) and len(spec) == 2:
                idx, d = spec
            else:
                idx, d = spec, 1.0
            idx = _as_array(f"groups[{name!r}]", idx, "integer").ravel().astype(np.int64)
            d = np.broadcast_to(_as_array(f"groups[{name!r}]", d, "real"), idx.shape)
            names.append(str(name))
            par.append(np.full(idx.size, i, np.int64))
            rxn.append(idx)
            val.append(np.asarray(d, float))
        species = _as_array("initial_species", initial_species, "integer").ravel()
        species = species.astype(np.int64)
        if initial_names is None:
            initial_names = tuple(f"y0[{int(i)}]" for i in species)
        out = cls(
            names=tuple(names),
            parameter=np.concatenate(par) if par else np.zeros(0, np.int64),
            reaction=np.concatenate(rxn) if rxn else np.zeros(0, np.int64),
            dlnk_dlnp=np.concatenate(val) if val else np.zeros(0),
            initial_species=species,
            initial_names=tuple(str(x) for x in initial_names),
        )
        out._check(None, None)
        return out

    @property
    def n_params(self) -> int:
        return len(self.names) + len(self.initial_species)

    @property
    def labels(self) -> tuple:
        """Rate parameters, then initial concentrations: the order of the outputs."""
        return tuple(self.names) + tuple(self.initial_names)

    def _check(self, n_reactions, n_species):
        """ConfigError unless every index is in range (None: not checked) and every
        derivative finite; the C side checks the indices again."""
        if len(set(self.names)) != len(self.names):
            raise ConfigError(bad_value("sensitivities", _show(self.names), "distinct names"))
        if len(self.initial_names) != len(self.initial_species):
            raise ConfigError(
                bad_value(
                    "initial_names",
                    _show(self.initial_names),
                    f"{len(self.initial_species)} labels, one per initial species",
                )
            )
        m = len(self.parameter)
        if len(self.reaction) != m or len(self.dlnk_dlnp) != m:
            raise ConfigError(
                bad_value("sensitivities", _Shown("arrays of different lengths"), "equal lengths")
            )
        for name, a, hi in (
            ("parameter", self.parameter, len(self.names)),
            ("reaction", self.reaction, n_reactions),
            ("initial_species", self.initial_species, n_species),
        ):
            bad = a < 0 if hi is None else (a < 0) | (a >= hi)
            if np.any(bad):
                i = int(np.argmax(bad))
                allowed = "an index >= 0" if hi is None else f"an index in [0, {hi})"
                raise ConfigError(bad_value(f"sensitivities.{name}[{i}]", int(a[i]), allowed))
        bad = ~np.isfinite(self.dlnk_dlnp)
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ConfigError(
                bad_value(
                    f"sensitivities.dlnk_dlnp[{i}]", float(self.dlnk_dlnp[i]), "a finite number"
                )
            )

    def _csr(self):
        """(ptr, reaction, d ln k / d ln p) grouped by parameter, for the C side."""
        order = np.argsort(self.parameter, kind="stable")
        ptr = np.zeros(len(self.names) + 1, np.int64)
        np.add.at(ptr, self.parameter + 1, 1)
        return (
            np.cumsum(ptr).astype(np.int64),
            np.ascontiguousarray(self.reaction[order], np.int64),
            np.ascontiguousarray(self.dlnk_dlnp[order], float),
        )


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
    #: General sparse path: I - cJ in CSC form (pattern fixed once), SuperLU via SciPy.
    sparse: bool = False
    sp_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    sp_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sp_diag: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sp_perm: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        # every array as a read-only view: the C integrator checks the index arrays once
        # per call and then trusts them, so nothing (a callback, a caller holding a
        # reference) may change them during a solve; the caller's own arrays keep their flags
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.flags.writeable:
                view = value.view()
                view.flags.writeable = False
                object.__setattr__(self, f.name, view)

    @property
    def linear_solver(self) -> str:
        """The Newton-system solver in use: "schur", "dense" or "sparse"."""
        if self.sparse:
            return "sparse"
        return "schur" if self.nc < self.n_species else "dense"

    @classmethod
    def from_network(cls, network, *, linear_solver: str = "auto") -> CompiledNetwork:
        """Arrays of a :class:`~intercluster.network.Network`; ``linear_solver`` as in
        :meth:`from_arrays`.

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
                linear_solver=linear_solver,
            )
        block = np.array([d.n_a for d in system.dimers], dtype=np.int64)
        return cls.from_arrays(
            network.n_species,
            network.reactions.reactants,
            network.reactions.products,
            network.rate_constants,
            n_core=system.n_monomers,
            periphery_block=block,
            linear_solver=linear_solver,
        )

    @classmethod
    def from_arrays(
        cls,
        n_species,
        reactants,
        products,
        rate_constants,
        *,
        n_core=None,
        periphery_block=None,
        linear_solver: str = "auto",
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
        linear_solver : {"auto", "schur", "sparse", "dense"}
            How the Newton systems (I - cJ) x = b are solved. "schur": the Schur
            complement on the core with tridiagonal periphery blocks (needs ``n_core``,
            ``periphery_block`` and that structure). "sparse": SciPy's SuperLU on the
            sparsity pattern of I - cJ, for any network. "dense": LU of the whole matrix
            in C (small networks). "auto" (default): "schur" where the structure holds,
            else "dense" up to ``DENSE_MAX_SPECIES`` species, else "sparse".

        Raises
        ------
        ConfigError
            For indices outside [-1, n_species) or an empty first slot, arrays of the
            wrong shape or dtype, rate constants that are not finite and >= 0, or a
            ``linear_solver`` that is unknown or ("schur") does not apply.
        """
        n = _check_int("n_species", n_species, 1)
        reactants = _check_slots("reactants", reactants, n)
        products = _check_slots("products", products, n)
        n_r = len(reactants)
        if len(products) != n_r:
            raise ConfigError(
                bad_value(
                    "products", _Shown(f"{len(products)} rows"), f"{n_r} rows, one per reaction"
                )
            )
        k = _check_rate_constants(rate_constants, n_r)
        if n_core is not None:
            n_core = _check_int("n_core", n_core, 0, n)
        if periphery_block is not None:
            periphery_block = _check_index_array(
                "periphery_block", periphery_block, (n - (n if n_core is None else n_core),)
            )
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

        if linear_solver not in LINEAR_SOLVERS:
            raise ConfigError(
                bad_value("linear_solver", _show(linear_solver), f"one of {LINEAR_SOLVERS}")
            )
        layout = None
        if (
            linear_solver in ("auto", "schur")
            and n_core is not None
            and periphery_block is not None
        ):
            layout = _layout(n, n_core, periphery_block, row, col)
        if layout is None and linear_solver == "schur":
            raise ConfigError(
                bad_value(
                    "linear_solver",
                    "schur",
                    "'schur' only for a network with n_core and periphery_block whose periphery "
                    "couples tridiagonally inside blocks; use 'auto', 'sparse' or 'dense'",
                )
            )
        if layout is None:
            dense = linear_solver == "dense" or (linear_solver == "auto" and n <= DENSE_MAX_SPECIES)
            if n_core is not None and periphery_block is not None and linear_solver == "auto":
                warnings.warn(
                    "network does not have the core/tridiagonal-periphery structure; "
                    + (
                        "falling back to a dense linear solver"
                        if dense
                        else "falling back to the general sparse linear solver (SuperLU)"
                    ),
                    stacklevel=2,
                )
            layout = (
                _layout(n, n, np.zeros(0, np.int64), row, col) if dense else _sparse(n, row, col)
            )
        blocks, dest, lay = layout
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
        """The same arrays with new rate constants (shape (n_reactions,)).

        Raises
        ------
        ConfigError
            If the shape is wrong or a constant is not finite and >= 0.
        """
        return replace(self, k=_check_rate_constants(rate_constants, len(self.k)))

    # ----------------------------------------------------------- evaluation
    def rhs(self, y: np.ndarray) -> np.ndarray:
        """dy/dt [nmol L^-1 s^-1] at concentrations ``y`` [nmol/L], shape (n_species,).

        Raises
        ------
        ConfigError
            If ``y`` does not have shape (n_species,) or is not finite.
        """
        y = _check_vector("y", y, self.n_species)
        out = np.zeros(self.n_species)
        _bdf.rhs(y, self, out)
        return out

    def solve_newton(self, y: np.ndarray, c: float, b: np.ndarray) -> np.ndarray:
        """(I - c J(y))^-1 b by the linear solver path that BDF uses (for tests).

        ``y`` [nmol/L] and ``b`` have shape (n_species,), ``c`` [s] >= 0.

        Raises
        ------
        ConfigError
            For vectors of the wrong shape or not finite, or a negative ``c``.
        ArithmeticError
            If the matrix is singular.
        """
        y = _check_vector("y", y, self.n_species)
        b = _check_vector("b", b, self.n_species)
        c = _check_float("c", c, 0.0)
        out = np.zeros(self.n_species)
        _bdf.solve_newton(y, c, b, self, out, self._lu())
        return out

    def _lu(self):
        """The sparse path's factorization object (None on the other paths)."""
        return _SuperLU(self) if self.sparse else None

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
        sensitivities: ParamMap | None = None,
        sens_error_control: bool = False,
        observation: tuple | None = None,
    ) -> IntegrationResult:
        """Integrate from ``t0`` to ``t_end`` [s] and return y at ``t_out``.

        ``sensitivities``: forward sensitivities d y / d p for the parameters of a
        :class:`ParamMap`, computed with the state by the staggered direct method of
        CVODES (Hindmarsh et al., ACM Trans. Math. Softw. 2005, 31, 363,
        doi:10.1145/1089014.1089020): at every step, after the state's Newton iteration
        has converged, the sensitivity equations s' = J s + df/dp are advanced by the
        same BDF formula with the same Newton matrix (I - cJ) and factorization, and kept
        in the same history array (so step and order changes and the dense output apply
        to them). ``sens_error_control``: include them in the local error test and the
        order selection (CVODES' errconS); off by default, and then the state's steps,
        and so the state, are exactly those of a run without sensitivities.

        ``observation``: (ptr, species, weight or None), the observation matrix in CSR
        form (int64, int64, float64); each output row is then summed into observables,
        normalised and checked for its minimum while it is still in cache
        (``result.observed``; :func:`intercluster.kinetics.observables.observe` does the
        same on a finished array). A fourth entry, an (n_totals, n_observables) float64
        array of weights, also gives the weighted sums of each row's observables
        (``result.observed_totals``; e.g. the atoms of each metal, for the conservation
        drift). With ``sensitivities`` as well, the sensitivities of the observables and
        of the normalised intensities are observed the same way
        (``result.observed_sensitivities``).

        ``neg_tol`` [nmol/L]: a step leaving a concentration below -neg_tol is
        rejected and retried with half the step (None: no check).
        ``callback(t)``, if given, is called every 64 accepted steps with the time
        reached (for progress bars); an exception it raises (or Ctrl-C) stops the
        integration and propagates.

        Raises
        ------
        ConfigError
            For a ``y0`` of the wrong shape or not finite, ``t0``/``t_end`` not finite or
            ``t_end < t0``, ``t_out`` not finite, decreasing or outside [t0, t_end],
            ``rtol``/``atol`` not finite and > 0, ``max_step`` not > 0, ``first_step``
            not finite and > 0, ``max_steps`` < 1, ``neg_tol`` not finite and >= 0, a
            ``callback`` that is not callable, or ``sensitivities`` that are not a
            ParamMap or hold a reaction or species index out of range.
        SolverError
            If the integration stops early: says the time reached and what to try.
        """
        y0 = _check_vector("y0", y0, self.n_species)
        t0 = _check_float("t0", t0)
        t_end = _check_float("t_end", t_end)
        if t_end < t0:
            raise ConfigError(bad_value("t_end", t_end, f"a time >= t0 = {t0} s"))
        t_out, t_end = _check_times("t_out", t_out, t0, t_end)
        rtol = _check_float("rtol", rtol, 0.0, strict=True)
        if np.ndim(atol) == 0:
            atol_arr = np.full(self.n_species, _check_float("atol", atol, 0.0, strict=True))
        else:
            atol_arr = _check_vector("atol", atol, self.n_species)
            if np.any(atol_arr <= 0):
                i = int(np.argmax(atol_arr <= 0))
                raise ConfigError(bad_value(f"atol[{i}]", float(atol_arr[i]), "a number > 0"))
        if not (isinstance(max_step, numbers.Real) and max_step > 0):
            raise ConfigError(bad_value("max_step", max_step, "a number > 0 [s] (inf allowed)"))
        first = 0.0 if first_step is None else _check_float("first_step", first_step, 0.0, True)
        max_steps = _check_int("max_steps", max_steps, 1)
        neg = -1.0 if neg_tol is None else _check_float("neg_tol", neg_tol, 0.0)
        if callback is not None and not callable(callback):
            raise ConfigError(bad_value("callback", callback, "a callable f(t) or None"))
        # every row is written by the solver (rows it does not reach: NaN), so no zeroing
        Y = np.empty((t_out.size, self.n_species))
        sens_args = ()
        S = None
        if sensitivities is not None:
            if not isinstance(sensitivities, ParamMap):
                raise ConfigError(
                    bad_value("sensitivities", _show(sensitivities), "a ParamMap or None")
                )
            sensitivities._check(len(self.k), self.n_species)
            S = np.empty((t_out.size, sensitivities.n_params, self.n_species))
            ptr, rxn, val = sensitivities._csr()
            species = np.ascontiguousarray(sensitivities.initial_species, np.int64)
            sens_args = (ptr, rxn, val, species, S, bool(sens_error_control))
        observed = totals = observed_sens = None
        if observation is not None:
            if not isinstance(observation, tuple) or len(observation) not in (3, 4):
                raise ConfigError(
                    bad_value(
                        "observation",
                        _show(observation),
                        "(ptr, species, weight or None[, totals_weight])",
                    )
                )
            o_ptr, o_species, o_weight, *o_totals = observation
            n_obs = len(o_ptr) - 1
            observed = (
                np.empty((t_out.size, n_obs)),  # observables
                np.empty((t_out.size, n_obs)),  # intensities
                np.full(1, np.nan),  # smallest output concentration
                np.zeros(n_obs, dtype=np.int64),  # row of each largest intensity
            )
            obs, inten, low, imax = observed
            obs_arg = (o_ptr, o_species, o_weight, obs, inten, imax, low)  # the C order
            if o_totals:
                (totals_weight,) = o_totals
                n_tot = np.shape(totals_weight)[0] if np.ndim(totals_weight) else 0  # C checks
                totals = np.empty((n_tot, t_out.size))
                obs_arg += (totals_weight, totals)
            else:
                obs_arg += (None, None)
            if S is not None:
                observed_sens = (np.empty((*S.shape[:2], n_obs)), np.empty((*S.shape[:2], n_obs)))
                obs_arg += observed_sens
            sens_args = (sens_args or (None, None, None, None, None, False)) + (obs_arg,)
        (
            status,
            t_reached,
            n_steps,
            n_fev,
            n_jev,
            n_lu,
            min_y,
            n_sens_solves,
            n_sens_lu,
        ) = _bdf.bdf_solve(
            y0,
            t0,
            t_end,
            t_out,
            rtol,
            atol_arr,
            float(max_step),
            first,
            max_steps,
            neg,
            self,
            Y,
            callback,
            self._lu(),
            *sens_args,
        )
        if status != _bdf.SUCCESS:
            raise SolverError(
                f"integration stopped at t = {t_reached:.6g} s of {t_end:.6g} s: "
                f"{_STATUS.get(status, f'status {status}')}. Try a looser rtol/atol, smaller "
                f"rate constants, or check the initial concentrations"
            )
        if observed is not None:
            observed = (observed[0], observed[1], float(observed[2][0]), observed[3])
        return IntegrationResult(
            Y,
            t_reached,
            n_steps,
            n_fev,
            n_jev,
            n_lu,
            min_y,
            S,
            n_sens_solves,
            n_sens_lu,
            observed,
            totals,
            observed_sens,
        )


class _SuperLU:
    """SciPy's SuperLU on I - cJ for the C integrator's general sparse path.

    The C side writes the values of I - cJ into ``data`` (CSC, pattern of the network,
    fixed) and calls :meth:`factor`, which returns SuperLU's factors Pr A Pc = L U as
    CSC arrays (or None if the matrix is singular); the C side checks them and runs the
    triangular solves itself, so a Newton iteration costs no Python call.
    """

    def __init__(self, cn: CompiledNetwork):
        n = cn.n_species
        self.shape = (n, n)
        self.indptr = cn.sp_indptr.astype(np.int32)
        self.indices = cn.sp_indices.astype(np.int32)
        self.data = np.zeros(len(cn.sp_indices))

    def factor(self):
        from scipy.sparse import csc_matrix
        from scipy.sparse.linalg import splu

        A = csc_matrix((self.data, self.indices, self.indptr), shape=self.shape, copy=False)
        try:
            # the fill-reducing column order is built into the pattern (_sparse), so
            # SuperLU keeps it; threshold pivoting prefers the diagonal
            lu = splu(A, permc_spec="NATURAL", diag_pivot_thresh=SUPERLU_PIVOT_THRESHOLD)
        except RuntimeError:  # "Factor is exactly singular"
            return None
        L, U = lu.L, lu.U
        i32 = np.int32
        return (
            np.ascontiguousarray(L.indptr, i32),
            np.ascontiguousarray(L.indices, i32),
            np.ascontiguousarray(L.data, float),
            np.ascontiguousarray(U.indptr, i32),
            np.ascontiguousarray(U.indices, i32),
            np.ascontiguousarray(U.data, float),
            np.ascontiguousarray(lu.perm_r, i32),
            np.ascontiguousarray(lu.perm_c, i32),
        )


#: SuperLU's threshold for partial pivoting: a diagonal entry is kept as the pivot if it
#: is at least this fraction of the largest entry of its column.
SUPERLU_PIVOT_THRESHOLD = 0.1


def _sparse(n, row, col):
    """CSC pattern of I - J (every diagonal entry present) with species renumbered in a
    fill-reducing order (SuperLU's minimum degree on the pattern of A^T + A, computed
    once here), and the position of each Jacobian contribution in it."""
    from scipy.sparse import csc_matrix
    from scipy.sparse.linalg import splu

    njc = len(row)
    diag = np.arange(n, dtype=np.int64)
    rr, cc = np.concatenate([row, diag]), np.concatenate([col, diag])
    # a diagonally dominant matrix of the same pattern: no pivoting, the order is
    # the minimum-degree one
    probe = csc_matrix((np.where(rr == cc, 2.0 * n + 1.0, -1.0), (rr, cc)), shape=(n, n))
    perm = splu(probe, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0).perm_c.astype(np.int64)
    ptr, rows, pos = _csc(perm[cc], perm[rr], n)
    lay = {
        "nc": 0,
        "cp_ptr": np.zeros(n + 1, np.int64),
        "cp_row": np.zeros(0, np.int64),
        "pc_ptr": np.zeros(1, np.int64),
        "pc_row": np.zeros(0, np.int64),
        "blk_of": np.zeros(n, np.int64),
        "blk_start": np.zeros(1, np.int64),
        "blk_end": np.full(1, n, np.int64),
        "sparse": True,
        "sp_indptr": ptr,
        "sp_indices": rows,
        "sp_diag": pos[njc:],
        "sp_perm": perm,
    }
    return np.full(njc, 6, np.int64), pos[:njc], lay


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


# ------------------------------------------------------------ argument checks
# Every array that crosses into C is checked here first (DESIGN.md: the C side checks
# indices again, once, when it parses the network).
class _Shown(str):
    """Text shown as is in a message (bad_value applies repr)."""

    def __repr__(self) -> str:
        return str(self)


def _show(value, limit: int = 80) -> _Shown:
    """A value as a short plain number/text (no ``np.float64(...)``, long inputs cut)."""
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    text = repr(value)
    return _Shown(text if len(text) <= limit else text[: limit - 3] + "...")


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ConfigError(bad_value(name, _show(value), "an integer"))
    value = int(value)
    if value < low or (high is not None and value > high):
        allowed = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
        raise ConfigError(bad_value(name, value, allowed))
    return value


def _check_float(name: str, value, low: float | None = None, strict: bool = False) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ConfigError(bad_value(name, _show(value), "a real number"))
    value = float(value)
    if not math.isfinite(value) or (low is not None and (value <= low if strict else value < low)):
        bound = "" if low is None else (f" > {low:g}" if strict else f" >= {low:g}")
        raise ConfigError(bad_value(name, value, f"a finite number{bound}"))
    return value


def _as_array(name: str, value, kind: str) -> np.ndarray:
    try:
        a = np.asarray(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ConfigError(bad_value(name, _show(value), f"a rectangular {kind} array")) from exc
    ok = a.dtype.kind in ("iu" if kind == "integer" else "iuf")
    if a.size == 0 and a.dtype.kind == "f":  # [] is a float array of size 0
        ok = True
    if not ok:
        raise ConfigError(
            bad_value(
                name,
                _Shown(f"an array of dtype {a.dtype}"),
                f"{'an' if kind == 'integer' else 'a'} {kind} array",
            )
        )
    return a


def _check_vector(name: str, value, n: int) -> np.ndarray:
    a = _as_array(name, value, "real")
    if a.shape != (n,):
        raise ConfigError(bad_value(name, _Shown(f"an array of shape {a.shape}"), f"shape ({n},)"))
    a = np.ascontiguousarray(a, dtype=float)
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.argmax(bad))
        raise ConfigError(bad_value(f"{name}[{i}]", float(a[i]), "a finite number"))
    return a


def _check_index_array(name: str, value, shape: tuple) -> np.ndarray:
    a = _as_array(name, value, "integer")
    if a.size == 0:
        a = a.reshape(shape) if np.prod(shape) == 0 else a
    if a.shape != shape:
        raise ConfigError(bad_value(name, _Shown(f"an array of shape {a.shape}"), f"shape {shape}"))
    if a.dtype.kind == "u" and a.size and a.max() > np.iinfo(np.int64).max:
        raise ConfigError(bad_value(name, int(a.max()), "indices that fit in int64"))
    return np.ascontiguousarray(a, dtype=np.int64)


def _check_slots(name: str, value, n: int) -> np.ndarray:
    """Reactant or product slots: int array (n_reactions, 2), -1 = empty, slot 0 filled."""
    a = _as_array(name, value, "integer")
    if a.size == 0:
        a = a.reshape(0, 2)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ConfigError(
            bad_value(name, _Shown(f"an array of shape {a.shape}"), "shape (n_reactions, 2)")
        )
    a = _check_index_array(name, a, a.shape)
    bad = (a < -1) | (a >= n)
    if bad.any():
        i, q = np.argwhere(bad)[0]
        raise ConfigError(
            bad_value(f"{name}[{i}, {q}]", int(a[i, q]), f"a species index in [0, {n}) or -1")
        )
    empty = a[:, 0] < 0
    if empty.any():
        i = int(np.argmax(empty))
        raise ConfigError(
            bad_value(
                f"{name}[{i}, 0]",
                int(a[i, 0]),
                f"a species index in [0, {n}) "
                "(the first slot must be filled; -1 only in the second)",
            )
        )
    return a


def _check_rate_constants(value, n_r: int) -> np.ndarray:
    k = _as_array("rate_constants", value, "real")
    if k.shape != (n_r,):
        raise ConfigError(
            bad_value("rate_constants", f"an array of shape {k.shape}", f"shape ({n_r},)")
        )
    k = np.ascontiguousarray(k, dtype=float)
    bad = ~(np.isfinite(k) & (k >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ConfigError(
            bad_value(f"rate_constants[{i}]", float(k[i]), "a finite rate constant >= 0")
        )
    return k


#: Output times outside [t0, t_end] by at most this fraction of max(|t0|, |t_end|) are
#: rounding (e.g. dead time + n * dt against dead time + t_end): they are kept, and the
#: integration runs to the last of them.
TIME_ROUNDING = 1e-12


def _check_times(name: str, value, t0: float, t_end: float) -> tuple[np.ndarray, float]:
    """Output times and the end time to integrate to (t_end, or the last output time
    if that exceeds t_end by rounding only)."""
    a = _as_array(name, value, "real")
    if a.ndim != 1:
        raise ConfigError(bad_value(name, _Shown(f"an array of shape {a.shape}"), "a 1-D array"))
    a = np.array(a, dtype=float)  # a copy: rounding at t0 is clamped below
    slack = TIME_ROUNDING * max(abs(t0), abs(t_end))
    bad = ~np.isfinite(a) | (a < t0 - slack) | (a > t_end + slack)
    if bad.any():
        i = int(np.argmax(bad))
        raise ConfigError(
            bad_value(
                f"{name}[{i}]", float(a[i]), f"a finite time within [t0, t_end] = [{t0}, {t_end}] s"
            )
        )
    if a.size > 1 and np.any(np.diff(a) < 0):
        i = int(np.argmax(np.diff(a) < 0)) + 1
        raise ConfigError(
            bad_value(
                f"{name}[{i}]", float(a[i]), f"times in non-decreasing order (after {a[i - 1]} s)"
            )
        )
    np.maximum(a, t0, out=a)
    if a.size and a[-1] > t_end:
        t_end = float(a[-1])
    return a, t_end
