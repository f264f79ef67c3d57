from datetime import UTC, date, datetime

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import is_lesson_date, lesson_dates
from navigator.domain.shared.calendar import age_on, birthday, local_today


def group(**kwargs) -> Group:
    values = dict(
        program_id=1,
        name="g",
        timetable=[
            {"weekday": 1, "start": "10:00", "end": "11:00"},
            {"weekday": 3, "start": "10:00", "end": "11:00"},
        ],
        starts_on=date(2026, 9, 7),
        ends_on=date(2026, 9, 30),
        seats=5,
        price_per_lesson_minor=100,
    )
    values.update(kwargs)
    return Group(**values)


def test_lesson_dates_follow_the_weekdays_and_skip_holidays():
    g = group(excluded_dates=["2026-09-14"])
    assert lesson_dates(g) == [date(2026, 9, d) for d in (7, 9, 16, 21, 23, 28, 30)]
    assert lesson_dates(g, date(2026, 9, 22)) == [
        date(2026, 9, 23),
        date(2026, 9, 28),
        date(2026, 9, 30),
    ]
    assert not is_lesson_date(g, date(2026, 9, 14))
    assert not is_lesson_date(g, date(2026, 9, 8))
    assert is_lesson_date(g, date(2026, 9, 30))
    assert not is_lesson_date(g, date(2026, 10, 5))


def test_age_counts_whole_years_and_leap_day_birthdays():
    assert age_on(date(2017, 3, 15), date(2026, 3, 14)) == 8
    assert age_on(date(2017, 3, 15), date(2026, 3, 15)) == 9
    assert birthday(date(2012, 2, 29), 18) == date(2030, 3, 1)
    assert birthday(date(2012, 5, 1), 18) == date(2030, 5, 1)


def test_today_is_the_municipalitys_local_date():
    vilnius = Municipality(
        code="v", name="V", country="LT", currency="EUR", locale="lt", timezone="Europe/Vilnius"
    )
    late_evening_utc = datetime(2026, 9, 6, 22, 30, tzinfo=UTC)
    assert local_today(vilnius, late_evening_utc) == date(2026, 9, 7)
