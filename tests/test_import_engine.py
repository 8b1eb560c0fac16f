import codecs
import io
import shutil
from pathlib import Path

import pytest

from audit.models import AuditEntry
from dnc.importer import ImportFileError, import_file
from dnc.models import DncImport, DncImportRow, DncNumber, RemovalReason, Source

# Small files in the shapes users bring: a spreadsheet saved in a European
# locale and National Do Not Call Registry lines.
SAMPLES = Path(__file__).resolve().parent / "data"
COUNTS = (
    "blank",
    "added",
    "already_listed",
    "duplicates",
    "rejected",
    "removed",
    "kept",
    "not_listed",
)


def run(tmp_path, content, name="list.csv", by=None):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return import_file(path, by=by, file_name=name)


def listed() -> set[str]:
    return set(DncNumber.objects.values_list("phone_number", flat=True))


def report_rows(report, kind):
    return [(row.row, row.value, row.error) for row in report.report_rows(kind=kind)]


def assert_every_row_counted(report):
    assert report.rows_read == sum(getattr(report, name) for name in COUNTS)


def list_number(number, source, user=None):
    DncNumber.objects.add(number, by=user, source=source)


@pytest.fixture
def samples(tmp_path):
    for path in SAMPLES.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.mark.django_db
class TestSamples:
    def test_spreadsheet_export(self, samples, alice):
        path = samples / "spreadsheet_export.csv"

        report = import_file(path, by=alice, file_name=path.name)

        assert listed() == {"+16465550134", "+16465550135"}
        assert report.rows_read == 5
        assert report.added == 2
        assert report.duplicates == 1
        assert report.rejected == 2
        assert_every_row_counted(report)
        assert report_rows(report, "duplicate") == [
            (
                5,
                "6465550134",
                "Same number as row 3 (+16465550134). Only the first row of a "
                "number is imported.",
            )
        ]
        rejected = report_rows(report, "rejected")
        assert [(row, value) for row, value, _ in rejected] == [
            (6, "n/a"),
            (7, "6.46555E+09"),
        ]
        assert "contains no digits" in rejected[0][2]
        assert "scientific notation" in rejected[1][2]
        assert "semicolon-separated" in report.layout
        assert '"Telefon"' in report.layout
        assert "byte order mark" in report.layout

    def test_registry_full_list(self, samples):
        path = samples / "registry_full_sample.txt"

        report = import_file(path, by=None, file_name=path.name)

        assert listed() == {"+16465550136", "+16465550137", "+16465550138"}
        assert report.added == 3
        assert report.rejected == 0
        assert_every_row_counted(report)


