"""Timing helpers and the result rows that the report prints."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    """One line of the results table. Times are in seconds."""

    work: str
    project: float
    baseline: float | None
    baseline_name: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.project / self.baseline


def time_each(function: Callable, arguments) -> list[float]:
    """Call `function` once per argument and return each call's duration."""
    durations = []
    for argument in arguments:
        start = time.perf_counter()
        function(argument)
        durations.append(time.perf_counter() - start)
    return durations


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def format_duration(seconds: float) -> str:
    """Format a duration with a unit that keeps two or three significant digits."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        value = seconds * 1e3
        return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "n/a"
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.0f}x"
