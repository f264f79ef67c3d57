"""Tables as CSV and XLSX files that open safely in a spreadsheet.

Text that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return first) is
prefixed with an apostrophe in CSV and stored as a plain string in XLSX: a provider named
"=HYPERLINK(...)" stays a name. Money is written in the currency's main unit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from navigator.domain.shared.money import exponent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def main_units(minor: int, currency: str) -> Decimal:
    """1250 EUR → Decimal('12.50'): exact, for files and form fields."""
    return Decimal(minor).scaleb(-exponent(currency))


def _cells(row: Sequence[object], money_at: set[int], currency: str) -> list[object]:
    return [
        main_units(int(value), currency) if i in money_at and isinstance(value, int) else value  # type: ignore[arg-type]
        for i, value in enumerate(row)
    ]


def to_csv(
    header: Sequence[str], rows: Sequence[Sequence[object]], money_at: set[int], currency: str
) -> str:
    """UTF-8 with a byte-order mark: without it a spreadsheet opens Cyrillic or Lithuanian
    letters as mojibake."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_safe_text(h) for h in header])
    for row in rows:
        writer.writerow(
            [_safe_text(v) if isinstance(v, str) else v for v in _cells(row, money_at, currency)]
        )
    return out.getvalue()


def to_xlsx(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    money_at: set[int],
    currency: str,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "report"
    places = exponent(currency)
    money_format = "#,##0" + ("." + "0" * places if places else "")
    table: list[list[object]] = [list(header), *_cells_all(rows, money_at, currency)]
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
            else:
                cell.value = value  # type: ignore[assignment]
                if r > 1 and c - 1 in money_at:
                    cell.number_format = money_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells_all(
    rows: Sequence[Sequence[object]], money_at: set[int], currency: str
) -> list[list[object]]:
    return [_cells(row, money_at, currency) for row in rows]
