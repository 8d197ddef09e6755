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

from intercluster.errors import ConfigError, bad_value
from intercluster.network.description import ClusterSystem, conservation_keys, conserved_vector
from intercluster.network.models import RateModel, get_model
from intercluster.network.rules import (
    DIMERIZATION,
    DISSOCIATION,
    EXCHANGE,
    GENERAL_KIND_NAMES,
    KIND_NAMES,
    KIND_PARAMETER,
    Channel,
    FactorPlan,
    ReactionSet,
    generate_reactions,
)
from intercluster.network.system import ExchangeSystem

__all__ = ["Network", "build_network"]


class Network:
    """Species and reactions of a cluster system under a rate model.

    Use :func:`build_network` to make one.

    Attributes
    ----------
    system : ExchangeSystem or ClusterSystem
        The description it was built from (an ExchangeSystem for the
        single-family model of Neumaier et al. 2021).
    cluster_system : ClusterSystem
        The general description (``system.cluster_system()`` for an ExchangeSystem).
    model : RateModel
    parameters : dict
        Resolved parameters (k_dim [L nmol^-1 s^-1], k_diss [s^-1], k_ex [s^-1],
        any further base constant such as k_tri, and any model parameter).
    reactions : ReactionSet
    channels : tuple of Channel
        The rule directions that generated the reactions (``reactions.channel``).
    model_factor : ndarray, shape (n_reactions,)
        Model factors of every reaction at :attr:`parameters`.
    rate_constants : ndarray, shape (n_reactions,)
        k of each reaction in mass-action form: rate = k x product of reactant
        concentrations (homodimer formation: (k_dim/2)[M]^2). Units: L nmol^-1 s^-1
        for bimolecular reactions, s^-1 otherwise.
    """

    def __init__(
        self,
        system,
        model: RateModel,
        parameters: Mapping[str, float],
        reactions: ReactionSet,
        model_factor: np.ndarray,
        channels: tuple[Channel, ...] = (),
        plan: FactorPlan | None = None,
    ) -> None:
        self.system = system
        self.cluster_system = (
            system.cluster_system() if isinstance(system, ExchangeSystem) else system
        )
        self.model = model
        self.parameters = dict(parameters)
        self.reactions = reactions
        self.channels = tuple(channels)
        self.plan = plan
        self.model_factor = model_factor
        if reactions.channel is None or not self.channels:
            base = np.array([self.parameters[p] for p in KIND_PARAMETER])
            self.rate_constants = base[reactions.kind] * reactions.statistical_factor * model_factor
        else:
            base = np.array([self.parameters[c.constant] for c in self.channels])
            self.rate_constants = (
                base[reactions.channel] * reactions.statistical_factor * model_factor
            )

    @property
    def is_single_family(self) -> bool:
        """True for the single-family model (an ExchangeSystem): the specialised solver
        layout and the historical Dataset layout apply."""
        return isinstance(self.system, ExchangeSystem)

    @property
    def ions(self):
        """The chem :class:`~intercluster.chem.Ion` of every species (m/z, isotope
        pattern and electron count come from chem/ms)."""
        return self.cluster_system.ions

    @property
    def base_constant_names(self) -> tuple[str, ...]:
        if not self.channels:
            return KIND_PARAMETER
        return tuple(dict.fromkeys(c.constant for c in self.channels))

    # ---------------------------------------------------------------- counts
    @property
    def n_species(self) -> int:
        return len(self.system.species)

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
        """Numbers of species and reactions (what ``intercluster network`` prints).

        Single-family model: monomers, dimers, species, dimerizations,
        dissociations, exchanges, reactions, observables. General model: species
        by size (``free clusters``, ``2-complexes`` ...), per family
        (``family <name>``: free clusters), ``fragments``, reactions per rule
        channel (``reactions: <channel>``) and per kind (``kind: <kind>``),
        ``species``, ``reactions``, ``observables``.
        """
        kind = self.reactions.kind
        if self.is_single_family:
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
        cs = self.cluster_system
        out: dict[str, int] = {}
        by_size = cs.count_by_size()
        out["free clusters"] = by_size.get(1, 0)
        for k in range(2, cs.max_subunits + 1):
            out[f"{k}-complexes"] = by_size.get(k, 0)
        for f in cs.families:
            out[f"family {f.name}"] = f.n_compositions
        out["fragments"] = len(cs.fragments)
        out["species"] = self.n_species
        chan = self.reactions.channel
        for j, c in enumerate(self.channels):
            key = f"reactions: {c.name}"
            out[key] = out.get(key, 0) + int(np.sum(chan == j))
        for k, name in enumerate(GENERAL_KIND_NAMES):
            n = int(np.sum(kind == k))
            if n:
                out[f"kind: {name}"] = n
        out["reactions"] = self.n_reactions
        out["observables"] = len(self.observable_labels)
        return out

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
    def conservation_labels(self) -> tuple[str, ...]:
        """Names of the rows of :attr:`conservation_matrix`: every atom of the cores
        (metals, isotopes, fixed atoms), every ligand ``(DMBT)``, ``charge``."""
        keys = conservation_keys(self.cluster_system.ions)
        first = []
        for f in self.cluster_system.families:
            for m in (f.metal_a, f.metal_b):
                if m in keys and m not in first:
                    first.append(m)
        return tuple(first + [k for k in keys if k not in first])

    @cached_property
    def conservation_matrix(self) -> np.ndarray:
        """Amount of every conserved quantity per species, shape (n_conserved, n_species).

        ``conservation_matrix @ concentration`` [nmol/L] is constant in time; every
        reaction conserves it (checked when the network is built).
        """
        keys = list(self.conservation_labels)
        return np.array(
            [conserved_vector(ion, keys) for ion in self.cluster_system.ions], dtype=float
        ).T.reshape(len(keys), self.n_species)

    @cached_property
    def atom_matrix(self) -> np.ndarray:
        """Atoms of metal A (row 0) and B (row 1) per species, shape (2, n_species).

        ``atom_matrix @ concentration`` gives the conserved metal totals [nmol/L].
        For a general model: the rows of :attr:`conservation_matrix` for the
        variable metals of all families (A and B of the first family first).
        """
        if not self.is_single_family:
            metals = []
            for f in self.cluster_system.families:
                for m in (f.metal_a, f.metal_b):
                    if m not in metals:
                        metals.append(m)
            rows = [
                self.conservation_labels.index(m) for m in metals if m in self.conservation_labels
            ]
            return self.conservation_matrix[rows]
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
        if not self.is_single_family:
            of = np.asarray(sysm.observable_of_species, dtype=np.int64)
            cols = np.flatnonzero(of >= 0)
            return sp.csr_matrix(
                (np.ones(len(cols)), (of[cols], cols)),
                shape=(sysm.n_observables, self.n_species),
            )
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
        params = resolve_parameters(self.system, self.model, {**self.parameters, **overrides})
        bases = set(self.base_constant_names)
        if any(params[k] != self.parameters[k] for k in params if k not in bases):
            factor = _plan_factors(
                self.cluster_system, self.model, self.plan, self.reactions, params
            )
        else:
            factor = self.model_factor
        return Network(
            self.system, self.model, params, self.reactions, factor, self.channels, self.plan
        )

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
        if r.channel is not None and self.channels and not self.is_single_family:
            kinds = np.array([c.name for c in self.channels])[r.channel]
            base = np.array([c.constant for c in self.channels])[r.channel]
            unit = np.array([c.unit for c in self.channels])[r.channel]
        else:
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
        if not self.is_single_family:
            fams = ", ".join(f.name for f in s.families)
            return (
                f"<Network {fams} K={s.max_subunits} model={self.model.name}: "
                f"{self.n_species} species, {self.n_reactions} reactions>"
            )
        return (
            f"<Network {s.metal_a}/{s.metal_b} N={s.n_atoms} model={self.model.name}: "
            f"{self.n_species} species, {self.n_reactions} reactions>"
        )


