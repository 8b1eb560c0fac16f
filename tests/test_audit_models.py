import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from audit.models import AuditEntry
from dnc.models import DncNumber, RemovalReason, Source

E164 = "+12025550143"


def make_entry(**fields) -> AuditEntry:
    fields = {
        "phone_number": E164,
        "action": AuditEntry.Action.ADDED,
        "source": Source.MANUAL,
        "note": "original note",
        **fields,
    }
    return AuditEntry.objects.create(**fields)


def stored_notes() -> list[str]:
    return list(AuditEntry.objects.values_list("note", flat=True))


class TestAppendOnly:
    def test_insert_is_allowed(self, db):
        make_entry()

        assert stored_notes() == ["original note"]

    def test_raw_update_is_rejected(self, db):
        make_entry()

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE audit_auditentry SET note = 'rewritten'")

        assert stored_notes() == ["original note"]

    def test_raw_delete_is_rejected(self, db):
        make_entry()

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM audit_auditentry")

        assert stored_notes() == ["original note"]

    def test_trigger_bypass_setting_has_no_effect(self, db):
        make_entry()

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL pgtrigger.ignore = '{audit_append_only}'")
            cursor.execute("DELETE FROM audit_auditentry")

        assert stored_notes() == ["original note"]

    def test_queryset_update_is_rejected(self, db):
        make_entry()

        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.update(note="rewritten")

        assert stored_notes() == ["original note"]

    def test_queryset_delete_is_rejected(self, db):
        make_entry()

        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.all().delete()

        assert stored_notes() == ["original note"]

    def test_save_of_existing_entry_is_rejected(self, db):
        entry = make_entry()
        entry.note = "rewritten"

        with pytest.raises(DatabaseError), transaction.atomic():
            entry.save()

        assert stored_notes() == ["original note"]

    def test_instance_delete_is_rejected(self, db):
        entry = make_entry()

        with pytest.raises(DatabaseError), transaction.atomic():
            entry.delete()

        assert AuditEntry.objects.filter(pk=entry.pk).exists()


class TestUserOnRecord:
    def test_user_with_entries_cannot_be_deleted(self, alice):
        DncNumber.objects.add(E164, by=alice, source=Source.MANUAL)

        with pytest.raises(ProtectedError):
            alice.delete()

        assert AuditEntry.objects.get().user == alice


class TestStr:
    def test_it_names_action_and_number(self, db):
        entry = make_entry(
            action=AuditEntry.Action.REMOVED, reason=RemovalReason.ADDED_MISTAKE
        )

        assert str(entry) == f"Removed {E164}"

    def test_import_summary_has_no_number(self, db):
        entry = make_entry(phone_number="", action=AuditEntry.Action.IMPORTED)

        assert str(entry) == "Import"
