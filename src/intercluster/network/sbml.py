"""SBML Level 3 Version 2 export (python-libsbml), readable by COPASI, Tellurium and
libRoadRunner, and a SED-ML Level 1 Version 4 time course that goes with it.

The model has one compartment ``solution`` of 1 L, species in nmol/L (substance
unit nmol, ``hasOnlySubstanceUnits = false``), global parameters ``k_dim``
[L nmol^-1 s^-1], ``k_diss`` and ``k_ex`` [s^-1; L nmol^-1 s^-1 for the direct
mechanism], and one irreversible reaction per network reaction with the
mass-action law

    solution * k_base * factor * [reactant 1] * [reactant 2]

where ``factor`` is the statistical factor times the model factor, written as a
dimensionless number (``<cn sbml:units="dimensionless">``), so that every unit in
the model is declared and libsbml's unit consistency check is silent. The base
constants can therefore be changed in the simulator (as a grid search does);
model parameters other than the base constants (e.g. site energies) are frozen
into the factors at export time.

The initial concentrations are those at mixing (t = 0). The experiment's time
axis starts at the end of the dead time (Neumaier et al., JACS 2021, 143, 6969,
"Simulation 1"); the SBML model records the dead time as a constant parameter
``dead_time`` [s] with a note, and :func:`to_sedml` writes the time course that
reproduces ``intercluster simulate``: output from the dead time to dead time +
t_end every dt, CVODE (KISAO:0000019) with the relative (KISAO:0000209) and
absolute (KISAO:0000211) tolerances, and a report of every species with the
time after the dead time as its first column.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.network.rules import GENERAL_KIND_NAMES, KIND_NAMES, KIND_PARAMETER

__all__ = ["species_ids", "to_sbml", "to_sedml", "write_sbml"]

_UNITS = {
    "k_dim": "per_nM_per_s",
    "k_diss": "per_s",
    "k_ex": "per_s",
}

SEDML_NS = "http://sed-ml.org/sed-ml/level1/version4"
SBML_L3V2_NS = "http://www.sbml.org/sbml/level3/version2/core"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: KiSAO terms: CVODE, relative tolerance, absolute tolerance
KISAO_CVODE = "KISAO:0000019"
KISAO_RTOL = "KISAO:0000209"
KISAO_ATOL = "KISAO:0000211"


def species_ids(network) -> list[str]:
    """SBML identifiers of the species: ``M_m`` for monomers, ``D_m_n`` for dimers.

    A general network (families, complexes): ``<family>_<x>`` for a free cluster,
    ``C_<family>_<x>__<family>_<x>...`` for a complex (its subunits), ``F_<name>``
    for a fragment; characters SBML ids do not allow become ``_`` and a clash gets
    the species index appended.
    """
    if getattr(network, "is_single_family", True):
        return [f"D_{s.m}_{s.n}" if s.is_dimer else f"M_{s.m}" for s in network.system.species]
    import re

    cs = network.cluster_system
    fam = [re.sub(r"[^A-Za-z0-9_]", "_", f.name) for f in cs.families]
    out: list[str] = []
    seen: set[str] = set()
    for i, sp in enumerate(cs.species):
        subs = getattr(sp, "subunits", None)
        if subs is None:
            sid = "F_" + re.sub(r"[^A-Za-z0-9_]", "_", cs.fragments[sp.index][0])
        elif len(subs) == 1:
            sid = f"{fam[subs[0][0]]}_{subs[0][1]}"
        else:
            sid = "C_" + "__".join(f"{fam[f]}_{x}" for f, x in subs)
        if not re.match(r"[A-Za-z_]", sid):
            sid = "S_" + sid
        if sid in seen:
            sid = f"{sid}_{i}"
        seen.add(sid)
        out.append(sid)
    return out


def _base_constants(network) -> tuple[list[str], list[str], np.ndarray]:
    """Names and unit ids of the global parameters, and each reaction's index into them."""
    r = network.reactions
    if getattr(network, "is_single_family", True) or r.channel is None or not network.channels:
        units = dict(_UNITS)
        if getattr(network.system, "mechanism", "dimer") == "direct":
            units["k_ex"] = "per_nM_per_s"  # direct exchange is bimolecular
        return list(KIND_PARAMETER), [units[k] for k in KIND_PARAMETER], np.asarray(r.kind)
    names = list(network.base_constant_names)
    units = ["per_s"] * len(names)
    for c in network.channels:
        if c.bimolecular:
            units[names.index(c.constant)] = "per_nM_per_s"
    chan = np.array([names.index(c.constant) for c in network.channels], dtype=np.int64)
    return names, units, chan[r.channel]


