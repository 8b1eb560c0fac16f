"""Bulk import of DNC list files: the engine behind the Import page and command.

`import_file` reads a CSV or plain-text file of any size with bounded memory.
It detects the layout from the first bytes and parses the rows in one pass,
while COPY streams them into a staging table. A few SQL statements then apply
them in one transaction. Each row of the file ends up counted once:

    rows_read = blank + added + already_listed + duplicates + rejected
                + removed + kept + not_listed

Rejected rows, repeated rows and registry deletions that left their number
listed (kept) are stored as DncImportRow with their line number. The audit
log gets one "imported" entry with the counts, plus one removal entry per
number that a registry deletion takes off the list.
"""

import csv
import io
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEntry
from dnc.importing import load
from dnc.importing.detect import ImportFileError, Layout, detect_layout
from dnc.importing.reader import BlockReader, SampledSource
from dnc.importing.rows import NumberParser, ReadCounts, read_records, staging_blocks
from dnc.models import DncImport, DncImportRow, Source

__all__ = ["ImportFileError", "ImportProgress", "ImportReport", "import_file"]

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 50_000

_READ_BUFFER = 1 << 20

COUNT_FIELDS = (
    "rows_read",
    "blank",
    "added",
    "already_listed",
    "duplicates",
    "rejected",
    "removed",
    "kept",
    "not_listed",
)


