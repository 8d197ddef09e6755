"""Helpers of the detailed-balance tests of energy-based rate models (frameworks, lumped
complexes): per-species standard chemical potentials computed from the model's
composition energies, independently of how the network builder turns them into rate
constants, and the reactions indexed by (reactants, products)."""

from __future__ import annotations

import numpy as np

from intercluster.network.sites import GAS_CONSTANT_KJ_MOL_K, log_binomial

RT = GAS_CONSTANT_KJ_MOL_K * 298.15


def chemical_potentials(net) -> np.ndarray:
    """mu0 of every species [kJ/mol]: the sum over its subunits of the composition
    energy of the subunit's family, minus RT ln C(N, x) (the ways to place x atoms of A),
    plus the family's energy."""
    model, params = net.model, net.parameters
    cs = net.cluster_system
    tables = [
        model.composition_energy_kJ_mol(f, params)
        - RT * log_binomial(f.n_atoms, np.arange(f.n_atoms + 1))
        + f.energy_kJ_mol
        for f in cs.families
    ]
    g = np.zeros(net.n_species)
    for i, item in enumerate(cs.species):
        for fam, x in getattr(item, "subunits", ()):
            g[i] += tables[fam][x]
    return g


def reactions_by_species(net) -> dict:
    """{(sorted reactant indices, sorted product indices): reaction index}."""
    r = net.reactions
    key = {}
    for j in range(len(r)):
        react = tuple(sorted(int(i) for i in r.reactants[j] if i >= 0))
        prod = tuple(sorted(int(i) for i in r.products[j] if i >= 0))
        key[(react, prod)] = j
    return key
