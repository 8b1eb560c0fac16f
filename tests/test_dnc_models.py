import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from dnc.models import (
    DncNumber,
    NotListedError,
    RemovalError,
    RemovalReason,
    Source,
    is_listed,
    lock_number,
)
from dnc.phone import InvalidPhoneNumber
from tests.conftest import make_user

E164 = "+12025550143"


def add(number=E164, *, by=None, source=Source.MANUAL, note=""):
    return DncNumber.objects.add(number, by=by, source=source, note=note)


def fail_after_audit_insert():
    """Make every audit insert fail once its row is written, until rollback."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pg_temp.fail_audit() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'audit follow-up failed'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER fail_audit AFTER INSERT ON audit_auditentry"
            " FOR EACH ROW EXECUTE FUNCTION pg_temp.fail_audit()"
        )


def audit_rows():
    return list(
        AuditEntry.objects.order_by("id").values_list(
            "phone_number", "action", "source", "user__username", "reason", "note"
        )
    )


class TestAdd:
    @pytest.mark.parametrize(
        "typed",
        [
            "+12025550143",
            "(202) 555-0143",
            "+1 202-555-0143",
            "1-202-555-0143",
            "2025550143",
            "202.555.0143 ext. 45",
        ],
    )
    def test_it_stores_any_format_as_e164(self, alice, typed):
        result = add(typed, by=alice)

        assert result.created is True
        assert result.number.phone_number == E164
        assert list(DncNumber.objects.values_list("phone_number", flat=True)) == [E164]

    def test_it_records_who_and_source(self, alice):
        add(by=alice, source=Source.MANUAL, note="  asked on the phone  ")

        listed = DncNumber.objects.get()
        assert listed.source == Source.MANUAL
        assert listed.added_by == alice
        assert listed.note == "asked on the phone"
        assert listed.added_at is not None

    def test_it_writes_one_audit_entry(self, alice):
        add(by=alice, note="asked on the phone")

        assert audit_rows() == [
            (E164, "added", "manual", "alice", "", "asked on the phone")
        ]

    def test_it_blocks_the_number_at_once(self, alice):
        assert is_listed(E164) is False

        add(by=alice)

        assert is_listed(E164) is True

    def test_it_accepts_no_user(self, db):
        result = add(by=None, source=Source.API)

        assert result.number.added_by is None
        assert audit_rows() == [(E164, "added", "api", None, "", "")]

    def test_invalid_number_adds_nothing(self, alice):
        with pytest.raises(InvalidPhoneNumber) as raised:
            add("202-555-014", by=alice)

        assert raised.value.value == "202-555-014"
        assert DncNumber.objects.count() == 0
        assert AuditEntry.objects.count() == 0

    def test_unknown_source_adds_nothing(self, alice):
        with pytest.raises(ValueError, match="'fax'"):
            add(by=alice, source="fax")

        assert DncNumber.objects.count() == 0
        assert AuditEntry.objects.count() == 0


class TestAddAlreadyListed:
    def test_it_keeps_the_existing_row(self, alice, bob):
        first = add(by=alice, source=Source.MANUAL, note="first request")

        again = add("(202) 555-0143", by=bob, source=Source.CALL_STATUS, note="x")

        assert again.created is False
        assert again.number.pk == first.number.pk
        listed = DncNumber.objects.get()
        assert listed.source == Source.MANUAL
        assert listed.added_by == alice
        assert listed.added_at == first.number.added_at
        assert listed.note == "first request"

    def test_it_records_the_new_request(self, alice, bob):
        add(by=alice, source=Source.MANUAL)

        add(by=bob, source=Source.CALL_STATUS, note="said stop calling")

        assert audit_rows() == [
            (E164, "added", "manual", "alice", "", ""),
            (E164, "already_listed", "call_status", "bob", "", "said stop calling"),
        ]


class TestRemove:
    def test_it_takes_the_number_off(self, alice, charlie):
        add(by=charlie, source=Source.IMPORT)

        DncNumber.objects.remove(
            "(202) 555-0143",
            by=alice,
            reason=RemovalReason.EXPRESS_CONSENT,
            note="  signed form on file  ",
        )

        assert DncNumber.objects.count() == 0
        assert is_listed(E164) is False
        assert audit_rows()[-1] == (
            E164,
            "removed",
            "import",
            "alice",
            "express_consent",
            "signed form on file",
        )

    def test_superuser_without_group_may_remove(self, db):
        root = make_user("root", None)
        root.is_superuser = True
        root.save()
        add()

        DncNumber.objects.remove(E164, by=root, reason=RemovalReason.ADDED_MISTAKE)

        assert DncNumber.objects.count() == 0

    def test_other_with_note_is_accepted(self, alice):
        add()

        DncNumber.objects.remove(
            E164, by=alice, reason=RemovalReason.OTHER, note="test number"
        )

        assert DncNumber.objects.count() == 0
        assert audit_rows()[-1][4:] == ("other", "test number")

    @pytest.mark.parametrize("who", ["agent", "nobody", "inactive admin"])
    def test_non_admin_is_rejected(self, alice, bob, who):
        if who == "inactive admin":
            alice.is_active = False
            alice.save()
        user = {"agent": bob, "nobody": None, "inactive admin": alice}[who]
        add()

        with pytest.raises(RemovalError) as raised:
            DncNumber.objects.remove(E164, by=user, reason=RemovalReason.ADDED_MISTAKE)

        assert E164 in str(raised.value)
        assert "admin" in str(raised.value)
        assert is_listed(E164) is True
        assert AuditEntry.objects.filter(action="removed").count() == 0

    @pytest.mark.parametrize(
        ("reason", "note", "expected"),
        [
            ("", "", "Pick a reason"),
            ("because", "", '"because" is not a removal reason'),
            ("other", "", 'The reason "Other" needs a note'),
            ("other", "   ", 'The reason "Other" needs a note'),
        ],
    )
    def test_bad_reason_is_rejected(self, alice, reason, note, expected):
        add()

        with pytest.raises(RemovalError) as raised:
            DncNumber.objects.remove(E164, by=alice, reason=reason, note=note)

        assert expected in str(raised.value)
        assert E164 in str(raised.value)
        assert is_listed(E164) is True
        assert AuditEntry.objects.filter(action="removed").count() == 0

    def test_number_not_listed_is_rejected(self, alice):
        with pytest.raises(NotListedError) as raised:
            DncNumber.objects.remove(
                "(202) 555-0143", by=alice, reason=RemovalReason.ADDED_MISTAKE
            )

        assert str(raised.value).startswith(f"{E164} is not on the DNC list")
        assert "reload the page" in str(raised.value).lower()
        assert AuditEntry.objects.count() == 0

    def test_number_can_be_added_again(self, alice):
        add(by=alice)
        DncNumber.objects.remove(E164, by=alice, reason=RemovalReason.ADDED_MISTAKE)

        result = add(by=alice)

        assert result.created is True
        assert [row[1] for row in audit_rows()] == ["added", "removed", "added"]


class TestSameTransaction:
    def test_failed_audit_write_undoes_the_addition(self, alice):
        fail_after_audit_insert()

        with pytest.raises(DatabaseError, match="audit follow-up failed"):
            add(by=alice)

        assert DncNumber.objects.count() == 0
        assert AuditEntry.objects.count() == 0

    def test_failed_audit_write_undoes_the_removal(self, alice):
        add(by=alice)
        fail_after_audit_insert()

        with pytest.raises(DatabaseError, match="audit follow-up failed"):
            DncNumber.objects.remove(E164, by=alice, reason=RemovalReason.ADDED_MISTAKE)

        assert is_listed(E164) is True
        assert [row[1] for row in audit_rows()] == ["added"]


def wait_for_lock_waiters(count: int, timeout: float = 5.0) -> None:
    """Wait until `count` sessions wait for an advisory lock, or time out.

    A timeout is not an error, because it means the code under test took no
    lock, and the assertions that follow then show the damage.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks"
                " WHERE locktype = 'advisory' AND NOT granted"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)


