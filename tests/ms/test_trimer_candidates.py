"""Trimers among the default candidates, and candidates from any list or grouping of ions.

Neumaier et al., JACS 2021, 143, 6969 (Figure S2): triply charged trimers
[Ag_m Au_(75-m)(SR)54]3- appear next to monomers and dimers; a trimer with m = 3k
sits at the m/z of [Ag_k Au_(25-k)]- and [Ag_2k Au_(50-2k)]2-.
"""

from __future__ import annotations

import numpy as np
import pytest

from intercluster.chem import Ion
from intercluster.errors import ConfigError, DataError, FormulaError
from intercluster.ms import (
    candidates_from_ions,
    deconvolve,
    default_candidates,
    default_mz_grid,
    group_candidates,
    mz,
    observable_candidates,
    read_candidates,
    synthetic_spectrum,
    trimer_candidates,
)

MIX = ["[AgAu24(SR)18]-", "[Ag3Au72(SR)54]3-"]


def test_trimer_candidates_cover_m_0_to_3N(agau):
    tri = trimer_candidates(agau)
    assert len(tri) == 3 * 25 + 1
    for m, c in enumerate(tri):
        assert c.ion.metals.get("Ag", 0) == m and c.ion.metals.get("Au", 0) == 75 - m
        assert c.ion.charge == -3 and sum(c.ion.ligands.values()) == 54
        assert Ion(c.label).charge == -3  # the label parses back
    # m = 3k: the trimer, the monomer and the dimer share their average m/z (within the
    # electron-mass rounding), which is why they must be fitted together
    for k in (1, 12):
        trimer = mz(f"[Ag{3 * k}Au{75 - 3 * k}(SR)54]3-", "average")
        monomer = mz(f"[Ag{k}Au{25 - k}(SR)18]-", "average")
        assert trimer == pytest.approx(monomer, abs=1e-6)
    default = default_candidates(agau)
    assert [c.label for c in default[:77]] == list(agau.observable_labels)
    assert [c.label for c in default[77:]] == [c.label for c in tri]
    assert len(default_candidates(agau, trimers=False)) == 77


@pytest.fixture(scope="module")
def mixture():
    pair = candidates_from_ions(MIX)
    grid = default_mz_grid(pair)
    return pair, synthetic_spectrum(pair, [0.5, 0.5], grid, seed=1)


def test_default_candidates_read_the_trimer(agau, mixture):
    """Without trimers the 1:1 mix reads as monomer + dimer with a residual far above the
    noise; with the default candidates it reads 0.50/0.50 within the standard errors and
    the residual of the fit with the true pair."""
    pair, spec = mixture
    truth = deconvolve(spec, pair)
    old = deconvolve(spec, observable_candidates(agau))
    f_old = dict(zip(old.labels, old.fractions()[0]))
    assert f_old["[Ag2Au48]2-"] > 0.4  # the trimer's signal went to the dimer
    assert old.residual_rms > 5 * truth.residual_rms
    new = deconvolve(spec, default_candidates(agau))
    f, err = new.fractions()
    got = dict(zip(new.labels, zip(f, err)))
    for label in ("[AgAu24]-", "[Ag3Au72]3-"):
        value, se = got[label]
        assert abs(value - 0.5) < max(3 * se, 0.005)
    others = [v for lab, (v, _) in got.items() if lab not in ("[AgAu24]-", "[Ag3Au72]3-")]
    assert np.nansum(others) < 0.01
    assert new.residual_rms == pytest.approx(truth.residual_rms, rel=0.05)


def test_read_candidates_one_ion_per_line(tmp_path):
    path = tmp_path / "ions.txt"
    path.write_text("# trimer case\n[AgAu24(SR)18]-\n\n[Ag3Au72(SR)54]3-\n", encoding="utf-8")
    cs = read_candidates(path)
    assert [str(c.ion) for c in cs.candidates] == MIX
    assert cs.observable_labels == tuple(MIX) and cs.groups == {}
    assert np.array_equal(cs.grouping_matrix(), np.eye(2))


