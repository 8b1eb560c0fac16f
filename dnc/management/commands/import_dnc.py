"""Import a DNC list file from the shell with the engine the Import page uses."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dnc.importer import ImportFileError, ImportProgress, import_file
from dnc.models import DncImportRow
from dnc.roles import ADMINS, is_admin

# Rows of each kind printed in the text report; --json lists them all.
SHOWN_ROWS = 20

JSON_HELP = """\
With --json the report is one JSON object. "added", "already_listed",
"duplicates", "rejected_count", "removed", "kept", "not_listed", "blank" and
"rows_read" are integers. "rejected" is a list of {"row", "value", "error"}
objects, one per rejected row, where "row" is the line number in the file and
"value" the value as the file wrote it. "duplicate_rows" is a list of {"row",
"value", "number", "repeats_row"} objects, one per row that repeats the number
(in E.164) of the earlier row "repeats_row". "kept_numbers" is a list of
{"row", "value", "number"} objects, one per deletion of a change list that left
its number listed because a person or the API listed it too. "import_id" is the
id of the import record.
"""


class Command(BaseCommand):
    help = (
        "Import a DNC list (CSV or plain text, one number per line, or a "
        "National Do Not Call Registry file) and print the report. " + JSON_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV or text file to import.")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Record this admin as the one who added the numbers. Without "
            "it the import is recorded as made from the command line by nobody.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the report as JSON instead of text.",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        path = Path(options["file"])
        if path.is_dir():
            raise CommandError(
                f"{path} is a directory. Give the path of the file to import."
            )
        if not path.is_file():
            raise CommandError(f"File not found: {path}. Check the path.")
        user = self._user(options["user"])

        try:
            report = import_file(
                path, by=user, file_name=path.name, progress=self._progress
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None

        if options["json"]:
            self._write_json(report)
        else:
            self._write_text(report)

    def _user(self, username):
        if not username:
            return None
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f'No user "{username}". Create it with create_user, or leave out '
                "--user."
            ) from None
        if not user.is_active:
            raise CommandError(
                f'User "{username}" is deactivated. Give --user the username of '
                "an active admin."
            )
        if not is_admin(user):
            raise CommandError(
                f'User "{username}" is not an admin, and only admins may import '
                "DNC lists. Give --user the username of an admin, or add the user "
                f'to the "{ADMINS}" group first.'
            )
        return user

    def _progress(self, progress: ImportProgress) -> None:
        if self.verbosity >= 2:
            sys.stderr.write(f"{progress.rows_read:,} rows read\n")

    def _write_json(self, report) -> None:
        counts = report.counts()
        data = {
            "import_id": report.dnc_import.pk,
            "added": counts["added"],
            "already_listed": counts["already_listed"],
            "duplicates": counts["duplicates"],
            "duplicate_rows": [
                {"row": row, "value": value, "number": number, "repeats_row": first}
                for row, value, number, first in _rows(
                    report, DncImportRow.Kind.DUPLICATE, "phone_number", "repeats_row"
                )
            ],
            "rejected": [
                {"row": row, "value": value, "error": error}
                for row, value, error in _rows(
                    report, DncImportRow.Kind.REJECTED, "error"
                )
            ],
            "rejected_count": counts["rejected"],
            "removed": counts["removed"],
            "kept": counts["kept"],
            "kept_numbers": [
                {"row": row, "value": value, "number": number}
                for row, value, number in _rows(
                    report, DncImportRow.Kind.KEPT, "phone_number"
                )
            ],
            "not_listed": counts["not_listed"],
            "blank": counts["blank"],
            "rows_read": counts["rows_read"],
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _write_text(self, report) -> None:
        lines = [
            f"Imported {report.dnc_import.file_name} (import {report.dnc_import.pk})",
            f"Read as: {report.layout}",
            f"Rows read:            {report.rows_read:>10,}",
            f"Added:                {report.added:>10,}",
            f"Already listed:       {report.already_listed:>10,}",
            f"Repeated in the file: {report.duplicates:>10,}",
            f"Rejected:             {report.rejected:>10,}",
            f"Blank rows skipped:   {report.blank:>10,}",
        ]
        if report.removed or report.kept or report.not_listed:
            lines += [
                f"Removed (registry):   {report.removed:>10,}",
                f"Kept (asked for):     {report.kept:>10,}",
                f"Deleted, not listed:  {report.not_listed:>10,}",
            ]
        sections = [
            ("Rejected rows:", DncImportRow.Kind.REJECTED, report.rejected),
            ("Repeated rows:", DncImportRow.Kind.DUPLICATE, report.duplicates),
            ("Kept on the list:", DncImportRow.Kind.KEPT, report.kept),
        ]
        for title, kind, count in sections:
            if not count:
                continue
            lines.append(title)
            for row in report.report_rows(kind)[:SHOWN_ROWS]:
                # A rejection message names the value already.
                if kind == DncImportRow.Kind.REJECTED:
                    lines.append(f"  row {row.row}: {row.error}")
                else:
                    lines.append(f"  row {row.row} ({row.value}): {row.error}")
            if count > SHOWN_ROWS:
                lines.append(
                    f"  … and {count - SHOWN_ROWS:,} more; --json lists them all."
                )
        self.stdout.write("\n".join(lines))


def _rows(report, kind, *fields):
    """Yield (row, value, *fields) of the report rows of one kind, in file order."""
    rows = report.report_rows(kind).values_list("row", "value", *fields)
    return rows.iterator(chunk_size=5000)
