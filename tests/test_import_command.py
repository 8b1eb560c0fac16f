import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dnc.models import DncImport, DncNumber


def import_dnc(*args) -> str:
    out = StringIO()
    call_command("import_dnc", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def numbers_file(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("phone\n2025550143\n2025550144\n2025550143\nn/a\n\n")
    return path


@pytest.mark.django_db
class TestImportDnc:
    def test_it_prints_the_report(self, numbers_file):
        output = import_dnc(str(numbers_file))

        assert "Imported numbers.csv" in output
        assert "Added:                         2" in output
        assert "Repeated in the file:          1" in output
        assert "Rejected:                      1" in output
        assert "Blank rows skipped:            1" in output
        assert 'row 5: Invalid phone number "n/a": contains no digits.' in output
        assert DncNumber.objects.count() == 2

    def test_json_report(self, numbers_file):
        report = json.loads(import_dnc(str(numbers_file), "--json"))

        assert report["added"] == 2
        assert report["already_listed"] == 0
        assert report["duplicates"] == 1
        assert report["rejected_count"] == 1
        assert report["rejected"] == [
            {
                "row": 5,
                "value": "n/a",
                "error": 'Invalid phone number "n/a": contains no digits.',
            }
        ]
        assert report["removed"] == 0
        assert report["kept"] == 0
        assert report["blank"] == 1
        assert report["rows_read"] == 5
        assert report["import_id"] == DncImport.objects.get().pk

    def test_json_counts_already_listed(self, numbers_file):
        import_dnc(str(numbers_file))

        report = json.loads(import_dnc(str(numbers_file), "--json"))

        assert report["added"] == 0
        assert report["already_listed"] == 2

    def test_user_is_recorded(self, numbers_file, alice):
        import_dnc(str(numbers_file), "--user", "alice")

        assert {number.added_by for number in DncNumber.objects.all()} == {alice}
        assert DncImport.objects.get().uploaded_by == alice

    def test_unknown_user(self, numbers_file):
        with pytest.raises(CommandError, match='No user "mallory"'):
            import_dnc(str(numbers_file), "--user", "mallory")

        assert DncNumber.objects.count() == 0

    def test_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match=r"File not found: .*nothing\.csv"):
            import_dnc(str(tmp_path / "nothing.csv"))

    def test_unreadable_encoding(self, tmp_path):
        path = tmp_path / "list.csv"
        # UTF-16 without a byte order mark: every other byte is NUL.
        path.write_bytes("phone\n2025550143\n".encode("utf-16-le"))

        with pytest.raises(CommandError, match="not a text file"):
            import_dnc(str(path))

        assert DncImport.objects.get().status == DncImport.Status.FAILED

    def test_help_documents_json(self, capsys):
        with pytest.raises(SystemExit):
            call_command("import_dnc", "--help")

        text = " ".join(capsys.readouterr().out.split())
        assert '"rejected" is a list of {"row", "value", "error"} objects' in text
