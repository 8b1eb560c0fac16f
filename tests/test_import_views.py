import csv
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from dnc.models import DncImport, DncNumber, Source

PAGE = reverse("dnc:import")
AUDIT_LOG = reverse("audit:log")
UPLOAD = reverse("dnc:import-upload")
HTMX = {"HTTP_HX_REQUEST": "true"}
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    """Run imports at once, and keep uploaded files in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return settings.MEDIA_ROOT / "imports"


def upload(client, content: bytes, name="list.csv", **extra):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(UPLOAD, {"file": file}, **extra)


def stored_files(uploads) -> list:
    return sorted(uploads.iterdir()) if uploads.exists() else []


@pytest.mark.django_db
class TestImportPage:
    def test_it_shows_the_form(self, admin_client):
        response = admin_client.get(PAGE)

        assert response.status_code == 200
        page = response.content.decode()
        assert 'enctype="multipart/form-data"' in page
        assert 'name="file"' in page
        assert "at most 200\xa0MB" in page
        assert 'aria-current="page">Import</a>' in page

    def test_it_lists_recent_imports(self, admin_client, alice):
        DncImport.objects.create(file_name="october.csv", uploaded_by=alice, added=7)

        response = admin_client.get(PAGE)

        page = response.content.decode()
        assert "october.csv" in page
        assert "alice" in page

    def test_agent_gets_403(self, agent_client):
        assert agent_client.get(PAGE).status_code == 403

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(PAGE)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_post_is_not_allowed(self, admin_client):
        assert admin_client.post(PAGE).status_code == 405

    def test_nav_link_only_for_admins(self, agent_client, admin_client):
        console = agent_client.get(reverse("home"), follow=True)
        assert PAGE not in console.content.decode()
        assert PAGE in admin_client.get(reverse("dnc:list")).content.decode()


@pytest.mark.django_db
class TestUpload:
    def test_it_imports_and_redirects(self, admin_client, alice, uploads):
        response = upload(admin_client, b"phone\n2025550143\n2025550144\nn/a\n")

        dnc_import = DncImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "dnc:import-detail", args=[dnc_import.pk]
        )
        assert dnc_import.status == DncImport.Status.DONE
        assert dnc_import.uploaded_by == alice
        assert dnc_import.file_name == "list.csv"
        assert dnc_import.added == 2
        assert dnc_import.rejected == 1
        assert dnc_import.stored_file == ""
        numbers = DncNumber.objects.filter(dnc_import=dnc_import)
        assert sorted(numbers.values_list("phone_number", flat=True)) == [
            "+12025550143",
            "+12025550144",
        ]
        assert {number.added_by for number in numbers} == {alice}
        # The stored upload is deleted once it is imported.
        assert stored_files(uploads) == []

    def test_sample_spreadsheet(self, admin_client):
        content = (
            "\ufeffsep=;\nTelefon;Kontakt;Bemerkung\n"
            "(646) 555-0134;Sam;x\n6465550134;Sam;twice\nn/a;Unknown;\n"
        ).encode()

        response = upload(admin_client, content, name="export.csv", follow=True)

        page = response.content.decode()
        assert "Done" in page
        assert '<strong id="count-added">1</strong>' in page
        assert '<strong id="count-duplicates">1</strong>' in page
        assert '<strong id="count-rejected">1</strong>' in page
        assert "Same number as row 3 (+16465550134)" in page
        assert "<td>4</td><td><code>6465550134</code></td>" in page
        assert "Invalid phone number &quot;n/a&quot;: contains no digits." in page
        assert "(646) 555-0134" in page

    def test_agent_gets_403(self, agent_client, uploads):
        response = upload(agent_client, b"2025550143\n")

        assert response.status_code == 403
        assert DncImport.objects.count() == 0
        assert stored_files(uploads) == []

    def test_anonymous_goes_to_login(self, anon_client):
        response = upload(anon_client, b"2025550143\n")

        assert response.status_code == 302
        assert DncImport.objects.count() == 0

    def test_get_is_not_allowed(self, admin_client):
        assert admin_client.get(UPLOAD).status_code == 405

    def test_csrf_token_is_required(self, alice):
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)

        response = upload(client, b"2025550143\n")

        assert response.status_code == 403
        assert DncImport.objects.count() == 0

    def test_no_file(self, admin_client):
        response = admin_client.post(UPLOAD, {})

        assert response.status_code == 422
        assert "Choose a CSV or text file to import." in response.content.decode()
        assert DncImport.objects.count() == 0

    def test_empty_file(self, admin_client, alice, uploads):
        response = upload(admin_client, b"", name="empty.csv")

        assert response.status_code == 422
        assert "&quot;empty.csv&quot; is empty" in response.content.decode()
        assert stored_files(uploads) == []
        # Recorded as failed, as the import command records it.
        dnc_import = DncImport.objects.get()
        assert dnc_import.status == DncImport.Status.FAILED
        assert dnc_import.file_name == "empty.csv"
        assert dnc_import.uploaded_by == alice
        assert dnc_import.error.startswith('"empty.csv" is empty.')
        assert dnc_import.finished_at is not None

    def test_failed_upload_is_listed(self, admin_client):
        response = upload(admin_client, b"phone,name\n", name="header_only.csv")

        page = html.unescape(response.content.decode())
        assert response.status_code == 422
        message = (
            '"header_only.csv" has a header row (phone, name) but no data rows. '
            "Add the numbers below the header, or upload the file that contains "
            "them."
        )
        assert message in page
        dnc_import = DncImport.objects.get()
        assert dnc_import.error == message
        recent = page.split("<h2>Recent imports</h2>", 1)[1]
        detail = reverse("dnc:import-detail", args=[dnc_import.pk])
        assert f'<a href="{detail}">header_only.csv</a>' in recent
        assert "<td>Failed</td>" in recent
        assert DncNumber.objects.count() == 0
        assert not AuditEntry.objects.exists()

    def test_binary_file(self, admin_client, uploads):
        response = upload(admin_client, b"\x00\x01\x02\x03" * 100, name="data.csv")

        assert response.status_code == 422
        page = response.content.decode()
        assert "&quot;data.csv&quot; is not a text file" in page
        assert "Save the list as CSV" in page
        assert stored_files(uploads) == []
        assert DncImport.objects.get().status == DncImport.Status.FAILED

    def test_wrong_extension(self, admin_client, uploads):
        response = upload(admin_client, b"2025550143\n", name="list.xlsx")

        assert response.status_code == 422
        page = response.content.decode()
        assert "&quot;list.xlsx&quot; is not a CSV or text file" in page
        assert ".csv, .txt, .tsv" in page
        assert stored_files(uploads) == []
        assert DncImport.objects.count() == 0

    def test_file_without_numbers(self, admin_client):
        response = upload(admin_client, b"name,city\nAnn,Reno\n")

        assert response.status_code == 422
        assert "no column of phone numbers" in response.content.decode()

    def test_too_large_file(self, admin_client, uploads, monkeypatch):
        monkeypatch.setattr("dnc.import_views.MAX_UPLOAD_BYTES", 50)

        response = upload(admin_client, b"2025550143\n" * 10)

        assert response.status_code == 422
        assert "more than the limit of 50\xa0bytes" in response.content.decode()
        assert stored_files(uploads) == []
        assert DncImport.objects.count() == 0

    def test_declared_size_over_limit(self, admin_client):
        response = admin_client.post(UPLOAD, {}, CONTENT_LENGTH=str(300 * 1024 * 1024))

        assert response.status_code == 413
        assert "more than the limit of 200\xa0MB" in response.content.decode()

    def test_queued_file_waits_in_media_root(self, admin_client, settings, uploads):
        settings.TASKS = {
            "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}
        }

        upload(admin_client, b"2025550143\n")

        dnc_import = DncImport.objects.get()
        assert dnc_import.status == DncImport.Status.QUEUED
        assert stored_files(uploads) == [settings.MEDIA_ROOT / dnc_import.stored_file]
        assert (settings.MEDIA_ROOT / dnc_import.stored_file).read_bytes() == (
            b"2025550143\n"
        )


@pytest.mark.django_db
class TestDetail:
    def detail_url(self, dnc_import):
        return reverse("dnc:import-detail", args=[dnc_import.pk])

    def test_running_import_polls(self, admin_client, alice):
        dnc_import = DncImport.objects.create(
            file_name="big.csv",
            uploaded_by=alice,
            status=DncImport.Status.RUNNING,
            rows_read=50_000,
            bytes_read=500,
            bytes_total=1000,
        )

        response = admin_client.get(self.detail_url(dnc_import))

        page = response.content.decode()
        assert 'hx-trigger="every 1s"' in page
        assert "50,000 rows read (50% of the file)" in page

    def test_htmx_gets_only_the_report(self, admin_client):
        dnc_import = DncImport.objects.create(
            file_name="big.csv", status=DncImport.Status.QUEUED
        )

        response = admin_client.get(self.detail_url(dnc_import), **HTMX)

        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith('<div id="import-report"')
        assert "waiting for the task worker" in page

    def test_finished_import_stops_polling(self, admin_client):
        dnc_import = DncImport.objects.create(
            file_name="done.csv", status=DncImport.Status.DONE
        )

        page = admin_client.get(self.detail_url(dnc_import), **HTMX).content.decode()

        assert "every 1s" not in page
        assert "Done" in page

    def test_failed_import_says_why(self, admin_client):
        dnc_import = DncImport.objects.create(
            file_name="bad.csv",
            status=DncImport.Status.FAILED,
            error='"bad.csv" is not a text file.',
        )

        page = admin_client.get(self.detail_url(dnc_import)).content.decode()

        assert "Failed." in page
        assert "&quot;bad.csv&quot; is not a text file." in page
        assert "every 1s" not in page

    def test_it_lists_the_numbers_of_the_import(self, admin_client):
        upload(admin_client, b"2025550143\n2025550144\n")
        other = DncImport.objects.create(file_name="other.csv")
        DncNumber.objects.create(
            phone_number="+12025550199", source=Source.IMPORT, dnc_import=other
        )
        dnc_import = DncImport.objects.exclude(pk=other.pk).get()

        page = admin_client.get(self.detail_url(dnc_import)).content.decode()

        assert "+12025550143" in page
        assert "+12025550144" in page
        assert "+12025550199" not in page

    def test_change_list_with_unknown_flag(self, admin_client):
        upload(admin_client, b"4155550145\n", name="first.txt")
        content = (
            b"A,7185550121\nA,7185550122\nD,4155550145\nD,3055550199\n"
            b"D,7185550199\nX,7185550123\n"
        )

        response = upload(admin_client, content, name="changes.txt", follow=True)

        page = html.unescape(response.content.decode())
        assert "add/delete flag in column 1" in page
        assert '<strong id="count-added">2</strong>' in page
        assert '<strong id="count-removed">1</strong>' in page
        assert '<strong id="count-rejected">1</strong>' in page
        assert (
            "<td>6</td><td><code>X,7185550123</code></td><td>Row 6 has the unknown "
            'add/delete flag "X". Use A to add the number or D to delete it.</td>'
        ) in page
        assert not DncNumber.objects.filter(phone_number="+17185550123").exists()

    def test_it_lists_kept_numbers(self, admin_client, alice):
        DncNumber.objects.add("7185550121", by=alice, source=Source.MANUAL)
        DncNumber.objects.add("7185550122", by=alice, source=Source.API)
        content = b"D,(718) 555-0121\nD,718-555-0122\nA,7185550124\n"

        response = upload(admin_client, content, name="changes.txt", follow=True)

        page = html.unescape(response.content.decode())
        assert '<strong id="count-kept">2</strong>' in page
        kept = page.split('id="kept-rows"', 1)[1].split("</table>", 1)[0]
        assert kept.count("<tr><td>") == 2
        assert "<td>1</td><td><code>(718) 555-0121</code></td>" in kept
        assert "<td>2</td><td><code>718-555-0122</code></td>" in kept
        assert "+17185550122" in kept
        assert "Download the 2 rows below as CSV" in page
        assert 'id="report-rows"' not in page

    def test_kept_numbers_are_capped(self, admin_client, alice, monkeypatch):
        monkeypatch.setattr("dnc.import_views.SHOWN_REPORT_ROWS", 1)
        for number in ("7185550121", "7185550122", "7185550123"):
            DncNumber.objects.add(number, by=alice, source=Source.MANUAL)
        content = b"D,7185550121\nD,7185550122\nD,7185550123\n"

        response = upload(admin_client, content, name="changes.txt", follow=True)

        page = html.unescape(response.content.decode())
        kept = page.split('id="kept-rows"', 1)[1].split("</table>", 1)[0]
        assert kept.count("<tr><td>") == 1
        assert "The first 1 are shown; 2 more are in the CSV." in page

    def test_agent_gets_403(self, agent_client):
        dnc_import = DncImport.objects.create(file_name="x.csv")

        assert agent_client.get(self.detail_url(dnc_import)).status_code == 403

    def test_unknown_import_is_404(self, admin_client):
        response = admin_client.get(reverse("dnc:import-detail", args=[999999]))

        assert response.status_code == 404


@pytest.mark.django_db
class TestRowsCsv:
    def test_it_lists_rejected_and_repeated_rows(self, admin_client):
        upload(admin_client, b"phone\n2025550143\n=cmd|x\n2025550143\n")
        dnc_import = DncImport.objects.get()

        response = admin_client.get(reverse("dnc:import-rows", args=[dnc_import.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        body = b"".join(response.streaming_content).decode()
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["row", "value", "error"]
        assert [row[:2] for row in rows[1:]] == [
            ["3", "'=cmd|x"],
            ["4", "2025550143"],
        ]
        assert rows[2][2].startswith("Same number as row 2 (+12025550143).")

    def test_agent_gets_403(self, agent_client):
        dnc_import = DncImport.objects.create(file_name="x.csv")

        url = reverse("dnc:import-rows", args=[dnc_import.pk])
        assert agent_client.get(url).status_code == 403


@pytest.mark.django_db
class TestAuditLog:
    def test_it_shows_the_import(self, admin_client):
        upload(admin_client, b"2025550143\n2025550144\n2025550144\nx\n")
        dnc_import = DncImport.objects.get()
        entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORTED)

        page = admin_client.get(AUDIT_LOG).content.decode()

        assert entry.details["added"] == 2
        assert reverse("dnc:import-detail", args=[dnc_import.pk]) in page
        assert "list.csv" in page
        assert "rows read 4 · added 2 · repeated in the file 1 · rejected 1" in page

    def test_number_finds_the_import_that_added_it(self, admin_client):
        upload(admin_client, b"6465550136\n6465550137\n", name="registry.txt")
        upload(admin_client, b"6465550138\n", name="other.txt")
        dnc_import = DncImport.objects.get(file_name="registry.txt")

        response = admin_client.get(AUDIT_LOG, {"number": "(646) 555-0136"})

        page = html.unescape(response.content.decode())
        assert "No audit entry matches this filter." not in page
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        assert body.count("<tr>") == 1
        assert "registry.txt" in body
        assert "other.txt" not in body
        assert f"?dnc_import={dnc_import.pk}" in body
        assert "added (646) 555-0136" in body

    def test_number_keeps_its_own_entries(self, admin_client, alice):
        upload(admin_client, b"6465550136\n", name="registry.txt")
        DncNumber.objects.add("6465550136", by=alice, source=Source.MANUAL)
        DncNumber.objects.add("6465550137", by=alice, source=Source.MANUAL)

        response = admin_client.get(AUDIT_LOG, {"number": "6465550136"})

        page = html.unescape(response.content.decode())
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        assert body.count("<tr>") == 2
        assert "Add requested, already listed" in body
        assert "registry.txt" in body
        assert "+16465550137" not in body

    def test_number_not_listed_finds_no_import(self, admin_client):
        upload(admin_client, b"6465550136\n", name="registry.txt")

        response = admin_client.get(AUDIT_LOG, {"number": "6465550199"})

        assert "No audit entry matches this filter." in response.content.decode()

    def test_number_filter_adds_no_query(self, admin_client, django_assert_num_queries):
        upload(admin_client, b"6465550136\n", name="registry.txt")

        # The session, the user, the user's groups and the rows.
        with django_assert_num_queries(4):
            admin_client.get(AUDIT_LOG, {"number": "6465550136"})

    def test_csv_export_follows_the_number(self, admin_client):
        upload(admin_client, b"6465550136\n", name="registry.txt")

        response = admin_client.get(reverse("audit:export"), {"number": "6465550136"})

        content = b"".join(response.streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(content)))
        assert [(row["action"], row["note"]) for row in rows] == [
            ("imported", "registry.txt")
        ]
