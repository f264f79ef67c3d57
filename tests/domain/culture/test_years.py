"""A year of the culture pass, as the operator runs it and as others try to: opening it,
crediting schools from a CSV file once, correcting counts, and closing it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.booking import (
    cancel_booking,
)
from navigator.domain.culture.models import (
    CulturePassYear,
    School,
    SchoolWallet,
    WalletEntry,
    WalletEntryKind,
    YearStatus,
)
from navigator.domain.culture.years import (
    close_year,
    correct_pupils,
    import_schools,
    make_operator,
    open_year,
)
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from tests.domain.culture.people import a_parent, assert_translated, count
from tests.domain.culture.world import NOW, PASSWORD, YEAR, build_culture
from tests.support.invariants import assert_culture_invariants

HEADER = "code,name,municipality,pupils"
AFTER_THE_YEAR = date(YEAR, 12, 21)


def _operator(engine) -> Actor:
    with transaction(engine) as s:
        made, _created = make_operator(s, "operator@lnb.example", password=PASSWORD)
        return Actor.user(made.user_id)


NEXT = YEAR + 1  # the year after the world's own


def _next_year(**changes) -> dict:
    values: dict = {
        "year": NEXT,
        "per_pupil_minor": 1054,
        "cap_minor": 1500,
        "window_start": date(NEXT, 1, 1),
        "window_end": date(NEXT, 12, 20),
        "reference_date": date(NEXT - 1, 9, 1),
        "cancel_days": 7,
    }
    values.update(changes)
    return values


def _open(engine, actor: Actor, **changes) -> int:
    with transaction(engine) as s:
        return open_year(s, actor, **_next_year(**changes)).id  # type: ignore[return-value]


def _import(engine, actor: Actor, year_id: int, *rows: str):
    with transaction(engine) as s:
        return import_schools(s, actor, year_id, "\n".join([HEADER, *rows]))


def _wallet_of(engine, code: str, year_id: int) -> SchoolWallet:
    with read_session(engine) as s:
        return s.exec(
            select(SchoolWallet)
            .join(School, col(School.id) == SchoolWallet.school_id)
            .where(School.code == code, SchoolWallet.year_id == year_id)
        ).one()


def _entries(engine, wallet_id: int) -> list[tuple[str, int]]:
    with read_session(engine) as s:
        return [
            (e.kind, e.amount_minor)
            for e in s.exec(
                select(WalletEntry)
                .where(WalletEntry.wallet_id == wallet_id)
                .order_by(col(WalletEntry.id))
            ).all()
        ]


def _codes(report) -> list[tuple[int, str]]:
    return [(line, error.code) for line, error in report.errors]


# ---------------------------------------------------------------- opening a year


def test_the_operator_opens_a_year_with_its_amounts(engine):
    operator = _operator(engine)
    year_id = _open(engine, operator, cancel_days=0)
    with read_session(engine) as s:
        opened = s.get(CulturePassYear, year_id)
    assert (opened.year, opened.per_pupil_minor, opened.cap_minor, opened.cancel_days) == (
        NEXT,
        1054,
        1500,
        0,
    )
    assert opened.status == YearStatus.OPEN


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"cap_minor": 1000}, "cap_below_per_pupil", "cap"),
        ({"window_start": date(NEXT - 1, 12, 1)}, "window_outside_year", "window_start"),
        ({"window_end": date(NEXT + 1, 1, 10)}, "window_outside_year", None),
        (
            {"window_start": date(NEXT, 6, 1), "window_end": date(NEXT, 5, 1)},
            "dates_reversed",
            "ends_on",
        ),
        ({"window_start": f"{NEXT}-01-01"}, "date_invalid", "starts_on"),
        ({"window_end": datetime(NEXT, 12, 20, tzinfo=UTC)}, "date_invalid", "ends_on"),
        ({"reference_date": f"{NEXT - 1}-09-01"}, "date_invalid", "reference_date"),
        ({"year": True}, "field_not_allowed", "year"),
        ({"year": str(NEXT)}, "field_not_allowed", "year"),
        ({"year": 1999}, "field_not_allowed", "year"),
        ({"year": float(NEXT)}, "field_not_allowed", "year"),
        ({"per_pupil_minor": "1054"}, "must_be_whole_number", "per_pupil"),
        ({"per_pupil_minor": True}, "must_be_whole_number", "per_pupil"),
        ({"per_pupil_minor": 10.54}, "must_be_whole_number", "per_pupil"),
        ({"per_pupil_minor": 0}, "must_be_positive", "per_pupil"),
        ({"per_pupil_minor": -1054}, "must_be_positive", "per_pupil"),
        ({"cap_minor": "1500"}, "must_be_whole_number", "cap"),
        ({"cancel_days": -1}, "query_out_of_range", "cancel_days"),
        ({"cancel_days": 61}, "query_out_of_range", "cancel_days"),
        ({"cancel_days": True}, "must_be_whole_number", "cancel_days"),
        ({"cancel_days": "7"}, "must_be_whole_number", "cancel_days"),
    ],
)
def test_open_year_refuses_bad_input_naming_the_field_and_saves_nothing(
    engine, changes, code, field
):
    operator = _operator(engine)
    with pytest.raises(InvalidInput) as refused:
        _open(engine, operator, **changes)
    assert refused.value.code == code
    assert_translated(refused.value, field)
    assert count(engine, CulturePassYear) == 0


def test_a_year_opens_once(engine):
    operator = _operator(engine)
    _open(engine, operator)
    with pytest.raises(Conflict) as refused:
        _open(engine, operator, per_pupil_minor=2000, cap_minor=2000)
    assert refused.value.code == "culture_year_exists"
    assert_translated(refused.value)
    with read_session(engine) as s:
        assert [y.per_pupil_minor for y in s.exec(select(CulturePassYear)).all()] == [1054]


def test_only_the_operator_or_the_system_opens_a_year(engine):
    world = build_culture(engine)
    for outsider in (
        world.coordinator,
        world.provider_user,
        a_parent(engine),
        Actor(user_id=None),
    ):
        with pytest.raises(NotFound):
            _open(engine, outsider)
    assert count(engine, CulturePassYear, CulturePassYear.year == NEXT) == 0
    _open(engine, Actor.system())
    assert count(engine, CulturePassYear, CulturePassYear.year == NEXT) == 1


# ---------------------------------------------------------------- schools and wallets


def test_imported_schools_are_credited_once_and_a_second_import_changes_nothing(engine):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    rows = ("0101,Vilniaus licėjus,Vilnius,120", "0202,Kauno gimnazija,Kaunas,35")
    report = _import(engine, operator, year_id, *rows)
    assert (report.created, report.credited, report.adjusted, report.errors) == (2, 2, 0, [])
    for code, pupils in (("0101", 120), ("0202", 35)):
        wallet = _wallet_of(engine, code, year_id)
        assert wallet.pupils == pupils
        assert _entries(engine, wallet.id) == [("allocation", pupils * 1054)]
        assert wallet.available_minor == pupils * 1054
    again = _import(engine, operator, year_id, *rows)
    assert (again.created, again.credited, again.adjusted, again.errors) == (0, 0, 0, [])
    assert count(engine, WalletEntry) == 2
    assert count(engine, School) == 2
    assert _wallet_of(engine, "0101", year_id).available_minor == 120 * 1054
    assert_culture_invariants(engine)


def test_a_changed_count_is_one_audited_adjustment(engine):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    _import(engine, operator, year_id, "0101,Licėjus,Vilnius,100")
    up = _import(engine, operator, year_id, "0101,Licėjus,Vilnius,104")
    assert (up.created, up.credited, up.adjusted) == (0, 0, 1)
    down = _import(engine, operator, year_id, "0101,Licėjus,Vilnius,101")
    assert down.adjusted == 1
    wallet = _wallet_of(engine, "0101", year_id)
    assert wallet.pupils == 101
    assert _entries(engine, wallet.id) == [
        ("allocation", 100 * 1054),
        (WalletEntryKind.ADJUSTMENT_UP, 4 * 1054),
        (WalletEntryKind.ADJUSTMENT_DOWN, 3 * 1054),
    ]
    assert wallet.allocated_minor == 101 * 1054
    with read_session(engine) as s:
        notes = s.exec(
            select(WalletEntry.note, WalletEntry.actor_id).where(
                WalletEntry.wallet_id == wallet.id,
                WalletEntry.kind == WalletEntryKind.ADJUSTMENT_DOWN,
            )
        ).one()
    assert notes == ("104 → 101: import", operator.user_id)
    assert_culture_invariants(engine)


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        ("0301,Mokykla,Vilnius,-5", "must_be_whole_number", "pupils"),
        ("0301,Mokykla,Vilnius,abc", "must_be_whole_number", "pupils"),
        ("0301,Mokykla,Vilnius,1e3", "must_be_whole_number", "pupils"),
        ("0301,Mokykla,Vilnius,12.5", "must_be_whole_number", "pupils"),
        ("0301,Mokykla,Vilnius,", "must_be_whole_number", "pupils"),
        ("0301,Mokykla,Vilnius,10001", "query_out_of_range", "pupils"),
        ("03 01,Mokykla,Vilnius,10", "field_not_allowed", "code"),
        ('"0301""",Mokykla,Vilnius,10', "field_not_allowed", "code"),
        ("0301',Mokykla,Vilnius,10", "field_not_allowed", "code"),
        (",Mokykla,Vilnius,10", "field_not_allowed", "code"),
        ("0301,,Vilnius,10", "field_required", "name"),
        ("0301,Mokykla,Vilnius,10,extra", "import_row_shape", None),
        ("0301,Mokykla,10", "import_row_shape", None),
    ],
)
def test_a_bad_school_row_is_reported_by_its_line_and_changes_nothing(engine, row, code, field):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    report = _import(
        engine, operator, year_id, "0101,Licėjus,Vilnius,10", row, "0202,Gimnazija,Kaunas,20"
    )
    assert _codes(report) == [(3, code)]
    assert_translated(report.errors[0][1], field)
    assert (report.created, report.credited) == (2, 2)
    with read_session(engine) as s:
        assert sorted(s.exec(select(School.code)).all()) == ["0101", "0202"]
    assert count(engine, WalletEntry) == 2
    assert_culture_invariants(engine)


