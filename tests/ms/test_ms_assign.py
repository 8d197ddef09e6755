"""Candidates for the exchange system, charge-state series, and assignment scores."""

from __future__ import annotations

import numpy as np
import pytest

from intercluster.chem import Ion
from intercluster.errors import ConfigError, FormulaError
from intercluster.ms import (
    Spectrum,
    assign,
    candidates_from_ions,
    charge_state_series,
    ion_for_observable,
    observable_candidates,
    synthetic_spectrum,
)
from intercluster.network.system import DimerSum, Species


def test_ion_for_observable(agau):
    assert ion_for_observable(agau, Species(12)) == Ion("[Ag12Au13(SR)18]-")
    assert ion_for_observable(agau, DimerSum(24)) == Ion("[Ag24Au26(SR)36]2-")
    assert ion_for_observable(agau, Species(13, 12)) == Ion("[(Ag13Au12)(Ag12Au13)(SR)36]2-")
    assert ion_for_observable(agau, "[Ag25]-", ligand="DMBT") == Ion("[Ag25(DMBT)18]-")
    with pytest.raises(FormulaError):
        ion_for_observable(agau, "[Ag26]-")
    with pytest.raises(FormulaError, match="not in the ligand library"):
        ion_for_observable(agau, Species(1), ligand="XYZ")


def test_observable_candidates_follow_simulate_order(agau):
    cands = observable_candidates(agau)
    assert [c.label for c in cands] == list(agau.observable_labels)
    for c in cands:  # metals of the label = metals of the ion; dimers carry 2 x shell and charge
        obj = agau.parse(c.label)
        n_shell = 36 if isinstance(obj, DimerSum) else 18
        assert sum(c.ion.ligands.values()) == n_shell
        assert c.ion.charge == (-2 if n_shell == 36 else -1)


def test_charge_state_series_for_au44():
    labels = [c.label for c in charge_state_series("[Au44(p-MBA)26]2-", [-6, -7, -8])]
    assert labels == ["[Au44(p-MBA)26 - 4H]6-", "[Au44(p-MBA)26 - 5H]7-", "[Au44(p-MBA)26 - 6H]8-"]
    for c in charge_state_series("[Au44(p-MBA)26 + 12Na - 16H]6-", [-7, -8]):
        assert c.ion.core_charge == -2  # deprotonation changes the total charge only
    with pytest.raises(FormulaError, match="carrier"):
        charge_state_series("[Au44(p-MBA)26]2-", [-3], carrier="H2O")
    with pytest.raises(ConfigError):
        charge_state_series("[Au44(p-MBA)26]2-", [0])


def test_candidates_from_ions_errors():
    with pytest.raises(FormulaError, match="has no charge"):
        candidates_from_ions(["[Ag25(SR)18]"])
    with pytest.raises(ConfigError, match="given twice"):
        candidates_from_ions(["[Ag25(SR)18]-", "[Ag25(SR)18]-"])
    with pytest.raises(ConfigError):
        candidates_from_ions([])


@pytest.fixture(scope="module")
def mixture():
    # no two of these share an m/z (an even dianion would sit on a monoanion: see deconvolution)
    present = candidates_from_ions(["[Ag25(DMBT)18]-", "[Ag13Au12(SR)18]-", "[Ag25Au25(SR)36]2-"])
    absent = candidates_from_ions(["[Ag24Au(SR)18]-", "[Ag12Au13(SR)18]-", "[Ag27Au23(SR)36]2-"])
    grid = np.arange(5150.0, 6300.0, 0.02)
    spec = synthetic_spectrum(present, [0.4, 0.35, 0.25], grid, seed=2)
    return present, absent, spec


def test_present_ions_are_assigned_absent_ones_not(mixture):
    present, absent, spec = mixture
    table = assign(spec, present + absent)
    assert table["assigned"].tolist() == [True, True, True, False, False, False]
    hits = table[table["assigned"]]
    assert np.all(np.abs(hits["error_ppm"]) < 2)
    assert np.all(hits["similarity"] > 0.95)


def test_mass_error_is_measured(mixture):
    present, _, spec = mixture
    shifted = Spectrum(spec.mz * (1 + 20e-6), spec.intensity)
    table = assign(shifted, present, ppm_tolerance=50)
    assert table["error_ppm"].to_numpy() == pytest.approx([20, 20, 20], abs=1.5)
    assert not assign(shifted, present, ppm_tolerance=10)["assigned"].any()


def test_candidate_outside_spectrum_gets_nan(mixture):
    _, _, spec = mixture
    table = assign(spec, candidates_from_ions(["[Au25(PET)18]-"]))
    assert np.isnan(table["similarity"].iloc[0]) and not table["assigned"].iloc[0]
    with pytest.raises(ConfigError):
        assign(spec, [])
