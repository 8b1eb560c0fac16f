"""Phone number parsing and display: every number the project stores is E.164.

`to_e164` turns whatever a person typed or a spreadsheet exported into one E.164
string, or raises `InvalidPhoneNumber` with the value and the reason. The
`phonenumbers` library (Google's libphonenumber metadata) does the parsing and
validation. This module adds the checks that the library leaves out:

- Spreadsheet artefacts. "2.02555E+09" (scientific notation, digits lost) and
  "2025550143.5" are rejected, and "2025550143.0" is read as 2025550143.
- Text around the number. A label before the number ("Tel: ...") is rejected,
  an extension marked with "x", "ext", "extension" or "#" is dropped, and
  digits that follow the number in any other way are rejected.
- Letters. Three or more letters are read as a vanity number ("1-800-FLOWERS").
  One or two letters among the digits are rejected, because phonenumbers would
  drop them silently and they are usually an "O" or "l" typed for 0 or 1.
"""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from phonenumbers import (
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    ValidationResult,
)

# Longer input is rejected before any parsing. phonenumbers rejects input longer
# than 250 characters as well.
MAX_INPUT_LENGTH = 250

# E.164 allows at most 15 digits, country code included.
_MAX_E164_DIGITS = 15

# Maximum number of characters of the raw value that an error message shows.
_MAX_SHOWN_LENGTH = 60

_REEXPORT_HINT = "Format the column as text in the spreadsheet and export it again."

_ASCII_DIGIT = re.compile(r"[0-9]")
_NON_DIGITS = re.compile(r"[^0-9]+")
_LETTER = re.compile(r"[^\W\d_]")
_NUMBER_START = re.compile(r"[0-9+]")

# "2.02555E+09": a spreadsheet showed a number cell in scientific notation.
_SCIENTIFIC_NOTATION = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")

# "2025550143.0": a spreadsheet stored the phone number as a decimal number.
_DECIMAL_NUMBER = re.compile(r"(\+?[0-9]+)([.,])([0-9]{1,2})")

# "2,025,550,143": a number cell formatted with thousands separators.
_THOUSANDS_SEPARATED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")

# An extension at the end of the value: "x123", "ext. 45", "extension 7", "#22",
# ";ext=55" (RFC 3966), optionally in brackets. The digits may be missing. The
# marker must not be part of a word, so that "1-800-GO-FEDEX" keeps its X.
_EXTENSION = re.compile(
    r"""
    \s* [,;]? \s* \(?
    (?: (?<![a-z]) (?:extension|ext|x) (?![a-z]) \.? | \# )
    \s* [:=]? \s*
    [0-9]* \)? $
    """,
    re.ASCII | re.IGNORECASE | re.VERBOSE,
)


class InvalidPhoneNumber(ValueError):
    """Raised for a value that is not a valid phone number.

    `value` is the raw input and `reason` a lower-case phrase that describes
    what is wrong with it. `hint` is a sentence on how to fix the value, or "".
    """

    def __init__(self, value: str, reason: str, hint: str = "") -> None:
        super().__init__(value, reason, hint)
        self.value = value
        self.reason = reason
        self.hint = hint

    def __str__(self) -> str:
        message = f'Invalid phone number "{_shown_value(self.value)}": {self.reason}.'
        if self.hint:
            message = f"{message} {self.hint}"
        return message


def _shown_value(value: str) -> str:
    """Shorten the value and escape control characters for an error message."""
    if len(value) > _MAX_SHOWN_LENGTH:
        value = value[:_MAX_SHOWN_LENGTH] + "…"
    if value.isprintable():
        return value
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in value)


class _DigitTranslation(dict):
    """A `str.translate` table that maps every Unicode decimal digit to ASCII.

    Entries are computed on first use and cached, so the table stays small.
    """

    def __missing__(self, code_point: int) -> int:
        digit = unicodedata.decimal(chr(code_point), None)
        translated = code_point if digit is None else ord("0") + digit
        self[code_point] = translated
        return translated


_DIGIT_TRANSLATION = _DigitTranslation()


def _normalize_unicode(text: str) -> str:
    """Fold full-width forms to ASCII (NFKC) and map all decimal digits to 0-9.

    NFKC covers full-width digits, letters and "+", but not digits of other
    scripts such as Arabic-Indic, which the translation table maps.
    """
    return unicodedata.normalize("NFKC", text).translate(_DIGIT_TRANSLATION)


def _default_region() -> str:
    return settings.DNC_DEFAULT_REGION


