"""The demo campaigns that seed_demo creates."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from campaigns import dialer
from campaigns.models import Call, Campaign, Contact, Lead, PhoneNumber
from dnc.models import DncNumber
from dnc.roles import ADMINS, AGENTS
from tests.conftest import ensure_role

pytestmark = pytest.mark.django_db

FICTIONAL = re.compile(r"\+1[2-9]\d\d55501\d\d")


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    for role in (ADMINS, AGENTS):
        ensure_role(role)
    call_command("seed_demo", stdout=io.StringIO())
    return list(Campaign.objects.order_by("id"))


def test_it_lists_numbers_from_every_source(demo):
    sources = set(DncNumber.objects.values_list("source", flat=True))

    assert sources == {"manual", "call_status", "import", "api"}
    by_call = DncNumber.objects.filter(source="call_status")
    assert all(number.call_id for number in by_call)


def test_it_seeds_two_campaigns_to_try_the_dialer_on(demo):
    assert [campaign.status for campaign in demo] == ["active", "active"]
    assert 200 <= Contact.objects.count() <= 500
    numbers = PhoneNumber.objects.values_list("number", flat=True)
    assert all(FICTIONAL.fullmatch(number) for number in numbers)

    per_contact = Contact.objects.annotate(n=Count("phone_numbers"))
    assert per_contact.filter(n=2).exists()
    assert per_contact.filter(n=3).exists()
    shared = PhoneNumber.objects.values("number").annotate(n=Count("contact"))
    assert shared.filter(n__gt=1).exists()

    listed = set(DncNumber.objects.values_list("phone_number", flat=True))
    for campaign in demo:
        leads = set(campaign.leads.values_list("phone_number__number", flat=True))
        assert leads & listed
        assert leads - listed


def test_a_number_marked_dnc_in_one_campaign_is_skipped_in_the_other(demo):
    agent = get_user_model().objects.get(username="agent")
    first, second = demo

    lead = dialer.next_lead(first, agent)
    lead.call.set_status(Call.Status.DNC, by=agent)
    after = dialer.next_lead(second, agent)

    assert after.phone_number.number != lead.phone_number.number
    skipped = second.leads.get(phone_number__number=lead.phone_number.number)
    assert skipped.status == Lead.Status.SKIPPED_DNC
