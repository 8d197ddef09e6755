"""Equilibria, plausibility numbers and dimer-isomer analysis; site-preference equilibria
and their fits.

Neumaier et al., JACS 2021, 143, 6969 (eqs 4-7, "Simulation 2", Figure 2); Zhong et al.,
Dalton Trans. 2021, 50, 4727 (Table 2, site preferences).
"""

from intercluster.thermo.equilibrium import (
    a_fraction,
    binomial,
    compare_with_binomial,
    distribution_stats,
    equilibrium_state,
    monomer_weights,
)
from intercluster.thermo.equilibrium_fit import (
    EquilibriumFit,
    EquilibriumTable,
    compare_equilibrium_models,
    fit_equilibrium,
    load_equilibrium_table,
    zhong2021_table2,
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
from intercluster.thermo.sites import (
    ZHONG2021_RATIOS,
    exchange_constants,
    le_chatelier_series,
    parse_ratio,
    ratio_fraction,
    site_distributions,
    site_equilibrium,
    site_occupancies,
    site_probabilities,
)

__all__ = [
    "DMF",
    "ZHONG2021_RATIOS",
    "EquilibriumFit",
    "EquilibriumTable",
    "a_fraction",
    "binomial",
    "cid_fragments",
    "compare_equilibrium_models",
    "compare_with_binomial",
    "debye_factor",
    "diffusion_limited_rate",
    "dimer_lifetime_s",
    "distribution_stats",
    "equilibrium_state",
    "exchange_constants",
    "exchange_probabilities",
    "fit_equilibrium",
    "isomer_shares",
    "le_chatelier_series",
    "load_equilibrium_table",
    "mean_exchanges_per_lifetime",
    "monomer_weights",
    "parse_ratio",
    "ratio_fraction",
    "site_distributions",
    "site_equilibrium",
    "site_occupancies",
    "site_probabilities",
    "system_of",
    "zhong2021_table2",
]
