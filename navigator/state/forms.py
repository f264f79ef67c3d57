"""Reading what the browser sends: ids and dates are checked here, never trusted."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from navigator.domain.shared.errors import InvalidInput

MAX_ID = 2**31 - 1


@dataclasses.dataclass
class Choice:
    """One option of a select: its value and what it says."""

    value: str
    label: str


def row_id(value: object) -> int | None:
    """A row id from the browser, or None: ASCII digits only ("²".isdigit() is True too)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    digits = str(value)
    if not re.fullmatch(r"[0-9]{1,10}", digits):
        return None
    return int(digits) if 0 < int(digits) <= MAX_ID else None


def form_date(form: dict, name: str) -> date:
    """An ISO date field of a submitted form; InvalidInput naming the field otherwise."""
    try:
        return date.fromisoformat(str(form.get(name, ""))[:10])
    except ValueError:
        raise InvalidInput("date_invalid", field=name) from None


def form_whole(form: dict, name: str) -> int:
    """A whole-number field of a submitted form (its sign is the domain's to judge)."""
    raw = str(form.get(name, "")).strip()
    if not re.fullmatch(r"-?[0-9]{1,9}", raw):
        raise InvalidInput("must_be_whole_number", field=name)
    return int(raw)


def path_id(path: str) -> int | None:
    """The id at the end of a page path such as /programs/42."""
    return row_id(path.rstrip("/").rsplit("/", 1)[-1])
