"""The paper's grid search, parallel and resumable.

Neumaier et al., JACS 2021, 143, 6969 ("Simulation 1") simulated "13
exponentially equidistant rate constants in the range of 1e-4 to 1 ...
resulting in 2197 (13 x 13 x 13) possible combinations" and ranked them by eq 1.
Thirteen log-equidistant points from 1e-4 to 1 are third-decade steps
(1e-4, 2.15e-4, 4.64e-4, 1e-3, ...), yet the constants of Table 1 (3.2e-3,
3.2e-2, 5.6e-2, and 1.8e-3 in the text) are quarter-decade values (10^-2.5,
10^-1.5, 10^-1.25, 10^-2.75) that such a grid does not contain; 13
quarter-decade points span 1e-3..1. Both are offered:

``"quarter-decade"`` (default)
    10^(-3 + j/4), j = 0..12: 1e-3, 1.78e-3, 3.16e-3, 5.62e-3, 1e-2, ..., 1;
    contains every value of Table 1.
``"paper"``
    10^(-4 + j/3), j = 0..12: the range as printed.
``"bounds"``
    ``points`` log-spaced values between each parameter's bounds.

A parameter with an explicit ``grid`` list uses it. Preset values outside a
parameter's bounds are left out.

Every finished point is appended to ``grid.csv`` (one line, flushed and
fsynced) as soon as its chunk completes; a rerun reads the file, skips the
finished points and evaluates the rest, so an interrupted sweep (Ctrl-C, a
killed worker) loses nothing. When the sweep is complete the file is rewritten
(atomically) in index order with a ``rank`` column.

The journal is not trusted blindly on resumption: each row carries a
``checksum`` (SHA-256 of its values and of the fit problem's fingerprint), and a
row is used only if it parses, its checksum matches and its parameters are
exactly the grid point of its index. Other rows are dropped with a warning
naming their line numbers (a garbage line does not hide the valid rows after
it) and their points are evaluated again. A file that is not a journal of this
fit (other columns, not UTF-8 text) is refused with one line.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import time as _time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intercluster.errors import ConfigError, DataError, bad_value

__all__ = ["PRESETS", "GridResult", "grid_axes", "grid_values", "run_grid"]

#: Grid presets: 13 values each.
PRESETS = {
    "quarter-decade": 10.0 ** (-3.0 + np.arange(13) / 4.0),
    "paper": 10.0 ** (-4.0 + np.arange(13) / 3.0),
}

RESULT_COLUMNS = ("status", "objective", "eq1_s2", "tmax_chi2", "intensity_chi2", "seconds")
#: column of a journal row before ``seconds``: see :func:`row_checksum`
CHECKSUM_COLUMN = "checksum"


def grid_axes(problem, preset: str = "quarter-decade", points: int = 13) -> list[np.ndarray]:
    """Grid values of every free parameter.

    Parameters
    ----------
    problem : FitProblem
    preset : {"quarter-decade", "paper", "bounds"}
        See the module docstring.
    points : int
        Number of values per parameter for ``"bounds"``.

    Returns
    -------
    list of arrays, one per free parameter (in ``problem.free_names`` order).

    Raises
    ------
    ConfigError
        Unknown preset, points < 1, or no grid value within a parameter's bounds.
    """
    if preset not in (*PRESETS, "bounds"):
        raise ConfigError(bad_value("grid.preset", preset, "quarter-decade, paper or bounds"))
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise ConfigError(bad_value("grid.points", points, "an integer >= 1"))
    axes = []
    for p in problem.free:
        if p.grid is not None:
            values = np.asarray(p.grid, float)
        elif preset == "bounds":
            if points == 1:
                values = np.array([p.value])
            elif p.log:
                values = np.logspace(math.log10(p.lower), math.log10(p.upper), points)
            else:
                values = np.linspace(p.lower, p.upper, points)
        else:
            v = PRESETS[preset]
            tol = 1e-9
            values = v[(v >= p.lower * (1 - tol)) & (v <= p.upper * (1 + tol))]
            if len(values) == 0:
                raise ConfigError(
                    bad_value(
                        f"parameters.{p.name}",
                        f"[{p.lower:g}, {p.upper:g}]",
                        f"bounds containing values of the {preset} grid "
                        f"({v[0]:g} .. {v[-1]:g}); or give grid = [...]",
                    )
                )
        axes.append(values)
    return axes


def grid_values(axes: list[np.ndarray]) -> np.ndarray:
    """All grid points, shape (n_points, n_free), the last parameter varying fastest."""
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(axes))


@dataclass
class GridResult:
    """A finished grid.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per point in index order: ``index``, the free parameters, status,
        objective, eq1_s2, tmax_chi2, intensity_chi2, seconds, rank (1 = best).
    names : list of str
    axes : list of arrays
    n_new, n_resumed, n_failed : int
        Points evaluated in this run, read from an earlier run, failed.
    wall_time_s : float
    """

    table: object
    names: list
    axes: list
    n_new: int
    n_resumed: int
    n_failed: int
    wall_time_s: float

    @property
    def best(self):
        """Row of the best point (pandas Series)."""
        return self.table.sort_values("rank").iloc[0]

    def best_thetas(self, problem, k: int) -> list[np.ndarray]:
        """Theta vectors of the ``k`` best finished points."""
        ok = self.table[self.table.status == "ok"].sort_values("rank")
        return [
            problem.theta({n: float(row[n]) for n in self.names})
            for _, row in ok.head(k).iterrows()
        ]


def row_checksum(fingerprint: str, index: int, values, status: str, results) -> str:
    """Checksum of a journal row: the first 16 hex digits of the SHA-256 of the
    problem fingerprint, the index, the parameter values, the status and the four
    numbers (objective, eq1_s2, tmax_chi2, intensity_chi2), each number in its
    shortest exact form (so the value, not its spelling, is checked). The run
    time (``seconds``, the last column) is not covered."""
    text = "|".join(
        [fingerprint, str(int(index)), *(repr(float(v)) for v in values), str(status)]
        + [repr(float(x)) for x in results]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _format_row(index: int, values, ev, fingerprint: str) -> str:
    results = (ev.value, ev.eq1_s2, ev.tmax_chi2, ev.intensity_chi2)
    fields = [str(index), *(repr(float(v)) for v in values), ev.status]
    fields += [repr(float(x)) for x in results]
    fields.append(row_checksum(fingerprint, index, values, ev.status, results))
    fields.append(f"{ev.seconds:.4f}")
    return ",".join(fields) + "\n"


def _journal_header(names: list[str]) -> list[str]:
    """index, parameters, status, objective terms, checksum, seconds."""
    return ["index", *names, *RESULT_COLUMNS[:-1], CHECKSUM_COLUMN, RESULT_COLUMNS[-1]]


def _line_list(numbers: list[int]) -> str:
    shown = ", ".join(str(k) for k in numbers[:10])
    return shown + (f" ... ({len(numbers)} in all)" if len(numbers) > 10 else "")


def read_journal(
    path: Path,
    names: list[str],
    values: np.ndarray | None = None,
    fingerprint: str | None = None,
    *,
    repair: bool = False,
) -> dict[int, list[str]]:
    """Finished points of a grid.csv: index -> fields (index, parameters, status,
    objective, eq1_s2, tmax_chi2, intensity_chi2, checksum, seconds).

    A torn last line (a write cut by a kill) is ignored. A line that does not parse
    is skipped (the rows after it are kept); with ``values`` (the grid, shape
    (n_points, n_free)) a row whose index is out of range or whose parameters are
    not exactly ``values[index]`` is ignored; with ``fingerprint`` a row whose
    :func:`row_checksum` does not match is ignored. Each kind is reported in one
    UserWarning naming the line numbers (1 = header). With ``repair`` the file is
    rewritten (atomically) without the ignored lines so that appending continues
    cleanly.

    Raises
    ------
    DataError
        If the file is not UTF-8 text or its header does not match the parameters
        of this fit.
    """
    header = _journal_header(names)
    path = Path(path)
    if not path.exists():
        return {}
    raw = path.read_bytes()
    if not raw:
        return {}
    lines = raw.split(b"\n")
    try:
        got = lines[0].decode("utf-8").rstrip("\r").split(",")
    except UnicodeDecodeError:
        got = None
    if got is None or "\x00" in lines[0].decode("utf-8", "replace"):
        raise DataError(
            f"{str(path)!r}: not a grid journal (not UTF-8 text); move it away or use a new "
            "output folder (out)"
        )
    if len(lines) == 1 and ",".join(header).startswith(",".join(got)):
        return {}  # a header cut by a kill while it was written: start afresh
    legacy = got[: len(header) - 1] == ["index", *names, *RESULT_COLUMNS]
    if legacy:
        n_rows = sum(1 for ln in lines[1:] if ln.strip())
        warnings.warn(
            f"{path.name}: written by an earlier version without checksums; its {n_rows} "
            "row(s) cannot be verified and are evaluated again",
            UserWarning,
            stacklevel=2,
        )
        if repair:
            _rewrite_journal(path, [",".join(header)])
        return {}
    if got[: len(header)] != header:
        shown = ",".join(got)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        raise DataError(
            f"{str(path)!r}: columns {shown} do not match this fit "
            f"({','.join(header)}); use a new output folder (out)"
        )
    done: dict[int, list[str]] = {}
    kept = [lines[0].decode("utf-8").rstrip("\r")]
    garbage, outside, tampered = [], [], []
    n = len(header)
    k = len(names)
    # lines[-1] is the text after the last newline: empty, or a torn write (dropped)
    body = lines[1:-1]
    torn = bool(lines[-1]) if len(lines) > 1 else False
    for lineno, line in enumerate(body, start=2):
        try:
            text = line.decode("utf-8").rstrip("\r")
            parts = text.split(",")[:n]
            if len(parts) < n:
                raise ValueError
            idx = int(parts[0])
            params = [float(x) for x in parts[1 : 1 + k]]
            results = [float(x) for x in parts[2 + k : n - 2]]
            float(parts[n - 1])  # seconds
            status = parts[1 + k]
            if not status or not status.replace("_", "").isalnum():
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            if line.strip():
                garbage.append(lineno)
            continue
        if values is not None and not (
            0 <= idx < len(values) and all(a == b for a, b in zip(params, values[idx]))
        ):
            outside.append(lineno)
            continue
        if fingerprint is not None and parts[n - 2] != row_checksum(
            fingerprint, idx, params, status, results
        ):
            tampered.append(lineno)
            continue
        if idx in done:
            continue
        done[idx] = parts
        kept.append(text)
    if garbage:
        warnings.warn(
            f"{path.name}: line(s) {_line_list(garbage)} are not journal rows; skipped",
            UserWarning,
            stacklevel=2,
        )
    if outside:
        warnings.warn(
            f"{path.name}: line(s) {_line_list(outside)} hold parameters that are not a point "
            "of this grid; ignored",
            UserWarning,
            stacklevel=2,
        )
    if tampered:
        warnings.warn(
            f"{path.name}: line(s) {_line_list(tampered)} fail their checksum (edited or "
            "damaged); those points are evaluated again",
            UserWarning,
            stacklevel=2,
        )
    if repair and (garbage or outside or tampered or torn or len(kept) - 1 < len(body)):
        _rewrite_journal(path, kept)
    return done


def _rewrite_journal(path: Path, lines: list[str]) -> None:
    from intercluster.io import atomic_file

    with atomic_file(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("".join(ln + "\n" for ln in lines))
            fh.flush()
            os.fsync(fh.fileno())


def run_grid(
    problem,
    axes: list[np.ndarray],
    executor,
    path: str | os.PathLike,
    *,
    progress: bool = True,
    chunk_size: int | None = None,
    max_points: int | None = None,
):
    """Evaluate every grid point not yet in ``path`` and return the ranked grid.

    Parameters
    ----------
    problem : FitProblem
    axes : list of arrays
        From :func:`grid_axes`.
    executor : SerialExecutor, ProcessExecutor or DaskExecutor
    path : grid.csv to append to (created with a header if missing).
    progress : bool
        Progress bar: points done, best objective so far, time left.
    chunk_size : int, optional
        Points per task (default: small enough for 8 tasks per worker, at most 8).
    max_points : int, optional
        Stop after this many new points (for tests of resumption).

    Returns
    -------
    GridResult, or None if ``max_points`` stopped the sweep early.
    """
    import pandas as pd

    path = Path(path)
    names = problem.free_names
    values = grid_values(axes)
    n = len(values)
    fingerprint = problem.key
    done = read_journal(path, names, values, fingerprint, repair=True)
    if not done and (not path.exists() or b"\n" not in path.read_bytes()[:65536]):
        with open(path, "w") as fh:
            fh.write(",".join(_journal_header(names)) + "\n")
    todo = [i for i in range(n) if i not in done]
    if max_points is not None:
        todo = todo[:max_points]
    n_resumed = len(done)
    start = _time.perf_counter()
    if chunk_size is None:
        chunk_size = max(1, min(8, math.ceil(len(todo) / (8 * executor.n_workers))))
    chunks = [todo[k : k + chunk_size] for k in range(0, len(todo), chunk_size)]
    payloads = [[(i, problem.theta(dict(zip(names, values[i])))) for i in c] for c in chunks]
    best = min(
        (float(f[len(names) + 2]) for f in done.values() if f[len(names) + 1] == "ok"),
        default=math.inf,
    )
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, initial=n_resumed, unit="pt", desc="grid", smoothing=0.1)
        bar.set_postfix_str(f"best {best:.4g}")
    try:
        with open(path, "a") as fh:
            for _, results in executor.map_unordered("points", payloads):
                lines = []
                for i, ev in results:
                    lines.append(_format_row(i, values[i], ev, fingerprint))
                    if ev.ok and ev.value < best:
                        best = ev.value
                fh.write("".join(lines))
                fh.flush()
                os.fsync(fh.fileno())
                if bar is not None:
                    bar.update(len(results))
                    bar.set_postfix_str(f"best {best:.4g}")
    finally:
        if bar is not None:
            bar.close()
    wall = _time.perf_counter() - start
    with warnings.catch_warnings():  # reported when the journal was read above
        warnings.simplefilter("ignore", UserWarning)
        done = read_journal(path, names, values, fingerprint)
    if len(done) < n:
        return None
    cols = _journal_header(names)
    table = pd.DataFrame([done[i] for i in range(n)], columns=cols)
    for c in cols:
        if c not in ("status", CHECKSUM_COLUMN):
            table[c] = table[c].astype(int if c == "index" else float)
    objective = table["objective"].where(table.status == "ok", np.inf).fillna(np.inf)
    order = np.lexsort((table["index"].to_numpy(), objective.to_numpy()))
    rank = np.empty(n, int)
    rank[order] = np.arange(1, n + 1)
    table["rank"] = rank
    return GridResult(
        table=table,
        names=list(names),
        axes=axes,
        n_new=len(todo),
        n_resumed=n_resumed,
        n_failed=int((table.status != "ok").sum()),
        wall_time_s=wall,
    )


def write_grid_table(result: GridResult, path: str | os.PathLike) -> None:
    """Rewrite grid.csv in index order with the rank column (atomically)."""
    from intercluster.io import atomic_file

    with atomic_file(path) as tmp:
        t = result.table
        with open(tmp, "w") as fh:
            fh.write(",".join(t.columns) + "\n")
            for row in t.itertuples(index=False):
                fh.write(
                    ",".join(
                        x
                        if isinstance(x, str)
                        else (str(x) if isinstance(x, int | np.integer) else repr(float(x)))
                        for x in row
                    )
                    + "\n"
                )


def grid_profiles(result: GridResult) -> dict[str, dict[str, list]]:
    """Minimum objective over the other parameters for each grid value of each
    parameter (the grid's own, coarse profile)."""
    t = result.table[result.table.status == "ok"]
    out = {}
    for name in result.names:
        g = t.groupby(name)["objective"].min()
        out[name] = {"values": [float(v) for v in g.index], "objective": g.tolist()}
    return out


def landscape(result: GridResult, a: str, b: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Objective over the grid values of two parameters, minimised over the others.

    Returns
    -------
    va : array (n_a,), vb : array (n_b,), Z : array (n_b, n_a) (NaN where failed)
    """
    t = result.table[result.table.status == "ok"]
    z = t.groupby([b, a])["objective"].min().unstack(a)
    return z.columns.to_numpy(float), z.index.to_numpy(float), z.to_numpy(float)