def test_a_school_twice_in_one_file_is_reported_and_imported_once(engine):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    report = _import(
        engine, operator, year_id, "0101,Licėjus,Vilnius,10", "0101,Licėjus,Vilnius,900"
    )
    assert _codes(report) == [(3, "import_duplicate_row")]
    assert_translated(report.errors[0][1])
    wallet = _wallet_of(engine, "0101", year_id)
    assert (wallet.pupils, _entries(engine, wallet.id)) == (10, [("allocation", 10_540)])


def test_a_bad_row_is_reported_by_the_line_it_is_on_after_a_blank_line(engine):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    content = "\n".join([HEADER, "0101,Licėjus,Vilnius,10", "", "0202,Gimnazija,Kaunas,abc"])
    with transaction(engine) as s:
        report = import_schools(s, operator, year_id, content)
    assert _codes(report) == [(4, "must_be_whole_number")]  # the fourth line of the file


def test_a_file_without_a_column_imports_nothing(engine):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    with transaction(engine) as s, pytest.raises(InvalidInput) as refused:
        import_schools(s, operator, year_id, "code,name,pupils\n0101,Licėjus,10")
    assert refused.value.code == "import_columns_missing"
    assert "municipality" in refused.value.message("lt")
    assert_translated(refused.value)
    assert count(engine, School) == 0


