"""Initial concentrations [nmol/L] from the ways chemists write a mixture.

Accepted forms (all in nmol/L):

- a mixing string, ``"Ag25:Au25 = 40:40"`` (species joined by ``:``, then ``=``,
  then as many amounts joined by ``:``); a species is a bare metal formula
  (``Ag25``, ``Ag12Au13``: a monomer), a full label (``[Ag25]-``) or a dimer
  isomer (``[(Ag25)(Au25)]2-``);
- a mapping ``{"[Ag25]-": 40, "Au25": 40}``;
- an array of length ``n_species``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from intercluster.errors import ConfigError, FormulaError
from intercluster.network.system import ExchangeSystem

__all__ = ["initial_concentrations", "parse_mixture"]


def parse_mixture(text: str) -> dict[str, float]:
    """Split ``"Ag25:Au25 = 40:40"`` into ``{"Ag25": 40.0, "Au25": 40.0}``.

    Raises
    ------
    ConfigError
        If the text is not ``names = amounts`` with as many names as amounts.

    >>> parse_mixture("Ag25:Au25 = 100:60")
    {'Ag25': 100.0, 'Au25': 60.0}
    """
    if text.count("=") != 1:
        raise ConfigError(
            f"initial = {text!r}: write the mixture as 'Ag25:Au25 = 40:40' "
            "(species, '=', amounts in nmol/L)"
        )
    left, right = (part.strip() for part in text.split("="))
    # a dimer isomer label contains ':' nowhere, so ':' separates species safely
    names = [n.strip() for n in left.split(":")]
    try:
        amounts = [float(a) for a in re.split(r"\s*:\s*", right)]
    except ValueError:
        raise ConfigError(
            f"initial = {text!r}: the amounts after '=' must be numbers [nmol/L] joined by ':'"
        ) from None
    if len(names) != len(amounts) or any(not n for n in names):
        raise ConfigError(
            f"initial = {text!r}: {len(names)} species but {len(amounts)} amounts; "
            "give one amount per species"
        )
    out: dict[str, float] = {}
    for name, amount in zip(names, amounts):
        out[name] = out.get(name, 0.0) + amount
    return out


def _species_label(system: ExchangeSystem, name: str) -> str:
    name = name.strip()
    if name.startswith("["):
        return name
    if not isinstance(system, ExchangeSystem):
        # a general model: a bare core formula names the free cluster of the family
        # that has it (fragments by their name)
        try:
            return system.bare_label(name)
        except FormulaError as exc:
            raise ConfigError(f"initial: {exc}") from None
    from intercluster.network.system import format_charge

    return f"[{name}]{format_charge(system.charge)}"


#: Initial concentrations from mixture strings, by (system, text) (the string parsed and
#: checked once; callers get copies).
_FROM_TEXT: dict = {}


def initial_concentrations(
    system: ExchangeSystem, initial: str | Mapping[str, float] | np.ndarray
) -> np.ndarray:
    """Initial concentration of every species, shape (n_species,) [nmol/L].

    Parameters
    ----------
    system : ExchangeSystem or ClusterSystem
        For a general model, species are named by their label (``[PdAg24(DMBT)18]2-``),
        a bare core formula of one family's free cluster (``Ag25``) or a fragment name.
    initial : str, mapping or array
        See the module docstring.

    Raises
    ------
    ConfigError
        For unknown species, negative, non-finite or all-zero amounts, or an
        array of the wrong length.

    Examples
    --------
    >>> sys = ExchangeSystem("Ag", "Au", 25)
    >>> x0 = initial_concentrations(sys, "Ag25:Au25 = 40:40")
    >>> x0[sys.index("[Ag25]-")], x0[sys.index("[Au25]-")], x0.sum()
    (np.float64(40.0), np.float64(40.0), np.float64(80.0))
    """
    n = len(system.species)
    if isinstance(initial, str):
        try:
            key = (system, initial)
            x0 = _FROM_TEXT.get(key)
        except TypeError:  # a system that cannot be a key: no cache
            return initial_concentrations(system, parse_mixture(initial))
        if x0 is None:
            x0 = initial_concentrations(system, parse_mixture(initial))
            if len(_FROM_TEXT) > 64:  # N = 144: 86 kB each
                _FROM_TEXT.clear()
            _FROM_TEXT[key] = x0
        return x0.copy()
    if isinstance(initial, Mapping):
        x0 = np.zeros(n)
        for name, amount in initial.items():
            label = _species_label(system, str(name))
            try:
                idx = system.index(label)
            except FormulaError as exc:
                raise ConfigError(f"initial: {exc}") from None
            if isinstance(amount, bool) or not isinstance(amount, int | float | np.number):
                raise ConfigError(f"initial: {name} = {amount!r}: a concentration in nmol/L")
            x0[idx] += float(amount)
    else:
        x0 = np.array(initial, dtype=float)
        if x0.shape != (n,):
            raise ConfigError(f"initial: an array of {x0.size} values; this system has {n} species")
    bad = np.flatnonzero(~(np.isfinite(x0) & (x0 >= 0)))
    if bad.size:
        i = int(bad[0])
        raise ConfigError(
            f"initial: {system.species_labels[i]} = {x0[i]!r}: concentrations must be "
            "finite and >= 0 [nmol/L]"
        )
    if not np.any(x0 > 0):
        raise ConfigError("initial: all concentrations are zero; give at least one > 0 [nmol/L]")
    return x0
