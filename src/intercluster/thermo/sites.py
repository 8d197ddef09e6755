"""Equilibria of clusters with site preferences (Zhong et al., Dalton Trans. 2021, 50, 4727;
Neumaier et al., JACS 2021, 143, 6969, last part of the discussion).

Clusters M_m (m atoms of metal A, N - m of B) that exchange metal atoms with
each other conserve the number of clusters and of A atoms. With site classes
(:class:`~intercluster.network.sites.SiteModel`) the equilibrium is

    P(m) = Z_m lambda^m / sum_m' Z_m' lambda^m',

with the partition functions Z_m (:func:`~intercluster.network.sites.log_partition_functions`)
and lambda fixed by mass balance, mean(m) = N f for an overall A fraction f.
For a mixture of the two parent clusters A_N : B_N = a : b, f = a/(a + b).

Because Z_m is the coefficient of x^m in prod_i (1 + w_i x)^(n_i) with
w_i = exp(-g_i/RT), P(m) is a Poisson-binomial distribution: every site of class
i independently holds A with probability p_i = lambda w_i / (1 + lambda w_i).
Its variance sum_i n_i p_i (1 - p_i) is at most N f (1 - f) (Hoeffding), with
equality only if all p_i are equal: site preferences make the distribution
narrower than the binomial, as observed for Au/Ag in Neumaier et al. 2021 and Cu/Ag in Zhong et al.
2021.
With equal energies it is exactly Binomial(N, f).
"""

from __future__ import annotations

import math
import re

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logsumexp

from intercluster.errors import ConfigError, DataError, bad_value
from intercluster.network.sites import SiteModel, _log_z, log_binomial, log_convolve
from intercluster.validation import number

__all__ = [
    "ZHONG2021_RATIOS",
    "exchange_constants",
    "le_chatelier_series",
    "parse_ratio",
    "ratio_fraction",
    "site_distributions",
    "site_equilibrium",
    "site_occupancies",
    "site_probabilities",
]


#: The mixing ratios of Zhong et al. 2021 (Figures 1a and 2, Table 2), A_N : B_N.
ZHONG2021_RATIOS = ("6:1", "4:1", "2:1", "1:1", "1:2", "1:4", "1:6")


def parse_ratio(ratio, metal_a: str = "A", metal_b: str = "B", n_atoms: int | None = None):
    """Parts (a, b) of the two parent clusters A_N : B_N in a mixing ratio.

    Parameters
    ----------
    ratio : str or pair of numbers
        ``"6:1"`` (A_N : B_N, metal A first), an explicit ``"Cu7:Ag7 = 6:1"`` or
        ``"Ag7:Cu7 = 1:6"`` (either order; the names must be the two parent
        clusters), or a pair ``(6, 1)``.
    metal_a, metal_b : str
        Element symbols of metals A and B.
    n_atoms : int, optional
        N; checked against explicit parent names.

    Returns
    -------
    (float, float)
        Parts of A_N and of B_N (any unit: only the ratio matters).

    Raises
    ------
    DataError
        A part that is zero, negative or not finite, or text that is not a ratio.

    Examples
    --------
    >>> parse_ratio("Ag7:Cu7 = 1:6", "Cu", "Ag", 7)
    (6.0, 1.0)
    """
    if isinstance(ratio, str):
        text = ratio.strip()
        if "=" in text:
            from intercluster.kinetics.initial import parse_mixture

            try:
                parts = parse_mixture(text)
            except ConfigError as exc:
                raise DataError(str(exc)) from None
            names = {}
            for name, amount in parts.items():
                match = re.fullmatch(r"\[?([A-Z][a-z]?)(\d*)\]?", name.strip())
                if not match or match.group(1) not in (metal_a, metal_b):
                    raise DataError(
                        bad_value(
                            "ratio",
                            ratio,
                            f"parent clusters {metal_a}{n_atoms or 'N'} and "
                            f"{metal_b}{n_atoms or 'N'}, e.g. "
                            f"'{metal_a}{n_atoms or 7}:{metal_b}{n_atoms or 7} = 6:1'",
                        )
                    )
                if n_atoms is not None and int(match.group(2) or 1) != n_atoms:
                    raise DataError(
                        bad_value("ratio", ratio, f"parent clusters with N = {n_atoms} atoms")
                    )
                names[match.group(1)] = amount
            if set(names) != {metal_a, metal_b}:
                raise DataError(
                    bad_value("ratio", ratio, f"both parents, {metal_a} and {metal_b}, once each")
                )
            a, b = names[metal_a], names[metal_b]
        else:
            try:
                a, b = (float(x) for x in re.split(r"\s*:\s*", text))
            except ValueError:
                raise DataError(
                    bad_value(
                        "ratio", ratio, f"two parts joined by ':' ({metal_a}:{metal_b}), e.g. '6:1'"
                    )
                ) from None
    else:
        try:
            a, b = (float(x) for x in ratio)
        except (TypeError, ValueError):
            raise DataError(bad_value("ratio", ratio, "a pair of numbers such as (6, 1)")) from None
    for part in (a, b):
        if not math.isfinite(part) or part <= 0:
            raise DataError(
                bad_value(
                    "ratio",
                    ratio,
                    "both parts finite and > 0 (a mixture of the two parent clusters; "
                    "a pure parent is not a mixing ratio)",
                )
            )
    return float(a), float(b)


