import pytest

from navigator.domain.certificates.numbers import (
    format_certificate_number,
    new_certificate_number,
    normalize_certificate_number,
)
from navigator.domain.shared.errors import InvalidInput


def test_new_numbers_are_random_and_carry_a_valid_check_digit():
    numbers = {new_certificate_number() for _ in range(2000)}
    assert len(numbers) == 2000
    for number in numbers:
        assert len(number) == 12 and number[0] != "0"
        assert normalize_certificate_number(format_certificate_number(number)) == number


def test_a_single_typo_or_swap_is_caught():
    number = new_certificate_number()
    wrong_digit = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    with pytest.raises(InvalidInput):
        normalize_certificate_number(wrong_digit)
    if number[3] != number[4]:
        swapped = number[:3] + number[4] + number[3] + number[5:]
        with pytest.raises(InvalidInput):
            normalize_certificate_number(swapped)


@pytest.mark.parametrize("text", ["", "12345", "abcdabcdabcd", "1234567890123", "1234-5678-901x"])
def test_malformed_numbers_are_refused(text):
    with pytest.raises(InvalidInput):
        normalize_certificate_number(text)
