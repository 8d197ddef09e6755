"""2D EXSY of an exchange network at equilibrium, and its inverse.

Zhong et al., Dalton Trans. 2021, 50, 4727 (Figure 4, "Dynamic equilibrium and
intercluster exchanges studied by NMR spectroscopy"): 31P-31P{1H} EXSY of the
equilibrated 1:1 mixture shows cross peaks only between clusters that differ by
one metal at a mixing time of 400 ms, and "additional (but less intense)" cross
peaks between second neighbours at 800 ms: stepwise exchange.

Forward model (the standard EXSY theory: Jeener, Meier, Bachmann, Ernst, J. Chem.
Phys. 1979, 71, 4546; Perrin and Dwyer, Chem. Rev. 1990, 90, 935): the
magnetisation of the ligands travels with their cluster. At equilibrium every
reaction r runs with flux J_r = k_r prod[reactants]; the pseudo-first-order rate
constant of transfer from species i to j is

    k_ij = (sum of the fluxes carrying a cluster of i into j) / (s_i [i])

(s_i = 1 for a monomer, 2 for a dimer, which holds two ligand shells). With
L = diag(sum_j k_ij) - k^T, the magnetisations obey dM/dt = -L M - R1 M and the
peak-volume matrix at mixing time t_m is

    V(t_m) = exp(-R1 t_m) expm(-L t_m) diag(M_eq),

V[i, j] = magnetisation that started on species j (column, F1) and is found on
species i (row, F2) [nmol/L of ligand shells]. Detailed balance makes V
symmetric; its rows and columns sum to M_eq exp(-R1 t_m).

Inverse (Perrin and Dwyer 1990, eq 12): L = -logm(V diag(M0)^-1) / t_m, with M0
from the column sums of V (which also removes a uniform R1).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from intercluster.errors import ConfigError, DataError, bad_value
from intercluster.validation import check_memory, fraction, number

__all__ = [
    "check_exsy_memory",
    "cross_peak_map",
    "exchange_rates",
    "exsy_volumes",
    "normalized_volumes",
    "rates_from_volumes",
    "simulate_exsy",
]


def _mixing_times(mixing_times_s) -> np.ndarray:
    t = np.atleast_1d(np.asarray(mixing_times_s, dtype=float))
    if t.size == 0:
        raise ConfigError(bad_value("mixing_times_s", list(t), "at least one mixing time > 0 [s]"))
    bad = [x for x in t if not math.isfinite(x) or x <= 0]
    if bad:
        raise ConfigError(bad_value("mixing time", float(bad[0]), "a mixing time > 0 [s]"))
    return t


#: Dense (species x species) float arrays an EXSY run holds at its peak: rates, the
#: generator, the matrix exponential's work space, and per mixing time the volumes,
#: normalised volumes, cross-peak map and the tables written from them. Measured:
#: 1.18 GB peak for 1,377 species (15 MB per matrix) and 2 mixing times, i.e.
#: 20 + 24 x 2 = 68 matrices.
EXSY_FIXED_MATRICES = 20
EXSY_MATRICES_PER_TIME = 24


def check_exsy_memory(n_species: int, n_mixing_times: int) -> float:
    """Refuse, before any work, an EXSY simulation whose dense matrices exceed the
    memory limit (:func:`intercluster.validation.check_memory`).

    Estimate: n_species^2 x 8 bytes x (20 + 24 n_mixing_times) (measured; see
    :data:`EXSY_FIXED_MATRICES`).

    Raises
    ------
    ConfigError
        With the estimate and what allows it.
    """
    n_bytes = (
        float(n_species) ** 2 * 8 * (EXSY_FIXED_MATRICES + EXSY_MATRICES_PER_TIME * n_mixing_times)
    )
    return check_memory(
        f"EXSY for {n_species:,} species ({n_species:,} x {n_species:,} matrices, "
        f"{n_mixing_times} mixing time(s))",
        n_bytes,
        allow="a smaller system (n_atoms) or fewer mixing times",
    )


def exchange_rates(network, concentration) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo-first-order exchange rate constants between species at a state.

    Parameters
    ----------
    network : Network
        Any mechanism (direct: clusters only; dimer: monomers and dimers).
    concentration : array, shape (n_species,) [nmol/L]
        Normally the equilibrium (:func:`intercluster.thermo.equilibrium_state`).

    Returns
    -------
    rates : ndarray, shape (n_species, n_species)
        k[i, j] [s^-1], transfer of a cluster's ligand magnetisation from species i
        to species j (module docstring); zero diagonal; rows of species with zero
        concentration are zero.
    populations : ndarray, shape (n_species,)
        M_eq = s_i [i] [nmol/L of ligand shells].

    Raises
    ------
    ConfigError
        For concentrations of the wrong shape, negative or non-finite.
    """
    c = np.asarray(concentration, dtype=float)
    n = network.n_species
    if c.shape != (n,) or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ConfigError(
            f"concentration: expected {n} finite values >= 0 [nmol/L], got shape {c.shape}"
        )
    r = network.reactions
    carriers = np.array([2.0 if s.is_dimer else 1.0 for s in network.system.species])
    safe = np.where(r.reactants >= 0, r.reactants, 0)
    flux = network.rate_constants * np.prod(np.where(r.reactants >= 0, c[safe], 1.0), axis=1)
    transfer = np.zeros((n, n))
    n_react = (r.reactants >= 0).sum(axis=1)
    n_prod = (r.products >= 0).sum(axis=1)
    for k in range(len(flux)):
        if flux[k] == 0:
            continue
        r0, r1 = r.reactants[k]
        p0, p1 = r.products[k]
        if n_react[k] == 2 and n_prod[k] == 2:  # direct exchange: position-wise
            pairs = ((r0, p0, 1.0), (r1, p1, 1.0))
        elif n_react[k] == 2:  # dimerization
            pairs = ((r0, p0, 1.0), (r1, p0, 1.0))
        elif n_prod[k] == 2:  # dissociation
            pairs = ((r0, p0, 1.0), (r0, p1, 1.0))
        else:  # exchange inside a dimer: both ligand shells move
            pairs = ((r0, p0, carriers[r0]),)
        for i, j, mult in pairs:
            if i != j:
                transfer[i, j] += flux[k] * mult
    populations = carriers * c
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(populations[:, None] > 0, transfer / populations[:, None], 0.0)
    np.fill_diagonal(rates, 0.0)
    return rates, populations


