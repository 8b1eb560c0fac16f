import csv
import json

from django import forms
from django.db.models import CharField, Q, Subquery, Value
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import AuditEntry
from dnc.models import DncNumber
from dnc.pagination import paginate
from dnc.phone import InvalidPhoneNumber, search_digits, to_e164
from dnc.roles import admin_required


class AuditFilterForm(forms.Form):
    number = forms.CharField(required=False, max_length=64)
    action = forms.ChoiceField(
        required=False,
        choices=[("", "All actions"), *AuditEntry.Action.choices],
        error_messages={
            "invalid_choice": (
                '"%(value)s" is not an audit action. Pick one from the list.'
            )
        },
    )
    dnc_import = forms.IntegerField(required=False, min_value=1)


def filtered_entries(request):
    """Return the filter form and the entries it selects, newest first."""
    form = AuditFilterForm(request.GET)
    entries = AuditEntry.objects.select_related("user", "dnc_import")
    if not form.is_valid():
        return form, entries.none()

    number = form.cleaned_data["number"].strip()
    if number:
        try:
            e164 = to_e164(number)
        except InvalidPhoneNumber:
            digits = search_digits(number)
            entries = entries.filter(phone_number__contains=digits or number)
        else:
            entries = entries.filter(
                Q(phone_number=e164) | _summary_of_adding_import(e164)
            ).annotate(matched_number=Value(e164, output_field=CharField()))
    if form.cleaned_data["action"]:
        entries = entries.filter(action=form.cleaned_data["action"])
    if form.cleaned_data["dnc_import"]:
        entries = entries.filter(dnc_import_id=form.cleaned_data["dnc_import"])
    return form, entries


def _summary_of_adding_import(e164: str) -> Q:
    # An import writes one summary entry, not an entry per number it adds.
    # DncNumber.dnc_import names the import that added the number. The number
    # is unique, so the subquery is a scalar that the dnc_import_id index of
    # the log can use.
    # NOTE: a removed number has no DncNumber row, so its import's summary is
    # not found then. A search by some digits never matches a summary.
    adding_import = (
        DncNumber.objects.filter(phone_number=e164)
        .order_by()
        .values("dnc_import_id")[:1]
    )
    return Q(action=AuditEntry.Action.IMPORTED, dnc_import_id=Subquery(adding_import))


# The counts of an import's summary entry, in the order the log shows them.
IMPORT_COUNT_LABELS = {
    "rows_read": "rows read",
    "added": "added",
    "already_listed": "already listed",
    "duplicates": "repeated in the file",
    "rejected": "rejected",
    "blank": "blank rows",
    "removed": "removed",
    "kept": "kept",
    "not_listed": "deletions of numbers not listed",
}


def describe_counts(details: dict) -> str:
    """Format an import's counts as "rows read 50,000 · added 49,960 · …".

    Counts of zero are left out, except rows read and added.
    """
    parts = []
    for key, label in IMPORT_COUNT_LABELS.items():
        value = details.get(key)
        if value or (key in ("rows_read", "added") and value is not None):
            parts.append(f"{label} {value:,}")
    for key, value in details.items():
        if key not in IMPORT_COUNT_LABELS:
            parts.append(f"{key.replace('_', ' ')} {value}")
    return " · ".join(parts)


@require_GET
@admin_required
def log(request):
    form, entries = filtered_entries(request)
    page = paginate(entries, request.GET.get("page"))
    for entry in page.rows:
        entry.counts_text = describe_counts(entry.details) if entry.details else ""

    template = "audit/log.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, {"form": form, "page": page, "nav": "audit"})


class _Echo:
    def write(self, value):
        return value


CSV_COLUMNS = [
    "created_at",
    "action",
    "phone_number",
    "source",
    "reason",
    "note",
    "user",
    "call_id",
    "import_id",
    "details",
]


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                entry.created_at.isoformat(),
                entry.action,
                entry.phone_number,
                entry.source,
                entry.reason,
                _spreadsheet_safe(entry.note),
                _spreadsheet_safe(entry.user.get_username() if entry.user else ""),
                entry.call_id or "",
                entry.dnc_import_id or "",
                json.dumps(entry.details) if entry.details else "",
            ]
        )


def _spreadsheet_safe(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs.
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


@require_GET
@admin_required
def export_csv(request):
    _, entries = filtered_entries(request)
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="dnc-audit-log.csv"'
    return response
