"""The admins' campaign pages: list, create, detail, status, Add to DNC."""

import pytest
from django.urls import reverse

from campaigns.dialer import next_lead
from campaigns.models import BlockedCall, Campaign, Lead
from campaigns.testing import make_campaign, make_contact, make_lead
from dnc.models import DncNumber, Source
from dnc.pagination import PAGE_SIZE

pytestmark = pytest.mark.django_db

LIST_URL = reverse("campaigns:list")
CREATE_URL = reverse("campaigns:create")


def detail_url(campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.pk])


def number(line: int) -> str:
    return f"+1415555{line:04d}"


def make_leads(campaign, count: int, first: int = 100) -> list[Lead]:
    return [make_lead(campaign, number(line)) for line in range(first, first + count)]


class TestCampaignList:
    def test_it_shows_counts_per_status(self, admin_client, bob):
        campaign = make_campaign("Spring leads")
        leads = make_leads(campaign, 5)
        Lead.objects.filter(pk__in=[leads[0].pk, leads[1].pk]).update(
            status=Lead.Status.SKIPPED_DNC
        )
        Lead.objects.filter(pk=leads[2].pk).update(status=Lead.Status.CALLED)
        BlockedCall.objects.create(phone_number=number(100), campaign=campaign)
        make_campaign("Empty")

        response = admin_client.get(LIST_URL)

        assert response.status_code == 200
        [shown] = [c for c in response.context["campaigns"] if c.pk == campaign.pk]
        assert shown.pending == 2
        assert shown.called == 1
        assert shown.skipped_dnc == 2
        assert shown.pending_listed == 0
        assert shown.blocked == 1
        assert b"Spring leads" in response.content
        assert b"Empty" in response.content

    def test_it_counts_pending_leads_on_the_dnc_list(self, admin_client, alice):
        campaign = make_campaign("Spring leads")
        leads = make_leads(campaign, 5)
        # Listed: two pending leads, one lead already called and a number
        # that no lead of this campaign has.
        for line in (100, 101, 102, 150):
            DncNumber.objects.add(number(line), by=alice, source=Source.MANUAL)
        Lead.objects.filter(pk=leads[2].pk).update(status=Lead.Status.CALLED)
        other = make_campaign("Other")
        make_lead(other, number(100))

        response = admin_client.get(LIST_URL)

        shown = {c.pk: c for c in response.context["campaigns"]}
        assert shown[campaign.pk].pending_listed == 2
        assert shown[campaign.pk].skipped_dnc == 0
        assert shown[other.pk].pending_listed == 1
        content = response.content.decode()
        assert "<th>Skipped as DNC so far</th>" in content
        assert "<th>Pending but on the DNC list</th>" in content
        assert (
            '<td data-count="pending_listed"><span class="badge badge-dnc">2</span>'
            in content
        )

    def test_dialer_moves_listed_leads_to_skipped(self, admin_client, bob):
        campaign = make_campaign("Spring leads")
        make_leads(campaign, 3)
        DncNumber.objects.add(number(100), by=bob, source=Source.CALL_STATUS)
        DncNumber.objects.add(number(101), by=bob, source=Source.CALL_STATUS)
        next_lead(campaign, bob)

        response = admin_client.get(LIST_URL)

        [shown] = response.context["campaigns"]
        assert shown.skipped_dnc == 2
        assert shown.pending_listed == 0
        assert shown.called == 1

    @pytest.mark.parametrize("campaigns", [1, 6])
    def test_its_query_count_is_fixed(
        self, admin_client, django_assert_num_queries, alice, campaigns
    ):
        for index in range(campaigns):
            first = 100 + 10 * index
            make_leads(make_campaign(f"Campaign {index}"), 3, first=first)
            DncNumber.objects.add(number(first), by=alice, source=Source.MANUAL)

        # The session, the user, the user's groups and the campaigns.
        with django_assert_num_queries(4):
            response = admin_client.get(LIST_URL)

        assert response.content.count(b'id="campaign-') == campaigns

    def test_agent_is_forbidden(self, agent_client):
        assert agent_client.get(LIST_URL).status_code == 403

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(LIST_URL)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_post_is_not_allowed(self, admin_client):
        assert admin_client.post(LIST_URL).status_code == 405


