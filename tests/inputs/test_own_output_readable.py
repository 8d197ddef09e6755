"""``simulate``'s own output is readable by ``fit`` and ``synth-spectra``.

A legal 1e6:1e-6 mixture leaves cells slightly below zero (the BDF integrator
keeps concentrations non-negative only to within its absolute tolerance, and it
is not clipped). The readers count values down to minus the tolerance (relative
data: atol_nM / total concentration) as zero, and still refuse anything below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from intercluster.cli.main import main
from intercluster.errors import DataError
from intercluster.fit.config import FitConfig
from intercluster.fit.data import load_observables_csv
from intercluster.ms.synthetic import read_simulation_result
from intercluster.network.system import ExchangeSystem


def _simulate(tmp_path, n_atoms):
    out = tmp_path / f"sim{n_atoms}"
    mixture = f"Ag{n_atoms}:Au{n_atoms} = 1e6:1e-6"
    args = ["simulate", "--n-atoms", str(n_atoms), "--initial", mixture, "--t-end", "600"]
    assert main([*args, "--dt", "10", "--out", str(out), "--quiet", "--no-plots"]) == 0
    return out, mixture


def _check_readable(tmp_path, n_atoms):
    out, mixture = _simulate(tmp_path, n_atoms)
    obs = pd.read_csv(out / "observables.csv")
    cells = obs.drop(columns="time_s").to_numpy()
    # the precondition: the solver's own output has cells below zero, within tolerance
    total_nM = 1e6 + 1e-6
    assert cells.min() < 0
    assert cells.min() >= -1e-12 / total_nM

    system = ExchangeSystem("Ag", "Au", n_atoms)
    data = load_observables_csv(out / "observables.csv", system, initial=mixture)
    assert data.intensity.min() >= 0
    np.testing.assert_allclose(data.intensity.sum(axis=1), 1.0, rtol=1e-12)

    # through a fit configuration, as `intercluster fit` reads it
    cfg = FitConfig.from_dict(
        {
            "system": {"metal_a": "Ag", "metal_b": "Au", "n_atoms": n_atoms},
            "parameters": {"k_dim": {"lower": 1e-3, "upper": 1.0}, "k_diss": 5.6e-2},
            "datasets": [{"path": str(out / "observables.csv"), "mixture": mixture}],
        }
    )
    assert cfg.problem.datasets[0].intensity.min() >= 0

    result = read_simulation_result(out)  # what synth-spectra reads
    assert result.observables.drop(columns="time_s").to_numpy().min() >= 0
    return out, mixture, system


def test_small_extreme_mixture_end_to_end(tmp_path, capsys):
    out, mixture, system = _check_readable(tmp_path, 4)
    # a synthetic spectrum series from it, end to end through the command line
    spectra = tmp_path / "spectra"
    code = main(["synth-spectra", str(out), "--out", str(spectra), "--quiet", "--no-noise"])
    assert code == 0, capsys.readouterr().err
    assert len(list(spectra.glob("*.csv"))) == 61

    # beyond the tolerance a negative value is still refused, naming row and column
    obs = pd.read_csv(out / "observables.csv")
    obs.iloc[3, 2] = -1e-6
    bad = tmp_path / "bad.csv"
    obs.to_csv(bad, index=False)
    with pytest.raises(DataError, match="finite and >= 0"):
        load_observables_csv(bad, system, initial=mixture)


@pytest.mark.slow
def test_paper_system_extreme_mixture(tmp_path):
    """The 1e6:1e-6 mixture of [Ag25]- and [Au25]- (377 species)."""
    _check_readable(tmp_path, 25)
