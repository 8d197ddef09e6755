"""Composition-dependent free energies of several families: the ``frameworks`` rate model.

In a model with several families (frameworks) the free energy of a cluster depends
on its family f and on its composition x (A atoms on N sites):

    G_f(x) = E_f + F_f(x) - RT ln C(N, x),
    F_f(x) = -RT ln(Z_f(x) / C(N, x)),

with E_f the framework energy (``Family.energy_kJ_mol``) and Z_f(x) the site
partition function of the family's site classes (:mod:`intercluster.network.sites`):
each class i has n_i sites, an exchange free energy g_i [kJ/mol] of an A atom on
a site of the class (relative to a B atom) and an optional closure energy h_i
[kJ/mol] added when every site of the class holds A (a closed shell such as the
Au12 icosahedron of [Au12Ag32(SR)30]4-),

    Z_f(x) = sum_{m_1 + ... = x} prod_i C(n_i, m_i) exp(-(m_i g_i + h_i [m_i = n_i]) / RT).

:class:`FrameworkRateModel` makes every reaction obey detailed balance with these
free energies, so that the long-time state of a simulation is their equilibrium
under the conservation of metal atoms, ligands and charge:

- exchange (direct, with a pool, or inside complexes), one A atom from the donor
  with d to the acceptor with a: sim2's statistical part (Neumaier et al., JACS
  2021, 143, 6969, eqs 2-3, with each subunit's own N) times
  exp(-dF / 2RT), dF = F_1(d - 1) + F_2(a + 1) - F_1(d) - F_2(a);
- conversion between families at fixed x (and its reverse): the family energies'
  exp(-dE / 2RT) of the network generator times exp(-dF / 2RT) with
  dF = F_target(x) - F_source(x) (:meth:`FrameworkRateModel.composition_energy_kJ_mol`
  is the hook :func:`intercluster.network.build_network` calls for conversions).

Families without site classes have F = 0 (sim2).

Partial decomposition of a cluster into N small complexes such as [Au(SR)2]- (Lin et
al., Chem. Sci. 2022) fits the same scheme: a reaction has at most two reactants and
two products, so the N complexes of one decomposed cluster are one lumped species of a
pool family with N sites (formula: the sum of the complexes, e.g. [Au_xAg_(N-x)(SR)_2N]N-),
reached by a conversion from the cluster's family with a fragment carrying the
thiolate (and disulfide) taken up. Given the per-atom energy of the free complexes
(one class ``m=1`` of the N = 1 pool) and one class of N sites with the same g, the
lumped species is at equilibrium a random assembly of free complexes, binomial in the
pool's A fraction (tests/network/test_lumped_complexes.py). Fragments have standard
potential 0 (1 nmol/L); when conversions close a cycle whose net reaction turns
fragments into each other, their concentrations must satisfy that reaction's
equilibrium, or the cycle converts them.

The model is named by its classes, e.g.
``"frameworks:SR30(core=12,shell=32);SR27(au=20,mix=24);pool(m=1)"``; parameters
``g_<family>_<class>_kJ_mol``, ``h_<family>_<class>_kJ_mol`` and ``temperature_K``
besides k_dim, k_diss and k_ex. The worked example of Lin et al., Chem. Sci. 2022,
13, 4598 (doi:10.1039/d1sc06296d) is built on it (docs/example-au44-ag44.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from intercluster.errors import ConfigError, bad_value
from intercluster.network.models import RateModel
from intercluster.network.sites import (
    GAS_CONSTANT_KJ_MOL_K,
    log_binomial,
    log_convolve,
    parse_site_spec,
)

__all__ = ["FrameworkRateModel", "framework_log_partition_functions", "frameworks_rate_model"]

PREFIX = "frameworks:"
_FAMILY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$")


def framework_log_partition_functions(
    sizes, energies_kJ_mol, closure_kJ_mol=None, temperature_K: float = 298.15
) -> np.ndarray:
    """ln Z(x), x = 0..N, of site classes with exchange and closure energies.

    Parameters
    ----------
    sizes : sequence of int, shape (k,)
        Sites per class; N = sum(sizes).
    energies_kJ_mol : sequence of float, shape (k,)
        Exchange free energy g_i of an A atom on a class-i site [kJ/mol].
    closure_kJ_mol : sequence of float, shape (k,), optional
        Energy h_i added when all n_i sites hold A [kJ/mol] (default 0).
    temperature_K : float

    Returns
    -------
    ndarray, shape (N + 1,)
        ln Z(x) (module docstring); with all h_i = 0 this is
        :func:`intercluster.network.sites.log_partition_functions`.

    Raises
    ------
    ConfigError
        Mismatched lengths, a non-finite energy or a temperature <= 0.

    Examples
    --------
    Two sites, no energies: Z = C(2, x); a closure energy of -RT ln 2 doubles Z(2):

    >>> np.exp(framework_log_partition_functions([2], [0.0])).round(6)
    array([1., 2., 1.])
    >>> rt = GAS_CONSTANT_KJ_MOL_K * 298.15
    >>> np.exp(framework_log_partition_functions([2], [0.0], [-rt * np.log(2)])).round(6)
    array([1., 2., 2.])
    """
    sizes = [int(n) for n in sizes]
    g = [float(v) for v in energies_kJ_mol]
    h = [0.0] * len(sizes) if closure_kJ_mol is None else [float(v) for v in closure_kJ_mol]
    if not (len(sizes) == len(g) == len(h)):
        raise ConfigError(
            f"site classes: {len(sizes)} sizes, {len(g)} energies, {len(h)} closure "
            "energies; give one each"
        )
    if not all(np.isfinite(g + h)):
        raise ConfigError(bad_value("site energies", (g, h), "finite numbers [kJ/mol]"))
    if not (isinstance(temperature_K, int | float | np.number) and temperature_K > 0):
        raise ConfigError(bad_value("temperature_K", temperature_K, "a temperature > 0 [K]"))
    rt = GAS_CONSTANT_KJ_MOL_K * float(temperature_K)
    out = np.zeros(1)
    for n, gi, hi in zip(sizes, g, h):
        k = np.arange(n + 1)
        poly = log_binomial(n, k) - k * gi / rt
        poly[n] -= hi / rt
        out = log_convolve(out, poly)
    return out


def _parse_frameworks(spec) -> dict[str, tuple[tuple[str, int], ...]]:
    if isinstance(spec, Mapping):
        items = list(spec.items())
    elif isinstance(spec, str):
        items = []
        for part in spec.split(";"):
            if not part.strip():
                continue
            m = _FAMILY_RE.match(part)
            if not m:
                raise ConfigError(
                    bad_value(
                        "frameworks",
                        part,
                        "family(class=sites,...) such as 'SR30(core=12,shell=32)', "
                        "families joined by ';'",
                    )
                )
            items.append((m.group(1), m.group(2)))
    else:
        raise ConfigError(bad_value("frameworks", spec, "a mapping or 'fam(class=n,...);...'"))
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for name, classes in items:
        if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise ConfigError(
                bad_value("frameworks family", name, "a family name of letters, digits and _")
            )
        if name in out:
            raise ConfigError(bad_value("frameworks family", name, "each family once"))
        out[name] = parse_site_spec(classes)
    if not out:
        raise ConfigError(bad_value("frameworks", spec, "at least one family with site classes"))
    return out


class FrameworkRateModel(RateModel):
    """Detailed balance with per-family, composition-dependent free energies.

    Parameters
    ----------
    frameworks : str or mapping
        Site classes per family name: ``{"SR30": "core=12,shell=32", ...}`` or
        ``"SR30(core=12,shell=32);SR27(au=20,mix=24)"``. Each family's class
        sizes must add up to its N (checked when the network is built).
    name : str, optional
        Registry name; default ``"frameworks:" + spec``.
    energies_kJ_mol : mapping, optional
        Default values of ``g_<family>_<class>_kJ_mol`` and ``h_<family>_<class>_kJ_mol``
        (else 0).

    Notes
    -----
    Exchange factor (module docstring) for a donor subunit of family 1 with d A
    atoms and an acceptor of family 2 with a:
    ``(d/N_1)((N_2 - a)/N_2) exp(-dF/2RT)``; association and dissociation factors 1.
    The forward/backward ratio of every reversible reaction is then
    exp(-dG/RT) with G_f(x) = E_f + F_f(x) - RT ln C(N, x)
    (tests/network/test_energies.py checks it reaction by reaction).
    """

    description = "sim2 x exp(-dF/2RT) with per-family site classes (framework energies)"
    defaults: ClassVar[Mapping[str, float]] = {}

    def __init__(self, frameworks, name: str | None = None, energies_kJ_mol=None) -> None:
        self.frameworks = _parse_frameworks(frameworks)
        spec = ";".join(
            f"{fam}({','.join(f'{c}={n}' for c, n in classes)})"
            for fam, classes in self.frameworks.items()
        )
        self.name = name or PREFIX + spec
        self.description = f"sim2 x exp(-dF/2RT), framework site classes {spec}"
        defaults: dict[str, float] = dict(RateModel.defaults)
        for fam, classes in self.frameworks.items():
            for cls, _ in classes:
                defaults[f"g_{fam}_{cls}_kJ_mol"] = 0.0
                defaults[f"h_{fam}_{cls}_kJ_mol"] = 0.0
        defaults["temperature_K"] = 298.15
        for key, value in dict(energies_kJ_mol or {}).items():
            if key not in defaults:
                raise ConfigError(
                    bad_value("energies_kJ_mol " + str(key), value, f"one of {', '.join(defaults)}")
                )
            defaults[key] = float(value)
        self.defaults = defaults

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

    def check_families(self, names) -> None:
        """Raise ConfigError if a family with site classes is not among ``names``."""
        unknown = [f for f in self.frameworks if f not in set(names)]
        if unknown:
            raise ConfigError(
                bad_value(
                    "frameworks family",
                    unknown[0],
                    f"a family of the model ({', '.join(names)})",
                )
            )

    def rt_kJ_mol(self, params) -> float:
        """RT [kJ/mol] at the parameters' temperature_K (default 298.15 K)."""
        return GAS_CONSTANT_KJ_MOL_K * float(params.get("temperature_K", 298.15))

    def composition_energy_kJ_mol(self, family, params) -> np.ndarray:
        """F_f(x) = -RT ln(Z_f(x) / C(N, x)) for x = 0..N [kJ/mol], shape (N + 1,).

        Zero for a family without site classes.

        Raises
        ------
        ConfigError
            If the family's class sizes do not add up to its N.
        """
        n_atoms = family.n_atoms
        classes = self.frameworks.get(getattr(family, "name", None))
        if classes is None:
            return np.zeros(n_atoms + 1)
        sizes = [n for _, n in classes]
        if sum(sizes) != n_atoms:
            raise ConfigError(
                bad_value(
                    f"frameworks {family.name}",
                    ",".join(f"{c}={n}" for c, n in classes),
                    f"site classes adding up to the family's N = {n_atoms}",
                )
            )
        fam = family.name
        lz = framework_log_partition_functions(
            sizes,
            [params[f"g_{fam}_{c}_kJ_mol"] for c, _ in classes],
            [params[f"h_{fam}_{c}_kJ_mol"] for c, _ in classes],
            params.get("temperature_K", 298.15),
        )
        return -self.rt_kJ_mol(params) * (lz - log_binomial(n_atoms, np.arange(n_atoms + 1)))

    def _exchange(self, family_1, family_2, d, a, params) -> np.ndarray:
        d = np.asarray(d, dtype=np.int64)
        a = np.asarray(a, dtype=np.int64)
        n1, n2 = family_1.n_atoms, family_2.n_atoms
        f1 = self.composition_energy_kJ_mol(family_1, params)
        f2 = self.composition_energy_kJ_mol(family_2, params)
        dm1, dc = np.clip(d - 1, 0, n1), np.clip(d, 0, n1)
        ap1, ac = np.clip(a + 1, 0, n2), np.clip(a, 0, n2)
        d_f = f1[dm1] + f2[ap1] - f1[dc] - f2[ac]
        stat = (d / n1) * ((n2 - a) / n2)
        with np.errstate(over="ignore"):  # an overflow is reported by build_network
            return stat * np.exp(-d_f / (2 * self.rt_kJ_mol(params)))

    def pair_factor(self, kind, family_1, family_2, a, b, params) -> np.ndarray:
        """Exchange: sim2 x exp(-dF/2RT) (class docstring); association, dissociation: 1."""
        if kind == "exchange":
            return self._exchange(family_1, family_2, a, b, params)
        return np.ones(np.shape(a))

    def exchange_factor(self, system, donor, acceptor, params):
        """Exchange factor inside one family (the single-family call of the base class)."""
        return self._exchange(system, system, donor, acceptor, params)


def frameworks_rate_model(name: str) -> FrameworkRateModel:
    """The model for a registry name ``"frameworks:SR30(core=12,shell=32);..."``.

    Raises
    ------
    ConfigError
        If the name does not start with ``frameworks:`` or the classes are malformed.
    """
    if not isinstance(name, str) or not name.startswith(PREFIX):
        raise ConfigError(bad_value("model", name, "'frameworks:' followed by family classes"))
    return FrameworkRateModel(name[len(PREFIX) :], name=name)
