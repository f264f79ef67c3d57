"""Fair waiting lists: the municipality's criteria levels decide who is promoted first, from
verified facts only; the parent sees the place and why; a change is audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import Certificate
from navigator.domain.certificates.numbers import format_certificate_number
from navigator.domain.certificates.verification import decide_request, request_category
from navigator.domain.enrollment.api import (
    accept_application,
    cancel_enrollment,
    reject_application,
)
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.enrollment.offers import confirm_offer, offer_enrollment
from navigator.domain.enrollment.waitlist import ordered_waitlist, queue_place, queue_places
from navigator.domain.municipalities.api import set_waitlist_priority
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.programs.api import update_group
from navigator.domain.programs.models import Group
from navigator.domain.programs.queries import public_program
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from navigator.domain.shared.models import AuditEvent, Notification
from tests.domain.disputes.world import municipality_admin
from tests.factories import SYSTEM, build_world

GROUP_TERMS = (
    "name",
    "teacher",
    "timetable",
    "starts_on",
    "ends_on",
    "seats",
    "price_per_lesson_minor",
)


def _category(world, parent, child_id, category, *, verified=True):
    with world.tx() as s:
        request = request_category(s, parent, child_id, category)
        request_id = request.id
    if verified:
        with world.tx() as s:
            decide_request(s, SYSTEM, request_id, "approve")


def _status(world, enrollment_id):
    with read_session(world.engine) as s:
        return s.get(Enrollment, enrollment_id).status


def _full_group_with_waiting(world, *children):
    """The world's child takes the only seat; `children` (parent, child) queue in order."""
    seated = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, seated, today=world.today)
    waiting = [world.apply(child_id=child, parent=parent) for parent, child in children]
    assert [_status(world, e) for e in waiting] == ["waitlisted"] * len(waiting)
    return seated, waiting


def _free_the_seat(world, seated):
    with world.tx() as s:
        cancel_enrollment(s, world.parent, seated)


def _notified(world, user_id, kind):
    with read_session(world.engine) as s:
        return s.exec(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        ).all()


def test_seats_promised_to_applications_awaiting_a_decision_put_the_next_parent_on_the_list(
    engine,
):
    """Two seats, two applications the provider has not decided yet: the third parent is
    told at once that the child waits (not days later by a refusal), and waits in the
    priority order; a refusal of a pending application promotes the first waiting."""
    world = build_world(engine, seats=2)
    second_parent, second_child, *_ = world.add_parent_with_child()
    third_parent, third_child, *_ = world.add_parent_with_child()
    first = world.apply()
    second = world.apply(child_id=second_child, parent=second_parent)
    third = world.apply(child_id=third_child, parent=third_parent)
    assert [_status(world, e) for e in (first, second, third)] == [
        "applied",
        "applied",
        "waitlisted",
    ]
    assert len(_notified(world, third_parent.user_id, "enrollment.waitlisted")) == 1
    with world.tx() as s:
        accept_application(s, world.provider_user, first, today=world.today)
    assert _status(world, third) == "waitlisted"  # the second still holds its promise
    with world.tx() as s:
        reject_application(s, world.provider_user, second, reason="Не подходит по расписанию")
    assert _status(world, third) == "applied"
    assert len(_notified(world, third_parent.user_id, "enrollment.promoted")) == 1


def test_without_criteria_the_longest_waiting_comes_first(engine):
    world = build_world(engine, seats=1)
    early = world.add_parent_with_child()
    late = world.add_parent_with_child()
    _category(world, late[0], late[1], "disability")
    seated, (first, second) = _full_group_with_waiting(
        world, (early[0], early[1]), (late[0], late[1])
    )
    _free_the_seat(world, seated)
    assert (_status(world, first), _status(world, second)) == ("applied", "waitlisted")


def test_a_verified_disability_is_promoted_before_an_earlier_child_without_one(engine):
    world = build_world(engine, seats=1)
    admin = municipality_admin(world)
    early = world.add_parent_with_child()
    late = world.add_parent_with_child()
    _category(world, late[0], late[1], "disability")
    pending = world.add_parent_with_child()  # asked for a category nobody verified yet
    _category(world, pending[0], pending[1], "large_family", verified=False)
    seated, (first, second, third) = _full_group_with_waiting(
        world, (early[0], early[1]), (late[0], late[1]), (pending[0], pending[1])
    )
    with world.tx() as s:
        set_waitlist_priority(s, admin, world.municipality_id, [["disability"], ["large_family"]])
    with read_session(engine) as s:
        late_place = queue_places(s, late[0])[second]
        early_place = queue_place(s, early[0], first)
        pending_place = queue_places(s, pending[0])[third]
    assert (late_place.place, late_place.of, late_place.met) == (1, 3, ["disability"])
    assert (early_place.place, early_place.met) == (2, [])
    assert (pending_place.place, pending_place.met) == (3, [])  # unverified counts nothing

    _free_the_seat(world, seated)
    assert [_status(world, e) for e in (first, second, third)] == [
        "waitlisted",
        "applied",
        "waitlisted",
    ]
    with read_session(engine) as s:
        promoted = s.exec(
            select(Notification.user_id).where(Notification.kind == "enrollment.promoted")
        ).all()
        assert promoted == [late[0].user_id]
        assert queue_places(s, early[0])[first].place == 1
        # the parent's place is theirs alone
        with pytest.raises(NotFound):
            queue_place(s, late[0], first)


