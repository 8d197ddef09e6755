"""Species and reactions generated from rules; rate models; SBML export.

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model", Scheme 1, eqs 2-3).
"""

from intercluster.network.build import Network, build_network
from intercluster.network.models import (
    MODELS,
    RateModel,
    Sim1,
    Sim2,
    Sim3,
    get_model,
    register_model,
)
from intercluster.network.system import DimerSum, ExchangeSystem, Species

__all__ = [
    "MODELS",
    "DimerSum",
    "ExchangeSystem",
    "Network",
    "RateModel",
    "Sim1",
    "Sim2",
    "Sim3",
    "Species",
    "build_network",
    "get_model",
    "register_model",
]
