"""CID breakdown curves: survival yields, sigmoid E50 with its uncertainty, reading
collision energies from mzML / file names / a CSV column, bad input, and the fixed-energy
comparison with the fragments the dimer isomers predict.

Synthetic fragment spectra are made from the project's isotope patterns with a known
survival curve S(E) = 1 / (1 + exp((E - E50) / w)); E50 must come back within its
standard error (Acharya et al., J. Phys. Chem. C 2025, doi:10.1021/acs.jpcc.4c07077,
Figures 3-5; Neumaier et al., JACS 2021, 143, 6969, Figure 2 at 30 eV).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from intercluster.cli import main as cli_main
from intercluster.errors import DataError
from intercluster.ms import (
    Spectrum,
    candidates_from_ions,
    default_mz_grid,
    synthetic_spectrum,
    write_spectrum_csv,
)
from intercluster.ms.breakdown import (
    CIDSpectrum,
    breakdown_curves,
    compare_fragment_shares,
    fit_sigmoid,
    fragment_shares,
    read_cid_spectra,
    survival_sigmoid,
)
from intercluster.ms.mzml import write_mzml

# Neumaier et al. 2021: [Ag25Au25]2- -> monomers
IONS = ["[Ag25Au25(SR)36]2-", "[Ag25(SR)18]-", "[Au25(SR)18]-"]
E50, WIDTH = 25.0, 3.0
ENERGIES = np.arange(0.0, 61.0, 5.0)
BRANCH = 0.6  # share of [Ag25]- among the fragments


@pytest.fixture(scope="module")
def ions():
    cands = candidates_from_ions(IONS)
    return cands, default_mz_grid(cands, points_per_fwhm=4)


def ramp(cands, grid, counts=2e5, subtract=0.0, seed=0, energies=ENERGIES):
    out = []
    for i, e in enumerate(energies):
        s = survival_sigmoid(e, E50, WIDTH)
        shares = [s, BRANCH * (1 - s) + 1e-12, (1 - BRANCH) * (1 - s) + 1e-12]
        sp = synthetic_spectrum(cands, shares, grid, total_counts=counts, seed=seed + i)
        out.append(CIDSpectrum(sp.mz, sp.intensity - subtract, e, f"ce {e:g}"))
    return out


def test_sigmoid_fit_recovers_exact_parameters():
    fit = fit_sigmoid(ENERGIES, survival_sigmoid(ENERGIES, E50, WIDTH))
    assert fit.e50 == pytest.approx(E50, abs=1e-6) and fit.width == pytest.approx(WIDTH, abs=1e-6)
    with pytest.raises(DataError, match="at least 3"):
        fit_sigmoid([10.0, 20.0], [1.0, 0.0])
    with pytest.raises(DataError, match="finite"):
        fit_sigmoid([10.0, 20.0, 30.0], [1.0, np.nan, 0.0])


@pytest.mark.parametrize("counts, seed", [(2e5, 0), (2e4, 100)])
def test_e50_recovered_within_its_uncertainty(ions, counts, seed):
    cands, grid = ions
    curves = breakdown_curves(ramp(cands, grid, counts, seed=seed), cands[0], cands[1:])
    fit = curves.fit
    assert abs(fit.e50 - E50) < 3 * fit.e50_stderr + 1e-9
    assert 0 < fit.e50_stderr < 0.5
    assert abs(fit.width - WIDTH) < 3 * fit.width_stderr + 1e-9
    t = curves.table
    # survival + fragment yields = 1 (conservation of the precursor's ions)
    total = t["survival"] + t["[Ag25(SR)18]-"] + t["[Au25(SR)18]-"]
    assert total.to_numpy() == pytest.approx(1.0)
    late = t[t["collision_energy"] >= 45]
    ratio = late["[Ag25(SR)18]-"] / (late["[Ag25(SR)18]-"] + late["[Au25(SR)18]-"])
    assert ratio.to_numpy() == pytest.approx(BRANCH, abs=0.01)


def test_negative_intensities_are_used_as_they_are(ions):
    """A baseline-subtracted ramp (the constant baseline 5 removed: many points < 0)."""
    cands, grid = ions
    spectra = ramp(cands, grid, subtract=5.0)
    assert min(s.intensity.min() for s in spectra) < 0
    fit = breakdown_curves(spectra, cands[0], cands[1:], baseline="none").fit
    assert abs(fit.e50 - E50) < 3 * fit.e50_stderr


def _with_energies(path, energies):
    """Give each scan of an mzML file a precursor with its collision energy (MS:1000045)."""
    text = path.read_text(encoding="utf-8")
    parts = text.split("</scanList>")
    assert len(parts) == len(energies) + 1
    out = parts[0]
    for e, rest in zip(energies, parts[1:]):
        block = (
            ""
            if e is None
            else (
                '<precursorList count="1"><precursor><activation>'
                '<cvParam cvRef="MS" accession="MS:1000133" name="collision-induced dissociation" '
                'value=""/>'
                f'<cvParam cvRef="MS" accession="MS:1000045" name="collision energy" value="{e}" '
                'unitCvRef="UO" unitAccession="UO:0000266" unitName="electronvolt"/>'
                "</activation></precursor></precursorList>"
            )
        )
        out += "</scanList>" + block + rest
    path.write_text(out, encoding="utf-8")


@pytest.fixture(scope="module")
def ramp_mzml(ions, tmp_path_factory):
    cands, grid = ions
    spectra = ramp(cands, grid)
    path = tmp_path_factory.mktemp("cid") / "ramp.mzML"
    write_mzml([Spectrum(s.mz, s.intensity, None, s.source) for s in spectra], path)
    _with_energies(path, ENERGIES)
    return path


def test_mzml_energy_per_scan(ions, ramp_mzml):
    cands, _ = ions
    spectra = read_cid_spectra(ramp_mzml)
    assert [s.collision_energy for s in spectra] == ENERGIES.tolist()
    fit = breakdown_curves(spectra, cands[0], cands[1:]).fit
    assert abs(fit.e50 - E50) < 3 * fit.e50_stderr


def test_energy_per_file_and_csv_column(ions, tmp_path):
    cands, grid = ions
    spectra = ramp(cands, grid, energies=ENERGIES[::4])
    folder = tmp_path / "files"
    folder.mkdir()
    rows = []
    for s in spectra:
        write_spectrum_csv(Spectrum(s.mz, s.intensity), folder / f"ce_{s.collision_energy:g}.csv")
        rows.append(pd.DataFrame({"collision_energy": s.collision_energy, "mz": s.mz,
                                  "intensity": s.intensity}))  # fmt: skip
    by_file = read_cid_spectra(folder)
    assert [s.collision_energy for s in by_file] == [s.collision_energy for s in spectra]
    table = tmp_path / "long.csv"
    pd.concat(rows).to_csv(table, index=False)
    by_column = read_cid_spectra(table)
    assert [s.collision_energy for s in by_column] == [s.collision_energy for s in spectra]
    assert np.array_equal(by_column[2].intensity, spectra[2].intensity)


def test_bad_inputs(ions, tmp_path):
    cands, grid = ions
    spectra = ramp(cands, grid, energies=ENERGIES[:2])
    path = tmp_path / "no_energy.mzML"
    write_mzml([Spectrum(s.mz, s.intensity) for s in spectra], path)
    _with_energies(path, [10.0, None])
    with pytest.raises(DataError, match=r"scan 1 .*no collision energy"):
        read_cid_spectra(path)
    with pytest.raises(DataError, match="not a finite number"):
        CIDSpectrum([1.0, 2.0], [1.0, np.nan], 10.0)
    bad = tmp_path / "nan.csv"
    bad.write_text("collision_energy,mz,intensity\n10,5000,1\n10,5001,nan\n")
    with pytest.raises(DataError, match="row 3"):
        read_cid_spectra(bad)
    with pytest.raises(DataError, match="does not exist"):
        read_cid_spectra(tmp_path / "missing.mzML")


def test_fixed_energy_shares_and_comparison(ions):
    cands, grid = ions
    sp = synthetic_spectrum(cands, [0.2, 0.48, 0.32], grid, total_counts=2e5, seed=9)
    obs = fragment_shares(CIDSpectrum(sp.mz, sp.intensity, 30.0), cands[0], cands[1:])
    assert obs["observed"].to_numpy() == pytest.approx([0.6, 0.4], abs=0.01)
    table = compare_fragment_shares(obs, {"[Ag25(SR)18]-": 0.5, "[Au25(SR)18]-": 0.5})
    assert table["difference"].to_numpy() == pytest.approx([0.1, -0.1], abs=0.01)


# ------------------------------------------------------------------ command line
@pytest.fixture
def run(capsys):
    def _run(*args):
        code = cli_main.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_breakdown_command(run, ramp_mzml, tmp_path):
    code, out, err = run(
        "breakdown", ramp_mzml, "--precursor", IONS[0], "--fragment", IONS[1],
        "--fragment", IONS[2], "--out", tmp_path / "c.csv", "--plot", tmp_path / "c.png",
    )  # fmt: skip
    assert code == 0, err
    assert "E50 = " in out and (tmp_path / "c.png").stat().st_size > 0
    table = pd.read_csv(tmp_path / "c.csv")
    assert table["collision_energy"].tolist() == ENERGIES.tolist()


def test_breakdown_command_bad_input_writes_nothing(run, ions, tmp_path):
    cands, grid = ions
    spectra = ramp(cands, grid, energies=ENERGIES[:3])
    path = tmp_path / "partial.mzML"
    write_mzml([Spectrum(s.mz, s.intensity) for s in spectra], path)
    _with_energies(path, [10.0, None, 30.0])
    out_csv, out_png = tmp_path / "c.csv", tmp_path / "c.png"
    args = ["--precursor", IONS[0], "--fragment", IONS[1], "--out", out_csv, "--plot", out_png]
    code, _, err = run("breakdown", path, *args)
    assert code == 2 and "no collision energy" in err and err.count("\n") == 1
    nan = tmp_path / "nan.csv"
    nan.write_text("collision_energy,mz,intensity\n10,5000,1\n10,5001,nan\n")
    code, _, err = run("breakdown", nan, *args)
    assert code == 2 and "not a finite number" in err and err.count("\n") == 1
    code, _, err = run("breakdown", nan, "--precursor", IONS[0])
    assert code == 2 and "--fragment" in err
    assert not out_csv.exists() and not out_png.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nan.csv", "partial.mzML"]


SMALL = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 4
charge = -1

[model]
name = "sim3"
k_dim = 1e-2
k_diss = 5.6e-2
k_ex = 3.2e-2

[initial]
mixture = "Ag4:Au4 = 40:40"

[time]
dead_time_s = 20
t_end_s = 600
dt_s = 10
"""


