"""Fitting equilibrium distributions measured at several mixing ratios.

Input: a table of mixing ratios of the two parent clusters and the measured
percentage of each composition (or of a group of compositions whose signals
overlap), with optional uncertainties. The bundled example is Table 2 of Zhong
et al., Dalton Trans. 2021, 50, 4727 (:func:`zhong2021_table2`), whose merged
"Cu2Ag5 + Cu1Ag6" column is compared with the sum of the two predictions.

Models (least squares, :func:`fit_equilibrium`):

- ``binomial``: statistical exchange (sim2 of Neumaier et al., JACS 2021, eqs
  2-3): Binomial(N, f) at the overall A fraction f of the mixture;
- a site model (:class:`~intercluster.network.sites.SiteModel`): class energies
  free relative to a reference class (only differences matter), distributions
  from :func:`~intercluster.thermo.sites.site_distributions`.

Both models can take one more free parameter, the effective ratio factor kappa:
the true mixing ratio is (kappa a) : b instead of the nominal a : b (weighing,
purity or partial decomposition of a parent). Table 2 needs it: its mean Cu
content is below the nominal one at six of the seven ratios.

Reported per model: parameters with standard errors and 95 % intervals (t
quantile; from the Jacobian at the optimum), chi-square, degrees of freedom,
AIC, residuals, and the prediction per ratio and composition.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from intercluster.errors import ConfigError, DataError, FormulaError, bad_value
from intercluster.network.sites import SiteModel, parse_site_spec
from intercluster.network.system import ExchangeSystem, Species
from intercluster.thermo.equilibrium import binomial
from intercluster.thermo.sites import parse_ratio, site_distributions
from intercluster.validation import read_text, show_path

__all__ = [
    "EquilibriumFit",
    "EquilibriumTable",
    "compare_equilibrium_models",
    "fit_equilibrium",
    "load_equilibrium_table",
    "zhong2021_table2",
]

#: |sum of a ratio's percentages - 100| above which a warning is given.
SUM_TOLERANCE_PERCENT = 2.0
#: Absolute uncertainty [percentage points] assumed when a table gives none.
DEFAULT_SIGMA_PERCENT = 1.0

_PARTS_RE = re.compile(r"^parts_([A-Z][a-z]?)(\d+)$")


@dataclass(frozen=True)
class EquilibriumTable:
    """Measured equilibrium percentages at several mixing ratios.

    Attributes
    ----------
    metal_a, metal_b : str
        The two metals; compositions count metal A (m = 0..N).
    n_atoms : int
        N, metal atoms per cluster.
    parts : ndarray, shape (R, 2)
        Parts of the parent clusters A_N and B_N of each mixing ratio.
    groups : tuple of tuple of int, length G
        The compositions m (A atoms) each measured column sums; a merged signal
        lists several, e.g. (2, 1) for "Cu2Ag5 + Cu1Ag6".
    group_labels : tuple of str, length G
    percent : ndarray, shape (R, G)
        Measured percent of all clusters; NaN where the table has no value.
    sigma_percent : ndarray, shape (R, G), or None
        Uncertainties [percentage points], if the table gives them.
    source : str
    """

    metal_a: str
    metal_b: str
    n_atoms: int
    parts: np.ndarray
    groups: tuple[tuple[int, ...], ...]
    group_labels: tuple[str, ...]
    percent: np.ndarray
    sigma_percent: np.ndarray | None = None
    source: str = ""

    @property
    def system(self) -> ExchangeSystem:
        """The direct-exchange system of the table's metals (neutral clusters)."""
        return ExchangeSystem(self.metal_a, self.metal_b, self.n_atoms, 0, "direct")

    @property
    def ratio_labels(self) -> tuple[str, ...]:
        """``"6:1"`` per ratio (A_N : B_N)."""
        return tuple(f"{a:g}:{b:g}" for a, b in self.parts)

    @property
    def a_fraction(self) -> np.ndarray:
        """Nominal overall fraction of metal A per ratio, shape (R,)."""
        return self.parts[:, 0] / self.parts.sum(axis=1)

    @property
    def group_matrix(self) -> np.ndarray:
        """0/1 matrix mapping compositions to measured groups, shape (N + 1, G)."""
        out = np.zeros((self.n_atoms + 1, len(self.groups)))
        for j, group in enumerate(self.groups):
            out[list(group), j] = 1.0
        return out

    def observed_mean_fraction(self) -> np.ndarray:
        """Mean A fraction of the measured distribution per ratio, shape (R,), a merged
        group counted at the mean of its compositions (a check of the mixing ratio)."""
        centre = np.array([np.mean(g) for g in self.groups])
        p = np.nan_to_num(self.percent)
        return (p @ centre) / p.sum(axis=1) / self.n_atoms


