"""Look up many typed numbers on the DNC list at once, for commands and the API."""

from dataclasses import dataclass

from dnc.models import DncNumber
from dnc.phone import InvalidPhoneNumber, to_e164


@dataclass
class NumberCheck:
    """The result of checking one typed number against the DNC list."""

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
