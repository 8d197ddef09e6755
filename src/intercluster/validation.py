"""One home for argument validation: every layer checks its inputs with these helpers.

Modelled on SciPy's ``scipy/integrate/_ivp/common.py`` (``validate_tol``,
``validate_max_step``): the numerical code stays free of checks, and every check
raises the same kind of error with the same message form
(:func:`intercluster.errors.bad_value`: ``name = value: what is allowed``).

Each helper takes the parameter ``name`` as the library calls it (``t_end_s``,
``k_dim``; never a command-line flag), the ``value``, and optionally ``error``,
the :class:`~intercluster.errors.InterclusterError` subclass to raise
(:class:`~intercluster.errors.ConfigError` by default; readers of data files pass
:class:`~intercluster.errors.DataError`). Helpers return the value converted to
a plain Python ``float``/``int`` (or a NumPy array for :func:`times` and
:func:`finite_array`).

The module also holds the size limits: :func:`check_memory` estimates the bytes a
piece of work will allocate *before* it starts and refuses above
:func:`memory_limit_bytes` (4 GiB unless the ``INTERCLUSTER_MEMORY_LIMIT_GB``
environment variable says otherwise), naming the estimate and the option that
allows it.

Examples
--------
>>> positive("k_dim", 1e-2)
0.01
>>> positive("dead_time_s", 0, allow_zero=True)
0.0
>>> integer("n_atoms", 25, minimum=1)
25
>>> positive("k_diss", float("nan"))
Traceback (most recent call last):
...
intercluster.errors.ConfigError: k_diss = nan: a finite number > 0
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable

import numpy as np

from intercluster.errors import ConfigError, InterclusterError, bad_value

__all__ = [
    "check_memory",
    "finite",
    "finite_array",
    "format_bytes",
    "fraction",
    "in_range",
    "integer",
    "memory_limit_bytes",
    "number",
    "one_of",
    "positive",
    "times",
]

ErrorClass = type[InterclusterError]

#: Default memory limit of one piece of work [bytes] (4 GiB).
DEFAULT_MEMORY_LIMIT_BYTES = 4 * 1024**3
#: Environment variable that overrides the limit, in GiB (e.g. ``16``).
MEMORY_LIMIT_ENV = "INTERCLUSTER_MEMORY_LIMIT_GB"


def _unit(unit: str | None) -> str:
    return f" [{unit}]" if unit else ""


def _is_real(value) -> bool:
    return not isinstance(value, bool | np.bool_) and isinstance(value, numbers.Real)


def number(
    name: str,
    value,
    allowed: str,
    ok: Callable[[float], bool] = lambda v: True,
    *,
    error: ErrorClass = ConfigError,
) -> float:
    """A finite real number (not a bool) with ``ok(value)``; else ``error`` saying ``allowed``.

    Returns
    -------
    float
    """
    if not _is_real(value):
        raise error(bad_value(name, value, allowed))
    try:
        v = float(value)
    except (OverflowError, ValueError):  # e.g. a huge int
        raise error(bad_value(name, value, allowed)) from None
    if not math.isfinite(v) or not ok(v):
        raise error(bad_value(name, v, allowed))
    return v


def finite(name: str, value, *, unit: str | None = None, error: ErrorClass = ConfigError) -> float:
    """A finite real number (no NaN, no infinity, no bool).

    >>> finite("shift_ppm", -3.5)
    -3.5
    """
    return number(name, value, "a finite number" + _unit(unit), error=error)


def positive(
    name: str,
    value,
    *,
    allow_zero: bool = False,
    unit: str | None = None,
    error: ErrorClass = ConfigError,
) -> float:
    """A finite number > 0 (>= 0 with ``allow_zero``).

    >>> positive("width_hz", 2, unit="Hz")
    2.0
    """
    allowed = "a finite number " + (">= 0" if allow_zero else "> 0") + _unit(unit)
    return number(
        name, value, allowed, (lambda v: v >= 0) if allow_zero else (lambda v: v > 0), error=error
    )


def in_range(
    name: str,
    value,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    unit: str | None = None,
    error: ErrorClass = ConfigError,
) -> float:
    """A finite number in [low, high] (``low_open``/``high_open`` exclude the ends).

    >>> in_range("rtol", 1e-8, 0, 0.1, low_open=True)
    1e-08
    """
    lb = "(" if low_open else "["
    hb = ")" if high_open else "]"
    allowed = f"a finite number in {lb}{low:g}, {high:g}{hb}" + _unit(unit)

    def ok(v):
        return (v > low if low_open else v >= low) and (v < high if high_open else v <= high)

    return number(name, value, allowed, ok, error=error)


def fraction(
    name: str,
    value,
    *,
    low_open: bool = False,
    high_open: bool = False,
    error: ErrorClass = ConfigError,
) -> float:
    """A fraction in [0, 1] (``low_open``/``high_open`` exclude 0/1).

    >>> fraction("abundance_107", 0.51839)
    0.51839
    """
    return in_range(name, value, 0.0, 1.0, low_open=low_open, high_open=high_open, error=error)


def integer(
    name: str,
    value,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    what: str = "an integer",
    error: ErrorClass = ConfigError,
) -> int:
    """An integer (Python or NumPy; not a bool, not a float) within [minimum, maximum].

    >>> integer("seed", 0, minimum=0, maximum=2**32 - 1)
    0
    """
    parts = []
    if minimum is not None:
        parts.append(f">= {minimum}")
    if maximum is not None:
        parts.append(f"<= {maximum}")
    allowed = what + (" " + " and ".join(parts) if parts else "")
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise error(bad_value(name, value, allowed))
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise error(bad_value(name, value, allowed))
    return v


def one_of(name: str, value, choices: Iterable, *, error: ErrorClass = ConfigError):
    """``value`` if it is one of ``choices``.

    >>> one_of("mechanism", "dimer", ("dimer", "direct"))
    'dimer'
    """
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable value against a set-like
        ok = False
    if not ok:
        raise error(bad_value(name, value, "one of " + ", ".join(repr(c) for c in choices)))
    return value


def finite_array(
    name: str,
    values,
    *,
    nonnegative: bool = False,
    ndim: int | None = None,
    error: ErrorClass = ConfigError,
) -> np.ndarray:
    """A float array without NaN/inf (and, with ``nonnegative``, no negative entries).

    The message names the first offending entry by its index.
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise error(bad_value(name, values, "an array of numbers")) from None
    if ndim is not None and arr.ndim != ndim:
        raise error(bad_value(name, f"shape {arr.shape}", f"a {ndim}-D array"))
    bad = ~np.isfinite(arr)
    if nonnegative:
        bad |= arr < 0
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"{name}[{idx[0] if len(idx) == 1 else ', '.join(map(str, idx))}]"
        allowed = "a finite number" + (" >= 0" if nonnegative else "")
        raise error(bad_value(where, arr[idx].item(), allowed))
    return arr