def _species_group(system: ExchangeSystem, text: str, where: str) -> tuple[int, ...]:
    parts = [p.strip() for p in re.split(r"\s\+\s", str(text).strip())]
    out = []
    for part in parts:
        label = part if part.startswith("[") else f"[{part}]"
        try:
            sp = system.parse(label)
        except FormulaError as exc:
            raise DataError(f"{where}: species {text!r}: {exc}") from None
        if not isinstance(sp, Species) or sp.is_dimer:
            raise DataError(f"{where}: species {text!r}: name clusters such as '[Cu3Ag4]'")
        out.append(sp.m)
    if len(set(out)) != len(out):
        raise DataError(f"{where}: species {text!r} names a composition twice")
    return tuple(out)


def _table_from_frame(frame, source: str) -> EquilibriumTable:
    """Validate a long table (columns parts_<A><N>, parts_<B><N>, species, percent
    [, sigma_percent])."""
    parts_cols = [c for c in frame.columns if _PARTS_RE.match(str(c))]
    if len(parts_cols) != 2:
        raise DataError(
            f"{source}: needs two columns naming the parent clusters, e.g. 'parts_Cu7' and "
            f"'parts_Ag7' (found columns: {', '.join(map(str, frame.columns))})"
        )
    (ma, na), (mb, nb) = (_PARTS_RE.match(c).groups() for c in parts_cols)
    if na != nb or ma == mb:
        raise DataError(
            f"{source}: parent columns {parts_cols[0]!r} and {parts_cols[1]!r} must name two "
            "different metals with the same number of atoms"
        )
    for col in ("species", "percent"):
        if col not in frame.columns:
            raise DataError(f"{source}: missing column {col!r}")
    allowed = {*parts_cols, "species", "percent", "sigma_percent"}
    extra = [c for c in frame.columns if c not in allowed]
    if extra:
        raise DataError(
            f"{source}: unknown column {extra[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )
    try:
        system = ExchangeSystem(ma, mb, int(na), 0, "direct")
    except ConfigError as exc:
        raise DataError(f"{source}: {exc}") from None
    ratios: list[tuple[float, float]] = []
    group_text: list[str] = []
    groups: list[tuple[int, ...]] = []
    cells: dict[tuple[int, int], tuple[float, float]] = {}
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        rec = dict(zip(frame.columns, row))
        where = f"{source}, row {i}"
        try:
            a, b = (float(rec[c]) for c in parts_cols)
        except (TypeError, ValueError):
            raise DataError(f"{where}: mixing ratio parts must be numbers") from None
        try:
            ratio = parse_ratio((a, b), ma, mb)
        except DataError as exc:
            raise DataError(f"{where}: {exc}") from None
        if ratio not in ratios:
            ratios.append(ratio)
        text = str(rec["species"]).strip()
        group = _species_group(system, text, where)
        if group not in groups:
            for other in groups:
                if set(other) & set(group):
                    raise DataError(
                        f"{where}: species {text!r} overlaps another column "
                        f"({group_text[groups.index(other)]!r}); columns must not share "
                        "compositions"
                    )
            groups.append(group)
            group_text.append(text)
        key = (ratios.index(ratio), groups.index(group))
        if key in cells:
            raise DataError(f"{where}: {text!r} at ratio {a:g}:{b:g} is given twice")
        value = _number_or_nan(rec["percent"], "percent", where)
        sigma = _number_or_nan(rec.get("sigma_percent"), "sigma_percent", where)
        if value < 0 or value > 100:
            raise DataError(
                bad_value(f"{where}: percent", value, "a percentage in 0..100 or empty")
            )
        if not math.isnan(sigma) and sigma <= 0:
            raise DataError(bad_value(f"{where}: sigma_percent", sigma, "an uncertainty > 0"))
        cells[key] = (value, sigma)
    if not ratios:
        raise DataError(f"{source}: no rows")
    if not any(math.isfinite(v) for v, _ in cells.values()):
        raise DataError(f"{source}: every percentage is blank; there is nothing to fit")
    percent = np.full((len(ratios), len(groups)), np.nan)
    sigma = np.full_like(percent, np.nan)
    for (i, j), (v, s) in cells.items():
        percent[i, j], sigma[i, j] = v, s
    has_sigma = "sigma_percent" in frame.columns and np.isfinite(sigma).any()
    table = EquilibriumTable(
        metal_a=ma,
        metal_b=mb,
        n_atoms=int(na),
        parts=np.array(ratios),
        groups=tuple(groups),
        group_labels=tuple(group_text),
        percent=percent,
        sigma_percent=sigma if has_sigma else None,
        source=source,
    )
    _warn_sums(table)
    return table


def _number_or_nan(value, name, where) -> float:
    """A cell as a number; a blank cell is NaN (missing). The text 'nan' or 'inf' is
    refused: a missing value is left blank, so that it is never read as a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DataError(bad_value(f"{where}: {name}", value, "a number or empty")) from None
    if not math.isfinite(x):
        raise DataError(
            bad_value(f"{where}: {name}", value, "a finite number, or empty if missing")
        )
    return x


def _warn_sums(table: EquilibriumTable) -> None:
    sums = np.nansum(table.percent, axis=1)
    for label, total in zip(table.ratio_labels, sums):
        if abs(total - 100.0) > SUM_TOLERANCE_PERCENT:
            warnings.warn(
                f"{table.source}: the percentages at ratio {label} sum to {total:.4g}, not about "
                f"100 (tolerance {SUM_TOLERANCE_PERCENT:g}); they are fitted as given",
                UserWarning,
                stacklevel=3,
            )


def load_equilibrium_table(path: str | os.PathLike) -> EquilibriumTable:
    """Read an equilibrium table (CSV, ``#`` comments).

    Columns: ``parts_<A><N>`` and ``parts_<B><N>`` (parts of the parent clusters,
    e.g. ``parts_Cu7``, ``parts_Ag7``; the first names metal A), ``species`` (a
    composition label such as ``[Cu3Ag4]``, or labels joined by `` + `` for a
    merged signal), ``percent`` (empty = not reported), optional ``sigma_percent``.
    See ``src/intercluster/data/zhong2021_table2.csv``.

    Returns
    -------
    EquilibriumTable

    Raises
    ------
    DataError
        Missing file or columns, unknown species, a zero or negative ratio part,
        negative percentages or uncertainties, duplicated or overlapping entries.

    Warns
    -----
    UserWarning
        If the percentages of a ratio do not sum to 100 within 2 points.
    """
    import pandas as pd

    path = os.fspath(path)
    text = read_text(path, "equilibrium table", error=DataError)
    try:
        frame = pd.read_csv(
            io.StringIO(text), comment="#", skipinitialspace=True, dtype=str, keep_default_na=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"equilibrium table {show_path(path)}: {exc}") from None
    return _table_from_frame(frame, os.path.basename(path))


def zhong2021_table2() -> EquilibriumTable:
    """Table 2 of Zhong et al., Dalton Trans. 2021, 50, 4727: Cu_xAg_(7-x)(H){Se2P(OiPr)2}6
    at Cu7:Ag7 = 6:1 ... 1:6 (the file's header states the source and conventions).

    >>> t = zhong2021_table2()
    >>> t.ratio_labels[0], t.group_labels[5], t.groups[5]
    ('6:1', '[Cu2Ag5] + [CuAg6]', (2, 1))
    """
    ref = resources.files("intercluster") / "data" / "zhong2021_table2.csv"
    with resources.as_file(ref) as path:
        return load_equilibrium_table(path)


# ------------------------------------------------------------------------- fitting
@dataclass
class EquilibriumFit:
    """Result of :func:`fit_equilibrium` (all percentages in percentage points).

    Attributes
    ----------
    model : str
        ``"binomial"`` or ``"site:top=1,tri=3,cap=3"``.
    parameter_names : tuple of str
        ``g_<class>_kJ_mol`` (relative to the reference class) and ``ratio_factor``.
    values, stderr : ndarray, shape (p,)
    ci95 : ndarray, shape (p, 2)
        95 % intervals (t quantile with ``dof`` degrees of freedom; the ratio
        factor's interval is exp of the interval of ln kappa).
    fixed : dict
        Fixed parameters (the reference class energy, 0; kappa = 1 if not fitted).
    observed, predicted, sigma : ndarray, shape (R, G)
    chi2, dof, n_data, aic, rss : numbers
        chi2 = sum ((pred - obs)/sigma)^2; AIC = chi2 + 2p if the uncertainties are
        the table's, else n ln(chi2/n) + 2(p + 1) (sigma estimated from the scatter).
    covariance_scaled : bool
        True if the intervals were scaled by chi2/dof (uncertainties not given).
    covariance : ndarray, shape (p, p)
        Covariance of the internal parameters (energies [kJ/mol], then ln kappa).
    equivalent : list of dict
        Other energy sets that give identical distributions (classes of equal size
        are interchangeable); empty for the binomial.
    """

    model: str
    parameter_names: tuple[str, ...]
    values: np.ndarray
    stderr: np.ndarray
    ci95: np.ndarray
    fixed: dict
    observed: np.ndarray
    predicted: np.ndarray
    sigma: np.ndarray
    chi2: float
    dof: int
    n_data: int
    aic: float
    aic_kind: str
    rss: float
    covariance_scaled: bool
    table: EquilibriumTable = field(repr=False)
    site_model: SiteModel | None = None
    equivalent: list = field(default_factory=list)
    n_starts: int = 1
    covariance: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_parameters(self) -> int:
        return len(self.values)

    @property
    def reduced_chi2(self) -> float:
        return self.chi2 / self.dof if self.dof > 0 else math.nan

    @property
    def residuals(self) -> np.ndarray:
        """predicted - observed [percentage points], shape (R, G); NaN where not fitted."""
        return self.predicted - self.observed

    @property
    def rms_residual(self) -> float:
        r = self.residuals
        return float(np.sqrt(np.nanmean(r**2)))

    @property
    def max_abs_residual(self) -> float:
        return float(np.nanmax(np.abs(self.residuals)))

    def linear_combination(self, weights: dict[str, float]) -> tuple[float, float]:
        """Value and standard error of sum_k w_k g_k over class energies (by class name;
        the reference class counts as 0), e.g. the mean tetrahedral minus capping energy
        ``{"top": 0.25, "tri": 0.75, "cap": -1}`` [kJ/mol].

        Raises
        ------
        ConfigError
            For a name that is not a class of the fitted site model.
        """
        if self.site_model is None:
            raise ConfigError("linear_combination: the binomial model has no class energies")
        energies = dict(zip(self.site_model.names, self.site_model.energies_kJ_mol))
        w = np.zeros(len(self.values))
        value = 0.0
        for name, weight in weights.items():
            if name not in energies:
                raise ConfigError(
                    bad_value("class", name, f"one of {', '.join(self.site_model.names)}")
                )
            value += weight * energies[name]
            key = f"g_{name}_kJ_mol"
            if key in self.parameter_names:
                w[self.parameter_names.index(key)] = weight
        cov = self.covariance if self.covariance is not None else np.zeros((len(w), len(w)))
        return float(value), float(np.sqrt(max(w @ cov @ w, 0.0)))

    def parameter(self, name: str) -> float:
        """A fitted or fixed parameter by name.

        Raises
        ------
        ConfigError
            For an unknown name.
        """
        if name in self.parameter_names:
            return float(self.values[self.parameter_names.index(name)])
        if name in self.fixed:
            return float(self.fixed[name])
        raise ConfigError(bad_value("parameter", name, f"one of {', '.join(self.parameter_names)}"))

    def frame(self):
        """Observed vs predicted, one row per ratio and column: pandas.DataFrame with
        ``ratio``, ``species``, ``observed_percent``, ``predicted_percent``,
        ``residual_percent`` (predicted - observed), ``sigma_percent``."""
        import pandas as pd

        t = self.table
        rows = []
        for i, ratio in enumerate(t.ratio_labels):
            for j, label in enumerate(t.group_labels):
                rows.append(
                    {
                        "ratio": ratio,
                        "species": label,
                        "observed_percent": self.observed[i, j],
                        "predicted_percent": self.predicted[i, j],
                        "residual_percent": self.residuals[i, j],
                        "sigma_percent": self.sigma[i, j],
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """JSON-ready summary (parameters, intervals, chi2, AIC, residual sizes)."""
        params = {
            name: {
                "value": float(v),
                "stderr": float(s),
                "ci95": [float(lo), float(hi)],
            }
            for name, v, s, (lo, hi) in zip(
                self.parameter_names, self.values, self.stderr, self.ci95
            )
        }
        return {
            "model": self.model,
            "parameters": params,
            "fixed": {k: float(v) for k, v in self.fixed.items()},
            "temperature_K": self.site_model.temperature_K if self.site_model else None,
            "n_data": self.n_data,
            "n_parameters": self.n_parameters,
            "dof": self.dof,
            "chi2": self.chi2,
            "reduced_chi2": self.reduced_chi2,
            "aic": self.aic,
            "aic_kind": self.aic_kind,
            "rss_percent2": self.rss,
            "rms_residual_percent": self.rms_residual,
            "max_abs_residual_percent": self.max_abs_residual,
            "intervals_scaled_by_reduced_chi2": self.covariance_scaled,
            "equivalent_solutions": self.equivalent,
            "n_starts": self.n_starts,
        }


def _sigma_matrix(table: EquilibriumTable, sigma_percent: float | None) -> tuple[np.ndarray, bool]:
    """Uncertainties per cell and whether they are the table's own."""
    if sigma_percent is not None:
        if isinstance(sigma_percent, bool) or not (
            isinstance(sigma_percent, int | float)
            and math.isfinite(sigma_percent)
            and sigma_percent > 0
        ):
            raise ConfigError(bad_value("sigma_percent", sigma_percent, "an uncertainty > 0"))
    default = DEFAULT_SIGMA_PERCENT if sigma_percent is None else float(sigma_percent)
    if table.sigma_percent is not None and sigma_percent is None:
        s = np.where(np.isfinite(table.sigma_percent), table.sigma_percent, default)
        return s, True
    return np.full(table.percent.shape, default), False


def _equivalent_energies(classes, energies: dict[str, float], reference: str) -> list[dict]:
    """Energy sets obtained by permuting energies among classes of equal size,
    re-referenced to the reference class (identical distributions)."""
    names = [c for c, _ in classes]
    sizes = dict(classes)
    by_size: dict[int, list[str]] = {}
    for n in names:
        by_size.setdefault(sizes[n], []).append(n)
    options = []
    for group in by_size.values():
        options.append([dict(zip(group, perm)) for perm in itertools.permutations(group)])
    seen, out = set(), []
    for combo in itertools.product(*options):
        mapping = {k: v for part in combo for k, v in part.items()}  # class -> source class
        e = {n: energies[mapping[n]] for n in names}
        shift = e[reference]
        e = {n: float(round(v - shift, 9)) + 0.0 for n, v in e.items()}
        key = tuple(e[n] for n in names)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _canonical(classes, energies: dict[str, float], reference: str) -> dict[str, float]:
    """Among equivalent energy sets, the one whose energies do not increase along the
    listed order within each group of equal-size classes."""
    names = [c for c, _ in classes]
    sizes = dict(classes)
    for e in _equivalent_energies(classes, energies, reference):
        ok = True
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if sizes[a] == sizes[b] and e[a] < e[b] - 1e-9:
                    ok = False
        if ok:
            return e
    return energies


def fit_equilibrium(
    table: EquilibriumTable,
    sites=None,
    *,
    reference: str | None = None,
    fit_ratio_factor: bool = True,
    sigma_percent: float | None = None,
    temperature_K: float = 298.15,
    blank: str = "zero",
    start_energies_kJ_mol=(-10.0, 0.0, 10.0),
) -> EquilibriumFit:
    """Fit the binomial (``sites=None``) or a site model to an equilibrium table.

    Parameters
    ----------
    table : EquilibriumTable
    sites : spec, optional
        Site classes, e.g. ``"top:1,tri:3,cap:3"`` (sizes must add up to N);
        ``None`` fits the binomial.
    reference : str, optional
        Class whose energy is fixed at 0 (default: the last class).
    fit_ratio_factor : bool
        Fit kappa, the effective ratio factor (module docstring); else kappa = 1.
    sigma_percent : float, optional
        Absolute uncertainty of every percentage [percentage points]; default: the
        table's ``sigma_percent`` column, else 1.0 (an assumption, and then the
        intervals are scaled by the reduced chi-square).
    temperature_K : float
        [K] for the energies.
    blank : {"zero", "missing"}
        Empty cells are measured zeros (not observed, the default) or not fitted.
    start_energies_kJ_mol : sequence of float
        Start values tried for every free energy (all combinations; the best
        optimum is kept), [kJ/mol].

    Returns
    -------
    EquilibriumFit

    Raises
    ------
    ConfigError
        Site classes that do not add up to N, an unknown reference class, a bad
        sigma or ``blank``.
    DataError
        If the table has no more values than the model has free parameters.

    Examples
    --------
    >>> fit = fit_equilibrium(zhong2021_table2(), "top:1,tri:3,cap:3")
    >>> fit.parameter_names
    ('g_top_kJ_mol', 'g_tri_kJ_mol', 'ratio_factor')
    """
    from scipy.optimize import least_squares
    from scipy.stats import t as student_t

    if blank not in ("zero", "missing"):
        raise ConfigError(bad_value("blank", blank, "'zero' or 'missing'"))
    observed = table.percent.copy()
    if blank == "zero":
        observed = np.where(np.isnan(observed), 0.0, observed)
    mask = np.isfinite(observed)
    sigma, own_sigma = _sigma_matrix(table, sigma_percent)
    G = table.group_matrix
    a, b = table.parts[:, 0], table.parts[:, 1]
    N = table.n_atoms

    if sites is None:
        classes = (("all", N),)
        model_name = "binomial"
        free: list[str] = []
        reference = "all"
    else:
        classes = parse_site_spec(sites)
        model_name = "site:" + ",".join(f"{n}={k}" for n, k in classes)
        names = [n for n, _ in classes]
        reference = names[-1] if reference is None else reference
        if reference not in names:
            raise ConfigError(bad_value("reference", reference, f"one of {', '.join(names)}"))
        free = [n for n in names if n != reference]
    base = SiteModel.from_spec(classes, temperature_K=temperature_K)
    base.check_size(N, where="table")

    def unpack(x):
        energies = {n: 0.0 for n, _ in classes}
        energies.update(dict(zip(free, x[: len(free)])))
        kappa = math.exp(x[len(free)]) if fit_ratio_factor else 1.0
        return energies, kappa

    def predict(x):
        energies, kappa = unpack(x)
        model = base.with_energies(energies)
        fractions = kappa * a / (kappa * a + b)
        if sites is None:
            dist = np.array([binomial(N, f) for f in fractions])
        else:
            dist = site_distributions(model, fractions)
        return 100.0 * dist @ G

    def resid(x):
        return ((predict(x) - observed) / sigma)[mask]

    n_free = len(free) + (1 if fit_ratio_factor else 0)
    n_data = int(mask.sum())
    if n_data <= n_free:
        raise DataError(
            f"{table.source}: {n_data} values for {n_free} free parameters of {model_name}; "
            "a fit needs more values than parameters"
        )
    if n_free == 0:
        best_x = np.zeros(0)
        jac = np.zeros((n_data, 0))
        n_starts = 0
    else:
        starts = [
            np.array([*combo] + ([0.0] if fit_ratio_factor else []))
            for combo in itertools.product(start_energies_kJ_mol, repeat=len(free))
        ]
        best = None
        for x0 in starts:
            res = least_squares(resid, x0, method="lm", x_scale=1.0)
            if best is None or res.cost < best.cost - 1e-12:
                best = res
        x = best.x
        if sites is not None:
            energies, _ = unpack(x)
            canon = _canonical(classes, energies, reference)
            if any(abs(canon[n] - energies[n]) > 1e-9 for n in free):
                x = np.array([canon[n] for n in free] + list(x[len(free) :]))
                best = least_squares(resid, x, method="lm")
        best_x = best.x
        jac = best.jac
        n_starts = len(starts)
    r = resid(best_x)
    chi2 = float(r @ r)
    dof = n_data - n_free
    pred = predict(best_x)
    if n_free:
        jtj = jac.T @ jac
        try:
            cov = np.linalg.inv(jtj)
        except np.linalg.LinAlgError:
            cov = np.linalg.pinv(jtj)
        if not own_sigma and dof > 0:
            cov = cov * chi2 / dof
        stderr = np.sqrt(np.clip(np.diag(cov), 0, None))
        covariance = cov
        q = float(student_t.ppf(0.975, max(dof, 1)))
        lo, hi = best_x - q * stderr, best_x + q * stderr
    else:
        stderr = lo = hi = np.zeros(0)
        covariance = np.zeros((0, 0))
    values = best_x.copy()
    names_out = [f"g_{n}_kJ_mol" for n in free]
    ci = np.column_stack([lo, hi]) if n_free else np.zeros((0, 2))
    fixed = {}
    if sites is not None:
        fixed[f"g_{reference}_kJ_mol"] = 0.0
    if fit_ratio_factor:
        k = len(free)
        values[k] = math.exp(best_x[k])
        stderr = stderr.copy()
        stderr[k] = values[k] * stderr[k]  # delta method
        ci[k] = np.exp(ci[k])
        names_out.append("ratio_factor")
    else:
        fixed["ratio_factor"] = 1.0
    if own_sigma:
        aic, kind = chi2 + 2 * n_free, "chi2 + 2p (uncertainties from the table)"
    else:
        # a perfect fit (chi2 = 0) is floored at a residual of 1e-6 sigma per value
        aic = n_data * math.log(max(chi2, 1e-12 * n_data) / n_data) + 2 * (n_free + 1)
        kind = "n ln(chi2/n) + 2(p + 1) (common uncertainty estimated from the scatter)"
    energies, _ = unpack(best_x)
    site_model = base.with_energies(energies) if sites is not None else None
    equivalent = []
    if sites is not None:
        equivalent = [
            e
            for e in _equivalent_energies(classes, energies, reference)
            if any(abs(e[n] - energies[n]) > 1e-9 for n in e)
        ]
    return EquilibriumFit(
        model=model_name,
        parameter_names=tuple(names_out),
        values=values,
        stderr=stderr,
        ci95=ci,
        fixed=fixed,
        observed=np.where(mask, observed, np.nan),
        predicted=np.where(mask, pred, np.nan),
        sigma=sigma,
        chi2=chi2,
        dof=dof,
        n_data=n_data,
        aic=aic,
        aic_kind=kind,
        rss=float(np.nansum((pred - observed)[mask] ** 2)),
        covariance_scaled=not own_sigma,
        table=table,
        site_model=site_model,
        equivalent=equivalent,
        n_starts=n_starts,
        covariance=covariance,
    )


def compare_equilibrium_models(
    table: EquilibriumTable, site_specs, **kwargs
) -> list[EquilibriumFit]:
    """Fit the binomial and each site model; sorted by AIC (best first).

    Parameters
    ----------
    table : EquilibriumTable
    site_specs : sequence of spec
        Site models to fit next to the binomial.
    **kwargs
        Passed to :func:`fit_equilibrium` (the same for every model).

    Returns
    -------
    list of EquilibriumFit
        Best (lowest AIC) first. Akaike weights: exp(-dAIC/2) normalised.
    """
    fits = [fit_equilibrium(table, None, **kwargs)]
    fits += [fit_equilibrium(table, spec, **kwargs) for spec in site_specs]
    return sorted(fits, key=lambda f: f.aic)
