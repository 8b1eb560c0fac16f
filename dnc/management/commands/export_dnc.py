"""Write the DNC list as CSV, the same file the DNC Numbers page downloads."""

import sys

from django.core.management.base import BaseCommand, CommandError

from dnc.exporter import COLUMNS, csv_chunks
from dnc.models import DncNumber, Source
from dnc.views import filter_numbers


class Command(BaseCommand):
    help = (
        "Write the DNC list as CSV with the columns "
        + ", ".join(COLUMNS)
        + " (added_at in ISO 8601), newest first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Write the CSV to this file instead of standard output.",
        )
        parser.add_argument(
            "--source",
            choices=Source.values,
            help="Export only the numbers of this source.",
        )
        parser.add_argument(
            "--query",
            metavar="Q",
            default="",
            help="Export only the numbers that match this search, as on the "
            "DNC Numbers page: a number in any format, or some of its digits.",
        )

    def handle(self, *args, **options):
        numbers = filter_numbers(
            DncNumber.objects.all(), options["query"], options["source"] or ""
        )
        if not options["output"]:
            self._write(numbers, self.stdout)
            return
        try:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                self._write(numbers, out)
        except OSError as exc:
            raise CommandError(
                f"Cannot write {options['output']}: {exc.strerror}."
            ) from None
        if options["verbosity"] >= 1:
            sys.stderr.write(f"Wrote {options['output']}\n")

    def _write(self, numbers, out) -> None:
        if out is self.stdout:
            for chunk in csv_chunks(numbers):
                out.write(chunk, ending="")
        else:
            for chunk in csv_chunks(numbers):
                out.write(chunk)
