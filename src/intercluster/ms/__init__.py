"""ESI mass spectra: masses, isotope patterns, spectra I/O, assignment, deconvolution,
time series and synthetic spectra.

>>> from intercluster.ms import mz, isotope_pattern
>>> round(mz("[Ag25(DMBT)18]-", "average"))       # Neumaier et al. 2021, 002: m/z 5167
5167
>>> round(isotope_pattern("[Ag25Au25(SR)36]2-").average_mz)   # 002: m/z 6280
6280
"""

from intercluster.ms.assign import ASSIGNMENT_COLUMNS, assign, noise_level
from intercluster.ms.candidates import (
    Candidate,
    CandidateSet,
    candidates_from_ions,
    charge_state_series,
    default_candidates,
    group_candidates,
    ion_for_observable,
    observable_candidates,
    read_candidates,
    trimer_candidates,
)
from intercluster.ms.deconvolve import (
    BASELINES,
    DeconvolutionResult,
    Deconvolver,
    candidate_window,
    deconvolve,
)
from intercluster.ms.masses import (
    ELECTRON_MASS_U,
    IonMasses,
    ion_mass,
    ion_masses,
    mz,
    mz_from_mass,
    neutral_mass,
)
from intercluster.ms.patterns import (
    DEFAULT_RESOLVING_POWER,
    IsotopePattern,
    isotope_pattern,
    profile,
)
from intercluster.ms.spectrum import (
    Spectrum,
    read_spectra,
    read_spectrum,
    read_spectrum_folder,
    read_spectrum_table,
    time_from_name,
    write_spectrum_csv,
)
from intercluster.ms.synthetic import (
    NoiseModel,
    default_mz_grid,
    read_efficiency_table,
    read_simulation_result,
    synthesize_series,
    synthetic_spectrum,
    write_spectra,
)
from intercluster.ms.timeseries import ObservableSeries, spectra_to_observables, write_observables

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "BASELINES",
    "DEFAULT_RESOLVING_POWER",
    "ELECTRON_MASS_U",
    "Candidate",
    "CandidateSet",
    "DeconvolutionResult",
    "Deconvolver",
    "IonMasses",
    "IsotopePattern",
    "NoiseModel",
    "ObservableSeries",
    "Spectrum",
    "assign",
    "candidate_window",
    "candidates_from_ions",
    "charge_state_series",
    "deconvolve",
    "default_candidates",
    "default_mz_grid",
    "group_candidates",
    "ion_for_observable",
    "ion_mass",
    "ion_masses",
    "isotope_pattern",
    "mz",
    "mz_from_mass",
    "neutral_mass",
    "noise_level",
    "observable_candidates",
    "profile",
    "read_candidates",
    "read_efficiency_table",
    "read_simulation_result",
    "read_spectra",
    "read_spectrum",
    "read_spectrum_folder",
    "read_spectrum_table",
    "spectra_to_observables",
    "synthesize_series",
    "synthetic_spectrum",
    "time_from_name",
    "trimer_candidates",
    "write_observables",
    "write_spectra",
    "write_spectrum_csv",
]
