"""SBML Level 3 Version 2 export (python-libsbml), readable by COPASI, Tellurium and
libRoadRunner.

The model has one compartment ``solution`` of 1 L, species in nmol/L (substance
unit nmol, ``hasOnlySubstanceUnits = false``), global parameters ``k_dim``
[L nmol^-1 s^-1], ``k_diss`` and ``k_ex`` [s^-1], and one irreversible reaction
per network reaction with the mass-action law

    solution * k_base * factor * [reactant 1] * [reactant 2]

where ``factor`` is the statistical factor times the model factor, written as a
number. The base constants can therefore be changed in the simulator (as a grid
search does); model parameters other than the base constants (e.g. site
energies) are frozen into the factors at export time.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError
from intercluster.network.rules import GENERAL_KIND_NAMES, KIND_NAMES, KIND_PARAMETER

__all__ = ["species_ids", "to_sbml", "write_sbml"]

_UNITS = {
    "k_dim": "per_nM_per_s",
    "k_diss": "per_s",
    "k_ex": "per_s",
}


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
        return list(KIND_PARAMETER), [_UNITS[k] for k in KIND_PARAMETER], np.asarray(r.kind)
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


def to_sbml(
    network, initial_conc_nM: np.ndarray | None = None, *, model_id: str | None = None
) -> str:
    """The network as an SBML Level 3 Version 2 document (a string).

    Parameters
    ----------
    network : Network
    initial_conc_nM : array, shape (n_species,), optional
        Initial concentrations [nmol/L]; zeros if omitted.
    model_id : str, optional

    Returns
    -------
    str
        The SBML XML.

    Raises
    ------
    ConfigError
        If the initial concentrations have the wrong shape or are negative.
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
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    if getattr(network, "is_single_family", True):
        default_id = (
            f"intercluster_{system.metal_a}{system.metal_b}_N{system.n_atoms}_{network.model.name}"
        )
        title = f"{system.metal_a}/{system.metal_b} exchange, N = {system.n_atoms}"
    else:
        import re

        fams = network.cluster_system.families
        default_id = (
            re.sub(r"[^A-Za-z0-9_]", "_", "intercluster_" + "_".join(f.name for f in fams))
            + f"_K{network.cluster_system.max_subunits}_{network.model.name}"
        )
        title = f"families {', '.join(f.name for f in fams)}, K = {system.max_subunits}"
    model.setId(model_id or default_id)
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

    r = network.reactions
    factor = r.statistical_factor * network.model_factor
    for j in range(len(r)):
        kind = int(r.kind[j])
        rx = model.createReaction()
        rx.setId(f"R{j}_{kind_names[kind][:3]}")
        rx.setReversible(False)
        _add_references(rx.createReactant, r.reactants[j], ids)
        _add_references(rx.createProduct, r.products[j], ids)
        terms = ["solution", base_names[int(base_of[j])], repr(float(factor[j]))]
        terms += [ids[s] for s in r.reactants[j] if s >= 0]
        law = rx.createKineticLaw()
        math = libsbml.parseL3Formula(" * ".join(terms))
        _check(math, f"the rate law of reaction {j}")
        law.setMath(math)
    return libsbml.writeSBMLToString(doc)


def write_sbml(network, path: str | os.PathLike, initial_conc_nM: np.ndarray | None = None) -> Path:
    """Write :func:`to_sbml` to ``path`` atomically (temporary file, then rename).

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    text = to_sbml(network, initial_conc_nM)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