def test_a_lower_count_never_takes_back_money_already_held(engine):
    world = build_culture(engine)  # 20 pupils × 10.54 = 210.80
    booking = world.book(world.classes["5A"])  # 50.00 held, 160.80 free
    with read_session(engine) as s:
        code = s.get(School, world.school_id).code
    # 4 pupils would leave 42.16: 168.64 taken back, more than the 160.80 free
    report = _import(engine, world.operator, world.year_id, f"{code},Mokykla,Vilnius,4")
    assert _codes(report) == [(2, report.errors[0][1].code)]
    refused = report.errors[0][1]
    assert isinstance(refused, Conflict)
    assert_translated(refused)
    assert "160,80" in refused.message("lt") and "160.80" in refused.message("en")
    with world.tx() as s, pytest.raises(Conflict):
        correct_pupils(s, world.operator, world.wallet_id, 4, reason="registras")
    wallet = _wallet_of(engine, code, world.year_id)
    assert (wallet.pupils, wallet.allocated_minor, wallet.held_minor) == (20, 21_080, 5_000)
    assert [kind for kind, _ in _entries(engine, world.wallet_id)] == ["allocation", "hold"]
    # 5 pupils take back 158.10 of the 160.80 free: allowed, the booking keeps its money
    report = _import(engine, world.operator, world.year_id, f"{code},Mokykla,Vilnius,5")
    assert report.errors == [] and report.adjusted == 1
    wallet = _wallet_of(engine, code, world.year_id)
    assert (wallet.pupils, wallet.held_minor, wallet.available_minor) == (5, 5_000, 270)
    with world.tx() as s:
        cancel_booking(s, world.coordinator, booking, now=NOW)
    assert _wallet_of(engine, code, world.year_id).available_minor == 5_270
    assert_culture_invariants(engine)