def to_e164(text: str, region: str | None = None) -> str:
    """Parse a phone number written in any usual form and return it in E.164.

    National numbers are read as numbers of `region`, which defaults to the
    DNC_DEFAULT_REGION setting. Extensions are dropped because the DNC list
    blocks the whole line. Raises InvalidPhoneNumber for a value that the module
    docstring's rules reject or that phonenumbers does not validate, and
    ValueError for a region that phonenumbers does not support.
    """
    if region is None:
        region = _default_region()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"Unknown phone number region {region!r}: use an upper-case ISO 3166 "
            'code that phonenumbers supports, such as "US" or "GB".'
        )

    number_text, has_letters = _number_part(text)
    try:
        number = phonenumbers.parse(number_text, region)
    except NumberParseException as exc:
        reason, hint = _describe_parse_error(exc, number_text, region)
        raise InvalidPhoneNumber(text, reason, hint) from None

    # phonenumbers reads some trailing digits as an extension that _EXTENSION
    # does not, such as "; 2025550144" or ", 45". That could be a second
    # number, so it is rejected instead of dropped.
    if number.extension:
        raise InvalidPhoneNumber(
            text,
            f'has the extra digits "{number.extension}" after the number',
            'Put each number in its own row, and mark an extension with "x", as '
            'in "x45".',
        )
    if not phonenumbers.is_valid_number(number):
        reason, hint = _describe_invalid_number(number, number_text, region)
        if not hint and has_letters:
            hint = (
                "Letters are read as the keypad digits of a vanity number, so "
                "remove any words that are not part of the number."
            )
        raise InvalidPhoneNumber(text, reason, hint)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _number_part(text: str) -> tuple[str, bool]:
    """Return the part of the value that phonenumbers should parse.

    Also returns whether that part contains letters for a vanity number. Raises
    InvalidPhoneNumber for the cases that phonenumbers would misread.
    """
    cleaned = text.strip()
    if not cleaned:
        raise InvalidPhoneNumber(text, "the value is empty")
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise InvalidPhoneNumber(
            text,
            f"too long to be a phone number ({len(cleaned)} characters, the "
            f"maximum is {MAX_INPUT_LENGTH})",
        )
    if not cleaned.isascii():
        cleaned = _normalize_unicode(cleaned)
    if _ASCII_DIGIT.search(cleaned) is None:
        raise InvalidPhoneNumber(text, "contains no digits")

    cleaned = _undo_spreadsheet_number(text, cleaned)

    # The number starts at its first digit or "+". A letter before it is a
    # label, and phonenumbers would drop it silently.
    prefix = cleaned[: _NUMBER_START.search(cleaned).start()]
    if _LETTER.search(prefix):
        raise InvalidPhoneNumber(
            text,
            f'starts with the text "{prefix.strip()}"',
            "Remove it so that the value contains only the number.",
        )

    extension = _EXTENSION.search(cleaned)
    if extension is not None:
        cleaned = cleaned[: extension.start()]
        if _ASCII_DIGIT.search(cleaned) is None:
            raise InvalidPhoneNumber(text, "contains an extension but no number")

    letters = "".join(_LETTER.findall(cleaned))
    if not letters.isascii():
        raise InvalidPhoneNumber(
            text,
            f'contains letters other than A to Z ("{letters}")',
            "Only the letters of a vanity number are allowed among the digits.",
        )
    if 0 < len(letters) < 3:
        noun = "letter" if len(letters) == 1 else "letters"
        raise InvalidPhoneNumber(
            text,
            f'contains the {noun} "{letters}" among the digits',
            'A vanity number has at least 3 letters, so check for an "O" or "l" '
            "typed in place of 0 or 1.",
        )
    return cleaned, bool(letters)


def _undo_spreadsheet_number(text: str, cleaned: str) -> str:
    """Restore the digits of a number that a spreadsheet stored as a number.

    Raises InvalidPhoneNumber when digits were lost or cannot be known.
    """
    if _SCIENTIFIC_NOTATION.fullmatch(cleaned):
        raise InvalidPhoneNumber(
            text,
            "a spreadsheet converted it to scientific notation, which loses digits",
            _REEXPORT_HINT,
        )
    decimal = _DECIMAL_NUMBER.fullmatch(cleaned)
    if decimal is not None:
        whole, separator, fraction = decimal.groups()
        if fraction.strip("0"):
            raise InvalidPhoneNumber(
                text,
                f'ends in the decimal fraction "{separator}{fraction}"',
                _REEXPORT_HINT,
            )
        return whole
    if _THOUSANDS_SEPARATED.fullmatch(cleaned):
        return cleaned.replace(",", "")
    return cleaned


