"""Contacts on the DNC pages: the add modal's picker and the owners column."""

import pytest
from django.urls import reverse

from campaigns.testing import make_contact
from dnc.models import DncNumber, Source
from dnc.pagination import PAGE_SIZE

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("campaigns:contact_search")
LIST_URL = reverse("dnc:list")


class TestContactSearch:
    def test_it_finds_contacts_by_name_with_their_numbers(self, admin_client):
        make_contact("Riley Example", "+16465550140", "+16465550141")
        make_contact("Jordan Example", "+16465550142")

        response = admin_client.get(SEARCH_URL, {"q": "riley"})

        assert response.status_code == 200
        content = response.content.decode()
        assert "Riley Example" in content
        assert 'data-number="+16465550140"' in content
        assert 'data-number="+16465550141"' in content
        assert "Jordan Example" not in content

    def test_it_finds_contacts_by_company(self, admin_client):
        make_contact("Riley Example", "+16465550140", company="Acme Roofing")

        response = admin_client.get(SEARCH_URL, {"q": "acme"})

        assert b"Riley Example" in response.content

    def test_it_says_when_nothing_matches(self, admin_client):
        response = admin_client.get(SEARCH_URL, {"q": "nobody"})

        assert b"No contact matches" in response.content

    def test_a_single_letter_searches_nothing(self, admin_client):
        make_contact("Riley Example", "+16465550140")

        response = admin_client.get(SEARCH_URL, {"q": "r"})

        assert b"Riley" not in response.content

    def test_agent_is_forbidden(self, agent_client):
        assert agent_client.get(SEARCH_URL, {"q": "riley"}).status_code == 403

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(SEARCH_URL, {"q": "riley"})

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_post_is_not_allowed(self, admin_client):
        assert admin_client.post(SEARCH_URL).status_code == 405


class TestAddModalPicker:
    def test_the_add_form_offers_the_contact_search(self, admin_client):
        response = admin_client.get(reverse("dnc:add"), headers={"HX-Request": "true"})

        assert SEARCH_URL.encode() in response.content

    def test_only_the_picked_number_is_listed(self, admin_client):
        make_contact("Riley Example", "+16465550140", "+16465550141")

        admin_client.post(
            reverse("dnc:add"), {"phone_number": "+16465550141", "q": "riley"}
        )

        assert list(DncNumber.objects.values_list("phone_number", flat=True)) == [
            "+16465550141"
        ]


class TestOwnersOnTheDncList:
    def test_a_row_shows_the_contacts_owning_the_number(self, admin_client, alice):
        make_contact("Riley Example", "+16465550141", company="Acme Roofing")
        make_contact("Jordan Example", "+16465550141")
        DncNumber.objects.add("+16465550141", by=alice, source=Source.MANUAL)

        response = admin_client.get(LIST_URL)

        [row] = response.context["page"].rows
        assert row.owners == [
            {"name": "Jordan Example", "company": ""},
            {"name": "Riley Example", "company": "Acme Roofing"},
        ]
        assert b"Riley Example" in response.content

    def test_a_number_without_contacts_shows_none(self, admin_client, alice):
        DncNumber.objects.add("+16465550141", by=alice, source=Source.MANUAL)

        response = admin_client.get(LIST_URL)

        assert response.context["page"].rows[0].owners == []

    @pytest.mark.parametrize("rows", [3, PAGE_SIZE + 3])
    def test_owners_add_no_query(
        self, admin_client, django_assert_num_queries, alice, rows
    ):
        for line in range(100, 100 + rows):
            number = f"+1646555{line:04d}"
            make_contact(f"Contact {line}", number)
            DncNumber.objects.add(number, by=alice, source=Source.MANUAL)

        # The session, the user, the user's groups and the rows with owners.
        with django_assert_num_queries(4):
            response = admin_client.get(LIST_URL)

        assert all(row.owners for row in response.context["page"].rows)
