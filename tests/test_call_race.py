"""An addition to the DNC list and a call to the same number, on two connections.

The addition holds the number's advisory lock until it commits; a call placed
meanwhile waits for it and is then refused, whichever path it takes.
"""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections, transaction

from campaigns.models import PRE_DIAL_SQLSTATE, Call
from dnc.models import DncNumber, DoNotCallError, Source

NUMBER = "+12025550143"

pytestmark = pytest.mark.django_db(transaction=True)


def _second_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"],
        autocommit=True,
    )


def _wait_for_lock_wait(pid: int, timeout: float = 10) -> None:
    """Return once backend `pid` waits for an advisory lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE pid = %s"
                " AND locktype = 'advisory' AND NOT granted",
                [pid],
            )
            if cursor.fetchone():
                return
        time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for the number's lock")


def _run(target) -> tuple[threading.Thread, dict]:
    outcome = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_it_refuses_a_raw_insert_that_waited_for_an_addition(alice, bob):
    other = _second_connection()
    try:
        with transaction.atomic():
            DncNumber.objects.add(NUMBER, by=alice, source=Source.MANUAL)
            thread, outcome = _run(
                lambda: other.execute(
                    "INSERT INTO campaigns_call (phone_number, agent_id,"
                    " started_at, status) VALUES (%s, %s, now(), '')",
                    [NUMBER, bob.pk],
                )
            )
            _wait_for_lock_wait(other.info.backend_pid)
            assert thread.is_alive()
        thread.join(timeout=10)
    finally:
        other.close()

    assert not thread.is_alive()
    assert outcome["error"].sqlstate == PRE_DIAL_SQLSTATE
    assert NUMBER in str(outcome["error"])
    assert not Call.objects.exists()


def test_it_refuses_a_call_created_while_an_addition_was_open(alice, bob):
    pids = []

    def place_call():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            return Call.objects.create(phone_number=NUMBER, agent=bob)
        finally:
            connections["default"].close()

    with transaction.atomic():
        DncNumber.objects.add(NUMBER, by=alice, source=Source.MANUAL)
        thread, outcome = _run(place_call)
        deadline = time.monotonic() + 10
        while not pids and time.monotonic() < deadline:
            time.sleep(0.01)
        _wait_for_lock_wait(pids[0])
        assert thread.is_alive()
    thread.join(timeout=10)

    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), DoNotCallError)
    assert not Call.objects.exists()


def test_it_places_the_call_when_the_addition_rolls_back(alice, bob):
    other = _second_connection()
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            DncNumber.objects.add(NUMBER, by=alice, source=Source.MANUAL)
            thread, outcome = _run(
                lambda: other.execute(
                    "INSERT INTO campaigns_call (phone_number, agent_id,"
                    " started_at, status) VALUES (%s, %s, now(), '')",
                    [NUMBER, bob.pk],
                )
            )
            _wait_for_lock_wait(other.info.backend_pid)
            raise RuntimeError("the addition fails")
        thread.join(timeout=10)
    finally:
        other.close()

    assert "error" not in outcome
    assert Call.objects.get().phone_number == NUMBER
