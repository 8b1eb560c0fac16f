"""The results table, the machine it ran on, and the Markdown page."""

import os
import platform
from importlib import metadata
from pathlib import Path

from bench.context import Context
from bench.page_text import render
from bench.timing import Row, format_duration, format_ratio

TABLE_HEAD = [
    "| work | project | baseline | baseline figure | project ÷ baseline |",
    "|---|---:|---|---:|---:|",
]


def results_table(rows: list[Row]) -> list[str]:
    lines = list(TABLE_HEAD)
    for row in rows:
        baseline = "" if row.baseline is None else format_duration(row.baseline)
        lines.append(
            f"| {row.work} | {format_duration(row.project)} | {row.baseline_name} "
            f"| {baseline} | {format_ratio(row.ratio)} |"
        )
    return lines


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    kib = int(line.split()[1])
                    return f"{kib / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine(postgres_version: str) -> list[tuple[str, str]]:
    """Return (what, value) pairs that describe the machine and the software."""
    return [
        ("CPU", _cpu_model()),
        ("cores (nproc)", str(os.cpu_count())),
        ("memory", _memory()),
        ("PostgreSQL", postgres_version),
        ("Python", platform.python_version()),
        ("Django", _version("django")),
        ("psycopg", _version("psycopg")),
        ("phonenumbers", _version("phonenumbers")),
        ("django-import-export", _version("django-import-export")),
    ]


def write_page(
    path: Path,
    ctx: Context,
    *,
    command: str,
    machine_facts: list[tuple[str, str]],
    total_seconds: float,
) -> None:
    """Write the Markdown page of one run to `path`."""
    path.write_text(
        render(
            ctx,
            command=command,
            machine_lines=[f"| {what} | {value} |" for what, value in machine_facts],
            results=results_table(ctx.rows),
            total=format_duration(total_seconds),
        )
    )
