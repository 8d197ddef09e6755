"""Collision-induced dissociation (CID): breakdown curves, E50, fragment shares.

A mass-selected precursor is collided with a gas at a laboratory collision energy
E_lab; its fragment spectrum at each energy is deconvolved against the precursor
and the fragment ions (:mod:`intercluster.ms.deconvolve`), and

- the **survival yield** is S(E) = I_precursor / (I_precursor + sum I_fragments),
- the **fragment yield** of fragment i is I_i / (I_precursor + sum I_fragments),

with standard errors from the deconvolution's covariance. The survival curve is
fitted with the sigmoid S(E) = 1 / (1 + exp((E - E50) / w)) by
:func:`scipy.optimize.curve_fit`; E50 (50 % survival) and the width w come with
their standard errors from the covariance of the fit. Acharya et al., J. Phys.
Chem. C 2025 (doi:10.1021/acs.jpcc.4c07077), Figures 3-5: CID of the dimer ions
[MAg53-xL12L'16]3- with collision-energy ramps 0-60 CE, normalised intensities of
the dimers falling and of [Ag29L12]3- rising after 30-40 CE (Figure 4).

At one fixed energy (Neumaier et al., JACS 2021, 143, 6969, Figure 2: CID of
[Ag25Au25]2- at E_lab = 30 eV after different reaction times) the observed shares
of the monomer fragments are compared with those that the dimer isomers of a
simulation predict (:func:`intercluster.thermo.isomers.cid_fragments`; the CLI
composes the two, ``ms`` does not import ``thermo``).

Intensities: negative values (baseline-subtracted spectra) are accepted and used
as they are, both in the deconvolution (the abundances stay >= 0) and hence in
the yields and the sigmoid fit. NaN or infinite values are refused.

Input: an mzML file with the collision energy of every scan (the "collision
energy" CV term, MS:1000045, of the scan's precursor activation), a folder of
spectrum files (text or single-scan mzML) whose names carry the energy
(``ce_15.csv``, ``15eV.mzML``), or one CSV table with columns
``collision_energy``, ``mz``, ``intensity``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError, DataError, SolverError, bad_value
from intercluster.ms.candidates import Candidate
from intercluster.ms.deconvolve import Deconvolver, candidate_window
from intercluster.ms.patterns import DEFAULT_RESOLVING_POWER

__all__ = [
    "BreakdownCurves",
    "CIDSpectrum",
    "SigmoidFit",
    "breakdown_curves",
    "compare_fragment_shares",
    "fit_sigmoid",
    "fragment_shares",
    "read_cid_spectra",
    "survival_sigmoid",
]

#: Column names accepted for the collision energy in a CSV table (case-insensitive).
ENERGY_COLUMNS = ("collision_energy", "collision_energy_ev", "ce", "energy_ev", "e_lab")


@dataclass(frozen=True, eq=False)
class CIDSpectrum:
    """One fragment spectrum at one collision energy.

    Parameters
    ----------
    mz : array_like, shape (n,)
        m/z [Th], strictly ascending, finite.
    intensity : array_like, shape (n,)
        Intensities, finite; negative values (baseline-subtracted) are allowed.
    collision_energy : float
        Laboratory-frame collision energy [eV] (instrument "CE" units where the
        vendor reports no unit), finite.
    source : str

    Raises
    ------
    DataError
        For unequal lengths, fewer than 2 points, NaN/infinite values, m/z not
        ascending, or a collision energy that is not a finite number.
    """

    mz: np.ndarray
    intensity: np.ndarray
    collision_energy: float
    source: str = field(default="spectrum")

    def __post_init__(self) -> None:
        from intercluster.ms.spectrum import Spectrum

        # the same checks as every spectrum (negative intensities are accepted there too)
        checked = Spectrum(self.mz, self.intensity, source=self.source)
        mz, y, src = checked.mz, checked.intensity, self.source
        try:
            energy = float(self.collision_energy)
        except (TypeError, ValueError):
            energy = float("nan")
        if not np.isfinite(energy):
            raise DataError(
                f"{src}: collision energy {self.collision_energy!r} is not a finite number"
            )
        object.__setattr__(self, "mz", mz)
        object.__setattr__(self, "intensity", y)
        object.__setattr__(self, "collision_energy", energy)


# ------------------------------------------------------------------ reading
_ENERGY_IN_NAME = re.compile(
    r"(?:ce|e|energy)[_\-=]?(\d+(?:\.\d*)?)|(\d+(?:\.\d*)?)\s*(?:ev|v)(?![a-z])", re.IGNORECASE
)


def _energy_from_name(name: str) -> float:
    stem = Path(name).stem
    hits = [float(a or b) for a, b in _ENERGY_IN_NAME.findall(stem)]
    if len(hits) != 1:
        numbers = re.findall(r"\d+(?:\.\d*)?", stem)
        if not hits and len(numbers) == 1:
            return float(numbers[0])
        raise DataError(
            f"file name {Path(name).name!r}: {'several' if hits else 'no'} collision energies "
            f"found; name each spectrum by its energy, e.g. 'ce_15.csv' or '15eV.mzML'"
        )
    return hits[0]


def _activation_energy(spec: dict) -> float | None:
    try:
        precursors = spec["precursorList"]["precursor"]
    except (KeyError, TypeError):
        precursors = []
    for p in precursors or []:
        act = p.get("activation", {}) if isinstance(p, dict) else {}
        if "collision energy" in act:
            return float(act["collision energy"])
    for scan in (spec.get("scanList") or {}).get("scan", []) or []:
        if isinstance(scan, dict) and "collision energy" in scan:
            return float(scan["collision energy"])
    return None


def _read_mzml(path: Path, default_energy: float | None) -> list[CIDSpectrum]:
    from lxml.etree import LxmlError
    from pyteomics import mzml
    from pyteomics.auxiliary import PyteomicsError

    out: list[CIDSpectrum] = []
    try:
        with mzml.MzML(str(path), use_index=False, decode_binary=True) as reader:
            for index, spec in enumerate(reader):
                source = f"{path} scan {index} ({spec.get('id', '?')})"
                if "m/z array" not in spec or "intensity array" not in spec:
                    raise DataError(f"{source}: no m/z or intensity array; export profile spectra")
                energy = _activation_energy(spec)
                if energy is None:
                    energy = default_energy
                if energy is None:
                    raise DataError(
                        f"{source}: no collision energy; a breakdown curve needs the "
                        f"'collision energy' (MS:1000045) of every scan's precursor activation, "
                        f"or one file per energy named by it ('ce_15.mzML')"
                    )
                out.append(CIDSpectrum(spec["m/z array"], spec["intensity array"], energy, source))
    except (PyteomicsError, LxmlError, OSError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: cannot be read as mzML ({type(exc).__name__}: {exc})") from None
    if not out:
        raise DataError(f"{path}: no scans found")
    return out


def _separator(path: Path) -> dict:
    """read_csv arguments for the file's separator (comma, semicolon, tab or spaces)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for line in fh:
                s = line.strip()
                if s and not s.startswith("#"):
                    break
            else:
                s = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as text ({exc})") from None
    for d in (",", ";", "\t"):
        if d in s:
            return {"sep": d, "engine": "c"}
    return {"sep": r"\s+", "engine": "python"}


