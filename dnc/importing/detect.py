"""Detect how an uploaded DNC list is laid out, from its first bytes.

A layout sets how to decode the file (UTF-8 with or without a byte order
mark, UTF-16 or UTF-32 with one, or else Windows-1252), how to split lines into
fields (a `sep=` line, or the comma, semicolon, tab or bar that splits most
lines, or no splitting at all), which record is a header, which column holds
the phone number and which one an add or delete flag.

The National Do Not Call Registry writes a number as `AAA,NNNNNNN`: area code,
comma, the 7-digit number. Such pairs are joined into one number, never read
as two columns.
"""

import codecs
import csv
import re
import unicodedata
from dataclasses import dataclass, field

from dnc.phone import InvalidPhoneNumber, to_e164

# Bytes read for detection, and at most how many records of them are used.
SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 200

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}

# Header names of a phone column, compared after `normalize_header`. A header
# of the first group wins over one of the second.
PHONE_HEADERS = (
    {
        "phone",
        "phonenumber",
        "phoneno",
        "telephone",
        "telephonenumber",
        "telefon",
        "telefonnummer",
        "tel",
        "telno",
        "telnr",
        "number",
        "nummer",
        "numero",
        "rufnummer",
        "dnc",
        "dncnumber",
        "e164",
        "msisdn",
    },
    {
        "mobile",
        "mobilephone",
        "mobilenumber",
        "mobil",
        "mobilnummer",
        "handy",
        "cell",
        "cellphone",
        "cellnumber",
        "landline",
    },
)
FLAG_HEADERS = {"action", "flag", "change", "changetype", "operation", "addordelete"}

ADD_FLAGS = {"a", "add", "added", "+"}
DELETE_FLAGS = {"d", "del", "delete", "deleted", "remove", "removed", "-"}

# A column is taken for the phone column when at least this share of its
# non-empty sample values are numbers.
_COLUMN_SHARE = 0.5
# In a file without a header, a column is taken for the flag column when at
# least this share of the sample rows have a flag in it. A registry change list
# may carry a few unknown flags, and reading its deletions as additions would
# be wrong, so half is enough. Those rows are rejected.
_FLAG_SHARE = 0.5
# A delimiter is a candidate when it splits this share of the non-blank sample
# records into more than one field. Of the candidates, the one that gives the
# most records the same number of fields wins.
_CONSISTENT_SHARE = 0.8

_SEP_LINE = re.compile(r"\s*sep=(.)\s*", re.IGNORECASE)
_AREA_CODE = re.compile(r"\s*[2-9][0-9]{2}\s*")
_LOCAL_NUMBER = re.compile(r"\s*[2-9][0-9]{6}\s*")
_LETTER = re.compile(r"[^\W\d_]")
_REGISTRY_PAIR = re.compile(r"\s*([0-9]{3}),([0-9]{7})\s*")

_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook"),
    (b"%PDF", "a PDF document"),
)
_CSV_HINT = (
    "Save the list as CSV (UTF-8) or plain text, one number per line, and "
    "upload that file."
)


class ImportFileError(ValueError):
    """Raised for a file that cannot be imported at all. The message explains why."""


@dataclass(frozen=True)
class Layout:
    """How to read the records of a file, and where the number is in each."""

    encoding: str
    delimiter: str | None
    # Records (lines) at the start of the file that are not data: the `sep=`
    # line, blank lines before the header, and the header itself.
    skip_records: int = 0
    header: tuple[str, ...] = ()
    phone_column: int = 0
    # Whether the phone column contains `AAA,NNNNNNN` pairs, which are joined.
    # A one-column file joins such a line wherever it is, so there the field
    # only records whether the sample had one.
    join_area_code: bool = False
    flag_column: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_change_list(self) -> bool:
        return self.flag_column is not None

    def describe(self) -> str:
        """Return a one-line description of the layout for people."""
        parts = [self._encoding_label()]
        if self.delimiter is None:
            parts.append("one number per line")
        else:
            parts.append(f"{DELIMITERS.get(self.delimiter, 'delimiter')}-separated")
            parts.append(f"phone column {self._column_label(self.phone_column)}")
        if self.join_area_code:
            parts.append("area code and number joined")
        if self.flag_column is not None:
            parts.append(
                f"change list, add/delete flag in column "
                f"{self._column_label(self.flag_column)}"
            )
        if self.header:
            parts.append(f"header row: {', '.join(self.header)}")
        parts.extend(self.notes)
        return "; ".join(parts)

    def _encoding_label(self) -> str:
        return {
            "utf-8": "UTF-8",
            "utf-8-sig": "UTF-8 with byte order mark",
            "utf-16": "UTF-16",
            "utf-32": "UTF-32",
            "cp1252": "Windows-1252",
        }.get(self.encoding, self.encoding)

    def _column_label(self, index: int) -> str:
        if index < 0:
            return "last"
        label = str(index + 1)
        if index < len(self.header) and self.header[index].strip():
            label += f' "{self.header[index].strip()}"'
        return label