def _check(value, what):
    if value is None or (isinstance(value, int) and value != 0):
        raise ConfigError(f"SBML export failed while writing {what} (libsbml code {value})")
    return value


def _add_references(create, slots, ids) -> None:
    """One species reference per distinct species in ``slots`` (-1 = empty), with the
    number of slots it fills as its stoichiometry (M_m + M_m -> 2 M_m)."""
    for s in sorted({int(x) for x in slots if x >= 0}):
        ref = create()
        ref.setSpecies(ids[s])
        ref.setStoichiometry(int(sum(1 for x in slots if x == s)))
        ref.setConstant(True)


def _finite(name: str, value, allow_zero: bool) -> float:
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    v = float(value) if ok else float("nan")
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ConfigError(
            bad_value(name, value, "a finite number " + (">= 0" if allow_zero else "> 0"))
        )
    return v


def default_model_id(network) -> str:
    """``intercluster_<A><B>_N<N>_<model>`` (a general network:
    ``intercluster_<families>_K<K>_<model>``), the SBML model id (and SED-ML model source)."""
    if not getattr(network, "is_single_family", True):
        import re

        cs = network.cluster_system
        name = "intercluster_" + "_".join(f.name for f in cs.families)
        return re.sub(r"[^A-Za-z0-9_]", "_", name) + f"_K{cs.max_subunits}_{network.model.name}"
    s = network.system
    return f"intercluster_{s.metal_a}{s.metal_b}_N{s.n_atoms}_{network.model.name}"


