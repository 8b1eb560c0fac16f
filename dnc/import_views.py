"""The Import pages (upload a file, follow its import, read its report) and export."""

import csv
import logging
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from dnc.exporter import csv_chunks, spreadsheet_safe
from dnc.forms import SearchForm
from dnc.importer import ImportFileError
from dnc.importing.detect import SAMPLE_BYTES, detect_layout
from dnc.models import DncImport, DncImportRow, DncNumber
from dnc.pagination import paginate
from dnc.roles import admin_required
from dnc.tasks import run_import
from dnc.views import filter_numbers

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
EXTENSIONS = (".csv", ".txt", ".tsv")
UPLOAD_DIRECTORY = "imports"
# Report rows of each section shown on the page; the CSV download has them all.
SHOWN_REPORT_ROWS = 100
RECENT_IMPORTS = 20


def _upload_directory() -> Path:
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class _StoredUpload(UploadedFile):
    """An uploaded file written to a file under MEDIA_ROOT as it arrives."""

    def __init__(self, name, content_type, charset, content_type_extra):
        file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed with the upload)
            dir=_upload_directory(), prefix="upload-", delete=False
        )
        super().__init__(file, name, content_type, 0, charset, content_type_extra)
        self.too_large = False

    def temporary_file_path(self) -> str:
        return self.file.name