def _read_table(path: Path) -> list[CIDSpectrum]:
    import pandas as pd

    sep = _separator(path)
    try:
        frame = pd.read_csv(path, comment="#", encoding="utf-8-sig", **sep)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read as a CSV table ({exc})") from None
    cols = {str(c).strip().lower(): c for c in frame.columns}
    energy_col = next((cols[c] for c in ENERGY_COLUMNS if c in cols), None)
    if energy_col is None or "mz" not in cols or "intensity" not in cols:
        if energy_col is None and frame.shape[1] == 2:
            return [_two_column(path)]
        raise DataError(
            f"{path}: a CID table needs the columns collision_energy, mz, intensity "
            f"(found {list(frame.columns)[:5]})"
        )
    out = []
    for name in (energy_col, cols["mz"], cols["intensity"]):
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy()
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            text = str(frame[name].iloc[bad[0]])
            raise DataError(
                f"{path}: row {bad[0] + 2}: column {name!r} value {text!r} is not a finite number"
            )
    for energy, part in frame.groupby(energy_col, sort=True):
        part = part.sort_values(cols["mz"])
        out.append(
            CIDSpectrum(
                part[cols["mz"]].to_numpy(float),
                part[cols["intensity"]].to_numpy(float),
                float(energy),
                f"{path} (collision energy {float(energy):g})",
            )
        )
    if not out:
        raise DataError(f"{path}: the table has no rows")
    return out


