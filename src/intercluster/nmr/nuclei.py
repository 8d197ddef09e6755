"""Nuclear data for the hydride multiplets of silver-containing clusters.

Sources
-------
- Magnetogyric ratios: R. K. Harris, E. D. Becker, S. M. Cabral de Menezes,
  R. Goodfellow, P. Granger, "NMR nomenclature. Nuclear spin properties and
  conventions for chemical shifts (IUPAC Recommendations 2001)", Pure Appl. Chem.
  2001, 73, 1795-1818, Table 1 [10^7 rad s^-1 T^-1]: 1H 26.7522128,
  2H 4.10662791, 107Ag -1.0889181, 109Ag -1.2518634.
- Natural abundances (mole fractions): CIAAW / IUPAC, J. Meija et al., "Isotopic
  compositions of the elements 2013", Pure Appl. Chem. 2016, 88, 293-306:
  107Ag 0.51839, 109Ag 0.48161; 1H 0.999885, 2H 0.000115.

Checks against Zhong et al., Dalton Trans. 2021, 50, 4727: "51.82% and 48.18%",
"couplings ... are always larger by exactly this factor [1.145] in the 109Ag
case" (the ratio of the magnetogyric ratios is 1.1496; Table 1 gives e.g. 69.8 and
80.2 Hz, ratio 1.149), and "the magnetogyric ratios of 1H and 2H differ by a
factor of 6.51" (6.514).
"""

from __future__ import annotations

from dataclasses import dataclass

from intercluster.errors import ConfigError, bad_value

__all__ = ["NUCLEI", "Nucleus", "gamma_ratio", "get_nucleus"]


@dataclass(frozen=True)
class Nucleus:
    """An isotope as an NMR nucleus.

    Attributes
    ----------
    name : str
        ``"1H"``, ``"2H"``, ``"107Ag"``, ``"109Ag"``.
    spin : float
        Nuclear spin quantum number I.
    gamma_1e7_rad_s_T : float
        Magnetogyric ratio [10^7 rad s^-1 T^-1] (sign included).
    abundance : float
        Natural abundance (mole fraction).
    """

    name: str
    spin: float
    gamma_1e7_rad_s_T: float
    abundance: float


NUCLEI: dict[str, Nucleus] = {
    n.name: n
    for n in (
        Nucleus("1H", 0.5, 26.7522128, 0.999885),
        Nucleus("2H", 1.0, 4.10662791, 0.000115),
        Nucleus("107Ag", 0.5, -1.0889181, 0.51839),
        Nucleus("109Ag", 0.5, -1.2518634, 0.48161),
    )
}

_ALIASES = {"H": "1H", "D": "2H", "1h": "1H", "2h": "2H"}


def get_nucleus(name: str) -> Nucleus:
    """The nucleus called ``name`` (``"1H"``, ``"2H"`` or ``"D"``, ``"107Ag"``, ``"109Ag"``).

    Raises
    ------
    ConfigError
        For an unknown nucleus, listing the known ones.
    """
    key = _ALIASES.get(name, name) if isinstance(name, str) else name
    try:
        return NUCLEI[key]
    except (KeyError, TypeError):
        raise ConfigError(
            bad_value("nucleus", name, f"one of {', '.join(NUCLEI)} (or H, D)")
        ) from None


def gamma_ratio(a: str, b: str) -> float:
    """|gamma(a) / gamma(b)|: the factor between couplings (and frequencies) of a and b.

    >>> round(gamma_ratio("109Ag", "107Ag"), 4), round(gamma_ratio("1H", "2H"), 3)
    (1.1496, 6.514)
    """
    return abs(get_nucleus(a).gamma_1e7_rad_s_T / get_nucleus(b).gamma_1e7_rad_s_T)
