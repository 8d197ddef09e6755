"""Hydride (1H) and deuteride (2H) multiplets of clusters with k silver atoms.

Zhong et al., Dalton Trans. 2021, 50, 4727 ("Characterization of the product
distributions ... by multi-NMR spectroscopy", Table 1): the hydride of
Cu_xAg_(7-x)(H) couples equally to all k = 7 - x silver atoms (fast
intramolecular exchange averages the couplings). Natural silver is a mixture of
107Ag and 109Ag, both spin 1/2, so the signal is the sum over the isotopomers
107Ag_(k-j) 109Ag_j, with probability C(k, j) a107^(k-j) a109^j, of first-order
multiplets: a binomial (k - j + 1)-plet with J(H-107Ag) convolved with a binomial
(j + 1)-plet with J(H-109Ag) = J(H-107Ag) gamma(109Ag)/gamma(107Ag).

The lines fall into k + 1 groups (total spin projection) of up to k + 1 lines
each: "a pair of doublets" for Cu6Ag(H) (k = 1), "a pseudo triplet of triplets"
for Cu5Ag2(H), "a pseudo quartet of quartets" and "a pseudo quintet of quintets"
for Cu4Ag3(H) and Cu3Ag4(H). For the deuteride the couplings shrink by
gamma(2H)/gamma(1H) = 1/6.51, and the two silver isotopes' lines merge: the
"doublet observed at 1.22 ppm in the 2H NMR spectrum" of Cu6Ag(D).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy.special import comb

from intercluster.errors import ConfigError, FormulaError, bad_value
from intercluster.nmr.nuclei import gamma_ratio, get_nucleus
from intercluster.validation import fraction, in_range, integer

__all__ = [
    "Multiplet",
    "count_resolved_lines",
    "hydride_multiplet",
    "line_groups",
    "parse_hydride_cluster",
    "silver_count",
    "zhong2021_table1",
]

#: Metals whose couplings to the hydride are not resolved (quadrupolar nuclei:
#: 63Cu/65Cu I = 3/2, 197Au I = 3/2), so they add no splitting (Zhong et al. 2021 treats Cu so).
NON_COUPLING_METALS = ("Cu", "Au")


@dataclass(frozen=True)
class Multiplet:
    """Stick spectrum of one cluster's hydride (or deuteride) signal.

    Attributes
    ----------
    offsets_hz : ndarray, shape (L,)
        Line positions relative to the chemical shift [Hz], increasing.
    intensities : ndarray, shape (L,)
        Line intensities, summing to 1 (one cluster).
    nucleus : str
        Observed nucleus, ``"1H"`` or ``"2H"``.
    n_ag : int
        Number k of equally coupled silver atoms.
    j107_hz, j109_hz : float
        Couplings of the observed nucleus to 107Ag and 109Ag [Hz].
    """

    offsets_hz: np.ndarray
    intensities: np.ndarray
    nucleus: str
    n_ag: int
    j107_hz: float
    j109_hz: float

    def frequency_mhz(self, field_1h_mhz: float) -> float:
        """Observation frequency of the nucleus [MHz] on a spectrometer whose 1H
        frequency is ``field_1h_mhz``."""
        return field_1h_mhz * gamma_ratio(self.nucleus, "1H")

    def spectrum(
        self,
        shift_ppm: float,
        field_1h_mhz: float,
        width_hz: float = 2.0,
        ppm=None,
        n_points: int = 4001,
    ):
        """Sum of Lorentzian lines (area = intensity) on a ppm axis.

        Parameters
        ----------
        shift_ppm : float
            Chemical shift of the multiplet centre [ppm].
        field_1h_mhz : float
            Spectrometer 1H frequency [MHz] (e.g. 600); the observed nucleus'
            frequency follows from the magnetogyric ratios.
        width_hz : float
            Full width at half maximum [Hz], > 0.
        ppm : array, optional
            Axis [ppm]; default: n_points spanning the multiplet plus 10 widths.

        Returns
        -------
        (ppm, intensity) : two ndarrays of shape (n,)
            Intensity per Hz (the spectrum integrates to 1 over Hz).

        Raises
        ------
        ConfigError
            For a non-positive field or width.
        """
        _positive("field_mhz", field_1h_mhz, "MHz")
        _positive("width_hz", width_hz, "Hz")
        nu0 = self.frequency_mhz(field_1h_mhz)
        if ppm is None:
            span = float(np.max(np.abs(self.offsets_hz))) + 10 * width_hz
            ppm = shift_ppm + np.linspace(-span, span, n_points) / nu0
        ppm = np.asarray(ppm, dtype=float)
        hz = (ppm - shift_ppm) * nu0
        half = width_hz / 2
        lor = half / np.pi / ((hz[:, None] - self.offsets_hz[None, :]) ** 2 + half**2)
        return ppm, lor @ self.intensities


#: Upper bounds that keep the spectrum finite: NMR magnets reach ~1.2 GHz (1H), J
#: couplings to silver are tens of Hz, lines are at most kHz wide.
MAXIMA = {"MHz": 1e4, "Hz": 1e6}


def _positive(name, value, unit) -> float:
    return in_range(name, value, 0.0, MAXIMA[unit], low_open=True, unit=unit)


def hydride_multiplet(
    n_ag: int,
    j107_hz: float,
    nucleus: str = "1H",
    j109_hz: float | None = None,
    abundance_107: float | None = None,
) -> Multiplet:
    """First-order multiplet of a hydride/deuteride coupled equally to ``n_ag`` silver atoms.

    Parameters
    ----------
    n_ag : int
        Number k of silver atoms (0 gives a singlet).
    j107_hz : float
        J(1H-107Ag) [Hz], as in Table 1 of Zhong et al. 2021 (a magnitude, > 0).
        For ``nucleus="2H"`` the deuteride coupling J(1H-107Ag) x gamma(2H)/gamma(1H)
        is used.
    nucleus : {"1H", "2H"}
        Observed nucleus (the hydride H or the deuteride D).
    j109_hz : float, optional
        J(1H-109Ag) [Hz]; default J(1H-107Ag) x gamma(109Ag)/gamma(107Ag) (1.1496).
        Scaled for 2H like j107_hz.
    abundance_107 : float, optional
        Fraction of 107Ag (default natural, 0.51839); 109Ag has the rest.

    Returns
    -------
    Multiplet
        Distinct lines (equal positions merged), intensities summing to 1.

    Raises
    ------
    ConfigError
        For an unknown nucleus (not 1H/2H), n_ag < 0, non-positive or non-finite
        couplings, or an abundance outside [0, 1].

    Examples
    --------
    >>> m = hydride_multiplet(1, 69.8)        # Cu6Ag(H): a pair of doublets
    >>> m.offsets_hz.round(2), m.intensities.round(4)
    (array([-40.12, -34.9 ,  34.9 ,  40.12]), array([0.2408, 0.2592, 0.2592, 0.2408]))
    """
    observed = get_nucleus(nucleus)
    if observed.name not in ("1H", "2H"):
        raise ConfigError(bad_value("nucleus", nucleus, "the observed hydride: 1H or 2H"))
    integer("n_ag", n_ag, minimum=0, what="a number of silver atoms")
    j107 = _positive("j107_hz", j107_hz, "Hz")
    j109 = (
        j107 * gamma_ratio("109Ag", "107Ag")
        if j109_hz is None
        else _positive("j109_hz", j109_hz, "Hz")
    )
    scale = gamma_ratio(observed.name, "1H")
    j107, j109 = j107 * scale, j109 * scale
    a107 = get_nucleus("107Ag").abundance if abundance_107 is None else abundance_107
    a107 = fraction("abundance_107", a107)
    k = int(n_ag)
    positions, weights = [], []
    for j in range(k + 1):  # j atoms of 109Ag
        p_iso = comb(k, j) * a107 ** (k - j) * (1 - a107) ** j
        if p_iso == 0:
            continue
        i1 = np.arange(k - j + 1)
        i2 = np.arange(j + 1)
        pos = j107 * (i1[:, None] - (k - j) / 2) + j109 * (i2[None, :] - j / 2)
        w = (comb(k - j, i1)[:, None] / 2 ** (k - j)) * (comb(j, i2)[None, :] / 2**j)
        positions.append(pos.ravel())
        weights.append(p_iso * w.ravel())
    pos = np.concatenate(positions)
    w = np.concatenate(weights)
    key = np.round(pos, 9)
    uniq, inverse = np.unique(key, return_inverse=True)
    return Multiplet(
        offsets_hz=uniq,
        intensities=np.bincount(inverse, weights=w),
        nucleus=observed.name,
        n_ag=k,
        j107_hz=j107,
        j109_hz=j109,
    )


def line_groups(multiplet: Multiplet) -> list[np.ndarray]:
    """The lines grouped by total spin projection (the "pseudo (k+1)-et"): lines
    closer than half of J(107Ag) belong to one group.

    Returns
    -------
    list of ndarray
        Offsets [Hz] of each group, from low to high frequency.
    """
    x = multiplet.offsets_hz
    if len(x) == 0:
        return []
    cuts = np.flatnonzero(np.diff(x) > multiplet.j107_hz / 2) + 1
    return np.split(x, cuts)


def count_resolved_lines(intensity: np.ndarray, rel_prominence: float = 1e-3) -> int:
    """Number of local maxima of a spectrum with prominence above ``rel_prominence``
    x its maximum (what the eye counts as resolved lines).

    Parameters
    ----------
    intensity : array, shape (n,)
    """
    from scipy.signal import find_peaks

    y = np.asarray(intensity, dtype=float)
    peaks, _ = find_peaks(y, prominence=rel_prominence * float(y.max()))
    return len(peaks)


def parse_hydride_cluster(text: str) -> tuple[dict[str, int], str | None]:
    """Core metals and hydride isotope of a cluster, in the notation of
    :class:`intercluster.chem.Ion`: ``[Cu5Ag2(H)(dsep)6]``, ``Cu6Ag(H)``,
    ``[CuAg6(D)]``, ``Cu4Ag3(H){Se2P(OiPr)2}6`` or the bare ``Cu5Ag2H``.
    Adducts (``+ Ag``) are not part of the core and do not couple.

    Returns
    -------
    (dict, str or None)
        Core metal counts, e.g. {"Cu": 6, "Ag": 1}, and ``"1H"``, ``"2H"`` or None if
        no hydride is written.

    Raises
    ------
    FormulaError
        For text that is not a formula (the parser names the position), or a
        cluster with more than one hydride.

    >>> parse_hydride_cluster("[Cu5Ag2(D)(dsep)6]")
    ({'Cu': 5, 'Ag': 2}, '2H')
    """
    from intercluster.chem import Ion

    ion = Ion(str(text).strip())
    hydrides = {lig.name: n for lig, n in ion.ligands.items() if lig.kind == "hydride"}
    if not hydrides:
        # a bare formula such as Cu5Ag2H: one H or D atom next to the metals
        rest = {k: v for k, v in ion.composition.items() if k not in ion.metals}
        hydrides = {"D" if k == "2H" else k: v for k, v in rest.items() if k in ("H", "2H")}
        if set(rest) - {"H", "2H"}:
            hydrides = {}
    if sum(hydrides.values()) > 1:
        raise FormulaError(
            f"cluster {text!r}: {sum(hydrides.values())} hydrides; the multiplet is for one "
            "hydride coupled to the silver atoms"
        )
    nucleus = {"H": "1H", "D": "2H"}[next(iter(hydrides))] if hydrides else None
    return dict(ion.metals), nucleus


def silver_count(counts: dict[str, int]) -> int:
    """Number of coupled silver atoms in a cluster's metal counts.

    Raises
    ------
    ConfigError
        For a metal whose couplings to the hydride are not modelled (anything other
        than Ag, Cu, Au).
    """
    for metal in counts:
        if metal != "Ag" and metal not in NON_COUPLING_METALS:
            raise ConfigError(
                bad_value(
                    "metal",
                    metal,
                    "Ag (107Ag/109Ag, coupled) or Cu/Au (quadrupolar, no resolved coupling); "
                    "no nuclear data for other metals",
                )
            )
    return counts.get("Ag", 0)


def zhong2021_table1():
    """Table 1 of Zhong et al., Dalton Trans. 2021 (Cu_xAg_(7-x)(H){Se2P(OiPr)2}6):
    1H, 109Ag, 31P and 77Se shifts [ppm] and couplings [Hz] per composition.

    Returns
    -------
    pandas.DataFrame
        Index: labels ``[Cu7]`` ... ``[Ag7]``; columns as in
        ``src/intercluster/data/zhong2021_table1.csv`` (its header documents them).
    """
    import pandas as pd

    ref = resources.files("intercluster") / "data" / "zhong2021_table1.csv"
    with resources.as_file(ref) as path:
        return pd.read_csv(path, comment="#", index_col="species")
