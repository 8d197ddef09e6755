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


def bad_value(field: str, value: object, allowed: str) -> str:
    """Format the standard message: ``field = value: allowed``."""
    return f"{field} = {value!r}: {allowed}"
