import csv
import html
import io
import json
import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from dnc.models import DncImport, DncNumber, RemovalReason, Source
from dnc.pagination import PAGE_SIZE

URL = reverse("audit:log")
EXPORT_URL = reverse("audit:export")
HTMX = {"HTTP_HX_REQUEST": "true"}
E164 = "+12025550143"
OTHER = "+12125550100"


def make_entry(phone_number=E164, **fields) -> AuditEntry:
    fields = {"action": "added", "source": Source.MANUAL, **fields}
    return AuditEntry.objects.create(phone_number=phone_number, **fields)


def make_history(alice, charlie):
    """Write four entries: two additions, a repeated request and a removal."""
    DncNumber.objects.add(E164, by=charlie, source=Source.CALL_STATUS)
    DncNumber.objects.add(OTHER, by=alice, source=Source.MANUAL)
    DncNumber.objects.add(E164, by=alice, source=Source.MANUAL, note="again")
    DncNumber.objects.remove(
        OTHER, by=alice, reason=RemovalReason.EXPRESS_CONSENT, note="signed form"
    )


def shown_rows(response) -> list[tuple[str, str]]:
    """Return (action, E.164 number) for each table row, top to bottom."""
    page = html.unescape(response.content.decode())
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        if 'class="empty"' in row:
            continue
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        number = re.search(r"<code[^>]*>(.*?)</code>", cells[2])
        rows.append((cells[1].strip(), number.group(1) if number else ""))
    return rows


def text(response) -> str:
    return html.unescape(response.content.decode())


def csv_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


class TestPage:
    def test_it_shows_entries_newest_first(self, admin_client, alice, charlie):
        make_history(alice, charlie)

        response = admin_client.get(URL)

        assert response.status_code == 200
        assert shown_rows(response) == [
            ("Removed", OTHER),
            ("Add requested, already listed", E164),
            ("Added", OTHER),
            ("Added", E164),
        ]

    def test_removal_shows_reason_note_and_user(self, admin_client, alice, charlie):
        make_history(alice, charlie)

        page = text(admin_client.get(URL))

        assert "The person gave express written consent to be called" in page
        assert "signed form" in page
        assert "(212) 555-0100" in page
        assert "charlie" in page

    def test_empty_log_says_so(self, admin_client):
        response = admin_client.get(URL)

        assert shown_rows(response) == []
        assert "No audit entry matches this filter." in text(response)

    def test_note_is_escaped(self, admin_client):
        make_entry(note="<script>alert(1)</script>")

        page = admin_client.get(URL).content.decode()

        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_import_summary_links_to_its_entries(self, admin_client):
        dnc_import = DncImport.objects.create(file_name="<list>.csv")
        make_entry(
            phone_number="",
            action="imported",
            source=Source.IMPORT,
            dnc_import=dnc_import,
            details={"added": 3},
        )

        page = admin_client.get(URL).content.decode()

        assert f'href="?dnc_import={dnc_import.pk}"' in page
        assert "&lt;list&gt;.csv" in page
        assert "rows read" not in page
        assert "added 3" in page

    def test_htmx_gets_only_the_table(self, admin_client):
        make_entry()

        response = admin_client.get(URL, **HTMX)

        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page
        assert 'id="audit-filter"' not in page
        assert shown_rows(response) == [("Added", E164)]


class TestFilter:
    @pytest.mark.parametrize(
        "typed", ["(202) 555-0143", "+1 202-555-0143", "2025550143", "555-0143"]
    )
    def test_it_finds_a_number_in_any_format(self, admin_client, alice, charlie, typed):
        make_history(alice, charlie)

        response = admin_client.get(URL, {"number": typed})

        assert shown_rows(response) == [
            ("Add requested, already listed", E164),
            ("Added", E164),
        ]

    def test_it_filters_by_action(self, admin_client, alice, charlie):
        make_history(alice, charlie)

        response = admin_client.get(URL, {"action": "removed"})

        assert shown_rows(response) == [("Removed", OTHER)]
        assert '<option value="removed" selected>' in response.content.decode()

    def test_it_combines_number_and_action(self, admin_client, alice, charlie):
        make_history(alice, charlie)

        response = admin_client.get(URL, {"number": "2125550100", "action": "added"})

        assert shown_rows(response) == [("Added", OTHER)]

    def test_it_filters_by_import(self, admin_client):
        dnc_import = DncImport.objects.create(file_name="list.csv")
        make_entry(E164, source=Source.IMPORT, dnc_import=dnc_import)
        make_entry(OTHER)

        response = admin_client.get(URL, {"dnc_import": dnc_import.pk})

        assert shown_rows(response) == [("Added", E164)]

    def test_text_without_digits_matches_nothing(self, admin_client):
        make_entry()

        response = admin_client.get(URL, {"number": "smith"})

        assert shown_rows(response) == []

    def test_unknown_action_is_reported(self, admin_client):
        make_entry()

        response = admin_client.get(URL, {"action": "edited"})

        assert response.status_code == 200
        assert shown_rows(response) == []
        assert '"edited" is not an audit action' in text(response)

    def test_typed_number_is_kept_and_escaped(self, admin_client):
        response = admin_client.get(URL, {"number": '"><b>202'})

        assert 'value="&quot;&gt;&lt;b&gt;202"' in response.content.decode()


