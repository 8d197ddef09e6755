"""Cluster families: the cluster types a network is built from.

A family is one kind of atomically precise cluster whose N variable metal sites
hold two metals A and B (A counted by x = 0..N), plus fixed parts that never
exchange (a central dopant such as Pd in [PdAg24(DMBT)18]2-), a ligand shell
written as chem formula text (``"(DMBT)18"``), a charge and a composition window
x_min..x_max (the species that exist; the parent clusters must lie inside).

Examples from the source papers:

- Neumaier et al., JACS 2021, 143, 6969:
  ``Family("M25", "Ag", "Au", 25, charge=-1)`` for [Ag_xAu_(25-x)]- written without
  ligands, as in their kinetic model;
- Acharya et al., J. Phys. Chem. C 2025 (doi:10.1021/acs.jpcc.4c07077):
  ``Family("PdM24", "Ag", "Au", 24, fixed="Pd", ligands="(DMBT)18", charge=-2)``;
- Lin et al., Chem. Sci. 2022 (doi:10.1039/d1sc06296d): three frameworks
  ``(p-MBA)30`` 4-, ``(p-MBA)27`` 3-, ``(p-MBA)26`` 2- of 44 Au/Ag atoms, each with
  its own window.

Every species of a family is a full :class:`~intercluster.chem.Ion`, so formula,
m/z, isotope pattern and valence electron count come from :mod:`intercluster.chem`
and :mod:`intercluster.ms`, never from a second definition. Metals may be
isotopes (``"107Ag"``, ``"109Ag"``): isotope exchange between otherwise identical
clusters is the same machinery.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from intercluster.chem.composition import parse_composition
from intercluster.chem.elements import is_element
from intercluster.chem.formula import Ion
from intercluster.chem.isotopes import split_atom_key
from intercluster.errors import ConfigError, FormulaError, bad_value

__all__ = ["Family"]

_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


def check_keys(table: dict, allowed, where: str) -> None:
    """Raise ConfigError for keys of ``table`` not in ``allowed``, suggesting the closest."""
    import difflib

    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"{where}: unknown key {key!r}{hint} (allowed: {', '.join(sorted(allowed))})"
            )


def _int(name: str, value, low: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low):
        allowed = "an integer" + (f" >= {low}" if low is not None else "")
        raise ConfigError(bad_value(name, value, allowed))
    return value


@dataclass(frozen=True)
class Family:
    """A cluster type with N variable metal sites shared by metals A and B.

    Parameters
    ----------
    name : str
        Name used in rules, complex types and mixtures (letters, digits, ``_.+-``).
    metal_a, metal_b : str
        The two variable metals; x counts ``metal_a``. Element symbols or isotope
        keys (``"107Ag"``).
    n_atoms : int
        Number N of variable metal sites (>= 0; 0 for a cluster that exchanges nothing).
    charge : int
        Charge of the free cluster [e] (-1 for [Ag25(DMBT)18]-).
    ligands : str
        Ligand shell as chem formula text, e.g. ``"(DMBT)18"`` or ``"(BDT)12(TPP)4"``;
        empty for bare-metal labels as in the kinetic model of Neumaier et al. 2021.
    fixed : str
        Atoms that never exchange, as formula text (``"Pd"``); written first.
    x_min, x_max : int
        Composition window: the free clusters x_min..x_max exist (default 0..N).
    pool : bool
        A pool of small metal-ligand complexes (e.g. [Au(SR)2]-): never a subunit of a
        complex by default, listed as its own kind in counts.
    energy_kJ_mol : float
        Free energy of the framework [kJ/mol] (relative; used by conversion rules
        that want detailed balance between families).

    Raises
    ------
    ConfigError
        Naming the field (``family[name].ligands`` ...), the value and what is allowed:
        unknown metal or ligand, equal metals, a window outside 0..N or empty.

    Examples
    --------
    >>> fam = Family("PdM24", "Ag", "Au", 24, charge=-2, fixed="Pd", ligands="(DMBT)18")
    >>> str(fam.ion(24)), fam.ion(24).valence_electrons
    ('[PdAg24(DMBT)18]2-', 8)
    >>> Family("M25", "Ag", "Au", 25).label(12)
    '[Ag12Au13]-'
    """

    name: str
    metal_a: str = "Ag"
    metal_b: str = "Au"
    n_atoms: int = 25
    charge: int = -1
    ligands: str = ""
    fixed: str = ""
    x_min: int = 0
    x_max: int | None = None
    pool: bool = False
    energy_kJ_mol: float = 0.0
    _ligand_counts: tuple = field(default=(), init=False, repr=False, compare=False)
    _fixed_atoms: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"family[{self.name!r}]"
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise ConfigError(
                bad_value("family.name", self.name, "a name of letters, digits and _.+- ('M25')")
            )
        for attr in ("metal_a", "metal_b"):
            value = getattr(self, attr)
            ok = isinstance(value, str)
            if ok:
                try:
                    symbol = split_atom_key(value)[0]
                    ok = is_element(symbol)
                    Ion.from_parts({value: 1})
                except FormulaError:
                    ok = False
            if not ok:
                raise ConfigError(
                    bad_value(
                        f"{where}.{attr}", value, "an element symbol or isotope ('Ag', '107Ag')"
                    )
                )
        if self.metal_a == self.metal_b:
            raise ConfigError(
                bad_value(f"{where}.metal_b", self.metal_b, f"a metal other than {self.metal_a!r}")
            )
        _int(f"{where}.n_atoms", self.n_atoms, 0)
        _int(f"{where}.charge", self.charge)
        x_max = self.n_atoms if self.x_max is None else self.x_max
        object.__setattr__(self, "x_max", x_max)
        _int(f"{where}.x_min", self.x_min, 0)
        _int(f"{where}.x_max", x_max, 0)
        if not (0 <= self.x_min <= x_max <= self.n_atoms):
            raise ConfigError(
                bad_value(
                    f"{where}.window",
                    f"{self.x_min}..{x_max}",
                    f"a range x_min <= x_max inside 0..N = 0..{self.n_atoms}",
                )
            )
        if not isinstance(self.pool, bool):
            raise ConfigError(bad_value(f"{where}.pool", self.pool, "true or false"))
        energy = self.energy_kJ_mol
        if (
            isinstance(energy, bool)
            or not isinstance(energy, int | float)
            or not math.isfinite(energy)
        ):
            raise ConfigError(bad_value(f"{where}.energy_kJ_mol", energy, "a number [kJ/mol]"))
        if not isinstance(self.ligands, str):
            raise ConfigError(bad_value(f"{where}.ligands", self.ligands, "formula text"))
        ligand_counts: tuple = ()
        if self.ligands.strip():
            try:
                ligand_counts = tuple(Ion(f"[Au{self.ligands.strip()}]").ligands.items())
            except FormulaError as exc:
                raise ConfigError(
                    bad_value(
                        f"{where}.ligands",
                        self.ligands,
                        "ligand groups such as '(DMBT)18' with names from the ligand "
                        f"library ({exc})",
                    )
                ) from None
            unknown = [lig.name for lig, _ in ligand_counts if lig.charge is None]
            if unknown:
                from intercluster.chem.ligands import default_library

                raise ConfigError(
                    bad_value(
                        f"{where}.ligands",
                        self.ligands,
                        f"ligand {unknown[0]!r} is not in the ligand library (known: "
                        f"{', '.join(default_library().names)})",
                    )
                )
            if not ligand_counts:
                raise ConfigError(
                    bad_value(f"{where}.ligands", self.ligands, "ligand groups such as '(DMBT)18'")
                )
        object.__setattr__(self, "_ligand_counts", ligand_counts)
        if not isinstance(self.fixed, str):
            raise ConfigError(bad_value(f"{where}.fixed", self.fixed, "formula text ('Pd')"))
        fixed: tuple = ()
        if self.fixed.strip():
            try:
                fixed = tuple(parse_composition(self.fixed.strip(), "fixed").items())
            except FormulaError as exc:
                raise ConfigError(
                    bad_value(f"{where}.fixed", self.fixed, f"a formula such as 'Pd' ({exc})")
                ) from None
        object.__setattr__(self, "_fixed_atoms", fixed)
        if self.n_atoms == 0 and not fixed and not ligand_counts:
            raise ConfigError(
                bad_value(f"{where}.n_atoms", 0, "N >= 1, or fixed atoms or ligands for N = 0")
            )

    # ------------------------------------------------------------ compositions
    @property
    def window(self) -> range:
        """The compositions x that exist, x_min..x_max."""
        return range(self.x_min, self.x_max + 1)

    @property
    def n_compositions(self) -> int:
        return self.x_max - self.x_min + 1

    def in_window(self, x: int) -> bool:
        return self.x_min <= x <= self.x_max

    @property
    def metal_pair(self) -> tuple[str, str]:
        return (self.metal_a, self.metal_b)

    @property
    def ligand_counts(self) -> dict:
        """Ligand -> count of the shell (chem :class:`~intercluster.chem.Ligand` keys)."""
        return dict(self._ligand_counts)

    def core_atoms(self, x: int) -> dict[str, int]:
        """Metal core of the cluster with x A atoms, fixed atoms first (zero counts dropped)."""
        out: dict[str, int] = {}
        for key, n in self._fixed_atoms:
            out[key] = out.get(key, 0) + n
        for key, n in ((self.metal_a, x), (self.metal_b, self.n_atoms - x)):
            if n:
                out[key] = out.get(key, 0) + n
        return out

    def ion(self, x: int) -> Ion:
        """The free cluster with x A atoms as a chem :class:`~intercluster.chem.Ion`."""
        return self._ions[x]

    @cached_property
    def _ions(self) -> dict[int, Ion]:
        return {
            x: Ion.from_parts(self.core_atoms(x), self._ligand_counts, charge=self.charge)
            for x in range(self.n_atoms + 1)
        }

    def label(self, x: int) -> str:
        """Label of the free cluster (``[Ag12Au13]-``, ``[PdAg24(DMBT)18]2-``)."""
        return self.ion(x).format()

    def locate(self, ion: Ion) -> int | None:
        """The x (in 0..N, window ignored) whose free cluster equals ``ion``, else None."""
        for x, candidate in self._ions.items():
            if candidate == ion:
                return x
        return None

    def to_dict(self) -> dict:
        """The TOML table of this family (what :meth:`from_dict` reads)."""
        out = {
            "name": self.name,
            "metal_a": self.metal_a,
            "metal_b": self.metal_b,
            "n_atoms": self.n_atoms,
            "charge": self.charge,
            "x_min": self.x_min,
            "x_max": self.x_max,
        }
        if self.ligands:
            out["ligands"] = self.ligands
        if self.fixed:
            out["fixed"] = self.fixed
        if self.pool:
            out["pool"] = True
        if self.energy_kJ_mol:
            out["energy_kJ_mol"] = float(self.energy_kJ_mol)
        return out

    @classmethod
    def from_dict(cls, table: dict, where: str = "family") -> Family:
        """A family from its TOML table; unknown keys are ConfigErrors with a suggestion."""
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: each [[family]] must be a table")
        allowed = {
            "name",
            "metal_a",
            "metal_b",
            "n_atoms",
            "charge",
            "ligands",
            "fixed",
            "x_min",
            "x_max",
            "pool",
            "energy_kJ_mol",
        }
        check_keys(table, allowed, where)
        if "name" not in table:
            raise ConfigError(f"{where}: every family needs a 'name'")
        return cls(**table)