def _plan_factors(cs: ClusterSystem, model: RateModel, plan: FactorPlan, reactions, params):
    """Model factor of every reaction from its plan (pair factors, family energies)."""
    check = getattr(model, "check_families", None)
    if check is not None:
        check([f.name for f in cs.families])
    factor = np.zeros(len(reactions))
    for kind, entries in plan.pairs.items():
        if not entries:
            continue
        cols = list(zip(*entries))
        rxn, f1, x1, f2, x2 = (np.array(c, dtype=np.int64) for c in cols[:5])
        w = np.array(cols[5], dtype=float)
        pairs = sorted(set(zip(f1.tolist(), f2.tolist())))
        for p1, p2 in pairs:
            mask = (f1 == p1) & (f2 == p2)
            a, b = x1[mask], x2[mask]
            v1, v2 = cs.factor_view(p1), cs.factor_view(p2)
            values = np.asarray(model.pair_factor(KIND_NAMES[kind], v1, v2, a, b, params), float)
            if values.shape != a.shape:
                values = np.broadcast_to(values, a.shape).astype(float)
            bad = ~np.isfinite(values) | (values < 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ConfigError(
                    f"model {model.name!r}: {KIND_NAMES[kind]} factor at ({a[i]}, {b[i]}) is "
                    f"{values[i]!r}; factors must be finite and >= 0"
                )
            if kind != EXCHANGE:
                swapped = np.asarray(
                    model.pair_factor(KIND_NAMES[kind], v2, v1, b, a, params), dtype=float
                )
                asym = ~np.isclose(np.broadcast_to(swapped, a.shape), values, rtol=1e-12, atol=0)
                if asym.any():
                    i = int(np.flatnonzero(asym)[0])
                    raise ConfigError(
                        f"model {model.name!r}: {KIND_NAMES[kind]} factor must be symmetric in "
                        f"the two subunits, but f({a[i]}, {b[i]}) != f({b[i]}, {a[i]})"
                    )
            np.add.at(factor, rxn[mask], w[mask] * values)
    if plan.energy:
        from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K

        temperature = float(params.get("temperature_K", 298.15))
        rt = GAS_CONSTANT_KJ_MOL_K * temperature
        rxn = np.array([e[0] for e in plan.energy], dtype=np.int64)
        d_e = np.array([e[1] for e in plan.energy], dtype=float)
        factor[rxn] = np.exp(-d_e / (2 * rt))
        hook = getattr(model, "composition_energy_kJ_mol", None)
        if hook is not None:
            # composition-dependent free energies (network/energies.py): the conversion
            # at fixed x also changes F_f(x); exp(-dF/2RT) keeps detailed balance
            d_f = _conversion_composition_energy(cs, model, reactions, rxn, params)
            with np.errstate(over="ignore"):
                factor[rxn] *= np.exp(-d_f / (2 * rt))
            if not np.all(np.isfinite(factor[rxn])):
                raise ConfigError(
                    f"model {model.name!r}: a conversion factor exp(-dF/2RT) overflows "
                    f"(dF up to {np.abs(d_f).max():.3g} kJ/mol); use smaller site energies"
                )
    return factor


def _conversion_composition_energy(cs, model, reactions, rxn, params) -> np.ndarray:
    """sum F_f(x) over the subunits of the products minus the reactants [kJ/mol]."""
    tables = {
        i: model.composition_energy_kJ_mol(cs.factor_view(i), params)
        for i in range(len(cs.families))
    }
    species = cs.species

    def energy(idx) -> float:
        item = species[idx]
        subunits = getattr(item, "subunits", ())
        return float(sum(tables[f][x] for f, x in subunits))

    out = np.zeros(len(rxn))
    for j, r in enumerate(rxn):
        for col in range(2):
            if reactions.products[r, col] >= 0:
                out[j] += energy(reactions.products[r, col])
            if reactions.reactants[r, col] >= 0:
                out[j] -= energy(reactions.reactants[r, col])
    return out


def resolve_parameters(system, model: RateModel, overrides: Mapping[str, float] | None):
    """The model's parameters plus the system's further base constants, validated.

    Raises
    ------
    ConfigError
        Unknown names (listing the allowed ones), bad values, or a rule whose base
        constant has no value.
    """
    overrides = dict(overrides or {})
    if isinstance(system, ExchangeSystem):
        return model.resolve_parameters(overrides)
    extra = dict(system.constants)
    model_names = set(model.parameter_names)
    needed = system.constant_names
    for key in list(overrides):
        if key not in model_names:
            if key not in extra and key not in needed:
                allowed = sorted(model_names | set(extra) | set(needed))
                raise ConfigError(
                    bad_value("parameter " + key, overrides[key], f"one of {', '.join(allowed)}")
                )
            extra[key] = overrides.pop(key)
    params = model.resolve_parameters(overrides)
    for key, value in extra.items():
        if key in params:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float | np.floating)
            or not np.isfinite(value)
            or value < 0
        ):
            raise ConfigError(bad_value(key, value, "a finite rate constant >= 0"))
        params[key] = float(value)
    missing = [c for c in needed if c not in params]
    if missing:
        raise ConfigError(
            bad_value(
                "constants." + missing[0],
                None,
                "a value is needed: a rule uses this base constant (give it in [constants] "
                f"or as a parameter; model {model.name!r} defines {', '.join(model_names)})",
            )
        )
    return params


