"""Result rows of the benchmark and the formatting of their figures."""

import statistics
from dataclasses import dataclass


@dataclass
class Row:
    """One line of the results table. Times are in seconds."""

    work: str
    project: float
    baseline: float | None
    baseline_name: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.project / self.baseline


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def format_duration(seconds: float) -> str:
    """Format a duration with a unit that keeps two or three significant digits."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        value = seconds * 1e3
        return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "n/a"
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.0f}x"
