"""Deterministic test data: distinct, valid US phone numbers in E.164.

Numbers are drawn from real area codes with exchanges 200-999 and random line
numbers. phonenumbers (libphonenumber metadata) decides validity by area code
and exchange, so each exchange is checked once, and a sample of the finished
list is checked number by number.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import phonenumbers

AREA_CODES = (
    201, 202, 206, 212, 213, 214, 215, 216, 303, 305,
    310, 312, 313, 404, 407, 415, 469, 503, 512, 602,
    612, 617, 646, 702, 713, 718, 720, 773, 801, 813,
    832, 904, 916, 919, 949, 954, 972, 984,
)  # fmt: skip

# Listed numbers that the page benchmark searches for; they lead every list.
KNOWN_LISTED = ("+12025550143", "+12128675309")

# Share of each source in the generated list; the rest come from imports.
SOURCE_SHARES = (("manual", 0.01), ("call_status", 0.03), ("api", 0.01))

# How far back the generated additions go.
LIST_AGE = timedelta(days=3 * 365)


def _is_valid(e164: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))


def valid_prefixes() -> list[str]:
    """Return "+1" + area code + exchange for every exchange phonenumbers accepts."""
    prefixes = []
    for area_code in AREA_CODES:
        for exchange in range(200, 1000):
            prefix = f"+1{area_code}{exchange}"
            if _is_valid(prefix + "0000") and _is_valid(prefix + "9999"):
                prefixes.append(prefix)
    return prefixes


def generate_numbers(count: int, seed: int) -> list[str]:
    """Return `count` distinct valid E.164 numbers, the same ones for one seed.

    The list starts with KNOWN_LISTED. Raises ValueError if a sample of the
    numbers fails phonenumbers' validation.
    """
    rng = random.Random(seed)
    prefixes = valid_prefixes()
    numbers = list(KNOWN_LISTED[:count])
    seen = set(numbers)
    while len(numbers) < count:
        number = f"{rng.choice(prefixes)}{rng.randrange(10_000):04d}"
        if number not in seen:
            seen.add(number)
            numbers.append(number)

    invalid = [n for n in rng.sample(numbers, min(count, 5_000)) if not _is_valid(n)]
    if invalid:
        raise ValueError(f"Generated numbers that are not valid: {invalid[:5]}")
    return numbers


def list_rows(numbers: list[str], seed: int) -> Iterator[tuple[str, ...]]:
    """Yield dnc_dncnumber rows (phone_number, source, added_at, note) for COPY."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    age_seconds = int(LIST_AGE.total_seconds())
    for number in numbers:
        draw = rng.random()
        source = "import"
        for name, share in SOURCE_SHARES:
            if draw < share:
                source = name
                break
            draw -= share
        added_at = now - timedelta(seconds=rng.randrange(age_seconds))
        yield number, source, added_at.isoformat(sep=" "), ""


def written_form(e164: str, index: int) -> str:
    """Write a US E.164 number the way a spreadsheet row might, varying by index."""
    area, exchange, line = e164[2:5], e164[5:8], e164[8:]
    forms = (
        e164,
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"1-{area}-{exchange}-{line}",
        f"+1 {area} {exchange} {line}",
        f"{area}.{exchange}.{line}",
    )
    return forms[index % len(forms)]
