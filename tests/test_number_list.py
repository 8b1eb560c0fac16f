import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from campaigns.models import Contact
from dnc.models import DncNumber, Source
from dnc.pagination import PAGE_SIZE

URL = reverse("dnc:list")
HTMX = {"HTTP_HX_REQUEST": "true"}
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_number(e164: str, *, source=Source.MANUAL, by=None, minutes=0, note=""):
    """List a number with a fixed `added_at`, `minutes` after START."""
    listed = DncNumber.objects.create(
        phone_number=e164, source=source, added_by=by, note=note
    )
    DncNumber.objects.filter(pk=listed.pk).update(
        added_at=START + timedelta(minutes=minutes)
    )
    return listed


def make_numbers(count: int, first: int = 100, **fields) -> list[str]:
    """List +12025550100 and the numbers after it, each a minute newer."""
    numbers = [f"+1202555{first + i:04d}" for i in range(count)]
    for offset, e164 in enumerate(numbers):
        make_number(e164, minutes=first + offset, **fields)
    return numbers


def shown_numbers(response) -> list[str]:
    """Return the E.164 numbers of the table rows, top to bottom."""
    return re.findall(r'<code class="muted">(\+\d+)</code>', response.content.decode())


def text(response) -> str:
    return html.unescape(response.content.decode())


class TestPage:
    def test_it_shows_numbers_newest_first(self, admin_client, charlie):
        make_number("+12025550143", by=charlie, minutes=0, note="older")
        make_number("+442079460958", source=Source.IMPORT, minutes=5)

        response = admin_client.get(URL)

        assert response.status_code == 200
        assert shown_numbers(response) == ["+442079460958", "+12025550143"]
        page = text(response)
        assert "(202) 555-0143" in page
        assert "+44 20 7946 0958" in page
        assert "charlie" in page
        assert "older" in page
        assert "Mar 1, 2025 12:05" in page

    def test_empty_list_says_so(self, admin_client):
        response = admin_client.get(URL)

        assert response.status_code == 200
        assert "The DNC list is empty." in text(response)

    def test_rows_link_to_the_removal_form(self, admin_client):
        make_number("+12025550143")

        page = admin_client.get(URL).content.decode()

        assert 'href="/dnc/+12025550143/remove/"' in page

    def test_htmx_gets_only_the_table(self, admin_client):
        make_number("+12025550143")

        response = admin_client.get(URL, **HTMX)

        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page
        assert 'id="search-form"' not in page
        assert '<table class="grid">' in page
        assert shown_numbers(response) == ["+12025550143"]

    def test_boosted_request_gets_the_page(self, admin_client):
        response = admin_client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")

        assert "<html" in response.content.decode()

    def test_note_is_escaped(self, admin_client):
        make_number("+12025550143", note="<script>alert(1)</script>")

        page = admin_client.get(URL).content.decode()

        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


class TestSearch:
    @pytest.mark.parametrize(
        "typed",
        ["(202) 555-0143", "+1 202-555-0143", "2025550143", "+12025550143"],
    )
    def test_it_finds_any_format(self, admin_client, typed):
        make_number("+12025550143")
        make_number("+12025550199")

        response = admin_client.get(URL, {"q": typed})

        assert shown_numbers(response) == ["+12025550143"]

    def test_it_finds_a_run_of_digits(self, admin_client):
        make_number("+12025550143", minutes=1)
        make_number("+12025550149", minutes=2)
        make_number("+12125550100", minutes=3)

        response = admin_client.get(URL, {"q": "555014"})

        assert shown_numbers(response) == ["+12025550149", "+12025550143"]

    def test_digits_with_punctuation_are_a_run(self, admin_client):
        make_number("+12025550143")
        make_number("+12125550100")

        response = admin_client.get(URL, {"q": "555-014"})

        assert shown_numbers(response) == ["+12025550143"]

    def test_no_match_says_so(self, admin_client):
        make_number("+12025550143")

        response = admin_client.get(URL, {"q": "(303) 555-0100"})

        assert shown_numbers(response) == []
        assert "No listed number matches this search." in text(response)

    def test_text_without_digits_matches_nothing(self, admin_client):
        make_number("+12025550143")

        response = admin_client.get(URL, {"q": "smith"})

        assert shown_numbers(response) == []

    def test_search_is_kept_in_the_box(self, admin_client):
        response = admin_client.get(URL, {"q": '<b>"202"</b>'})

        page = response.content.decode()
        assert 'value="&lt;b&gt;&quot;202&quot;&lt;/b&gt;"' in page

    def test_it_filters_by_source(self, admin_client):
        make_number("+12025550143", source=Source.MANUAL, minutes=1)
        make_number("+12025550144", source=Source.IMPORT, minutes=2)
        make_number("+12025550145", source=Source.CALL_STATUS, minutes=3)

        response = admin_client.get(URL, {"source": "import"})

        assert shown_numbers(response) == ["+12025550144"]
        assert '<option value="import" selected>' in response.content.decode()

    def test_it_combines_search_and_source(self, admin_client):
        make_number("+12025550143", source=Source.MANUAL)
        make_number("+12025550144", source=Source.IMPORT)

        response = admin_client.get(URL, {"q": "555014", "source": "manual"})

        assert shown_numbers(response) == ["+12025550143"]

    def test_unknown_source_is_reported(self, admin_client):
        make_number("+12025550143")

        response = admin_client.get(URL, {"source": "fax"})

        assert response.status_code == 200
        assert shown_numbers(response) == []
        assert '"fax" is not a source. Pick one from the list.' in text(response)

    def test_overlong_search_is_reported(self, admin_client):
        make_number("+12025550143")
        typed = "2" * 65

        response = admin_client.get(URL, {"q": typed}, **HTMX)

        assert shown_numbers(response) == []
        assert "The search has 65 characters, more than the 64" in text(response)

    def test_overlong_search_is_kept_in_the_box(self, admin_client):
        typed = "2" * 65

        response = admin_client.get(URL, {"q": typed})

        assert f'value="{typed}"' in response.content.decode()

    def test_htmx_search_gets_the_table(self, admin_client):
        make_number("+12025550143")
        make_number("+12025550199")

        response = admin_client.get(URL, {"q": "0199"}, **HTMX)

        assert "<html" not in response.content.decode()
        assert shown_numbers(response) == ["+12025550199"]