def ratio_fraction(ratio, metal_a: str = "A", metal_b: str = "B", n_atoms=None) -> float:
    """Overall fraction of metal A of a mixture of A_N and B_N (:func:`parse_ratio`).

    >>> ratio_fraction("6:1")
    0.8571428571428571
    """
    a, b = parse_ratio(ratio, metal_a, metal_b, n_atoms)
    return a / (a + b)


def _check_fraction(a_fraction) -> float:
    return number(
        "a_fraction", a_fraction, "a fraction of metal A in [0, 1]", lambda v: 0 <= v <= 1
    )


def _log_lambdas(sizes, beta_g, fractions) -> np.ndarray:
    """ln lambda for each overall A fraction in (0, 1): sum_i n_i expit(ln lambda - g_i/RT) = N f.

    The left side is a sum of logistic functions, increasing in ln lambda; damped
    Newton steps (at most 2 in ln lambda) converge in a few iterations, vectorised
    over the fractions, with bisection as a fallback.

    Parameters
    ----------
    sizes : array, shape (k,); beta_g : array, shape (k,) (g_i / RT);
    fractions : array, shape (R,), each strictly between 0 and 1.

    Returns
    -------
    ndarray, shape (R,)
    """
    n = np.asarray(sizes, dtype=float)
    bg = np.asarray(beta_g, dtype=float)
    f = np.atleast_1d(np.asarray(fractions, dtype=float))
    target = n.sum() * f
    lam = np.log(f) - np.log1p(-f) + float(n @ bg) / n.sum()
    for _ in range(200):
        s = expit(lam[:, None] - bg[None, :])
        h = s @ n - target
        hp = (s * (1 - s)) @ n
        step = np.clip(-h / np.maximum(hp, 1e-300), -2.0, 2.0)
        lam = lam + step
        if np.all(np.abs(step) < 1e-12 * np.maximum(1.0, np.abs(lam))):
            return lam

    # not converged (extreme energies): bisection on each fraction
    def excess(x, t):
        return float(expit(x - bg) @ n) - t

    out = np.empty_like(lam)
    for j, t in enumerate(target):
        lo, hi = -10.0, 10.0
        while excess(lo, t) > 0:
            lo *= 2
        while excess(hi, t) < 0:
            hi *= 2
        out[j] = brentq(excess, lo, hi, args=(t,), xtol=1e-13, rtol=1e-15)
    return out