class ImportUploadHandler(FileUploadHandler):
    """Stream an upload to MEDIA_ROOT, never into memory, up to the size limit.

    Past MAX_UPLOAD_BYTES the rest of the upload is read but not written, and
    the file is marked too large for the view to reject.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = _StoredUpload(
            self.file_name, self.content_type, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > MAX_UPLOAD_BYTES:
            self.file.too_large = True
        if not self.file.too_large:
            self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        return self.file


def _limit_text() -> str:
    # filesizeformat writes "200.0 MB", but the limit is a whole number of MB.
    megabytes, rest = divmod(MAX_UPLOAD_BYTES, 1024 * 1024)
    if megabytes and not rest:
        return f"{megabytes}\xa0MB"
    return filesizeformat(MAX_UPLOAD_BYTES)


def _check_upload(upload) -> str:
    """Return what is wrong with the upload itself (no file, a wrong extension
    or a file over the limit), or "" when its content can be checked."""
    if upload is None:
        return "Choose a CSV or text file to import."
    name = upload.name
    if Path(name).suffix.lower() not in EXTENSIONS:
        return (
            f'"{name}" is not a CSV or text file. Upload a file ending in '
            f"{', '.join(EXTENSIONS)}. Save a spreadsheet as CSV first."
        )
    if upload.size > MAX_UPLOAD_BYTES or upload.too_large:
        return (
            f'"{name}" is {filesizeformat(upload.size)}, more than the limit of '
            f"{_limit_text()}. Split the list into smaller files."
        )
    return ""


def _check_content(upload) -> str:
    """Return why the file cannot be imported, or "" when its layout is known.

    This is the check the import itself starts with, so an empty, binary or
    header-only file fails here with the message the import would give.
    """
    sample = upload.read(SAMPLE_BYTES)
    try:
        detect_layout(
            sample, file_name=upload.name, complete=upload.size <= len(sample)
        )
    except ImportFileError as exc:
        return str(exc)
    return ""


def _page(request, error: str = "", status: int = 200):
    imports = DncImport.objects.select_related("uploaded_by")[:RECENT_IMPORTS]
    context = {
        "imports": imports,
        "error": error,
        "limit": _limit_text(),
        "nav": "import",
    }
    return render(request, "dnc/import_list.html", context, status=status)


@require_GET
@admin_required
def import_list(request):
    return _page(request)


@csrf_exempt
@require_POST
@admin_required
def import_upload(request):
    # CSRF checking reads the body, so the upload handler is set first and
    # the CSRF check runs after it, in _queue_upload.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # The body also has the form's other fields, hence the extra megabyte.
    if declared > MAX_UPLOAD_BYTES + 1024 * 1024:
        error = (
            f"The upload is {filesizeformat(declared)}, more than the limit of "
            f"{_limit_text()}. Split the list into smaller files."
        )
        return _page(request, error, status=413)
    request.upload_handlers = [ImportUploadHandler(request)]
    return _queue_upload(request)


@csrf_protect
def _queue_upload(request):
    upload = request.FILES.get("file")
    for stray in request.FILES.getlist("file")[1:]:
        Path(stray.temporary_file_path()).unlink(missing_ok=True)

    error = "Choose a CSV or text file to import."
    try:
        error = _check_upload(upload)
        if not error:
            error = _check_content(upload)
            if error:
                _record_failure(request, upload, error)
            else:
                dnc_import = _queue(request, upload)
    finally:
        if upload is not None:
            upload.close()
            if error:
                Path(upload.temporary_file_path()).unlink(missing_ok=True)
    if error:
        return _page(request, error, status=422)

    return redirect("dnc:import-detail", pk=dnc_import.pk)


def _record_failure(request, upload, error: str) -> None:
    """Record a file that cannot be imported as a failed import, as the import
    command does, so that Recent imports lists every attempt."""
    dnc_import = DncImport.objects.create(
        file_name=Path(upload.name).name[:255],
        uploaded_by=request.user,
        bytes_total=upload.size,
        status=DncImport.Status.FAILED,
        error=error,
        finished_at=timezone.now(),
    )
    logger.warning(
        "Import %s of %s by %s failed: %s",
        dnc_import.pk,
        dnc_import.file_name,
        request.user.get_username(),
        error,
    )


def _queue(request, upload) -> DncImport:
    suffix = Path(upload.name).suffix.lower()
    stored = Path(UPLOAD_DIRECTORY) / f"{uuid.uuid4().hex}{suffix}"
    Path(upload.temporary_file_path()).replace(Path(settings.MEDIA_ROOT) / stored)
    dnc_import = DncImport.objects.create(
        file_name=Path(upload.name).name[:255],
        uploaded_by=request.user,
        stored_file=str(stored),
        bytes_total=upload.size,
    )
    logger.info(
        "Import %s of %s (%d bytes) queued by %s",
        dnc_import.pk,
        dnc_import.file_name,
        upload.size,
        request.user.get_username(),
    )
    run_import.enqueue(dnc_import.pk)
    dnc_import.refresh_from_db()
    return dnc_import


@require_GET
@admin_required
def import_detail(request, pk):
    dnc_import = get_object_or_404(
        DncImport.objects.select_related("uploaded_by"), pk=pk
    )
    not_added = dnc_import.rows.exclude(kind=DncImportRow.Kind.KEPT)
    kept = dnc_import.rows.filter(kind=DncImportRow.Kind.KEPT)
    numbers = DncNumber.objects.filter(dnc_import=dnc_import).order_by("phone_number")
    context = {
        "dnc_import": dnc_import,
        "report_rows": not_added[:SHOWN_REPORT_ROWS],
        "more_rows": max(
            0, dnc_import.rejected + dnc_import.duplicates - SHOWN_REPORT_ROWS
        ),
        "kept_rows": kept[:SHOWN_REPORT_ROWS],
        "more_kept": max(0, dnc_import.kept - SHOWN_REPORT_ROWS),
        "all_report_rows": (
            dnc_import.rejected + dnc_import.duplicates + dnc_import.kept
        ),
        "numbers": paginate(numbers, request.GET.get("page")),
        "nav": "import",
    }
    template = "dnc/import_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#report"
    return render(request, template, context)


class _Echo:
    def write(self, value):
        return value


def _report_csv(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(["row", "value", "error"])
    for row, value, error in rows.iterator(chunk_size=5000):
        yield writer.writerow([row, spreadsheet_safe(value), spreadsheet_safe(error)])


@require_GET
@admin_required
def import_rows_csv(request, pk):
    dnc_import = get_object_or_404(DncImport, pk=pk)

    rows = DncImportRow.objects.filter(dnc_import=dnc_import).order_by("row")
    response = StreamingHttpResponse(
        _report_csv(rows.values_list("row", "value", "error")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="dnc-import-{dnc_import.pk}-rows.csv"'
    )
    return response


@require_GET
@admin_required
def export_csv(request):
    """Stream the DNC list, narrowed by the list page's search and source."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        # An invalid search exports nothing, as the list page shows nothing.
        errors = [error for field in form for error in field.errors]
        return HttpResponseBadRequest(
            " ".join(errors), content_type="text/plain; charset=utf-8"
        )

    q = form.cleaned_data["q"]
    source = form.cleaned_data["source"]
    numbers = filter_numbers(DncNumber.objects.all(), q, source)
    response = StreamingHttpResponse(
        csv_chunks(numbers), content_type="text/csv; charset=utf-8"
    )
    file_name = f"dnc-list-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
