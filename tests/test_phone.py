import pickle

import pytest

from dnc.phone import InvalidPhoneNumber, format_national, search_digits, to_e164

# Maps printable ASCII to the full-width forms of East Asian text input.
FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def fullwidth(text: str) -> str:
    return text.translate(FULLWIDTH)


# 202-555-01xx and the other 555-01xx numbers are fictional, but phonenumbers
# validates them as real US numbers, so they stand in for customer numbers.
NATIONAL_FORMS = [
    ("(202) 555-0143", "+12025550143"),
    ("202.555.0143", "+12025550143"),
    ("202-555-0143", "+12025550143"),
    ("2025550143", "+12025550143"),
    ("202 555 0143", "+12025550143"),
    ("202/555/0143", "+12025550143"),
    ("(202)5550143", "+12025550143"),
    ("(202) 555 -0143", "+12025550143"),
    ("202\u2013555\u20130143", "+12025550143"),
    ("202\u00a0555\u00a00143", "+12025550143"),
    ("  (202) 555-0143\t\n", "+12025550143"),
    ("1-202-555-0143", "+12025550143"),
    ("12025550143", "+12025550143"),
    ("1 (202) 555-0143", "+12025550143"),
    ("(646) 555-0199", "+16465550199"),
    ("212.555.0100", "+12125550100"),
    ("800 555 0100", "+18005550100"),
    ("(416) 555-0143", "+14165550143"),
]

