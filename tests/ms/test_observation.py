"""Observation model: solution species -> observed ions with branching fractions and response
factors; identity by default; the in-source processes of Acharya et al. 2025
and Lin et al. 2022; round trips."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from intercluster.chem import Ion
from intercluster.errors import ConfigError, DataError, FormulaError
from intercluster.ms import mz, observable_candidates
from intercluster.ms.observation import (
    Channel,
    ObservationModel,
    ObservationRule,
    adduct_channels,
    observation_matrix,
    observed_ions,
    preset_model,
    species_observables,
)

AG_DIMER = "[Ag54(BDT)12(DMBT)18]4-"
PD_DIMER = "[PdAg53(BDT)12(DMBT)18]5-"


def test_default_model_is_the_identity_for_todays_observables(agau):
    species = [c.ion for c in observable_candidates(agau)]
    ions, W = observation_matrix(species)
    assert ions == species
    assert scipy.sparse.issparse(W) and W.shape == (77, 77)
    np.testing.assert_array_equal(W.toarray(), np.eye(77))
    signal = np.random.default_rng(0).uniform(0, 1, (4, 77))
    np.testing.assert_allclose(species_observables(signal, W), signal, rtol=1e-12)


def test_acharya_integral_dimers_are_seen_only_as_3minus_ions():
    # Acharya et al. 2025, Figure 1B: the integral dimers are never observed intact
    model = preset_model("acharya2025-dimers")
    printed = {
        AG_DIMER: {
            "[Ag53(BDT)12(DMBT)16]3-": 3198,
            "[Ag52(BDT)12(DMBT)15]3-": 3117,
            "[Ag54(BDT)12(DMBT)17]3-": 3280,
            "[Ag54(BDT)12(DMBT)18 + H]3-": 3326,
        },
        PD_DIMER: {
            "[PdAg53(BDT)12(DMBT)16]3-": 3234,
            "[PdAg52(BDT)12(DMBT)16]3-": 3198,
            "[PdAg52(BDT)12(DMBT)15]3-": 3152,
        },
    }
    for dimer, expected in printed.items():
        seen = observed_ions(dimer, model)
        assert Ion(dimer) not in [i for i, _ in seen]
        assert {i.charge for i, _ in seen} == {-3}
        assert {str(i) for i, _ in seen} == set(expected)
        assert sum(w for _, w in seen) == pytest.approx(1.0)
        for ion, _ in seen:
            assert abs(mz(ion, "most_abundant") - expected[str(ion)]) <= 1.0
    # the parent clusters are not dimers: observed as themselves
    for monomer in ("[Ag29(BDT)12]3-", "[Ag25(DMBT)18]-", "[PdAg24(DMBT)18]2-"):
        assert observed_ions(monomer, model) == [(Ion(monomer), 1.0)]
    assert "Acharya" in model.rules[0].source


def test_lin_ag44_loses_ag_pmba2_in_the_source():
    model = preset_model("lin2022-ag44")
    seen = dict(observed_ions("[Ag44(p-MBA)30]4-", model))
    minor = Ion("[Ag43(p-MBA)28]3-")
    assert minor in seen and seen[minor] < seen[Ion("[Ag44(p-MBA)30]4-")]
    assert abs(mz(minor, "average") - 2975) < 1.0
    assert observed_ions("[Au44(p-MBA)26]2-", model) == [(Ion("[Au44(p-MBA)26]2-"), 1.0)]


def test_weights_are_fraction_times_responses():
    model = ObservationModel(
        rules=(
            ObservationRule(
                (Channel((), 0.6), Channel(("Ag(p-MBA)2",), 0.3)), ion="[Ag44(p-MBA)30]4-"
            ),
        ),
        response_by_charge={-3: 2.0, "4-": 0.5},
        response_by_family={"Ag44": 3.0},
    )
    seen = dict(observed_ions("[Ag44(p-MBA)30]4-", model, family="Ag44"))
    assert seen[Ion("[Ag44(p-MBA)30]4-")] == pytest.approx(0.6 * 0.5 * 3.0)
    assert seen[Ion("[Ag43(p-MBA)28]3-")] == pytest.approx(0.3 * 2.0 * 3.0)
    # without the family the family factor is 1
    assert dict(observed_ions("[Ag44(p-MBA)30]4-", model))[
        Ion("[Ag43(p-MBA)28]3-")
    ] == pytest.approx(0.6)


def test_charge_states_and_adducts_as_channels():
    # Lin et al. 2022 Fig. 1c: one species at 6-, 7-, 8- with Na+ and H+ at once
    model = ObservationModel(
        rules=(
            ObservationRule(
                (
                    Channel(("+12 Na+", "-16 H+"), 0.4),
                    Channel(("+12 Na+", "-17 H+"), 0.4),
                    Channel(("+11 Na+", "-17 H+"), 0.2),
                ),
                family="Au44",
            ),
        ),
        response_by_charge={-8: 0.5},
    )
    seen = dict(observed_ions("[Au44(p-MBA)26]2-", model, family="Au44"))
    assert seen == {
        Ion("[Au44(p-MBA)26 + 12Na - 16H]6-"): pytest.approx(0.4),
        Ion("[Au44(p-MBA)26 + 12Na - 17H]7-"): pytest.approx(0.4),
        Ion("[Au44(p-MBA)26 + 11Na - 17H]8-"): pytest.approx(0.1),
    }
    # the rule is for the family only
    assert observed_ions("[Au44(p-MBA)26]2-", model) == [(Ion("[Au44(p-MBA)26]2-"), 1.0)]


def test_round_trip_species_to_ions_and_back():
    model = preset_model("acharya2025-dimers")
    species = [AG_DIMER, PD_DIMER, "[Ag29(BDT)12]3-", "[Ag25(DMBT)18]-"]
    _ions, W = observation_matrix(species, model)
    assert W.shape == (4 + 3 + 1 + 1, 4)
    # conservation: every species' weights sum to 1 (no response factors)
    np.testing.assert_allclose(np.asarray(W.sum(axis=0)).ravel(), 1.0)
    c = np.array([[2.0, 0.5, 1.0, 3.0], [0.0, 1.5, 2.0, 0.1]])
    signal = (W @ c.T).T
    np.testing.assert_allclose(species_observables(signal, W), c, rtol=1e-12)
    # an ion that was not measured (NaN) is left out, the species is still estimated
    one = signal[0].copy()
    one[0] = np.nan
    np.testing.assert_allclose(species_observables(one, W), c[0], rtol=1e-12)


def test_shared_ions_are_resolved_by_nnls():
    # the L'- loss of the 4- dimer is the same ion as an intact 3- species
    model = ObservationModel(
        rules=(ObservationRule((Channel((), 0.5), Channel(("DMBT",), 0.5)), ion=AG_DIMER),)
    )
    species = [AG_DIMER, "[Ag54(BDT)12(DMBT)17]3-"]
    ions, W = observation_matrix(species, model)
    assert len(ions) == 2 and W.toarray()[1].tolist() == [0.5, 1.0]
    c = np.array([1.0, 2.0])
    np.testing.assert_allclose(species_observables(W @ c, W), c, atol=1e-10)


def test_toml_model_equals_the_preset(tmp_path):
    path = tmp_path / "obs.toml"
    path.write_text(
        """
