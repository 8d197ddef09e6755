"""Simulation of reaction networks: ODE assembly, stiff integration, observables.

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model", "Simulation 1-3").
"""

from intercluster.kinetics.initial import initial_concentrations, parse_mixture
from intercluster.kinetics.observables import normalise, observable_concentrations, t_max
from intercluster.kinetics.simulate import compile_network, output_times, simulate
from intercluster.kinetics.solver import CompiledNetwork, IntegrationResult

__all__ = [
    "CompiledNetwork",
    "IntegrationResult",
    "compile_network",
    "initial_concentrations",
    "normalise",
    "observable_concentrations",
    "output_times",
    "parse_mixture",
    "simulate",
    "t_max",
]
