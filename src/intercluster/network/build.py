"""The reaction network: species, reactions, rate constants, stoichiometry.

A :class:`Network` is inspectable before anything is simulated; changing rate
constants (as a fit does thousands of times) recomputes one vector and nothing
else (:meth:`Network.with_parameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from intercluster.errors import ConfigError
from intercluster.network.models import RateModel, get_model
from intercluster.network.rules import (
    DIMERIZATION,
    DISSOCIATION,
    EXCHANGE,
    KIND_NAMES,
    KIND_PARAMETER,
    ReactionSet,
    rules_for,
)
from intercluster.network.system import ExchangeSystem

__all__ = ["Network", "build_network"]


class Network:
    """Species and reactions of an exchange system under a rate model.

    Use :func:`build_network` to make one.

    Attributes
    ----------
    system : ExchangeSystem
    model : RateModel
    parameters : dict
        Resolved parameters (k_dim [L nmol^-1 s^-1], k_diss [s^-1], k_ex [s^-1],
        and any model parameter).
    reactions : ReactionSet
    model_factor : ndarray, shape (n_reactions,)
        Model factors of every reaction at :attr:`parameters`.
    rate_constants : ndarray, shape (n_reactions,)
        k of each reaction in mass-action form: rate = k x product of reactant
        concentrations (homodimer formation: (k_dim/2)[M]^2). Units: L nmol^-1 s^-1
        for dimerizations, s^-1 otherwise.
    """

    def __init__(
        self,
        system: ExchangeSystem,
        model: RateModel,
        parameters: Mapping[str, float],
        reactions: ReactionSet,
        model_factor: np.ndarray,
    ) -> None:
        self.system = system
        self.model = model
        self.parameters = dict(parameters)
        self.reactions = reactions
        self.model_factor = model_factor
        base = np.array([self.parameters[p] for p in KIND_PARAMETER])
        self.rate_constants = base[reactions.kind] * reactions.statistical_factor * model_factor

    # ---------------------------------------------------------------- counts
    @property
    def n_species(self) -> int:
        return self.system.n_species

    @property
    def n_reactions(self) -> int:
        return len(self.reactions)

    @property
    def species_labels(self) -> tuple[str, ...]:
        return self.system.species_labels

    @property
    def observable_labels(self) -> tuple[str, ...]:
        return self.system.observable_labels

    def counts(self) -> dict[str, int]:
        """Numbers of species and reactions by kind (what ``intercluster network`` prints)."""
        kind = self.reactions.kind
        return {
            "monomers": self.system.n_monomers,
            "dimers": self.system.n_dimers,
            "species": self.n_species,
            "dimerizations": int(np.sum(kind == DIMERIZATION)),
            "dissociations": int(np.sum(kind == DISSOCIATION)),
            "exchanges": int(np.sum(kind == EXCHANGE)),
            "reactions": self.n_reactions,
            "observables": self.system.n_observables,
        }

    # ------------------------------------------------------------ matrices
    @cached_property
    def stoichiometry(self) -> sp.csr_matrix:
        """Net stoichiometric matrix, shape (n_species, n_reactions), integer entries."""
        r = self.reactions
        rows, cols, vals = [], [], []
        j = np.arange(len(r))
        for col in range(2):
            for side, sign in ((r.reactants, -1), (r.products, 1)):
                mask = side[:, col] >= 0
                rows.append(side[mask, col])
                cols.append(j[mask])
                vals.append(np.full(int(mask.sum()), sign, dtype=np.int64))
        S = sp.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.n_species, self.n_reactions),
        ).tocsr()
        S.sum_duplicates()
        S.eliminate_zeros()
        return S

    @cached_property
    def atom_matrix(self) -> np.ndarray:
        """Atoms of metal A (row 0) and B (row 1) per species, shape (2, n_species).

        ``atom_matrix @ concentration`` gives the conserved metal totals [nmol/L].
        """
        N = self.system.n_atoms
        a = np.array([s.n_a for s in self.system.species], dtype=float)
        size = np.array([2 * N if s.is_dimer else N for s in self.system.species], dtype=float)
        return np.vstack([a, size - a])

    @cached_property
    def observable_matrix(self) -> sp.csr_matrix:
        """Maps species to observables, shape (n_observables, n_species), 0/1 entries.

        Monomers map to themselves; every dimer isomer {m, n} to the sum formula
        with s = m + n A atoms.
        """
        sysm = self.system
        n_mono = sysm.n_monomers
        rows = list(range(n_mono))
        cols = list(range(n_mono))
        for i, d in enumerate(sysm.dimers):
            rows.append(n_mono + d.n_a)
            cols.append(n_mono + i)
        return sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(sysm.n_observables, self.n_species)
        )

    # ---------------------------------------------------------- parameters
    def with_parameters(self, **overrides: float) -> Network:
        """The same network with some parameters changed.

        Changing only the base constants (k_dim, k_diss, k_ex) reuses the model
        factors; changing a model parameter re-evaluates them.

        Raises
        ------
        ConfigError
            For unknown names or disallowed values (see ``RateModel.resolve_parameters``).
        """
        params = self.model.resolve_parameters({**self.parameters, **overrides})
        if any(params[k] != self.parameters[k] for k in params if k not in KIND_PARAMETER):
            factor = _model_factors(self.system, self.model, self.reactions, params)
        else:
            factor = self.model_factor
        return Network(self.system, self.model, params, self.reactions, factor)

    # ------------------------------------------------------------- listing
    def reaction_labels(self) -> list[str]:
        """One line per reaction in the papers' notation, e.g.
        ``[Ag25]- + [Au25]- -> [(Ag25)(Au25)]2-``."""
        labels = self.species_labels
        out = []
        for (r1, r2), (p1, p2) in zip(self.reactions.reactants, self.reactions.products):
            left = " + ".join(labels[i] for i in (r1, r2) if i >= 0)
            right = " + ".join(labels[i] for i in (p1, p2) if i >= 0)
            out.append(f"{left} -> {right}")
        return out

    def to_frame(self):
        """The reactions as a :class:`pandas.DataFrame` (one row each): kind, equation,
        base constant, statistical factor, model factor, k and its unit."""
        import pandas as pd

        r = self.reactions
        kinds = np.array(KIND_NAMES)[r.kind]
        base = np.array(KIND_PARAMETER)[r.kind]
        unit = np.where(r.kind == DIMERIZATION, "L nmol^-1 s^-1", "s^-1")
        return pd.DataFrame(
            {
                "kind": kinds,
                "reaction": self.reaction_labels(),
                "base": base,
                "statistical_factor": r.statistical_factor,
                "model_factor": self.model_factor,
                "k": self.rate_constants,
                "unit": unit,
            }
        )

    def __repr__(self) -> str:
        s = self.system
        return (
            f"<Network {s.metal_a}/{s.metal_b} N={s.n_atoms} model={self.model.name}: "
            f"{self.n_species} species, {self.n_reactions} reactions>"
        )


def _model_factors(system, model, reactions: ReactionSet, params) -> np.ndarray:
    factor = np.empty(len(reactions))
    kind = reactions.kind
    methods = {
        DIMERIZATION: model.dimerization_factor,
        DISSOCIATION: model.dissociation_factor,
        EXCHANGE: model.exchange_factor,
    }
    for k, method in methods.items():
        mask = kind == k
        if not mask.any():
            continue
        a, b = reactions.a[mask], reactions.b[mask]
        values = np.asarray(method(system, a, b, params), dtype=float)
        if values.shape != a.shape:
            values = np.broadcast_to(values, a.shape).astype(float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ConfigError(
                f"model {model.name!r}: {KIND_NAMES[k]} factor at ({a[i]}, {b[i]}) is "
                f"{values[i]!r}; factors must be finite and >= 0"
            )
        if k != EXCHANGE:
            swapped = np.asarray(method(system, b, a, params), dtype=float)
            asym = ~np.isclose(np.broadcast_to(swapped, a.shape), values, rtol=1e-12, atol=0)
            if asym.any():
                i = int(np.flatnonzero(asym)[0])
                raise ConfigError(
                    f"model {model.name!r}: {KIND_NAMES[k]} factor must be symmetric in the "
                    f"two subunits, but f({a[i]}, {b[i]}) != f({b[i]}, {a[i]})"
                )
        factor[mask] = values
    return factor


def build_network(
    system: ExchangeSystem,
    model: str | RateModel = "sim3",
    parameters: Mapping[str, float] | None = None,
    *,
    allow_large: bool = False,
) -> Network:
    """Generate the network of ``system`` (its mechanism: dimer or direct) under ``model``.

    Parameters
    ----------
    system : ExchangeSystem
    model : str or RateModel
        ``"sim1"``, ``"sim2"``, ``"sim3"`` (Neumaier 2021, Table 1), a registered
        name, or a :class:`RateModel` instance.
    parameters : mapping, optional
        Overrides of the model's defaults (k_dim [L nmol^-1 s^-1], k_diss [s^-1],
        k_ex [s^-1], model parameters).
    allow_large : bool
        Build networks above :data:`intercluster.network.system.MAX_SPECIES`.

    Returns
    -------
    Network

    Raises
    ------
    ConfigError
        Unknown model or parameter, disallowed value, or a network above the size
        limit (:class:`~intercluster.errors.NetworkSizeError`).

    Examples
    --------
    >>> net = build_network(ExchangeSystem("Ag", "Au", 25), "sim2")
    >>> net.counts()["exchanges"], net.stoichiometry.shape
    (600, (377, 1302))
    >>> direct = ExchangeSystem("Cu", "Ag", 7, mechanism="direct")
    >>> build_network(direct, "sim2").counts()["exchanges"]
    42
    """
    model = get_model(model)
    params = model.resolve_parameters(parameters)
    system.check_size(allow_large)
    reactions = rules_for(system)
    factor = _model_factors(system, model, reactions, params)
    return Network(system, model, params, reactions, factor)
