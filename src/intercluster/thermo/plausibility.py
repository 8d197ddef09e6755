"""Are fitted rate constants physically plausible? Neumaier et al., JACS 2021, 143, 6969,
"Plausibility of Rate Constant Values", eqs 4-7.

Defaults are the paper's: DMF at T = 298 K, eta = 0.799 mPa s (ref 49),
eps_r = 38.4 (ref 53), reaction distance R = 12.7 A (twice the radius of
[Au25]-, 6.35 A), two monoanions. They give k_D = 8.3 L nmol^-1 s^-1, f_Debye =
0.53 and f_Debye k_D = 4.4 L nmol^-1 s^-1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import constants as C
from scipy.stats import poisson

from intercluster.validation import integer, positive

__all__ = [
    "DMF",
    "debye_factor",
    "diffusion_limited_rate",
    "dimer_lifetime_s",
    "encounter_limit_ratio",
    "exchange_probabilities",
    "mean_exchanges_per_lifetime",
]

#: N,N-dimethylformamide at 298 K, as used in 002.
DMF = {"viscosity_Pa_s": 0.799e-3, "eps_r": 38.4, "temperature_K": 298.0}

#: m^3 mol^-1 s^-1 -> L nmol^-1 s^-1
_M3_PER_MOL_TO_L_PER_NMOL = 1e3 * 1e-9


def _check(name, value, allow_zero=False):
    return positive(name, value, allow_zero=allow_zero)


def diffusion_limited_rate(
    temperature_K: float = DMF["temperature_K"], viscosity_Pa_s: float = DMF["viscosity_Pa_s"]
) -> float:
    """Diffusion-limited bimolecular rate constant k_D = (8/3)(k_B T/eta) N_A (eq 4).

    Returns
    -------
    float
        k_D [L nmol^-1 s^-1].

    Raises
    ------
    ConfigError
        For a non-positive temperature or viscosity.

    >>> round(diffusion_limited_rate(), 1)   # DMF, 298 K: "8.3 L nmol-1 s-1"
    8.3
    """
    T = _check("temperature_K", temperature_K)
    eta = _check("viscosity_Pa_s", viscosity_Pa_s)
    k_m3 = 8.0 / 3.0 * C.k * T / eta * C.N_A
    return k_m3 * _M3_PER_MOL_TO_L_PER_NMOL


def debye_factor(
    charge_a: int = -1,
    charge_b: int = -1,
    distance_A: float = 12.7,
    eps_r: float = DMF["eps_r"],
    temperature_K: float = DMF["temperature_K"],
) -> float:
    """Debye factor of a diffusion-limited reaction between ions (eq 5).

    f = x / (exp(x) - 1) with x = q_A q_B / (4 pi eps_0 eps_r R k_B T); f < 1 for
    like charges (repulsion), > 1 for opposite charges, 1 if either is neutral.

    Parameters
    ----------
    charge_a, charge_b : int
        Charges in units of e.
    distance_A : float
        Reaction distance R [Angstrom].
    eps_r : float
        Relative permittivity of the solvent.
    temperature_K : float

    Raises
    ------
    ConfigError
        For non-positive distance, permittivity or temperature.

    >>> round(debye_factor(), 2)   # two monoanions in DMF at 12.7 A: "0.53"
    0.53
    """
    qa = integer("charge_a", charge_a)
    qb = integer("charge_b", charge_b)
    R = _check("distance_A", distance_A) * 1e-10
    eps = _check("eps_r", eps_r)
    T = _check("temperature_K", temperature_K)
    x = qa * qb * C.e**2 / (4 * math.pi * C.epsilon_0 * eps * R * C.k * T)
    if x == 0:
        return 1.0
    if x > 700:  # strong repulsion: x e^-x, below the smallest float
        return x * math.exp(-x)
    return x / math.expm1(x)


def encounter_limit_ratio(
    k_dim: float,
    charge_a: int = -1,
    charge_b: int = -1,
    distance_A: float = 12.7,
    eps_r: float = DMF["eps_r"],
    temperature_K: float = DMF["temperature_K"],
    viscosity_Pa_s: float = DMF["viscosity_Pa_s"],
) -> float:
    """How far k_dim lies below the Debye-corrected diffusion limit: f_Debye k_D / k_dim
    (eqs 4-5; the paper's argument that k_dim = 1e-2 L nmol^-1 s^-1 is plausible).

    Parameters
    ----------
    k_dim : float
        Dimerization rate constant [L nmol^-1 s^-1], > 0.
    charge_a, charge_b, distance_A, eps_r, temperature_K, viscosity_Pa_s
        As in :func:`debye_factor` and :func:`diffusion_limited_rate`.

    Returns
    -------
    float
        f_Debye k_D / k_dim (> 1: below the limit, plausible).

    Raises
    ------
    ConfigError
        Unless k_dim is a finite number > 0, or for bad solvent parameters.

    >>> round(encounter_limit_ratio(1e-2))   # sim3: 4.4 / 0.01
    441
    """
    k = _check("k_dim", k_dim)
    kd = diffusion_limited_rate(temperature_K, viscosity_Pa_s)
    return debye_factor(charge_a, charge_b, distance_A, eps_r, temperature_K) * kd / k


def dimer_lifetime_s(k_diss: float) -> float:
    """Mean dimer lifetime tau = 1/k_diss [s] (eq 6).

    Raises
    ------
    ConfigError
        Unless k_diss is a finite number > 0 [s^-1].

    >>> round(dimer_lifetime_s(0.056), 1)
    17.9
    """
    return 1.0 / _check("k_diss", k_diss)


def mean_exchanges_per_lifetime(k_ex: float, k_diss: float) -> float:
    """Mean number of exchanges during a dimer's lifetime, k_ex tau (eq 7).

    With k_ex = 3.2e-2 s^-1: tau = 1/0.056 s gives 0.57 (the paper rounds to
    "on average 0.5 exchanges") and tau = 100 s gives 3.2.
    """
    return _check("k_ex", k_ex, allow_zero=True) * dimer_lifetime_s(k_diss)


def exchange_probabilities(k_ex: float, k_diss: float, k_max: int = 10) -> np.ndarray:
    """Poisson probabilities P(k) of k = 0..k_max exchanges per dimer lifetime (eq 7).

    Returns
    -------
    array, shape (k_max + 1,)
    """
    integer("k_max", k_max, minimum=0)
    return poisson.pmf(np.arange(k_max + 1), mean_exchanges_per_lifetime(k_ex, k_diss))
