"""Equilibrium distributions of monomers and dimers, and their binomial expectation.

For a rate model that obeys detailed balance the equilibrium is known in closed
form up to two numbers fixed by the conservation of the two metals:

    [M_m] = g_m exp(mu + m nu),   [D_mn] = K_mn [M_m][M_n] (1 - delta_mn / 2),

with K_mn = k_dim f_dim(m, n) / (k_diss f_diss(m, n)) and monomer weights g_m
that make every exchange step balanced. For sim2 and sim3 (Neumaier et al.,
JACS 2021, 143, 6969, eqs 2-3) g_m is the binomial coefficient C(N, m), so the
monomers are binomial ("Because of the statistical Bernoulli approach (eqs 2 and
3) the equilibrium distributions of the monomers and dimers of simulation 2 equal
a binomial distribution"); for sim1 g_m = 1 and the monomers are a tilted
uniform distribution, exactly uniform for a 1:1 mixture ("the monomers become
evenly distributed").
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, logsumexp

from intercluster.errors import ConfigError

__all__ = [
    "a_fraction",
    "binomial",
    "compare_with_binomial",
    "distribution_stats",
    "equilibrium_state",
    "monomer_weights",
]


def binomial(n: int, p: float) -> np.ndarray:
    """Binomial probabilities P(m) = C(n, m) p^m (1 - p)^(n - m), m = 0..n.

    >>> np.round(binomial(2, 0.5), 3)
    array([0.25, 0.5 , 0.25])
    """
    m = np.arange(n + 1)
    if p <= 0.0:
        return (m == 0).astype(float)
    if p >= 1.0:
        return (m == n).astype(float)
    logc = gammaln(n + 1) - gammaln(m + 1) - gammaln(n - m + 1)
    return np.exp(logc + m * np.log(p) + (n - m) * np.log1p(-p))


def a_fraction(network, concentration: np.ndarray) -> float:
    """Overall fraction of metal A among all metal atoms (monomers and dimers).

    Parameters
    ----------
    concentration : array, shape (n_species,) [nmol/L]
    """
    a, b = network.atom_matrix @ np.asarray(concentration, dtype=float)
    return float(a / (a + b))


def distribution_stats(dist: np.ndarray) -> dict[str, float]:
    """Mean, standard deviation and mode of a distribution over m = 0..len-1."""
    dist = np.asarray(dist, dtype=float)
    total = dist.sum()
    if total <= 0:
        return {"mean": float("nan"), "std": float("nan"), "mode": -1}
    p = dist / total
    m = np.arange(len(p))
    mean = float(np.sum(m * p))
    return {
        "mean": mean,
        "std": float(np.sqrt(np.sum((m - mean) ** 2 * p))),
        "mode": int(np.argmax(p)),
    }


def compare_with_binomial(dist: np.ndarray, p: float) -> dict[str, float]:
    """Compare a distribution over m = 0..n with Binomial(n, p).

    Returns
    -------
    dict
        ``mean``, ``std`` of the distribution; ``binomial_mean`` = n p,
        ``binomial_std`` = sqrt(n p (1 - p)); ``width_ratio`` = std /
        binomial_std (< 1: narrower than binomial, as observed in Neumaier et al. 2021);
        ``total_variation`` = 0.5 sum |P - B| (0 identical, 1 disjoint).
    """
    dist = np.asarray(dist, dtype=float)
    n = len(dist) - 1
    stats = distribution_stats(dist)
    ref = binomial(n, p)
    bstd = float(np.sqrt(n * p * (1 - p)))
    return {
        "mean": stats["mean"],
        "std": stats["std"],
        "binomial_mean": n * p,
        "binomial_std": bstd,
        "width_ratio": stats["std"] / bstd if bstd > 0 else float("nan"),
        "total_variation": float(0.5 * np.abs(dist / dist.sum() - ref).sum()),
    }


def _dimer_log_k(network) -> np.ndarray:
    """log K for each dimer in system order (without the 1/2 of homodimers)."""
    r = network.reactions
    n_mono = network.system.n_monomers
    n_dim = network.system.n_dimers
    kf = np.empty(n_dim)
    kb = np.empty(n_dim)
    dim = r.kind == 0
    diss = r.kind == 1
    kf[r.products[dim, 0] - n_mono] = network.rate_constants[dim] / r.statistical_factor[dim]
    kb[r.reactants[diss, 0] - n_mono] = network.rate_constants[diss]
    with np.errstate(divide="ignore"):
        return np.log(kf) - np.log(kb)


def _log_forms(network) -> tuple[np.ndarray, np.ndarray]:
    """Each species' equilibrium log concentration as ``rows @ (log g + mu + nu m) + const``.

    Monomer x: the unit row e_x. Dimer {m, n}: e_m + e_n with const log K_mn
    (+ log 1/2 for m = n), from the balance of its formation and dissociation.
    """
    system = network.system
    N = system.n_atoms
    n_mono = system.n_monomers
    rows = np.zeros((network.n_species, N + 1))
    rows[np.arange(n_mono), np.arange(n_mono)] = 1.0
    const = np.zeros(network.n_species)
    if system.n_dimers:
        log_k = _dimer_log_k(network)
        for i, d in enumerate(system.dimers):
            rows[n_mono + i, d.m] += 1.0
            rows[n_mono + i, d.n] += 1.0
            const[n_mono + i] = log_k[i] + (np.log(0.5) if d.m == d.n else 0.0)
    return rows, const


def monomer_weights(network, tol: float = 1e-8) -> np.ndarray:
    """log g_m of the equilibrium monomer distribution (module docstring).

    Every exchange and its reverse must balance at equilibrium: with the
    species' log concentrations from :func:`_log_forms`, each pair gives one
    linear equation in log g. They are solved by least squares; log g is
    defined up to log g_m -> log g_m + a + b m, fixed by g_0 = g_N = 1. Works for
    both mechanisms (dimer, direct).

    Returns
    -------
    array, shape (N + 1,)
        log g_m with g_0 = g_N = 1.

    Raises
    ------
    ConfigError
        If the model does not obey detailed balance (no equilibrium of this form),
        if an exchange runs with a zero rate constant in one direction only, or if
        every exchange rate constant is 0 (k_ex = 0: compositions never change, so
        exchange determines no equilibrium).
    """
    N = network.system.n_atoms
    r = network.reactions
    k = network.rate_constants
    ex = np.flatnonzero(r.kind == 2)
    if N == 1 or len(ex) == 0:
        return np.zeros(N + 1)
    rows_sp, const_sp = _log_forms(network)

    def side(slots):
        idx = [int(i) for i in slots if i >= 0]
        return tuple(sorted(idx))

    forward = {(side(r.reactants[j]), side(r.products[j])): j for j in ex}
    rows, rhs = [], []
    labels = network.species_labels
    for (left, right), j in forward.items():
        if left > right:
            continue
        back = forward.get((right, left))
        if back is None or (k[j] > 0) != (k[back] > 0):
            raise ConfigError(
                f"model {network.model.name!r}: exchange {' + '.join(labels[i] for i in left)} -> "
                f"{' + '.join(labels[i] for i in right)} has no reverse with a non-zero rate "
                "constant; such a model has no detailed-balance equilibrium"
            )
        if k[j] == 0:
            continue
        # k_j prod c(left) = k_back prod c(right)
        rows.append(rows_sp[list(left)].sum(0) - rows_sp[list(right)].sum(0))
        rhs.append(
            np.log(k[back])
            - np.log(k[j])
            + const_sp[list(right)].sum()
            - const_sp[list(left)].sum()
        )
    if not rows:
        raise ConfigError(
            f"model {network.model.name!r}: every exchange has a rate constant of 0, so no "
            "metal is exchanged: the monomer compositions of the initial mixture are kept and "
            "no exchange equilibrium (binomial-like distribution) is reached"
        )
    A = np.array(rows)
    b = np.array(rhs)
    gauge = np.zeros((2, N + 1))
    gauge[0, 0] = gauge[1, N] = 1.0
    sol, *_ = np.linalg.lstsq(np.vstack([A, gauge]), np.append(b, [0.0, 0.0]), rcond=None)
    resid = np.abs(A @ sol - b).max() if len(b) else 0.0
    if not np.isfinite(resid) or resid > tol * max(1.0, np.abs(b).max()):
        raise ConfigError(
            f"model {network.model.name!r} does not obey detailed balance (largest mismatch "
            f"{resid:.2e} in log units): it has no equilibrium of the random-pairing form"
        )
    return sol


def equilibrium_state(network, initial: np.ndarray) -> np.ndarray:
    """The equilibrium concentrations reached from ``initial``.

    Parameters
    ----------
    network : Network
        A network whose rate model obeys detailed balance (sim1, sim2, sim3, ...).
    initial : array, shape (n_species,) [nmol/L]

    Returns
    -------
    array, shape (n_species,) [nmol/L]
        Monomers from :func:`monomer_weights`, dimers by random pairing with the
        equilibrium constants k_dim f_dim / (k_diss f_diss); both metals conserved.

    Raises
    ------
    ConfigError
        If the model violates detailed balance, or has no exchange at all (k_ex = 0;
        see :func:`monomer_weights`).
    """
    from scipy.optimize import brentq

    system = network.system
    N = system.n_atoms
    x0 = np.asarray(initial, dtype=float)
    target_a, target_b = network.atom_matrix @ x0
    log_g = monomer_weights(network)
    rows, const = _log_forms(network)
    m = np.arange(N + 1)

    if target_a <= 0 or target_b <= 0:
        # one metal only: a single monomer and, with dimers, its homodimer
        only = N if target_b <= 0 else 0
        total = (target_a + target_b) / N  # subunits
        out = np.zeros(network.n_species)
        homo = [i for i, sp in enumerate(system.species) if sp.n == only and sp.m == only]
        if not homo:
            out[only] = total
            return out
        K2 = np.exp(const[homo[0]])  # K/2
        mono = (-1 + np.sqrt(1 + 8 * K2 * total)) / (4 * K2)
        out[only] = mono
        out[homo[0]] = K2 * mono**2
        return out

    def state(mu, nu):
        """log concentrations of every species."""
        return rows @ (log_g + mu + nu * m) + const

    # atom counts per species, as logs (-inf where a species holds none of a metal)
    with np.errstate(divide="ignore"):
        log_na, log_nb = np.log(network.atom_matrix)

    def log_atoms(mu, nu):
        """log of the totals of metal A and B atoms [log nmol/L], overflow-free."""
        log_c = state(mu, nu)
        return logsumexp(log_na + log_c), logsumexp(log_nb + log_c)

    # For fixed nu the total atom count rises monotonically with mu: solve it, then
    # solve the A fraction in nu (monotonic too). Everything in logs.
    log_total = np.log(target_a + target_b)
    log_frac = np.log(target_a) - log_total

    def mu_for(nu):
        def f(mu):
            return np.logaddexp(*log_atoms(mu, nu)) - log_total

        lo, hi = -50.0, 50.0
        while f(lo) > 0:
            lo -= 100.0
        while f(hi) < 0:
            hi += 100.0
        return brentq(f, lo, hi, xtol=1e-13, rtol=1e-15)

    def g(nu):
        la, lb = log_atoms(mu_for(nu), nu)
        return la - np.logaddexp(la, lb) - log_frac

    lo, hi = -5.0, 5.0
    while g(lo) > 0:
        lo *= 2
    while g(hi) < 0:
        hi *= 2
    nu = brentq(g, lo, hi, xtol=1e-13, rtol=1e-15)
    return np.exp(state(mu_for(nu), nu))
