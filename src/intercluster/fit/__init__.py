"""Fitting rate constants to time-resolved data.

Neumaier et al., JACS 2021, 143, 6969 ("Kinetic Model" to "Plausibility", eq 1,
Table 1) fitted k_dim, k_diss and k_ex on a 13 x 13 x 13 grid scored by the
t_max differences of eq 1. This package builds that workflow on the kinetics
engine and goes beyond it:

- :mod:`~intercluster.fit.data`: datasets in the observables.csv layout;
- :mod:`~intercluster.fit.tmax`: t_max with edge / near-tie / plateau flags;
- :mod:`~intercluster.fit.objectives`: eq 1, weighted least squares, combined;
- :mod:`~intercluster.fit.problem`: :class:`FitProblem` (fast evaluation);
- :mod:`~intercluster.fit.grid`: the paper's grid, parallel and resumable;
- :mod:`~intercluster.fit.refine`: least squares in log space, multistart;
- :mod:`~intercluster.fit.uncertainty`: profile likelihood, covariance, emcee;
- :mod:`~intercluster.fit.executors`: serial, local processes, Dask;
- :mod:`~intercluster.fit.workflow`: :func:`fit` (problem -> :class:`FitResult`,
  dataclasses all the way down: :mod:`~intercluster.fit.result`) and
  :func:`write_fit_outputs` (the folder ``intercluster fit`` writes);
- :mod:`~intercluster.fit.config`: the TOML configuration.
"""

from intercluster.fit.config import FitConfig
from intercluster.fit.data import FitData, load_observables_csv
from intercluster.fit.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from intercluster.fit.grid import PRESETS, grid_axes, run_grid
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import Evaluation, FitProblem, Parameter
from intercluster.fit.refine import latin_hypercube, refine
from intercluster.fit.result import DatasetFit, FitResult, Interval, ProfileResult
from intercluster.fit.tmax import tmax_features
from intercluster.fit.uncertainty import profile_intervals, run_mcmc
from intercluster.fit.workflow import fit, run_fit, write_fit_outputs

__all__ = [
    "PRESETS",
    "DaskExecutor",
    "DatasetFit",
    "Evaluation",
    "FitConfig",
    "FitData",
    "FitProblem",
    "FitResult",
    "Interval",
    "ObjectiveSpec",
    "Parameter",
    "ProcessExecutor",
    "ProfileResult",
    "SerialExecutor",
    "fit",
    "grid_axes",
    "latin_hypercube",
    "load_observables_csv",
    "profile_intervals",
    "refine",
    "run_fit",
    "run_grid",
    "run_mcmc",
    "tmax_features",
    "write_fit_outputs",
]