[observation]
source = "test"
abbreviations = { L = "BDT", "L'" = "DMBT" }
response_by_charge = { "3-" = 1.0 }

[[observation.rule]]
charge = "4-"
min_metal_atoms = 50
source = "Acharya et al. 2025 Figure 1B"
channel = [
  { changes = ["AgL'2"], fraction = 0.25 },
  { changes = ["Ag2L'3"], fraction = 0.25 },
  { changes = ["L'"], fraction = 0.25 },
  { changes = ["H+"], fraction = 0.25 },
]
""",
        encoding="utf-8",
    )
    model = ObservationModel.from_toml(path)
    preset = preset_model("acharya2025-dimers")
    assert observed_ions(AG_DIMER, model) == observed_ions(AG_DIMER, preset)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[observation]\ncolour = 1\n", "unknown key"),
        ("[observation]\n[[observation.rule]]\nfamliy = 'x'\n", "unknown key"),
        (
            "[observation]\n[[observation.rule]]\n"
            "channel = [{changes = [], fraction = 0.7}, {changes = ['DMBT'], fraction = 0.6}]\n",
            "sum <= 1",
        ),
        (
            "[observation]\n[[observation.rule]]\nchannel = [{changes = [], fraction = -1}]\n",
            "branching fraction",
        ),
        ("[observation]\nresponse_by_charge = { '3-' = 0 }\n", "response"),
        ("[observation]\nresponse_by_charge = { 'x' = 1 }\n", "charge"),
        (
            "[observation]\n[[observation.rule]]\nchannel = [{changes = ['Qq'], fraction = 1}]\n",
            "Qq",
        ),
        ("[other]\n", r"no \[observation\]"),
        ("[observation\n", "not valid TOML"),
    ],
)
def test_bad_model_files_name_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        ObservationModel.from_toml(path)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="observation model"):
        preset_model("nope")
    with pytest.raises(ConfigError, match="families"):
        observation_matrix(["[Ag25(DMBT)18]-"], families=["a", "b"])
    with pytest.raises(DataError, match="ion_signal"):
        species_observables([1.0, 2.0], np.eye(3))
    model = ObservationModel(rules=(ObservationRule((Channel(("Au(DMBT)2",), 1.0),)),))
    with pytest.raises(FormulaError, match="observation rule"):
        observed_ions("[Ag25(DMBT)18]-", model)
    with pytest.raises(ConfigError):
        ObservationModel.from_toml("/nonexistent/obs.toml")


def test_adduct_channels_from_an_envelope_deconvolution():
    # the strongest variants per charge (e.g. from ms.adducts + deconvolve) become a rule
    from intercluster.ms.adducts import adduct_envelope

    shares = {
        "[Au44(p-MBA)26 + 12Na - 16H]6-": 0.3,
        "[Au44(p-MBA)26 + 12Na - 17H]7-": 0.45,
        "[Au44(p-MBA)26 + 11Na - 17H]8-": 0.25,
    }
    channels = adduct_channels("[Au44(p-MBA)26]2-", shares)
    assert channels[0].changes == ("+12 Na+", "-16 H+")
    model = ObservationModel(rules=(ObservationRule(channels, family="Au44"),))
    seen = dict(observed_ions("[Au44(p-MBA)26]2-", model, family="Au44"))
    assert seen == {Ion(k): pytest.approx(v) for k, v in shares.items()}
    envelope = set(adduct_envelope("[Au44(p-MBA)26]2-", [-6, -7, -8]))
    assert set(seen) <= envelope
    # electrons and neutral molecules too; other metals or ligands are refused
    (ch,) = adduct_channels("[Au25(PET)18]-", {"[Au25(PET)18 + H2O]": 1.0})
    assert ch.changes == ("+1 [H2O]", "-1 e-")
    with pytest.raises(ConfigError, match="metals or ligands differ"):
        adduct_channels("[Au25(PET)18]-", {"[Au24(PET)18]-": 1.0})


def test_toml_can_start_from_a_preset_and_override_it(tmp_path):
    path = tmp_path / "obs.toml"
    path.write_text(
        """
[observation]
preset = "acharya2025-dimers"
response_by_charge = { "3-" = 2.0 }

[[observation.rule]]
ion = "[Ag54(BDT)12(DMBT)18]4-"
channel = [{ changes = ["AgL'2"], fraction = 1.0 }]
""",
        encoding="utf-8",
    )
    model = ObservationModel.from_toml(path)
    assert observed_ions(AG_DIMER, model) == [(Ion("[Ag53(BDT)12(DMBT)16]3-"), 2.0)]
    # the preset's rule for the 5- dimers is still there
    assert len(observed_ions(PD_DIMER, model)) == 3
    bad = tmp_path / "bad.toml"
    bad.write_text('[observation]\npreset = "nope"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="observation model"):
        ObservationModel.from_toml(bad)