@pytest.mark.django_db
class TestRecords:
    def test_numbers_link_to_import(self, tmp_path, alice):
        report = run(tmp_path, "2025550143\n2025550144\n", by=alice)

        numbers = DncNumber.objects.order_by("phone_number")
        assert [number.phone_number for number in numbers] == [
            "+12025550143",
            "+12025550144",
        ]
        for number in numbers:
            assert number.source == Source.IMPORT
            assert number.added_by == alice
            assert number.dnc_import == report.dnc_import
        dnc_import = DncImport.objects.get()
        assert dnc_import.status == DncImport.Status.DONE
        assert dnc_import.uploaded_by == alice
        assert dnc_import.file_name == "list.csv"
        assert dnc_import.added == 2
        assert dnc_import.rows_read == 2
        assert dnc_import.finished_at is not None

    def test_one_audit_entry_per_import(self, tmp_path, alice):
        list_number("2025550143", Source.MANUAL, alice)

        report = run(tmp_path, "2025550143\n2025550144\n2025550144\nx\n", by=alice)

        entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORTED)
        assert entry.dnc_import == report.dnc_import
        assert entry.source == Source.IMPORT
        assert entry.user == alice
        assert entry.phone_number == ""
        assert entry.details["added"] == 1
        assert entry.details["already_listed"] == 1
        assert entry.details["duplicates"] == 1
        assert entry.details["rejected"] == 1
        assert entry.details["rows_read"] == 4
        # The manual addition and the import summary; nothing per number.
        assert AuditEntry.objects.count() == 2

    def test_already_listed_keeps_its_source(self, tmp_path, alice):
        list_number("2025550143", Source.CALL_STATUS)

        report = run(tmp_path, "2025550143\n", by=alice)

        assert report.already_listed == 1
        assert report.added == 0
        number = DncNumber.objects.get()
        assert number.source == Source.CALL_STATUS
        assert number.dnc_import is None

    def test_bad_file_marks_import_failed(self, tmp_path):
        with pytest.raises(ImportFileError):
            run(tmp_path, b"")

        dnc_import = DncImport.objects.get()
        assert dnc_import.status == DncImport.Status.FAILED
        assert '"list.csv" is empty' in dnc_import.error

    def test_given_import_is_used(self, tmp_path, alice):
        dnc_import = DncImport.objects.create(file_name="upload.txt", uploaded_by=alice)
        path = tmp_path / "stored.txt"
        path.write_text("2025550143\n")

        import_file(path, by=alice, file_name="upload.txt", dnc_import=dnc_import)

        dnc_import.refresh_from_db()
        assert DncImport.objects.count() == 1
        assert dnc_import.status == DncImport.Status.DONE
        assert dnc_import.added == 1
        assert DncNumber.objects.get().dnc_import == dnc_import

    def test_file_object_is_read(self, alice):
        fileobj = io.BytesIO(b"phone\n(202) 555-0143\n")

        report = import_file(fileobj, by=alice, file_name="pasted.csv")

        assert report.added == 1
        assert listed() == {"+12025550143"}

    def test_progress_is_reported(self, tmp_path, monkeypatch):
        monkeypatch.setattr("dnc.importer.PROGRESS_EVERY", 10)
        seen = []
        path = tmp_path / "list.txt"
        path.write_text("".join(f"20255501{n:02d}\n" for n in range(25)))

        import_file(path, by=None, file_name="list.txt", progress=seen.append)

        assert [progress.rows_read for progress in seen] == [10, 20, 25]
        assert [progress.reading_done for progress in seen] == [False, False, True]
        assert seen[-1].bytes_read == path.stat().st_size
        assert seen[-1].bytes_total == path.stat().st_size


