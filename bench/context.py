"""Shared state of the benchmark's parts: options, generated data, results."""

from dataclasses import dataclass, field

from bench.timing import Row

# The small DNC list of the dialer comparison.
SMALL_LIST = 1_000


@dataclass
class Context:
    """The run's options, its generated numbers and what the parts measured."""

    list_size: int
    leads: int
    lookups: int
    requests: int
    picks: int
    seed: int
    connect: dict
    # The numbers on the full list, then numbers that are never listed.
    listed: list[str]
    unlisted: list[str]
    rows: list[Row] = field(default_factory=list)
    # (target, what this run measured) pairs for the report.
    targets: list[tuple[str, str]] = field(default_factory=list)
    # Extra tables for the report, keyed by part: lists of Markdown lines.
    details: dict[str, list[str]] = field(default_factory=dict)