INTERNATIONAL_FORMS = [
    ("+1 202 555 0143", "+12025550143"),
    ("+12025550143", "+12025550143"),
    ("+1 (202) 555-0143", "+12025550143"),
    ("+1.202.555.0143", "+12025550143"),
    ("011 1 202 555 0143", "+12025550143"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+44 (0)20 7946 0958", "+442079460958"),
    ("011 44 20 7946 0958", "+442079460958"),
    ("+33 1 23 45 67 89", "+33123456789"),
    ("+49 30 123456", "+4930123456"),
    ("+81 3-1234-5678", "+81312345678"),
    ("+7 495 123 45 67", "+74951234567"),
    ("+800 1234 5678", "+80012345678"),
]

EXTENSIONS = [
    ("202-555-0143 x123", "+12025550143"),
    ("202-555-0143 X123", "+12025550143"),
    ("202-555-0143x123", "+12025550143"),
    ("202-555-0143 ext. 45", "+12025550143"),
    ("202-555-0143 ext 45", "+12025550143"),
    ("202 555 0143 extension 7", "+12025550143"),
    ("202-555-0143 #22", "+12025550143"),
    ("202 555 0143;ext=55", "+12025550143"),
    ("202 555 0143 (x12)", "+12025550143"),
    ("202-555-0143 x", "+12025550143"),
    ("+44 20 7946 0958 ext. 301", "+442079460958"),
]

UNICODE_DIGITS = [
    (fullwidth("2025550143"), "+12025550143"),
    (fullwidth("(202)555-0143"), "+12025550143"),
    (fullwidth("+1 202 555 0143"), "+12025550143"),
    ("٢٠٢٥٥٥٠١٤٣", "+12025550143"),
    ("۲۰۲۵۵۵۰۱۴۳", "+12025550143"),
    ("२०२५५५०१४३", "+12025550143"),
    ("+٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨", "+442079460958"),
]

VANITY_NUMBERS = [
    ("1-800-FLOWERS", "+18003569377"),
    ("1-800-flowers", "+18003569377"),
    ("800-FLOWERS", "+18003569377"),
    ("+1 800 FLOWERS", "+18003569377"),
    ("1-800-GO-FEDEX", "+18004633339"),
    ("1-800-FLOWERS x12", "+18003569377"),
    ("1-800-" + fullwidth("FLOWERS"), "+18003569377"),
]

SPREADSHEET_CELLS = [
    ("2025550143.0", "+12025550143"),
    ("2025550143.00", "+12025550143"),
    ("12025550143.0", "+12025550143"),
    ("+12025550143.0", "+12025550143"),
    ("2025550143,0", "+12025550143"),
    ("2,025,550,143", "+12025550143"),
    ('="2025550143"', "+12025550143"),
    ("'2025550143", "+12025550143"),
]


@pytest.mark.parametrize(("text", "expected"), NATIONAL_FORMS)
def test_to_e164_accepts_national_forms(text, expected):
    assert to_e164(text) == expected


@pytest.mark.parametrize(("text", "expected"), INTERNATIONAL_FORMS)
def test_to_e164_accepts_international_forms(text, expected):
    assert to_e164(text) == expected


@pytest.mark.parametrize(("text", "expected"), EXTENSIONS)
def test_to_e164_drops_extensions(text, expected):
    assert to_e164(text) == expected


@pytest.mark.parametrize(("text", "expected"), UNICODE_DIGITS)
def test_to_e164_accepts_unicode_digits(text, expected):
    assert to_e164(text) == expected


@pytest.mark.parametrize(("text", "expected"), VANITY_NUMBERS)
def test_to_e164_converts_vanity_letters(text, expected):
    assert to_e164(text) == expected


@pytest.mark.parametrize(("text", "expected"), SPREADSHEET_CELLS)
def test_to_e164_accepts_spreadsheet_cells(text, expected):
    assert to_e164(text) == expected


INVALID_REASONS = [
    ("", "the value is empty"),
    ("   ", "the value is empty"),
    ("n/a", "contains no digits"),
    ("call me", "contains no digits"),
    ("FLOWERS", "contains no digits"),
    ("2.02555E+09", "scientific notation"),
    ("6.46555E+09", "scientific notation"),
    ("2.025550143e9", "scientific notation"),
    ("2025550143.5", 'decimal fraction ".5"'),
    ("2025550143,25", 'decimal fraction ",25"'),
    ("2025550143999", "too many digits for a US number"),
    ("202555014", "too few digits for a US number"),
    ("555-0143", "too few digits for a US number"),
    ("1-800-FLOWERSS", "too many digits for a US number"),
    ("+2025550143", "not a valid number for country code +20 (EG)"),
    ("011 202 555 0143", "not a valid EG number"),
    ("(202) 155-0143", "not a valid US number"),
    ("+1 999 555 0143", "not a valid number for country code +1 (US)"),
    ("+882 1234 5678", "not a valid number for country code +882"),
    ("+999 1234", 'no valid country code follows the "+"'),
    ("011 999 1234", "no valid country code follows the international call"),
    ('="+2025550143"', "not a valid number for country code +20 (EG)"),
    ("+1", "too few digits to be a phone number"),
    ("7", "too few digits to be a phone number"),
    ("011 1", "too few digits after the international call prefix"),
    ("2025550143 2025550144", "too many digits to be a phone number"),
    ("Tel: 202 555 0143", 'starts with the text "Tel:"'),
    ("x123", 'starts with the text "x"'),
    ("202 555 O143", 'contains the letter "O" among the digits'),
    ("202 555 0143 ab", 'contains the letters "ab" among the digits'),
    ("202 555 0143 доб. 12", 'letters other than A to Z ("доб")'),
    ("202 555 0143; 2025550144", 'extra digits "2025550144" after the number'),
    ("202 555 0143, 45", 'extra digits "45" after the number'),
    ("#22", "contains an extension but no number"),
    ("202 555 0143 x 12 34", 'contains the letter "x" among the digits'),
]


@pytest.mark.parametrize(("text", "reason"), INVALID_REASONS)
def test_to_e164_rejects_invalid_values(text, reason):
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164(text)

    assert caught.value.value == text
    assert reason in caught.value.reason
    assert f'Invalid phone number "{text}": ' in str(caught.value)


INVALID_HINTS = [
    ("+2025550143", 'drop the "+" or write "+1" in front of it'),
    ("44 20 7946 0958", 'valid GB number, so write it as "+442079460958"'),
    ("555-0143", "add the area code"),
    ("2.02555E+09", "Format the column as text"),
    ("2025550143.5", "Format the column as text"),
    ("2025550143 2025550144", "put each in its own row"),
    ("202 555 0143; 2025550144", "Put each number in its own row"),
    ("202 555 0143 home", "keypad digits of a vanity number"),
    ("202 555 O143", 'an "O" or "l" typed in place of 0 or 1'),
    ("Tel: 202 555 0143", "contains only the number"),
]


@pytest.mark.parametrize(("text", "hint"), INVALID_HINTS)
def test_to_e164_hints_at_fix(text, hint):
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164(text)

    assert hint in caught.value.hint
    assert str(caught.value).endswith(f". {caught.value.hint}")


def test_to_e164_message_without_hint():
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164("2025550143999")

    assert str(caught.value) == (
        'Invalid phone number "2025550143999": too many digits for a US number.'
    )
    assert caught.value.hint == ""


def test_to_e164_message_for_plus_without_country_code():
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164("+2025550143")

    assert str(caught.value) == (
        'Invalid phone number "+2025550143": not a valid number for country code '
        '+20 (EG). Without the "+" it is a valid US number, so drop the "+" or '
        'write "+1" in front of it.'
    )


def test_to_e164_rejects_overlong_value():
    text = "2" * 300

    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164(text)

    assert caught.value.value == text
    assert "300 characters, the maximum is 250" in caught.value.reason
    assert f'Invalid phone number "{"2" * 60}…": ' in str(caught.value)


def test_to_e164_escapes_control_characters():
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164("202\n555 0143")

    assert caught.value.value == "202\n555 0143"
    assert "\n" not in str(caught.value)
    assert 'Invalid phone number "202\\n555 0143": ' in str(caught.value)


def test_invalid_phone_number_is_value_error():
    with pytest.raises(ValueError, match="too few digits"):
        to_e164("202555014")


def test_invalid_phone_number_survives_pickle():
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164("+2025550143")

    restored = pickle.loads(pickle.dumps(caught.value))

    assert restored.value == caught.value.value
    assert restored.reason == caught.value.reason
    assert restored.hint == caught.value.hint
    assert str(restored) == str(caught.value)


def test_to_e164_rejects_unknown_region():
    with pytest.raises(ValueError, match="Unknown phone number region 'XX'") as caught:
        to_e164("2025550143", region="XX")

    assert not isinstance(caught.value, InvalidPhoneNumber)


def test_to_e164_region_argument():
    assert to_e164("020 7946 0958", region="GB") == "+442079460958"
    assert to_e164("00 1 202 555 0143", region="GB") == "+12025550143"


def test_to_e164_region_setting(settings):
    settings.DNC_DEFAULT_REGION = "GB"

    assert to_e164("020 7946 0958") == "+442079460958"
    assert to_e164("+1 202 555 0143") == "+12025550143"


def test_to_e164_region_setting_in_message(settings):
    settings.DNC_DEFAULT_REGION = "GB"

    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164("020 7946 09589")

    assert caught.value.reason == "too many digits for a GB number"


FORMATTED_NUMBERS = [
    ("+12025550143", "(202) 555-0143"),
    ("+18003569377", "(800) 356-9377"),
    ("+14165550143", "(416) 555-0143"),
    ("+442079460958", "+44 20 7946 0958"),
    ("+33123456789", "+33 1 23 45 67 89"),
    ("+80012345678", "+800 1234 5678"),
]


@pytest.mark.parametrize(("e164", "expected"), FORMATTED_NUMBERS)
def test_format_national_formats(e164, expected):
    assert format_national(e164) == expected


@pytest.mark.parametrize(("e164", "expected"), FORMATTED_NUMBERS)
def test_format_national_round_trips(e164, expected):
    assert to_e164(format_national(e164)) == e164


def test_format_national_region_setting(settings):
    settings.DNC_DEFAULT_REGION = "GB"

    assert format_national("+442079460958") == "020 7946 0958"
    assert format_national("+12025550143") == "+1 202-555-0143"


@pytest.mark.parametrize("value", ["2025550143", "", "not a number"])
def test_format_national_rejects_non_e164(value):
    with pytest.raises(InvalidPhoneNumber) as caught:
        format_national(value)

    assert caught.value.reason == "not in E.164 format"
    assert f'Invalid phone number "{value}": ' in str(caught.value)


SEARCH_STRINGS = [
    ("(202) 555-0143", "2025550143"),
    ("+1 202 555 0143", "12025550143"),
    ("555-01", "55501"),
    ("0143", "0143"),
    ("٢٠٢", "202"),
    ("۲۰۲", "202"),
    ("५५५", "555"),
    (fullwidth("555-0143"), "5550143"),
    ("1-800-FLOWERS", "1800"),
    ("flowers", ""),
    ("n/a", ""),
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("text", "expected"), SEARCH_STRINGS)
def test_search_digits_extracts_digits(text, expected):
    assert search_digits(text) == expected