@pytest.mark.django_db
class TestDetection:
    def test_plain_digits_without_header(self, tmp_path):
        report = run(tmp_path, "2025550143\n2025550144\n")

        assert report.added == 2
        assert "one number per line" in report.layout

    def test_single_column_header_is_skipped(self, tmp_path):
        report = run(tmp_path, "Phone Number\n2025550143\n")

        assert report.rows_read == 1
        assert report.added == 1
        assert "header row: Phone Number" in report.layout

    def test_unknown_first_line_is_a_row(self, tmp_path):
        report = run(tmp_path, "n/a\n2025550143\n")

        assert report.rows_read == 2
        assert report_rows(report, "rejected")[0][:2] == (1, "n/a")

    def test_byte_order_mark(self, tmp_path):
        report = run(tmp_path, codecs.BOM_UTF8 + b"phone\n2025550143\n")

        assert report.added == 1
        assert listed() == {"+12025550143"}

    def test_utf16_with_byte_order_mark(self, tmp_path):
        content = "phone\tname\r\n2025550143\tJosé\r\n".encode("utf-16")

        report = run(tmp_path, content, name="list.txt")

        assert report.added == 1
        assert "UTF-16" in report.layout

    def test_utf32_with_byte_order_mark(self, tmp_path):
        report = run(tmp_path, "phone\n2025550143\n".encode("utf-32"))

        assert report.added == 1
        assert "UTF-32" in report.layout

    def test_windows_1252(self, tmp_path):
        content = "Name,Telefon\nMüller,2025550143\n".encode("cp1252")

        report = run(tmp_path, content)

        assert report.added == 1
        assert "Windows-1252" in report.layout

    @pytest.mark.parametrize(
        ("delimiter", "word"),
        [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "vertical bar")],
    )
    def test_delimiter(self, tmp_path, delimiter, word):
        lines = ["name,with comma", "Ann", "Bo", "Cy"]
        numbers = ["phone", "2025550143", "2025550144", "2025550145"]
        rows = [
            delimiter.join([f'"{name}"', number])
            for name, number in zip(lines, numbers, strict=True)
        ]

        report = run(tmp_path, "\n".join(rows) + "\n")

        assert report.added == 3
        assert f"{word}-separated" in report.layout

    def test_sep_line_sets_delimiter(self, tmp_path):
        report = run(tmp_path, "sep=|\nphone|note\n2025550143|a, b, c\n")

        assert report.added == 1
        assert "sep= line" in report.layout

    @pytest.mark.parametrize(
        "header", ["phone", "Telefon", "NUMBER", "phone_number", "Tel.", "Mobile"]
    )
    def test_phone_column_by_name(self, tmp_path, header):
        content = f"id,{header},note\n1,2025550143,x\n2,2025550144,y\n"

        report = run(tmp_path, content)

        assert report.added == 2
        assert f'phone column 2 "{header}"' in report.layout

    def test_phone_column_by_values(self, tmp_path):
        content = "name,contact,city\nAnn,2025550143,Reno\nBo,(202) 555-0144,Elko\n"

        report = run(tmp_path, content)

        assert report.added == 2
        assert 'phone column 2 "contact"' in report.layout

    def test_phone_column_by_values_without_header(self, tmp_path):
        report = run(tmp_path, "Ann,2025550143,7\nBo,2025550144,8\n")

        assert report.rows_read == 2
        assert report.added == 2

    def test_several_phone_columns(self, tmp_path):
        content = "name,a,b\nAnn,2025550143,2025550144\nBo,2025550145,2025550146\n"

        with pytest.raises(ImportFileError, match="several columns of phone"):
            run(tmp_path, content)

        assert DncNumber.objects.count() == 0

    def test_several_named_phone_columns(self, tmp_path):
        content = "phone,telephone\n2025550143,2025550144\n"

        with pytest.raises(ImportFileError, match='"phone", "telephone"'):
            run(tmp_path, content)

    def test_no_phone_column(self, tmp_path):
        with pytest.raises(ImportFileError, match="no column of phone numbers"):
            run(tmp_path, "name,city\nAnn,Reno\nBo,Elko\n")

    def test_empty_file(self, tmp_path):
        with pytest.raises(ImportFileError, match=r'"list\.csv" is empty'):
            run(tmp_path, b"\n  \n")

    def test_binary_file(self, tmp_path):
        with pytest.raises(ImportFileError, match="not a text file"):
            run(tmp_path, b"\x00\x01\x02binary\x00" * 50)

    def test_excel_workbook(self, tmp_path):
        with pytest.raises(ImportFileError, match="Excel workbook"):
            run(tmp_path, b"PK\x03\x04" + bytes(range(256)))

    def test_plain_list_is_not_described_as_pairs(self, tmp_path):
        report = run(tmp_path, "2025550143\n2025550144\n", name="list.txt")

        assert report.layout == "UTF-8; one number per line"

    def test_pair_past_the_sample_is_joined(self, tmp_path, monkeypatch):
        monkeypatch.setattr("dnc.importing.reader.SAMPLE_BYTES", 24)
        content = "2025550143\n2025550144\n2025550145\n202,5550146\n"

        report = run(tmp_path, content, name="list.txt")

        assert report.added == 4
        assert "+12025550146" in listed()

    @pytest.mark.parametrize(
        ("content", "header"),
        [
            ("phone,name\n", "phone, name"),
            ("phone;name\r\n;\r\n\r\n", "phone, name"),
            ("Phone Number\n\n", "Phone Number"),
        ],
    )
    def test_header_without_data_rows(self, tmp_path, content, header):
        with pytest.raises(ImportFileError) as error:
            run(tmp_path, content, name="header_only.csv")

        assert str(error.value) == (
            f'"header_only.csv" has a header row ({header}) but no data rows. '
            "Add the numbers below the header, or upload the file that contains "
            "them."
        )
        assert DncImport.objects.get().status == DncImport.Status.FAILED
        assert DncNumber.objects.count() == 0

    def test_area_code_pairs_are_joined(self, tmp_path):
        report = run(tmp_path, "646,5550136\n646,5550137\n", name="full.txt")

        assert listed() == {"+16465550136", "+16465550137"}
        assert report.rows_read == 2
        assert "area code and number joined" in report.layout

    def test_mixed_registry_lines(self, tmp_path):
        content = "646,5550136\n6465550138\n646,5550137\n6465550139\n"

        report = run(tmp_path, content, name="full.txt")

        assert report.added == 4


