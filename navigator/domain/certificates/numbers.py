"""Certificate numbers: random, twelve digits, the last a Luhn check digit."""

from __future__ import annotations

import secrets

from navigator.domain.shared.errors import InvalidInput

NUMBER_DIGITS = 12  # 11 random digits and a Luhn check digit


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_certificate_number() -> str:
    """Random, so numbers cannot be enumerated; the check digit catches typos."""
    body = str(secrets.randbelow(9 * 10 ** (NUMBER_DIGITS - 2)) + 10 ** (NUMBER_DIGITS - 2))
    return body + luhn_check_digit(body)


def normalize_certificate_number(text: str) -> str:
    """'1234 5678-9012' → '123456789012'; refuses a wrong length or check digit."""
    digits = "".join(ch for ch in str(text) if ch not in " -")
    if len(digits) != NUMBER_DIGITS or not all(ch in "0123456789" for ch in digits):
        raise InvalidInput("certificate_number_format", digits=NUMBER_DIGITS)
    if luhn_check_digit(digits[:-1]) != digits[-1]:
        raise InvalidInput("certificate_number_check_digit")
    return digits


def format_certificate_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
