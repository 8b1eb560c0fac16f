"""Two agents dialing one campaign at once never get the same lead."""

import threading

import pytest
from django.db import connections

from campaigns import dialer
from campaigns.models import Call, Lead
from campaigns.testing import make_campaign, make_lead
from dnc.models import DncNumber, Source
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

LEADS = 60


def test_it_hands_each_lead_to_one_agent(alice, bob):
    campaign = make_campaign()
    numbers = [f"+1415555{line:04d}" for line in range(100, 100 + LEADS)]
    leads = [make_lead(campaign, number) for number in numbers]
    listed = set(numbers[::7])
    for number in listed:
        DncNumber.objects.add(number, by=alice, source=Source.MANUAL)
    agents = [bob, make_user("dave", "Agents")]
    handed = {agent.pk: [] for agent in agents}
    errors = []
    start = threading.Barrier(len(agents))

    def dial(agent):
        try:
            start.wait()
            while (lead := dialer.next_lead(campaign, agent)) is not None:
                handed[agent.pk].append(lead.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=dial, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    first, second = handed.values()
    assert first and second
    assert not set(first) & set(second)
    free = {lead.pk for lead in leads if lead.phone_number.number not in listed}
    assert set(first) | set(second) == free
    assert len(first) + len(second) == len(free)
    assert Call.objects.count() == len(free)
    assert not Call.objects.filter(phone_number__in=listed).exists()
    skipped = Lead.objects.filter(status=Lead.Status.SKIPPED_DNC)
    assert {lead.phone_number.number for lead in skipped} == listed
