import pytest
from django.db import connection

from dnc.importer import ImportProgress
from dnc.models import DncImport, DncNumber
from dnc.tasks import ProgressWriter, run_import


@pytest.fixture
def stored(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def store(content: bytes, name="imports/upload.csv") -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return name

    return store


@pytest.mark.django_db
class TestRunImport:
    def test_it_imports_and_deletes_the_file(self, stored, alice, tmp_path):
        dnc_import = DncImport.objects.create(
            file_name="list.csv",
            uploaded_by=alice,
            stored_file=stored(b"2025550143\n2025550144\n"),
        )

        counts = run_import.call(dnc_import.pk)

        dnc_import.refresh_from_db()
        assert counts["added"] == 2
        assert dnc_import.status == DncImport.Status.DONE
        assert dnc_import.added == 2
        assert dnc_import.stored_file == ""
        assert not (tmp_path / "imports" / "upload.csv").exists()
        assert DncNumber.objects.filter(added_by=alice).count() == 2

    def test_bad_file_fails_with_reason(self, stored):
        dnc_import = DncImport.objects.create(
            file_name="scan.csv", stored_file=stored(b"%PDF-1.7\n\x00\x01")
        )

        run_import.call(dnc_import.pk)

        dnc_import.refresh_from_db()
        assert dnc_import.status == DncImport.Status.FAILED
        assert '"scan.csv" is a PDF document' in dnc_import.error
        assert dnc_import.finished_at is not None

    def test_missing_file_fails(self, stored):
        dnc_import = DncImport.objects.create(
            file_name="gone.csv", stored_file="imports/gone.csv"
        )

        run_import.call(dnc_import.pk)

        dnc_import.refresh_from_db()
        assert dnc_import.status == DncImport.Status.FAILED
        assert "uploaded file is missing" in dnc_import.error


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_outside_the_import(alice):
    dnc_import = DncImport.objects.create(
        file_name="big.csv", status=DncImport.Status.RUNNING
    )
    writer = ProgressWriter()

    with connection.cursor() as cursor:
        # Progress is written outside the import's own, open transaction.
        cursor.execute("BEGIN")
        try:
            writer(
                ImportProgress(
                    dnc_import_id=dnc_import.pk,
                    rows_read=50_000,
                    blank=2,
                    rejected=3,
                    bytes_read=600,
                    bytes_total=1000,
                )
            )
        finally:
            cursor.execute("ROLLBACK")
            writer.close()

    dnc_import.refresh_from_db()
    assert dnc_import.rows_read == 50_000
    assert dnc_import.blank == 2
    assert dnc_import.rejected == 3
    assert dnc_import.bytes_read == 600
