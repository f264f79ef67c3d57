"""The provider API over HTTP: keys, programs by external id, applications, attendance batches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from navigator.domain.accounts.models import Membership
from navigator.domain.certificates.models import LedgerEntry
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Attendance, AttendanceCorrection, Enrollment
from navigator.domain.programs.models import Group, Program
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.apikeys import create_api_key, revoke_api_key
from navigator.domain.shared import db as db_module
from navigator.domain.shared.db import read_session
from navigator.settings import get_settings
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants

PROGRAM = {
    "title": "Робототехника для начинающих",
    "direction": "technical",
    "age_min": 8,
    "age_max": 12,
    "language": "ru",
}


@pytest.fixture
def setup(engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    # the API runs on the real clock: a group that started ten days ago has lessons to mark
    # and lessons still ahead to accept for
    world = build_world(engine, today=date.today() - timedelta(days=10))
    with world.tx() as s:
        _key, secret = create_api_key(s, world.provider_user, world.provider_id, "e-journal")
    from navigator.api.provider import provider_api

    client = TestClient(provider_api)
    client.headers["Authorization"] = f"Bearer {secret}"
    yield world, client, secret
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()


def test_no_key_or_a_wrong_one_is_refused(setup):
    _world, client, secret = setup
    for header in (None, "Bearer nav_wrong", f"Basic {secret}", "Bearer " + "x" * 5000):
        headers = {"Authorization": header} if header else {}
        fresh = TestClient(client.app)
        response = fresh.get("/api/v1/provider/applications", headers=headers)
        assert response.status_code == 401


def test_put_program_creates_once_then_updates(setup):
    world, client, _secret = setup
    first = client.put("/api/v1/provider/programs/R-1", json=PROGRAM)
    assert first.status_code == 200 and first.json()["created"] is True
    again = client.put(
        "/api/v1/provider/programs/R-1", json={**PROGRAM, "title": "Робототехника 2"}
    )
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    with read_session(world.engine) as s:
        programs = s.exec(select(Program).where(Program.external_id == "R-1")).all()
    assert [p.title for p in programs] == ["Робототехника 2"]


@pytest.mark.parametrize(
    "bad",
    [
        {**PROGRAM, "age_min": 12, "age_max": 8},
        {**PROGRAM, "direction": "cooking"},
        {**PROGRAM, "title": ""},
        {**PROGRAM, "age_min": -1},
        {**PROGRAM, "latitude": 91},
        {"title": "x"},
    ],
)
def test_a_bad_program_is_refused_with_a_reason_and_saves_nothing(setup, bad):
    world, client, _secret = setup
    response = client.put("/api/v1/provider/programs/BAD", json=bad)
    assert response.status_code == 422
    assert response.json()["detail"]
    with read_session(world.engine) as s:
        assert s.exec(select(Program).where(Program.external_id == "BAD")).all() == []


def test_put_group_creates_once_then_updates_and_refuses_bad_terms(setup):
    world, client, _secret = setup
    assert client.put("/api/v1/provider/programs/R-7", json=PROGRAM).status_code == 200
    start = date.today()
    group = {
        "name": "Утро",
        "timetable": [{"weekday": 2, "start": "10:00", "end": "11:30"}],
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=90)).isoformat(),
        "seats": 8,
        "price_per_lesson_minor": 45_000,
    }
    url = "/api/v1/provider/programs/R-7/groups/G-1"
    first = client.put(url, json=group)
    assert first.status_code == 200 and first.json()["created"] is True
    again = client.put(url, json={**group, "seats": 12})
    assert again.json() == {**first.json(), "seats": 12, "created": False}
    bad = [
        {**group, "seats": 0},
        {**group, "price_per_lesson_minor": -1},
        {**group, "timetable": []},
        {**group, "timetable": [{"weekday": 8, "start": "10:00", "end": "11:00"}]},
        {**group, "timetable": [{"weekday": 1, "start": "25:00", "end": "11:00"}]},
        {**group, "ends_on": (start - timedelta(days=1)).isoformat()},
        {**group, "name": ""},
        {**group, "starts_on": "2026-02-30"},
    ]
    for body in bad:
        response = client.put(url, json=body)
        assert response.status_code in (409, 422), body
        assert response.json()["detail"]
    assert client.put("/api/v1/provider/programs/NOPE/groups/G-1", json=group).status_code == 404
    with read_session(world.engine) as s:
        (row,) = s.exec(select(Group).where(Group.external_id == "G-1")).all()
    assert (row.seats, row.name, row.price_per_lesson_minor) == (12, "Утро", 45_000)
    assert again.json()["awaiting_certification"] is True  # never certified yet


def test_a_new_price_through_the_api_sends_a_certified_program_back_to_review(setup):
    world, client, _secret = setup
    client.put("/api/v1/provider/programs/R-7", json=PROGRAM)
    start = date.today()
    group = {
        "name": "Утро",
        "timetable": [{"weekday": 2, "start": "10:00", "end": "11:30"}],
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=90)).isoformat(),
        "seats": 8,
        "price_per_lesson_minor": 45_000,
    }
    url = "/api/v1/provider/programs/R-7/groups/G-1"
    client.put(url, json=group)
    with read_session(world.engine) as s:
        program_id = s.exec(select(Group.program_id).where(Group.external_id == "G-1")).one()
    world.certify(program_id)
    same = client.put(url, json={**group, "seats": 9}).json()
    assert (same["awaiting_certification"], same["certification_status"]) == (False, "certified")
    repriced = client.put(url, json={**group, "price_per_lesson_minor": 47_000}).json()
    assert repriced["awaiting_certification"] is True
    assert repriced["certification_status"] == "submitted"


def test_applications_accept_and_reject(setup):
    world, client, _secret = setup
    first = world.apply()
    parent2, child2, _cert, _acc = world.add_parent_with_child()
    second = world.apply(child_id=child2, parent=parent2)
    listed = client.get("/api/v1/provider/applications", params={"status": "applied"}).json()
    assert {row["enrollment_id"] for row in listed} == {first, second}
    accepted = client.post(f"/api/v1/provider/applications/{first}/accept")
    assert accepted.status_code == 200 and accepted.json()["held_minor"] > 0
    assert (
        client.post(
            f"/api/v1/provider/applications/{second}/reject", json={"reason": ""}
        ).status_code
        == 422
    )
    rejected = client.post(
        f"/api/v1/provider/applications/{second}/reject", json={"reason": "Группа на ремонте"}
    )
    assert rejected.json()["status"] == "rejected"
    assert client.post("/api/v1/provider/applications/999999/accept").status_code == 404


def test_attendance_batches_are_idempotent_and_report_bad_rows(setup):
    world, client, _secret = setup
    enrollment_id = world.apply()
    with world.tx() as s:  # accepted when the group started, so its past lessons are its own
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(world.engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    past = [d for d in lessons if world.today <= d < date.today()]
    batch = {
        "marks": [
            {"enrollment_id": enrollment_id, "date": past[0].isoformat(), "status": "present"},
            {"enrollment_id": enrollment_id, "date": "2001-01-01", "status": "present"},
            {"enrollment_id": 999_999, "date": past[0].isoformat(), "status": "present"},
        ]
    }
    first = client.post("/api/v1/provider/attendance", json=batch)
    assert first.status_code == 200
    body = first.json()
    assert body["applied"] == 1 and [e["index"] for e in body["errors"]] == [1, 2]
    again = client.post("/api/v1/provider/attendance", json=batch).json()
    assert again["applied"] == 0 and again["unchanged"] == 1
    with read_session(world.engine) as s:
        assert len(s.exec(select(Attendance)).all()) == 1
    assert (
        client.post(
            "/api/v1/provider/attendance", json={"marks": [{"enrollment_id": 1}]}
        ).status_code
        == 422
    )


def test_a_mark_is_corrected_only_with_a_reason_and_a_stranger_learns_nothing(setup):
    world, client, _secret = setup
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(world.engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    lesson = max(d for d in lessons if d < date.today()).isoformat()
    row = {"enrollment_id": enrollment_id, "date": lesson}
    url = "/api/v1/provider/attendance"
    assert client.post(url, json={"marks": [{**row, "status": "present"}]}).json()["applied"] == 1
    refused = client.post(url, json={"marks": [{**row, "status": "absent"}]}).json()
    assert [e["type"] for e in refused["errors"]] == ["attendance_already_marked"]
    fix = {**row, "status": "absent", "correction_reason": "Был болен"}
    corrected = client.post(url, json={"marks": [fix]}).json()
    assert (corrected["corrected"], corrected["errors"]) == (1, [])
    assert client.post(url, json={"marks": [fix]}).json()["unchanged"] == 1
    with read_session(world.engine) as s:
        enrollment = s.get(Enrollment, enrollment_id)
        assert enrollment.refunded_minor == enrollment.captured_minor > 0

    # another provider's key cannot tell a marked lesson from a missing one
    stranger = build_world(world.engine, today=world.today)
    with stranger.tx() as s:
        _key, other_secret = create_api_key(
            s, stranger.provider_user, stranger.provider_id, "other"
        )
    other = TestClient(client.app, headers={"Authorization": f"Bearer {other_secret}"})
    for status in ("absent", "present"):
        probe = other.post(url, json={"marks": [{**row, "status": status}]}).json()
        assert [e["type"] for e in probe["errors"]] == ["not_found"]
        assert probe["unchanged"] == 0


def test_a_key_acts_only_for_its_own_provider_even_when_its_creator_works_for_two(setup):
    world, client, _secret = setup
    other = build_world(world.engine, today=world.today)
    with other.tx() as s:  # the same person also works for the other provider
        s.add(
            Membership(
                user_id=world.provider_user.user_id,
                role="provider_staff",
                provider_id=other.provider_id,
            )
        )
    enrollment_id = other.apply()
    assert client.post(f"/api/v1/provider/applications/{enrollment_id}/accept").status_code == 404
    assert (
        client.post(
            f"/api/v1/provider/applications/{enrollment_id}/reject", json={"reason": "no"}
        ).status_code
        == 404
    )
    with read_session(world.engine) as s:
        assert s.get(Enrollment, enrollment_id).status == "applied"


def test_a_revoked_key_or_a_departed_creator_stops_working(setup):
    world, client, _secret = setup
    assert client.get("/api/v1/provider/applications").status_code == 200
    with world.tx() as s:
        membership = s.exec(
            select(Membership).where(Membership.user_id == world.provider_user.user_id)
        ).one()
        s.delete(membership)
    assert client.get("/api/v1/provider/applications").status_code == 401
    with world.tx() as s:
        s.add(
            Membership(
                user_id=world.provider_user.user_id,
                role="provider_staff",
                provider_id=world.provider_id,
            )
        )
    assert client.get("/api/v1/provider/applications").status_code == 200
    with world.tx() as s:
        from navigator.domain.providers.models import ApiKey

        key = s.exec(select(ApiKey)).one()
        revoke_api_key(s, world.provider_user, key.id)
    assert client.get("/api/v1/provider/applications").status_code == 401
    with read_session(world.engine) as s:
        assert s.exec(select(Enrollment)).all() == []


def _seated(world):
    """A child accepted when the group started, and the group's latest past lesson."""
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(world.engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    return enrollment_id, max(d for d in lessons if d < date.today()).isoformat()


def _money_of(engine, enrollment_id):
    """The place's ledger, oldest first: (kind, amount, attendance id)."""
    with read_session(engine) as s:
        return [
            (e.kind, e.amount_minor, e.attendance_id)
            for e in s.exec(
                select(LedgerEntry)
                .where(LedgerEntry.enrollment_id == enrollment_id)
                .order_by(LedgerEntry.id)
            ).all()
        ]


def test_an_upload_marks_a_lesson_then_corrects_it(setup):
    """The mark the upload itself wrote is corrected in the same upload: one charge, then its
    refund held again; it was a LockOrderError (HTTP 500) once the charge locked the account."""
    world, client, _secret = setup
    enrollment_id, lesson = _seated(world)
    held = _money_of(world.engine, enrollment_id)
    row = {"enrollment_id": enrollment_id, "date": lesson}
    response = client.post(
        "/api/v1/provider/attendance",
        json={
            "marks": [
                {**row, "status": "present"},
                {**row, "status": "excused", "correction_reason": "Был болен"},
            ]
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["applied"], body["corrected"], body["errors"]) == (2, 1, [])
    with read_session(world.engine) as s:
        mark = s.exec(select(Attendance)).one()
        correction = s.exec(select(AttendanceCorrection)).one()
        enrollment = s.get(Enrollment, enrollment_id)
    assert (mark.status, mark.charged_minor) == ("excused", 0)
    assert (correction.from_status, correction.to_status) == ("present", "excused")
    charge = correction.refunded_minor
    assert charge > 0 and enrollment.captured_minor == enrollment.refunded_minor == charge
    assert _money_of(world.engine, enrollment_id) == [
        *held,
        ("capture", charge, mark.id),
        ("refund", charge, mark.id),
        ("hold", charge, None),
    ]
    assert_ledger_invariants(world.engine)


def test_a_batch_naming_another_providers_child_changes_nothing_of_theirs(setup):
    """Another provider's child, marked and corrected amid the provider's own rows: those rows
    are refused as unknown (not even locked), theirs stay as they were, the own rows apply."""
    world, client, _secret = setup
    own, lesson = _seated(world)
    other = build_world(world.engine, today=world.today)
    theirs = other.apply()
    with other.tx() as s:
        accept_application(s, other.provider_user, theirs, today=other.today)
    with other.tx() as s:
        mark_attendance(s, other.provider_user, theirs, date.fromisoformat(lesson), "present")
    with read_session(world.engine) as s:
        their_mark = s.exec(select(Attendance).where(Attendance.enrollment_id == theirs)).one()
        their_place = s.get(Enrollment, theirs).model_dump()
    their_money = _money_of(world.engine, theirs)
    response = client.post(
        "/api/v1/provider/attendance",
        json={
            "marks": [
                {"enrollment_id": theirs, "date": lesson, "status": "absent"},
                {"enrollment_id": own, "date": lesson, "status": "present"},
                {
                    "enrollment_id": theirs,
                    "date": lesson,
                    "status": "excused",
                    "correction_reason": "Ошибка",
                },
                {
                    "enrollment_id": own,
                    "date": lesson,
                    "status": "excused",
                    "correction_reason": "Был болен",
                },
            ]
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(e["index"], e["type"]) for e in body["errors"]] == [(0, "not_found"), (2, "not_found")]
    assert (body["applied"], body["corrected"]) == (2, 1)
    with read_session(world.engine) as s:
        assert s.get(Enrollment, theirs).model_dump() == their_place
        assert s.get(Attendance, their_mark.id).model_dump() == their_mark.model_dump()
        corrected = s.exec(select(AttendanceCorrection.enrollment_id)).all()
    assert corrected == [own]
    assert _money_of(world.engine, theirs) == their_money
    assert_ledger_invariants(world.engine)


def test_the_same_child_twice_in_one_batch_is_marked_once(setup):
    """The same row twice is marked once, then found unchanged; a different mark for it
    without a reason is refused; one charge in all."""
    world, client, _secret = setup
    enrollment_id, lesson = _seated(world)
    row = {"enrollment_id": enrollment_id, "date": lesson, "status": "present"}
    response = client.post(
        "/api/v1/provider/attendance",
        json={"marks": [row, row, {**row, "status": "absent"}]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["applied"], body["unchanged"]) == (1, 1)
    assert [(e["index"], e["type"]) for e in body["errors"]] == [(2, "attendance_already_marked")]
    with read_session(world.engine) as s:
        mark = s.exec(select(Attendance)).one()
        enrollment = s.get(Enrollment, enrollment_id)
    assert mark.status == "present" and enrollment.captured_minor == mark.charged_minor > 0
    captures = [m for m in _money_of(world.engine, enrollment_id) if m[0] == "capture"]
    assert captures == [("capture", mark.charged_minor, mark.id)]
    assert_ledger_invariants(world.engine)
