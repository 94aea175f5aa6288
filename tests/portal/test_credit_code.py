import pytest
from django.core.exceptions import ValidationError

from portal import credit_code
from portal.forms import CreditCodeField

# Codes of real enterprises, published on their licences; they satisfy GB 32100—2015.
VALID = [
    "91310000132149237G",
    "91310000607216596U",
    "914403001922038216",
    "91330100716105852F",
    "91110108551385082Q",
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    credit_code.validate_credit_code(code)


@pytest.mark.parametrize("code", VALID)
def test_check_character_matches_the_published_one(code):
    assert credit_code.check_character(code[:17]) == code[-1]


def test_check_character_zero_when_the_sum_is_a_multiple_of_31():
    # 17 zeros sum to 0: (31 − 0) mod 31 = 0 → "0", not the 31st character.
    assert credit_code.check_character("0" * 17) == "0"


@pytest.mark.parametrize("code", VALID)
def test_wrong_check_character_is_refused(code):
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        credit_code.validate_credit_code(wrong)
    assert error.value.code == "check_digit"
    assert "校验位" in str(error.value.messages[0])


@pytest.mark.parametrize("code", ["9131000013214923", "91310000132149237GX", ""])
def test_wrong_length_is_refused(code):
    with pytest.raises(ValidationError) as error:
        credit_code.validate_credit_code(code)
    assert error.value.code == "length"


def test_forbidden_letters_are_refused():
    with pytest.raises(ValidationError) as error:
        credit_code.validate_credit_code("9131000013214923IO")
    assert error.value.code == "charset"


def test_lowercase_is_refused_by_the_validator_but_normalised_by_the_form_field():
    lower = "91330100716105852f"
    with pytest.raises(ValidationError):
        credit_code.validate_credit_code(lower)
    assert CreditCodeField().clean(lower) == "91330100716105852F"


def test_spaces_including_full_width_are_removed_by_the_form_field():
    spaced = " 9131 0000\u300013214 9237g "
    assert CreditCodeField().clean(spaced) == "91310000132149237G"


def test_form_field_reports_wrong_check_character():
    with pytest.raises(ValidationError) as error:
        CreditCodeField().clean("91310000132149237H")
    assert error.value.code == "check_digit"