def _generator(rates: np.ndarray) -> np.ndarray:
    """L with dM/dt = -L M: L = diag(sum_j k_ij) - k^T."""
    return np.diag(rates.sum(axis=1)) - rates.T


def exsy_volumes(rates, populations, mixing_times_s, t1_s: float | None = None) -> np.ndarray:
    """EXSY peak-volume matrices V(t_m) = exp(-t_m/T1) expm(-L t_m) diag(M_eq).

    Parameters
    ----------
    rates : array, shape (n, n)
        k[i, j] [s^-1] (:func:`exchange_rates`).
    populations : array, shape (n,)
        M_eq (equilibrium magnetisations, any unit).
    mixing_times_s : float or array, shape (T,)
        Mixing times [s], each > 0.
    t1_s : float, optional
        Uniform longitudinal relaxation time T1 [s]; None: no relaxation.

    Returns
    -------
    ndarray, shape (T, n, n)
        V[t, i, j]: row i (detected, F2), column j (labelled, F1).

    Raises
    ------
    ConfigError
        For a mixing time <= 0, T1 <= 0, or mismatched shapes.
    """
    from scipy.linalg import expm

    times = _mixing_times(mixing_times_s)
    k = np.asarray(rates, dtype=float)
    m = np.asarray(populations, dtype=float)
    if k.ndim != 2 or k.shape[0] != k.shape[1] or m.shape != (k.shape[0],):
        raise ConfigError(
            f"rates of shape {k.shape} and populations of shape {m.shape}: need (n, n) and (n,)"
        )
    if t1_s is not None:
        t1_s = number("t1_s", t1_s, "a relaxation time > 0 [s] (or none)", lambda v: v > 0)
    L = _generator(k)
    out = np.empty((len(times), len(m), len(m)))
    for i, t in enumerate(times):
        relax = math.exp(-t / t1_s) if t1_s else 1.0
        out[i] = relax * expm(-L * t) * m[None, :]
    return out


