"""Simulation of reaction networks: ODE assembly, stiff integration, observables.

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model", "Simulation 1-3").
"""

from intercluster.kinetics.solver import CompiledNetwork, IntegrationResult

__all__ = ["CompiledNetwork", "IntegrationResult"]
