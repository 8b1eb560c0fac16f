"""Management command that looks up phone numbers on the DNC list."""

import json

import phonenumbers
from django.core.management.base import BaseCommand, CommandError

from dnc.lookup import check_numbers


class Command(BaseCommand):
    help = (
        "Print the E.164 form of each phone number and whether it is on the DNC "
        "list. An invalid number is reported and the others are still checked. "
        "The exit status is 0 whether numbers are listed, not listed or invalid, "
        "so scripts should read the --json output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "numbers",
            nargs="+",
            metavar="NUMBER",
            help='Phone number in any usual format, such as "(202) 555-0143".',
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=(
                "Print a JSON list with one object per number and the keys input, "
                "e164, valid, dnc and error. e164 and dnc are null for an invalid "
                "number, and error is null for a valid one."
            ),
        )
        parser.add_argument(
            "--region",
            type=str.upper,
            help=(
                "Region of numbers written without a country code, as a two-letter "
                "ISO 3166 code such as GB. Default: the DNC_DEFAULT_REGION setting."
            ),
        )

    def handle(self, *args, numbers, region, **options):
        if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
            raise CommandError(
                f'Unknown region "{region}": use a two-letter ISO 3166 code such as '
                "US or GB."
            )
        checks = check_numbers(numbers, region)
        if options["json"]:
            rows = [check.as_json() for check in checks]
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        for check in checks:
            self.stdout.write(check.as_text())
