"""Element symbols of the periodic table (IUPAC 2016), used to validate formulas."""

from __future__ import annotations

ELEMENT_SYMBOLS: tuple[str, ...] = tuple(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As
    Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb
    Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk
    Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og""".split()
)

_SYMBOLS = frozenset(ELEMENT_SYMBOLS)


def is_element(symbol: str) -> bool:
    """Return True if ``symbol`` is an element symbol (case-sensitive, e.g. ``"Ag"``).

    >>> is_element("Au"), is_element("AU"), is_element("Xx")
    (True, False, False)
    """
    return symbol in _SYMBOLS


#: Elements that are not metals for the purpose of cluster formulas: the
#: non-metals, noble gases and metalloids. Everything else (alkali and
#: alkaline-earth, transition, post-transition metals, lanthanides, actinides)
#: counts as a metal atom of a cluster core.
NON_METALS: frozenset[str] = frozenset(
    "H He B C N O F Ne Si P S Cl Ar Ge As Se Br Kr Sb Te I Xe At Rn Ts Og".split()
)


def is_metal(symbol: str) -> bool:
    """Return True if ``symbol`` is a metal (cluster core atom), False for non-metals.

    Metalloids (B, Si, Ge, As, Sb, Te) count as non-metals.

    >>> is_metal("Ag"), is_metal("Pd"), is_metal("S"), is_metal("Xx")
    (True, True, False, False)
    """
    return symbol in _SYMBOLS and symbol not in NON_METALS
