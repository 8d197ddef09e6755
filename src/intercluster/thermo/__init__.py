"""Equilibria, plausibility numbers and dimer-isomer analysis.

Neumaier et al., JACS 2021, 143, 6969 (eqs 4-7, "Simulation 2", Figure 2).
"""

from intercluster.thermo.equilibrium import (
    a_fraction,
    binomial,
    compare_with_binomial,
    distribution_stats,
    equilibrium_state,
    monomer_weights,
)
from intercluster.thermo.isomers import cid_fragments, isomer_shares, system_of
from intercluster.thermo.plausibility import (
    DMF,
    debye_factor,
    diffusion_limited_rate,
    dimer_lifetime_s,
    exchange_probabilities,
    mean_exchanges_per_lifetime,
)

__all__ = [
    "DMF",
    "a_fraction",
    "binomial",
    "cid_fragments",
    "compare_with_binomial",
    "debye_factor",
    "diffusion_limited_rate",
    "dimer_lifetime_s",
    "distribution_stats",
    "equilibrium_state",
    "exchange_probabilities",
    "isomer_shares",
    "mean_exchanges_per_lifetime",
    "monomer_weights",
    "system_of",
]
