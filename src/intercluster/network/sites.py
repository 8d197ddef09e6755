"""Site classes of a cluster, their partition functions, and the ``site`` rate model.

A cluster of N metal sites is a set of site classes (name, number of sites),
each with an exchange free energy g_i [kJ/mol]: the free energy of an A atom
on a site of class i relative to a B atom there. Examples:

- M7H of Zhong et al., Dalton Trans. 2021, 50, 4727 (the tricapped tetrahedron,
  Scheme 1 and Figure 5): ``top`` 1 + ``tri`` 3 (the inner tetrahedron, which
  holds the hydride) and ``cap`` 3;
- M25(SR)18 of Neumaier et al., JACS 2021, 143, 6969 (last part of the
  discussion): ``centre`` 1, icosahedral ``shell`` 12, ``staple`` 12.

The canonical partition function of the composition with m A atoms sums over the
placements of the m atoms over the classes,

    Z_m = sum_{m_1 + ... + m_k = m} prod_i C(n_i, m_i) exp(-m_i g_i / RT),

computed here by polynomial convolution in log space (no overflow for N = 144).
With all g_i equal, Z_m = C(N, m) exp(-m g / RT) and every equilibrium built on
it is binomial.

The rate model :class:`SiteRateModel` (registered as ``"site"`` for the M7H
classes, and as ``"site:top=1,tri=3,cap=3"`` for any classes) makes the
exchange factors obey detailed balance with these partition functions, so that
kinetics relax to exactly the site-model equilibrium
(:mod:`intercluster.thermo.sites`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import ClassVar

import numpy as np
from scipy.special import gammaln

from intercluster.errors import ConfigError, bad_value
from intercluster.network.models import RateModel
from intercluster.validation import integer, number

__all__ = [
    "GAS_CONSTANT_KJ_MOL_K",
    "M7H_CLASSES",
    "SiteClass",
    "SiteModel",
    "SiteRateModel",
    "log_binomial",
    "log_convolve",
    "log_partition_functions",
    "parse_site_spec",
    "site_rate_model",
]

#: Molar gas constant R [kJ mol^-1 K^-1] (CODATA 2018, exact).
GAS_CONSTANT_KJ_MOL_K = 8.314462618e-3

#: Site classes of the tricapped tetrahedral M7H core (Zhong et al. 2021, Scheme 1,
#: Figure 5, Table 3): the apex of the inner tetrahedron, its three basal atoms (the
#: "tri" face) and the three capping atoms.
M7H_CLASSES: tuple[tuple[str, int], ...] = (("top", 1), ("tri", 3), ("cap", 3))

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def log_binomial(n: int, k) -> np.ndarray:
    """ln C(n, k) for integer arrays k (``-inf`` outside 0..n).

    >>> float(np.exp(log_binomial(7, 3)).round(6))
    35.0
    """
    k = np.asarray(k)
    ok = (k >= 0) & (k <= n)
    kk = np.clip(k, 0, n)
    out = gammaln(n + 1) - gammaln(kk + 1) - gammaln(n - kk + 1)
    return np.where(ok, out, -np.inf)


#: Largest exchange free energy of a site class [kJ/mol] (chemical bond energies
#: are hundreds of kJ/mol; a fit may wander to ~10^3 before it settles).
MAX_SITE_ENERGY_KJ_MOL = 1e4


@dataclass(frozen=True)
class SiteClass:
    """One class of equivalent sites.

    Attributes
    ----------
    name : str
        Letters and digits, starting with a letter (``top``, ``shell``).
    n_sites : int
        Number of sites of the class, >= 1.
    g_kJ_mol : float
        Exchange free energy [kJ/mol]: A on a site of this class minus B on it.
        Only differences between classes matter for distributions.
    """

    name: str
    n_sites: int
    g_kJ_mol: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise ConfigError(
                bad_value("site class name", self.name, "letters and digits, e.g. 'top'")
            )
        integer(f"sites of {self.name!r}", self.n_sites, minimum=1)
        number(
            f"g_{self.name}_kJ_mol",
            self.g_kJ_mol,
            f"a finite energy in kJ/mol, |g| <= {MAX_SITE_ENERGY_KJ_MOL:g}",
            lambda v: abs(v) <= MAX_SITE_ENERGY_KJ_MOL,
        )


def parse_site_spec(spec) -> tuple[tuple[str, int], ...]:
    """Site classes from ``"top:1,tri:3,cap:3"`` / ``"top=1,tri=3,cap=3"``, a mapping
    ``{"top": 1, ...}`` or pairs ``[("top", 1), ...]``.

    Returns
    -------
    tuple of (name, n_sites)

    Raises
    ------
    ConfigError
        For malformed text, repeated names, or sizes that are not integers >= 1.

    >>> parse_site_spec("tet:4, cap:3")
    (('tet', 4), ('cap', 3))
    """
    if isinstance(spec, str):
        pairs = []
        for part in spec.split(","):
            match = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9]*)\s*[:=]\s*([+-]?\d+)\s*", part)
            if not match:
                raise ConfigError(
                    bad_value(
                        "sites",
                        spec,
                        "site classes written 'name:count' joined by commas, e.g. "
                        "'top:1,tri:3,cap:3'",
                    )
                )
            pairs.append((match.group(1), int(match.group(2))))
    elif isinstance(spec, Mapping):
        pairs = list(spec.items())
    else:
        pairs = [tuple(p) for p in spec]
    if not pairs:
        raise ConfigError(bad_value("sites", spec, "at least one site class"))
    names = [p[0] for p in pairs]
    if len(set(names)) != len(names):
        raise ConfigError(bad_value("sites", spec, "each class name once"))
    for name, n in pairs:
        SiteClass(name, n)  # validates
    return tuple((str(name), int(n)) for name, n in pairs)


def log_convolve(log_a: np.ndarray, log_b: np.ndarray) -> np.ndarray:
    """ln of the convolution of exp(log_a) and exp(log_b) (polynomial product in logs).

    Fast path: both sequences scaled by their maxima and convolved in linear space
    (numpy.convolve); if any coefficient of the product falls below 1e-280 there
    (underflow, or subnormal numbers that have lost digits), the product is
    recomputed exactly in log space (logaddexp over shifted copies), so the
    result is finite wherever the true product is non-zero.

    >>> np.exp(log_convolve(np.log([1.0, 1.0]), np.log([1.0, 2.0, 1.0]))).round(12)
    array([1., 3., 3., 1.])
    """
    ma, mb = log_a.max(), log_b.max()
    with np.errstate(under="ignore"):
        lin = np.convolve(np.exp(log_a - ma), np.exp(log_b - mb))
    # subnormal results (< 2.2e-308) have lost digits: keep a wide margin above them
    if np.all(lin > 1e-280) and np.all(np.isfinite(lin)):
        return np.log(lin) + (ma + mb)
    out = np.full(len(log_a) + len(log_b) - 1, -np.inf)
    for k, term in enumerate(log_b):
        seg = out[k : k + len(log_a)]
        np.logaddexp(seg, log_a + term, out=seg)
    return out


@lru_cache(maxsize=256)
def _log_z(sizes: tuple[int, ...], beta_g: tuple[float, ...]) -> np.ndarray:
    out = np.zeros(1)
    for n, bg in zip(sizes, beta_g):
        k = np.arange(n + 1)
        out = log_convolve(out, log_binomial(n, k) - k * bg)
    out.setflags(write=False)
    return out


def log_partition_functions(sizes, energies_kJ_mol, temperature_K: float = 298.15) -> np.ndarray:
    """ln Z_m, m = 0..N, of a cluster with site classes (module docstring).

    Parameters
    ----------
    sizes : sequence of int, shape (k,)
        Sites per class, N = sum(sizes).
    energies_kJ_mol : sequence of float, shape (k,)
        Exchange free energy g_i of each class [kJ/mol].
    temperature_K : float
        Temperature [K].

    Returns
    -------
    ndarray, shape (N + 1,)
        ln Z_m (finite for every m). Computed as the product of the class
        polynomials prod_i (sum_k C(n_i, k) exp(-k g_i/RT) x^k) by convolution
        (:func:`log_convolve`: scaled linear space, exact log space where that
        would underflow): O(N sum n_i) operations, no overflow.

    Raises
    ------
    ConfigError
        For a non-positive temperature or mismatched lengths.

    Examples
    --------
    >>> np.exp(log_partition_functions([1, 3, 3], [0, 0, 0])).round(6)   # C(7, m)
    array([ 1.,  7., 21., 35., 35., 21.,  7.,  1.])
    """
    sizes = tuple(int(n) for n in sizes)
    energies = tuple(float(g) for g in energies_kJ_mol)
    if len(sizes) != len(energies):
        raise ConfigError(
            f"site classes: {len(sizes)} sizes but {len(energies)} energies; give one each"
        )
    if not (isinstance(temperature_K, int | float | np.number) and temperature_K > 0):
        raise ConfigError(bad_value("temperature_K", temperature_K, "a temperature > 0 [K]"))
    rt = GAS_CONSTANT_KJ_MOL_K * float(temperature_K)
    return _log_z(sizes, tuple(g / rt for g in energies))


@dataclass(frozen=True)
class SiteModel:
    """A cluster as site classes with exchange free energies, at a temperature.

    Parameters
    ----------
    classes : tuple of SiteClass
    temperature_K : float
        [K], default 298.15.

    Raises
    ------
    ConfigError
        For no classes, repeated names or a non-positive temperature.

    Examples
    --------
    >>> m = SiteModel.from_spec("top:1,tri:3,cap:3", {"top": 12.0})
    >>> m.n_atoms, m.names, m.energies_kJ_mol
    (7, ('top', 'tri', 'cap'), (12.0, 0.0, 0.0))
    """

    classes: tuple[SiteClass, ...]
    temperature_K: float = 298.15

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", tuple(self.classes))
        if not self.classes:
            raise ConfigError(bad_value("sites", self.classes, "at least one site class"))
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ConfigError(bad_value("sites", names, "each class name once"))
        t = self.temperature_K
        if isinstance(t, bool) or not isinstance(t, int | float | np.number) or not t > 0:
            raise ConfigError(bad_value("temperature_K", t, "a temperature > 0 [K]"))
        if not math.isfinite(t):
            raise ConfigError(bad_value("temperature_K", t, "a finite temperature > 0 [K]"))

    @classmethod
    def from_spec(
        cls, spec, energies_kJ_mol: Mapping[str, float] | None = None, temperature_K=298.15
    ) -> SiteModel:
        """From a spec (see :func:`parse_site_spec`) and energies by class name
        (missing classes get 0).

        Raises
        ------
        ConfigError
            For a bad spec or an energy for a class that does not exist.
        """
        pairs = parse_site_spec(spec)
        energies = dict(energies_kJ_mol or {})
        unknown = set(energies) - {name for name, _ in pairs}
        if unknown:
            raise ConfigError(
                bad_value(
                    "energy for class " + sorted(unknown)[0],
                    energies[sorted(unknown)[0]],
                    f"classes are {', '.join(n for n, _ in pairs)}",
                )
            )
        return cls(
            tuple(SiteClass(n, k, float(energies.get(n, 0.0))) for n, k in pairs), temperature_K
        )

    @property
    def n_atoms(self) -> int:
        """N, the total number of sites."""
        return sum(c.n_sites for c in self.classes)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.classes)

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(c.n_sites for c in self.classes)

    @property
    def energies_kJ_mol(self) -> tuple[float, ...]:
        return tuple(float(c.g_kJ_mol) for c in self.classes)

    @property
    def spec(self) -> str:
        """``"top:1,tri:3,cap:3"``."""
        return ",".join(f"{c.name}:{c.n_sites}" for c in self.classes)

    @property
    def rt_kJ_mol(self) -> float:
        """RT [kJ/mol]."""
        return GAS_CONSTANT_KJ_MOL_K * float(self.temperature_K)

    def with_energies(self, energies_kJ_mol: Mapping[str, float]) -> SiteModel:
        """The same classes with some energies replaced (by class name).

        Raises
        ------
        ConfigError
            For an unknown class name.
        """
        known = set(self.names)
        for name in energies_kJ_mol:
            if name not in known:
                raise ConfigError(bad_value("site class", name, f"one of {', '.join(self.names)}"))
        return replace(
            self,
            classes=tuple(
                SiteClass(c.name, c.n_sites, float(energies_kJ_mol.get(c.name, c.g_kJ_mol)))
                for c in self.classes
            ),
        )

    def log_partition_functions(self) -> np.ndarray:
        """ln Z_m, m = 0..N (:func:`log_partition_functions`)."""
        return log_partition_functions(self.sizes, self.energies_kJ_mol, self.temperature_K)

    def check_size(self, n_atoms: int, where: str = "system") -> None:
        """Raise ConfigError unless the classes add up to ``n_atoms`` sites."""
        if self.n_atoms != n_atoms:
            parts = " + ".join(f"{c.name} {c.n_sites}" for c in self.classes)
            raise ConfigError(
                f"site classes {parts} = {self.n_atoms} sites, but the {where} has "
                f"N = {n_atoms} metal atoms; the class sizes must add up to N"
            )


# --------------------------------------------------------------------- rate model
def energy_parameter(name: str) -> str:
    """Rate-model parameter name of a class energy: ``g_<name>_kJ_mol``."""
    return f"g_{name}_kJ_mol"


class SiteRateModel(RateModel):
    """Exchange rates that obey detailed balance with the site-model partition functions.

    The exchange factor for moving one A atom from the subunit (cluster) with
    ``d`` A atoms to the one with ``a`` (and one B atom back) is

        e(d, a) = P_sim2(d, a) x exp(-(dF) / 2RT),
        dF = F_(d-1) + F_(a+1) - F_d - F_a,   F_m = -RT ln(Z_m / C(N, m)),

    with P_sim2(d, a) = (d/N)((N - a)/N) (Neumaier et al. 2021, eqs 2-3) and F_m
    the non-statistical ("excess") free energy of composition m. The forward and
    backward factors are then in the ratio Z_(d-1) Z_(a+1) / (Z_d Z_a), so the
    equilibrium monomer weights are Z_m (detailed balance), for the direct and the
    dimer mechanism alike.

    Why this choice: it is the Brønsted/Marcus-type split with coefficient 1/2
    (the transition state halfway between reactants and products), so neither
    direction is favoured by construction; it is symmetric under swapping the
    two metals (g -> -g); it is smooth in the energies (a fit can vary them,
    unlike a Metropolis min(1, .)); and it reduces exactly to sim2 when all class
    energies are equal (then F_m is linear in m and dF = 0). Dimerization and
    dissociation factors are 1, as in sim2.

    Parameters
    ----------
    sites : spec or sequence of (name, n_sites)
        Site classes (:func:`parse_site_spec`).
    name : str, optional
        Registry name; default ``"site:" + spec``.
    energies_kJ_mol : mapping, optional
        Default class energies (else 0: identical to sim2).

    Notes
    -----
    Parameters: ``k_dim``, ``k_diss``, ``k_ex`` as in sim1-sim3 (k_ex bimolecular,
    L nmol^-1 s^-1, for the direct mechanism), one ``g_<class>_kJ_mol`` per class
    and ``temperature_K`` (default 298.15).
    """

    description = "sim2 x exp(-dF/2RT) with site-class partition functions"
    defaults: ClassVar[Mapping[str, float]] = {}

    def __init__(self, sites, name: str | None = None, energies_kJ_mol=None) -> None:
        pairs = parse_site_spec(sites)
        self.site_classes = pairs
        spec = ",".join(f"{n}:{k}" for n, k in pairs)
        self.name = name or f"site:{spec}"
        self.description = (
            f"sim2 x exp(-dF/2RT), site classes {spec} (N = {sum(k for _, k in pairs)}); "
            "detailed balance with the site-model partition functions"
        )
        energies = dict(energies_kJ_mol or {})
        self.defaults = {
            **RateModel.defaults,
            **{energy_parameter(n): float(energies.get(n, 0.0)) for n, _ in pairs},
            "temperature_K": 298.15,
        }

    @property
    def n_atoms(self) -> int:
        return sum(k for _, k in self.site_classes)

    def site_model(self, params: Mapping[str, float] | None = None) -> SiteModel:
        """The :class:`SiteModel` at these parameters (defaults where missing)."""
        p = {**self.defaults, **(params or {})}
        return SiteModel(
            tuple(SiteClass(n, k, float(p[energy_parameter(n)])) for n, k in self.site_classes),
            float(p["temperature_K"]),
        )

    def resolve_parameters(self, overrides=None) -> dict[str, float]:
        """As :meth:`RateModel.resolve_parameters`, plus temperature_K > 0.

        Raises
        ------
        ConfigError
            Unknown names, non-finite values, disallowed rate constants or temperature.
        """
        params = super().resolve_parameters(overrides)
        if params["temperature_K"] <= 0:
            raise ConfigError(bad_value("temperature_K", params["temperature_K"], "> 0 [K]"))
        return params

    def excess_log_weights(self, system, params) -> np.ndarray:
        """ln(Z_m / C(N, m)) = -F_m/RT, shape (N + 1,).

        Raises
        ------
        ConfigError
            If the class sizes do not add up to the system's N.
        """
        model = self.site_model(params)
        model.check_size(system.n_atoms)
        N = system.n_atoms
        return model.log_partition_functions() - log_binomial(N, np.arange(N + 1))

    def exchange_factor(self, system, donor, acceptor, params):
        N = system.n_atoms
        d = np.asarray(donor)
        a = np.asarray(acceptor)
        h = self.excess_log_weights(system, params)
        dm1 = np.clip(d - 1, 0, N)
        ap1 = np.clip(a + 1, 0, N)
        dc = np.clip(d, 0, N)
        ac = np.clip(a, 0, N)
        half = 0.5 * (h[dm1] + h[ap1] - h[dc] - h[ac])
        return (d / N) * ((N - a) / N) * np.exp(half)


def site_rate_model(name: str) -> SiteRateModel:
    """The model for a registry name ``"site:<spec>"`` such as ``"site:top=1,tri=3,cap=3"``.

    Raises
    ------
    ConfigError
        If the name does not start with ``site:`` or the spec is malformed.
    """
    if not name.startswith("site:"):
        raise ConfigError(bad_value("model", name, "'site:' followed by classes"))
    return SiteRateModel(name[5:], name=name)