def test_home_municipality_goes_before_a_child_from_elsewhere(engine):
    world = build_world(engine, seats=1)
    admin = municipality_admin(world)
    elsewhere = build_world(engine)
    local = world.add_parent_with_child()
    seated, (foreign_wait, local_wait) = _full_group_with_waiting(
        world, (elsewhere.parent, elsewhere.child_id), (local[0], local[1])
    )
    with world.tx() as s:
        set_waitlist_priority(s, admin, world.municipality_id, [["home_municipality"]])
    _free_the_seat(world, seated)
    assert (_status(world, foreign_wait), _status(world, local_wait)) == ("waitlisted", "applied")


def test_changing_the_criteria_is_audited_and_bad_criteria_are_refused(engine):
    world = build_world(engine)
    admin = municipality_admin(world)
    other = build_world(engine)
    other_admin = municipality_admin(other)
    with world.tx() as s:
        set_waitlist_priority(
            s, admin, world.municipality_id, [["disability", "large_family"], ["home_municipality"]]
        )
    for bad, code in (
        ([["disability"], ["orphan"]], "waitlist_criterion_unknown"),
        ([["disability"], ["disability"]], "waitlist_criterion_twice"),
        ("disability", "field_required"),
        ([[1]], "waitlist_criterion_unknown"),
    ):
        with pytest.raises(InvalidInput) as refused, world.tx() as s:
            set_waitlist_priority(s, admin, world.municipality_id, bad)
        assert refused.value.code == code
    with pytest.raises(InvalidInput) as unknown, world.tx() as s:
        set_waitlist_priority(s, admin, world.municipality_id, [["orphan"]])
    assert unknown.value.params == {"criterion": "orphan"}
    with pytest.raises(NotFound), world.tx() as s:  # only that municipality sets its own
        set_waitlist_priority(s, other_admin, world.municipality_id, [])
    with pytest.raises(NotFound), world.tx() as s:
        set_waitlist_priority(s, world.parent, world.municipality_id, [])
    with read_session(engine) as s:
        assert policy_of(s, world.municipality_id).waitlist_priority == [
            ["disability", "large_family"],
            ["home_municipality"],
        ]
        events = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "waitlist.priority",
                AuditEvent.municipality_id == world.municipality_id,
            )
        ).all()
    assert [(e.actor_id, e.payload["before"], e.payload["after"]) for e in events] == [
        (admin.user_id, [], [["disability", "large_family"], ["home_municipality"]])
    ]


def test_more_seats_go_to_the_waiting_list_first(engine):
    """The provider adds a seat to a group whose seats were all promised: the first waiting
    child applies again at once, and is told; nobody after it jumps the list."""
    world = build_world(engine, seats=1)
    waiting_parent, waiting_child, *_ = world.add_parent_with_child()
    late_parent, late_child, *_ = world.add_parent_with_child()
    world.apply()
    waiting = world.apply(child_id=waiting_child, parent=waiting_parent)
    assert _status(world, waiting) == "waitlisted"
    with read_session(engine) as s:
        group = s.get(Group, world.group_id)
        terms = {name: getattr(group, name) for name in GROUP_TERMS}
    with world.tx() as s:
        update_group(s, world.provider_user, world.group_id, **{**terms, "seats": 2})
    assert _status(world, waiting) == "applied"
    assert len(_notified(world, waiting_parent.user_id, "enrollment.promoted")) == 1
    late = world.apply(child_id=late_child, parent=late_parent)
    assert _status(world, late) == "waitlisted"  # the two seats are promised again


def test_a_providers_offer_takes_a_free_seat_before_the_undecided_applications(engine):
    """Two seats promised to two undecided applications: the provider's own offer is its
    decision among them, so the offered child is seated at once when the parent confirms."""
    world = build_world(engine, seats=2, today=date.today())  # offers use the real clock
    for _ in range(2):
        parent, child, *_ = world.add_parent_with_child()
        world.apply(child_id=child, parent=parent)
    offered_parent, offered_child, certificate_id, _account = world.add_parent_with_child()
    with read_session(engine) as s:
        number = format_certificate_number(s.get(Certificate, certificate_id).number)
        born = s.get(Child, offered_child).birth_date
    with world.tx() as s:
        offer_id = offer_enrollment(s, world.provider_user, world.group_id, number, born).id
    with world.tx() as s:
        enrollment_id = confirm_offer(s, offered_parent, offer_id)
    assert _status(world, enrollment_id) == "accepted"


