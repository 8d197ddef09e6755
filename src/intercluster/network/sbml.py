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
from intercluster.network.rules import KIND_NAMES, KIND_PARAMETER

__all__ = ["species_ids", "to_sbml", "write_sbml"]

_UNITS = {
    "k_dim": "per_nM_per_s",
    "k_diss": "per_s",
    "k_ex": "per_s",
}


def species_ids(network) -> list[str]:
    """SBML identifiers of the species: ``M_m`` for monomers, ``D_m_n`` for dimers."""
    return [f"D_{s.m}_{s.n}" if s.is_dimer else f"M_{s.m}" for s in network.system.species]


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
    model.setId(
        model_id
        or f"intercluster_{system.metal_a}{system.metal_b}_N{system.n_atoms}_{network.model.name}"
    )
    model.setName(
        f"{system.metal_a}/{system.metal_b} exchange, N = {system.n_atoms}, "
        f"model {network.model.name} (intercluster)"
    )

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

    for name in KIND_PARAMETER:
        p = model.createParameter()
        p.setId(name)
        p.setValue(float(network.parameters[name]))
        p.setUnits(_UNITS[name])
        p.setConstant(True)

    r = network.reactions
    factor = r.statistical_factor * network.model_factor
    for j in range(len(r)):
        kind = int(r.kind[j])
        rx = model.createReaction()
        rx.setId(f"R{j}_{KIND_NAMES[kind][:3]}")
        rx.setReversible(False)
        _add_references(rx.createReactant, r.reactants[j], ids)
        _add_references(rx.createProduct, r.products[j], ids)
        terms = ["solution", KIND_PARAMETER[kind], repr(float(factor[j]))]
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
