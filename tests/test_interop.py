"""Files other tools read: indexed, compressed mzML (pyteomics, OpenMS), SBML with
declared units and a SED-ML time course (libsbml, libSedML, libRoadRunner), shell
completion, and the package's version and licence."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

from intercluster import ExchangeSystem, build_network, simulate
from intercluster.cli.main import main
from intercluster.errors import ConfigError
from intercluster.kinetics import initial_concentrations
from intercluster.ms.mzml import read_mzml, write_mzml
from intercluster.ms.spectrum import Spectrum
from intercluster.network.sbml import (
    KISAO_ATOL,
    KISAO_RTOL,
    SEDML_NS,
    species_ids,
    to_sbml,
    to_sedml,
)

ROOT = Path(__file__).resolve().parents[1]


# --- mzML ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spectra():
    rng = np.random.default_rng(3)
    mz = np.linspace(5000.0, 7000.0, 4001)
    out = []
    for i, t in enumerate((0.0, 12.5, 300.0)):
        counts = rng.poisson(20 + 5 * i, mz.size).astype(float) + rng.normal(0, 2, mz.size)
        out.append(Spectrum(mz, counts, t, f"synthetic t = {t:g} s"))
    return out


def test_mzml_is_indexed_compressed_and_reads_back_without_warnings(spectra, tmp_path):
    from pyteomics import mzml

    path = write_mzml(spectra, tmp_path / "s.mzML")
    text = path.read_bytes()
    assert text.lstrip().startswith(b"<?xml") and b"<indexedmzML" in text[:400]
    assert text.count(b'name="zlib compression"') == 2 * len(spectra)
    assert b'name="no compression"' not in text
    # the checksum covers the file up to and including <fileChecksum>
    m = re.search(rb"<fileChecksum>([0-9a-f]{40})</fileChecksum>", text)
    assert m is not None
    head = text[: text.index(b"<fileChecksum>") + len(b"<fileChecksum>")]
    assert hashlib.sha1(head).hexdigest() == m.group(1).decode()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Could not extract the embedded offset index"
        # (not about our file: psims, which pyteomics uses for the ontology, leaves the
        # ontology file open)
        warnings.simplefilter("ignore", ResourceWarning)
        with mzml.MzML(str(path), use_index=True) as reader:
            assert len(reader) == len(spectra)
            scan = reader.get_by_id("scan=2")  # random access through the embedded index
            np.testing.assert_array_equal(scan["intensity array"], spectra[1].intensity)
            assert "negative scan" in scan and scan["ms level"] == 1
            assert "profile spectrum" in scan
        back = read_mzml(path)
    for b, s in zip(back, spectra):
        assert b.time_s == s.time_s  # seconds, as written
        np.testing.assert_array_equal(b.mz, s.mz)  # 64-bit, lossless
        np.testing.assert_array_equal(b.intensity, s.intensity)
    # compression pays: smaller than the raw base64 of the arrays
    raw_b64 = sum(2 * len(s) * 8 * 4 / 3 for s in spectra)
    assert len(text) < raw_b64


def test_mzml_writer_refuses_and_leaves_nothing(spectra, tmp_path):
    from intercluster.errors import DataError

    with pytest.raises(DataError, match="spectra"):
        write_mzml([], tmp_path / "a.mzML")
    with pytest.raises(DataError, match="polarity"):
        write_mzml(spectra, tmp_path / "a.mzML", polarity="neutral")
    p = write_mzml(spectra[:1], tmp_path / "a.mzML")
    before = p.read_bytes()
    with pytest.raises(ConfigError):
        write_mzml(spectra, p)
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.mzML"]


def test_mzml_reads_in_openms(spectra, tmp_path):
    oms = pytest.importorskip("pyopenms", reason="pyopenms is not installed")
    path = write_mzml(spectra, tmp_path / "s.mzML", polarity="positive")
    valid, errors, warns = oms.MzMLFile().isSemanticallyValid(str(path))
    assert valid and not errors, (errors, warns)
    exp = oms.MSExperiment()
    oms.MzMLFile().load(str(path), exp)
    assert exp.getNrSpectra() == len(spectra)
    assert [s.getRT() for s in exp] == [s.time_s for s in spectra]
    mz, y = exp[2].get_peaks()
    np.testing.assert_allclose(mz, spectra[2].mz)
    np.testing.assert_allclose(y, spectra[2].intensity, rtol=1e-6)  # OpenMS keeps float32


# --- SBML and SED-ML ------------------------------------------------------------------


def _unit_warnings(sbml: str) -> int:
    import libsbml

    doc = libsbml.readSBMLFromString(sbml)
    doc.checkConsistency()
    return sum(
        1
        for i in range(doc.getNumErrors())
        if doc.getError(i).getCategory() == libsbml.LIBSBML_CAT_UNITS_CONSISTENCY
    ) + doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR)


@pytest.mark.parametrize(("mechanism", "model"), [("dimer", "sim3"), ("direct", "sim1")])
def test_sbml_units_are_consistent(mechanism, model):
    import libsbml

    net = build_network(ExchangeSystem("Ag", "Au", 5, mechanism=mechanism), model)
    sbml = to_sbml(net, initial_concentrations(net.system, "Ag5:Au5 = 4:4"), dead_time_s=20)
    assert _unit_warnings(sbml) == 0
    doc = libsbml.readSBMLFromString(sbml)
    dead = doc.getModel().getParameter("dead_time")
    assert dead.getValue() == 20 and dead.getUnits() == "second" and dead.isSetNotes()
    k_ex = doc.getModel().getParameter("k_ex").getUnits()
    assert k_ex == ("per_nM_per_s" if mechanism == "direct" else "per_s")
    with pytest.raises(ConfigError, match="dead_time_s"):
        to_sbml(net, dead_time_s=-1)


def _sedml_course(path: Path) -> dict:
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    ns = {"s": SEDML_NS}
    assert root.tag == f"{{{SEDML_NS}}}sedML" and root.get("level") == "1"
    course = root.find(".//s:uniformTimeCourse", ns)
    params = {
        p.get("kisaoID"): float(p.get("value")) for p in root.findall(".//s:algorithmParameter", ns)
    }
    return {
        "source": root.find(".//s:model", ns).get("source"),
        "start": float(course.get("outputStartTime")),
        "end": float(course.get("outputEndTime")),
        "steps": int(course.get("numberOfSteps")),
        "rtol": params[KISAO_RTOL],
        "atol": params[KISAO_ATOL],
        "report": [d.get("label") for d in root.findall(".//s:dataSet", ns)],
    }


CONFIG = """
[system]
metal_a = "Ag"
metal_b = "Au"
n_atoms = 5
charge = -1

