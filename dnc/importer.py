"""Bulk import of DNC list files: the engine behind the Import page and command.

`import_file` reads a CSV or plain-text file of any size with bounded memory.
It detects the layout from the first bytes and parses the rows in one pass,
while COPY streams them into a staging table. A few SQL statements then apply
them in one transaction. Each row of the file ends up counted once:

    rows_read = blank + added + already_listed + duplicates + rejected
                + removed + kept + not_listed

Rejected and repeated rows are stored as DncImportRow with their line number.
The audit log gets one "imported" entry with the counts, plus one removal
entry per number that a registry deletion takes off the list.
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
from dnc.importing.detect import SAMPLE_BYTES, ImportFileError, Layout, detect_layout
from dnc.importing.rows import NumberParser, ReadCounts, read_records, stage_rows
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
        """Return the stored rejected and repeated rows, in file order."""
        rows = DncImportRow.objects.filter(dnc_import=self.dnc_import)
        if kind:
            rows = rows.filter(kind=kind)
        return rows.order_by("row")


class _SampledSource(io.RawIOBase):
    """A binary stream that keeps its first bytes for layout detection.

    Reading starts again at the first byte, so the file is read once, and the
    number of bytes read so far is kept for progress reports.
    """

    def __init__(self, raw):
        super().__init__()
        self._raw = raw
        self.sample = raw.read(SAMPLE_BYTES)
        self.is_complete = len(self.sample) < SAMPLE_BYTES
        self._offset = 0
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._offset < len(self.sample):
            data = self.sample[self._offset : self._offset + len(buffer)]
            self._offset += len(data)
        else:
            data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)


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
        source = _SampledSource(fileobj)
        layout = detect_layout(
            source.sample, file_name=file_name, complete=source.is_complete
        )
        bytes_total = _file_size(fileobj)
        _mark_running(dnc_import, layout, bytes_total)
        logger.info(
            "Import %s of %s started: %s", dnc_import.pk, file_name, layout.describe()
        )
        with transaction.atomic():
            report = _load(
                source, layout, dnc_import, user, progress, bytes_total, started
            )
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


def _load(source, layout, dnc_import, user, progress, bytes_total, started):
    timings = {"detect": time.monotonic() - started}
    text = io.TextIOWrapper(
        io.BufferedReader(source, _READ_BUFFER),
        encoding=layout.encoding,
        errors="surrogateescape" if layout.encoding.startswith("utf-8") else "replace",
        newline="",
    )
    parser = NumberParser()

    def report_progress(counts: ReadCounts, reading_done: bool = False) -> None:
        if progress is not None:
            progress(
                ImportProgress(
                    dnc_import_id=dnc_import.pk,
                    rows_read=counts.rows_read,
                    blank=counts.blank,
                    rejected=counts.rejected,
                    bytes_read=source.bytes_read,
                    bytes_total=bytes_total,
                    reading_done=reading_done,
                )
            )

    def produce(write) -> ReadCounts:
        records = read_records(text, layout)
        try:
            return stage_rows(
                records, layout, parser, write, report_progress, PROGRESS_EVERY
            )
        except csv.Error as exc:
            raise ImportFileError(
                f'"{dnc_import.file_name}" cannot be read as CSV after '
                f"{source.bytes_read:,} bytes ({exc}). Check that the file is a "
                "CSV or plain-text list of numbers."
            ) from None

    mark = time.monotonic()
    with connection.cursor() as cursor:
        load.create_staging(cursor)
        read = load.copy_rows(cursor, produce)
        report_progress(read, reading_done=True)
        timings["read"] = time.monotonic() - mark

        mark = time.monotonic()
        duplicates = load.store_report_rows(cursor, dnc_import.pk)
        timings["report"] = time.monotonic() - mark

        mark = time.monotonic()
        now = timezone.now()
        applied = load.apply_numbers(
            cursor, import_id=dnc_import.pk, user_id=user.pk if user else None, now=now
        )
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
    dnc_import.bytes_read = source.bytes_read
    dnc_import.save(
        update_fields=[*COUNT_FIELDS, "status", "finished_at", "bytes_read"]
    )
    return report
