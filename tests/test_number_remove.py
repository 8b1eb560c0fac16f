import html
import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from dnc.models import DncNumber, Source, is_listed

E164 = "+12025550143"
URL = reverse("dnc:remove", args=[E164])
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def listed(charlie) -> DncNumber:
    return DncNumber.objects.add(E164, by=charlie, source=Source.CALL_STATUS).number


def removals() -> list[tuple]:
    return list(
        AuditEntry.objects.filter(action="removed").values_list(
            "phone_number", "reason", "note", "user__username"
        )
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


class TestModal:
    def test_it_shows_the_warning_and_reasons(self, admin_client, listed):
        response = admin_client.get(URL)

        assert response.status_code == 200
        page = text(response)
        assert "Remove (202) 555-0143 from the DNC list?" in page
        assert "can break federal and state telemarketing rules" in page
        assert "Marked DNC by mistake after a call" in page
        assert 'value="other"' in page
        assert "Call status · added" in page
        assert "by charlie" in page
        assert "data-delete-button" in page

    def test_import_only_reason_is_not_offered(self, admin_client, listed):
        response = admin_client.get(URL)

        assert 'value="registry_deletion"' not in response.content.decode()

    def test_htmx_gets_only_the_form(self, admin_client, listed):
        response = admin_client.get(URL, **HTMX)

        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith("<form")
        assert "data-removal-form" in page

    def test_number_not_listed_is_404(self, admin_client):
        response = admin_client.get(URL)

        assert response.status_code == 404
        assert "(202) 555-0143 was already removed" in text(response)
        assert "or was never on it" in text(response)

    def test_htmx_for_number_not_listed_gets_a_toast(self, admin_client):
        response = admin_client.get(URL, **HTMX)

        assert response.status_code == 204
        events = json.loads(response["HX-Trigger"])
        assert events["toast"]["level"] == "warning"
        assert "(202) 555-0143 was already removed" in events["toast"]["message"]
        assert "dnc:changed" in events


class TestRemove:
    def test_it_removes_and_redirects(self, admin_client, listed):
        response = admin_client.post(
            URL, {"reason": "express_consent", "note": "signed form"}
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("dnc:list")
        assert is_listed(E164) is False
        assert removals() == [(E164, "express_consent", "signed form", "alice")]

    def test_redirect_shows_the_notice(self, admin_client, listed):
        response = admin_client.post(URL, {"reason": "added_mistake"}, follow=True)

        page = text(response)
        assert "(202) 555-0143 was removed from the DNC list" in page
        assert "The DNC list is empty." in page

    def test_htmx_gets_204_and_events(self, admin_client, listed):
        response = admin_client.post(URL, {"reason": "reassigned"}, **HTMX)

        assert response.status_code == 204
        events = json.loads(response["HX-Trigger"])
        assert "dnc:changed" in events
        assert events["toast"]["level"] == "success"
        assert "(202) 555-0143 was removed" in events["toast"]["message"]
        assert is_listed(E164) is False
        assert removals() == [(E164, "reassigned", "", "alice")]

    def test_other_with_note_is_accepted(self, admin_client, listed):
        response = admin_client.post(URL, {"reason": "other", "note": "test line"})

        assert response.status_code == 302
        assert removals() == [(E164, "other", "test line", "alice")]


class TestBadInput:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({}, "Pick a reason for removing the number."),
            ({"reason": ""}, "Pick a reason for removing the number."),
            ({"reason": "because"}, '"because" is not a listed reason'),
            (
                {"reason": "registry_deletion"},
                '"registry_deletion" is not a listed reason',
            ),
            ({"reason": "other"}, 'The reason "Other" needs a note'),
            ({"reason": "other", "note": "   "}, 'The reason "Other" needs a note'),
        ],
    )
    def test_it_keeps_the_number(self, admin_client, listed, data, expected):
        response = admin_client.post(URL, data)

        assert response.status_code == 422
        assert expected in text(response)
        assert is_listed(E164) is True
        assert removals() == []

    def test_htmx_gets_the_form_with_error(self, admin_client, listed):
        response = admin_client.post(URL, {"reason": "other"}, **HTMX)

        assert response.status_code == 422
        page = text(response)
        assert "<html" not in page
        assert page.strip().startswith("<form")
        assert 'The reason "Other" needs a note' in page
        assert '<option value="other" selected>' in page
        assert is_listed(E164) is True

    def test_long_note_is_rejected(self, admin_client, listed):
        response = admin_client.post(URL, {"reason": "other", "note": "x" * 501})

        assert response.status_code == 422
        assert "at most 500 characters" in text(response)
        assert "needs a note" not in text(response)
        assert is_listed(E164) is True


class TestNotListed:
    def test_it_says_already_removed(self, admin_client):
        response = admin_client.post(URL, {"reason": "added_mistake"}, follow=True)

        assert response.redirect_chain == [(reverse("dnc:list"), 302)]
        assert "(202) 555-0143 was already removed" in text(response)
        assert "or was never on it" in text(response)
        assert removals() == []

    def test_htmx_gets_a_warning_toast(self, admin_client):
        response = admin_client.post(URL, {"reason": "added_mistake"}, **HTMX)

        assert response.status_code == 204
        events = json.loads(response["HX-Trigger"])
        assert events["toast"]["level"] == "warning"
        assert "was already removed" in events["toast"]["message"]
        assert "dnc:changed" in events
        assert removals() == []

    def test_second_removal_by_another_admin(self, admin_client, charlie, listed):
        other = Client()
        other.force_login(charlie)
        other.post(URL, {"reason": "added_mistake"})

        response = admin_client.post(URL, {"reason": "reassigned"}, follow=True)

        assert "was already removed" in text(response)
        assert removals() == [(E164, "added_mistake", "", "charlie")]

    def test_htmx_bad_form_for_number_not_listed(self, admin_client):
        response = admin_client.post(URL, {"reason": ""}, **HTMX)

        assert response.status_code == 204
        toast = json.loads(response["HX-Trigger"])["toast"]
        assert "was already removed" in toast["message"]

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_invalid_number_in_url_is_404(self, admin_client, method):
        url = reverse("dnc:remove", args=["not-a-number"])

        response = getattr(admin_client, method)(url, {"reason": "added_mistake"})

        assert response.status_code == 404
        assert '"not-a-number"' in text(response)


class TestAccess:
    def test_agent_is_forbidden(self, agent_client, listed):
        get = agent_client.get(URL)
        post = agent_client.post(URL, {"reason": "added_mistake"})

        assert get.status_code == 403
        assert post.status_code == 403
        assert is_listed(E164) is True
        assert removals() == []

    def test_anonymous_goes_to_login(self, anon_client, listed):
        get = anon_client.get(URL)
        post = anon_client.post(URL, {"reason": "added_mistake"})

        assert get.status_code == 302
        assert get["Location"] == "/accounts/login/?next=/dnc/%2B12025550143/remove/"
        assert post.status_code == 302
        assert post["Location"].startswith("/accounts/login/")
        assert is_listed(E164) is True

    @pytest.mark.parametrize("method", ["put", "delete", "patch"])
    def test_other_methods_are_not_allowed(self, admin_client, listed, method):
        response = getattr(admin_client, method)(URL)

        assert response.status_code == 405
        assert is_listed(E164) is True

    def test_post_without_csrf_token_is_rejected(self, alice, listed):
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)

        response = client.post(URL, {"reason": "added_mistake"})

        assert response.status_code == 403
        assert is_listed(E164) is True
        assert removals() == []
