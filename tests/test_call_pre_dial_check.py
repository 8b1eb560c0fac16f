"""The pre-dial check: no path writes a Call to a number on the DNC list."""

import logging

import pytest
from django.db import DatabaseError, connection, transaction

from campaigns.models import BlockedCall, Call, refused_number
from campaigns.testing import make_campaign
from dnc.models import DncNumber, DoNotCallError, RemovalReason, Source
from dnc.phone import InvalidPhoneNumber

LISTED = "+12025550143"
FREE = "+12025550144"


@pytest.fixture
def listed(alice):
    DncNumber.objects.add(LISTED, by=alice, source=Source.MANUAL)
    return LISTED


def test_it_places_a_call_to_a_number_not_listed(bob, listed):
    call = Call.objects.create(phone_number=FREE, agent=bob)

    assert Call.objects.get().pk == call.pk


def test_it_refuses_create(bob, listed):
    with pytest.raises(DoNotCallError, match=r"\+12025550143 is on the Do Not Call"):
        Call.objects.create(phone_number=LISTED, agent=bob)

    assert not Call.objects.exists()


def test_it_refuses_save(bob, listed):
    call = Call(phone_number=LISTED, agent=bob)

    with pytest.raises(DoNotCallError) as refused:
        call.save()

    assert refused.value.phone_number == LISTED
    assert call.pk is None
    assert not Call.objects.exists()


def test_it_refuses_a_listed_number_in_another_format(bob, listed):
    with pytest.raises(DoNotCallError):
        Call.objects.create(phone_number="(202) 555-0143", agent=bob)

    assert not Call.objects.exists()


def test_it_stores_the_number_in_e164(bob):
    call = Call.objects.create(phone_number="1-202-555-0144", agent=bob)

    call.refresh_from_db()
    assert call.phone_number == FREE


def test_it_rejects_a_value_that_is_not_a_number(bob):
    with pytest.raises(InvalidPhoneNumber):
        Call.objects.create(phone_number="not given", agent=bob)

    assert not Call.objects.exists()


def test_it_refuses_changing_a_call_to_a_listed_number(bob, listed):
    call = Call.objects.create(phone_number=FREE, agent=bob)
    call.phone_number = LISTED

    with pytest.raises(DoNotCallError):
        call.save()

    call.refresh_from_db()
    assert call.phone_number == FREE


def test_it_refuses_bulk_create(bob, listed):
    calls = [
        Call(phone_number=FREE, agent=bob),
        Call(phone_number=LISTED, agent=bob),
    ]

    with pytest.raises(DoNotCallError) as refused:
        Call.objects.bulk_create(calls)

    assert refused.value.phone_number == LISTED
    assert not Call.objects.exists()


def test_it_refuses_update(bob, listed):
    Call.objects.create(phone_number=FREE, agent=bob)

    with pytest.raises(DoNotCallError):
        Call.objects.filter(phone_number=FREE).update(phone_number=LISTED)

    assert list(Call.objects.values_list("phone_number", flat=True)) == [FREE]


def test_it_refuses_bulk_update(bob, listed):
    call = Call.objects.create(phone_number=FREE, agent=bob)
    call.phone_number = LISTED

    # bulk_update is all or nothing: the refusal rolls back its transaction.
    with pytest.raises(DoNotCallError), transaction.atomic():
        Call.objects.bulk_update([call], ["phone_number"])

    assert Call.objects.get().phone_number == FREE


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_raw(number: str, agent) -> None:
    _execute(
        "INSERT INTO campaigns_call (phone_number, agent_id, started_at, status)"
        " VALUES (%s, %s, now(), '')",
        [number, agent.pk],
    )


def test_it_refuses_raw_sql(bob, listed):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        _insert_raw(LISTED, bob)

    assert refused_number(refused.value) == LISTED
    assert "+12025550143 is on the Do Not Call list" in str(refused.value)
    assert not Call.objects.exists()


def test_it_ignores_the_trigger_bypass_setting(bob, listed):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        _execute("SET LOCAL pgtrigger.ignore = '{campaigns_call_pre_dial_check}'")
        _insert_raw(LISTED, bob)

    assert refused_number(refused.value) == LISTED
    assert not Call.objects.exists()


def test_it_refuses_a_raw_sql_update(bob, listed):
    Call.objects.create(phone_number=FREE, agent=bob)

    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        _execute("UPDATE campaigns_call SET phone_number = %s", [LISTED])

    assert refused_number(refused.value) == LISTED
    assert Call.objects.get().phone_number == FREE


def test_it_rejects_raw_sql_with_a_number_not_in_e164(bob, listed):
    with pytest.raises(DatabaseError, match="call_number_e164"), transaction.atomic():
        _insert_raw("(202) 555-0143", bob)

    assert not Call.objects.exists()


def test_it_tells_other_database_errors_apart(bob):
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        _execute("SELECT 1/0")

    assert refused_number(error.value) is None


def test_it_still_saves_the_status_of_a_call_whose_number_was_listed(alice, bob):
    call = Call.objects.create(phone_number=LISTED, agent=bob)
    DncNumber.objects.add(LISTED, by=bob, source=Source.CALL_STATUS, call=call)

    call.status = Call.Status.DNC
    call.save()
    Call.objects.filter(pk=call.pk).update(status=Call.Status.DNC)

    call.refresh_from_db()
    assert call.status == Call.Status.DNC


def test_it_allows_a_number_again_once_removed(alice, bob, listed):
    DncNumber.objects.remove(LISTED, by=alice, reason=RemovalReason.EXPRESS_CONSENT)

    Call.objects.create(phone_number=LISTED, agent=bob)

    assert Call.objects.get().phone_number == LISTED


def test_it_logs_and_counts_a_blocked_attempt(bob, listed, caplog):
    campaign = make_campaign()

    with (
        caplog.at_level(logging.WARNING, logger="campaigns"),
        pytest.raises(DoNotCallError),
    ):
        Call.objects.create(phone_number=LISTED, agent=bob, campaign=campaign)

    blocked = BlockedCall.objects.get()
    assert (blocked.phone_number, blocked.agent, blocked.campaign) == (
        LISTED,
        bob,
        campaign,
    )
    assert campaign.blocked_calls.count() == 1
    [record] = [r for r in caplog.records if r.name == "campaigns"]
    message = record.getMessage()
    assert LISTED in message
    assert str(bob.pk) in message
    assert str(campaign.pk) in message


def test_it_counts_a_blocked_bulk_create(bob, listed):
    campaign = make_campaign()

    with pytest.raises(DoNotCallError):
        Call.objects.bulk_create(
            [Call(phone_number=LISTED, agent=bob, campaign=campaign)]
        )

    assert campaign.blocked_calls.get().agent == bob


def test_it_keeps_the_callers_transaction_usable_after_a_refusal(bob, listed):
    with transaction.atomic():
        with pytest.raises(DoNotCallError):
            Call.objects.create(phone_number=LISTED, agent=bob)
        Call.objects.create(phone_number=FREE, agent=bob)

    assert list(Call.objects.values_list("phone_number", flat=True)) == [FREE]
    assert BlockedCall.objects.count() == 1