def check_conservation(system, reactions: ReactionSet, channels) -> None:
    """Every reaction must conserve every core atom, ligand and the charge.

    Raises
    ------
    ConfigError
        Naming the rule (channel) and the first reaction that does not.
    """
    cs = system.cluster_system() if isinstance(system, ExchangeSystem) else system
    keys = conservation_keys(cs.ions)
    C = np.array([conserved_vector(ion, keys) for ion in cs.ions], dtype=float).T
    n = len(reactions)
    if n == 0:
        return
    net = np.zeros((len(keys), n))
    j = np.arange(n)
    for side, sign in ((reactions.reactants, -1.0), (reactions.products, 1.0)):
        for col in range(2):
            idx = side[:, col]
            mask = idx >= 0
            net[:, j[mask]] += sign * C[:, idx[mask]]
    bad = np.flatnonzero(np.any(net != 0, axis=0))
    if bad.size:
        i = int(bad[0])
        labels = cs.species_labels
        r = reactions
        left = " + ".join(labels[k] for k in r.reactants[i] if k >= 0)
        right = " + ".join(labels[k] for k in r.products[i] if k >= 0)
        what = ", ".join(f"{keys[k]} ({net[k, i]:+g})" for k in np.flatnonzero(net[:, i]))
        name = channels[r.channel[i]].name if r.channel is not None and channels else "?"
        raise ConfigError(
            f"rule {name!r}: {left} -> {right} does not conserve {what}; every rule must "
            "conserve metal atoms, ligands and charge"
        )


