"""Time-resolved data to fit: one :class:`FitData` per mixing ratio.

Input is the layout ``intercluster simulate`` writes (``observables.csv``):
a ``time_s`` column (time after the dead time [s]) and one column per
observable label (``[Ag12Au13]-``, ``[Ag25Au25]2-`` ...) holding intensities
normalised to the total ion signal (Neumaier et al., JACS 2021, 143, 6969,
"Kinetic Model": "Each ion intensity was normalized to the total ion signal").

Rules:

- the ``time_s`` column is required; times must be finite, >= 0, strictly
  increasing (no duplicates);
- every other column must be an observable of the system; unknown labels are
  an error that lists them; observables of the system missing from the file are
  skipped (the note says which) and the simulation is normalised over the
  observables the dataset has, like the data;
- intensities must be finite and >= 0. Values between minus the solver's absolute
  tolerance and 0 count as 0: the BDF integrator keeps concentrations
  non-negative only to within its tolerance, so a result of ``intercluster
  simulate`` can hold cells such as -2e-20 (a 1e6:1e-6 mixture). For relative
  intensities the tolerance is the corresponding relative amount, atol_nM /
  total concentration of the mixture [nmol/L] (default atol_nM = 1e-12 nmol/L,
  the simulation default). With ``drop_invalid=True`` every time
  point (row, one spectrum) holding a NaN, an empty cell or a negative
  intensity is dropped instead, and the note lists the dropped times;
- rows are renormalised to sum to 1 over the observables present.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from intercluster.errors import DataError, FormulaError
from intercluster.validation import read_text

__all__ = ["FitData", "load_observables_csv", "read_table"]


@dataclass(frozen=True, eq=False)
class FitData:
    """One time-resolved dataset: a mixing ratio observed after a dead time.

    Attributes
    ----------
    name : str
        Name used in reports (e.g. ``"40:40"``).
    time_s : ndarray, shape (n_time,)
        Times after the dead time [s], strictly increasing.
    labels : tuple of str, length n_obs
        Observable labels of the columns, in the system's order.
    intensity : ndarray, shape (n_time, n_obs)
        Intensities normalised to 1 over the observables present.
    initial : str or dict
        Mixture at t = 0 [nmol/L], e.g. ``"Ag25:Au25 = 40:40"``.
    dead_time_s : float
        Time between mixing and the first spectrum [s].
    weight : float
        Weight of the whole dataset in a joint fit.
    point_weights : ndarray, shape (n_time, n_obs), optional
        Relative weights of single intensities (1 / variance up to a common scale).
    notes : tuple of str
        What was skipped or dropped while reading.
    """

    name: str
    time_s: np.ndarray
    labels: tuple[str, ...]
    intensity: np.ndarray
    initial: str | dict = "Ag25:Au25 = 40:40"
    dead_time_s: float = 20.0
    weight: float = 1.0
    point_weights: np.ndarray | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def n_time(self) -> int:
        return len(self.time_s)

    @property
    def t_end_s(self) -> float:
        return float(self.time_s[-1])


def read_table(
    path: str | os.PathLike,
    *,
    drop_invalid: bool = False,
    what: str = "intensity",
    negative_tolerance: float = 0.0,
) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    """Read a ``time_s`` + columns CSV and check it.

    Parameters
    ----------
    path : path of the CSV file
    drop_invalid : bool
        Drop rows with NaN/empty or negative values instead of refusing them.
    negative_tolerance : float
        Values in [-negative_tolerance, 0) are read as 0 (the solver's tolerance
        on non-negativity; see the module docstring).
    what : str
        Name of the values in messages (``"intensity"``, ``"weight"``).

    Returns
    -------
    time_s : ndarray, shape (n_time,) [s]
    columns : list of str
    values : ndarray, shape (n_time, n_columns)
    notes : list of str
        What was dropped.

    Raises
    ------
    DataError
        Missing file or ``time_s`` column, non-numeric cells, times that are not
        finite, negative, strictly increasing or unique, invalid values (without
        ``drop_invalid``), or no rows left.
    """
    import pandas as pd

    path = Path(path)
    text = read_text(path, "data file", error=DataError)
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"data file {str(path)!r}: not a readable CSV table ({exc})") from None
    where = f"data file {str(path)!r}"
    if "time_s" not in frame.columns:
        raise DataError(
            f"{where}: no 'time_s' column (columns: {', '.join(map(str, frame.columns[:5]))}"
            f"{' ...' if len(frame.columns) > 5 else ''}); the first column must be time_s, "
            "the time after the dead time [s]"
        )
    columns = [str(c) for c in frame.columns if c != "time_s"]
    if not columns:
        raise DataError(f"{where}: no {what} columns besides time_s")
    try:
        time = frame["time_s"].to_numpy(dtype=float)
        values = frame[columns].to_numpy(dtype=float, copy=True)
    except (ValueError, TypeError):
        raise DataError(f"{where}: non-numeric cells; every cell must be a number") from None
    if len(time) == 0:
        raise DataError(f"{where}: no rows")
    if np.any(~np.isfinite(time)):
        i = int(np.flatnonzero(~np.isfinite(time))[0])
        raise DataError(f"{where}: time_s = {time[i]:g} in row {i + 2}: times must be finite [s]")
    if time[0] < 0:
        raise DataError(
            f"{where}: time_s = {time[0]:g}: times after the dead time must be >= 0 [s]"
        )
    steps = np.diff(time)
    if np.any(steps <= 0):
        i = int(np.flatnonzero(steps <= 0)[0])
        kind = "duplicate" if steps[i] == 0 else "decreasing"
        raise DataError(
            f"{where}: {kind} time_s = {time[i + 1]:g} in row {i + 3} after {time[i]:g}: "
            "times must be strictly increasing"
        )
    notes = []
    if negative_tolerance > 0:
        values[(values < 0) & (values >= -negative_tolerance)] = 0.0
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        r, c = np.argwhere(bad)[0]
        if not drop_invalid:
            raise DataError(
                f"{where}: {what} of {columns[c]} = {values[r, c]:g} at time_s = {time[r]:g}: "
                f"{what} values must be finite and >= 0 ({int(bad.sum())} such cells in "
                f"{len(rows)} rows); pass --drop-invalid to drop those rows"
            )
        shown = ", ".join(f"{t:g}" for t in time[rows[:8]])
        notes.append(
            f"{path.name}: dropped {len(rows)} of {len(time)} time points with NaN or negative "
            f"{what} values (time_s = {shown}{' ...' if len(rows) > 8 else ''})"
        )
        keep = np.ones(len(time), bool)
        keep[rows] = False
        time, values = time[keep], values[keep]
        if len(time) == 0:
            raise DataError(f"{where}: no valid rows left after dropping invalid ones")
    return time, columns, values, notes


def load_observables_csv(
    path: str | os.PathLike,
    system,
    *,
    name: str | None = None,
    initial: str | dict = "Ag25:Au25 = 40:40",
    dead_time_s: float = 20.0,
    weight: float = 1.0,
    weights_path: str | os.PathLike | None = None,
    drop_invalid: bool = False,
    atol_nM: float = 1e-12,
) -> FitData:
    """Read an ``observables.csv`` (the layout ``intercluster simulate`` writes).

    Parameters
    ----------
    path : path of the CSV file
    system : ExchangeSystem or ClusterSystem
        The system whose observables the columns must be (for a general model of
        families and complexes: its sum formulas, any equivalent ion text).
    name : str, optional
        Dataset name (default: the parent folder's name, or the file stem).
    initial : str or dict
        Mixture at t = 0 [nmol/L] (mixing ratio).
    dead_time_s : float
        Dead time [s].
    weight : float
        Weight of the dataset in a joint fit (> 0).
    weights_path : path, optional
        CSV of relative point weights in the same layout (same times and columns).
    drop_invalid : bool
        Drop time points with invalid intensities (see the module docstring).
    atol_nM : float
        Absolute tolerance of the simulation that made the data [nmol/L] (default:
        the simulation default): intensities down to -atol_nM / total concentration
        count as 0.

    Returns
    -------
    FitData

    Raises
    ------
    DataError
        See :func:`read_table`; also unknown observable labels (all listed),
        rows whose intensities sum to 0, or a weights file that does not match.
    """
    path = Path(path)
    from intercluster.errors import InterclusterError
    from intercluster.kinetics.initial import initial_concentrations

    try:  # the mixture itself is checked where it is used (FitProblem)
        total_nM = float(np.sum(initial_concentrations(system, initial)))
    except InterclusterError:
        total_nM = 0.0
    tolerance = atol_nM / total_nM if total_nM > 0 else 0.0
    time, columns, values, notes = read_table(
        path, drop_invalid=drop_invalid, negative_tolerance=tolerance
    )
    where = f"data file {str(path)!r}"
    known = {label: i for i, label in enumerate(system.observable_labels)}
    general = not hasattr(system, "n_monomers")  # a ClusterSystem (families, complexes)
    by_ion = {}
    if general:
        from intercluster.chem.formula import Ion

        by_ion = dict(zip(system.observables, system.observable_labels))
    position = {}
    unknown = []
    for c in columns:
        try:
            if general:
                label = by_ion.get(Ion(c))
            else:
                obj = system.parse(c)
                label = system.label(obj)
        except FormulaError:
            label = None
        if label not in known:
            unknown.append(c)
        elif label in position:
            raise DataError(f"{where}: observable {label} appears twice")
        else:
            position[label] = c
    if unknown and general:
        labels = system.observable_labels
        raise DataError(
            f"{where}: {len(unknown)} column(s) are not observables of this model (families "
            f"{', '.join(f.name for f in system.families)}): {', '.join(unknown)}; allowed: "
            f"the {len(labels)} sum formulas {labels[0]} ... {labels[-1]}"
        )
    if unknown:
        raise DataError(
            f"{where}: {len(unknown)} column(s) are not observables of this system "
            f"({system.metal_a}/{system.metal_b}, N = {system.n_atoms}): {', '.join(unknown)}; "
            f"allowed: monomers {system.observable_labels[0]} ... "
            f"{system.observable_labels[system.n_monomers - 1]}"
            + (
                f" and dimer sum formulas {system.observable_labels[system.n_monomers]} ... "
                f"{system.observable_labels[-1]}"
                if system.has_dimers
                else ""
            )
        )
    labels = tuple(label for label in system.observable_labels if label in position)
    order = [columns.index(position[label]) for label in labels]
    values = values[:, order]
    missing = [label for label in system.observable_labels if label not in position]
    if missing:
        notes.append(
            f"{path.name}: {len(missing)} observable(s) of the model not in the data, skipped: "
            + ", ".join(missing)
        )
    total = values.sum(axis=1)
    if np.any(total <= 0):
        i = int(np.flatnonzero(total <= 0)[0])
        raise DataError(f"{where}: all intensities are 0 at time_s = {time[i]:g}; drop that row")
    values = values / total[:, None]
    pw = None
    if weights_path is not None:
        wt, wcols, wvals, _ = read_table(weights_path, what="weight")
        if len(wt) != len(time) or np.any(wt != time):
            raise DataError(
                f"weights file {str(weights_path)!r}: its time_s column must equal the data's "
                f"({len(time)} times after dropping invalid rows)"
            )
        missing_w = [position[label] for label in labels if position[label] not in wcols]
        if missing_w:
            raise DataError(
                f"weights file {str(weights_path)!r}: no column for {', '.join(missing_w)}"
            )
        pw = wvals[:, [wcols.index(position[label]) for label in labels]]
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        raise DataError(f"dataset weight = {weight!r}: a number > 0")
    if name is None:
        name = path.parent.name if path.name == "observables.csv" else path.stem
    return FitData(
        name=name,
        time_s=time,
        labels=labels,
        intensity=values,
        initial=initial,
        dead_time_s=float(dead_time_s),
        weight=float(weight),
        point_weights=pw,
        notes=tuple(notes),
    )
