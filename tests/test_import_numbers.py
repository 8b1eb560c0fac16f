import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumber

from dnc.importing.nanp import NanpValidator, UnsupportedPattern, placeholder_variants
from dnc.importing.rows import NumberParser
from dnc.phone import InvalidPhoneNumber, to_e164


def phonenumbers_verdict(national: str) -> bool:
    number = PhoneNumber(country_code=1, national_number=int(national))
    return phonenumbers.is_valid_number(number)


def area_codes_of_every_nanp_region() -> list[str]:
    codes = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        example = phonenumbers.example_number(region)
        if example is not None:
            codes.add(phonenumbers.national_significant_number(example)[:3])
    return sorted(codes)


class TestNanpValidator:
    def test_agrees_with_phonenumbers_on_random_numbers(self):
        validator = NanpValidator()
        generator = random.Random(1)
        areas = area_codes_of_every_nanp_region()
        nationals = [
            f"{generator.randint(200, 999)}{generator.randint(0, 9999999):07d}"
            for _ in range(8000)
        ]
        nationals += [
            f"{generator.choice(areas)}{generator.randint(0, 9999999):07d}"
            for _ in range(8000)
        ]

        mismatches = [
            national
            for national in nationals
            if validator.is_valid(national) != phonenumbers_verdict(national)
        ]

        assert mismatches == []

    def test_agrees_on_every_region_example(self):
        validator = NanpValidator()
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
            for kind in (
                phonenumbers.PhoneNumberType.FIXED_LINE,
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.TOLL_FREE,
            ):
                example = phonenumbers.example_number_for_type(region, kind)
                if example is None:
                    continue
                national = phonenumbers.national_significant_number(example)
                assert validator.is_valid(national), (region, kind, national)

    def test_verdicts_are_cached_per_prefix(self):
        validator = NanpValidator()

        assert validator.is_valid("2025550143")
        assert validator.is_valid("2025550199")
        assert not validator.is_valid("9995550143")

        assert validator._verdicts == {"2025": True, "9995": False}

    def test_variants_of_a_pattern(self):
        any_variant, all_variant = placeholder_variants(r"2(?:0[1-3]|1\d)[2-9]\d{6}")

        assert any_variant.fullmatch("202_______")
        assert not any_variant.fullmatch("204_______")
        assert not all_variant.fullmatch("202_______")
        assert all_variant.fullmatch("2025______")

    def test_unknown_syntax_is_refused(self):
        with pytest.raises(UnsupportedPattern):
            placeholder_variants(r"[^0]\d{9}")


def outcome(convert, value):
    try:
        return convert(value)
    except InvalidPhoneNumber as exc:
        return ("rejected", str(exc))


class TestNumberParser:
    @pytest.mark.parametrize(
        "value",
        [
            "2025550143",
            " 2025550143 ",
            "12025550143",
            "+12025550143",
            "+2025550143",
            "1202555014",
            "0202555014",
            "(202) 555-0143",
            "202-555-0143",
            "202.555.0143",
            "2025550143.0",
            "202555014.3",
            "20.25550143",
            "+1 (202) 555-0143",
            "1 202 555 0143",
            "+44 20 7946 0958",
            "0800 123 4567",
            "٢٠٢٥٥٥٠١٤٣",
            "1-800-FLOWERS",
            "2.02555E+09",
            "9995550143",
            "",
        ],
    )
    def test_same_result_as_to_e164(self, value):
        assert outcome(NumberParser().to_e164, value) == outcome(to_e164, value)

    def test_same_result_on_random_shapes(self):
        parser = NumberParser()
        generator = random.Random(2)
        shapes = [
            "{a}{b}{c}",
            "1{a}{b}{c}",
            "+1{a}{b}{c}",
            "({a}) {b}-{c}",
            "{a}-{b}-{c}",
            "{a}.{b}.{c}",
            "+1 {a} {b} {c}",
            "1-{a}-{b}-{c}",
            "+{a}{b}{c}",
        ]
        for _ in range(3000):
            value = generator.choice(shapes).format(
                a=f"{generator.randint(0, 999):03d}",
                b=f"{generator.randint(0, 999):03d}",
                c=f"{generator.randint(0, 9999):04d}",
            )
            assert outcome(parser.to_e164, value) == outcome(to_e164, value), value

    def test_other_region_reads_bare_digits_as_its_own(self, settings):
        settings.DNC_DEFAULT_REGION = "GB"
        parser = NumberParser()

        assert parser.to_e164("02079460958") == "+442079460958"
        assert parser.to_e164("+12025550143") == "+12025550143"
        assert outcome(parser.to_e164, "2025550143") == outcome(to_e164, "2025550143")
