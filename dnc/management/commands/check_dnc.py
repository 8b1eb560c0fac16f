"""Management command that looks up phone numbers on the DNC list."""

import json
from dataclasses import dataclass

import phonenumbers
from django.core.management.base import BaseCommand, CommandError

from dnc.models import DncNumber
from dnc.phone import InvalidPhoneNumber, to_e164


@dataclass
class NumberCheck:
    """The result of checking one command-line input against the DNC list."""

    input: str
    e164: str | None = None
    listed: bool = False
    error: InvalidPhoneNumber | None = None

    def as_json(self) -> dict:
        valid = self.error is None
        return {
            "input": self.input,
            "e164": self.e164,
            "valid": valid,
            "dnc": self.listed if valid else None,
            "error": None if valid else str(self.error),
        }

    def as_text(self) -> str:
        if self.error is not None:
            line = f"{self.input} -> invalid: {self.error.reason}."
            if self.error.hint:
                line = f"{line} {self.error.hint}"
            return line
        if self.listed:
            return f"{self.input} -> {self.e164}: on the DNC list"
        return f"{self.input} -> {self.e164}: not on the DNC list"


def check_numbers(numbers: list[str], region: str | None) -> list[NumberCheck]:
    """Parse each number and look up all valid ones in a single query."""
    checks = []
    for text in numbers:
        try:
            checks.append(NumberCheck(input=text, e164=to_e164(text, region)))
        except InvalidPhoneNumber as exc:
            checks.append(NumberCheck(input=text, error=exc))

    valid_numbers = {check.e164 for check in checks if check.error is None}
    if not valid_numbers:
        return checks
    listed = set(
        DncNumber.objects.filter(phone_number__in=valid_numbers).values_list(
            "phone_number", flat=True
        )
    )
    for check in checks:
        check.listed = check.e164 in listed
    return checks


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
