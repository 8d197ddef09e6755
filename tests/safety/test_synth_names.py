"""synth-spectra writes one file per spectrum, also when two rows share a time."""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import run_cli


@pytest.mark.slow
def test_two_rows_at_one_time_give_two_files(tiny, tmp_path, capsys):
    sim = tmp_path / "sim"
    assert run_cli(["simulate", tiny, "--out", sim, "--quiet", "--no-plots"], capsys)[0] == 0
    obs = pd.read_csv(sim / "observables.csv").iloc[:4]
    # a repeated measurement: rows 1 and 2 at the same time, different abundances
    dup = obs.iloc[[0, 1, 1, 2, 3]].reset_index(drop=True)
    dup.iloc[2, 1:] = obs.iloc[3, 1:].to_numpy()
    dup.to_csv(sim / "observables.csv", index=False)
    out = tmp_path / "spectra"
    code, _, err = run_cli(
        ["synth-spectra", sim, "--out", out, "--quiet", "--no-noise", "--resolution", "5000"],
        capsys,
    )
    assert code == 0, err
    files = sorted(p.name for p in out.glob("*.csv"))
    t = dup["time_s"]
    assert files == [f"{i:04d}_t_{t[i]:012.3f}s.csv" for i in range(5)]
    # the two spectra at one time are both there, and they differ as their rows do
    a = pd.read_csv(out / files[1])
    b = pd.read_csv(out / files[2])
    assert len(a) == len(b) and not a.equals(b)
    from intercluster.ms.spectrum import time_from_name

    assert [time_from_name(f) for f in files] == list(t)
