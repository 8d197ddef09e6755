"""Species and reactions generated from rules; rate models; SBML export.

The centre is the general model: :class:`Family` (a cluster type),
:class:`Complex` (up to K subunits of any families), rules (:class:`Association`,
:class:`ComplexExchange`, :class:`DirectExchange`, :class:`Conversion`) with
statistical factors derived by counting ordered subunit tuples, gathered in a
:class:`ClusterSystem`. :class:`ExchangeSystem` (one family, dimers or direct
exchange) is its special case and gives exactly the network of

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model", Scheme 1, eqs 2-3); site
classes and the ``site`` rate model: Zhong et al., Dalton Trans. 2021, 50, 4727.
"""

from intercluster.network.build import Network, build_network
from intercluster.network.complexes import Complex, Fragment
from intercluster.network.description import ClusterSystem
from intercluster.network.families import Family
from intercluster.network.models import (
    MODELS,
    RateModel,
    Sim1,
    Sim2,
    Sim3,
    get_model,
    register_model,
)
from intercluster.network.rules import (
    Association,
    ComplexExchange,
    Conversion,
    DirectExchange,
    PoolTransfer,
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
    "Association",
    "ClusterSystem",
    "Complex",
    "ComplexExchange",
    "Conversion",
    "DimerSum",
    "DirectExchange",
    "ExchangeSystem",
    "Family",
    "Fragment",
    "Network",
    "PoolTransfer",
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
