"""intercluster: intercluster reactions of atomically precise metal nanoclusters.

Layers (DESIGN.md): :mod:`intercluster.network` builds species and reactions from
rules, :mod:`intercluster.kinetics` simulates them, :mod:`intercluster.thermo`
holds equilibria and plausibility numbers, :mod:`intercluster.plot` draws.

>>> from intercluster import ExchangeSystem, build_network
>>> net = build_network(ExchangeSystem("Ag", "Au", n_atoms=25), "sim3")
>>> net.n_species, net.n_reactions
(377, 1302)
"""

from __future__ import annotations

from intercluster.errors import (
    ConfigError,
    DataError,
    FormulaError,
    InterclusterError,
    SolverError,
)
from intercluster.network import ExchangeSystem, Network, build_network, get_model

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "ExchangeSystem",
    "FormulaError",
    "InterclusterError",
    "Network",
    "SolverError",
    "__version__",
    "build_network",
    "get_model",
    "simulate",
]


def __getattr__(name: str):
    # simulate pulls in numba; load it only when asked for (fast CLI start-up).
    if name == "simulate":
        from intercluster.kinetics import simulate

        return simulate
    raise AttributeError(f"module 'intercluster' has no attribute {name!r}")