@pytest.mark.django_db
class TestRows:
    def test_blank_lines_are_counted(self, tmp_path):
        report = run(tmp_path, "2025550143\n\n   \n2025550144\n\n")

        assert report.blank == 3
        assert report.added == 2
        assert report.rows_read == 5
        assert_every_row_counted(report)

    def test_blank_csv_rows_are_counted(self, tmp_path):
        report = run(tmp_path, "phone;name\n2025550143;Ann\n;\n;;\n")

        assert report.blank == 2
        assert report.added == 1
        assert_every_row_counted(report)

    def test_missing_phone_value_is_rejected(self, tmp_path):
        report = run(tmp_path, "phone,name\n2025550143,Ann\n,Bo\n")

        assert report_rows(report, "rejected") == [
            (
                3,
                "",
                "Row 3 has no value in the phone column. Add the number or "
                "delete the row.",
            )
        ]

    def test_rejected_rows_have_line_numbers(self, tmp_path):
        content = "phone\n2025550143\n+2025550143\n12345\n2025550143.5\n2025550144\n"

        report = run(tmp_path, content)

        assert report.added == 2
        rejected = report_rows(report, "rejected")
        assert [(row, value) for row, value, _ in rejected] == [
            (3, "+2025550143"),
            (4, "12345"),
            (5, "2025550143.5"),
        ]
        for _, value, error in rejected:
            assert f'"{value}"' in error
        assert_every_row_counted(report)

    def test_good_rows_around_bad_ones(self, tmp_path):
        lines = []
        for n in range(100):
            lines.append(f"20255501{n:02d}" if n % 2 else f"bad value {n}")

        report = run(tmp_path, "\n".join(lines) + "\n", name="list.txt")

        assert report.added == 50
        assert report.rejected == 50
        assert len(listed()) == 50

    def test_duplicates_report_first_row(self, tmp_path):
        content = "2025550143\n(202) 555-0143\n2025550144\n+1 202 555 0143\n"

        report = run(tmp_path, content, name="list.txt")

        assert report.added == 2
        duplicates = report.report_rows(DncImportRow.Kind.DUPLICATE)
        assert [(row.row, row.value) for row in duplicates] == [
            (2, "(202) 555-0143"),
            (4, "+1 202 555 0143"),
        ]
        for row in duplicates:
            assert row.phone_number == "+12025550143"
            assert row.repeats_row == 1
            assert row.error.startswith("Same number as row 1 (+12025550143).")

    def test_repeated_full_width_value_is_kept(self, tmp_path):
        full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in "2025550143")

        report = run(tmp_path, f"2025550143\n{full_width}\n", name="list.txt")

        assert report_rows(report, "duplicate")[0][:2] == (2, full_width)

    def test_repeated_registry_pair_keeps_its_value(self, tmp_path):
        content = "202,5550143,A\n202,5550143,A\n"

        report = run(tmp_path, content, name="changes.txt")

        assert report_rows(report, "duplicate")[0][:2] == (2, "202,5550143")

    @pytest.mark.parametrize(
        "value",
        [
            "2025550143",
            "12025550143",
            "+12025550143",
            "(202) 555-0143",
            "202-555-0143",
            "1-202-555-0143",
            "+1 202 555 0143",
            "202.555.0143",
            "2025550143.0",
            "202 555 0143 x12",
            "+1 (202) 555-0143",
        ],
    )
    def test_number_formats(self, tmp_path, value):
        report = run(tmp_path, f"phone\n{value}\n")

        assert report.added == 1
        assert listed() == {"+12025550143"}

    def test_undecodable_bytes_are_rejected(self, tmp_path):
        # Past the bytes read for detection, the file was taken for UTF-8.
        repeats = 30_000
        content = b"phone\n" + b"2025550143\n" * repeats + b"20255\xff50144\n"

        report = run(tmp_path, content)

        assert "UTF-8" in report.layout
        assert report.added == 1
        rows = report_rows(report, "rejected")
        assert rows[0][0] == repeats + 2
        assert rows[0][1] == "20255\\udcff50144"
        assert "not valid in the file's text encoding" in rows[0][2]

    def test_invalid_utf8_early_means_windows_1252(self, tmp_path):
        report = run(tmp_path, b"phone\n2025550143\n20255\xff50144\n")

        assert "Windows-1252" in report.layout
        rows = report_rows(report, "rejected")
        assert rows[0][:2] == (3, "20255\xff50144".encode("latin-1").decode("cp1252"))

    def test_quoted_field_over_two_lines(self, tmp_path):
        content = 'phone,note\n2025550143,"two\nlines"\nbad,x\n'

        report = run(tmp_path, content)

        assert report.added == 1
        assert report_rows(report, "rejected")[0][0] == 4

    def test_many_rows(self, tmp_path, alice):
        count = 20_000
        numbers = [f"+120255{n // 10000 + 2}{n % 10000:04d}" for n in range(count)]
        content = "phone\n" + "\n".join(number[2:] for number in numbers) + "\n"
        content += "2025520000\nnot a number\n\n"

        report = run(tmp_path, content, by=alice)

        assert report.rows_read == count + 3
        assert report.added == count
        assert report.duplicates == 1
        assert report.rejected == 1
        assert report.blank == 1
        assert DncNumber.objects.filter(dnc_import=report.dnc_import).count() == count
        assert listed() == set(numbers)


