"""One exception hierarchy for every kind of bad input (DESIGN.md, "Errors").

Messages name the offending field, the value and what is allowed, so that the
command line can print them as one line and exit with status 2.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "FormulaError",
    "InterclusterError",
    "NetworkSizeError",
    "SolverError",
    "bad_value",
    "show_value",
]


class InterclusterError(Exception):
    """Root of all errors raised by intercluster for bad input or failed runs."""


class FormulaError(InterclusterError, ValueError):
    """A formula, ion or species label that cannot be parsed or is impossible."""


class ConfigError(InterclusterError, ValueError):
    """A configuration value (file, API argument or option) that is not allowed."""


class DataError(InterclusterError, ValueError):
    """Input data (spectra, time series, tables) that cannot be used as given."""


class NetworkSizeError(ConfigError):
    """A network larger than the stated limit was requested without ``allow_large``."""


class SolverError(InterclusterError, RuntimeError):
    """The ODE integration failed; the message says the time reached and what to try."""


#: Longest shown form of a value in a message; longer ones are cut.
MAX_SHOWN_CHARS = 80


def show_value(value: object, max_chars: int = MAX_SHOWN_CHARS) -> str:
    """The form of ``value`` shown in messages.

    Numbers appear as numbers (``-40.0``, not ``np.float64(-40.0)``; NumPy
    scalars and arrays are shown as Python values), strings quoted, and any form
    longer than ``max_chars`` is cut to its first ``max_chars`` characters
    followed by ``... (N chars)``, so that a 1 MB input is never echoed; file paths
    (up to 1024 characters) are shown whole.

    >>> import numpy as np
    >>> show_value(np.float64(-40.0))
    '-40.0'
    >>> show_value("x" * 1000).endswith("xxx... (1002 chars)")
    True
    """
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        try:
            value = item()
        except (TypeError, ValueError):  # pragma: no cover
            pass
    elif callable(getattr(value, "tolist", None)) and getattr(value, "size", 0) <= 1000:
        try:
            value = value.tolist()
        except (TypeError, ValueError):  # pragma: no cover
            pass
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the message
        text = f"<{type(value).__name__}>"
    if len(text) > max_chars and not _is_path(value):
        text = f"{text[:max_chars]}... ({len(text)} chars)"
    return text


def _is_path(value: object) -> bool:
    """A file name is shown whole (a cut path cannot be found again); a path is a
    PathLike or a one-line string with a '/' of at most 1024 characters."""
    import os

    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and "/" in value and "\n" not in value and len(value) <= 1024


def bad_value(field: str, value: object, allowed: str) -> str:
    """Format the standard message: ``field = value: allowed``.

    The value is shown by :func:`show_value` (numbers as numbers, long inputs cut).

    >>> import numpy as np
    >>> bad_value("dead_time_s", np.float64(-40.0), "a finite number >= 0 [s]")
    'dead_time_s = -40.0: a finite number >= 0 [s]'
    """
    return f"{field} = {show_value(value)}: {allowed}"