@dataclass(frozen=True)
class ImportProgress:
    """How far the reading of a file has come, for progress displays."""

    dnc_import_id: int
    rows_read: int
    blank: int
    rejected: int
    bytes_read: int
    bytes_total: int
    reading_done: bool = False


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one import, with every row of the file counted once."""

    dnc_import: DncImport
    layout: str
    rows_read: int
    blank: int
    added: int
    already_listed: int
    duplicates: int
    rejected: int
    removed: int
    kept: int
    not_listed: int
    # Seconds spent in each phase: detect, read (parsing and COPY), report
    # (finding repeats, storing report rows), apply (adding and deleting).
    timings: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def report_rows(self, kind: str | None = None):
        """Return the stored rejected, repeated and kept rows, in file order."""
        rows = DncImportRow.objects.filter(dnc_import=self.dnc_import)
        if kind:
            rows = rows.filter(kind=kind)
        return rows.order_by("row")


def _file_size(fileobj) -> int:
    try:
        return os.fstat(fileobj.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return getattr(fileobj, "size", 0) or 0


def import_file(
    path_or_fileobj,
    *,
    by,
    file_name: str,
    dnc_import: DncImport | None = None,
    progress: Callable[[ImportProgress], None] | None = None,
) -> ImportReport:
    """Import a DNC list file and return its report.

    `path_or_fileobj` is a path or a binary file object; `by` is the user
    recorded as adding the numbers (None or anonymous for nobody). The import
    is recorded in `dnc_import`, or in a new DncImport. `progress` is called
    every PROGRESS_EVERY rows while the file is read; it runs inside the
    import's transaction, so it must write through its own connection.

    Raises ImportFileError for a file that cannot be read as a DNC list;
    nothing is imported then, and the DncImport is marked failed with the
    message, as it is for any other error.
    """
    user = by if by is not None and by.is_authenticated else None
    if isinstance(path_or_fileobj, (str, os.PathLike)):
        with open(path_or_fileobj, "rb") as fileobj:
            return _import(fileobj, user, file_name, dnc_import, progress)
    return _import(path_or_fileobj, user, file_name, dnc_import, progress)


def _import(fileobj, user, file_name, dnc_import, progress) -> ImportReport:
    if dnc_import is None:
        dnc_import = DncImport.objects.create(
            file_name=file_name[:255], uploaded_by=user
        )
    started = time.monotonic()
    try:
        source = SampledSource(fileobj)
        layout = detect_layout(
            source.sample, file_name=file_name, complete=source.is_complete
        )
        source.size = _file_size(fileobj)
        _mark_running(dnc_import, layout, source.size)
        logger.info(
            "Import %s of %s started: %s", dnc_import.pk, file_name, layout.describe()
        )
        with transaction.atomic():
            report = _load(source, layout, dnc_import, user, progress, started)
    except Exception as exc:
        _mark_failed(dnc_import, exc)
        raise
    logger.info(
        "Import %s of %s finished in %.1f s: %s",
        dnc_import.pk,
        file_name,
        time.monotonic() - started,
        report.counts(),
    )
    if report.rejected:
        first = report.report_rows(DncImportRow.Kind.REJECTED).first()
        logger.info(
            "Import %s rejected %d rows; the first, row %d: %s",
            dnc_import.pk,
            report.rejected,
            first.row,
            first.error,
        )
    return report


def _mark_running(dnc_import: DncImport, layout: Layout, bytes_total: int) -> None:
    dnc_import.status = DncImport.Status.RUNNING
    dnc_import.started_at = timezone.now()
    dnc_import.layout = layout.describe()
    dnc_import.bytes_total = bytes_total
    dnc_import.error = ""
    dnc_import.save(
        update_fields=["status", "started_at", "layout", "bytes_total", "error"]
    )


def _mark_failed(dnc_import: DncImport, exc: Exception) -> None:
    if isinstance(exc, ImportFileError):
        message = str(exc)
    else:
        message = (
            f"The import stopped with an error ({type(exc).__name__}: {exc}). "
            "Nothing from this file was added. Check the file and upload it "
            "again; if the error repeats, report it to the administrator."
        )
    dnc_import.status = DncImport.Status.FAILED
    dnc_import.error = message
    dnc_import.finished_at = timezone.now()
    if connection.needs_rollback:
        # The caller's transaction is broken; the caller records the failure.
        return
    dnc_import.save(update_fields=["status", "error", "finished_at"])


def _load(source, layout, dnc_import, user, progress, started):
    timings = {"detect": time.monotonic() - started}
    user_id = user.pk if user else None
    now = timezone.now()
    # A list without add/delete flags adds each block's numbers as it is read,
    # because which of a number's rows comes first does not change them.
    add_to = None
    if not layout.is_change_list:
        add_to = {"import_id": dnc_import.pk, "user_id": user_id, "now": now}

    mark = time.monotonic()
    with connection.cursor() as cursor:
        load.create_staging(cursor)
        read, added = _read(cursor, source, layout, dnc_import, progress, add_to)
        timings["read"] = time.monotonic() - mark

        mark = time.monotonic()
        duplicates = load.store_report_rows(
            cursor, dnc_import.pk, keep_numbers=add_to is None
        )
        timings["report"] = time.monotonic() - mark

        mark = time.monotonic()
        if add_to is None:
            applied = load.apply_numbers(
                cursor, import_id=dnc_import.pk, user_id=user_id, now=now
            )
        else:
            distinct = read.staged - duplicates
            applied = load.ApplyCounts(added=added, already_listed=distinct - added)
        timings["apply"] = time.monotonic() - mark

    report = ImportReport(
        dnc_import=dnc_import,
        layout=layout.describe(),
        rows_read=read.rows_read,
        blank=read.blank,
        rejected=read.rejected,
        duplicates=duplicates,
        added=applied.added,
        already_listed=applied.already_listed,
        removed=applied.removed,
        kept=applied.kept,
        not_listed=applied.not_listed,
        timings=timings,
    )
    _record(report, dnc_import, user, source.bytes_read)
    return report


def _read(cursor, source, layout, dnc_import, progress, add_to):
    """Parse the file and stage its rows; return the counts and numbers added."""
    text = io.TextIOWrapper(
        io.BufferedReader(source, _READ_BUFFER),
        encoding=layout.encoding,
        errors="surrogateescape" if layout.encoding.startswith("utf-8") else "replace",
        newline="",
    )
    counts = ReadCounts()
    blocks = staging_blocks(
        read_records(text, layout), layout, NumberParser(), counts, PROGRESS_EVERY
    )
    reader = BlockReader(blocks, counts, source)
    added = 0
    reader.start()
    try:
        for block in reader:
            added += load.stage_block(cursor, block.rows, add_to=add_to)
            if progress is not None:
                progress(
                    ImportProgress(
                        dnc_import_id=dnc_import.pk,
                        rows_read=block.rows_read,
                        blank=block.blank,
                        rejected=block.rejected,
                        bytes_read=block.bytes_read,
                        bytes_total=source.size,
                        reading_done=block.is_last,
                    )
                )
    except csv.Error as exc:
        raise ImportFileError(
            f'"{dnc_import.file_name}" cannot be read as CSV after '
            f"{source.bytes_read:,} bytes ({exc}). Check that the file is a "
            "CSV or plain-text list of numbers."
        ) from None
    finally:
        reader.close()
    return counts, added


def _record(report, dnc_import, user, bytes_read) -> None:
    """Write the audit entry of the import and its counts."""
    AuditEntry.objects.create(
        action=AuditEntry.Action.IMPORTED,
        source=Source.IMPORT,
        user=user,
        dnc_import=dnc_import,
        note=dnc_import.file_name,
        details=report.counts(),
    )
    for name, value in report.counts().items():
        setattr(dnc_import, name, value)
    dnc_import.status = DncImport.Status.DONE
    dnc_import.finished_at = timezone.now()
    dnc_import.bytes_read = bytes_read
    dnc_import.save(
        update_fields=[*COUNT_FIELDS, "status", "finished_at", "bytes_read"]
    )
