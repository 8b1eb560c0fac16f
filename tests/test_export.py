import csv
import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from dnc.exporter import COLUMNS
from dnc.importer import import_file
from dnc.models import DncNumber, Source

URL = reverse("dnc:export")


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def download(client, query="") -> tuple:
    response = client.get(URL + query)
    return response, b"".join(response.streaming_content).decode()


@pytest.fixture
def numbers(alice):
    DncNumber.objects.add(
        "2025550143", by=alice, source=Source.MANUAL, note="by letter"
    )
    DncNumber.objects.add("2025550144", by=None, source=Source.CALL_STATUS)
    DncNumber.objects.add(
        "+44 20 7946 0958", by=alice, source=Source.API, note="=HYPERLINK(1)"
    )


@pytest.mark.django_db
class TestDownload:
    def test_it_streams_every_number(self, admin_client, numbers):
        response, body = download(admin_client)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment; filename=" in response["Content-Disposition"]
        rows = read_csv(body)
        assert list(rows[0]) == COLUMNS
        assert [row["phone_number"] for row in rows] == [
            "+442079460958",
            "+12025550144",
            "+12025550143",
        ]
        by_number = {row["phone_number"]: row for row in rows}
        assert by_number["+12025550143"]["source"] == "manual"
        assert by_number["+12025550143"]["added_by"] == "alice"
        assert by_number["+12025550143"]["note"] == "by letter"
        assert by_number["+12025550144"]["added_by"] == ""
        listed = DncNumber.objects.get(phone_number="+12025550143")
        added_at = datetime.fromisoformat(by_number["+12025550143"]["added_at"])
        assert added_at == listed.added_at

    def test_formula_in_note_is_neutralised(self, admin_client, numbers):
        _, body = download(admin_client)

        row = read_csv(body)[0]
        assert row["note"] == "'=HYPERLINK(1)"

    def test_search_and_source_narrow_it(self, admin_client, numbers):
        _, by_source = download(admin_client, "?source=call_status")
        _, by_digits = download(admin_client, "?q=555014")
        _, by_number = download(admin_client, "?q=(202)+555-0143")

        assert [row["phone_number"] for row in read_csv(by_source)] == ["+12025550144"]
        assert {row["phone_number"] for row in read_csv(by_digits)} == {
            "+12025550143",
            "+12025550144",
        }
        assert [row["phone_number"] for row in read_csv(by_number)] == ["+12025550143"]

    def test_invalid_search_exports_nothing(self, admin_client, numbers):
        response = admin_client.get(URL + "?source=bogus")

        assert response.status_code == 400
        assert "bogus" in response.content.decode()
        assert "+12025550143" not in response.content.decode()

    def test_empty_list_has_header_only(self, admin_client):
        _, body = download(admin_client)

        assert body == ",".join(COLUMNS) + "\r\n"

    def test_list_page_links_to_it_with_search(self, admin_client, numbers):
        page = admin_client.get(reverse("dnc:list") + "?q=555&source=manual")

        assert f'href="{URL}?q=555&amp;source=manual"' in page.content.decode()

    def test_search_updates_the_link(self, admin_client):
        url = reverse("dnc:list") + "?q=555"

        page = admin_client.get(url, HTTP_HX_REQUEST="true").content.decode()

        assert 'id="dnc-export" hx-swap-oob="true"' in page
        assert f'href="{URL}?q=555"' in page

    def test_agent_gets_403(self, agent_client):
        assert agent_client.get(URL).status_code == 403

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(URL)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_post_is_not_allowed(self, admin_client):
        assert admin_client.post(URL).status_code == 405


@pytest.mark.django_db
class TestExportCommand:
    def test_it_writes_stdout(self, numbers):
        out = io.StringIO()

        call_command("export_dnc", stdout=out)

        rows = read_csv(out.getvalue())
        assert len(rows) == 3
        assert list(rows[0]) == COLUMNS

    def test_it_writes_a_file(self, numbers, tmp_path):
        path = tmp_path / "dnc.csv"

        call_command("export_dnc", "--output", str(path), "--source", "manual")

        rows = read_csv(path.read_text())
        assert [row["phone_number"] for row in rows] == ["+12025550143"]

    def test_query(self, numbers):
        out = io.StringIO()

        call_command("export_dnc", "--query", "+44 20 7946 0958", stdout=out)

        assert [row["phone_number"] for row in read_csv(out.getvalue())] == [
            "+442079460958"
        ]

    def test_round_trip(self, numbers, tmp_path, alice):
        for n in range(300):
            DncNumber.objects.add(f"+1646555{n:04d}", by=None, source=Source.IMPORT)
        before = set(DncNumber.objects.values_list("phone_number", flat=True))
        path = tmp_path / "dnc.csv"
        call_command("export_dnc", "--output", str(path))

        DncNumber.objects.all().delete()
        report = import_file(path, by=alice, file_name=path.name)

        after = set(DncNumber.objects.values_list("phone_number", flat=True))
        assert after == before
        assert report.added == len(before)
        assert report.rejected == 0
        assert '"phone_number"' in report.layout
