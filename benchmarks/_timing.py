"""What every benchmark shares: the load average at its start, calls timed at the median,
and its one JSON line (median as the headline, best, repeats, load)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

import numpy as np


def load_average() -> float:
    """The 1-minute load average now: read it before the benchmark starts its work."""
    return round(os.getloadavg()[0], 2)


def time_calls(function: Callable[[], object], repeats: int, warmup: int = 1) -> np.ndarray:
    """Seconds taken by each of ``repeats`` calls of ``function``, after ``warmup`` untimed
    calls (compilation, thread pools, tracing)."""
    for _ in range(warmup):
        function()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return np.array(seconds)


def rate(amount: float, seconds: np.ndarray) -> tuple[float, float]:
    """``amount`` per second at the median call and at the fastest call."""
    return amount / float(np.median(seconds)), amount / float(seconds.min())


def emit(benchmark: str, unit: str, median: float, best: float, repeats: int, load_1min: float,
         **details) -> None:
    """Print the benchmark's JSON line: the median is the headline figure."""
    print(json.dumps({"benchmark": benchmark, "unit": unit, "median": _round(median), "best": _round(best),
                      "repeats": repeats, "load_1min": load_1min, **details}), flush=True)


def _round(value: float) -> float:
    return round(value, 3) if abs(value) < 100 else round(value, 1)
