"""Apply staged rows to the DNC list with set-based SQL.

The rows of a file go into a temporary staging table by COPY, block by block.
For a list without add/delete flags each block's new numbers are added to the
list at once, while the next block is parsed. At the end a few statements
find repeated numbers, store the report rows, add the numbers of a change
list, apply its registry deletions and store the deletions that left their
number listed. Everything runs in the caller's
transaction. The statements are f-strings only for table names, which are
constants. Every value is a query parameter.
"""

from dataclasses import dataclass

from audit.models import AuditEntry
from dnc.models import DncImportRow, DncNumber, RemovalReason, Source

STAGING_TABLE = "dnc_import_staging"
CHUNK_TABLE = "dnc_import_chunk"
NUMBERS_TABLE = "dnc_import_numbers"

_STAGING_COLUMNS = "row_no, phone, action, value, error"

# Enough for the sort that finds repeated numbers in a million rows to stay in
# memory. SET LOCAL keeps it to this transaction.
_WORK_MEM = "128MB"

_NUMBERS = DncNumber._meta.db_table
_AUDIT = AuditEntry._meta.db_table
_REPORT_ROWS = DncImportRow._meta.db_table


@dataclass
class ApplyCounts:
    added: int = 0
    already_listed: int = 0
    removed: int = 0
    kept: int = 0
    not_listed: int = 0