def test_the_program_page_counts_only_seats_a_new_application_could_get(engine):
    """Two seats, two applications awaiting a decision: the page shows none free for a new
    application (which would wait), not "2 / 2 free"; then the waiting list's length."""
    world = build_world(engine, seats=2)

    def shown():
        with read_session(engine) as s:
            page = public_program(s, world.program_id, world.today)
        (group,) = page.groups
        assert page.free_seats == group.free_seats
        return group.seats_taken, group.awaiting, group.waiting, group.free_seats

    assert shown() == (0, 0, 0, 2)
    world.apply()
    assert shown() == (0, 1, 0, 1)
    other_parent, other_child, *_ = world.add_parent_with_child()
    world.apply(child_id=other_child, parent=other_parent)
    assert shown() == (0, 2, 0, 0)
    late_parent, late_child, *_ = world.add_parent_with_child()
    late = world.apply(child_id=late_child, parent=late_parent)
    assert _status(world, late) == "waitlisted"
    assert shown() == (0, 2, 1, 0)


def test_the_provider_is_told_of_a_promoted_child_as_of_a_new_application(engine):
    """A promoted child applies again: the provider's team hears of an application to decide,
    with the program's name, leading to its desk, in each reader's language."""
    from navigator import routes
    from navigator.domain.notifications.centre import list_notifications

    world = build_world(engine, seats=1)
    waiting_parent, waiting_child, *_ = world.add_parent_with_child()
    seated, (waiting,) = _full_group_with_waiting(world, (waiting_parent, waiting_child))
    assert _notified(world, world.provider_user.user_id, "application.promoted") == []
    _free_the_seat(world, seated)
    assert _status(world, waiting) == "applied"
    told = _notified(world, world.provider_user.user_id, "application.promoted")
    assert [n.payload["enrollment_id"] for n in told] == [waiting]
    with read_session(engine) as s:
        lines = {
            language: next(
                item
                for item in list_notifications(s, world.provider_user, language).items
                if item.kind == "application.promoted"
            )
            for language in ("ru", "lt", "en")
        }
    assert all(item.link == routes.PROVIDER for item in lines.values())
    assert "«Робототехника»" in lines["ru"].line and "„Робототехника“" in lines["lt"].line
    assert len({item.line for item in lines.values()}) == 3


def test_every_place_a_parent_sees_is_the_place_the_promotion_order_gives(engine):
    """The cabinet reads each list as plain facts; the promotion ranks the locked entities.
    Both order a list of children with and without verified categories (all from the
    program's municipality), in two groups, the same way."""
    world = build_world(engine, seats=1)
    admin = municipality_admin(world)
    other_group = world.add_group(seats=1)
    parents = [world.add_parent_with_child() for _ in range(5)]
    _category(world, parents[1][0], parents[1][1], "disability")
    _category(world, parents[2][0], parents[2][1], "large_family")
    _category(world, parents[3][0], parents[3][1], "disability", verified=False)
    _seated, waiting = _full_group_with_waiting(world, *((p[0], p[1]) for p in parents))
    with world.tx() as s:
        accept_application(
            s, world.provider_user, world.apply(group_id=other_group), today=world.today
        )
    elsewhere = [world.apply(child_id=p[1], parent=p[0], group_id=other_group) for p in parents[2:]]
    with world.tx() as s:
        set_waitlist_priority(
            s, admin, world.municipality_id, [["disability"], ["large_family", "home_municipality"]]
        )
    with read_session(engine) as s:
        expected = {}
        for group_id in (world.group_id, other_group):
            order = ordered_waitlist(s, s.get(Group, group_id))
            for index, row in enumerate(order):
                expected[row.enrollment.id] = (
                    row.child.guardian_id,
                    index + 1,
                    len(order),
                    row.met,
                )
        seen = {}
        for parent, *_ in parents:
            for enrollment_id, place in queue_places(s, parent).items():
                seen[enrollment_id] = (parent.user_id, place.place, place.of, place.met)
    assert seen == expected
    assert set(seen) == set(waiting) | set(elsewhere)
    assert seen[waiting[1]][1:] == (1, 5, ["disability", "home_municipality"])  # verified first
    assert seen[waiting[3]][3] == ["home_municipality"]  # the unverified category counts nothing