def run_at_once(*jobs) -> list:
    """Run each job in its own thread and database connection, all at once.

    This thread holds the number's lock until every job waits for it, so the
    jobs start together however the threads are scheduled.
    """
    results = [None] * len(jobs)

    def run(index, job):
        try:
            results[index] = job()
        except Exception as exc:  # the test inspects any failure
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, job))
        for index, job in enumerate(jobs)
    ]
    with transaction.atomic():
        lock_number(E164)
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(len(jobs))
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_audit_write(monkeypatch):
    """Hold each change open a moment before its audit write.

    Without the number's lock, a second removal would then read the row before
    the first one commits.
    """
    create = AuditEntry.objects.create

    def create_slowly(**fields):
        time.sleep(0.3)
        return create(**fields)

    monkeypatch.setattr(AuditEntry.objects, "create", create_slowly)


@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    @pytest.mark.usefixtures("slow_audit_write")
    def test_two_admins_remove_at_once(self, alice, charlie):
        add(by=alice)

        def remove_as(user):
            return lambda: DncNumber.objects.remove(
                E164, by=user, reason=RemovalReason.ADDED_MISTAKE
            )

        results = run_at_once(remove_as(alice), remove_as(charlie))

        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1
        assert isinstance(errors[0], NotListedError)
        assert results.count(None) == 1
        assert DncNumber.objects.count() == 0
        assert AuditEntry.objects.filter(action="removed").count() == 1

    def test_two_users_add_at_once(self, alice, bob):
        results = run_at_once(
            lambda: add(by=alice).created,
            lambda: add("(202) 555-0143", by=bob, source=Source.CALL_STATUS).created,
        )

        assert sorted(results) == [False, True]
        assert DncNumber.objects.count() == 1
        actions = sorted(AuditEntry.objects.values_list("action", flat=True))
        assert actions == ["added", "already_listed"]