class TestCampaignCreate:
    def test_it_creates_a_campaign(self, admin_client, alice):
        response = admin_client.post(
            CREATE_URL, {"name": "Autumn leads", "status": "active"}
        )

        campaign = Campaign.objects.get()
        assert response.status_code == 302
        assert response.url == detail_url(campaign)
        assert (campaign.name, campaign.status, campaign.created_by) == (
            "Autumn leads",
            "active",
            alice,
        )

    def test_it_shows_the_form(self, admin_client):
        response = admin_client.get(CREATE_URL)

        assert response.status_code == 200
        assert b'name="name"' in response.content

    def test_a_missing_name_is_reported(self, admin_client):
        response = admin_client.post(CREATE_URL, {"name": " ", "status": "active"})

        assert response.status_code == 422
        assert b"Give the campaign a name." in response.content
        assert not Campaign.objects.exists()

    def test_an_unknown_status_is_reported(self, admin_client):
        response = admin_client.post(CREATE_URL, {"name": "Leads", "status": "gone"})

        assert response.status_code == 422
        assert b"gone is not one of the available choices" in response.content
        assert b'value="Leads"' in response.content

    def test_agent_is_forbidden(self, agent_client):
        response = agent_client.post(CREATE_URL, {"name": "Mine", "status": "active"})

        assert response.status_code == 403
        assert not Campaign.objects.exists()

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(CREATE_URL)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_put_is_not_allowed(self, admin_client):
        assert admin_client.put(CREATE_URL).status_code == 405


class TestCampaignDetail:
    def test_it_marks_leads_whose_number_is_listed(self, admin_client, alice):
        campaign = make_campaign()
        contact = make_contact("Riley Example", company="Acme Roofing")
        listed = make_lead(campaign, number(100), contact)
        free = make_lead(campaign, number(101), contact)
        DncNumber.objects.add(number(100), by=alice, source=Source.MANUAL)

        response = admin_client.get(detail_url(campaign))

        assert response.status_code == 200
        rows = {lead.pk: lead for lead in response.context["page"].rows}
        assert rows[listed.pk].is_listed
        assert not rows[free.pk].is_listed
        assert b"Riley Example" in response.content
        assert b"Acme Roofing" in response.content

    def test_it_shows_both_dnc_counts(self, admin_client, alice):
        campaign = make_campaign()
        leads = make_leads(campaign, 4)
        Lead.objects.filter(pk=leads[0].pk).update(status=Lead.Status.SKIPPED_DNC)
        DncNumber.objects.add(number(101), by=alice, source=Source.MANUAL)
        DncNumber.objects.add(number(102), by=alice, source=Source.MANUAL)

        response = admin_client.get(detail_url(campaign))

        content = response.content.decode()
        assert (
            '<div class="stat" id="skipped-count"><strong>1</strong>'
            "skipped as DNC so far</div>" in content
        )
        assert (
            '<div class="stat" id="pending-listed-count"><strong>2</strong>'
            "pending but on the DNC list</div>" in content
        )

    def test_it_shows_the_blocked_attempts(self, admin_client):
        campaign = make_campaign()
        for _ in range(3):
            BlockedCall.objects.create(phone_number=number(100), campaign=campaign)

        response = admin_client.get(detail_url(campaign))

        assert response.context["campaign"].blocked == 3

    def test_it_pages_the_leads(self, admin_client):
        campaign = make_campaign()
        leads = make_leads(campaign, PAGE_SIZE + 3)

        response = admin_client.get(detail_url(campaign), {"page": 2})

        shown = [lead.pk for lead in response.context["page"].rows]
        assert shown == [lead.pk for lead in leads[PAGE_SIZE:]]

    @pytest.mark.parametrize("leads", [3, PAGE_SIZE + 3])
    def test_its_query_count_is_fixed(
        self, admin_client, django_assert_num_queries, alice, leads
    ):
        campaign = make_campaign()
        make_leads(campaign, leads)
        DncNumber.objects.add(number(101), by=alice, source=Source.MANUAL)

        # The session, the user, the user's groups, the campaign with its
        # counts, one page of leads and the DNC lookup of that page.
        with django_assert_num_queries(6):
            response = admin_client.get(detail_url(campaign))

        assert response.content.count(b'id="lead-') == min(leads, PAGE_SIZE)

    def test_an_unknown_campaign_is_not_found(self, admin_client):
        assert admin_client.get("/campaigns/999999/").status_code == 404

    def test_agent_is_forbidden(self, agent_client):
        assert agent_client.get(detail_url(make_campaign())).status_code == 403

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.get(detail_url(make_campaign()))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_put_is_not_allowed(self, admin_client):
        assert admin_client.put(detail_url(make_campaign())).status_code == 405


