"""The municipality's reports add up to the ledger, count the right children, export safely."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child, set_child_category
from navigator.domain.accounts.models import Child, Role
from navigator.domain.certificates.ledger import period_money
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import correct_attendance, mark_attendance
from navigator.domain.funding import reports
from navigator.domain.programs.api import ProgramFields, create_program
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.exports import to_csv, to_xlsx
from tests.domain.cabinet import _outcome
from tests.factories import PASSWORD, SYSTEM, World, build_world
from tests.support.invariants import assert_ledger_invariants

NINE, ELEVEN, SEVEN = date(2017, 3, 15), date(2015, 5, 1), date(2019, 1, 10)
INJECTED_NAME = '=HYPERLINK("http://x")'


@dataclass
class Town:
    """A town with two providers, seven children and money moved in every way a period sees."""

    world: World
    admin: Actor
    painting_provider_id: int


def _admin(world: World) -> Actor:
    with world.tx() as s:
        user = create_user(
            s,
            f"admin{world.municipality_id}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
    return Actor.user(user.id)


def _child(
    world: World,
    *,
    district: str,
    born: date = NINE,
    category: str = "base",
    certificate: bool = True,
    fund: bool = True,
) -> tuple[Actor, int]:
    if certificate:
        parent, child_id, _, _ = world.add_parent_with_child(birth_date=born, fund=fund)
    else:
        with world.tx() as s:
            user = create_user(
                s,
                f"no.certificate{world.municipality_id}@example.org",
                PASSWORD,
                roles=((Role.PARENT, None, None),),
            )
            parent = Actor.user(user.id)
            child_id = add_child(
                s,
                parent,
                guardian_id=user.id,
                municipality_id=world.municipality_id,
                first_name="Петя",
                last_name="Без сертификата",
                birth_date=born,
            ).id
    with world.tx() as s:
        s.get(Child, child_id).district = district
        if category != "base":
            set_child_category(s, SYSTEM, child_id, category)
    return parent, child_id


def _accept(world: World, staff: Actor, child_id: int, parent: Actor, group_id: int) -> int:
    enrollment_id = world.apply(child_id=child_id, parent=parent, group_id=group_id)
    with world.tx() as s:
        accept_application(s, staff, enrollment_id, today=world.today)
    return enrollment_id


def _mark(world: World, staff: Actor, enrollment_id: int, day: date) -> None:
    with world.tx() as s:
        mark_attendance(s, staff, enrollment_id, day, "present", today=day)


def _painting_provider(world: World, name: str) -> tuple[int, Actor, int]:
    with world.tx() as s:
        provider = create_provider(
            s, municipality_id=world.municipality_id, name=name, kind="private"
        )
        admit_provider(s, SYSTEM, provider.id)
        staff = Actor.user(
            create_user(
                s,
                f"painter{provider.id}@example.org",
                PASSWORD,
                roles=((Role.PROVIDER_STAFF, None, provider.id),),
            ).id
        )
        program = create_program(
            s,
            staff,
            provider.id,
            ProgramFields(
                title="Рисование", direction="artistic", age_min=5, age_max=12, language="ru"
            ),
        )
    group_id = world.add_group(program_id=program.id, actor=staff, price=30_000)
    world.certify(program.id, staff)  # once its group and price exist
    return provider.id, staff, group_id


def _town(engine, painting_name: str = "Студия рисунка") -> Town:
    """Robotics (technical, 8 × 500.00) and painting (artistic, 8 × 300.00):

    c1  base, Центр, 9        robotics: 3 lessons captured, one corrected away (refund)
    c2  base, Центр, 11       painting: 1 lesson, then cancelled (the rest released)
    c3  disability, Заречье, 7 painting: accepted
    c4  base, Заречье         funded, never enrolled
    c5  base, no district     certificate not funded: robotics, the parent pays all
    c6  base, Центр           no certificate at all
    c7  large family, " Заречье " robotics: accepted; painting: applied only
    """
    world = build_world(engine)
    admin = _admin(world)
    robotics, teacher = world.group_id, world.provider_user
    painting_provider, painter, painting = _painting_provider(world, painting_name)
    with world.tx() as s:
        s.get(Child, world.child_id).district = "Центр"

    c1 = _accept(world, teacher, world.child_id, world.parent, robotics)
    for day in (date(2026, 9, 7), date(2026, 9, 9)):
        _mark(world, teacher, c1, day)
    with world.tx() as s:
        correct_attendance(
            s,
            teacher,
            c1,
            date(2026, 9, 9),
            "absent",
            "Был болен, отмечен по ошибке",
            today=date(2026, 9, 10),
        )
    _mark(world, teacher, c1, date(2026, 9, 14))

    parent2, child2 = _child(world, district="Центр", born=ELEVEN)
    c2 = _accept(world, painter, child2, parent2, painting)
    _mark(world, painter, c2, date(2026, 9, 7))
    with world.tx() as s:
        cancel_enrollment(s, parent2, c2, reason="Переезд")

    parent3, child3 = _child(world, district="Заречье", born=SEVEN, category="disability")
    _accept(world, painter, child3, parent3, painting)
    _child(world, district="Заречье")
    parent5, child5 = _child(world, district="", fund=False)
    _accept(world, teacher, child5, parent5, robotics)
    _child(world, district="Центр", certificate=False)
    parent7, child7 = _child(world, district=" Заречье ", category="large_family")
    _accept(world, teacher, child7, parent7, robotics)
    world.apply(child_id=child7, parent=parent7, group_id=painting)

    # another town's money and children must not show in this one's reports
    other = build_world(engine)
    elsewhere = _accept(other, other.provider_user, other.child_id, other.parent, other.group_id)
    _mark(other, other.provider_user, elsewhere, date(2026, 9, 7))
    return Town(world, admin, painting_provider)


def _report(town: Town, name: str) -> reports.Report:
    with read_session(town.world.engine) as s:
        return reports.build(s, town.admin, name, town.world.period_id)


def _column(report: reports.Report, name: str) -> list[object]:
    at = report.columns.index(name)
    return [row[at] for row in report.rows]


def _ledger(town: Town) -> Counter:
    with read_session(town.world.engine) as s:
        rows = s.exec(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
            .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
            .where(CertificateAccount.period_id == town.world.period_id)
            .group_by(col(LedgerEntry.kind))
        ).all()
    return Counter({kind: int(total) for kind, total in rows})


@pytest.fixture
def town(engine) -> Town:
    made = _town(engine)
    assert_ledger_invariants(engine)
    return made


def test_an_unknown_report_is_not_found_even_for_the_admin(engine):
    world = build_world(engine)
    admin = _admin(world)
    assert _outcome(world, lambda s: reports.build(s, admin, "salaries", world.period_id)) == (
        "not_found"
    )


# ---------------------------------------------------------------- money


def test_spending_adds_up_to_the_ledger_kind_by_kind(town):
    report = _report(town, "spending")
    ledger = _ledger(town)

    totals = {name: sum(_column(report, name)) for name in report.money}

    assert totals == {
        "held": ledger[EntryKind.HOLD],
        "captured": ledger[EntryKind.CAPTURE],
        "released": ledger[EntryKind.RELEASE],
        "refunded": ledger[EntryKind.REFUND],
        "spent": ledger[EntryKind.CAPTURE] - ledger[EntryKind.REFUND],
    }
    # robotics 400.000 × 3 (+ 50.000 held again after the refund), painting 240.000 × 2
    assert totals == {
        "held": 1_330_000,
        "captured": 180_000,
        "released": 210_000,
        "refunded": 50_000,
        "spent": 130_000,
    }
    for row in report.rows:
        line = dict(zip(report.columns, row, strict=True))
        assert line["spent"] == line["captured"] - line["refunded"]
    assert {direction for direction in _column(report, "direction")} == {"technical", "artistic"}
    assert report.currency == "RUB"


def test_top_providers_add_up_to_the_ledger_and_the_periods_money(town):
    report = _report(town, "providers")
    with read_session(town.world.engine) as s:
        committed, spent = period_money(s, town.world.period_id)

    assert report.rows == [
        # provider, enrollments with a hold, open holds, captures less refunds
        ("Дом творчества", 2, 450_000 + 400_000 - 150_000, 150_000 - 50_000),
        ("Студия рисунка", 2, 240_000, 30_000),
    ]
    assert (sum(_column(report, "committed")), sum(_column(report, "spent"))) == (committed, spent)
    ledger = _ledger(town)
    assert committed == (
        ledger[EntryKind.HOLD] - ledger[EntryKind.CAPTURE] - ledger[EntryKind.RELEASE]
    )
    assert spent == ledger[EntryKind.CAPTURE] - ledger[EntryKind.REFUND]


# ---------------------------------------------------------------- children


def test_take_up_counts_children_by_category(town):
    report = _report(town, "take_up")
    assert report.columns == (
        "category",
        "children",
        "with_certificate",
        "with_funded_account",
        "with_enrollment",
    )
    assert report.rows == [
        ("base", 5, 4, 3, 2),  # c1 c2 c4 c5 c6; c6 has no certificate; c1 and c5 enrolled
        ("disability", 1, 1, 1, 1),
        ("large_family", 1, 1, 1, 1),
    ]


def test_not_enrolled_counts_children_with_a_certificate_by_district(town):
    report = _report(town, "not_enrolled")
    assert report.rows == [
        # district, with a certificate, not enrolled, of them funded: most to reach first
        ("Заречье", 3, 1, 1),  # c3 enrolled, c4 not, " Заречье " (c7) is the same district
        ("Центр", 2, 1, 1),  # c1 enrolled, c2 cancelled; c6 has no certificate
        ("", 1, 0, 0),  # c5, enrolled though its certificate is not funded
    ]


def test_enrollments_count_by_direction_and_age_and_leave_out_the_cancelled(town):
    report = _report(town, "enrollments")
    assert report.rows == [
        ("artistic", 7, 1, 1),  # c3; c2 cancelled and c7 only applied
        ("technical", 9, 3, 2),  # c1, c7 funded; c5's parent pays all
    ]


# ---------------------------------------------------------------- export


def _money_at(report: reports.Report) -> set[int]:
    return {i for i, name in enumerate(report.columns) if name in report.money}


def test_a_report_exports_money_in_roubles_and_a_formula_name_as_text(engine):
    town = _town(engine, painting_name=INJECTED_NAME)
    report = _report(town, "providers")
    header = list(report.columns)

    text = to_csv(header, report.rows, _money_at(report), "RUB")
    assert text.startswith("\ufeff")  # a spreadsheet then reads it as UTF-8
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    book = load_workbook(
        io.BytesIO(to_xlsx("providers", header, report.rows, _money_at(report), "RUB"))
    )

    assert lines == [
        header,
        ["Дом творчества", "2", "7000.00", "1000.00"],
        ["'" + INJECTED_NAME, "2", "2400.00", "300.00"],
    ]
    sheet = book["providers"]
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert cells == [
        [("Дом творчества", "s"), (2, "n"), (7000, "n"), (1000, "n")],
        [(INJECTED_NAME, "s"), (2, "n"), (2400, "n"), (300, "n")],
    ]
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["B2"].number_format == "General"  # a count is not money


@pytest.mark.parametrize("name", [INJECTED_NAME, "+1", "-2", "@x", "=1+1", "\tcmd"])
def test_text_a_spreadsheet_would_run_stays_text(name):
    rows = [(name, -2, 123_456)]

    text = to_csv(["provider", "n", "spent"], rows, {2}, "EUR")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    sheet = load_workbook(io.BytesIO(to_xlsx("t", ["provider", "n", "spent"], rows, {2}, "EUR")))[
        "t"
    ]

    assert lines[1] == ["'" + name, "-2", "1234.56"]  # a number stays a number
    assert (sheet["A2"].value, sheet["A2"].data_type) == (name, "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-2, "n")
    assert Decimal(str(sheet["C2"].value)) == Decimal("1234.56")


def test_a_header_that_looks_like_a_formula_is_text_too():
    text = to_csv(["=SUM(A1)", "plain"], [], set(), "RUB").removeprefix("\ufeff")
    lines = list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(to_xlsx("x", ["=SUM(A1)", "plain"], [], set(), "RUB")))["x"]
    assert lines == [["'=SUM(A1)", "plain"]]
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("=SUM(A1)", "s")