[model]
name = "sim3"

[initial]
mixture = "Ag5:Au5 = 40:40"
"""


def test_export_sbml_applies_the_timing_options(tmp_path, capsys):
    """--dead-time/--t-end/--dt/--rtol/--atol land in the SED-ML time course and a
    simulator that follows it reproduces intercluster simulate."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(CONFIG)
    out = tmp_path / "m.xml"
    args = ["export-sbml", str(cfg), "--out", str(out)]
    timing = ["--dead-time", "20", "--t-end", "300", "--dt", "10"]
    assert main([*args, *timing, "--rtol", "1e-10", "--atol", "1e-14"]) == 0
    printed = capsys.readouterr().out
    assert "SED-ML" in printed and str(tmp_path / "m.sedml") in printed
    course = _sedml_course(tmp_path / "m.sedml")
    assert course == {
        "source": "m.xml",
        "start": 20.0,
        "end": 320.0,
        "steps": 30,
        "rtol": 1e-10,
        "atol": 1e-14,
        "report": course["report"],
    }
    net = build_network(ExchangeSystem("Ag", "Au", 5), "sim3")
    assert course["report"] == ["time_s", *net.species_labels]
    # other options give another file: nothing is silently ignored
    assert main([*args, "--overwrite", "--dead-time", "5", "--t-end", "60", "--dt", "2"]) == 0
    again = _sedml_course(tmp_path / "m.sedml")
    assert (again["start"], again["end"], again["steps"]) == (5.0, 65.0, 30)
    # refused before anything is written: a step that does not divide t_end
    capsys.readouterr()
    bad = tmp_path / "bad.xml"
    assert main(["export-sbml", str(cfg), "--out", str(bad), "--t-end", "100", "--dt", "7"]) == 2
    err = capsys.readouterr().err
    assert "dt_s = 7.0" in err and err.count("\n") == 1
    assert not bad.exists() and not bad.with_suffix(".sedml").exists()
    # an existing folder is not replaced, not even with --overwrite, and nothing is written
    folder = tmp_path / "adir"
    folder.mkdir()
    assert main(["export-sbml", str(cfg), "--out", str(folder), "--overwrite"]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert folder.is_dir() and not (tmp_path / "adir.sedml").exists()


def test_sedml_reads_in_libsedml(tmp_path):
    libsedml = pytest.importorskip("libsedml", reason="python-libsedml is not installed")
    net = build_network(ExchangeSystem("Ag", "Au", 3), "sim2")
    path = tmp_path / "m.sedml"
    path.write_text(to_sedml(net, "m.xml", t_end_s=60, dt_s=2, dead_time_s=20, rtol=1e-9))
    doc = libsedml.readSedMLFromFile(str(path))
    assert doc.getNumErrors() == 0 and (doc.getLevel(), doc.getVersion()) == (1, 4)
    course = doc.getSimulation(0)
    assert (course.getOutputStartTime(), course.getOutputEndTime()) == (20.0, 80.0)
    assert course.getNumberOfSteps() == 30
    params = course.getAlgorithm().getListOfAlgorithmParameters()
    assert {p.getKisaoID(): float(p.getValue()) for p in params}[KISAO_RTOL] == 1e-9
    assert doc.getNumDataGenerators() == 1 + net.n_species


def test_sedml_time_course_reproduces_simulate(tmp_path):
    roadrunner = pytest.importorskip("roadrunner")
    net = build_network(ExchangeSystem("Ag", "Au", 5), "sim3")
    x0 = initial_concentrations(net.system, "Ag5:Au5 = 40:40")
    (tmp_path / "m.xml").write_text(to_sbml(net, x0, dead_time_s=20))
    (tmp_path / "m.sedml").write_text(
        to_sedml(net, "m.xml", t_end_s=300, dt_s=10, dead_time_s=20, rtol=1e-10, atol_nM=1e-14)
    )
    c = _sedml_course(tmp_path / "m.sedml")
    rr = roadrunner.RoadRunner(str(tmp_path / c["source"]))
    rr.getIntegrator().setValue("relative_tolerance", c["rtol"])
    rr.getIntegrator().setValue("absolute_tolerance", c["atol"])
    dt = (c["end"] - c["start"]) / c["steps"]
    result = rr.simulate(0, c["end"], round(c["end"] / dt) + 1)
    cols = list(result.colnames)
    data = np.array(result)
    keep = data[:, 0] >= c["start"] - 1e-9
    rr_y = data[keep][:, [cols.index(f"[{i}]") for i in species_ids(net)]]
    ds = simulate(net, x0, dead_time_s=20, t_end_s=300, dt_s=10, rtol=1e-10, atol_nM=1e-14)
    np.testing.assert_allclose(data[keep, 0] - c["start"], ds.time.values, atol=1e-9)
    np.testing.assert_allclose(ds.concentration.values, rr_y, rtol=1e-6, atol=1e-8)


# --- shell completion -----------------------------------------------------------------


def test_bash_completion_completes_commands_and_options(tmp_path, capsys):
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "complete" in script and "export-sbml" in script
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    (tmp_path / "c.sh").write_text(script)
    probe = (
        f"source {tmp_path / 'c.sh'}\n"
        "COMP_WORDS=(intercluster sim); COMP_CWORD=1; COMP_LINE='intercluster sim'\n"
        "COMP_POINT=${#COMP_LINE}; _shtab_intercluster intercluster sim intercluster\n"
        'echo "cmds: ${COMPREPLY[*]}"\n'
        "COMP_WORDS=(intercluster simulate --species); COMP_CWORD=2\n"
        "COMP_LINE='intercluster simulate --species'; COMP_POINT=${#COMP_LINE}\n"
        "_shtab_intercluster intercluster --species simulate\n"
        'echo "opts: ${COMPREPLY[*]}"\n'
        "COMP_WORDS=(intercluster simulate examples/sim3_4); COMP_CWORD=2\n"
        "COMP_LINE='intercluster simulate examples/sim3_4'; COMP_POINT=${#COMP_LINE}\n"
        "_shtab_intercluster intercluster examples/sim3_4 simulate\n"
        'echo "files: ${COMPREPLY[*]}"\n'
    )
    proc = subprocess.run([bash, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "cmds: simulate" in proc.stdout, proc.stdout + proc.stderr
    assert "--species-csv" in proc.stdout and "--species-every" in proc.stdout
    assert "files: examples/sim3_40-40.toml" in proc.stdout  # CONFIG completes to files


def test_zsh_completion_script(tmp_path, capsys):
    assert main(["completion", "zsh"]) == 0
    script = capsys.readouterr().out
    assert script.startswith("#compdef intercluster") and "fit-equilibrium" in script
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed (the script's syntax is not checked)")
    (tmp_path / "_intercluster").write_text(script)
    proc = subprocess.run([zsh, "-n", str(tmp_path / "_intercluster")], capture_output=True)
    assert proc.returncode == 0, proc.stderr


def test_completion_refuses_other_shells(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["completion", "fish"])
    assert exc.value.code == 2


# --- version and licence --------------------------------------------------------------


def test_version_has_one_source_and_licence_is_mit(capsys):
    import tomllib

    import intercluster

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    module, name = attr.rsplit(".", 1)
    assert getattr(__import__(module), name) == intercluster.__version__
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"intercluster {intercluster.__version__}"
    licence = (ROOT / "LICENSE").read_text()
    assert project["project"]["license"] == "MIT" and licence.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in licence


def test_library_reports_through_logging_not_print():
    """No print() in the library outside the command line."""
    offenders = []
    for path in (ROOT / "src" / "intercluster").rglob("*.py"):
        if "cli" in path.relative_to(ROOT / "src" / "intercluster").parts:
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"(?<![\w.])print\(", code) and not line.lstrip().startswith(">>>"):
                offenders.append(f"{path.name}:{i}")
    assert offenders == []
