"""Simulation of reaction networks: ODE assembly, stiff integration, observables.

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model", "Simulation 1-3").

Names are loaded on first use (PEP 562, :mod:`intercluster._lazy`), so that a command
that only builds a network does not import xarray and pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intercluster._lazy import install

if TYPE_CHECKING:  # for type checkers and IDEs; at run time see intercluster._lazy
    from intercluster.kinetics.initial import initial_concentrations, parse_mixture
    from intercluster.kinetics.observables import normalise, observable_concentrations, t_max
    from intercluster.kinetics.simulate import compile_network, output_times, simulate
    from intercluster.kinetics.solver import CompiledNetwork, IntegrationResult

#: public name -> submodule that defines it
_LAZY = {
    "initial_concentrations": "intercluster.kinetics.initial",
    "parse_mixture": "intercluster.kinetics.initial",
    "normalise": "intercluster.kinetics.observables",
    "observable_concentrations": "intercluster.kinetics.observables",
    "t_max": "intercluster.kinetics.observables",
    "compile_network": "intercluster.kinetics.simulate",
    "output_times": "intercluster.kinetics.simulate",
    "simulate": "intercluster.kinetics.simulate",
    "CompiledNetwork": "intercluster.kinetics.solver",
    "IntegrationResult": "intercluster.kinetics.solver",
}

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

install(__name__, _LAZY)