def normalize_header(name: str) -> str:
    """Lower-case a header name and keep only its letters and digits."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if char.isalnum() and char.isascii())


def parse_flag(value: str) -> str | None:
    """Return "A" or "D" for an add or delete flag, or None for anything else."""
    flag = value.strip().casefold()
    if flag in ADD_FLAGS:
        return "A"
    if flag in DELETE_FLAGS:
        return "D"
    return None


def _is_number(value: str) -> bool:
    if not value.strip():
        return False
    try:
        to_e164(value)
    except InvalidPhoneNumber:
        return False
    return True


def _is_area_code_pair(fields: list[str], index: int) -> bool:
    return (
        index + 1 < len(fields)
        and _AREA_CODE.fullmatch(fields[index]) is not None
        and _LOCAL_NUMBER.fullmatch(fields[index + 1]) is not None
    )


def _is_blank(fields: list[str]) -> bool:
    return all(not value.strip() for value in fields)


def detect_encoding(sample: bytes, file_name: str) -> str:
    """Return the codec for a file's bytes, or raise ImportFileError."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"

    # The UTF-32 marks first: the little-endian one starts like UTF-16's.
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"

    for signature, kind in _SIGNATURES:
        if sample.startswith(signature):
            raise ImportFileError(
                f'"{file_name}" is {kind}, not a text file. {_CSV_HINT}'
            )
    if b"\x00" in sample:
        raise ImportFileError(
            f'"{file_name}" is not a text file: it contains binary data (NUL '
            f"bytes). {_CSV_HINT}"
        )

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: the sample may end inside a multi-byte character.
        decoder.decode(sample, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp1252"

    text = sample.decode(encoding, errors="replace")
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        raise ImportFileError(
            f'"{file_name}" is not a text file: it contains {controls} control '
            f"characters in its first {len(sample):,} bytes. {_CSV_HINT}"
        )
    return encoding


def _sample_lines(sample: bytes, encoding: str, complete: bool) -> list[str]:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(
        sample, final=complete
    )
    lines = text.splitlines()
    if not complete and lines:
        # The last line may be cut off by the end of the sample.
        lines.pop()
    return lines[: SAMPLE_RECORDS + 2]


def _split(lines: list[str], delimiter: str) -> list[list[str]]:
    return list(csv.reader(lines, delimiter=delimiter))


def _pick_delimiter(lines: list[str]) -> str | None:
    best: tuple[float, int, str] | None = None
    for delimiter in DELIMITERS:
        records = [
            fields for fields in _split(lines, delimiter) if not _is_blank(fields)
        ]
        counts = [len(fields) for fields in records]
        if not counts:
            continue
        split_share = sum(1 for count in counts if count > 1) / len(counts)
        if split_share < _CONSISTENT_SHARE:
            continue
        usual = max(set(counts), key=counts.count)
        candidate = (counts.count(usual) / len(counts), usual, delimiter)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return None if best is None else best[2]


def detect_layout(sample: bytes, *, file_name: str, complete: bool) -> Layout:
    """Work out the layout of a file from its first bytes.

    `complete` says whether the sample is the whole file. Raises
    ImportFileError, naming the file and what to change, for an empty or
    binary file, a header without data rows, and a file without a
    recognisable phone column.
    """
    if not sample.strip():
        raise ImportFileError(
            f'"{file_name}" is empty. Upload a file with one phone number per line '
            "or a CSV file with a phone column."
        )
    encoding = detect_encoding(sample, file_name)
    lines = _sample_lines(sample, encoding, complete)
    if not lines:
        raise ImportFileError(
            f'"{file_name}" has no line break in its first {len(sample):,} bytes, '
            "so it is not a list of numbers. Put each number on its own line."
        )

    skip = 0
    notes: list[str] = []
    delimiter = None
    sep_line = _SEP_LINE.fullmatch(lines[0])
    if sep_line:
        delimiter = sep_line.group(1)
        skip = 1
        notes.append("separator given by a sep= line")
    else:
        delimiter = _pick_delimiter([line for line in lines if line.strip()])

    if delimiter is None:
        return _single_column_layout(lines, encoding, tuple(notes), file_name)
    records = _split(lines[skip:], delimiter)
    return _columns_layout(
        records, skip, encoding, delimiter, file_name, notes, complete
    )


def _header_only_error(file_name: str, header: tuple[str, ...]) -> ImportFileError:
    return ImportFileError(
        f'"{file_name}" has a header row ({", ".join(header)}) but no data rows. '
        "Add the numbers below the header, or upload the file that contains them."
    )


def _single_column_layout(
    lines: list[str], encoding: str, notes: tuple[str, ...], file_name: str
) -> Layout:
    skip = 0
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    header: tuple[str, ...] = ()
    # Only a known header name counts, so that a first line such as "n/a"
    # stays a data row and is reported as rejected.
    if skip < len(lines) and _header_rank(lines[skip]) is not None:
        header = (lines[skip].strip(),)
        skip += 1
    else:
        skip = 0
    values = [line for line in lines[skip:] if line.strip()]
    if header and not values:
        raise _header_only_error(file_name, header)
    if not any(_is_number(_REGISTRY_PAIR.sub(r"\1\2", value)) for value in values):
        raise ImportFileError(
            f'"{file_name}" contains no valid phone number in its first '
            f"{len(values)} lines, and no separator splits them into columns. "
            "Upload a list with one number per line or a CSV file with a phone "
            "column."
        )
    return Layout(
        encoding=encoding,
        delimiter=None,
        skip_records=skip,
        header=header,
        join_area_code=any(_REGISTRY_PAIR.fullmatch(value) for value in values),
        notes=notes,
    )


def _header_rank(name: str) -> int | None:
    normalized = normalize_header(name)
    for rank, names in enumerate(PHONE_HEADERS):
        if normalized in names:
            return rank
    return None


def _columns_layout(
    records: list[list[str]],
    skip: int,
    encoding: str,
    delimiter: str,
    file_name: str,
    notes: list[str],
    complete: bool,
) -> Layout:
    first = 0
    while first < len(records) and _is_blank(records[first]):
        first += 1
    if first == len(records):
        raise ImportFileError(
            f'"{file_name}" contains only blank rows. Upload the file that '
            "contains the numbers."
        )

    candidate = records[first]
    data = [fields for fields in records[first + 1 :] if not _is_blank(fields)]
    header: tuple[str, ...] = ()
    if _looks_like_header(candidate, data):
        header = tuple(value.strip() for value in candidate)
        skip += first + 1
        if complete and not data:
            raise _header_only_error(file_name, header)
    else:
        data = [fields for fields in records[first:] if not _is_blank(fields)]

    phone_column, join = _find_phone_column(header, data, file_name)
    flag_column = _find_flag_column(header, data, phone_column, join)
    return Layout(
        encoding=encoding,
        delimiter=delimiter,
        skip_records=skip,
        header=header,
        phone_column=phone_column,
        join_area_code=join,
        flag_column=flag_column,
        notes=tuple(notes),
    )


def _looks_like_header(candidate: list[str], data: list[list[str]]) -> bool:
    normalized = {normalize_header(value) for value in candidate}
    if any(_header_rank(value) is not None for value in candidate):
        return True
    if normalized & FLAG_HEADERS:
        return True
    # A row of words above rows that contain numbers.
    if any(_is_number(value) for value in candidate):
        return False
    if any(_is_area_code_pair(candidate, index) for index in range(len(candidate))):
        return False
    has_words = any(_LETTER.search(value) for value in candidate)
    data_has_numbers = any(any(_is_number(value) for value in row) for row in data[:20])
    return has_words and data_has_numbers


def _find_phone_column(
    header: tuple[str, ...], data: list[list[str]], file_name: str
) -> tuple[int, bool]:
    ranked = sorted(
        (rank, index)
        for index, name in enumerate(header)
        if (rank := _header_rank(name)) is not None
    )
    if ranked:
        best = [index for rank, index in ranked if rank == ranked[0][0]]
        if len(best) > 1:
            names = ", ".join(f'"{header[index]}"' for index in best)
            raise ImportFileError(
                f'"{file_name}" has several phone columns ({names}). Keep only '
                'the column to import, or rename it to "phone".'
            )
        index = best[0]
        return index, _mostly_pairs(data, index)

    sample = data[:SAMPLE_RECORDS]
    for index in range(max((len(fields) for fields in sample), default=0) - 1):
        if _mostly_pairs(sample, index):
            return index, True

    shares = {}
    for index in range(max((len(fields) for fields in sample), default=0)):
        values = [fields[index] for fields in sample[:100] if index < len(fields)]
        values = [value for value in values if value.strip()]
        if values:
            shares[index] = sum(map(_is_number, values)) / len(values)
    columns = [index for index, share in shares.items() if share >= _COLUMN_SHARE]
    if len(columns) == 1:
        return columns[0], False
    if not columns:
        raise ImportFileError(
            f'"{file_name}" has no column of phone numbers: no column of its first '
            f"{len(sample)} rows contains mostly valid numbers. Name the phone "
            'column "phone", or check that the file is a DNC list.'
        )
    labels = ", ".join(
        f'"{header[index]}"' if index < len(header) else str(index + 1)
        for index in columns
    )
    raise ImportFileError(
        f'"{file_name}" has several columns of phone numbers ({labels}). Keep '
        'only the column to import, or name it "phone" in a header row.'
    )


def _mostly_pairs(data: list[list[str]], index: int) -> bool:
    rows = [fields for fields in data if index < len(fields)]
    if not rows:
        return False
    pairs = sum(1 for fields in rows if _is_area_code_pair(fields, index))
    return pairs / len(rows) >= _CONSISTENT_SHARE


def _find_flag_column(
    header: tuple[str, ...], data: list[list[str]], phone_column: int, join: bool
) -> int | None:
    for index, name in enumerate(header):
        if normalize_header(name) in FLAG_HEADERS:
            return index
    if header or not data:
        return None
    used = {phone_column, phone_column + 1} if join else {phone_column}
    width = max(len(fields) for fields in data)
    for index in range(width):
        if index in used:
            continue
        flags = sum(
            1 for fields in data if index < len(fields) and parse_flag(fields[index])
        )
        if flags / len(data) >= _FLAG_SHARE:
            return index
    return None
