"""Binary exchange systems: which clusters exist and how they are written.

A system is two metals A and B and clusters with a fixed number N of metal
sites. Monomers M_m carry m atoms of A and N - m atoms of B (m = 0..N); dimers
are unordered pairs of subunits {m, n} (dimer isomers) and carry twice the
monomer charge. Labels follow the papers' notation (DESIGN.md, "Notation";
Neumaier et al., JACS 2021, 143, 6969, "Kinetic Model"):

- monomer ``[Ag12Au13]-``; a count of 1 is not written (``[AgAu24]-``), a count
  of 0 drops the element (``[Ag25]-``);
- dimer isomer ``[(Ag13Au12)(Ag12Au13)]2-``, the subunit richer in A first;
- dimer sum formula ``[Ag25Au25]2-``: all isomers with the same total, which is
  what a mass spectrometer sees.

Every label parses back: ``system.parse(system.label(x)) == x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from intercluster.chem.elements import is_element
from intercluster.chem.formula import format_charge, parse_charge
from intercluster.errors import ConfigError, FormulaError, bad_value

__all__ = ["DimerSum", "ExchangeSystem", "Species", "format_charge", "parse_charge"]


@dataclass(frozen=True, order=True)
class Species:
    """A monomer (``n is None``) or a dimer isomer {m, n} with m >= n.

    Attributes
    ----------
    m : int
        Number of A atoms in the monomer, or in the A-richer subunit of a dimer.
    n : int or None
        Number of A atoms in the A-poorer subunit; ``None`` for a monomer.
    """

    m: int
    n: int | None = None

    @property
    def is_dimer(self) -> bool:
        return self.n is not None

    @property
    def n_a(self) -> int:
        """Total number of A atoms."""
        return self.m + (self.n or 0)


@dataclass(frozen=True, order=True)
class DimerSum:
    """A dimer sum formula: all dimer isomers with ``s`` A atoms in total (0..2N)."""

    s: int


_ION_RE = re.compile(r"^\[(?P<body>[^\[\]]*)\](?P<charge>\d*[+-]|0)?$")
_PART_RE = re.compile(r"([A-Z][a-z]?)(\d*)")

#: Exchange mechanisms: through transient dimers, or directly between two monomers.
MECHANISMS = ("dimer", "direct")

#: Default largest network built without ``allow_large=True`` (species count).
#: N = 144 (10,730 species) is inside it; N = 220 (25,553) is not.
MAX_SPECIES = 25_000
#: Default largest reaction count built without ``allow_large=True``; the dimer
#: mechanism reaches ~10^5 reactions at MAX_SPECIES, the direct one 9 x 10^6 at N = 3000.
MAX_REACTIONS = 1_000_000


@dataclass(frozen=True)
class ExchangeSystem:
    """Two metals exchanging atoms between clusters of N metal sites.

    Parameters
    ----------
    metal_a, metal_b : str
        Element symbols of the two metals (any two different elements). The
        monomer index m counts atoms of ``metal_a``.
    n_atoms : int
        Number N of metal sites per cluster, N >= 1 (25 for M25(SR)18).
    charge : int
        Charge of a monomer in units of e (-1 for [M25(SR)18]-); a dimer
        carries twice this charge.
    mechanism : {"dimer", "direct"}
        ``"dimer"``: exchange inside transient dimers (Neumaier et al. 2021);
        species are monomers and dimer isomers. ``"direct"``: bimolecular
        stepwise exchange M_x + M_y -> M_(x-1) + M_(y+1) without observable dimers
        (Zhong et al., Dalton Trans. 2021, for the Cu_xAg_(7-x)(H) clusters);
        species are the monomers only.

    Raises
    ------
    ConfigError
        For an unknown element, equal metals, N < 1 or an unknown mechanism.

    Notes
    -----
    Counts for the dimer mechanism (Neumaier et al. 2021, "Kinetic Model";
    377 species and 1302 reactions for N = 25; for the direct mechanism the
    N + 1 monomers, N(N - 1) exchanges and N + 1 observables):

    - monomers: N + 1; dimer isomers: (N + 1)(N + 2)/2; species: their sum;
    - dimerizations = dissociations = (N + 1)(N + 2)/2;
    - exchanges: N(N - 1) (each of the (N + 1)(N + 2)/2 - (2N + 1) links
      between isomers of equal total, in both directions);
    - observables: N + 1 monomers + 2N + 1 dimer sum formulas (77 for N = 25).

    Examples
    --------
    >>> sys = ExchangeSystem("Ag", "Au", n_atoms=25)
    >>> sys.n_species, sys.n_reactions, sys.n_observables
    (377, 1302, 77)
    >>> sys.label(Species(12)), sys.label(Species(25, 0)), sys.label(DimerSum(50))
    ('[Ag12Au13]-', '[(Ag25)(Au25)]2-', '[Ag50]2-')
    >>> sys.parse("[(Ag24Au)(AgAu24)]2-")
    Species(m=24, n=1)
    """

    metal_a: str = "Ag"
    metal_b: str = "Au"
    n_atoms: int = 25
    charge: int = -1
    mechanism: str = "dimer"

    def __post_init__(self) -> None:
        for field in ("metal_a", "metal_b"):
            value = getattr(self, field)
            if not isinstance(value, str) or not is_element(value):
                raise ConfigError(bad_value(field, value, "an element symbol such as 'Ag' or 'Au'"))
        if self.metal_a == self.metal_b:
            raise ConfigError(
                bad_value(
                    "metal_b", self.metal_b, f"a metal different from metal_a = {self.metal_a!r}"
                )
            )
        if isinstance(self.n_atoms, bool) or not isinstance(self.n_atoms, int) or self.n_atoms < 1:
            raise ConfigError(bad_value("n_atoms", self.n_atoms, "an integer >= 1"))
        if isinstance(self.charge, bool) or not isinstance(self.charge, int):
            raise ConfigError(bad_value("charge", self.charge, "an integer (e.g. -1)"))
        if self.mechanism not in MECHANISMS:
            raise ConfigError(bad_value("mechanism", self.mechanism, " or ".join(MECHANISMS)))

    @property
    def has_dimers(self) -> bool:
        return self.mechanism == "dimer"

    # ------------------------------------------------------------------ counts
    @property
    def n_monomers(self) -> int:
        return self.n_atoms + 1

    @property
    def n_dimers(self) -> int:
        return (self.n_atoms + 1) * (self.n_atoms + 2) // 2 if self.has_dimers else 0

    @property
    def n_species(self) -> int:
        return self.n_monomers + self.n_dimers

    @property
    def n_reactions(self) -> int:
        N = self.n_atoms
        return 2 * self.n_dimers + N * (N - 1) if self.has_dimers else N * (N - 1)

    @property
    def n_observables(self) -> int:
        return self.n_monomers + len(self.dimer_sums)

    # ----------------------------------------------------------------- species
    @cached_property
    def monomers(self) -> tuple[Species, ...]:
        """Monomers M_0..M_N, index = number of A atoms."""
        return tuple(Species(m) for m in range(self.n_atoms + 1))

    @cached_property
    def dimers(self) -> tuple[Species, ...]:
        """Dimer isomers ordered by total s, then along the exchange chain.

        Within one total s the isomers {m, n} are ordered by increasing n, so
        that one exchange moves to a neighbour in this order (the dimer block
        of the Jacobian is tridiagonal; see :mod:`intercluster.kinetics`).
        """
        N = self.n_atoms
        out = []
        if not self.has_dimers:
            return ()
        for s in range(2 * N + 1):
            for n in range(max(0, s - N), s // 2 + 1):
                out.append(Species(s - n, n))
        return tuple(out)

    @cached_property
    def species(self) -> tuple[Species, ...]:
        return self.monomers + self.dimers

    @cached_property
    def dimer_sums(self) -> tuple[DimerSum, ...]:
        if not self.has_dimers:
            return ()
        return tuple(DimerSum(s) for s in range(2 * self.n_atoms + 1))

    @cached_property
    def observables(self) -> tuple[Species | DimerSum, ...]:
        """What a mass spectrum resolves: monomers, then dimer sum formulas."""
        return self.monomers + self.dimer_sums

    # ------------------------------------------------------------------ labels
    def _metals(self, n_a: int, n_b: int) -> str:
        parts = []
        for symbol, count in ((self.metal_a, n_a), (self.metal_b, n_b)):
            if count == 1:
                parts.append(symbol)
            elif count > 1:
                parts.append(f"{symbol}{count}")
        return "".join(parts)

    def label(self, item: Species | DimerSum) -> str:
        """Label in the papers' notation; see the module docstring."""
        N = self.n_atoms
        if isinstance(item, DimerSum):
            return f"[{self._metals(item.s, 2 * N - item.s)}]{format_charge(2 * self.charge)}"
        if item.n is None:
            return f"[{self._metals(item.m, N - item.m)}]{format_charge(self.charge)}"
        first = self._metals(item.m, N - item.m)
        second = self._metals(item.n, N - item.n)
        return f"[({first})({second})]{format_charge(2 * self.charge)}"

    @cached_property
    def species_labels(self) -> tuple[str, ...]:
        return tuple(self.label(s) for s in self.species)

    @cached_property
    def observable_labels(self) -> tuple[str, ...]:
        return tuple(self.label(o) for o in self.observables)

    def _count(self, text: str, where: str) -> tuple[int, int]:
        """Numbers of A and B atoms in a metal formula such as ``Ag12Au13``."""
        pos = 0
        counts = {self.metal_a: 0, self.metal_b: 0}
        seen = set()
        for match in _PART_RE.finditer(text):
            if match.start() != pos:
                break
            symbol, num = match.group(1), match.group(2)
            if symbol not in counts:
                raise FormulaError(
                    f"{where}: element {symbol!r} at position {pos} is not one of this "
                    f"system's metals ({self.metal_a}, {self.metal_b})"
                )
            if symbol in seen:
                raise FormulaError(f"{where}: element {symbol!r} written twice")
            seen.add(symbol)
            counts[symbol] = int(num) if num else 1
            pos = match.end()
        if pos != len(text) or not text:
            raise FormulaError(
                f"{where}: cannot read {text[pos:]!r} at position {pos}; expected element "
                f"symbols with counts such as '{self.metal_a}12{self.metal_b}13'"
            )
        return counts[self.metal_a], counts[self.metal_b]

    def parse(self, label: str) -> Species | DimerSum:
        """Parse a monomer, dimer isomer or dimer sum formula label.

        Raises
        ------
        FormulaError
            If the label is malformed, names other metals, has the wrong number
            of metal atoms for this system or the wrong charge.
        """
        text = label.strip()
        match = _ION_RE.match(text)
        if not match:
            raise FormulaError(
                f"label {label!r}: expected '[Ag12Au13]-', '[(Ag12Au13)(Ag13Au12)]2-' or "
                f"'[Ag25Au25]2-' (square brackets, then the charge)"
            )
        # a neutral cluster is written without a charge: [Cu3Ag4]
        charge = parse_charge(match.group("charge")) if match.group("charge") else 0
        body = match.group("body")
        N = self.n_atoms
        if body.startswith("("):
            sub = re.fullmatch(r"\(([^()]*)\)\(([^()]*)\)", body)
            if not sub:
                raise FormulaError(
                    f"label {label!r}: a dimer isomer is written '[(subunit)(subunit)]', "
                    f"e.g. '[({self.metal_a}12{self.metal_b}13)({self.metal_a}13{self.metal_b}12)]'"
                )
            (a1, b1), (a2, b2) = (self._count(sub.group(i), f"label {label!r}") for i in (1, 2))
            for a, b in ((a1, b1), (a2, b2)):
                if a + b != N:
                    raise FormulaError(
                        f"label {label!r}: a subunit has {a + b} metal atoms; this system's "
                        f"clusters have N = {N}"
                    )
            self._check_charge(label, charge, 2 * self.charge)
            return Species(max(a1, a2), min(a1, a2))
        a, b = self._count(body, f"label {label!r}")
        if a + b == N:
            self._check_charge(label, charge, self.charge)
            return Species(a)
        if a + b == 2 * N:
            self._check_charge(label, charge, 2 * self.charge)
            return DimerSum(a)
        raise FormulaError(
            f"label {label!r}: {a + b} metal atoms; a monomer has N = {N} and a dimer {2 * N}"
        )

    def _check_charge(self, label: str, charge: int, expected: int) -> None:
        if charge != expected:
            raise FormulaError(
                f"label {label!r}: charge {charge:+d}, but in this system it must be "
                f"{expected:+d} ('{format_charge(expected)}')"
            )

    def index(self, item: Species | str) -> int:
        """Position of a species (object or label) in :attr:`species`.

        Raises
        ------
        FormulaError
            If the label is not a species of this system (a dimer sum formula is
            an observable, not a species).
        """
        obj = self.parse(item) if isinstance(item, str) else item
        if not isinstance(obj, Species):
            raise FormulaError(
                f"{item!r} is a dimer sum formula (an observable); name a dimer isomer such "
                f"as '[({self.metal_a}25)({self.metal_b}25)]2-' or a monomer"
            )
        N = self.n_atoms
        if not (0 <= obj.m <= N) or (obj.n is not None and not (0 <= obj.n <= obj.m)):
            raise FormulaError(f"{item!r} is not a species of a system with N = {N}")
        if obj.n is not None and not self.has_dimers:
            raise FormulaError(
                f"{item!r} is a dimer, but this system exchanges directly (mechanism = "
                "'direct') and has monomers only"
            )
        if obj.n is None:
            return obj.m
        return self.n_monomers + self._dimer_index[obj]

    @cached_property
    def _dimer_index(self) -> dict[Species, int]:
        return {d: i for i, d in enumerate(self.dimers)}

    def cluster_system(self):
        """This system as the general model it is a special case of: one family, K = 2
        with dimerization (k_dim), dissociation (k_diss) and exchange inside dimers
        (k_ex), or K = 1 with direct exchange (k_ex).

        Returns
        -------
        ClusterSystem
            Same species, labels and reactions in the same order.
        """
        cached = self.__dict__.get("_cluster_system")
        if cached is None:
            from intercluster.network.description import ClusterSystem
            from intercluster.network.families import Family
            from intercluster.network.rules import Association, ComplexExchange, DirectExchange

            family = Family("M", self.metal_a, self.metal_b, self.n_atoms, self.charge)
            if self.has_dimers:
                rules = (Association((1, 1), "k_dim", "k_diss"), ComplexExchange("k_ex"))
            else:
                rules = (DirectExchange("k_ex"),)
            cached = ClusterSystem([family], 2 if self.has_dimers else 1, rules=rules, origin=self)
            self.__dict__["_cluster_system"] = cached
        return cached

    def check_size(self, allow_large: bool = False, limit: int = MAX_SPECIES) -> None:
        """Refuse a network above ``limit`` species or :data:`MAX_REACTIONS` reactions
        unless ``allow_large`` (counted before anything is built).

        Raises
        ------
        NetworkSizeError
            With the size that would be built and how to ask for it anyway.
        """
        from intercluster.errors import NetworkSizeError

        if allow_large:
            return
        if self.n_species > limit or self.n_reactions > MAX_REACTIONS:
            what = (
                f"{limit:,} species" if self.n_species > limit else f"{MAX_REACTIONS:,} reactions"
            )
            raise NetworkSizeError(
                f"n_atoms = {self.n_atoms} gives {self.n_species:,} species and "
                f"{self.n_reactions:,} reactions, above the limit of {what}; "
                f"pass allow_large=True (CLI: --allow-large) to build it anyway"
            )
