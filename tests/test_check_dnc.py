import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dnc.models import DncNumber


@pytest.fixture
def listed_numbers(db):
    DncNumber.objects.create(phone_number="+12025550143", source="manual")
    DncNumber.objects.create(phone_number="+442079460958", source="manual")


def test_check_dnc_listed_and_unlisted(listed_numbers, capsys):
    call_command("check_dnc", "(202) 555-0143", "202-555-0144", "+44 20 7946 0958")

    assert capsys.readouterr().out == (
        "(202) 555-0143 -> +12025550143: on the DNC list\n"
        "202-555-0144 -> +12025550144: not on the DNC list\n"
        "+44 20 7946 0958 -> +442079460958: on the DNC list\n"
    )


def test_check_dnc_invalid_does_not_abort(listed_numbers, capsys):
    call_command("check_dnc", "n/a", "2025550143999", "+2025550143", "202.555.0143")

    assert capsys.readouterr().out == (
        "n/a -> invalid: contains no digits.\n"
        "2025550143999 -> invalid: too many digits for a US number.\n"
        "+2025550143 -> invalid: not a valid number for country code +20 (EG). "
        'Without the "+" it is a valid US number, so drop the "+" or write "+1" '
        "in front of it.\n"
        "202.555.0143 -> +12025550143: on the DNC list\n"
    )


def test_check_dnc_json_output(listed_numbers, capsys):
    call_command(
        "check_dnc", "--json", "1-202-555-0143", "(646) 555-0199", "2.02555E+09"
    )

    rows = json.loads(capsys.readouterr().out)

    assert rows == [
        {
            "input": "1-202-555-0143",
            "e164": "+12025550143",
            "valid": True,
            "dnc": True,
            "error": None,
        },
        {
            "input": "(646) 555-0199",
            "e164": "+16465550199",
            "valid": True,
            "dnc": False,
            "error": None,
        },
        {
            "input": "2.02555E+09",
            "e164": None,
            "valid": False,
            "dnc": None,
            "error": (
                'Invalid phone number "2.02555E+09": a spreadsheet converted it to '
                "scientific notation, which loses digits. Format the column as text "
                "in the spreadsheet and export it again."
            ),
        },
    ]


def test_check_dnc_json_keeps_unicode_input(listed_numbers, capsys):
    call_command("check_dnc", "--json", "٢٠٢٥٥٥٠١٤٣")

    output = capsys.readouterr().out
    rows = json.loads(output)

    assert "٢٠٢٥٥٥٠١٤٣" in output
    assert rows[0]["e164"] == "+12025550143"
    assert rows[0]["dnc"] is True


def test_check_dnc_repeated_input(listed_numbers, capsys):
    call_command("check_dnc", "2025550143", "+1 202 555 0143")

    assert capsys.readouterr().out == (
        "2025550143 -> +12025550143: on the DNC list\n"
        "+1 202 555 0143 -> +12025550143: on the DNC list\n"
    )


def test_check_dnc_one_query(listed_numbers, capsys, django_assert_num_queries):
    with django_assert_num_queries(1):
        call_command(
            "check_dnc",
            "2025550143",
            "2025550144",
            "6465550199",
            "n/a",
            "+442079460958",
        )

    assert capsys.readouterr().out.count("\n") == 5


def test_check_dnc_no_query_when_all_invalid(db, capsys, django_assert_num_queries):
    with django_assert_num_queries(0):
        call_command("check_dnc", "n/a", "555-0143")

    assert capsys.readouterr().out == (
        "n/a -> invalid: contains no digits.\n"
        "555-0143 -> invalid: too few digits for a US number. It looks like a "
        "local number, so add the area code.\n"
    )


def test_check_dnc_region_option(listed_numbers, capsys):
    call_command("check_dnc", "--region", "gb", "020 7946 0958", "2025550143")

    assert capsys.readouterr().out == (
        "020 7946 0958 -> +442079460958: on the DNC list\n"
        "2025550143 -> invalid: not a valid GB number.\n"
    )


def test_check_dnc_region_setting(listed_numbers, capsys, settings):
    settings.DNC_DEFAULT_REGION = "GB"

    call_command("check_dnc", "020 7946 0958")

    assert capsys.readouterr().out == (
        "020 7946 0958 -> +442079460958: on the DNC list\n"
    )


def test_check_dnc_rejects_unknown_region(db):
    with pytest.raises(CommandError, match='Unknown region "XX"'):
        call_command("check_dnc", "--region", "XX", "2025550143")


def test_check_dnc_requires_number(db):
    with pytest.raises(CommandError, match="NUMBER"):
        call_command("check_dnc")