def to_sbml(
    network,
    initial_conc_nM: np.ndarray | None = None,
    *,
    model_id: str | None = None,
    dead_time_s: float | None = None,
) -> str:
    """The network as an SBML Level 3 Version 2 document (a string).

    Parameters
    ----------
    network : Network
    initial_conc_nM : array, shape (n_species,), optional
        Initial concentrations at mixing (t = 0) [nmol/L]; zeros if omitted.
    model_id : str, optional
        Default :func:`default_model_id`.
    dead_time_s : float, optional
        Dead time [s] between mixing and the first spectrum: recorded as the constant
        parameter ``dead_time`` [s] with a note (the model itself starts at mixing).

    Returns
    -------
    str
        The SBML XML; every quantity has declared units (libsbml's unit
        consistency check gives no warnings).

    Raises
    ------
    ConfigError
        If the initial concentrations have the wrong shape or are negative, or the
        dead time is negative or not finite.
    """
    import libsbml

    n = network.n_species
    x0 = np.zeros(n) if initial_conc_nM is None else np.asarray(initial_conc_nM, float)
    if x0.shape != (n,) or np.any(~np.isfinite(x0)) or np.any(x0 < 0):
        raise ConfigError(
            f"initial concentrations: expected {n} finite values >= 0 [nmol/L], "
            f"got shape {x0.shape}"
        )
    system = network.system
    dead = None if dead_time_s is None else _finite("dead_time_s", dead_time_s, True)
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model.setId(model_id or default_model_id(network))
    if getattr(network, "is_single_family", True):
        title = f"{system.metal_a}/{system.metal_b} exchange, N = {system.n_atoms}"
    else:
        fams = network.cluster_system.families
        title = f"families {', '.join(f.name for f in fams)}, K = {system.max_subunits}"
    model.setName(f"{title}, model {network.model.name} (intercluster)")

    def unit_def(uid, parts):
        ud = model.createUnitDefinition()
        ud.setId(uid)
        for kind, exponent, scale in parts:
            u = ud.createUnit()
            u.setKind(kind)
            u.setExponent(exponent)
            u.setScale(scale)
            u.setMultiplier(1.0)

    unit_def("nmol", [(libsbml.UNIT_KIND_MOLE, 1, -9)])
    unit_def("per_s", [(libsbml.UNIT_KIND_SECOND, -1, 0)])
    unit_def(
        "per_nM_per_s",
        [
            (libsbml.UNIT_KIND_LITRE, 1, 0),
            (libsbml.UNIT_KIND_MOLE, -1, -9),
            (libsbml.UNIT_KIND_SECOND, -1, 0),
        ],
    )
    model.setSubstanceUnits("nmol")
    model.setTimeUnits("second")
    model.setVolumeUnits("litre")
    model.setExtentUnits("nmol")

    comp = model.createCompartment()
    comp.setId("solution")
    comp.setSize(1.0)
    comp.setSpatialDimensions(3)
    comp.setUnits("litre")
    comp.setConstant(True)

    ids = species_ids(network)
    for sid, label, c0 in zip(ids, network.species_labels, x0):
        sp = model.createSpecies()
        sp.setId(sid)
        sp.setName(label)
        sp.setCompartment("solution")
        sp.setInitialConcentration(float(c0))
        sp.setSubstanceUnits("nmol")
        sp.setHasOnlySubstanceUnits(False)
        sp.setBoundaryCondition(False)
        sp.setConstant(False)

    base_names, base_units, base_of = _base_constants(network)
    single = getattr(network, "is_single_family", True)
    kind_names = KIND_NAMES if single else GENERAL_KIND_NAMES
    for name, unit in zip(base_names, base_units):
        p = model.createParameter()
        p.setId(name)
        p.setValue(float(network.parameters[name]))
        p.setUnits(unit)
        p.setConstant(True)
    if dead is not None:
        p = model.createParameter()
        p.setId("dead_time")
        p.setName("dead time (mixing to first spectrum)")
        p.setValue(dead)
        p.setUnits("second")
        p.setConstant(True)
        _check(
            p.setNotes(
                '<body xmlns="http://www.w3.org/1999/xhtml"><p>The initial concentrations '
                f"are those at mixing (t = 0). The measurement time axis starts {dead:g} s "
                "later (the dead time): the first spectrum corresponds to model time "
                f"t = {dead:g} s (Neumaier et al., JACS 2021, 143, 6969). The SED-ML time "
                "course written with this model outputs from t = dead_time.</p></body>"
            ),
            "the dead-time note",
        )

    r = network.reactions
    factor = r.statistical_factor * network.model_factor
    for j in range(len(r)):
        kind = int(r.kind[j])
        rx = model.createReaction()
        rx.setId(f"R{j}_{kind_names[kind][:3]}")
        rx.setReversible(False)
        _add_references(rx.createReactant, r.reactants[j], ids)
        _add_references(rx.createProduct, r.products[j], ids)
        terms = ["solution", base_names[int(base_of[j])], f"{float(factor[j])!r} dimensionless"]
        terms += [ids[s] for s in r.reactants[j] if s >= 0]
        law = rx.createKineticLaw()
        math = libsbml.parseL3Formula(" * ".join(terms))
        _check(math, f"the rate law of reaction {j}")
        law.setMath(math)
    return libsbml.writeSBMLToString(doc)


