"""The one validation module: each helper accepts what it promises and refuses the
rest with the standard message (name = value: what is allowed), in the error class
asked for; size limits are estimated before the work and name what allows more."""

from __future__ import annotations

import math

import numpy as np
import pytest

from intercluster import validation as v
from intercluster.errors import ConfigError, DataError, NetworkSizeError, bad_value, show_value

BAD_NUMBERS = [math.nan, math.inf, -math.inf, True, "1", None, [1.0], 10**400]


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_finite_refuses_non_numbers(value):
    with pytest.raises(ConfigError, match=r"^x = .*: a finite number"):
        v.finite("x", value)


def test_positive_and_allow_zero():
    assert v.positive("k", np.float64(2.5)) == 2.5 and type(v.positive("k", 3)) is float
    assert v.positive("t", 0, allow_zero=True) == 0.0
    with pytest.raises(ConfigError, match=r"^k = 0\.0: a finite number > 0 \[s\^-1\]$"):
        v.positive("k", 0, unit="s^-1")
    with pytest.raises(DataError, match=r"t = -1\.0: a finite number >= 0"):
        v.positive("t", -1, allow_zero=True, error=DataError)


def test_integer_with_range():
    assert v.integer("n", np.int64(7), minimum=1) == 7
    for bad in (1.0, True, "3", None):
        with pytest.raises(ConfigError, match="an integer"):
            v.integer("n", bad)
    with pytest.raises(ConfigError, match=r"n = 0: an integer >= 1 and <= 5"):
        v.integer("n", 0, minimum=1, maximum=5)
    with pytest.raises(ConfigError, match=r"<= 5"):
        v.integer("n", 6, minimum=1, maximum=5)


def test_fraction_in_range_one_of():
    assert v.fraction("f", 0) == 0.0 and v.fraction("f", 1) == 1.0
    with pytest.raises(ConfigError, match=r"\(0, 1\]"):
        v.fraction("f", 0, low_open=True)
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        v.fraction("f", 1.5)
    assert v.in_range("rtol", 0.1, 0, 0.1, low_open=True) == 0.1
    with pytest.raises(ConfigError, match=r"in \[2, 3\)"):
        v.in_range("x", 3, 2, 3, high_open=True)
    assert v.one_of("m", "dimer", ("dimer", "direct")) == "dimer"
    with pytest.raises(ConfigError, match="one of 'dimer', 'direct'"):
        v.one_of("m", ["unhashable"], {"dimer", "direct"} and ("dimer", "direct"))


def test_times_sorted_finite_within_span():
    assert v.times("t", [0, 1, 5], span=(0, 5)).tolist() == [0.0, 1.0, 5.0]
    with pytest.raises(ConfigError, match=r"t\[2\] = 1\.0: strictly increasing"):
        v.times("t", [0, 2, 1])
    with pytest.raises(ConfigError, match=r"t\[1\] = nan: a finite number"):
        v.times("t", [0, math.nan])
    with pytest.raises(ConfigError, match=r"t\[1\] = 9\.0: a time within \[0, 5\] s"):
        v.times("t", [1, 9], span=(0, 5))
    with pytest.raises(ConfigError, match="at least one time"):
        v.times("t", [])
    assert v.times("t", [1, 1], strictly=False).tolist() == [1.0, 1.0]


def test_random_generator_and_figure_path():
    assert v.random_generator("seed", 3).integers(100) == np.random.default_rng(3).integers(100)
    with pytest.raises(ConfigError, match="seed = -1"):
        v.random_generator("seed", -1)
    assert v.figure_path("plot", "a.PNG").name == "a.PNG"
    with pytest.raises(ConfigError, match=r"plot = 'a\.xyz'"):
        v.figure_path("plot", "a.xyz")


def test_messages_show_numbers_as_numbers_and_cut_long_values():
    assert bad_value("dead_time_s", np.float64(-40.0), "x") == "dead_time_s = -40.0: x"
    assert show_value(np.int32(3)) == "3" and show_value(np.array([1.5, 2])) == "[1.5, 2.0]"
    long = show_value("y" * 1_000_000)
    assert len(long) < 120 and long.endswith("... (1000002 chars)")
    # every helper's message goes through it
    with pytest.raises(ConfigError) as info:
        v.one_of("name", "z" * 10**6, ("a",))
    assert len(str(info.value)) < 200


def test_check_memory_refuses_above_the_limit_with_the_option(monkeypatch):
    monkeypatch.delenv(v.MEMORY_LIMIT_ENV, raising=False)
    assert v.memory_limit_bytes() == 4 * 1024**3
    assert v.check_memory("a table", 1e9, allow="x") == 1e9
    with pytest.raises(ConfigError, match=r"needs about 28 GiB .* use a larger dt_s"):
        v.check_memory("an output grid", 28 * 1024**3, allow="a larger dt_s")
    with pytest.raises(NetworkSizeError):
        v.check_memory("x", 1e12, allow="y", error=NetworkSizeError)
    assert v.check_memory("x", 1e12, allow="y", allowed=True) == 1e12
    monkeypatch.setenv(v.MEMORY_LIMIT_ENV, "64")
    assert v.check_memory("an output grid", 28 * 1024**3, allow="a larger dt_s") > 0
    monkeypatch.setenv(v.MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(ConfigError, match=v.MEMORY_LIMIT_ENV):
        v.memory_limit_bytes()


def test_read_text_refuses_what_is_not_a_text_file(tmp_path):
    p = tmp_path / "ok.txt"
    p.write_text("é\n", encoding="utf-8")
    assert v.read_text(p) == "é\n"
    p.write_bytes(b"a\nb\xe9\n")
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 3, line 2\)"):
        v.read_text(p)
    p.write_bytes(b"\x00\x01")
    with pytest.raises(DataError, match="binary file"):
        v.read_text(p, error=DataError)
    with pytest.raises(ConfigError, match="is a directory"):
        v.read_text(tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        v.read_text(tmp_path / "missing")
    p.write_text("x" * 100)
    with pytest.raises(ConfigError, match="more than"):
        v.read_text(p, max_bytes=10)


def test_the_old_near_copies_are_gone():
    """One home for the checks: the modules that had their own copies call validation."""
    import importlib
    import inspect

    names = ["fit.config", "kinetics.config", "kinetics.simulate", "nmr.multiplets"]
    names.append("thermo.plausibility")
    modules = [importlib.import_module(f"intercluster.{n}") for n in names]
    fit_config, kin_config, simulate, multiplets, plausibility = modules

    assert not hasattr(simulate, "_positive") and not hasattr(kin_config, "_number")
    for module in (fit_config, kin_config, simulate, multiplets, plausibility):
        assert "intercluster.validation" in inspect.getsource(module), module.__name__
        assert "math.isfinite" not in inspect.getsource(module), module.__name__
