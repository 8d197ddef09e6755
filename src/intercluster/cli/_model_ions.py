"""The candidate ions of a general model (families, complexes, rules) for the MS
commands: composed here because :mod:`intercluster.ms` does not import the
network layer (not a subcommand itself).

A general network's observables are sum formulas per family combination, ligand
shell and charge (:attr:`intercluster.network.ClusterSystem.observables`); each is
one candidate ion, labelled as in the ``observables.csv`` that ``intercluster
simulate`` writes, so a simulated multi-family run goes through synthetic spectra
(``synth-spectra``) and back (``spectra-to-observables --model``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from intercluster.errors import ConfigError, bad_value

__all__ = ["load_model_system", "model_candidates"]


def load_model_system(path, name: str = "model"):
    """The system of a simulation configuration or of a result folder (its config.toml).

    Parameters
    ----------
    path : str or Path
        A TOML configuration as ``intercluster simulate`` reads it (``[[family]]`` ...
        or ``[system]``), or a folder written by ``intercluster simulate``.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    ClusterSystem or ExchangeSystem

    Raises
    ------
    ConfigError
        A missing file or folder without config.toml, bad TOML, or a bad model.
    """
    from intercluster.kinetics.config import SimulationConfig, load_toml
    from intercluster.network.description import ClusterSystem
    from intercluster.network.system import ExchangeSystem

    p = Path(path)
    if p.is_dir():
        p = p / "config.toml"
        if not p.is_file():
            raise ConfigError(
                bad_value(
                    name,
                    str(path),
                    "a simulation config TOML or a folder written by "
                    "'intercluster simulate' (with config.toml)",
                )
            )
    data = load_toml(p)
    if "family" in data:
        sections = ("family", "complexes", "rules", "fragments", "constants")
        return ClusterSystem.from_dict({k: data[k] for k in sections if k in data}, str(p))
    if "system" in data:
        return SimulationConfig.from_dict(data, source=str(p)).system
    if not isinstance(data, dict) or not data:
        raise ConfigError(bad_value(name, str(path), "a TOML file with [[family]] or [system]"))
    return ExchangeSystem()


def model_candidates(system, ligand: str = "SR", n_ligands: int = 18):
    """One candidate ion per observable of a general model, as a CandidateSet.

    Parameters
    ----------
    system : ClusterSystem
        Families, complexes, rules.
    ligand, n_ligands : str, int
        Shell given to every subunit of a family written without ligands (bare
        metal labels, as in the kinetic model of Neumaier et al., JACS 2021, 143,
        6969): ``n_ligands`` x ``ligand`` per subunit, so that a trimer of M25
        carries (SR)54. Families with a ligand shell keep their own.

    Returns
    -------
    intercluster.ms.CandidateSet
        Candidates labelled by the model's observable labels (the columns of
        observables.csv), each the sum-formula ion of its observable (m/z and
        isotope pattern from chem/ms); every observable its own group.

    Raises
    ------
    ConfigError
        For n_ligands < 0 or a ligand that is not in the library.
    """
    from intercluster.chem.formula import Ion
    from intercluster.errors import FormulaError
    from intercluster.ms import group_candidates
    from intercluster.network.description import ClusterSystem

    if isinstance(n_ligands, bool) or not isinstance(n_ligands, int) or n_ligands < 0:
        raise ConfigError(bad_value("n_ligands", n_ligands, "an integer >= 0"))
    try:
        Ion(f"[Au({ligand})]")
    except FormulaError as exc:
        raise ConfigError(bad_value("ligand", ligand, f"a ligand of the library ({exc})")) from None
    bare = [not f.ligands.strip() for f in system.families]
    dressed = system
    if any(bare) and n_ligands > 0:
        families = [
            replace(f, ligands=f"({ligand}){n_ligands}") if b else f
            for f, b in zip(system.families, bare)
        ]
        dressed = ClusterSystem(
            families,
            max_subunits=system.max_subunits,
            complex_types=[[system.families[i].name for i in t] for t in system.complex_types],
            rules=system.rules,
            fragments={n: ion.format() for n, ion in system.fragments},
            constants=system.constants,
            name=system.name,
        )
    labels = system.observable_labels
    ions = dressed.observables
    if len(ions) != len(labels):  # the shell merged two observables (cannot happen) -> refuse
        raise ConfigError(
            bad_value("ligand", ligand, "a shell that keeps the observables distinct")
        )
    return group_candidates({label: [ion] for label, ion in zip(labels, ions)})