def to_sedml(
    network,
    sbml_source: str,
    *,
    t_end_s: float,
    dt_s: float,
    dead_time_s: float = 0.0,
    rtol: float = 1e-8,
    atol_nM: float = 1e-12,
) -> str:
    """A SED-ML Level 1 Version 4 time course for the SBML model of ``network``.

    The simulation starts at mixing (t = 0) and outputs ``t_end_s / dt_s`` steps from
    ``dead_time_s`` to ``dead_time_s + t_end_s``, i.e. the output grid of
    :func:`intercluster.kinetics.simulate` on the measurement axis; the report's
    first column is the time after the dead time [s], then every species [nmol/L].

    Parameters
    ----------
    network : Network
        The network exported by :func:`to_sbml` (for the species ids and names).
    sbml_source : str
        Where the SBML file is, relative to the SED-ML file (e.g. ``"model.xml"``).
    t_end_s, dt_s : float
        End of the output axis and output step [s]; ``t_end_s`` must be a whole
        number of steps (SED-ML's uniform time course).
    dead_time_s : float
        Dead time [s] (>= 0).
    rtol, atol_nM : float
        Relative and absolute [nmol/L] tolerances of the integrator (CVODE).

    Returns
    -------
    str
        The SED-ML XML.

    Raises
    ------
    ConfigError
        A non-finite or non-positive time or tolerance, or ``t_end_s`` not a
        whole multiple of ``dt_s``.
    """
    from lxml import etree

    t_end = _finite("t_end_s", t_end_s, False)
    dt = _finite("dt_s", dt_s, False)
    dead = _finite("dead_time_s", dead_time_s, True)
    rtol = _finite("rtol", rtol, False)
    atol = _finite("atol_nM", atol_nM, False)
    n_steps = round(t_end / dt)
    if n_steps < 1 or abs(n_steps * dt - t_end) > 1e-9 * t_end:
        raise ConfigError(
            bad_value(
                "dt_s",
                dt,
                f"a step that divides t_end_s = {t_end:g} s into whole steps (a SED-ML "
                "uniform time course)",
            )
        )

    def el(parent, tag, **attrs):
        return etree.SubElement(
            parent, f"{{{SEDML_NS}}}{tag}", {k: str(v) for k, v in attrs.items()}
        )

    def math(parent, content) -> None:
        m = etree.SubElement(parent, f"{{{MATHML_NS}}}math", nsmap={None: MATHML_NS})
        m.append(content)

    def mml(tag, *children, text=None):
        e = etree.Element(f"{{{MATHML_NS}}}{tag}", nsmap={None: MATHML_NS})
        if text is not None:
            e.text = text
        e.extend(children)
        return e

    # the sbml prefix is used by the XPath targets of the variables
    root = etree.Element(
        f"{{{SEDML_NS}}}sedML",
        {"level": "1", "version": "4"},
        nsmap={None: SEDML_NS, "sbml": SBML_L3V2_NS},
    )
    xhtml = "http://www.w3.org/1999/xhtml"
    notes = etree.SubElement(el(root, "notes"), f"{{{xhtml}}}p", nsmap={None: xhtml})
    notes.text = (
        f"Time course of intercluster simulate: mixing at t = 0, output from the dead time "
        f"({dead:g} s) to {dead + t_end:g} s every {dt:g} s; concentrations in nmol/L."
    )
    el(
        el(root, "listOfModels"),
        "model",
        id="model",
        language="urn:sedml:language:sbml.level-3.version-2",
        source=sbml_source,
    )
    course = el(
        el(root, "listOfSimulations"),
        "uniformTimeCourse",
        id="time_course",
        initialTime="0",
        outputStartTime=repr(dead),
        outputEndTime=repr(dead + t_end),
        numberOfSteps=n_steps,
    )
    alg = el(course, "algorithm", kisaoID=KISAO_CVODE)
    params = el(alg, "listOfAlgorithmParameters")
    el(params, "algorithmParameter", kisaoID=KISAO_RTOL, value=repr(rtol))
    el(params, "algorithmParameter", kisaoID=KISAO_ATOL, value=repr(atol))
    el(
        el(root, "listOfTasks"),
        "task",
        id="task",
        modelReference="model",
        simulationReference="time_course",
    )
    generators = el(root, "listOfDataGenerators")
    g = el(generators, "dataGenerator", id="dg_time_s", name="time after the dead time [s]")
    el(
        el(g, "listOfVariables"),
        "variable",
        id="t",
        symbol="urn:sedml:symbol:time",
        taskReference="task",
    )
    el(el(g, "listOfParameters"), "parameter", id="dead_time", value=repr(dead))
    math(g, mml("apply", mml("minus"), mml("ci", text="t"), mml("ci", text="dead_time")))
    report = el(
        el(root, "listOfOutputs"),
        "report",
        id="concentrations",
        name="species concentrations [nmol/L]",
    )
    datasets = el(report, "listOfDataSets")
    el(datasets, "dataSet", id="ds_time_s", label="time_s", dataReference="dg_time_s")
    for sid, label in zip(species_ids(network), network.species_labels):
        g = el(generators, "dataGenerator", id=f"dg_{sid}", name=label)
        el(
            el(g, "listOfVariables"),
            "variable",
            id=f"v_{sid}",
            target=f"/sbml:sbml/sbml:model/sbml:listOfSpecies/sbml:species[@id='{sid}']",
            taskReference="task",
        )
        math(g, mml("ci", text=f"v_{sid}"))
        el(datasets, "dataSet", id=f"ds_{sid}", label=label, dataReference=f"dg_{sid}")
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


def write_sbml(
    network,
    path: str | os.PathLike,
    initial_conc_nM: np.ndarray | None = None,
    *,
    dead_time_s: float | None = None,
) -> Path:
    """Write :func:`to_sbml` to ``path`` atomically (temporary file, then rename).

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    text = to_sbml(network, initial_conc_nM, dead_time_s=dead_time_s)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