def times(
    name: str,
    values,
    *,
    span: tuple[float, float] | None = None,
    strictly: bool = True,
    unit: str = "s",
    error: ErrorClass = ConfigError,
) -> np.ndarray:
    """A non-empty 1-D array of finite, increasing times, all within ``span`` = (start, end).

    Parameters
    ----------
    name : str
    values : array_like, shape (n,)
    span : (float, float), optional
        Closed interval the times must lie in [unit].
    strictly : bool
        Require strictly increasing times (else non-decreasing).

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    ConfigError (or ``error``)
        Naming the first offending time.

    >>> times("times_s", [0, 180, 3600], span=(0, 3600)).tolist()
    [0.0, 180.0, 3600.0]
    """
    arr = finite_array(name, np.atleast_1d(values), ndim=1, error=error)
    if arr.size == 0:
        raise error(bad_value(name, "[]", f"at least one time [{unit}]"))
    step = np.diff(arr)
    bad = np.flatnonzero(step <= 0 if strictly else step < 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise error(
            bad_value(
                f"{name}[{i}]",
                arr[i].item(),
                ("strictly increasing" if strictly else "non-decreasing")
                + f" times (previous {arr[i - 1].item():g} {unit})",
            )
        )
    if span is not None:
        lo, hi = float(span[0]), float(span[1])
        out = np.flatnonzero((arr < lo) | (arr > hi))
        if out.size:
            i = int(out[0])
            raise error(
                bad_value(f"{name}[{i}]", arr[i].item(), f"a time within [{lo:g}, {hi:g}] {unit}")
            )
    return arr


# ------------------------------------------------------------------ size limits


def format_bytes(n: float) -> str:
    """``n`` bytes in a human unit (binary prefixes).

    >>> format_bytes(28 * 1024**3)
    '28 GiB'
    """
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"  # pragma: no cover


def memory_limit_bytes() -> float:
    """The memory limit of one piece of work [bytes].

    4 GiB unless the environment variable ``INTERCLUSTER_MEMORY_LIMIT_GB`` gives
    another number of GiB (a finite number > 0).

    Raises
    ------
    ConfigError
        For an environment value that is not a positive number.
    """
    text = os.environ.get(MEMORY_LIMIT_ENV)
    if text is None or not text.strip():
        return float(DEFAULT_MEMORY_LIMIT_BYTES)
    try:
        gb = float(text)
    except ValueError:
        gb = float("nan")
    return positive(MEMORY_LIMIT_ENV, gb, unit="GiB") * 1024**3


def check_memory(
    what: str,
    n_bytes: float,
    *,
    allow: str,
    allowed: bool = False,
    error: ErrorClass = ConfigError,
) -> float:
    """Refuse a piece of work whose estimated memory exceeds the limit, before it starts.

    Parameters
    ----------
    what : str
        What would be allocated, with its size, e.g. ``"output grid of 3.6e7 times x
        77 species"``.
    n_bytes : float
        The estimate [bytes].
    allow : str
        What allows it, e.g. ``"a larger dt_s"`` or ``"allow_large=True"``; the
        message also names the ``INTERCLUSTER_MEMORY_LIMIT_GB`` environment variable.
    allowed : bool
        Skip the check (the caller's explicit permission).

    Returns
    -------
    float
        ``n_bytes``.

    Raises
    ------
    ConfigError (or ``error``)
        If ``n_bytes`` exceeds :func:`memory_limit_bytes` and not ``allowed``.

    >>> check_memory("a small table", 1e3, allow="nothing")
    1000.0
    """
    n_bytes = float(n_bytes)
    if allowed:
        return n_bytes
    limit = memory_limit_bytes()
    if not n_bytes <= limit:  # also refuses NaN/inf estimates
        raise error(
            f"{what} needs about {format_bytes(n_bytes)} of memory, more than the limit of "
            f"{format_bytes(limit)}; use {allow}, or raise the limit with the environment "
            f"variable {MEMORY_LIMIT_ENV}"
        )
    return n_bytes


# ------------------------------------------------------------------ input files

#: Largest text input (configuration, table, ion list) read without complaint [bytes].
MAX_INPUT_BYTES = 256 * 1024**2


def read_text(
    path,
    what: str = "file",
    *,
    error: ErrorClass = ConfigError,
    max_bytes: int = MAX_INPUT_BYTES,
) -> str:
    """The UTF-8 text of an input file, or ``error`` with one clear line.

    Missing files, directories, unreadable files, files larger than ``max_bytes``,
    binary files (NUL bytes) and text that is not UTF-8 (the message gives the byte
    offset) all raise ``error`` naming ``what`` and the path.

    Parameters
    ----------
    path : str or os.PathLike
    what : str
        What the file is, for the message (``"config file"``, ``"data file"``).

    Returns
    -------
    str
    """
    from pathlib import Path

    p = Path(path)
    shown = show_path(p)
    try:
        if p.is_dir():
            raise error(f"{what} {shown} is a directory; give a file")
        size = p.stat().st_size
        if size > max_bytes:
            raise error(
                f"{what} {shown} has {format_bytes(size)}, more than the "
                f"{format_bytes(max_bytes)} an input file may have"
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} {shown} not found (the file does not exist)") from None
    except IsADirectoryError:
        raise error(f"{what} {shown} is a directory; give a file") from None
    except PermissionError:
        raise error(f"{what} {shown} cannot be read (permission denied)") from None
    except OSError as exc:
        raise error(f"{what} {shown} cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data[:65536]:
        raise error(f"{what} {shown} is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            f"{what} {shown} is not UTF-8 text (byte {exc.start}, line {line}); save it as UTF-8"
        ) from None


def show_path(path) -> str:
    """A path for messages: quoted, cut like values (:func:`intercluster.errors.show_value`)."""
    from intercluster.errors import show_value

    return show_value(str(path))


def load_toml_text(
    text: str, source: str, what: str = "config file", *, error: ErrorClass = ConfigError
) -> dict:
    """Parse TOML ``text``; syntax errors and absurd nesting become ``error``.

    >>> load_toml_text("a = " + "[" * 5000 + "]" * 5000, "d.toml")
    Traceback (most recent call last):
    ...
    intercluster.errors.ConfigError: config file 'd.toml': nested too deeply to be a configuration
    """
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {show_path(source)} is not valid TOML: {exc}") from None
    except RecursionError:
        raise error(
            f"{what} {show_path(source)}: nested too deeply to be a configuration"
        ) from None


#: File extensions a figure can be written in (matplotlib's writers without extras).
FIGURE_FORMATS = (".png", ".svg", ".pdf", ".eps", ".ps", ".jpg", ".jpeg", ".tif", ".tiff")


def figure_path(name: str, path, *, error: ErrorClass = ConfigError):
    """``path`` as a :class:`pathlib.Path` if its extension is a figure format
    (:data:`FIGURE_FORMATS`), checked before any work.

    >>> figure_path("plot", "isomers.png").suffix
    '.png'
    """
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() not in FIGURE_FORMATS:
        raise error(bad_value(name, str(path), "a file ending in " + ", ".join(FIGURE_FORMATS)))
    return p


def random_generator(name: str, seed, *, error: ErrorClass = ConfigError) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from ``seed``: a Generator (used as is), None
    (fresh entropy) or an integer >= 0.

    >>> float(random_generator("seed", 0).random()) == float(random_generator("seed", 0).random())
    True
    """
    if isinstance(seed, np.random.Generator) or seed is None:
        return np.random.default_rng(seed)
    return np.random.default_rng(integer(name, seed, minimum=0, what="a random seed (integer)"))


#: Longest simulated span, in units of the slowest time scale of the kinetics.
MAX_SPAN_TIMESCALES = 1e6


def check_time_span(
    span_s: float,
    timescale_s: float,
    *,
    allow: str,
    max_ratio: float = MAX_SPAN_TIMESCALES,
    error: ErrorClass = ConfigError,
) -> float:
    """Refuse a simulated span far beyond the slowest time scale of the kinetics.

    Beyond ~10^6 of its slowest time scales a mass-action system has long reached
    equilibrium; integrating further only accumulates steps (a dead time of 10^12 s
    ran 138 s and then failed). Refused before the integration starts.

    Parameters
    ----------
    span_s : float
        Simulated time [s].
    timescale_s : float
        Slowest time scale [s] (1 / the smallest pseudo-first-order rate; inf when
        nothing reacts, which passes).
    allow : str
        What to change, for the message.

    Returns
    -------
    float
        span_s / timescale_s.

    >>> check_time_span(3620.0, 31.25, allow="a shorter t_end_s") < 1e6
    True
    """
    ratio = float(span_s) / float(timescale_s)
    if not ratio <= max_ratio:
        raise error(
            f"the run spans {span_s:.3g} s, {ratio:.2g} times the slowest time scale of the "
            f"kinetics ({timescale_s:.3g} s); the system is at equilibrium after a small "
            f"fraction of that (at most {max_ratio:.0e} time scales are simulated); use {allow}"
        )
    return ratio