def normalized_volumes(volumes, populations) -> np.ndarray:
    """V[i, j] / sqrt(M_i M_j): cross peaks relative to the two diagonal peaks at
    zero mixing time. For short t_m this is t_m sqrt(k_ij k_ji), independent of the
    populations.

    Parameters
    ----------
    volumes : array, shape (..., n, n)
    populations : array, shape (n,)

    Returns
    -------
    ndarray, same shape as ``volumes`` (NaN where a population is 0)
    """
    m = np.asarray(populations, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(np.outer(m, m))
        return np.where(scale > 0, np.asarray(volumes) / scale, np.nan)


def cross_peak_map(volumes, populations, threshold: float = 0.05, min_population=0.0):
    """Which cross peaks are visible: normalised volume >= threshold.

    Parameters
    ----------
    volumes : array, shape (n, n)
    populations : array, shape (n,)
    threshold : float
        On :func:`normalized_volumes` (0.05: 5 % of the geometric mean of the two
        diagonal peaks).
    min_population : float
        Species below this fraction of the total population are treated as not
        observed (no peaks); a fraction in [0, 1).

    Returns
    -------
    ndarray of bool, shape (n, n)
        True for visible off-diagonal peaks (diagonal False).

    Raises
    ------
    ConfigError
        For a threshold outside (0, 1) or a min_population outside [0, 1) (at 1 or
        above no species could be observed and every peak would be hidden).
    """
    if not (isinstance(threshold, int | float) and 0 < threshold < 1):
        raise ConfigError(bad_value("threshold", threshold, "a fraction in (0, 1)"))
    min_population = fraction("min_population", min_population, high_open=True)
    m = np.asarray(populations, dtype=float)
    norm = np.nan_to_num(normalized_volumes(volumes, m), nan=0.0)
    seen = m >= min_population * m.sum()
    out = (norm >= threshold) & seen[:, None] & seen[None, :]
    np.fill_diagonal(out, False)
    return out


def rates_from_volumes(
    volumes,
    mixing_time_s: float,
    populations=None,
    *,
    symmetrize: bool = True,
    imag_tol: float = 1e-6,
) -> np.ndarray:
    """Exchange rate constants from a measured EXSY peak-volume matrix (matrix logarithm).

    Parameters
    ----------
    volumes : array, shape (n, n)
        V[i, j], row = detected species, column = labelled species.
    mixing_time_s : float
        t_m [s], > 0.
    populations : array, shape (n,), optional
        M0 (volumes at zero mixing time, e.g. from a 1D spectrum); default: the
        column sums of V, which also divides out a uniform relaxation.
    symmetrize : bool
        Replace V by (V + V^T)/2 first (detailed balance; halves the noise).
    imag_tol : float
        Largest imaginary part of the logarithm (relative to its largest entry)
        accepted as round-off.

    Returns
    -------
    ndarray, shape (n, n)
        k[i, j] [s^-1], zero diagonal. Small negative values are noise; a warning
        names the most negative one if it exceeds 10 % of the largest rate.

    Raises
    ------
    DataError
        A matrix that is not square, has non-finite entries, a column sum or
        population <= 0, or whose normalised form has no real matrix logarithm
        (an eigenvalue <= 0 or a complex logarithm).
    ConfigError
        For a mixing time <= 0.
    """
    from scipy.linalg import logm

    t = float(_mixing_times(mixing_time_s)[0])
    V = np.asarray(volumes, dtype=float)
    if V.ndim != 2 or V.shape[0] != V.shape[1]:
        raise DataError(f"peak-volume matrix of shape {V.shape}: it must be square (n x n)")
    if not np.all(np.isfinite(V)):
        raise DataError("peak-volume matrix: all entries must be finite numbers")
    if symmetrize:
        V = 0.5 * (V + V.T)
    m0 = V.sum(axis=0) if populations is None else np.asarray(populations, dtype=float)
    if m0.shape != (V.shape[0],) or np.any(~np.isfinite(m0)) or np.any(m0 <= 0):
        raise DataError(
            "peak-volume matrix: every species needs a population (column sum) > 0; "
            f"got {np.round(m0, 6).tolist()}"
        )
    A = V / m0[None, :]
    eig = np.linalg.eigvals(A)
    if np.any(eig.real <= 0) or np.any(np.abs(eig.imag) > imag_tol * np.abs(eig).max()):
        worst = eig[np.argmin(eig.real)]
        raise DataError(
            "peak-volume matrix has no valid logarithm: V diag(M0)^-1 has an eigenvalue "
            f"{worst:.3g} (all must be real and > 0); mixing time too long for the noise, "
            "or the volumes are not from one exchange network"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # logm warns about accuracy; we check it below
        log_a = logm(A)
    log_a = np.asarray(log_a)
    if np.iscomplexobj(log_a):
        if np.abs(log_a.imag).max() > imag_tol * max(np.abs(log_a).max(), 1e-300):
            raise DataError(
                "peak-volume matrix has no real logarithm (complex logm); the volumes are "
                "not consistent with first-order exchange"
            )
        log_a = log_a.real
    L = -log_a / t
    rates = -L.T.copy()
    np.fill_diagonal(rates, 0.0)
    top = rates.max() if rates.size else 0.0
    low = rates.min() if rates.size else 0.0
    if top > 0 and low < -0.1 * top:
        i, j = np.unravel_index(np.argmin(rates), rates.shape)
        warnings.warn(
            f"rates_from_volumes: k[{i}, {j}] = {low:.3g} s^-1 is negative beyond noise "
            f"(largest rate {top:.3g} s^-1); check the volumes and the mixing time",
            UserWarning,
            stacklevel=2,
        )
    return rates


def simulate_exsy(
    network, initial, mixing_times_s, *, t1_s=None, threshold=0.05, min_population=0.0
):
    """EXSY of a network at the equilibrium reached from ``initial``.

    Parameters
    ----------
    network : Network
        Its rate model must obey detailed balance (sim1-3, site).
    initial : str, mapping or array
        Mixture [nmol/L] (:func:`intercluster.kinetics.initial_concentrations`).
    mixing_times_s : sequence of float
        Mixing times [s], each > 0.
    t1_s : float, optional
        Uniform T1 [s].
    threshold, min_population : float
        For the cross-peak maps (:func:`cross_peak_map`).

    Returns
    -------
    xarray.Dataset
        ``equilibrium_nM(species)``, ``population(species)`` (M_eq),
        ``rate(from_species, to_species)`` [s^-1],
        ``volume(mixing_time, row, column)`` (row = detected, column = labelled),
        ``normalized(mixing_time, row, column)``, ``cross_peak(mixing_time, row,
        column)`` (bool); coordinates hold the species labels and ``n_a``.

    Raises
    ------
    ConfigError
        Bad mixture, mixing times, T1 or threshold, or a model without detailed balance.
    """
    import xarray as xr

    from intercluster.kinetics.initial import initial_concentrations
    from intercluster.thermo.equilibrium import equilibrium_state

    times = _mixing_times(mixing_times_s)
    check_exsy_memory(network.n_species, len(times))
    x0 = initial_concentrations(network.system, initial)
    eq = equilibrium_state(network, x0)
    rates, pops = exchange_rates(network, eq)
    V = exsy_volumes(rates, pops, times, t1_s)
    norm = normalized_volumes(V, pops)
    peaks = np.stack([cross_peak_map(v, pops, threshold, min_population) for v in V])
    labels = list(network.species_labels)
    n_a = [s.n_a for s in network.system.species]
    return xr.Dataset(
        {
            "equilibrium_nM": (("species",), eq, {"units": "nmol/L"}),
            "population": (("species",), pops, {"units": "nmol/L of ligand shells"}),
            "rate": (("from_species", "to_species"), rates, {"units": "s^-1"}),
            "volume": (("mixing_time", "row", "column"), V, {"units": "nmol/L"}),
            "normalized": (("mixing_time", "row", "column"), norm, {"units": "1"}),
            "cross_peak": (("mixing_time", "row", "column"), peaks),
        },
        coords={
            "mixing_time": ("mixing_time", times, {"units": "s"}),
            "species": labels,
            "from_species": labels,
            "to_species": labels,
            "row": labels,
            "column": labels,
            "n_a": ("species", n_a),
        },
        attrs={
            "model": network.model.name,
            "mechanism": network.system.mechanism,
            "t1_s": float(t1_s) if t1_s else 0.0,
            "threshold": float(threshold),
            "min_population": float(min_population),
            "source": "Zhong et al., Dalton Trans. 2021, 50, 4727, Figure 4; "
            "Perrin and Dwyer, Chem. Rev. 1990, 90, 935",
            **{k: float(v) for k, v in network.parameters.items()},
        },
    )
