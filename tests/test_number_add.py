import html
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat
from django.utils.timezone import localtime

from audit.models import AuditEntry
from dnc.models import DncNumber, Source

URL = reverse("dnc:add")
E164 = "+12025550143"
HTMX = {"HTTP_HX_REQUEST": "true"}


def listed_numbers() -> list[str]:
    return list(DncNumber.objects.values_list("phone_number", flat=True))


def triggers(response) -> dict:
    return json.loads(response["HX-Trigger"])


class TestForm:
    def test_it_shows_the_form(self, admin_client):
        response = admin_client.get(URL)

        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" in page
        assert 'name="phone_number"' in page
        assert "skipped in all your campaigns" in page

    def test_htmx_gets_only_the_form(self, admin_client):
        response = admin_client.get(URL, **HTMX)

        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith("<form")
        assert 'name="phone_number"' in page


class TestAdd:
    def test_it_adds_and_redirects(self, admin_client, alice):
        response = admin_client.post(
            URL, {"phone_number": "(202) 555-0143", "note": "asked by letter"}
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("dnc:list")
        listed = DncNumber.objects.get()
        assert listed.phone_number == E164
        assert listed.source == Source.MANUAL
        assert listed.added_by == alice
        assert listed.note == "asked by letter"
        entry = AuditEntry.objects.get()
        assert entry.action == "added"
        assert entry.user == alice

    def test_redirect_shows_the_notice(self, admin_client):
        response = admin_client.post(URL, {"phone_number": "2025550143"}, follow=True)

        page = response.content.decode()
        assert "(202) 555-0143 is now on the DNC list" in page
        assert "skipped in all your campaigns" in page

    def test_htmx_gets_204_and_events(self, admin_client):
        response = admin_client.post(URL, {"phone_number": "2025550143"}, **HTMX)

        assert response.status_code == 204
        assert response.content == b""
        events = triggers(response)
        assert "dnc:changed" in events
        assert events["toast"]["level"] == "success"
        assert "(202) 555-0143 is now on the DNC list" in events["toast"]["message"]
        assert "skipped in all your campaigns" in events["toast"]["message"]
        assert listed_numbers() == [E164]


class TestAlreadyListed:
    def test_it_keeps_the_row_and_says_since_when(self, admin_client, charlie):
        first = DncNumber.objects.add(E164, by=charlie, source=Source.CALL_STATUS)

        response = admin_client.post(URL, {"phone_number": "+1 202 555 0143"}, **HTMX)

        assert response.status_code == 204
        toast = triggers(response)["toast"]
        assert toast["level"] == "info"
        assert "(202) 555-0143 is already on the DNC list" in toast["message"]
        added_on = dateformat.format(localtime(first.number.added_at), "N j, Y")
        assert f"since {added_on}" in toast["message"]
        assert "added by charlie" in toast["message"]
        listed = DncNumber.objects.get()
        assert listed.added_by == charlie
        assert listed.source == Source.CALL_STATUS
        actions = list(
            AuditEntry.objects.order_by("id").values_list("action", "user__username")
        )
        assert actions == [("added", "charlie"), ("already_listed", "alice")]

    def test_number_without_user_names_its_source(self, admin_client):
        DncNumber.objects.add(E164, by=None, source=Source.API)

        response = admin_client.post(URL, {"phone_number": E164}, follow=True)

        page = response.content.decode()
        assert "is already on the DNC list" in page
        assert "source: API" in page
        assert "an import" not in page


class TestBadInput:
    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("202-555-014", "too few digits"),
            ("+2025550143", "not a valid number for country code +20"),
            ("call me maybe", "contains no digits"),
        ],
    )
    def test_invalid_number_is_shown_in_form(self, admin_client, typed, expected):
        response = admin_client.post(URL, {"phone_number": typed})

        assert response.status_code == 422
        page = response.content.decode()
        assert expected in html.unescape(page)
        assert f'value="{typed}"' in page
        assert listed_numbers() == []
        assert AuditEntry.objects.count() == 0

    def test_htmx_gets_the_form_with_error(self, admin_client):
        response = admin_client.post(URL, {"phone_number": "202-555-014"}, **HTMX)

        assert response.status_code == 422
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith("<form")
        assert 'Invalid phone number "202-555-014"' in html.unescape(page)
        assert 'value="202-555-014"' in page
        assert 'aria-invalid="true"' in page
        assert "HX-Trigger" not in response
        assert listed_numbers() == []

    def test_missing_number_is_rejected(self, admin_client):
        response = admin_client.post(URL, {"phone_number": "  ", "note": "kept"})

        assert response.status_code == 422
        page = response.content.decode()
        assert "Enter the phone number to add." in page
        assert ">kept</textarea>" in page
        assert listed_numbers() == []

    def test_empty_post_is_rejected(self, admin_client):
        response = admin_client.post(URL, {})

        assert response.status_code == 422
        assert "Enter the phone number to add." in response.content.decode()
        assert listed_numbers() == []

    def test_long_note_is_rejected(self, admin_client):
        response = admin_client.post(URL, {"phone_number": E164, "note": "x" * 501})

        assert response.status_code == 422
        assert "at most 500 characters" in response.content.decode()
        assert listed_numbers() == []

    def test_typed_value_is_escaped(self, admin_client):
        typed = '"><script>alert(1)</script>'

        response = admin_client.post(URL, {"phone_number": typed})

        page = response.content.decode()
        assert response.status_code == 422
        assert "<script>alert(1)" not in page
        assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


class TestAccess:
    def test_agent_is_forbidden(self, agent_client):
        get = agent_client.get(URL)
        post = agent_client.post(URL, {"phone_number": E164})

        assert get.status_code == 403
        assert post.status_code == 403
        assert listed_numbers() == []

    def test_anonymous_goes_to_login(self, db, anon_client):
        get = anon_client.get(URL)
        post = anon_client.post(URL, {"phone_number": E164})

        assert get.status_code == 302
        assert get["Location"] == f"/accounts/login/?next={URL}"
        assert post.status_code == 302
        assert post["Location"].startswith("/accounts/login/")
        assert listed_numbers() == []

    @pytest.mark.parametrize("method", ["put", "delete", "patch"])
    def test_other_methods_are_not_allowed(self, admin_client, method):
        response = getattr(admin_client, method)(URL)

        assert response.status_code == 405
        assert listed_numbers() == []

    def test_post_without_csrf_token_is_rejected(self, alice):
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)

        response = client.post(URL, {"phone_number": E164})

        assert response.status_code == 403
        assert listed_numbers() == []

    def test_post_with_csrf_token_is_accepted(self, alice):
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        client.get(URL)
        token = client.cookies["csrftoken"].value

        response = client.post(URL, {"phone_number": E164}, HTTP_X_CSRFTOKEN=token)

        assert response.status_code == 302
        assert listed_numbers() == [E164]


class TestEscaping:
    def test_note_is_escaped_on_the_list(self, admin_client):
        admin_client.post(
            URL, {"phone_number": E164, "note": "<script>alert('x')</script>"}
        )

        page = admin_client.get(reverse("dnc:list")).content.decode()

        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
