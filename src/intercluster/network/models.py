"""Rate models: how k_dim, k_diss and k_ex depend on the subunit compositions.

Every rate constant of a network is ``base constant x statistical factor x model
factor``. The base constants are ``k_dim`` [L nmol^-1 s^-1], ``k_diss`` [s^-1]
and ``k_ex`` [s^-1]; the statistical factors (1/2 for homodimer formation, 2 for
exchange out of a homo-composition dimer) come from the rules
(:mod:`intercluster.network.rules`); the model factors come from a
:class:`RateModel` as functions of the two subunit compositions.

The three models of Neumaier et al., JACS 2021, 143, 6969 (Table 1, eqs 2-3):

``sim1``
    composition-independent k_dim, k_diss, k_ex.
``sim2``
    k_ex scaled by the probability of picking an A atom in the donor subunit
    and a B atom in the acceptor subunit: P = (donor/N)((N - acceptor)/N).
    For a dimer (m, n) with m > n this is eq 2, P_f = (m/N)((N - n)/N), for the
    mixing direction and eq 3, P_b = (n/N)((N - m)/N), for the other.
``sim3``
    sim2 plus k_dim scaled by the fraction of gold atoms in the two reactants,
    f_Au = ((N - m) + (N - n))/(2N) when metal B is Au ("[Ag8Au17]- +
    [Ag15Au10]-: f_Au = (17 + 10)/50 = 0.54").

General models (families, complexes of up to K subunits; :mod:`intercluster.network.rules`)
use the same functions: exchange between two subunits of any complex (or two free
clusters) takes the exchange factor at (donor, acceptor); association X + Y and
dissociation into X + Y take the mean of the dimerization (dissociation) factor over
the cross pairs of subunits of X and Y, which for monomer + monomer is the factor
itself (trimer formation D{a, b} + M{c} in sim3: (f(a, c) + f(b, c))/2). Between
families of different N or metals, :meth:`RateModel.cross_family_factor` applies.

A user model is a subclass overriding any of the three ``*_factor`` methods,
or :meth:`RateModel.from_functions`; register it with :func:`register_model` to
use it by name from configs and the command line.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import ClassVar

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.validation import finite, number

__all__ = [
    "BASE_PARAMETERS",
    "MODELS",
    "RateModel",
    "Sim1",
    "Sim2",
    "Sim3",
    "get_model",
    "register_model",
]

#: The base rate constants every model has, with their units.
BASE_PARAMETERS: dict[str, str] = {
    "k_dim": "L nmol^-1 s^-1",
    "k_diss": "s^-1",
    "k_ex": "s^-1",
}


class RateModel:
    """Base class: all model factors 1 (this is sim1).

    Attributes
    ----------
    name : str
        Name used in configs and on the command line.
    defaults : dict
        Default values of every parameter (the base constants and any model
        parameter such as a site energy).
    """

    name: str = "custom"
    description: str = "user-defined rate model"
    defaults: ClassVar[Mapping[str, float]] = {"k_dim": 1e-2, "k_diss": 5.6e-2, "k_ex": 3.2e-2}

    # Factor methods take integer arrays of equal shape and return float arrays.
    def dimerization_factor(self, system, m: np.ndarray, n: np.ndarray, params) -> np.ndarray:
        """Factor on k_dim for an encounter of subunits with m and n A atoms (symmetric)."""
        return np.ones(np.shape(m))

    def dissociation_factor(self, system, m: np.ndarray, n: np.ndarray, params) -> np.ndarray:
        """Factor on k_diss for the dimer {m, n} (symmetric)."""
        return np.ones(np.shape(m))

    def exchange_factor(
        self, system, donor: np.ndarray, acceptor: np.ndarray, params
    ) -> np.ndarray:
        """Factor on k_ex for moving one A atom from the subunit with ``donor`` A atoms
        to the subunit with ``acceptor`` A atoms (and one B atom back), inside one dimer."""
        return np.ones(np.shape(donor))

    # ------------------------------------------------- general (multi-family) use
    _METHODS: ClassVar[dict[str, str]] = {
        "dimerization": "dimerization_factor",
        "dissociation": "dissociation_factor",
        "exchange": "exchange_factor",
    }

    def pair_factor(self, kind: str, family_1, family_2, a, b, params) -> np.ndarray:
        """Factor of ``kind`` ("dimerization", "dissociation", "exchange") for a pair of
        subunits with ``a`` and ``b`` A atoms of ``family_1`` and ``family_2``.

        Families of the same shape (N and metals) use the single-family methods
        above, called with the family in place of the system; complexes of more
        than two subunits average these pair factors over the cross pairs
        (:mod:`intercluster.network.rules`). Between families of different shape
        :meth:`cross_family_factor` is used.
        """
        if _same_shape(family_1, family_2):
            return getattr(self, self._METHODS[kind])(family_1, a, b, params)
        return self.cross_family_factor(kind, family_1, family_2, a, b, params)

    def cross_family_factor(self, kind: str, family_1, family_2, a, b, params) -> np.ndarray:
        """Factor between subunits of families with different N or metals.

        The base class gives 1 when the model leaves that factor at 1 (sim1).

        Raises
        ------
        ConfigError
            If the model defines a composition-dependent factor but no rule for
            families of different N (override this method).
        """
        method = self._METHODS[kind]
        if getattr(type(self), method) is getattr(RateModel, method):
            return np.ones(np.shape(a))
        raise ConfigError(
            f"model {self.name!r}: no {kind} factor between families of different N or metals "
            f"({family_1.n_atoms} and {family_2.n_atoms}); override cross_family_factor"
        )

    # ------------------------------------------------------------- parameters
    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(self.defaults)

    def resolve_parameters(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Defaults updated by ``overrides``, validated.

        Raises
        ------
        ConfigError
            For an unknown name (listing the allowed ones), a non-finite value,
            k_dim or k_diss <= 0, or a negative k_ex.
        """
        params = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if key not in params:
                raise ConfigError(
                    bad_value(
                        "parameter " + key,
                        value,
                        f"model {self.name!r} has parameters {', '.join(params)}",
                    )
                )
            params[key] = value
        for key, value in params.items():
            if key in ("k_dim", "k_diss"):
                value = number(
                    key, value, f"a rate constant > 0 [{BASE_PARAMETERS[key]}]", lambda v: v > 0
                )
            elif key == "k_ex":
                value = number(key, value, "a rate constant >= 0 [s^-1]", lambda v: v >= 0)
            else:
                value = finite(key, value)
            params[key] = value
        return params

    def __repr__(self) -> str:
        return f"<RateModel {self.name!r}: {self.description}>"

    @classmethod
    def from_functions(
        cls,
        name: str,
        *,
        dimerization: Callable | None = None,
        dissociation: Callable | None = None,
        exchange: Callable | None = None,
        defaults: Mapping[str, float] | None = None,
        description: str = "user-defined rate model",
    ) -> RateModel:
        """A model from plain functions of the two subunit compositions.

        Each function is ``f(m, n, N)`` or ``f(m, n, N, params)`` and returns the
        factor on the base constant (a number, or an array for array input).
        For ``exchange`` the arguments are (donor, acceptor, N[, params]).

        Examples
        --------
        >>> model = RateModel.from_functions(
        ...     "ag_donor", exchange=lambda donor, acceptor, N: donor / N)
        >>> from intercluster.network import ExchangeSystem, build_network
        >>> build_network(ExchangeSystem(n_atoms=3), model).n_reactions
        26
        """
        defaults = dict(defaults or RateModel.defaults)
        functions = {
            "dimerization_factor": dimerization,
            "dissociation_factor": dissociation,
            "exchange_factor": exchange,
        }
        attrs: dict[str, object] = {
            "name": name,
            "defaults": defaults,
            "description": description,
        }
        for method, func in functions.items():
            if func is None:
                continue
            attrs[method] = _wrap_function(func, method)
        return type(f"FunctionRateModel_{name}", (RateModel,), attrs)()


