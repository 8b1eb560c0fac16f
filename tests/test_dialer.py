"""The dialer's next lead: never a DNC number, never one lead twice."""

import pytest

from campaigns import dialer
from campaigns.models import BlockedCall, Call, Campaign, Lead
from campaigns.testing import make_campaign, make_contact, make_lead
from dnc.models import DncNumber, Source


def number(line: int) -> str:
    return f"+1415555{line:04d}"


def list_numbers(*numbers):
    for listed in numbers:
        DncNumber.objects.add(listed, by=None, source=Source.API)


def test_it_hands_out_the_oldest_pending_lead(bob):
    campaign = make_campaign()
    contact = make_contact("Riley Example", company="Acme Roofing")
    first = make_lead(campaign, number(100), contact)
    make_lead(campaign, number(101))

    lead = dialer.next_lead(campaign, bob)

    assert lead.pk == first.pk
    lead.refresh_from_db()
    assert (lead.status, lead.agent) == (Lead.Status.DIALING, bob)
    call = Call.objects.get()
    assert lead.call == call
    assert (call.phone_number, call.agent, call.campaign, call.contact, call.lead) == (
        number(100),
        bob,
        campaign,
        contact,
        lead,
    )


def test_it_skips_leads_whose_number_is_listed(bob):
    campaign = make_campaign()
    skipped = [make_lead(campaign, number(line)) for line in (100, 101)]
    free = make_lead(campaign, number(102))
    list_numbers(number(100), number(101))

    lead = dialer.next_lead(campaign, bob)

    assert lead.pk == free.pk
    for one in skipped:
        one.refresh_from_db()
        assert one.status == Lead.Status.SKIPPED_DNC
    assert list(Call.objects.values_list("phone_number", flat=True)) == [number(102)]


def test_it_looks_past_a_whole_batch_of_listed_numbers(bob):
    campaign = make_campaign()
    lines = range(100, 100 + dialer.BATCH_SIZE + 5)
    for line in lines:
        make_lead(campaign, number(line))
    list_numbers(*(number(line) for line in lines))
    free = make_lead(campaign, number(199))

    assert dialer.next_lead(campaign, bob).pk == free.pk
    assert campaign.leads.filter(status=Lead.Status.SKIPPED_DNC).count() == len(lines)


def test_it_skips_a_number_listed_after_the_batch_was_checked(bob, monkeypatch):
    campaign = make_campaign()
    late = make_lead(campaign, number(100))
    free = make_lead(campaign, number(101))
    list_numbers(number(100))
    # The batch check missed it, as when the addition commits just after.
    monkeypatch.setattr(dialer, "listed_among", lambda numbers: set())

    lead = dialer.next_lead(campaign, bob)

    assert lead.pk == free.pk
    late.refresh_from_db()
    assert late.status == Lead.Status.SKIPPED_DNC
    assert BlockedCall.objects.get().campaign == campaign
    assert list(Call.objects.values_list("phone_number", flat=True)) == [number(101)]


def test_it_returns_none_when_no_lead_is_left(bob):
    campaign = make_campaign()
    make_lead(campaign, number(100))
    list_numbers(number(100))

    assert dialer.next_lead(campaign, bob) is None
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "status",
    [Campaign.Status.DRAFT, Campaign.Status.PAUSED, Campaign.Status.FINISHED],
)
def test_it_dials_only_active_campaigns(bob, status):
    campaign = make_campaign(status=status)
    make_lead(campaign, number(100))

    assert dialer.next_lead(campaign, bob) is None
    assert campaign.leads.get().status == Lead.Status.PENDING


def test_it_skips_leads_of_other_campaigns(bob):
    campaign, other = make_campaign("One"), make_campaign("Two")
    make_lead(other, number(100))
    mine = make_lead(campaign, number(101))

    assert dialer.next_lead(campaign, bob).pk == mine.pk


def test_its_query_count_does_not_depend_on_the_list(bob, django_assert_num_queries):
    campaign = make_campaign()
    for line in range(100, 110):
        make_lead(campaign, number(line))
    list_numbers(number(100), number(101))
    dialer.next_lead(campaign, bob)
    list_numbers(*(f"+1646555{line:04d}" for line in range(100, 200)))
    list_numbers(number(103))

    # Campaign check, then: savepoint, lead batch, DNC batch, the call's
    # savepoint, insert (its trigger takes the lock and checks the list),
    # release, lead update, skipped update, release.
    with django_assert_num_queries(10):
        lead = dialer.next_lead(campaign, bob)

    assert lead.phone_number.number == number(104)
