"""Import a DNC list file from the shell with the engine the Import page uses."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dnc.importer import ImportFileError, ImportProgress, import_file
from dnc.models import DncImportRow

# Rejected rows printed in the text report; --json lists them all.
SHOWN_REJECTED = 20

JSON_HELP = """\
With --json the report is one JSON object: "added", "already_listed",
"duplicates", "rejected_count", "removed", "kept", "not_listed", "blank" and
"rows_read" are integers; "rejected" is a list of {"row", "value", "error"}
objects, one per rejected row, where "row" is the line number in the file;
"import_id" is the id of the import record.
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
            help="Record this user as the one who added the numbers.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the report as JSON instead of text.",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        path = Path(options["file"])
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

        rejected = report.report_rows(DncImportRow.Kind.REJECTED)
        if options["json"]:
            self._write_json(report, rejected)
        else:
            self._write_text(report, rejected)

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f'No user "{username}". Create it with create_user, or leave out '
                "--user."
            ) from None

    def _progress(self, progress: ImportProgress) -> None:
        if self.verbosity >= 2:
            sys.stderr.write(f"{progress.rows_read:,} rows read\n")

    def _write_json(self, report, rejected) -> None:
        counts = report.counts()
        data = {
            "import_id": report.dnc_import.pk,
            "added": counts["added"],
            "already_listed": counts["already_listed"],
            "duplicates": counts["duplicates"],
            "rejected": [
                {"row": row, "value": value, "error": error}
                for row, value, error in rejected.values_list(
                    "row", "value", "error"
                ).iterator(chunk_size=5000)
            ],
            "rejected_count": counts["rejected"],
            "removed": counts["removed"],
            "kept": counts["kept"],
            "not_listed": counts["not_listed"],
            "blank": counts["blank"],
            "rows_read": counts["rows_read"],
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _write_text(self, report, rejected) -> None:
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
        for row in rejected[:SHOWN_REJECTED]:
            lines.append(f"  row {row.row}: {row.error}")
        if report.rejected > SHOWN_REJECTED:
            lines.append(
                f"  … and {report.rejected - SHOWN_REJECTED:,} more rejected rows; "
                "--json lists them all."
            )
        self.stdout.write("\n".join(lines))
