"""A child's national identifier: checked, then kept only as a keyed digest and a short hint.

National identifiers are low-entropy (the Lithuanian one holds the birth date and a
three-digit serial), so a plain hash could be reversed by trying every one. The digest is an
HMAC whose key lives outside the database: `NAVIGATOR_NATIONAL_ID_KEY`, or in development a
key file under var/secrets/ made on first use. The identifier itself is never stored or
shown; the hint is its last two digits.

- RU: СНИЛС, 11 digits with its two check digits (any spaces or dashes).
- LT: asmens kodas, 11 digits: century and sex, YYMMDD, serial, check digit; the date must
  be the child's birth date.
- Elsewhere: 5 to 20 letters or digits, no checksum known.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from navigator.domain.shared.errors import InvalidInput
from navigator.settings import get_settings

log = logging.getLogger(__name__)

KEY_ENV = "NAVIGATOR_NATIONAL_ID_KEY"


def normalize(country: str, raw: object, birth_date: date) -> str:
    """The identifier in its canonical form, or InvalidInput saying what is wrong with it."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("field_required", field="national_id")
    if country == "RU":
        digits = re.sub(r"[\s-]", "", raw)
        if not re.fullmatch(r"\d{11}", digits):
            raise InvalidInput("national_id_format", example="123-456-789 64")
        if not _snils_checksum_ok(digits):
            raise InvalidInput("national_id_checksum")
        return digits
    if country == "LT":
        digits = raw.strip()
        if not re.fullmatch(r"[1-6]\d{10}", digits):
            raise InvalidInput("national_id_format", example="51609150121")
        if int(digits[10]) != lt_check_digit(digits):
            raise InvalidInput("national_id_checksum")
        if _lt_birth_date(digits) != birth_date:
            raise InvalidInput("national_id_birth_date")
        return digits
    value = re.sub(r"[\s-]", "", raw).upper()
    if not re.fullmatch(r"[0-9A-Z]{5,20}", value):
        raise InvalidInput("national_id_format", example="AB123456")
    return value


def digest(country: str, normalized: str) -> str:
    """HMAC-SHA256 of the identifier with the key kept outside the database."""
    message = f"{country}:{normalized}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def hint(normalized: str) -> str:
    """All that is ever shown of it: the last two characters."""
    return "…" + normalized[-2:]


def _snils_checksum_ok(digits: str) -> bool:
    number, check = digits[:9], int(digits[9:])
    if int(number) <= 1_001_998:  # the first numbers were issued without a checksum
        return True
    total = sum(int(d) * (9 - i) for i, d in enumerate(number))
    expected = total if total < 100 else 0 if total in (100, 101) else total % 101
    return check == (0 if expected == 100 else expected)


def lt_check_digit(digits: str) -> int:
    for weights in ((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)):
        remainder = sum(int(d) * w for d, w in zip(digits[:10], weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return 0


def _lt_birth_date(digits: str) -> date | None:
    century = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}[int(digits[0])]
    try:
        return date(century + int(digits[1:3]), int(digits[3:5]), int(digits[5:7]))
    except ValueError:
        return None


MIN_KEY_LENGTH = 32


def _key() -> bytes:
    """The key from the environment; a development machine (the app on localhost) makes its
    own. Anywhere else a missing key stops the request: servers with different keys would
    store different digests for one child, and uniqueness and registry matches would fail."""
    from_env = os.environ.get(KEY_ENV, "")
    if from_env:
        if len(from_env) < MIN_KEY_LENGTH:
            raise RuntimeError(f"{KEY_ENV} must be at least {MIN_KEY_LENGTH} characters")
        return from_env.encode()
    host = urlsplit(get_settings().app_url).hostname or ""
    if host not in ("localhost", "127.0.0.1", "::1"):
        raise RuntimeError(f"set {KEY_ENV}: the same secret on every server, kept off the db")
    return _development_key(get_settings().var_dir / "secrets" / "national-id.key")


def _development_key(path: Path) -> bytes:
    """Made once per machine: losing it would orphan every stored digest, so it is never
    rotated silently. Production sets NAVIGATOR_NATIONAL_ID_KEY instead."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="ascii") as out:  # two processes: one wins
                os.chmod(path, 0o600)
                out.write(secrets.token_hex(32))
            log.warning("made a development key for national identifiers in %s", path)
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip().encode()
