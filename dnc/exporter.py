"""Export of the DNC list as CSV, for the Download CSV link and `export_dnc`.

The CSV has the columns of `COLUMNS`, one row per listed number, and it reads
back through the importer: its phone_number column is found by name.
"""

import csv
import io
from collections.abc import Iterator

COLUMNS = ["phone_number", "source", "added_at", "added_by", "note"]

# Rows written per chunk of output: one write per row would make a streamed
# response of a million rows a million socket writes.
_CHUNK_ROWS = 2000


def spreadsheet_safe(text: str) -> str:
    """Prefix a cell that a spreadsheet program would run as a formula."""
    # Cells starting with = + - @ (or a tab or carriage return) are formulas
    # to Excel, LibreOffice and Google Sheets.
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def csv_chunks(numbers) -> Iterator[str]:
    """Yield the CSV text of a DncNumber queryset, in its order, in chunks.

    Rows are fetched through a server-side cursor, so memory stays flat for
    any number of rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    rows = numbers.values_list(
        "phone_number", "source", "added_at", "added_by__username", "note"
    )
    for count, (phone, source, added_at, username, note) in enumerate(
        rows.iterator(chunk_size=5000), start=1
    ):
        writer.writerow(
            [
                phone,
                source,
                added_at.isoformat(),
                username or "",
                spreadsheet_safe(note),
            ]
        )
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
