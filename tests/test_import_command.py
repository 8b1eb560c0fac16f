import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from dnc.models import DncImport, DncNumber, Source


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
        assert (
            "Repeated rows:\n  row 4 (2025550143): Same number as row 2 "
            "(+12025550143)." in output
        )
        assert DncNumber.objects.count() == 2

    def test_json_report(self, numbers_file):
        report = json.loads(import_dnc(str(numbers_file), "--json"))

        assert report["added"] == 2
        assert report["already_listed"] == 0
        assert report["duplicates"] == 1
        assert report["duplicate_rows"] == [
            {
                "row": 4,
                "value": "2025550143",
                "number": "+12025550143",
                "repeats_row": 2,
            }
        ]
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
        assert report["kept_numbers"] == []
        assert report["blank"] == 1
        assert report["rows_read"] == 5
        assert report["import_id"] == DncImport.objects.get().pk

    def test_json_counts_already_listed(self, numbers_file):
        import_dnc(str(numbers_file))

        report = json.loads(import_dnc(str(numbers_file), "--json"))

        assert report["added"] == 0
        assert report["already_listed"] == 2

    def test_json_lists_kept_numbers(self, tmp_path, alice):
        DncNumber.objects.add("7185550121", by=alice, source=Source.MANUAL)
        path = tmp_path / "changes.txt"
        path.write_text("(718) 555-0121,D\n7185550122,A\n")

        report = json.loads(import_dnc(str(path), "--json"))

        assert report["kept"] == 1
        assert report["kept_numbers"] == [
            {"row": 1, "value": "(718) 555-0121", "number": "+17185550121"}
        ]
        assert report["added"] == 1

    def test_text_lists_kept_numbers(self, tmp_path, alice):
        DncNumber.objects.add("7185550121", by=alice, source=Source.MANUAL)
        path = tmp_path / "changes.txt"
        path.write_text("D,7185550121\nA,7185550122\n")

        output = import_dnc(str(path))

        assert "Kept (asked for):              1" in output
        assert "Kept on the list:\n  row 1 (7185550121): Not removed:" in output

    def test_user_is_recorded(self, numbers_file, alice):
        import_dnc(str(numbers_file), "--user", "alice")

        assert {number.added_by for number in DncNumber.objects.all()} == {alice}
        assert DncImport.objects.get().uploaded_by == alice

    def test_superuser_may_import(self, numbers_file):
        root = User.objects.create_superuser("root", password="x")

        import_dnc(str(numbers_file), "--user", "root")

        assert DncImport.objects.get().uploaded_by == root

    def test_agent_is_rejected(self, numbers_file, bob):
        with pytest.raises(CommandError) as error:
            import_dnc(str(numbers_file), "--user", "bob")

        assert str(error.value) == (
            'User "bob" is not an admin, and only admins may import DNC lists. '
            'Give --user the username of an admin, or add the user to the "Admins" '
            "group first."
        )
        assert DncNumber.objects.count() == 0
        assert DncImport.objects.count() == 0

    def test_deactivated_admin_is_rejected(self, numbers_file, alice):
        alice.is_active = False
        alice.save()

        with pytest.raises(CommandError, match='User "alice" is deactivated'):
            import_dnc(str(numbers_file), "--user", "alice")

        assert DncNumber.objects.count() == 0

    def test_unknown_user(self, numbers_file):
        with pytest.raises(CommandError, match='No user "mallory"'):
            import_dnc(str(numbers_file), "--user", "mallory")

        assert DncNumber.objects.count() == 0

    def test_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match=r"File not found: .*nothing\.csv"):
            import_dnc(str(tmp_path / "nothing.csv"))

    def test_directory(self, tmp_path):
        with pytest.raises(CommandError) as error:
            import_dnc(str(tmp_path))

        assert str(error.value) == (
            f"{tmp_path} is a directory. Give the path of the file to import."
        )
        assert DncImport.objects.count() == 0

    def test_header_only_file_fails(self, tmp_path):
        path = tmp_path / "header_only.csv"
        path.write_text("phone,name\n")

        with pytest.raises(CommandError, match=r"has a header row .* no data rows"):
            import_dnc(str(path))

        dnc_import = DncImport.objects.get()
        assert dnc_import.status == DncImport.Status.FAILED
        assert "no data rows" in dnc_import.error

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
        assert (
            '"duplicate_rows" is a list of {"row", "value", "number", '
            '"repeats_row"} objects' in text
        )
        assert '"kept_numbers" is a list of {"row", "value", "number"}' in text
