"""Import of a DNC list file: the project's import against django-import-export.

The project's import, `dnc.importer.import_file` (what `manage.py import_dnc`
and the Import page run), runs in a child process, whose peak resident memory
is read when it ends. django-import-export runs in this process on samples of
the file, and its time is scaled to the full file. Every import starts from an
empty list.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
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
from dnc.models import DncImport

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
    """Remove every number, import and audit entry, then CHECKPOINT.

    TRUNCATE is not an UPDATE or DELETE, so the audit table's append-only
    trigger does not stop it. The checkpoint keeps the previous import's
    writes from slowing the next one.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE dnc_dncnumber, audit_auditentry, dnc_dncimport CASCADE"
        )
        cursor.execute("CHECKPOINT")


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
    """Import a file in a child process; return its times and peak memory."""
    command = [sys.executable, "-m", "bench.import_child", str(path)]
    with open(log_path, "w") as log_file:
        start = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command,
            cwd=settings.BASE_DIR,
            env=os.environ,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        # wait4 returns this child's own resource usage, peak memory included.
        _, status, usage = os.wait4(process.pid, 0)
        process_seconds = time.perf_counter() - start
    output = log_path.read_text()
    exit_code = os.waitstatus_to_exitcode(status)
    if exit_code != 0:
        raise RuntimeError(f"The import exited with {exit_code}:\n{output[-2000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    result["process_seconds"] = process_seconds
    # ru_maxrss is in KiB on Linux.
    result["peak_mib"] = usage.ru_maxrss / 1024
    return result


def time_number_parsing(path: Path) -> float:
    """Time the import's phone number parser alone on every value of a file."""
    from dnc.importing.rows import NumberParser

    parser = NumberParser()
    with open(path, newline="") as csv_file:
        values = csv_file.read().splitlines()[1:]
    start = time.perf_counter()
    for value in values:
        parser.to_e164(value)
    return time.perf_counter() - start


def time_database_work(ctx: Context, numbers: list[str]) -> dict[str, float]:
    """Time the database work of an import alone, on numbers already in E.164.

    COPY into an unindexed temporary table, one INSERT ... SELECT into the
    list, and the COMMIT. The rows name an import, as the project's import
    does.
    """
    dnc_import = DncImport.objects.create(file_name="benchmark")
    seconds = {}
    with psycopg.connect(**ctx.connect) as conn:
        conn.execute("CREATE TEMPORARY TABLE bench_staging (phone text)")
        start = time.perf_counter()
        with conn.cursor().copy("COPY bench_staging (phone) FROM STDIN") as copy:
            for first in range(0, len(numbers), 50_000):
                copy.write("\n".join(numbers[first : first + 50_000]) + "\n")
        seconds["copy"] = time.perf_counter() - start

        start = time.perf_counter()
        conn.execute(
            "INSERT INTO dnc_dncnumber "
            "(phone_number, source, added_at, note, dnc_import_id) "
            "SELECT phone, 'import', now(), '', %s FROM bench_staging "
            "ON CONFLICT (phone_number) DO NOTHING",
            [dnc_import.pk],
        )
        seconds["insert"] = time.perf_counter() - start

        start = time.perf_counter()
        conn.commit()
        seconds["commit"] = time.perf_counter() - start
        seconds["indexes"] = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'dnc_dncnumber'"
        ).fetchone()[0]
    _check_count(len(numbers), "The INSERT of the database work alone")
    return seconds


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
            project[rows]["not_e164"] = _check_count(rows, "The project's import")
        parse_seconds = time_number_parsing(files[full_rows])
        empty_list()
        database_seconds = time_database_work(ctx, ctx.listed[:full_rows])

        empty_list()
        default = import_file(DncNumberResource(), files[default_rows])
        default["not_e164"] = _check_count(default_rows, "django-import-export")

        empty_list()
        fast = import_file(FastDncNumberResource(), files[fast_rows])
        fast["not_e164"] = _check_count(fast_rows, "django-import-export")
        empty_list()

    full = project[full_rows]
    scaled_default = default["seconds"] * full_rows / default["rows"]
    scaled_fast = fast["seconds"] * full_rows / fast["rows"]
    baseline_name = "django-import-export {}, {:,} rows scaled to {:,}"
    ctx.rows += [
        Row(
            work=f"Import of a {full_rows:,}-row file",
            project=full["seconds"],
            baseline=scaled_default,
            baseline_name=baseline_name.format(
                "default options", default["rows"], full_rows
            ),
        ),
        Row(
            work=f"Import of a {full_rows:,}-row file",
            project=full["seconds"],
            baseline=scaled_fast,
            baseline_name=baseline_name.format(
                "fastest documented options", fast["rows"], full_rows
            ),
        ),
    ]
    if fast_rows != full_rows:
        ctx.rows.append(
            Row(
                work=f"Import of a {fast_rows:,}-row file",
                project=project[fast_rows]["seconds"],
                baseline=fast["seconds"],
                baseline_name="django-import-export, fastest documented options",
            )
        )

    ctx.details["import"] = [
        *_runs_table(project, default, fast),
        "",
        *IMPORT_NOTES,
        "",
        *_stages_table(full, parse_seconds, full_rows),
        "",
        *_database_lines(database_seconds, full_rows),
    ]
    _add_targets(ctx, project, full, scaled_default, scaled_fast)


