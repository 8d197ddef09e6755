"""Fitting rate constants to time-resolved data (issue 4).

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
- :mod:`~intercluster.fit.config`, :mod:`~intercluster.fit.workflow`: the
  ``intercluster fit`` command; :class:`FitResult`.
"""

from intercluster.fit.config import FitConfig
from intercluster.fit.data import FitData, load_observables_csv
from intercluster.fit.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from intercluster.fit.grid import PRESETS, grid_axes, run_grid
from intercluster.fit.objectives import ObjectiveSpec
from intercluster.fit.problem import Evaluation, FitProblem, Parameter
from intercluster.fit.refine import latin_hypercube, refine
from intercluster.fit.result import FitResult
from intercluster.fit.tmax import tmax_features
from intercluster.fit.uncertainty import profile_intervals, run_mcmc
from intercluster.fit.workflow import run_fit

__all__ = [
    "PRESETS",
    "DaskExecutor",
    "Evaluation",
    "FitConfig",
    "FitData",
    "FitProblem",
    "FitResult",
    "ObjectiveSpec",
    "Parameter",
    "ProcessExecutor",
    "SerialExecutor",
    "grid_axes",
    "latin_hypercube",
    "load_observables_csv",
    "profile_intervals",
    "refine",
    "run_fit",
    "run_grid",
    "run_mcmc",
    "tmax_features",
]
