"""ESI mass spectra: masses, isotope patterns, spectra I/O, assignment, deconvolution,
time series and synthetic spectra.

The names below are loaded on first use (PEP 562), so that ``intercluster mass``
does not import SciPy's optimizers, pandas or the spectrum readers it does not use.

>>> from intercluster.ms import mz, isotope_pattern
>>> round(mz("[Ag25(DMBT)18]-", "average"))  # Neumaier et al., JACS 2021, 143, 6969: m/z 5167
5167
>>> round(isotope_pattern("[Ag25Au25(SR)36]2-").average_mz)  # same paper: m/z 6280
6280
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intercluster._lazy import install

if TYPE_CHECKING:  # for type checkers and IDEs; at run time see __getattr__
    from intercluster.ms.assign import (
        ASSIGNMENT_COLUMNS,
        assign,
        noise_level,
    )
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
    from intercluster.ms.timeseries import (
        ObservableSeries,
        spectra_to_observables,
        write_observables,
    )

#: public name -> submodule that defines it
_LAZY = {
    "ASSIGNMENT_COLUMNS": "intercluster.ms.assign",
    "assign": "intercluster.ms.assign",
    "noise_level": "intercluster.ms.assign",
    "Candidate": "intercluster.ms.candidates",
    "CandidateSet": "intercluster.ms.candidates",
    "default_candidates": "intercluster.ms.candidates",
    "group_candidates": "intercluster.ms.candidates",
    "read_candidates": "intercluster.ms.candidates",
    "trimer_candidates": "intercluster.ms.candidates",
    "candidates_from_ions": "intercluster.ms.candidates",
    "charge_state_series": "intercluster.ms.candidates",
    "ion_for_observable": "intercluster.ms.candidates",
    "observable_candidates": "intercluster.ms.candidates",
    "BASELINES": "intercluster.ms.deconvolve",
    "DeconvolutionResult": "intercluster.ms.deconvolve",
    "Deconvolver": "intercluster.ms.deconvolve",
    "candidate_window": "intercluster.ms.deconvolve",
    "deconvolve": "intercluster.ms.deconvolve",
    "ELECTRON_MASS_U": "intercluster.ms.masses",
    "IonMasses": "intercluster.ms.masses",
    "ion_mass": "intercluster.ms.masses",
    "ion_masses": "intercluster.ms.masses",
    "mz": "intercluster.ms.masses",
    "mz_from_mass": "intercluster.ms.masses",
    "neutral_mass": "intercluster.ms.masses",
    "DEFAULT_RESOLVING_POWER": "intercluster.ms.patterns",
    "IsotopePattern": "intercluster.ms.patterns",
    "isotope_pattern": "intercluster.ms.patterns",
    "profile": "intercluster.ms.patterns",
    "Spectrum": "intercluster.ms.spectrum",
    "read_spectra": "intercluster.ms.spectrum",
    "read_spectrum": "intercluster.ms.spectrum",
    "read_spectrum_folder": "intercluster.ms.spectrum",
    "read_spectrum_table": "intercluster.ms.spectrum",
    "time_from_name": "intercluster.ms.spectrum",
    "write_spectrum_csv": "intercluster.ms.spectrum",
    "NoiseModel": "intercluster.ms.synthetic",
    "default_mz_grid": "intercluster.ms.synthetic",
    "read_efficiency_table": "intercluster.ms.synthetic",
    "read_simulation_result": "intercluster.ms.synthetic",
    "synthesize_series": "intercluster.ms.synthetic",
    "synthetic_spectrum": "intercluster.ms.synthetic",
    "write_spectra": "intercluster.ms.synthetic",
    "ObservableSeries": "intercluster.ms.timeseries",
    "spectra_to_observables": "intercluster.ms.timeseries",
    "write_observables": "intercluster.ms.timeseries",
}

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


install(__name__, _LAZY)
