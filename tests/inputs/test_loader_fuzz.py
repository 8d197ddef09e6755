"""Every input loader, fed random bytes and random TOML documents, either returns a
result or raises an :class:`~intercluster.errors.InterclusterError`; never another
exception (a traceback on the command line)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intercluster.errors import InterclusterError
from intercluster.network.system import ExchangeSystem

SYSTEM = ExchangeSystem("Ag", "Au", 3)


def _sim_config(path):
    from intercluster.kinetics.config import SimulationConfig

    return SimulationConfig.from_toml(path)


def _fit_config(path):
    from intercluster.fit.config import FitConfig

    return FitConfig.from_toml(path)


def _observables(path):
    from intercluster.fit.data import load_observables_csv

    return load_observables_csv(path, SYSTEM, initial="Ag3:Au3 = 1:1")


def _equilibrium_table(path):
    from intercluster.thermo.equilibrium_fit import load_equilibrium_table

    return load_equilibrium_table(path)


def _spectrum(path):
    from intercluster.ms.spectrum import read_spectrum_table

    return read_spectrum_table(path)


def _mzml(path):
    from intercluster.ms.mzml import read_mzml

    return read_mzml(path)


def _ligands(path):
    from intercluster.chem.ligands import load_ligand_file

    return load_ligand_file(path)


def _efficiency(path):
    from intercluster.ms.synthetic import read_efficiency_table

    return read_efficiency_table(path)


def _simulation_result(path):
    """A result folder whose observables.csv is the fuzzed file."""
    from intercluster.ms.synthetic import read_simulation_result

    if not Path(path).is_file():
        return read_simulation_result(path)
    folder = Path(path).parent / "result"
    folder.mkdir(exist_ok=True)
    (folder / "observables.csv").write_bytes(Path(path).read_bytes())
    (folder / "summary.json").write_text(
        json.dumps({"system": {"metal_a": "Ag", "metal_b": "Au", "n_atoms": 3, "charge": -1}})
    )
    return read_simulation_result(folder)


LOADERS = {
    "simulation config": _sim_config,
    "fit config": _fit_config,
    "observables.csv": _observables,
    "equilibrium table": _equilibrium_table,
    "spectrum table": _spectrum,
    "mzML": _mzml,
    "ligand library": _ligands,
    "efficiency table": _efficiency,
    "simulation result": _simulation_result,
}
TOML_LOADERS = ["simulation config", "fit config", "ligand library"]


def _call(loader, data: bytes, name: str = "input"):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            loader(path)
        except InterclusterError as exc:
            text = str(exc)
            assert "\n" not in text.strip() or len(text) < 2000, "a message is one short line"


_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=20),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "system", "model", "initial", "time", "solver", "parameters", "datasets", "grid",
        "mcmc", "refine", "uncertainty", "objective", "ligand", "defaults",
        "metal_a", "metal_b", "n_atoms", "charge", "mechanism", "name", "k_dim", "k_diss",
        "k_ex", "mixture", "conc_nM", "dead_time_s", "t_end_s", "dt_s", "rtol", "atol_nM",
        "path", "lower", "upper", "points", "preset", "walkers", "formula", "abbrev",
    ]
)  # fmt: skip
_tables = st.dictionaries(_keys, st.dictionaries(_keys, _values, max_size=6), max_size=5)
_documents = st.dictionaries(_keys, st.one_of(_values, _tables), max_size=6)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_random_bytes(kind, data):
    _call(LOADERS[kind], data)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300))
def test_random_text(kind, text):
    _call(LOADERS[kind], text.encode("utf-8"))


@pytest.mark.parametrize("kind", TOML_LOADERS)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_documents)
def test_random_toml(kind, doc):
    try:
        data = tomli_w.dumps(doc).encode("utf-8")
    except (TypeError, ValueError):  # e.g. NaN keys tomli_w refuses: not a TOML document
        return
    _call(LOADERS[kind], data, "input.toml")


@pytest.mark.parametrize("kind", TOML_LOADERS)
@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    system=st.fixed_dictionaries(
        {},
        optional={
            "metal_a": st.sampled_from(["Ag", "Au", "Xx", ""]),
            "metal_b": st.sampled_from(["Au", "Cu", "Ag"]),
            "n_atoms": st.one_of(st.integers(-5, 10**12), st.floats()),
            "charge": st.one_of(st.integers(-(10**6), 10**6), st.floats()),
            "mechanism": st.sampled_from(["dimer", "direct", "x"]),
        },
    ),
    time=st.fixed_dictionaries(
        {},
        optional={
            "dead_time_s": st.one_of(st.floats(), st.integers()),
            "t_end_s": st.one_of(st.floats(), st.integers()),
            "dt_s": st.one_of(st.floats(), st.integers()),
        },
    ),
    mixture=st.text(max_size=40),
)
def test_structured_configs(kind, system, time, mixture):
    """Near-valid documents: right keys, hostile values (NaN, inf, huge, negative)."""
    doc = {"system": system, "time": time, "initial": {"mixture": mixture}}
    try:
        data = tomli_w.dumps(doc).encode("utf-8")
    except (TypeError, ValueError):
        return
    _call(LOADERS[kind], data, "input.toml")


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_directory_and_missing(kind, tmp_path):
    loader = LOADERS[kind]
    with pytest.raises(InterclusterError):
        loader(tmp_path)
    with pytest.raises(InterclusterError):
        loader(tmp_path / "missing.file")