def _region_label(country_code: int) -> str:
    """Name the region of a country code: "US", "GB", or "+800" if it has none."""
    region = phonenumbers.region_code_for_country_code(country_code)
    if region in (
        phonenumbers.UNKNOWN_REGION,
        phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY,
    ):
        return f"+{country_code}"
    return region


def _describe_parse_error(
    exc: NumberParseException, number_text: str, region: str
) -> tuple[str, str]:
    """Return the reason and hint for a number that phonenumbers cannot parse."""
    digit_count = len(_NON_DIGITS.sub("", number_text))
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        if not _starts_with_plus(number_text):
            return "no valid country code follows the international call prefix", ""
        return (
            'no valid country code follows the "+"',
            f'Check the country code, or drop the "+" for a {region} number.',
        )
    if exc.error_type == NumberParseException.TOO_SHORT_AFTER_IDD:
        return "too few digits after the international call prefix", ""
    if exc.error_type == NumberParseException.TOO_LONG or (
        digit_count > _MAX_E164_DIGITS
    ):
        return (
            "too many digits to be a phone number",
            "If the value contains more than one number, put each in its own row.",
        )
    if exc.error_type == NumberParseException.TOO_SHORT_NSN or digit_count < 3:
        return "too few digits to be a phone number", ""
    return "not in a recognised phone number format", ""


def _describe_invalid_number(
    number: PhoneNumber, number_text: str, region: str
) -> tuple[str, str]:
    """Return the reason and hint for a parsed number that is not valid."""
    label = _region_label(number.country_code)
    possible = phonenumbers.is_possible_number_with_reason(number)
    hint = ""
    if possible == ValidationResult.TOO_LONG:
        reason = f"too many digits for a {label} number"
    elif possible == ValidationResult.TOO_SHORT:
        reason = f"too few digits for a {label} number"
    elif possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        reason = f"too few digits for a {label} number"
        hint = "It looks like a local number, so add the area code."
    elif possible == ValidationResult.INVALID_LENGTH:
        reason = f"no {label} number has this many digits"
    elif _starts_with_plus(number_text):
        reason = f"not a valid number for country code +{number.country_code}"
        if not label.startswith("+"):
            reason = f"{reason} ({label})"
    else:
        reason = f"not a valid {label} number"

    if _starts_with_plus(number_text):
        # "+2025550143" reads as Egypt (+20). Offer the national reading.
        national = _parse_valid(number_text.replace("+", "", 1), region)
        if national is not None:
            region_code = phonenumbers.country_code_for_region(region)
            hint = (
                f'Without the "+" it is a valid {region} number, so drop the "+" '
                f'or write "+{region_code}" in front of it.'
            )
    else:
        # "44 20 7946 0958" typed without its "+".
        international = _parse_valid("+" + number_text, None)
        if international is not None:
            e164 = phonenumbers.format_number(international, PhoneNumberFormat.E164)
            hint = (
                f'With a "+" in front it is a valid '
                f"{_region_label(international.country_code)} number, so write it "
                f'as "{e164}".'
            )
    return reason, hint


def _starts_with_plus(number_text: str) -> bool:
    """Return whether a "+" comes before the first digit."""
    return _NUMBER_START.search(number_text).group() == "+"


def _parse_valid(number_text: str, region: str | None) -> PhoneNumber | None:
    """Parse a number and return it only when it is valid."""
    try:
        number = phonenumbers.parse(number_text, region)
    except NumberParseException:
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    return number


def format_national(e164: str) -> str:
    """Format an E.164 number the way people in the default region write it.

    Numbers with the default region's country code get the national format,
    "(202) 555-0143" for US. That includes other regions that share the code,
    such as Canada for +1, because they are dialled the same way. Other numbers
    get the international format, "+44 20 7946 0958". Raises InvalidPhoneNumber
    when the value cannot be parsed as an international number.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        raise InvalidPhoneNumber(
            e164, "not in E.164 format", 'Expected a value such as "+12025550143".'
        ) from None
    home_country_code = phonenumbers.country_code_for_region(_default_region())
    if number.country_code == home_country_code:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def search_digits(text: str) -> str:
    """Return the digits of a search string in ASCII, or "" when there are none.

    Digits of any script count. Letters are dropped, not read as vanity digits.
    """
    if not text.isascii():
        text = _normalize_unicode(text)
    return _NON_DIGITS.sub("", text)
