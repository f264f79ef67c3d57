"""The operator's reads: every school's figures are its wallet's, a school nobody books for
is flagged, the review queue says what changed, and nobody else reads any of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.culture.booking import confirm_booking, record_attendance
from navigator.domain.culture.models import CultureService
from navigator.domain.culture.overview import schools_of_year, services_for_review, years
from navigator.domain.culture.services import (
    review_service,
    submit_service,
    update_service,
)
from navigator.domain.culture.services import (
    service_fields as current_fields,
)
from navigator.domain.culture.wallet import wallet_sums
from navigator.domain.culture.years import import_schools
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import NotFound
from tests.domain.culture.world import PASSWORD, SESSION_AT, YEAR, build_culture, service_fields


def _more_schools(world, count: int, *, prefix: str = "X") -> None:
    rows = "\n".join(f"{prefix}{n},Mokykla {prefix}{n},Kaunas,{n + 1}" for n in range(count))
    with world.tx() as s:
        report = import_schools(
            s, world.operator, world.year_id, f"code,name,municipality,pupils\n{rows}"
        )
        assert report.errors == []


def test_every_schools_figures_are_its_wallets_counters_and_equal_the_entries(engine):
    world = build_culture(engine)
    _more_schools(world, 3)
    held = world.book(world.classes["5A"])
    charged = world.book(world.classes["5B"])
    with world.tx() as s:
        confirm_booking(s, world.provider_user, charged)
    with world.tx() as s:
        record_attendance(
            s, world.provider_user, charged, world.classes["5B"][1:], now=SESSION_AT + timedelta(1)
        )
    with read_session(engine) as s:
        overview = schools_of_year(s, world.operator, world.year_id)
        sums = {line.wallet_id: wallet_sums(s, line.wallet_id) for line in overview.schools}
    assert held and len(overview.schools) == 4
    for line in overview.schools:
        expected = sums[line.wallet_id]
        assert (
            line.allocated_minor,
            line.held_minor,
            line.charged_minor,
            line.refunded_minor,
            line.expired_minor,
            line.available_minor,
        ) == (
            expected.allocated,
            expected.held,
            expected.charged,
            expected.refunded,
            expected.expired,
            expected.available,
        )
    ours = next(line for line in overview.schools if line.school_id == world.school_id)
    assert (ours.pupils, ours.held_minor, ours.charged_minor) == (20, 5_000, 4_500)
    assert overview.total("pupils") == 20 + 1 + 2 + 3


def test_a_school_without_a_coordinator_is_flagged(engine):
    world = build_culture(engine)
    _more_schools(world, 2)
    with read_session(engine) as s:
        overview = schools_of_year(s, world.operator, world.year_id)
    flagged = {line.code for line in overview.schools if line.no_coordinator}
    assert flagged == {"X0", "X1"}
    assert overview.without_coordinator == 2
    ours = next(line for line in overview.schools if line.school_id == world.school_id)
    assert not ours.no_coordinator
    assert [c.user_id for c in ours.coordinators] == [world.coordinator.user_id]


def test_the_schools_read_takes_the_same_queries_for_many_schools_as_for_few(engine):
    world = build_culture(engine)

    def queries() -> int:
        seen: list[str] = []

        def count(*_args) -> None:
            seen.append("q")

        event.listen(engine, "before_cursor_execute", count)
        try:
            with read_session(engine) as s:
                schools_of_year(s, world.operator, world.year_id)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = queries()
    _more_schools(world, 40)
    assert queries() == few


def test_the_queue_shows_a_first_submission_whole_and_a_change_by_its_fields(engine):
    world = build_culture(engine)
    with world.tx() as s:
        new = submit_service(
            s, world.provider_user, world.provider_id, service_fields(title="Muzikos pamoka")
        ).id
    with world.tx() as s:
        dearer = replace(
            current_fields(s.get(CultureService, world.service_id)), price_per_pupil_minor=700
        )
        update_service(s, world.provider_user, world.service_id, dearer)
    with read_session(engine) as s:
        review = services_for_review(s, world.operator)
    waiting = {line.service.id: line for line in review.waiting}
    assert set(waiting) == {new, world.service_id}
    assert waiting[new].first_review and len(waiting[new].changes) == 12  # 11 fields, the photo
    assert waiting[new].provider_name.startswith("Teatras")
    changed = waiting[world.service_id]
    assert not changed.first_review
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("price_per_pupil_minor", 500, 700)
    ]
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "suspend", "A complaint")
    with read_session(engine) as s:
        review = services_for_review(s, world.operator)
    assert [line.service.id for line in review.waiting] == [new]
    assert [(line.service.id, line.service.status) for line in review.decided] == [
        (world.service_id, "suspended")
    ]


@pytest.mark.parametrize("who", ["coordinator", "provider", "parent", "signed out"])
def test_nobody_but_the_operator_reads_the_overview(engine, who):
    world = build_culture(engine)
    if who == "parent":
        with world.tx() as s:
            actor = Actor.user(create_user(s, "parent@example.org", PASSWORD).id)
    else:
        actor = {
            "coordinator": world.coordinator,
            "provider": world.provider_user,
            "signed out": Actor(user_id=None),
        }[who]
    with read_session(engine) as s:
        for read in (
            lambda: years(s, actor),
            lambda: schools_of_year(s, actor, world.year_id),
            lambda: services_for_review(s, actor),
        ):
            with pytest.raises(NotFound):
                read()
        assert [line.year.year for line in years(s, world.operator)] == [YEAR]