IMPORT_NOTES = [
    "The project's time is that of `import_file()` in the child process; the",
    "process time adds Python and Django start-up. Peak memory is the child's",
    "maximum resident set size (`ru_maxrss` from `wait4`).",
    "django-import-export's times cover reading the file into a tablib Dataset",
    "and `import_data()`. Its resources are keyed on `phone_number`",
    "(`import_id_fields`), as a list that is imported again needs. The fast",
    "one sets `use_bulk = True`, `skip_diff = True`, `instance_loader_class =",
    "CachedInstanceLoader` and `batch_size = 10_000`. django-import-export",
    "parses no phone numbers: it stores each value as the file writes it, and",
    "the last column counts the stored numbers that are not E.164, which the",
    "pre-dial check would never match.",
]


def _runs_table(project: dict, default: dict, fast: dict) -> list[str]:
    lines = [
        "The same numbers in six formats (see below), one per row under a",
        "`phone_number` header, into an empty list.",
        "",
        "| import | rows | time | process time | per million rows | peak memory "
        "| stored numbers not in E.164 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for rows, result in sorted(project.items()):
        per_million = result["seconds"] * 1_000_000 / rows
        lines.append(
            f"| project, `import_file()` | {rows:,} | "
            f"{format_duration(result['seconds'])} | "
            f"{format_duration(result['process_seconds'])} | "
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
            f"| | {format_duration(per_million)} (scaled) | not measured | "
            f"{result['not_e164']:,} |"
        )
    return lines


# The stages that `import_file()` times, in order, for a file without add or
# delete flags like the benchmark's.
STAGES = (
    ("detect", "detect: find the file's layout"),
    (
        "read",
        "read: parse blocks of rows in a thread, while each parsed block is "
        "copied into a staging table and its new numbers are added to the list",
    ),
    ("report", "report: find repeated numbers, store rejected and repeated rows"),
    ("apply", "apply: registry deletions (none in this file)"),
)


def _stages_table(full: dict, parse_seconds: float, rows: int) -> list[str]:
    """Return the time per stage of the full import, as Markdown lines."""
    timings = full["timings"]
    total = full["seconds"]
    lines = [
        f"### Where the time goes ({rows:,} rows)",
        "",
        "| stage | time | share |",
        "|---|---:|---:|",
    ]
    for key, label in STAGES:
        if key in timings:
            seconds = timings[key]
            lines.append(
                f"| {label} | {format_duration(seconds)} | {seconds / total:.0%} |"
            )
    rest = total - sum(timings.values())
    lines += [
        "| the rest: the DncImport and audit rows, and COMMIT "
        f"| {format_duration(rest)} | {rest / total:.0%} |",
        f"| all of `import_file()` | {format_duration(total)} | 100% |",
        "",
        "Parsing the numbers alone, with the import's own parser on the same",
        "values in the benchmark's process, took "
        f"{format_duration(parse_seconds)} on one core. The import runs that",
        "parsing in a thread beside the database work of the read stage.",
    ]
    return lines


def _database_lines(seconds: dict[str, float], rows: int) -> list[str]:
    return [
        f"The database work of such an import done alone, on the same {rows:,}",
        "numbers already in E.164, through psycopg in one transaction:",
        "",
        "| step | time |",
        "|---|---:|",
        f"| COPY into an unindexed temporary table | "
        f"{format_duration(seconds['copy'])} |",
        f"| one set-based INSERT ... SELECT ... ON CONFLICT DO NOTHING into the "
        f"list, with its {seconds['indexes']} indexes | "
        f"{format_duration(seconds['insert'])} |",
        f"| COMMIT | {format_duration(seconds['commit'])} |",
    ]


def _add_targets(ctx, project, full, scaled_default, scaled_fast) -> None:
    ctx.targets.append(
        (
            "a one-million-row CSV import well under a minute on two cores",
            f"{format_duration(full['seconds'])} for {ctx.list_size:,} rows",
        )
    )
    ctx.targets.append(
        (
            "import memory bounded, not growing with the file",
            ", ".join(
                f"{result['peak_mib']:.0f} MiB for {rows:,} rows"
                for rows, result in sorted(project.items())
            ),
        )
    )
    ctx.targets.append(
        (
            "many times faster than a generic import library row by row",
            f"{scaled_default / full['seconds']:.0f}x faster than "
            "django-import-export's default options, "
            f"{scaled_fast / full['seconds']:.1f}x faster than its fastest",
        )
    )
