"""Apply staged rows to the DNC list with set-based SQL.

The rows of a file go into a temporary staging table by COPY. From there a
few statements find repeated numbers, store the report rows, add the new
numbers and apply registry deletions. Everything runs in the caller's
transaction. The statements are f-strings only for table names, which are
constants; every value is a query parameter.
"""

from collections.abc import Callable
from dataclasses import dataclass

from audit.models import AuditEntry
from dnc.models import DncImportRow, DncNumber, RemovalReason, Source

STAGING_TABLE = "dnc_import_staging"
NUMBERS_TABLE = "dnc_import_numbers"

# Enough for the sort that finds repeated numbers in a million rows to stay in
# memory; SET LOCAL keeps it to this transaction.
_WORK_MEM = "128MB"

_NUMBERS = DncNumber._meta.db_table
_AUDIT = AuditEntry._meta.db_table
_REPORT_ROWS = DncImportRow._meta.db_table


@dataclass
class ApplyCounts:
    added: int = 0
    already_listed: int = 0
    duplicates: int = 0
    removed: int = 0
    kept: int = 0
    not_listed: int = 0


def create_staging(cursor) -> None:
    cursor.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING_TABLE}")
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{NUMBERS_TABLE}")
    # ON COMMIT DROP, and the DROPs above for a second import in one
    # transaction, as in tests.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {STAGING_TABLE} (
            row_no integer NOT NULL,
            phone text COLLATE "C",
            action "char",
            value text,
            error text
        ) ON COMMIT DROP
        """
    )


def copy_rows(cursor, produce: Callable[[Callable[[str], None]], object]):
    """Run `produce(write)`, sending what it writes to the staging table."""
    columns = "row_no, phone, action, value, error"
    with cursor.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN") as copy:
        return produce(copy.write)


def store_report_rows(cursor, import_id: int) -> int:
    """Store rejected and repeated rows; return the number of repeated rows."""
    # The first row of each number counts; later rows repeat it.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {NUMBERS_TABLE} ON COMMIT DROP AS
        SELECT phone, row_no, action,
               min(row_no) OVER (PARTITION BY phone) AS first_row
        FROM {STAGING_TABLE}
        WHERE phone IS NOT NULL
        """  # noqa: S608
    )
    cursor.execute(
        f"""
        INSERT INTO {_REPORT_ROWS} (dnc_import_id, row, kind, value, error)
        SELECT %s, row_no, %s, value, error
        FROM {STAGING_TABLE}
        WHERE phone IS NULL
        """,  # noqa: S608
        [import_id, DncImportRow.Kind.REJECTED],
    )
    cursor.execute(
        f"""
        INSERT INTO {_REPORT_ROWS} (dnc_import_id, row, kind, value, error)
        SELECT %s, row_no, %s, phone,
               'Repeats the number of row ' || first_row || ' (' || phone
               || '). Only the first row of a number is imported.'
        FROM {NUMBERS_TABLE}
        WHERE row_no <> first_row
        """,  # noqa: S608
        [import_id, DncImportRow.Kind.DUPLICATE],
    )
    return cursor.rowcount


def apply_numbers(cursor, *, import_id: int, user_id, now) -> ApplyCounts:
    """Add the new numbers and apply registry deletions."""
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
        FROM {NUMBERS_TABLE}
        WHERE row_no = first_row AND action = 'A'
        ORDER BY phone
        ON CONFLICT (phone_number) DO NOTHING
        """,  # noqa: S608
        [Source.IMPORT, user_id, now, import_id],
    )
    counts.added = cursor.rowcount
    counts.already_listed = additions - counts.added

    if deletions:
        counts.removed = _apply_deletions(cursor, import_id, user_id, now)
        cursor.execute(
            f"""
            SELECT count(*)
            FROM {NUMBERS_TABLE} AS deletion
            JOIN {_NUMBERS} AS listed ON listed.phone_number = deletion.phone
            WHERE deletion.row_no = deletion.first_row
              AND deletion.action = 'D'
            """  # noqa: S608
        )
        counts.kept = cursor.fetchone()[0]
        counts.not_listed = deletions - counts.removed - counts.kept
    return counts


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
