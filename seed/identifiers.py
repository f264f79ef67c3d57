"""Made-up national identifiers for demo and test children that pass the format and
checksum rules (СНИЛС from 900-000-000 up; Lithuanian codes of the child's birth date)."""

from __future__ import annotations

from datetime import date

from navigator.domain.accounts import national_ids


def snils(n: int) -> str:
    """The n-th СНИЛС of the demo range, with its check digits, as people write it."""
    number = f"{900_000_000 + n % 99_999_999:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(number))
    check = total if total < 100 else 0 if total in (100, 101) else total % 101
    check = 0 if check == 100 else check
    return f"{number[:3]}-{number[3:6]}-{number[6:]} {check:02d}"


def lithuanian_code(birth_date: date, n: int, *, female: bool = False) -> str:
    """An asmens kodas for a child born on `birth_date` with serial n (mod 1000)."""
    century = (birth_date.year - 1800) // 100  # 0: 1800s, 1: 1900s, 2: 2000s
    first = 1 + 2 * century + (1 if female else 0)
    stem = f"{first}{birth_date:%y%m%d}{n % 1000:03d}"
    return stem + str(national_ids.lt_check_digit(stem + "0"))


def national_id(country: str, birth_date: date, n: int, *, female: bool = False) -> str:
    if country == "RU":
        return snils(n)
    if country == "LT":  # its first digit says a girl or a boy
        return lithuanian_code(birth_date, n, female=female)
    return f"ID{n:08d}"
