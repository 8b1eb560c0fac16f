"""A fast validity check for 10-digit North American (+1) numbers.

phonenumbers needs about 16 microseconds to validate one number, which is
16 seconds per million rows. The metadata patterns for +1 decide validity from
the first few digits: "2025" is a valid start for every remaining six digits,
"9991" for none. `NanpValidator` works out such a verdict once per prefix and
reuses it. When no prefix decides, it calls phonenumbers for the number.

A verdict is worked out from two variants of each metadata pattern, in which a
placeholder character stands for every digit not yet read:

- the "any" variant lets the placeholder match every digit class, so a
  pattern that rejects it rejects every completion of the prefix;
- the "all" variant lets it match only classes that contain all ten digits,
  so a pattern that accepts it accepts every completion.

Otherwise the prefix is undecided and the next longer prefix is tried. The
variants are combined the way phonenumbers combines the patterns (region
lookup by leading digits, then general and per-type patterns), in
three-valued logic where "undecided" propagates.
"""

import logging
import re

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber

logger = logging.getLogger(__name__)

NATIONAL_LENGTH = 10

# The character that stands for an unread digit. It never occurs in the
# metadata patterns, which consist of digits, classes, groups and quantifiers.
_PLACEHOLDER = "_"

# Prefix lengths tried in order: four digits decide most numbers (area code
# and the first digit of the exchange), a few ranges need up to seven.
_PREFIX_LENGTHS = (4, 5, 6, 7)

# Upper bound of cached verdicts, so memory does not grow with the input.
MAX_CACHED_PREFIXES = 300_000

_MISSING = object()

_TYPE_FIELDS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)

_PATTERN_TOKEN = re.compile(r"\\d|\[[^\]]*\]|\{[0-9,]*\}|\(\?:|[0-9()|?*+]")
_CLASS_RANGE = re.compile(r"([0-9])-([0-9])|(\\d)|([0-9])")


class UnsupportedPattern(ValueError):
    """Raised for metadata pattern syntax that the variants cannot express."""


def _class_digits(body: str) -> set[str]:
    """Return the digits that a character class body such as "0-35-9" matches."""
    digits: set[str] = set()
    position = 0
    for match in _CLASS_RANGE.finditer(body):
        if match.start() != position:
            raise UnsupportedPattern(f"character class [{body}]")
        position = match.end()
        low, high, category, single = match.groups()
        if category:
            digits.update("0123456789")
        elif single:
            digits.add(single)
        else:
            digits.update(str(digit) for digit in range(int(low), int(high) + 1))
    if position != len(body):
        raise UnsupportedPattern(f"character class [{body}]")
    return digits


def placeholder_variants(pattern: str) -> tuple[re.Pattern, re.Pattern]:
    """Return the "any" and "all" variants of a metadata pattern, compiled."""
    any_parts: list[str] = []
    all_parts: list[str] = []
    position = 0
    for match in _PATTERN_TOKEN.finditer(pattern):
        if match.start() != position:
            raise UnsupportedPattern(pattern)
        position = match.end()
        token = match.group()
        if token == r"\d":
            any_parts.append(rf"[\d{_PLACEHOLDER}]")
            all_parts.append(rf"[\d{_PLACEHOLDER}]")
        elif token.startswith("["):
            body = token[1:-1]
            if body.startswith("^"):
                raise UnsupportedPattern(pattern)
            covers_all = _class_digits(body) == set("0123456789")
            any_parts.append(f"[{body}{_PLACEHOLDER}]")
            all_parts.append(f"[{body}{_PLACEHOLDER}]" if covers_all else token)
        elif token.isdigit():
            any_parts.append(f"[{token}{_PLACEHOLDER}]")
            all_parts.append(token)
        else:
            any_parts.append(token)
            all_parts.append(token)
    if position != len(pattern):
        raise UnsupportedPattern(pattern)
    return re.compile("".join(any_parts)), re.compile("".join(all_parts))


def _and(values) -> bool | None:
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _or(values) -> bool | None:
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


class _Desc:
    """One number pattern of a region, as its two variants."""

    def __init__(self, pattern: str):
        self.any_variant, self.all_variant = placeholder_variants(pattern)

    def fullmatch(self, text: str) -> bool | None:
        if not self.any_variant.fullmatch(text):
            return False
        if self.all_variant.fullmatch(text):
            return True
        return None

    def match(self, text: str) -> bool | None:
        if not self.any_variant.match(text):
            return False
        if self.all_variant.match(text):
            return True
        return None


class _Region:
    def __init__(self, metadata):
        self.code = metadata.id
        self.leading = (
            _Desc(metadata.leading_digits) if metadata.leading_digits else None
        )
        self.general = self._desc(metadata.general_desc)
        descs = (self._desc(getattr(metadata, name)) for name in _TYPE_FIELDS)
        self.types = [desc for desc in descs if desc is not None]

    @staticmethod
    def _desc(number_desc) -> _Desc | None:
        # Same conditions as phonenumbers' _is_number_matching_desc.
        if number_desc is None or not number_desc.national_number_pattern:
            return None
        lengths = number_desc.possible_length
        if lengths and NATIONAL_LENGTH not in lengths:
            return None
        return _Desc(number_desc.national_number_pattern)

    def has_type(self, text: str) -> bool | None:
        if self.general is None:
            return False
        general = self.general.fullmatch(text)
        if general is False:
            return False
        return _and([general, _or(desc.fullmatch(text) for desc in self.types)])


class NanpValidator:
    """Validity of 10-digit +1 national numbers, with verdicts cached per prefix.

    `is_valid(national)` returns what `phonenumbers.is_valid_number` returns
    for country code 1 and that national number.
    """

    def __init__(self):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]
        self._regions = [
            _Region(PhoneMetadata.metadata_for_region(code)) for code in regions
        ]
        self._verdicts: dict[str, bool | None] = {}

    def is_valid(self, national: str) -> bool:
        verdicts = self._verdicts
        for length in _PREFIX_LENGTHS:
            prefix = national[:length]
            verdict = verdicts.get(prefix, _MISSING)
            if verdict is _MISSING:
                verdict = self._decide(prefix)
                if len(verdicts) < MAX_CACHED_PREFIXES:
                    verdicts[prefix] = verdict
            if verdict is not None:
                return verdict
        number = PhoneNumber(country_code=1, national_number=int(national))
        return phonenumbers.is_valid_number(number)

    def _decide(self, prefix: str) -> bool | None:
        text = prefix.ljust(NATIONAL_LENGTH, _PLACEHOLDER)
        verdict = self._evaluate(text)
        if verdict is None:
            return None
        # Cross-check with phonenumbers on two completions. A disagreement
        # would mean the metadata grew syntax that the variants misread.
        for filler in "09":
            number = PhoneNumber(
                country_code=1,
                national_number=int(prefix.ljust(NATIONAL_LENGTH, filler)),
            )
            if phonenumbers.is_valid_number(number) != verdict:
                logger.warning(
                    "Prefix %s: the cached +1 verdict disagrees with "
                    "phonenumbers; validating these numbers one by one.",
                    prefix,
                )
                return None
        return verdict

    def _evaluate(self, text: str) -> bool | None:
        # phonenumbers picks the first region whose leading digits match, or,
        # for regions without leading digits, whose patterns accept the number.
        for region in self._regions:
            if region.leading is not None:
                picked = region.leading.match(text)
            else:
                picked = region.has_type(text)
            if picked is None:
                return None
            if picked:
                return region.has_type(text)
        return False