def test_only_the_operator_imports_schools_and_corrects_counts(engine):
    world = build_culture(engine)
    for outsider in (world.coordinator, world.provider_user, a_parent(engine)):
        with pytest.raises(NotFound):
            _import(engine, outsider, world.year_id, "0999,Mokykla,Vilnius,500")
        with world.tx() as s, pytest.raises(NotFound):
            correct_pupils(s, outsider, world.wallet_id, 500, reason="daugiau")
    assert count(engine, School, School.code == "0999") == 0
    assert _entries(engine, world.wallet_id) == [("allocation", 21_080)]


# ---------------------------------------------------------------- closing the year


def test_closing_the_year_waits_for_its_end_and_its_bookings_then_expires_each_wallet_once(
    engine,
):
    world = build_culture(engine)  # 210.80
    other = build_culture(engine, pupils=10)  # the same year: 105.40
    with transaction(engine) as s:
        empty = import_schools(s, world.operator, world.year_id, f"{HEADER}\n0000,Tuščia,Utena,0")
    assert empty.errors == []
    delivered = world.book(world.classes["5A"])
    world.deliver(delivered, world.classes["5A"][1:])  # 45.00 charged
    waiting = other.book(other.classes["5B"][:2])  # 10.00 still held

    with world.tx() as s, pytest.raises(Conflict) as refused:
        close_year(s, world.operator, world.year_id, date(YEAR, 12, 20))  # its last day
    assert refused.value.code == "culture_year_not_over"
    assert_translated(refused.value)
    with world.tx() as s, pytest.raises(Conflict) as refused:
        close_year(s, world.operator, world.year_id, AFTER_THE_YEAR)
    assert refused.value.code == "culture_year_has_live_bookings"
    assert_translated(refused.value)
    assert count(engine, WalletEntry, WalletEntry.kind == WalletEntryKind.EXPIRY) == 0

    with world.tx() as s:
        cancel_booking(s, other.coordinator, waiting, now=NOW)
    for outsider in (world.coordinator, world.provider_user):
        with world.tx() as s, pytest.raises(NotFound):
            close_year(s, outsider, world.year_id, AFTER_THE_YEAR)
    with world.tx() as s:
        expired = close_year(s, world.operator, world.year_id, AFTER_THE_YEAR)
    assert expired == (21_080 - 4_500) + 10_540
    with read_session(engine) as s:
        expiries = dict(
            s.exec(
                select(WalletEntry.wallet_id, WalletEntry.amount_minor).where(
                    WalletEntry.kind == WalletEntryKind.EXPIRY
                )
            ).all()
        )
        wallets = {w.id: w for w in s.exec(select(SchoolWallet)).all()}
        assert s.get(CulturePassYear, world.year_id).status == YearStatus.CLOSED
    assert expiries == {world.wallet_id: 16_580, other.wallet_id: 10_540}  # none for 0.00
    assert {w.available_minor for w in wallets.values()} == {0}
    assert wallets[world.wallet_id].charged_minor == 4_500  # spent money stays spent
    assert_culture_invariants(engine)

    with world.tx() as s, pytest.raises(Conflict) as refused:
        close_year(s, world.operator, world.year_id, AFTER_THE_YEAR)
    assert refused.value.code == "culture_year_closed"
    for late in (
        lambda s: import_schools(s, world.operator, world.year_id, f"{HEADER}\n0303,M,V,10"),
        lambda s: correct_pupils(s, world.operator, world.wallet_id, 30, reason="vėlai"),
    ):
        with world.tx() as s, pytest.raises(Conflict) as refused:
            late(s)
        assert refused.value.code == "culture_year_closed"
    assert count(engine, WalletEntry, WalletEntry.kind == WalletEntryKind.EXPIRY) == 2
    assert_culture_invariants(engine)


@pytest.mark.parametrize(
    "today",
    [
        AFTER_THE_YEAR.isoformat(),
        datetime(YEAR, 12, 21, tzinfo=UTC),
        None,
        int(AFTER_THE_YEAR.strftime("%Y%m%d")),
    ],
)
def test_closing_with_a_day_that_is_not_a_date_is_refused_cleanly(engine, today):
    operator = _operator(engine)
    year_id = _open(engine, operator)
    with transaction(engine) as s, pytest.raises(DomainError) as refused:
        close_year(s, operator, year_id, today)
    assert isinstance(refused.value, InvalidInput)
    assert_translated(refused.value)
    assert count(engine, CulturePassYear, CulturePassYear.status == YearStatus.OPEN) == 1