def _wrap_function(func: Callable, method: str):
    try:
        n_args = len(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        n_args = 3
    with_params = n_args >= 4

    def factor(self, system, a, b, params):
        args = (a, b, system.n_atoms, params) if with_params else (a, b, system.n_atoms)
        try:
            out = np.asarray(func(*args), dtype=float)
        except (TypeError, ValueError):
            out = None
        if out is None or out.shape != np.shape(a):
            # A scalar function: evaluate element by element.
            out = np.array(
                [float(func(int(x), int(y), *args[2:])) for x, y in zip(np.ravel(a), np.ravel(b))]
            ).reshape(np.shape(a))
        return out

    factor.__name__ = method
    return factor


def _same_shape(f1, f2) -> bool:
    if f1 is f2:
        return True
    return (f1.n_atoms, f1.metal_a, f1.metal_b) == (f2.n_atoms, f2.metal_a, f2.metal_b)


class Sim1(RateModel):
    """Neumaier et al. 2021 simulation 1: composition-independent rate constants (Table 1)."""

    name = "sim1"
    description = "composition-independent k_dim, k_diss, k_ex (Neumaier 2021, sim 1)"
    defaults: ClassVar[Mapping[str, float]] = {"k_dim": 3.2e-3, "k_diss": 3.2e-2, "k_ex": 3.2e-2}


class Sim2(RateModel):
    """Neumaier et al. 2021 simulation 2: k_ex scaled by eqs 2 and 3 (Table 1).

    Note: Table 1 gives k_diss = 1e-1 s^-1 (k_dim:k_diss = 0.10) while the caption
    of Figure 3c prints 1e-2; we follow the table, whose ratio column confirms it.
    """

    name = "sim2"
    description = "k_ex x (donor/N)((N-acceptor)/N), eqs 2-3 (Neumaier 2021, sim 2)"
    defaults: ClassVar[Mapping[str, float]] = {"k_dim": 1e-2, "k_diss": 1e-1, "k_ex": 3.2e-2}

    def exchange_factor(self, system, donor, acceptor, params):
        N = system.n_atoms
        return (np.asarray(donor) / N) * ((N - np.asarray(acceptor)) / N)

    def cross_family_factor(self, kind, family_1, family_2, a, b, params):
        """Eqs 2-3 with each subunit's own N: (a/N_1)((N_2 - b)/N_2) for exchange."""
        if kind == "exchange":
            n1, n2 = family_1.n_atoms, family_2.n_atoms
            return (np.asarray(a) / n1) * ((n2 - np.asarray(b)) / n2)
        return super().cross_family_factor(kind, family_1, family_2, a, b, params)


class Sim3(Sim2):
    """Neumaier et al. 2021 simulation 3: sim2 plus k_dim x f_Au (Table 1).

    f is the fraction of gold atoms in the two reactants. It is tied to the
    element, not to the position of the metal in the system, so swapping
    metal_a and metal_b mirrors the kinetics. In a system without gold the
    fraction of metal_b atoms is used.
    """

    name = "sim3"
    description = "sim2 plus k_dim x f_Au, the Au fraction of the reactants (Neumaier 2021, sim 3)"
    defaults: ClassVar[Mapping[str, float]] = {"k_dim": 1e-2, "k_diss": 5.6e-2, "k_ex": 3.2e-2}

    def dimerization_factor(self, system, m, n, params):
        N = system.n_atoms
        total_a = np.asarray(m) + np.asarray(n)
        if system.metal_a == "Au":
            return total_a / (2 * N)
        return (2 * N - total_a) / (2 * N)

    def cross_family_factor(self, kind, family_1, family_2, a, b, params):
        """f_Au over the variable atoms of both subunits for dimerization."""
        if kind == "dimerization":
            n1, n2 = family_1.n_atoms, family_2.n_atoms
            a_total = np.asarray(a) + np.asarray(b)
            if family_1.metal_a == "Au":
                return a_total / (n1 + n2)
            return (n1 + n2 - a_total) / (n1 + n2)
        return super().cross_family_factor(kind, family_1, family_2, a, b, params)


MODELS: dict[str, RateModel] = {m.name: m for m in (Sim1(), Sim2(), Sim3())}


def register_model(model: RateModel, *, replace: bool = False) -> RateModel:
    """Make ``model`` available by name (configs, CLI ``--model``).

    Raises
    ------
    ConfigError
        If the name is taken and ``replace`` is false.
    """
    if model.name in MODELS and not replace:
        raise ConfigError(bad_value("model", model.name, "a name not yet registered"))
    MODELS[model.name] = model
    return model


def get_model(model: str | RateModel) -> RateModel:
    """The model with this name, or the model itself.

    Raises
    ------
    ConfigError
        For an unknown name, listing the known ones.
    """
    if isinstance(model, RateModel):
        return model
    if isinstance(model, str) and model.startswith("site:") and model not in MODELS:
        # a site-preference model with its classes in the name (network/sites.py)
        from intercluster.network.sites import site_rate_model

        return site_rate_model(model)
    if isinstance(model, str) and model.startswith("frameworks:") and model not in MODELS:
        # per-family site classes in the name (network/energies.py)
        from intercluster.network.energies import frameworks_rate_model

        return frameworks_rate_model(model)
    try:
        return MODELS[model]
    except (KeyError, TypeError):
        raise ConfigError(
            bad_value(
                "model",
                model,
                f"one of {', '.join(sorted(MODELS))}, 'site:' with site classes such as "
                "'site:top=1,tri=3,cap=3', or 'frameworks:' with classes per family "
                "('frameworks:SR30(core=12,shell=32);SR26(all=44)')",
            )
        ) from None