def site_distributions(model: SiteModel, fractions) -> np.ndarray:
    """:func:`site_equilibrium` for several overall A fractions at once.

    Returns
    -------
    ndarray, shape (R, N + 1)

    Raises
    ------
    ConfigError
        For a fraction outside [0, 1].
    """
    fr = np.array([_check_fraction(f) for f in np.atleast_1d(fractions)], dtype=float)
    log_z = model.log_partition_functions()
    N = len(log_z) - 1
    m = np.arange(N + 1)
    out = np.empty((len(fr), N + 1))
    edge = (fr == 0.0) | (fr == 1.0)
    out[edge] = (m[None, :] == np.round(fr[edge] * N)[:, None]).astype(float)
    if (~edge).any():
        beta_g = np.array(model.energies_kJ_mol) / model.rt_kJ_mol
        lam = _log_lambdas(model.sizes, beta_g, fr[~edge])
        w = log_z[None, :] + lam[:, None] * m[None, :]
        out[~edge] = np.exp(w - logsumexp(w, axis=1, keepdims=True))
    return out


def site_equilibrium(model: SiteModel, a_fraction: float) -> np.ndarray:
    """Equilibrium distribution of the compositions M_0..M_N for an overall A fraction.

    Parameters
    ----------
    model : SiteModel
        Site classes and energies [kJ/mol] at temperature_K.
    a_fraction : float
        Overall fraction f of metal A, in [0, 1] (:func:`ratio_fraction`).

    Returns
    -------
    ndarray, shape (N + 1,)
        P(m), summing to 1, with mean N f exactly (module docstring).

    Raises
    ------
    ConfigError
        For a fraction outside [0, 1].

    Examples
    --------
    >>> from intercluster.thermo.equilibrium import binomial
    >>> equal = SiteModel.from_spec("tet:4,cap:3")          # equal energies: binomial
    >>> np.allclose(site_equilibrium(equal, 0.5), binomial(7, 0.5))
    True
    >>> cu_caps = SiteModel.from_spec("tet:4,cap:3", {"tet": 5.0})
    >>> bool(site_equilibrium(cu_caps, 0.5).std() != binomial(7, 0.5).std())
    True
    """
    return site_distributions(model, [a_fraction])[0]


def site_probabilities(model: SiteModel, a_fraction: float) -> np.ndarray:
    """Probability that a site of each class holds metal A at equilibrium.

    The equilibrium distribution is the Poisson-binomial of these probabilities
    (module docstring): p_i = lambda w_i / (1 + lambda w_i), w_i = exp(-g_i/RT).

    Returns
    -------
    ndarray, shape (n_classes,)
        p_i in [0, 1]; sum_i n_i p_i = N f.

    Raises
    ------
    ConfigError
        For a fraction outside [0, 1].
    """
    f = _check_fraction(a_fraction)
    if f in (0.0, 1.0):
        return np.full(len(model.classes), f)
    g = np.array(model.energies_kJ_mol) / model.rt_kJ_mol
    log_lam = _log_lambdas(model.sizes, g, [f])[0]
    return expit(log_lam - g)


def site_occupancies(model: SiteModel) -> np.ndarray:
    """Fraction of the sites of each class that hold metal A, for every composition.

    For composition m, <m_i>_m = sum_k k C(n_i, k) w_i^k Z^(-i)_(m-k) / Z_m, where
    Z^(-i) is the partition function of the other classes; the occupancy is
    <m_i>_m / n_i. sum_i n_i occupancy_i(m) = m.

    Returns
    -------
    ndarray, shape (N + 1, n_classes)
        Occupancies in [0, 1]; row m is composition M_m.

    Source: the DFT site preferences of Zhong et al. 2021 (Ag on the inner
    tetrahedron, Cu on the capping sites; Figure 6) are of this form.
    """
    log_z = model.log_partition_functions()
    N = model.n_atoms
    rt = model.rt_kJ_mol
    out = np.zeros((N + 1, len(model.classes)))
    sizes = model.sizes
    beta_g = tuple(g / rt for g in model.energies_kJ_mol)
    for i, (n, bg) in enumerate(zip(sizes, beta_g)):
        others = _log_z(sizes[:i] + sizes[i + 1 :], beta_g[:i] + beta_g[i + 1 :])
        k = np.arange(1, n + 1)
        term = np.log(k) + log_binomial(n, k) - k * bg  # ln(k C(n,k) w^k)
        acc = np.full(N + 1, -np.inf)  # m = 0: no A atom on class i
        acc[1:] = log_convolve(others, term)
        out[:, i] = np.clip(np.exp(acc - log_z) / n, 0.0, 1.0)
    return out