def create_staging(cursor) -> None:
    cursor.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
    # The tables go at commit (ON COMMIT DROP), or here when one transaction
    # runs a second import, as tests do.
    for table in (STAGING_TABLE, CHUNK_TABLE, NUMBERS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    for table in (STAGING_TABLE, CHUNK_TABLE):
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {table} (
                row_no integer NOT NULL,
                phone text COLLATE "C",
                action "char",
                value text,
                error text
            ) ON COMMIT DROP
            """
        )


def stage_block(cursor, block: str, *, add_to: dict | None = None) -> int:
    """COPY one block of staging rows into the staging table.

    With `add_to` (import_id, user_id and now) the block's new numbers are
    added to the list too. Returns how many numbers were added.
    """
    if add_to is None:
        with cursor.copy(
            f"COPY {STAGING_TABLE} ({_STAGING_COLUMNS}) FROM STDIN"
        ) as copy:
            copy.write(block)
        return 0

    cursor.execute(f"TRUNCATE {CHUNK_TABLE}")
    with cursor.copy(f"COPY {CHUNK_TABLE} ({_STAGING_COLUMNS}) FROM STDIN") as copy:
        copy.write(block)
    added = _insert_numbers(cursor, CHUNK_TABLE, "phone IS NOT NULL", **add_to)
    cursor.execute(f"INSERT INTO {STAGING_TABLE} SELECT * FROM {CHUNK_TABLE}")  # noqa: S608
    return added


def _insert_numbers(cursor, table: str, condition: str, *, import_id, user_id, now):
    # NOTE: The bulk insert takes no per-number advisory lock, because a
    # million of them would exhaust PostgreSQL's lock table. The new numbers
    # become visible at commit. So a call whose pre-dial trigger looked the
    # number up before that commit is placed, even if the call commits later.
    # DncNumberManager.add would make the same call wait and fail.
    cursor.execute(
        f"""
        INSERT INTO {_NUMBERS}
            (phone_number, source, added_by_id, added_at, note, call_id,
             dnc_import_id)
        SELECT phone, %s, %s, %s, '', NULL, %s
        FROM {table}
        WHERE {condition}
        ORDER BY phone
        ON CONFLICT (phone_number) DO NOTHING
        """,  # noqa: S608
        [Source.IMPORT, user_id, now, import_id],
    )
    return cursor.rowcount


def store_report_rows(cursor, import_id: int, *, keep_numbers: bool) -> int:
    """Store rejected and repeated rows; return the number of repeated rows.

    With `keep_numbers` the staged numbers, each with the first row of its
    number, are kept in NUMBERS_TABLE for apply_numbers.
    """
    cursor.execute(
        f"""
        INSERT INTO {_REPORT_ROWS}
            (dnc_import_id, row, kind, value, phone_number, error)
        SELECT %s, row_no, %s, value, '', error
        FROM {STAGING_TABLE}
        WHERE phone IS NULL
        """,  # noqa: S608
        [import_id, DncImportRow.Kind.REJECTED],
    )

    # The first row of each number counts, and later rows repeat it.
    numbers = f"""
        SELECT phone, row_no, action, value,
               min(row_no) OVER (PARTITION BY phone) AS first_row
        FROM {STAGING_TABLE}
        WHERE phone IS NOT NULL
    """  # noqa: S608
    if keep_numbers:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {NUMBERS_TABLE} ON COMMIT DROP AS {numbers}"
        )
        numbers = NUMBERS_TABLE
    else:
        numbers = f"({numbers}) AS numbers"
    cursor.execute(
        f"""
        INSERT INTO {_REPORT_ROWS}
            (dnc_import_id, row, kind, value, phone_number, repeats_row, error)
        SELECT %s, row_no, %s, value, phone, first_row,
               'Same number as row ' || first_row || ' (' || phone
               || '). Only the first row of a number is imported.'
        FROM {numbers}
        WHERE row_no <> first_row
        """,  # noqa: S608
        [import_id, DncImportRow.Kind.DUPLICATE],
    )
    return cursor.rowcount


def apply_numbers(cursor, *, import_id: int, user_id, now) -> ApplyCounts:
    """Add the new numbers of a change list and apply its registry deletions.

    Needs the NUMBERS_TABLE of store_report_rows.
    """
    counts = ApplyCounts()
    cursor.execute(
        f"""
        SELECT count(*) FILTER (WHERE action = 'A'),
               count(*) FILTER (WHERE action = 'D')
        FROM {NUMBERS_TABLE}
        WHERE row_no = first_row
        """  # noqa: S608
    )
    additions, deletions = cursor.fetchone()

    counts.added = _insert_numbers(
        cursor,
        NUMBERS_TABLE,
        "row_no = first_row AND action = 'A'",
        import_id=import_id,
        user_id=user_id,
        now=now,
    )
    counts.already_listed = additions - counts.added

    if deletions:
        counts.removed = _apply_deletions(cursor, import_id, user_id, now)
        counts.kept = _store_kept_rows(cursor, import_id)
        counts.not_listed = deletions - counts.removed - counts.kept
    return counts


def _store_kept_rows(cursor, import_id: int) -> int:
    """Store the deletions that left their number listed; return how many."""
    cursor.execute(
        f"""
        INSERT INTO {_REPORT_ROWS}
            (dnc_import_id, row, kind, value, phone_number, error)
        SELECT %s, deletion.row_no, %s, deletion.value, deletion.phone,
               'Not removed: a person or the API also listed ' || deletion.phone
               || ', so it stays on the list. Remove it on the DNC Numbers '
               || 'page if the deletion applies to it.'
        FROM {NUMBERS_TABLE} AS deletion
        JOIN {_NUMBERS} AS listed ON listed.phone_number = deletion.phone
        WHERE deletion.row_no = deletion.first_row
          AND deletion.action = 'D'
        """,  # noqa: S608
        [import_id, DncImportRow.Kind.KEPT],
    )
    return cursor.rowcount


def _apply_deletions(cursor, import_id: int, user_id, now) -> int:
    # A registry deletion takes a number off only when the registry (an
    # import) is its only source: no person or API listed it, and none asked
    # for it while an import had it listed (an "already listed" entry).
    # NOTE: an "already listed" request still uncommitted at this point is not
    # seen, so that number is removed.
    cursor.execute(
        f"""
        WITH removed AS (
            DELETE FROM {_NUMBERS} AS listed
            USING {NUMBERS_TABLE} AS deletion
            WHERE deletion.row_no = deletion.first_row
              AND deletion.action = 'D'
              AND listed.phone_number = deletion.phone
              AND listed.source = %(import)s
              AND NOT EXISTS (
                  SELECT 1 FROM {_AUDIT} AS request
                  WHERE request.phone_number = listed.phone_number
                    AND request.source <> %(import)s
                    AND request.action IN (%(added)s, %(already_listed)s)
                    AND request.created_at >= listed.added_at
              )
            RETURNING listed.phone_number
        )
        INSERT INTO {_AUDIT}
            (phone_number, action, source, reason, note, user_id, created_at,
             call_id, dnc_import_id, details)
        SELECT phone_number, %(removed)s, %(import)s, %(reason)s, '', %(user)s,
               %(now)s, NULL, %(import_id)s, '{{}}'::jsonb
        FROM removed
        """,  # noqa: S608
        {
            "import": Source.IMPORT,
            "added": AuditEntry.Action.ADDED,
            "already_listed": AuditEntry.Action.ALREADY_LISTED,
            "removed": AuditEntry.Action.REMOVED,
            "reason": RemovalReason.REGISTRY_DELETION,
            "user": user_id,
            "now": now,
            "import_id": import_id,
        },
    )
    return cursor.rowcount