class TestPagination:
    def test_first_page_has_fifty_newest(self, admin_client):
        numbers = make_numbers(PAGE_SIZE + 1)

        response = admin_client.get(URL)

        assert PAGE_SIZE == 50
        assert shown_numbers(response) == numbers[::-1][:PAGE_SIZE]
        page = response.content.decode()
        assert "Older →" in page
        assert "← Newer" not in page
        assert 'href="?page=2"' in page

    def test_second_page_has_the_rest(self, admin_client):
        numbers = make_numbers(PAGE_SIZE + 1)

        response = admin_client.get(URL, {"page": "2"})

        assert shown_numbers(response) == [numbers[0]]
        page = response.content.decode()
        assert "← Newer" in page
        assert "Older →" not in page

    def test_pages_keep_the_search(self, admin_client):
        make_numbers(PAGE_SIZE + 1, source=Source.IMPORT)

        response = admin_client.get(URL, {"source": "import"})

        assert 'href="?source=import&amp;page=2"' in response.content.decode()

    @pytest.mark.parametrize("page", ["abc", "0", "-3", ""])
    def test_bad_page_shows_the_first(self, admin_client, page):
        numbers = make_numbers(3)

        response = admin_client.get(URL, {"page": page})

        assert response.status_code == 200
        assert shown_numbers(response) == numbers[::-1]

    @pytest.mark.parametrize("page", ["9", "99999999999999999999999"])
    def test_page_past_the_end_is_empty(self, admin_client, page):
        make_numbers(3)

        response = admin_client.get(URL, {"page": page})

        assert response.status_code == 200
        assert shown_numbers(response) == []
        assert "← Newer" in response.content.decode()


class TestQueryCount:
    # The session, the user, the user's groups and the rows. There is no
    # count(*) and no query per row, however many rows the page shows.
    QUERIES = 4

    @pytest.mark.parametrize("rows", [5, PAGE_SIZE + 5])
    def test_it_is_fixed(self, admin_client, django_assert_num_queries, rows):
        make_numbers(rows)

        with django_assert_num_queries(self.QUERIES):
            response = admin_client.get(URL)

        assert len(shown_numbers(response)) == min(rows, PAGE_SIZE)

    def test_rows_with_users_add_none(
        self, admin_client, django_assert_num_queries, alice, charlie
    ):
        make_numbers(3, by=alice)
        make_numbers(3, first=105, by=charlie)

        with django_assert_num_queries(self.QUERIES):
            admin_client.get(URL, {"q": "555010"})

    def test_rows_with_contacts_add_none(self, admin_client, django_assert_num_queries):
        numbers = make_numbers(6)
        for index, e164 in enumerate(numbers):
            contact = Contact.objects.create(name=f"<Owner {index}>")
            contact.phone_numbers.create(number=e164)

        with django_assert_num_queries(self.QUERIES):
            response = admin_client.get(URL)

        page = response.content.decode()
        assert "&lt;Owner 5&gt;" in page
        assert "&lt;Owner 0&gt;" in page


class TestAccess:
    def test_agent_is_forbidden(self, agent_client):
        response = agent_client.get(URL)

        assert response.status_code == 403
        assert "You do not have access to this page" in text(response)

    def test_anonymous_goes_to_login(self, db, anon_client):
        response = anon_client.get(URL, {"q": "202"})

        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/dnc/%3Fq%3D202"

    @pytest.mark.parametrize("method", ["post", "put", "delete"])
    def test_other_methods_are_not_allowed(self, admin_client, method):
        response = getattr(admin_client, method)(URL)

        assert response.status_code == 405