def exchange_constants(model: SiteModel) -> np.ndarray:
    """Equilibrium constants of every exchange step M_x + M_y -> M_(x-1) + M_(y+1).

    K[x, y] = Z_(x-1) Z_(y+1) / (Z_x Z_y): one A atom from the cluster with x
    to the one with y, one B atom back (Zhong et al. 2021: stepwise exchange, one
    metal at a time). Dimensionless (as many molecules on both sides). The
    reaction free energy is -RT ln K [kJ/mol].

    Returns
    -------
    ndarray, shape (N + 1, N + 1)
        K[x, y] (donor x, acceptor y); NaN where x = 0 or y = N (no such step).
        For equal energies K[x, y] = x (N - y) / ((N - x + 1)(y + 1)).
    """
    log_z = model.log_partition_functions()
    N = len(log_z) - 1
    K = np.full((N + 1, N + 1), np.nan)
    x = np.arange(1, N + 1)[:, None]
    y = np.arange(0, N)[None, :]
    K[1:, :N] = np.exp(log_z[x - 1] + log_z[y + 1] - log_z[x] - log_z[y])
    return K


def le_chatelier_series(model: SiteModel, ratios, system=None):
    """Equilibrium distributions as a function of the mixing ratio (Zhong et al.
    2021, Figure 1a, Figure 2 and Table 2: "the larger the concentration of one of
    the reactants, the closer to its resonance was the distribution").

    Parameters
    ----------
    model : SiteModel
    ratios : sequence
        Mixing ratios A_N : B_N (:func:`parse_ratio`), e.g. ``["6:1", "1:1", "1:6"]``.
    system : ExchangeSystem, optional
        For the metal names and composition labels (default: metals A and B).

    Returns
    -------
    pandas.DataFrame
        Index: the ratios as given (strings); columns: composition labels
        ``[Cu7]`` ... ``[Ag7]`` (m = N first, as the paper's Table 2 lists Cu7
        first); values: percent of all clusters. ``attrs`` hold ``a_fraction``,
        ``mean``, ``std`` and ``binomial_std`` per ratio and the model.

    Raises
    ------
    DataError
        For a ratio with a zero or negative part.
    ConfigError
        If the system's N differs from the classes' total.
    """
    import pandas as pd

    from intercluster.thermo.equilibrium import compare_with_binomial

    if system is not None:
        model.check_size(system.n_atoms)
        a_name, b_name = system.metal_a, system.metal_b
        labels = [system.label(sp) for sp in system.monomers]
    else:
        a_name, b_name = "A", "B"
        labels = [f"m={m}" for m in range(model.n_atoms + 1)]
    rows, stats = [], {}
    names = []
    for ratio in ratios:
        f = ratio_fraction(ratio, a_name, b_name, model.n_atoms)
        dist = site_equilibrium(model, f)
        rows.append(100.0 * dist[::-1])
        name = ratio if isinstance(ratio, str) else ":".join(f"{x:g}" for x in ratio)
        names.append(name)
        cmp = compare_with_binomial(dist, f)
        stats[name] = {
            "a_fraction": f,
            "mean": cmp["mean"],
            "std": cmp["std"],
            "binomial_std": cmp["binomial_std"],
            "width_ratio": cmp["width_ratio"],
        }
    frame = pd.DataFrame(rows, index=pd.Index(names, name="ratio"), columns=labels[::-1])
    frame.attrs.update(
        {
            "stats": stats,
            "sites": model.spec,
            "units": "percent",
            "ratio_convention": f"{a_name}{model.n_atoms}:{b_name}{model.n_atoms}",
        }
    )
    return frame