def build_network(
    system,
    model: str | RateModel = "sim3",
    parameters: Mapping[str, float] | None = None,
    *,
    allow_large: bool = False,
) -> Network:
    """Generate the network of ``system`` under ``model``.

    Parameters
    ----------
    system : ExchangeSystem or ClusterSystem
        The single-family model (its mechanism: dimer or direct) or a general
        model of families, complexes and rules. An ExchangeSystem goes through
        the general generator as ``system.cluster_system()`` and gives exactly
        the network of Neumaier et al. 2021 (377 species, 1302 reactions for N = 25).
    model : str or RateModel
        ``"sim1"``, ``"sim2"``, ``"sim3"`` (Neumaier 2021, Table 1), a registered
        name, or a :class:`RateModel` instance.
    parameters : mapping, optional
        Overrides of the model's defaults (k_dim [L nmol^-1 s^-1], k_diss [s^-1],
        k_ex [s^-1], model parameters) and of the system's constants (k_tri ...).
    allow_large : bool
        Build networks above :data:`intercluster.network.system.MAX_SPECIES`
        species (counted before anything is built).

    Returns
    -------
    Network

    Raises
    ------
    ConfigError
        Unknown model or parameter, disallowed value, a rule that does not conserve
        metal atoms, ligands or charge, or a network above the size limit
        (:class:`~intercluster.errors.NetworkSizeError`).

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
    if not isinstance(system, ExchangeSystem | ClusterSystem):
        raise ConfigError(bad_value("system", system, "an ExchangeSystem or a ClusterSystem"))
    params = resolve_parameters(system, model, parameters)
    system.check_size(allow_large)
    cs = system.cluster_system() if isinstance(system, ExchangeSystem) else system
    reactions, channels, plan = generate_reactions(cs)
    if not isinstance(system, ExchangeSystem):
        check_conservation(cs, reactions, channels)
    factor = _plan_factors(cs, model, plan, reactions, params)
    return Network(system, model, params, reactions, factor, channels, plan)
