"""Timing helper shared by the benchmark scripts (run as `python benchmarks/bench_*.py`)."""

from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int, warmup: bool = True) -> float:
    """Median wall time [s] of ``repeat`` calls of ``fn`` (after one untimed call)."""
    if warmup:
        fn()  # imports, first allocations, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
