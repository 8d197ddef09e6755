"""NMR of exchanging clusters: hydride isotopomer multiplets and 2D EXSY.

Zhong et al., Dalton Trans. 2021, 50, 4727 (Table 1, Figures 1c and 4, "Dynamic
equilibrium and intercluster exchanges studied by NMR spectroscopy").
"""

from intercluster.nmr.exsy import (
    cross_peak_map,
    exchange_rates,
    exsy_volumes,
    normalized_volumes,
    rates_from_volumes,
    simulate_exsy,
)
from intercluster.nmr.multiplets import (
    Multiplet,
    count_resolved_lines,
    hydride_multiplet,
    line_groups,
    parse_hydride_cluster,
    silver_count,
    zhong2021_table1,
)
from intercluster.nmr.nuclei import NUCLEI, Nucleus, gamma_ratio, get_nucleus

__all__ = [
    "NUCLEI",
    "Multiplet",
    "Nucleus",
    "count_resolved_lines",
    "cross_peak_map",
    "exchange_rates",
    "exsy_volumes",
    "gamma_ratio",
    "get_nucleus",
    "hydride_multiplet",
    "line_groups",
    "normalized_volumes",
    "parse_hydride_cluster",
    "rates_from_volumes",
    "silver_count",
    "simulate_exsy",
    "zhong2021_table1",
]
