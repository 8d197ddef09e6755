"""intercluster: intercluster reactions of atomically precise metal nanoclusters.

Layers (DESIGN.md): :mod:`intercluster.network` builds species and reactions from
rules, :mod:`intercluster.kinetics` simulates them, :mod:`intercluster.thermo`
holds equilibria and plausibility numbers, :mod:`intercluster.plot` draws.
:func:`load` reads a result folder back (:mod:`intercluster.results`).

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
    "load",
    "simulate",
]

# Loaded on first use, so that `intercluster --help` does not import NumPy and SciPy.
_LAZY = {
    "ExchangeSystem": "intercluster.network",
    "Network": "intercluster.network",
    "build_network": "intercluster.network",
    "get_model": "intercluster.network",
    "simulate": "intercluster.kinetics",
    "load": "intercluster.results",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'intercluster' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
