"""Adding a campaign's leads from a CSV file of contacts.

The file has a name column, an optional company column and one or more phone
columns (mobile, home, work, phone...). Each valid number of a contact becomes
a lead. A bad value is reported with its row and reason, and the rest of the
file still imports. A contact already known by the same name and company is
reused, so uploading a file twice adds no lead twice.
"""

import csv
import io
import logging
from dataclasses import dataclass, field

from django.db import transaction

from campaigns.models import Contact, Lead, PhoneNumber
from dnc.phone import InvalidPhoneNumber, to_e164

logger = logging.getLogger("campaigns")

# What one request reads; a larger file is refused with a message.
MAX_ROWS = 20_000
MAX_BYTES = 5_000_000

_NAME_HEADERS = {"name", "full name", "contact", "contact name"}
_COMPANY_HEADERS = {"company", "business", "organization", "organisation"}
_PHONE_HEADERS = {
    "mobile": PhoneNumber.Label.MOBILE,
    "mobile phone": PhoneNumber.Label.MOBILE,
    "cell": PhoneNumber.Label.MOBILE,
    "cell phone": PhoneNumber.Label.MOBILE,
    "home": PhoneNumber.Label.HOME,
    "home phone": PhoneNumber.Label.HOME,
    "work": PhoneNumber.Label.WORK,
    "work phone": PhoneNumber.Label.WORK,
    "office": PhoneNumber.Label.WORK,
    "phone": PhoneNumber.Label.OTHER,
    "phone number": PhoneNumber.Label.OTHER,
    "telephone": PhoneNumber.Label.OTHER,
    "other": PhoneNumber.Label.OTHER,
    "other phone": PhoneNumber.Label.OTHER,
}


class ContactFileError(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ContactImport:
    rows_read: int = 0
    contacts: int = 0
    leads_added: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Columns:
    name: int
    company: int | None
    phones: list[tuple[int, str, str]]  # index, header, label


def import_contacts(campaign, data: bytes) -> ContactImport:
    """Add a lead to `campaign` for every valid number in a contacts CSV file.

    Raises ContactFileError when the file has no usable header, no contact rows
    or too many rows.
    """
    reader = csv.reader(io.StringIO(_decode(data)), _dialect(data))
    columns = _read_header(reader)
    report = ContactImport()
    contacts: dict[tuple[str, str], dict[str, str]] = {}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        report.rows_read += 1
        if report.rows_read > MAX_ROWS:
            raise ContactFileError(
                f"The file has more than {MAX_ROWS:,} contacts. Split it into "
                "smaller files and upload them one by one."
            )
        parsed = _parse_row(reader.line_num, cells, columns, report.errors)
        if parsed is not None:
            key, numbers = parsed
            for number, label in numbers.items():
                contacts.setdefault(key, {}).setdefault(number, label)

    if not report.rows_read:
        raise ContactFileError(
            "The file has a header row but no contacts. Add one contact per row "
            "below the header."
        )
    report.contacts = len(contacts)
    report.leads_added = _save(campaign, contacts)
    logger.info(
        "Imported contacts into campaign %s: %d rows, %d contacts, "
        "%d leads added, %d values rejected",
        campaign.pk,
        report.rows_read,
        report.contacts,
        report.leads_added,
        len(report.errors),
    )
    return report


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows still save CSV in this code page.
        return data.decode("cp1252", errors="replace")


def _dialect(data: bytes) -> type[csv.Dialect]:
    head = data[:4096].decode("ascii", errors="ignore")
    dialect = csv.excel
    if head.count(";") > head.count(","):
        dialect = _Semicolon
    return dialect


class _Semicolon(csv.excel):
    delimiter = ";"


def _read_header(reader) -> _Columns:
    header = next(reader, None)
    # A spreadsheet may write its separator on a line of its own first.
    if header and header[0].strip().lower().startswith("sep="):
        header = next(reader, None)
    if not header:
        raise ContactFileError("The file is empty.")
    names = [cell.strip().lower() for cell in header]
    name = next((i for i, h in enumerate(names) if h in _NAME_HEADERS), None)
    if name is None:
        raise ContactFileError(
            'The first row needs a "name" column. Found: '
            + ", ".join(f'"{cell}"' for cell in header)
        )
    company = next((i for i, h in enumerate(names) if h in _COMPANY_HEADERS), None)
    phones = [
        (i, header[i].strip(), _PHONE_HEADERS[h])
        for i, h in enumerate(names)
        if h in _PHONE_HEADERS
    ]
    if not phones:
        raise ContactFileError(
            "The first row needs at least one phone column, such as "
            '"mobile", "home", "work" or "phone".'
        )
    return _Columns(name=name, company=company, phones=phones)


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _parse_row(row: int, cells, columns: _Columns, errors: list[RowError]):
    """Return the contact's key and numbers, or None when the row has none."""
    name = _cell(cells, columns.name)
    if not name:
        errors.append(RowError(row, "name", "", "the name is empty"))
        return None
    numbers: dict[str, str] = {}
    for index, header, label in columns.phones:
        value = _cell(cells, index)
        if not value:
            continue
        try:
            numbers.setdefault(to_e164(value), label)
        except InvalidPhoneNumber as exc:
            errors.append(RowError(row, header, value, exc.reason))
    if not numbers:
        errors.append(RowError(row, "", name, "the contact has no valid number"))
        return None
    return (name[:200], _cell(cells, columns.company)[:200]), numbers


def _save(campaign, contacts: dict[tuple[str, str], dict[str, str]]) -> int:
    """Write contacts, their numbers and the leads; return how many leads are new."""
    with transaction.atomic():
        known = {}
        existing = Contact.objects.filter(name__in={name for name, _ in contacts})
        for contact in existing.order_by("id"):
            known.setdefault((contact.name, contact.company), contact)
        new = [
            Contact(name=name, company=company)
            for name, company in contacts
            if (name, company) not in known
        ]
        for contact in Contact.objects.bulk_create(new, batch_size=1000):
            known[(contact.name, contact.company)] = contact

        PhoneNumber.objects.bulk_create(
            [
                PhoneNumber(contact=known[key], number=number, label=label)
                for key, numbers in contacts.items()
                for number, label in numbers.items()
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        phone_ids = PhoneNumber.objects.filter(
            contact__in=[known[key] for key in contacts]
        ).values_list("contact_id", "number", "id")
        wanted = {
            (known[key].pk, number)
            for key, numbers in contacts.items()
            for number in numbers
        }
        before = campaign.leads.count()
        Lead.objects.bulk_create(
            [
                Lead(campaign=campaign, phone_number_id=phone_id)
                for contact_id, number, phone_id in phone_ids
                if (contact_id, number) in wanted
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        return campaign.leads.count() - before