def _two_column(path: Path, energy: float | None = None) -> CIDSpectrum:
    import pandas as pd

    sep = _separator(path)
    try:
        frame = pd.read_csv(path, comment="#", header=None, encoding="utf-8-sig", **sep)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read as a two-column spectrum ({exc})") from None
    if frame.shape[1] != 2 or len(frame) == 0:
        raise DataError(f"{path}: expected two columns 'm/z,intensity'")
    first = pd.to_numeric(frame.iloc[0], errors="coerce")
    if first.isna().all():
        frame = frame.iloc[1:]
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        raise DataError(f"{path}: line {int(bad[0][0]) + 1}: value is not a finite number")
    if energy is None:
        energy = _energy_from_name(path.name)
    return CIDSpectrum(values[:, 0], values[:, 1], energy, str(path))


def read_cid_spectra(source: str | os.PathLike) -> list[CIDSpectrum]:
    """Fragment spectra with their collision energies, sorted by energy.

    Parameters
    ----------
    source : path
        An mzML file (energy of each scan from its precursor activation), a
        folder of ``.csv/.txt/.mzML`` files named by their energy, or a CSV
        table with columns ``collision_energy``, ``mz``, ``intensity``.

    Returns
    -------
    list of CIDSpectrum
        Sorted by collision energy (stable for repeated energies).

    Raises
    ------
    DataError
        If the source does not exist or is empty, a scan has no collision
        energy, a file name carries none, or a value is NaN/infinite (the
        message names the file and scan or line).
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.is_file()
            and not p.name.startswith(".")
            and p.suffix.lower() in (".csv", ".txt", ".tsv", ".mzml")
        )
        if not files:
            raise DataError(f"folder {str(path)!r} holds no spectrum files (.csv, .txt, .mzML)")
        out: list[CIDSpectrum] = []
        for p in files:
            if p.suffix.lower() == ".mzml":
                scans = _read_mzml(p, None if _has_energies(p) else _energy_from_name(p.name))
                out += scans
            else:
                out.append(_two_column(p))
    elif not path.is_file():
        raise DataError(f"CID spectra source {str(path)!r} does not exist")
    elif path.suffix.lower() == ".mzml":
        out = _read_mzml(path, None)
    else:
        out = _read_table(path)
    return sorted(out, key=lambda s: s.collision_energy)


def _has_energies(path: Path) -> bool:
    try:
        head = path.read_bytes()[:2_000_000]
    except OSError:
        return False
    return b"MS:1000045" in head or b"collision energy" in head


# ------------------------------------------------------------------ curves
def survival_sigmoid(energy, e50: float, width: float) -> np.ndarray:
    """S(E) = 1 / (1 + exp((E - E50) / w)): survival yield vs collision energy [eV]."""
    arg = np.clip((np.asarray(energy, dtype=float) - e50) / width, -700.0, 700.0)
    return 1.0 / (1.0 + np.exp(arg))


@dataclass(frozen=True)
class SigmoidFit:
    """Sigmoid fit of a survival curve.

    Attributes
    ----------
    e50, e50_stderr : float
        Collision energy of 50 % survival [eV] and its standard error.
    width, width_stderr : float
        Width w [eV] of S(E) = 1 / (1 + exp((E - E50) / w)) and its standard error.
    covariance : ndarray, shape (2, 2)
        Covariance of (E50, w) from ``curve_fit`` (scaled by the residual variance).
    residual_rms : float
        RMS of the survival residuals.
    """

    e50: float
    e50_stderr: float
    width: float
    width_stderr: float
    covariance: np.ndarray = field(repr=False)
    residual_rms: float = float("nan")


def fit_sigmoid(energy, survival, stderr=None) -> SigmoidFit:
    """Fit S(E) = 1 / (1 + exp((E - E50) / w)) to survival yields.

    Parameters
    ----------
    energy : array_like, shape (n,)
        Collision energies [eV].
    survival : array_like, shape (n,)
        Survival yields (used as they are, also if slightly negative or > 1).
    stderr : array_like, shape (n,), optional
        Standard errors; used as relative weights (``sigma``) when all are
        finite and > 0. The covariance is scaled by the residual variance
        (``absolute_sigma=False``), so E50's error reflects the scatter too.

    Returns
    -------
    SigmoidFit

    Raises
    ------
    DataError
        For fewer than 3 energies, fewer than 2 distinct energies, or NaN values.
    SolverError
        If the least-squares fit does not converge.

    Examples
    --------
    >>> import numpy as np
    >>> e = np.arange(0.0, 61.0, 5.0)
    >>> fit = fit_sigmoid(e, survival_sigmoid(e, 25.0, 4.0))
    >>> round(fit.e50, 3), round(fit.width, 3)
    (25.0, 4.0)
    """
    import scipy.optimize

    e = np.asarray(energy, dtype=float)
    s = np.asarray(survival, dtype=float)
    if e.shape != s.shape or e.ndim != 1:
        raise DataError(bad_value("survival", f"shape {s.shape}", f"shape {e.shape} of energy"))
    if len(e) < 3 or len(np.unique(e)) < 2:
        raise DataError(
            f"a sigmoid fit needs at least 3 spectra at 2 or more collision energies "
            f"(got {len(e)} at {len(np.unique(e))})"
        )
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(s))):
        raise DataError("energy and survival must be finite numbers")
    sigma = None
    if stderr is not None:
        se = np.asarray(stderr, dtype=float)
        if se.shape == e.shape and np.all(np.isfinite(se)) and np.all(se > 0):
            sigma = np.maximum(se, 1e-3 * float(np.median(se)))
    order = np.argsort(e)
    below = np.flatnonzero(s[order] < 0.5)
    e50_0 = float(e[order][below[0]]) if len(below) else float(e.max())
    width_0 = max((float(e.max()) - float(e.min())) / 10.0, 1e-6)
    try:
        popt, pcov = scipy.optimize.curve_fit(
            survival_sigmoid, e, s, p0=[e50_0, width_0], sigma=sigma, maxfev=10_000
        )
    except (RuntimeError, ValueError) as exc:
        raise SolverError(f"sigmoid fit of the survival curve did not converge: {exc}") from None
    if not np.all(np.isfinite(pcov)):
        raise SolverError(
            "sigmoid fit: E50 and width are not determined by these energies (no point "
            "near 50 % survival?); add collision energies around the fall of the curve"
        )
    resid = s - survival_sigmoid(e, *popt)
    err = np.sqrt(np.maximum(np.diag(pcov), 0.0))
    return SigmoidFit(
        float(popt[0]),
        float(err[0]),
        float(popt[1]),
        float(err[1]),
        pcov,
        float(np.sqrt(np.mean(resid**2))),
    )


@dataclass(frozen=True)
class BreakdownCurves:
    """Survival and fragment yields vs collision energy.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per spectrum: ``collision_energy`` [eV], ``survival``,
        ``survival_stderr``, then ``<fragment label>`` and
        ``<fragment label>_stderr`` for each fragment, ``residual_rms``.
    precursor : str
        Label of the precursor.
    fragments : tuple of str
        Fragment labels.
    fit : SigmoidFit or None
        Sigmoid fit of the survival curve (None if it could not be made).
    """

    table: object
    precursor: str
    fragments: tuple
    fit: SigmoidFit | None = None


def _fit_spectrum(spec: CIDSpectrum, cands, resolving_power, baseline, cache):
    key = (len(spec.mz), float(spec.mz[0]), float(spec.mz[-1]), hash(spec.mz.tobytes()))
    if key not in cache:
        cache[key] = Deconvolver(cands, spec.mz, resolving_power, baseline)
    res = cache[key].fit(spec.intensity)
    try:
        f, err = res.fractions()
    except DataError:
        raise DataError(
            f"{spec.source}: neither the precursor nor a fragment was found; check the "
            f"candidates and the m/z range"
        ) from None
    return f, err, res


def breakdown_curves(
    spectra: Sequence[CIDSpectrum],
    precursor: Candidate,
    fragments: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    baseline: str = "linear",
    fit: bool = True,
) -> BreakdownCurves:
    """Survival yield of a precursor and fragment yields at each collision energy.

    Parameters
    ----------
    spectra : sequence of CIDSpectrum
        At least one; for a sigmoid fit at least 3 at 2 or more energies.
    precursor : Candidate
        The mass-selected ion.
    fragments : sequence of Candidate
        Fragment ions (e.g. [Ag29L12]3-, [AgL'2]-, ... for the dimers of Acharya
        et al. 2025; the monomers [Ag_m Au_(25-m)]- for the dimers of Neumaier et al. 2021).
    resolving_power : float
    baseline : {"none", "constant", "linear"}
    fit : bool
        Fit the sigmoid (skipped, with ``fit`` None, for fewer than 3 spectra).

    Returns
    -------
    BreakdownCurves

    Raises
    ------
    ConfigError
        For no fragments, a fragment equal to the precursor, or no candidate on
        a spectrum's m/z range.
    DataError
        For no spectra or a spectrum without any candidate signal.
    SolverError
        If the sigmoid fit fails.
    """
    import pandas as pd

    if not spectra:
        raise DataError("no CID spectra given")
    if not fragments:
        raise ConfigError("breakdown curves need at least one fragment ion")
    if any(f.ion == precursor.ion for f in fragments):
        raise ConfigError(f"fragment {precursor.label!r} is the precursor itself")
    cands = [precursor, *fragments]
    labels = [c.label for c in fragments]
    lo, hi = candidate_window(cands, resolving_power)
    cache: dict = {}
    rows = []
    for spec in spectra:
        keep = (spec.mz >= lo) & (spec.mz <= hi)
        if np.count_nonzero(keep) >= 2:
            spec = CIDSpectrum(
                spec.mz[keep], spec.intensity[keep], spec.collision_energy, spec.source
            )
        f, err, res = _fit_spectrum(spec, cands, resolving_power, baseline, cache)
        f, err = np.nan_to_num(f), np.nan_to_num(err)
        row = {
            "collision_energy": spec.collision_energy,
            "survival": f[0],
            "survival_stderr": err[0],
        }
        for j, lab in enumerate(labels, start=1):
            row[lab] = f[j]
            row[f"{lab}_stderr"] = err[j]
        row["residual_rms"] = res.residual_rms
        rows.append(row)
    table = pd.DataFrame(rows)
    sig = None
    if fit and len(table) >= 3 and table["collision_energy"].nunique() >= 2:
        sig = fit_sigmoid(table["collision_energy"], table["survival"], table["survival_stderr"])
    return BreakdownCurves(table, precursor.label, tuple(labels), sig)


# ----------------------------------------------------------- fixed energy
def fragment_shares(
    spectrum: CIDSpectrum,
    precursor: Candidate,
    fragments: Sequence[Candidate],
    resolving_power: float = DEFAULT_RESOLVING_POWER,
    baseline: str = "linear",
):
    """Shares of the fragment ions among all fragments in one CID spectrum.

    Neumaier et al., JACS 2021, 143, 6969, Figure 2: the monomer fragments of
    [Ag25Au25]2- at E_lab = 30 eV.

    Returns
    -------
    pandas.DataFrame
        Index: fragment label; columns ``observed`` (sums to 1 over the
        fragments) and ``observed_stderr``.

    Raises
    ------
    DataError
        If no fragment signal is found.
    """
    import pandas as pd

    curves = breakdown_curves([spectrum], precursor, fragments, resolving_power, baseline, False)
    row = curves.table.iloc[0]
    y = np.array([row[lab] for lab in curves.fragments])
    e = np.array([row[f"{lab}_stderr"] for lab in curves.fragments])
    total = y.sum()
    if not total > 0:
        raise DataError(f"{spectrum.source}: no fragment signal was found")
    return pd.DataFrame(
        {"observed": y / total, "observed_stderr": e / total},
        index=pd.Index(list(curves.fragments), name="fragment"),
    )


def compare_fragment_shares(observed, predicted: Mapping[str, float]):
    """Observed fragment shares beside predicted ones.

    Parameters
    ----------
    observed : pandas.DataFrame from :func:`fragment_shares`
    predicted : mapping fragment label -> share (e.g. a row of
        :func:`intercluster.thermo.isomers.cid_fragments`); labels absent from
        it are predicted 0.

    Returns
    -------
    pandas.DataFrame
        Index fragment label; ``observed``, ``observed_stderr``, ``predicted``,
        ``difference`` (observed - predicted); rows with both shares 0 dropped.

    Raises
    ------
    ConfigError
        If a predicted label is not among the observed fragments.
    """
    pred = {str(k): float(v) for k, v in dict(predicted).items()}
    unknown = [k for k, v in pred.items() if k not in observed.index and v > 0]
    if unknown:
        raise ConfigError(
            f"predicted fragment(s) {unknown[:3]} are not among the fitted fragments "
            f"{list(observed.index)[:3]}..."
        )
    out = observed.copy()
    out["predicted"] = [pred.get(lab, 0.0) for lab in out.index]
    out["difference"] = out["observed"] - out["predicted"]
    keep = (out["observed"] > 0) | (out["predicted"] > 0)
    return out[keep]
