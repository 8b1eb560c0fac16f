"""Read the records of a DNC list file and turn each into a staging row.

Every data record becomes exactly one of: a blank row (counted), a number in
E.164 with its add or delete flag, or a rejected row with the value and the
reason. The numbers in the usual shapes (10 digits, `+1` and 11 digits,
`AAA,NNNNNNN`, and those written with spaces, brackets, hyphens and dots) are
checked by `NanpValidator`, with the same result as `to_e164`. Every other
value goes through `to_e164`, which also words the error of every rejected
number.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from django.conf import settings

from dnc.importing.detect import Layout, parse_flag
from dnc.importing.nanp import NanpValidator
from dnc.phone import InvalidPhoneNumber, to_e164

# Maximum length of a raw value kept for the report of a rejected or repeated
# row.
MAX_STORED_VALUE = 200

_PUNCTUATION = str.maketrans("", "", " ()-")
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\\x00"}
)


class RowRejected(ValueError):
    """Raised for a record that has no usable number or flag."""

    def __init__(self, value: str, message: str):
        super().__init__(message)
        self.value = value


@dataclass
class ReadCounts:
    rows_read: int = 0
    blank: int = 0
    rejected: int = 0
    staged: int = 0


class NumberParser:
    """Turn one phone number value into E.164, quickly for the usual shapes."""

    def __init__(self, region: str | None = None):
        self.region = region or settings.DNC_DEFAULT_REGION
        # Bare 10 and 11 digits mean +1 numbers only in a +1 default region.
        self.national_is_nanp = phonenumbers.country_code_for_region(self.region) == 1
        self.nanp = NanpValidator()

    def to_e164(self, value: str) -> str:
        """Return the value as E.164, or raise InvalidPhoneNumber."""
        text = value.strip()
        national = self._nanp_national(text)
        if national is not None and self.nanp.is_valid(national):
            return "+1" + national
        if not text.isascii() and _has_undecodable(text):
            raise InvalidPhoneNumber(
                value,
                "contains bytes that are not valid in the file's text encoding",
                "Save the file as UTF-8 and upload it again.",
            )
        return to_e164(value, self.region)

    def _nanp_national(self, text: str) -> str | None:
        """Return the 10-digit national number of a +1 number in a usual shape."""
        if not text.isascii():
            return None
        plus = text.startswith("+")
        digits = text[1:] if plus else text
        if not digits.isdigit():
            digits = digits.translate(_PUNCTUATION)
            # One dot may be a decimal point ("2025550143.0"), which to_e164
            # handles; two or more only separate digit groups.
            if digits.count(".") > 1:
                digits = digits.replace(".", "")
            if not digits.isdigit():
                return None
        if len(digits) == 11 and digits[0] == "1":
            if plus or self.national_is_nanp:
                return digits[1:]
            return None
        if len(digits) == 10 and not plus and self.national_is_nanp:
            return digits
        return None


def _has_undecodable(text: str) -> bool:
    # surrogateescape turns undecodable bytes into U+DC80..U+DCFF, and the
    # "replace" error handler into U+FFFD.
    return any("\udc80" <= char <= "\udcff" or char == "\ufffd" for char in text)


def stored_value(value: str) -> str:
    """Return a raw value as it is kept in the report: valid UTF-8, shortened."""
    if len(value) > MAX_STORED_VALUE:
        value = value[:MAX_STORED_VALUE] + "…"
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def copy_field(text: str) -> str:
    """Escape a value for PostgreSQL's COPY text format."""
    return text.translate(_COPY_ESCAPES)


def read_records(text: io.TextIOBase, layout: Layout) -> Iterator[tuple[int, list]]:
    """Yield each data record as its line number and fields."""
    if layout.delimiter is None:
        for line_number, line in enumerate(text, start=1):
            if line_number > layout.skip_records:
                yield line_number, [line]
        return

    reader = csv.reader(text, delimiter=layout.delimiter)
    end_line = 0
    for index, fields in enumerate(reader):
        start_line = end_line + 1
        end_line = reader.line_num
        if index >= layout.skip_records:
            yield start_line, fields