@pytest.mark.django_db
class TestChangeLists:
    def test_flag_column_without_header(self, tmp_path, alice):
        list_number("2025550150", Source.MANUAL, alice)
        run(tmp_path, "2025550151\n", name="first.txt")

        report = run(
            tmp_path,
            "2025550143,A\n2025550150,D\n2025550151,D\n2025550152,D\n",
            name="changes.txt",
            by=alice,
        )

        assert report.added == 1
        assert report.removed == 1
        assert report.kept == 1
        assert report.not_listed == 1
        assert_every_row_counted(report)
        assert listed() == {"+12025550143", "+12025550150"}
        assert "change list" in report.layout

    def test_registry_deletion_is_audited(self, tmp_path, alice):
        run(tmp_path, "2025550151\n2025550152\n", name="first.txt")

        report = run(tmp_path, "phone,action\n2025550151,delete\n", by=alice)

        entry = AuditEntry.objects.get(action=AuditEntry.Action.REMOVED)
        assert entry.phone_number == "+12025550151"
        assert entry.reason == RemovalReason.REGISTRY_DELETION
        assert entry.source == Source.IMPORT
        assert entry.user == alice
        assert entry.dnc_import == report.dnc_import
        assert listed() == {"+12025550152"}
        summary = AuditEntry.objects.get(
            dnc_import=report.dnc_import, action="imported"
        )
        assert summary.details["removed"] == 1

    @pytest.mark.parametrize("source", [Source.MANUAL, Source.CALL_STATUS, Source.API])
    def test_person_request_is_kept(self, tmp_path, source):
        list_number("2025550151", source)

        report = run(tmp_path, "phone,flag\n2025550151,D\n")

        assert report.kept == 1
        assert report.removed == 0
        assert listed() == {"+12025550151"}
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.REMOVED)

    def test_request_after_import_is_kept(self, tmp_path, alice):
        run(tmp_path, "2025550151\n", name="first.txt")
        result = DncNumber.objects.add("2025550151", by=alice, source=Source.MANUAL)
        assert not result.created

        report = run(tmp_path, "phone,change\n2025550151,D\n")

        assert report.kept == 1
        assert listed() == {"+12025550151"}

    def test_area_code_pairs_with_flags(self, tmp_path):
        run(tmp_path, "2025550151\n", name="first.txt")

        report = run(tmp_path, "202,5550143,A\n202,5550151,D\n", name="changes.txt")

        assert report.added == 1
        assert report.removed == 1
        assert listed() == {"+12025550143"}

    @pytest.mark.parametrize(
        "lines",
        [
            ["A,{}", "A,{}", "D,{}", "D,{}", "D,{}", "X,{}"],
            ["{},A", "{},A", "{},D", "{},D", "{},D", "{},X"],
        ],
        ids=["flag-first", "flag-last"],
    )
    def test_one_unknown_flag_keeps_the_change_list(self, tmp_path, lines):
        run(tmp_path, "4155550145\n7185550199\n", name="first.txt")
        numbers = [
            "7185550121",
            "7185550122",
            "4155550145",
            "3055550199",
            "7185550199",
            "7185550123",
        ]
        content = "".join(
            line.format(number) + "\n"
            for line, number in zip(lines, numbers, strict=True)
        )

        report = run(tmp_path, content, name="changes.txt")

        assert "change list" in report.layout
        assert report.added == 2
        assert report.removed == 2
        assert report.not_listed == 1
        assert report.rejected == 1
        assert_every_row_counted(report)
        assert listed() == {"+17185550121", "+17185550122"}
        [(row, value, error)] = report_rows(report, "rejected")
        assert row == 6
        assert value == lines[5].format("7185550123")
        assert error == (
            'Row 6 has the unknown add/delete flag "X". Use A to add the number '
            "or D to delete it."
        )

    def test_mostly_unknown_flags_are_no_change_list(self, tmp_path):
        content = "Ann,2025550143\nBo,2025550144\nA,2025550145\n"

        report = run(tmp_path, content)

        assert "change list" not in report.layout
        assert report.added == 3

    def test_kept_numbers_are_reported(self, tmp_path, alice):
        list_number("2025550150", Source.MANUAL, alice)
        run(tmp_path, "2025550151\n", name="first.txt")

        report = run(tmp_path, "D,202-555-0150\nD,2025550151\n", name="changes.txt")

        assert report.kept == 1
        assert report.removed == 1
        [kept] = report.report_rows(DncImportRow.Kind.KEPT)
        assert kept.row == 1
        assert kept.value == "202-555-0150"
        assert kept.phone_number == "+12025550150"
        assert kept.error == (
            "Not removed: a person or the API also listed +12025550150, so it "
            "stays on the list. Remove it on the DNC Numbers page if the deletion "
            "applies to it."
        )
        assert_every_row_counted(report)

    def test_unknown_flag_is_rejected(self, tmp_path):
        content = "phone,action\n2025550143,add\n2025550144,X\n2025550145,\n"

        report = run(tmp_path, content)

        assert report.added == 1
        errors = [error for _, _, error in report_rows(report, "rejected")]
        assert errors == [
            'Row 3 has the unknown add/delete flag "X". Use A to add the number '
            "or D to delete it.",
            "Row 4 has no add/delete flag. Use A to add the number or D to delete it.",
        ]


@pytest.mark.django_db
def test_failure_rolls_back_everything(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("dnc.importing.load.store_report_rows", fail)

    with pytest.raises(RuntimeError):
        run(tmp_path, "2025550143\nbad\n")

    assert DncNumber.objects.count() == 0
    assert DncImportRow.objects.count() == 0
    assert not AuditEntry.objects.exists()
    dnc_import = DncImport.objects.get()
    assert dnc_import.status == DncImport.Status.FAILED
    assert "RuntimeError: disk full" in dnc_import.error
    assert "Nothing from this file was added" in dnc_import.error
