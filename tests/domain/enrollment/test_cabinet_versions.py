"""The open cabinets' fingerprints, read for many families at once: each family's is the one
its own cabinet reads, whoever else is in the batch, and only what happens in a family
moves that family's."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func
from sqlalchemy import select as wide_select
from sqlmodel import col, select

import navigator.domain.enrollment.queries as queries
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Child, Role
from navigator.domain.certificates.models import Certificate
from navigator.domain.certificates.numbers import format_certificate_number
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Attendance, Enrollment, EnrollmentOffer
from navigator.domain.enrollment.offers import decline_offer, offer_enrollment
from navigator.domain.enrollment.queries import cabinet_version, cabinet_versions
from navigator.domain.shared.db import read_session
from tests.domain.enrollment.family import Family, build_family
from tests.factories import PASSWORD


def _offer_to(family: Family, child_id: int) -> int:
    """The provider's desk offers the child a seat in Anya's group, by certificate number."""
    world = family.world
    with world.tx() as s:
        number = s.exec(select(Certificate.number).where(Certificate.child_id == child_id)).one()
        born = s.exec(select(Child.birth_date).where(Child.id == child_id)).one()
        offer = offer_enrollment(
            s, world.provider_user, world.group_id, format_certificate_number(number), born
        )
        return offer.id


@pytest.fixture
def town(engine):
    """Five families: Anya's (two children, accepted, a marked lesson, an application
    waiting), another in Anya's group, one with an offer waiting, one with a certificate and
    nothing else, and a parent with no child yet."""
    family = build_family(engine)
    world = family.world
    offered, offered_child, _certificate, _account = world.add_parent_with_child()
    offer_id = _offer_to(family, offered_child)
    quiet, quiet_child, _certificate, _account = world.add_parent_with_child()
    with world.tx() as s:
        childless = create_user(s, "new@example.org", PASSWORD, roles=((Role.PARENT, None, None),))
    guardians = {
        "anya": family.world.parent.user_id,
        "other": family.other_parent.user_id,
        "offered": offered.user_id,
        "quiet": quiet.user_id,
        "childless": childless.id,
    }
    return family, guardians, offer_id, quiet_child


def _one_family_s_figures(session, guardian_id: int) -> int:
    """The cabinet's fingerprint as it was read before the batch: three statements for one
    family (kept here as the reference the batch must agree with)."""
    enrollments = session.exec(
        wide_select(
            col(Enrollment.id),
            col(Enrollment.status),
            col(Enrollment.held_minor),
            col(Enrollment.captured_minor),
            col(Enrollment.released_minor),
            col(Enrollment.refunded_minor),
        )
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(col(Child.guardian_id) == guardian_id)
        .order_by(col(Enrollment.id))
    ).all()
    marks = session.exec(
        select(func.count())
        .select_from(Attendance)
        .join(Enrollment, col(Enrollment.id) == Attendance.enrollment_id)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(Child.guardian_id == guardian_id)
    ).one()
    offers = session.exec(
        select(func.count())
        .select_from(EnrollmentOffer)
        .join(Child, col(Child.id) == EnrollmentOffer.child_id)
        .where(col(Child.guardian_id) == guardian_id, col(EnrollmentOffer.decision) == "pending")
    ).one()
    return queries._fingerprint((tuple(tuple(row) for row in enrollments), marks, offers))


def _versions(engine, guardians: dict[str, int]) -> dict[str, int]:
    with read_session(engine) as s:
        batched = cabinet_versions(s, list(guardians.values()))
    return {name: batched[guardian] for name, guardian in guardians.items()}


def test_each_family_s_fingerprint_is_its_own_cabinet_s_whoever_else_is_asked(engine, town):
    _family, guardians, _offer_id, _quiet_child = town
    ids = list(guardians.values())
    with read_session(engine) as s:
        together = cabinet_versions(s, ids)
        reference = {g: _one_family_s_figures(s, g) for g in ids}
        one_by_one = {g: cabinet_version(s, Actor.user(g)) for g in ids}
        alone = {g: cabinet_versions(s, [g])[g] for g in ids}
        reversed_and_repeated = cabinet_versions(s, [*reversed(ids), ids[0], ids[2]])
    assert together == reference == one_by_one == alone == reversed_and_repeated
    # a certificate alone shows nothing the poll watches: the quiet family reads as the
    # childless one, and every family with something in its cabinet differently
    assert together[guardians["quiet"]] == together[guardians["childless"]]
    assert len(set(together.values())) == 4


def test_a_mark_an_acceptance_and_an_offer_move_only_that_family_s_fingerprint(engine, town):
    family, guardians, offer_id, quiet_child = town
    world = family.world

    def moved(change) -> set[str]:
        before = _versions(engine, guardians)
        with world.tx() as s:
            change(s)
        after = _versions(engine, guardians)
        return {name for name in guardians if after[name] != before[name]}

    assert moved(lambda s: None) == set()
    mark = lambda s: mark_attendance(  # noqa: E731
        s, world.provider_user, family.other_enrollment, world.today, "absent", today=world.today
    )
    assert moved(mark) == {"other"}
    accept = lambda s: accept_application(  # noqa: E731
        s, world.provider_user, family.waiting, today=world.today
    )
    assert moved(accept) == {"anya"}
    before = _versions(engine, guardians)
    _offer_to(family, quiet_child)
    after = _versions(engine, guardians)
    assert {name for name in guardians if after[name] != before[name]} == {"quiet"}
    assert moved(lambda s: decline_offer(s, Actor.user(guardians["offered"]), offer_id)) == {
        "offered"
    }


def test_many_families_are_read_in_three_statements_per_chunk(engine, town, monkeypatch):
    """Whatever the number of families; a long list is cut so an IN list never explodes."""
    _family, guardians, _offer_id, _quiet_child = town
    ids = list(guardians.values())
    with read_session(engine) as s:
        expected = cabinet_versions(s, ids)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.strip().upper() != "BEGIN":  # SQLite's own, once a transaction
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for size, chunks in ((1, 1), (5, 1)):
            statements.clear()
            with read_session(engine) as s:
                cabinet_versions(s, ids[:size])
            assert len(statements) == 3 * chunks
        monkeypatch.setattr(queries, "GUARDIANS_PER_STATEMENT", 2)
        statements.clear()
        with read_session(engine) as s:
            assert cabinet_versions(s, ids) == expected
        assert len(statements) == 3 * 3  # five families, two a statement
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("wrong", [None, "12", 7, [True, "3", 1.5, -1, 2**70], [[1]]])
def test_ids_that_are_no_guardian_s_are_left_out(engine, wrong):
    with read_session(engine) as s:
        assert cabinet_versions(s, wrong) == {}


@pytest.mark.parametrize("wrong", [0, -1, 2**70, True])
def test_one_cabinet_of_an_id_no_guardian_has_reads_as_an_empty_family_s(engine, town, wrong):
    _family, guardians, _offer_id, _quiet_child = town
    with read_session(engine) as s:
        empty = cabinet_version(s, Actor.user(guardians["childless"]))
        assert cabinet_version(s, Actor.user(wrong)) == empty
        assert empty == _one_family_s_figures(s, guardians["childless"])