class TestCampaignStatus:
    def url(self, campaign) -> str:
        return reverse("campaigns:status", args=[campaign.pk])

    def test_it_changes_the_status(self, admin_client):
        campaign = make_campaign()

        response = admin_client.post(self.url(campaign), {"status": "paused"})

        assert response.status_code == 302
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.PAUSED

    def test_an_unknown_status_changes_nothing(self, admin_client):
        campaign = make_campaign()

        response = admin_client.post(
            self.url(campaign), {"status": "gone"}, follow=True
        )

        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.ACTIVE
        assert b"Pick one of the listed statuses." in response.content

    def test_agent_is_forbidden(self, agent_client):
        campaign = make_campaign()

        response = agent_client.post(self.url(campaign), {"status": "paused"})

        assert response.status_code == 403
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.ACTIVE

    def test_anonymous_goes_to_login(self, anon_client):
        response = anon_client.post(self.url(make_campaign()), {"status": "paused"})

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_get_is_not_allowed(self, admin_client):
        assert admin_client.get(self.url(make_campaign())).status_code == 405


class TestLeadAddToDnc:
    def url(self, lead) -> str:
        return reverse("campaigns:lead_add_to_dnc", args=[lead.campaign_id, lead.pk])

    def test_it_lists_only_that_number(self, admin_client, alice):
        campaign = make_campaign()
        contact = make_contact("Riley Example")
        lead = make_lead(campaign, number(100), contact)
        make_lead(campaign, number(101), contact)

        response = admin_client.post(self.url(lead), {"page": "1"})

        assert response.status_code == 302
        assert response.url == f"{detail_url(campaign)}?page=1#lead-{lead.pk}"
        listed = DncNumber.objects.get()
        assert (listed.phone_number, listed.source, listed.added_by) == (
            number(100),
            Source.MANUAL,
            alice,
        )

    def test_it_tells_when_the_number_was_already_listed(self, admin_client, alice):
        lead = make_lead(make_campaign(), number(100))
        DncNumber.objects.add(number(100), by=alice, source=Source.MANUAL)

        response = admin_client.post(self.url(lead), follow=True)

        assert b"was already on the DNC list" in response.content
        assert DncNumber.objects.count() == 1

    def test_a_lead_of_another_campaign_is_not_found(self, admin_client):
        lead = make_lead(make_campaign(), number(100))
        other = make_campaign("Other")
        url = reverse("campaigns:lead_add_to_dnc", args=[other.pk, lead.pk])

        assert admin_client.post(url).status_code == 404
        assert not DncNumber.objects.exists()

    def test_agent_is_forbidden(self, agent_client):
        lead = make_lead(make_campaign(), number(100))

        assert agent_client.post(self.url(lead)).status_code == 403
        assert not DncNumber.objects.exists()

    def test_anonymous_goes_to_login(self, anon_client):
        lead = make_lead(make_campaign(), number(100))

        response = anon_client.post(self.url(lead))

        assert response.status_code == 302
        assert not DncNumber.objects.exists()

    def test_get_is_not_allowed(self, admin_client):
        lead = make_lead(make_campaign(), number(100))

        assert admin_client.get(self.url(lead)).status_code == 405
        assert not DncNumber.objects.exists()