def test_fixed_energy_against_the_dimer_isomers(run, tmp_path):
    """A 30 eV CID spectrum of [Ag4Au4(SR)8]2- whose fragments follow the isomers of a
    simulation at 300 s: the command puts the observed shares beside the prediction."""
    from intercluster.kinetics.results import load_result
    from intercluster.thermo.isomers import cid_fragments

    config = tmp_path / "small.toml"
    config.write_text(SMALL)
    res = tmp_path / "res"
    code, _, err = run("simulate", config, "--out", res, "--quiet", "--no-plots")
    assert code == 0, err
    predicted = cid_fragments(load_result(res), "[Ag4Au4]2-", [300.0]).iloc[0]
    labels = list(predicted.index)
    ions = ["[Ag4Au4(SR)8]2-"] + [lab.replace("]-", "(SR)4]-") for lab in labels]
    cands = candidates_from_ions(ions)
    shares = [0.1, *(0.9 * predicted.to_numpy())]
    grid = default_mz_grid(cands, points_per_fwhm=5)
    sp = synthetic_spectrum(cands, shares, grid, total_counts=5e5, seed=3)
    path = write_spectrum_csv(sp, tmp_path / "cid_30eV.csv")
    code, out, err = run(
        "breakdown", path, "--precursor", ions[0], "--predicted", res, "--time", 300,
        "--n-ligands", 4, "--out", tmp_path / "cmp.csv", "--plot", tmp_path / "cmp.png",
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(tmp_path / "cmp.csv").set_index("fragment")
    assert table.loc[labels, "predicted"].to_numpy() == pytest.approx(predicted.to_numpy())
    assert np.abs(table["difference"]).max() < 0.02
    assert "total variation distance" in out and (tmp_path / "cmp.png").exists()
    code, _, err = run("breakdown", path, "--precursor", ions[0], "--predicted", res)
    assert code == 2 and "--time" in err
    code, _, err = run(
        "breakdown", path, "--precursor", "[Ag25(SR)18]-", "--predicted", res, "--time", 300
    )
    assert code == 2 and "not a dimer ion" in err
