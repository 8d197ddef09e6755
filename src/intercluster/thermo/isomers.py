"""Dimer isomers behind a dimer sum formula, and what collision-induced dissociation
(CID) of that ion would give. Neumaier et al., JACS 2021, 143, 6969, Figure 2 and
the discussion of Figure S10: [Ag25Au25]2- is first mostly [(Ag25)(Au25)]2- and
fragments into [Ag25]- and [Au25]-; late it is mostly [(Ag13Au12)(Ag12Au13)]2-.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from intercluster.errors import ConfigError, FormulaError, bad_value
from intercluster.network.system import DimerSum, ExchangeSystem
from intercluster.validation import finite_array

__all__ = ["cid_fragments", "isomer_shares", "system_of"]


def system_of(ds) -> ExchangeSystem:
    """The :class:`ExchangeSystem` recorded in a simulation Dataset's attrs."""
    return ExchangeSystem(
        str(ds.attrs["metal_a"]),
        str(ds.attrs["metal_b"]),
        int(ds.attrs["n_atoms"]),
        int(ds.attrs["charge"]),
        str(ds.attrs.get("mechanism", "dimer")),
    )


def _rows(ds, times_s):
    """Indices of the output times nearest ``times_s``."""
    times = finite_array("times_s", np.atleast_1d(times_s), ndim=1)
    t = ds.time.values
    if np.any(times < t[0] - 1e-9) or np.any(times > t[-1] + 1e-9):
        raise ConfigError(
            bad_value(
                "times_s",
                times.tolist(),
                f"times within the result, which covers {t[0]:g}..{t[-1]:g} s",
            )
        )
    return [int(np.argmin(np.abs(t - x))) for x in times]


def isomer_shares(ds, sum_formula: str, times_s) -> pd.DataFrame:
    """Share of each dimer isomer of ``sum_formula`` at the output times nearest ``times_s``.

    Parameters
    ----------
    ds : xarray.Dataset from :func:`intercluster.kinetics.simulate`
    sum_formula : str
        e.g. ``"[Ag25Au25]2-"``.
    times_s : float or sequence [s] (output axis)

    Returns
    -------
    pandas.DataFrame
        Index ``time_s`` (the grid times used), one column per isomer label
        (A-richer subunit first, from the most to the least unequal split),
        rows summing to 1 (NaN where the sum formula is absent).

    Raises
    ------
    FormulaError
        If ``sum_formula`` is not a dimer sum formula of this system.
    ConfigError
        If a time lies outside the result.
    """
    system = system_of(ds)
    obj = system.parse(sum_formula)
    if not isinstance(obj, DimerSum):
        raise FormulaError(
            f"{sum_formula!r} is not a dimer sum formula; write e.g. "
            f"'[{system.metal_a}25{system.metal_b}25]2-'"
        )
    idx = [i for i, s in enumerate(system.species) if s.is_dimer and s.n_a == obj.s]
    idx.sort(key=lambda i: -(system.species[i].m - system.species[i].n))
    rows = _rows(ds, times_s)
    conc = ds.concentration.values[np.ix_(rows, idx)]
    total = conc.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total > 0, conc / total, np.nan)
    return pd.DataFrame(
        shares,
        index=pd.Index(ds.time.values[rows], name="time_s"),
        columns=[system.species_labels[i] for i in idx],
    )


def cid_fragments(ds, sum_formula: str, times_s) -> pd.DataFrame:
    """Monomer fragments of ``sum_formula`` if every isomer {m, n} split into M_m + M_n.

    "The fragments always contain 25 metal atoms indicating that the dimers
    consist of two weakly bound monomeric subunits" (002, CID section). Each
    isomer contributes half its share to each of its two subunits.

    Returns
    -------
    pandas.DataFrame
        Index ``time_s``, one column per monomer label with a non-zero share at
        some time, rows summing to 1.
    """
    system = system_of(ds)
    shares = isomer_shares(ds, sum_formula, times_s)
    frag = np.zeros((len(shares), system.n_monomers))
    for label in shares.columns:
        sp = system.parse(label)
        w = shares[label].to_numpy()
        frag[:, sp.m] += 0.5 * np.nan_to_num(w)
        frag[:, sp.n] += 0.5 * np.nan_to_num(w)
    keep = np.flatnonzero(frag.max(axis=0) > 0)
    return pd.DataFrame(
        frag[:, keep],
        index=shares.index,
        columns=[system.species_labels[i] for i in keep],
    )