class TestPagination:
    def test_it_shows_fifty_per_page(self, admin_client):
        for _ in range(PAGE_SIZE + 1):
            make_entry()
        make_entry(OTHER)

        first = admin_client.get(URL)
        second = admin_client.get(URL, {"page": 2})

        assert len(shown_rows(first)) == PAGE_SIZE
        assert shown_rows(first)[0] == ("Added", OTHER)
        assert "Older →" in first.content.decode()
        assert len(shown_rows(second)) == 2
        assert "← Newer" in second.content.decode()
        assert "Older →" not in second.content.decode()

    def test_huge_page_is_empty(self, admin_client):
        make_entry()

        response = admin_client.get(URL, {"page": "9" * 25})

        assert response.status_code == 200
        assert shown_rows(response) == []

    def test_pages_keep_the_filter(self, admin_client):
        for _ in range(PAGE_SIZE + 1):
            make_entry()

        response = admin_client.get(URL, {"action": "added"})

        assert 'href="?action=added&amp;page=2"' in response.content.decode()

    @pytest.mark.parametrize("rows", [5, PAGE_SIZE + 5])
    def test_query_count_is_fixed(
        self, admin_client, alice, django_assert_num_queries, rows
    ):
        for _ in range(rows):
            make_entry(user=alice)

        # The session, the user, the user's groups and the rows.
        with django_assert_num_queries(4):
            response = admin_client.get(URL)

        assert len(shown_rows(response)) == min(rows, PAGE_SIZE)


class TestExport:
    def test_it_downloads_every_entry(self, admin_client, alice, charlie):
        make_history(alice, charlie)

        response = admin_client.get(EXPORT_URL)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv"
        assert "attachment" in response["Content-Disposition"]
        assert 'filename="dnc-audit-log.csv"' in response["Content-Disposition"]
        rows = csv_rows(response)
        assert [(r["action"], r["phone_number"]) for r in rows] == [
            ("removed", OTHER),
            ("already_listed", E164),
            ("added", OTHER),
            ("added", E164),
        ]
        removal = rows[0]
        assert removal["reason"] == "express_consent"
        assert removal["note"] == "signed form"
        assert removal["user"] == "alice"
        assert removal["source"] == "manual"
        assert removal["created_at"].startswith("20")

    def test_it_follows_the_filter(self, admin_client, alice, charlie):
        make_history(alice, charlie)

        response = admin_client.get(
            EXPORT_URL, {"number": "(202) 555-0143", "action": "already_listed"}
        )

        rows = csv_rows(response)
        assert [(r["action"], r["phone_number"], r["note"]) for r in rows] == [
            ("already_listed", E164, "again")
        ]

    def test_it_is_not_paginated(self, admin_client):
        for _ in range(PAGE_SIZE + 10):
            make_entry()

        response = admin_client.get(EXPORT_URL, {"page": 2})

        assert len(csv_rows(response)) == PAGE_SIZE + 10

    def test_bad_filter_exports_no_rows(self, admin_client):
        make_entry()

        response = admin_client.get(EXPORT_URL, {"action": "edited"})

        content = b"".join(response.streaming_content).decode()
        assert content.splitlines()[0].startswith("created_at,action,phone_number")
        assert len(content.splitlines()) == 1

    def test_formula_cells_are_defused(self, admin_client):
        make_entry(note='=HYPERLINK("http://x")')
        make_entry(note="@SUM(A1)")

        rows = csv_rows(admin_client.get(EXPORT_URL))

        assert [r["note"] for r in rows] == ["'@SUM(A1)", '\'=HYPERLINK("http://x")']

    def test_import_counts_are_json(self, admin_client):
        make_entry(
            phone_number="",
            action="imported",
            source=Source.IMPORT,
            details={"added": 3, "rejected": 1},
        )

        rows = csv_rows(admin_client.get(EXPORT_URL))

        assert json.loads(rows[0]["details"]) == {"added": 3, "rejected": 1}

    def test_page_link_carries_the_filter(self, admin_client):
        response = admin_client.get(URL, {"action": "removed", "page": 3}, **HTMX)

        page = response.content.decode()
        assert f'href="{EXPORT_URL}?action=removed"' in page


class TestAccess:
    @pytest.mark.parametrize("url", [URL, EXPORT_URL])
    def test_agent_is_forbidden(self, agent_client, url):
        make_entry()

        response = agent_client.get(url)

        assert response.status_code == 403
        assert E164 not in response.content.decode()

    @pytest.mark.parametrize("url", [URL, EXPORT_URL])
    def test_anonymous_goes_to_login(self, db, anon_client, url):
        response = anon_client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"

    @pytest.mark.parametrize("url", [URL, EXPORT_URL])
    @pytest.mark.parametrize("method", ["post", "put", "delete"])
    def test_other_methods_are_not_allowed(self, admin_client, url, method):
        make_entry()

        response = getattr(admin_client, method)(url)

        assert response.status_code == 405
        assert AuditEntry.objects.count() == 1