def test_read_candidates_grouping(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text(
        "observable,ion,weight\n"
        "Au44,[Au44(p-MBA)26 - 4H]6-,1\n"
        "Au44,[Au44(p-MBA)26 - 5H]7-,0.5\n"
        'Ag25,"[Ag25(2,4-DMBT)18]-",\n',
        encoding="utf-8",
    )
    cs = read_candidates(path)
    assert cs.observable_labels == ("Au44", "Ag25")
    assert len(cs.candidates) == 3
    G = cs.grouping_matrix()
    assert G.tolist() == [[1.0, 2.0, 0.0], [0.0, 0.0, 1.0]]


@pytest.mark.parametrize(
    "text, error, match",
    [
        ("", DataError, "no candidate ions"),
        ("[Ag25(XYZ)18]-\n", FormulaError, "line 1"),
        ("[Ag25(SR)18]-\n[Ag25(SR)18]-\n", ConfigError, "twice"),
        ("observable,ion\nA\n", DataError, "line 2"),
        ("observable,ion,weight\nA,[Ag25(SR)18]-,-1\n", DataError, "weight"),
        ("observable,ion,weight\nA,[Ag25(SR)18]-,nan\n", DataError, "weight"),
        ("observable,ion\nA,[Ag25(SR)18]\n", FormulaError, "no charge"),
    ],
)
def test_read_candidates_errors(tmp_path, text, error, match):
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=match):
        read_candidates(path)


def test_read_candidates_missing_or_binary(tmp_path):
    # one message form for every input file (intercluster.validation.read_text)
    with pytest.raises(DataError, match="not found"):
        read_candidates(tmp_path / "none.txt")
    with pytest.raises(DataError, match="is a directory"):
        read_candidates(tmp_path)
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(DataError, match="binary file"):
        read_candidates(tmp_path / "bin.txt")


def test_group_candidates_from_ion_objects():
    cs = group_candidates(
        {"[AgAu24]-": [Ion(MIX[0])], "trimer": [Ion(MIX[1]), "[Ag3Au72(SR)54 + H]2-"]}
    )
    assert cs.grouping_matrix().tolist() == [[1, 0, 0], [0, 1, 1]]
    with pytest.raises(ConfigError, match="each ion may belong to one observable"):
        group_candidates({"a": [MIX[0]], "b": [MIX[0]]})
    with pytest.raises(ConfigError, match="has no ions"):
        group_candidates({"a": []})


def test_series_with_a_trimer_fitted_beside_the_observables(agau):
    """A trimer in the spectra does not leak into the monomer and dimer at its m/z when the
    trimers are fitted beside the observables (default); without them it does."""
    from conftest import realistic_observables
    from intercluster.ms import spectra_to_observables

    truth = realistic_observables(agau, [300.0], seed=3)
    labels = list(agau.observable_labels)
    obs = truth[labels].to_numpy()[0]
    cands = default_candidates(agau)
    trimer = [c.label for c in cands].index("[Ag3Au72]3-")
    shares = np.concatenate([0.8 * obs, np.zeros(76)])
    shares[trimer] = 0.2
    grid = default_mz_grid(cands, points_per_fwhm=5)
    spec = synthetic_spectrum(cands, shares, grid, seed=1, time_s=300.0)
    with_trimers = spectra_to_observables([spec], agau).observables[labels].to_numpy()[0]
    assert np.abs(with_trimers - obs).max() < 0.01
    without = spectra_to_observables([spec], agau, trimers=False).observables
    leaked = without[["[AgAu24]-", "[Ag2Au48]2-"]].to_numpy()[0].sum()
    assert leaked - obs[[labels.index("[AgAu24]-"), labels.index("[Ag2Au48]2-")]].sum() > 0.1
