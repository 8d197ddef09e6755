"""Species and reactions generated from rules; rate models; SBML export.

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model", Scheme 1, eqs 2-3); site
classes and the ``site`` rate model: Zhong et al., Dalton Trans. 2021, 50, 4727.
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
from intercluster.network.sites import (
    M7H_CLASSES,
    SiteClass,
    SiteModel,
    SiteRateModel,
    log_partition_functions,
)
from intercluster.network.system import DimerSum, ExchangeSystem, Species

#: ``"site"``: the site model of the tricapped tetrahedral M7H clusters (Zhong et al.,
#: Dalton Trans. 2021), class energies 0 (= sim2) until set.
register_model(SiteRateModel(M7H_CLASSES, name="site"), replace=True)

__all__ = [
    "M7H_CLASSES",
    "MODELS",
    "DimerSum",
    "ExchangeSystem",
    "Network",
    "RateModel",
    "Sim1",
    "Sim2",
    "Sim3",
    "SiteClass",
    "SiteModel",
    "SiteRateModel",
    "Species",
    "build_network",
    "get_model",
    "log_partition_functions",
    "register_model",
]
