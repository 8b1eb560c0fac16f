"""The agent console: dial next, manual calls and the call status."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from campaigns.models import BlockedCall, Call, Campaign, Lead
from campaigns.testing import make_campaign, make_contact, make_lead
from dnc.models import DncNumber, Source
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CONSOLE_URL = reverse("campaigns:console")
# Both console forms post to the console, each with its action.
DIAL = {"action": "dial_next"}
MANUAL = {"action": "manual_call"}
REFUSED = (
    b"(415) 555-0100 is on the Do Not Call list, so the call was not placed. "
    b"Call another number."
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def call_url(call) -> str:
    return reverse("campaigns:call", args=[call.pk])


def number(line: int) -> str:
    return f"+1415555{line:04d}"


class TestConsole:
    def test_it_offers_active_campaigns_only(self, agent_client):
        make_campaign("Spring leads")
        make_campaign("Old leads", status=Campaign.Status.FINISHED)

        response = agent_client.get(CONSOLE_URL)

        assert response.status_code == 200
        assert b"Spring leads" in response.content
        assert b"Old leads" not in response.content

    def test_it_keeps_the_campaign_picked_before(self, agent_client):
        campaign = make_campaign("Spring leads")

        response = agent_client.get(CONSOLE_URL, {"campaign": campaign.pk})

        assert f'value="{campaign.pk}" selected'.encode() in response.content

    def test_admins_may_use_it(self, admin_client):
        assert admin_client.get(CONSOLE_URL).status_code == 200

    def test_it_lists_the_agents_calls_waiting_for_a_status(self, agent_client, bob):
        call = Call.objects.create(phone_number=number(100), agent=bob)

        response = agent_client.get(CONSOLE_URL)

        assert call_url(call).encode() in response.content

    def test_a_user_without_a_role_is_forbidden(self, db):
        client = client_for(make_user("eve", None))

        assert client.get(CONSOLE_URL).status_code == 403

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(CONSOLE_URL)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_both_forms_post_to_the_console(self, agent_client):
        response = agent_client.get(CONSOLE_URL)

        content = response.content.decode()
        assert content.count(f'action="{CONSOLE_URL}"') == 2
        assert 'name="action" value="dial_next"' in content
        assert 'name="action" value="manual_call"' in content

    def test_unknown_action_is_bad_request(self, agent_client):
        response = agent_client.post(CONSOLE_URL, {"action": "<hang_up>"})

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert b'Unknown console action "<hang_up>"' in response.content
        assert not Call.objects.exists()

    def test_post_without_action_is_bad_request(self, agent_client):
        response = agent_client.post(CONSOLE_URL, {"phone_number": number(100)})

        assert response.status_code == 400
        assert not Call.objects.exists()

    def test_put_is_not_allowed(self, agent_client):
        assert agent_client.put(CONSOLE_URL).status_code == 405


class TestDialNext:
    def test_it_opens_the_next_leads_call(self, agent_client, bob):
        campaign = make_campaign()
        contact = make_contact("Riley Example", number(101), company="Acme Roofing")
        make_lead(campaign, number(100), contact)

        response = agent_client.post(CONSOLE_URL, {**DIAL, "campaign": campaign.pk})

        call = Call.objects.get()
        assert response.status_code == 302
        assert response.url == call_url(call)
        assert (call.phone_number, call.agent, call.campaign) == (
            number(100),
            bob,
            campaign,
        )
        page = agent_client.get(response.url).content
        assert b"Riley Example" in page
        assert b"Acme Roofing" in page
        assert b"(415) 555-0100" in page
        # The contact's other number, for context.
        assert b"(415) 555-0101" in page

    def test_it_skips_a_listed_number(self, agent_client, alice):
        campaign = make_campaign()
        make_lead(campaign, number(100))
        make_lead(campaign, number(101))
        DncNumber.objects.add(number(100), by=alice, source=Source.MANUAL)

        agent_client.post(CONSOLE_URL, {**DIAL, "campaign": campaign.pk})

        assert Call.objects.get().phone_number == number(101)

    def test_it_says_when_no_lead_is_left(self, agent_client):
        campaign = make_campaign("Spring leads")

        response = agent_client.post(
            CONSOLE_URL, {**DIAL, "campaign": campaign.pk}, follow=True
        )

        assert b"No lead is left to dial in" in response.content
        assert not Call.objects.exists()

    def test_a_paused_campaign_is_refused(self, agent_client):
        campaign = make_campaign(status=Campaign.Status.PAUSED)
        make_lead(campaign, number(100))

        response = agent_client.post(CONSOLE_URL, {**DIAL, "campaign": campaign.pk})

        assert response.status_code == 422
        assert b"That campaign is not active any more" in response.content
        assert not Call.objects.exists()

    def test_a_missing_campaign_is_reported(self, agent_client):
        response = agent_client.post(CONSOLE_URL, DIAL)

        assert response.status_code == 422
        assert response.templates[0].name == "campaigns/console.html"
        assert b"Pick a campaign to dial." in response.content

    def test_a_user_without_a_role_is_forbidden(self, db):
        campaign = make_campaign()
        make_lead(campaign, number(100))
        client = client_for(make_user("eve", None))

        response = client.post(CONSOLE_URL, {**DIAL, "campaign": campaign.pk})

        assert response.status_code == 403
        assert not Call.objects.exists()

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.post(CONSOLE_URL, DIAL)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


class TestManualCall:
    def test_it_places_the_call(self, agent_client, bob):
        response = agent_client.post(
            CONSOLE_URL, {**MANUAL, "phone_number": "(415) 555-0100"}
        )

        call = Call.objects.get()
        assert response.url == call_url(call)
        assert (call.phone_number, call.agent, call.campaign) == (
            number(100),
            bob,
            None,
        )

    def test_it_links_the_only_contact_with_the_number(self, agent_client):
        contact = make_contact("Riley Example", number(100))

        agent_client.post(CONSOLE_URL, {**MANUAL, "phone_number": number(100)})

        assert Call.objects.get().contact == contact

    def test_a_listed_number_is_refused(self, agent_client, alice, bob):
        DncNumber.objects.add(number(100), by=alice, source=Source.MANUAL)

        response = agent_client.post(
            CONSOLE_URL, {**MANUAL, "phone_number": "415-555-0100"}
        )

        assert response.status_code == 422
        assert REFUSED in response.content
        assert b'value="415-555-0100"' in response.content
        assert not Call.objects.exists()
        assert BlockedCall.objects.get().agent == bob

    def test_an_invalid_number_is_reported_with_the_value_kept(self, agent_client):
        response = agent_client.post(CONSOLE_URL, {**MANUAL, "phone_number": "555-01"})

        assert response.status_code == 422
        assert b"Invalid phone number" in response.content
        assert b'value="555-01"' in response.content
        assert not Call.objects.exists()

    def test_an_empty_number_is_reported(self, agent_client):
        response = agent_client.post(CONSOLE_URL, {**MANUAL, "phone_number": ""})

        assert response.status_code == 422
        assert b"Enter the number to call." in response.content

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.post(
            CONSOLE_URL, {**MANUAL, "phone_number": number(100)}
        )

        assert response.status_code == 302
        assert not Call.objects.exists()

    def test_a_user_without_a_role_is_forbidden(self, db):
        client = client_for(make_user("eve", None))

        response = client.post(CONSOLE_URL, {**MANUAL, "phone_number": number(100)})

        assert response.status_code == 403
        assert not Call.objects.exists()


class TestCallStatus:
    def dial(self, agent, campaign=None, contact=None) -> Call:
        campaign = campaign or make_campaign()
        lead = make_lead(campaign, number(100), contact)
        return Call.objects.create(
            phone_number=number(100),
            agent=agent,
            campaign=campaign,
            contact=lead.phone_number.contact,
            lead=lead,
        )

    def test_it_saves_the_status(self, agent_client, bob):
        call = self.dial(bob)

        response = agent_client.post(call_url(call), {"status": "voicemail"})

        assert response.status_code == 302
        assert response.url == f"{CONSOLE_URL}?campaign={call.campaign_id}"
        call.refresh_from_db()
        assert call.status == Call.Status.VOICEMAIL
        assert call.ended_at is not None
        assert call.lead.status == Lead.Status.CALLED
        assert not DncNumber.objects.exists()

    def test_dnc_lists_only_the_number_dialled(self, agent_client, bob):
        contact = make_contact("Riley Example", number(101), number(102))
        call = self.dial(bob, contact=contact)

        response = agent_client.post(call_url(call), {"status": "dnc"}, follow=True)

        listed = DncNumber.objects.get()
        assert (listed.phone_number, listed.source, listed.added_by, listed.call) == (
            number(100),
            Source.CALL_STATUS,
            bob,
            call,
        )
        entry = AuditEntry.objects.get()
        assert (entry.call, entry.source) == (call, Source.CALL_STATUS)
        assert b"will be skipped in all campaigns" in response.content

    def test_dnc_blocks_every_contact_sharing_the_number(self, agent_client, bob):
        campaign, other = make_campaign("One"), make_campaign("Two")
        call = self.dial(bob, campaign)
        neighbour = make_contact("Jordan Example")
        shared = make_lead(other, number(100), neighbour)
        make_lead(other, number(103))

        agent_client.post(call_url(call), {"status": "dnc"})
        agent_client.post(CONSOLE_URL, {**DIAL, "campaign": other.pk})

        shared.refresh_from_db()
        assert shared.status == Lead.Status.SKIPPED_DNC
        assert Call.objects.filter(campaign=other).get().phone_number == number(103)

    def test_the_status_page_shows_the_dnc_notice(self, agent_client, bob):
        call = self.dial(bob)

        response = agent_client.get(call_url(call))

        assert response.status_code == 200
        assert b"skipped in all campaigns" in response.content

    def test_a_missing_status_is_reported(self, agent_client, bob):
        call = self.dial(bob)

        response = agent_client.post(call_url(call), {"status": ""})

        assert response.status_code == 422
        assert b"Pick the call status." in response.content

    def test_an_unknown_status_is_reported(self, agent_client, bob):
        call = self.dial(bob)

        response = agent_client.post(call_url(call), {"status": "hung_up"})

        assert response.status_code == 422
        call.refresh_from_db()
        assert call.status == ""

    def test_an_admin_may_set_it(self, admin_client, bob):
        call = self.dial(bob)

        admin_client.post(call_url(call), {"status": "answered"})

        call.refresh_from_db()
        assert call.status == Call.Status.ANSWERED

    def test_another_agent_is_forbidden(self, bob):
        call = self.dial(bob)
        client = client_for(make_user("dave", "Agents"))

        assert client.get(call_url(call)).status_code == 403
        assert client.post(call_url(call), {"status": "dnc"}).status_code == 403
        assert not DncNumber.objects.exists()

    def test_an_unknown_call_is_not_found(self, agent_client):
        assert agent_client.get("/campaigns/calls/999999/").status_code == 404

    def test_anonymous_goes_to_login(self, anon_client, bob):
        call = self.dial(bob)

        response = anon_client.post(call_url(call), {"status": "dnc"})

        assert response.status_code == 302
        assert not DncNumber.objects.exists()

    def test_put_is_not_allowed(self, agent_client, bob):
        assert agent_client.put(call_url(self.dial(bob))).status_code == 405