def _registry_pair(value: str) -> str | None:
    # "AAA,NNNNNNN" on a line of a one-number-per-line file.
    if len(value) == 11 and value[3] == "," and value.replace(",", "").isdigit():
        return value[:3] + value[4:]
    return None


def staging_blocks(
    records: Iterator[tuple[int, list]],
    layout: Layout,
    parser: NumberParser,
    counts: ReadCounts,
    block_rows: int,
) -> Iterator[tuple[str, bool]]:
    """Parse every record and yield blocks of staging rows in COPY text format.

    Each block comes with whether it is the last one. It has the staging rows
    of `block_rows` records, or fewer at the end, and `counts` is up to date
    when it is yielded. A staging row is `row, phone, action, value, error`: a
    number with its flag and the value the file wrote, or a rejected value and
    its error message.
    """
    block: list[str] = []
    block_end = counts.rows_read + block_rows

    for row, fields in records:
        counts.rows_read += 1
        line = _staging_line(row, fields, layout, parser, counts)
        if line is not None:
            block.append(line)
        if counts.rows_read >= block_end:
            block_end += block_rows
            yield "".join(block), False
            block.clear()

    yield "".join(block), True


def _staging_line(
    row: int, fields: list, layout: Layout, parser: NumberParser, counts: ReadCounts
) -> str | None:
    """Return the staging row of one record, or None for a blank record."""
    phone_column = layout.phone_column
    try:
        if layout.delimiter is None:
            written = value = fields[0].strip()
            if not value:
                counts.blank += 1
                return None
            value = _registry_pair(value) or value
            action = "A"
        else:
            value = fields[phone_column] if phone_column < len(fields) else ""
            if not value.strip():
                if all(not cell.strip() for cell in fields):
                    counts.blank += 1
                    return None
                raise RowRejected(
                    value,
                    f"Row {row} has no value in the phone column. Add the "
                    "number or delete the row.",
                )
            written = value = value.strip()
            if layout.join_area_code and phone_column + 1 < len(fields):
                pair = f"{value},{fields[phone_column + 1].strip()}"
                joined = _registry_pair(pair)
                if joined:
                    written, value = pair, joined
            action = _row_action(fields, layout.flag_column, row)
        phone = parser.to_e164(value)
    except InvalidPhoneNumber as exc:
        counts.rejected += 1
        return _rejected_line(row, exc.value, str(exc))
    except RowRejected as exc:
        counts.rejected += 1
        return _rejected_line(row, exc.value, str(exc))
    counts.staged += 1
    # The value as written is kept for the report of a repeated row.
    return f"{row}\t{phone}\t{action}\t{_copy_value(written)}\t\\N\n"


def _copy_value(value: str) -> str:
    # Most values need neither shortening nor escaping, and these checks cost
    # far less than the two conversions.
    plain = (
        len(value) <= MAX_STORED_VALUE
        and value.isascii()
        and value.isprintable()
        and "\\" not in value
    )
    return value if plain else copy_field(stored_value(value))


def _row_action(fields: list, flag_column: int | None, row: int) -> str:
    if flag_column is None:
        return "A"
    flag = fields[flag_column] if flag_column < len(fields) else ""
    action = parse_flag(flag)
    if action is None:
        shown = stored_value(flag.strip())
        if not shown:
            problem = f"Row {row} has no add/delete flag."
        else:
            problem = f'Row {row} has the unknown add/delete flag "{shown}".'
        raise RowRejected(
            ",".join(fields), f"{problem} Use A to add the number or D to delete it."
        )
    return action


def _rejected_line(row: int, value: str, error: str) -> str:
    value = copy_field(stored_value(value.strip()))
    error = copy_field(error.encode("utf-8", "backslashreplace").decode("utf-8"))
    return f"{row}\t\\N\t\\N\t{value}\t{error}\n"
