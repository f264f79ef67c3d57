"""E-journals uploading attendance at once, in real OS processes through the provider API on
both databases: children who attend two groups (one certificate account each, two places)
are sent in opposite orders by the two groups' uploads, with new marks and corrections in
the same upload. Every lock of an upload is taken in the lock order before its first mark,
so no upload ever waits in a circle: no deadlock (nor any other contention) reaches the
database, no row is refused, no raw error, and the ledger is exactly what the marks say."""

from __future__ import annotations

import os
import traceback
from collections import Counter
from datetime import date, timedelta

from sqlmodel import select

from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.models import Attendance, Enrollment
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.apikeys import create_api_key
from navigator.domain.shared.db import read_session
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import race_processes, raw

CHILDREN = 6
ROUNDS = 3  # each process sends every upload of a phase this many times
PRICE = 50_000
URL = "/api/v1/provider/attendance"


def _uploader(database_url, barrier, results, job):
    """One e-journal: its uploads phase by phase, all processes starting each phase together.
    Counts what the API answered and every contention error the database raised here."""
    secret, phases = job
    os.environ["DATABASE_URL"] = database_url
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from navigator.api.provider import provider_api
    from navigator.domain.shared.db import CONTENTION_SQLITE, CONTENTION_SQLSTATES, get_engine
    from navigator.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()

    seen = Counter()

    def count_contention(context):
        error = context.original_exception
        state = getattr(error, "sqlstate", None)
        if state in CONTENTION_SQLSTATES or any(t in str(error).lower() for t in CONTENTION_SQLITE):
            seen[f"contention {state or str(error)[:40]}"] += 1

    event.listen(get_engine(), "handle_error", count_contention)
    client = TestClient(provider_api, headers={"Authorization": f"Bearer {secret}"})
    try:
        for uploads in phases:
            barrier.wait(timeout=120)
            for _round in range(ROUNDS):
                for marks in uploads:
                    response = client.post(URL, json={"marks": marks})
                    if response.status_code != 200:
                        seen[f"http {response.status_code} {response.text[:120]}"] += 1
                        continue
                    body = response.json()
                    seen["marked or corrected"] += body["applied"] - body["corrected"]
                    seen["corrected"] += body["corrected"]
                    seen["unchanged"] += body["unchanged"]
                    seen.update(f"refused {e['type']}" for e in body["errors"])
    except Exception as error:
        traceback.print_exc()
        seen[raw(error)] += 1
    results.put(dict(seen))


def test_uploads_naming_shared_children_in_opposite_orders_never_deadlock(engine, request):
    world = build_world(engine, today=date.today() - timedelta(days=20), price=PRICE)
    second_group = world.add_group(price=PRICE)
    groups = {world.group_id: [], second_group: []}
    for _ in range(CHILDREN):  # each child in both groups: two places, one account
        parent, child_id, _certificate, _account = world.add_parent_with_child()
        for group_id, places in groups.items():
            enrollment_id = world.apply(child_id, group_id, parent)
            with world.tx() as s:
                accept_application(s, world.provider_user, enrollment_id, today=world.today)
            places.append(enrollment_id)
    with world.tx() as s:
        _key, secret = create_api_key(s, world.provider_user, world.provider_id, "e-journal")
    with read_session(engine) as s:
        starts = max(s.get(Enrollment, e).contract_starts_on for e in groups[second_group])
        dates = [
            d for d in lesson_dates(s.get(Group, world.group_id)) if starts <= d < date.today()
        ]
    assert len(dates) >= 4
    # phase one marks the later lessons; phase two marks the first and corrects the recent
    # ones (within the municipality's window of 7 days, a day to spare) to excused
    last, first = dates[0], dates[1:]
    excused = [d for d in first if d >= date.today() - timedelta(days=5)]
    assert excused and len(excused) < len(first)

    def marks(places, days, status, reason=None):
        return [
            {"enrollment_id": e, "date": d.isoformat(), "status": status}
            | ({"correction_reason": reason} if reason else {})
            for d in days
            for e in places
        ]

    def journal(places):
        """Phase one marks most lessons; phase two marks one more (a capture, which locks
        the account) before correcting others (which lock their marks): locked as the rows
        came, that order was refused outright (a mark locked after an account)."""
        one = [marks(places, [d], "present") for d in first]
        two = [marks(places, [last], "present") + marks(places, excused, "excused", "Болел")]
        return [one, two]

    a, b = groups[world.group_id], groups[second_group]
    journals = [journal(a), journal(b[::-1]), journal(a[::-1]), journal(b)]
    url = engine.url.render_as_string(hide_password=False)
    pg_log = None
    if engine.dialect.name == "postgresql":
        pg_log = request.getfixturevalue("pg_cluster").root / "log"
    logged_before = _count_deadlocks(pg_log)
    answers = race_processes(_uploader, url, [(secret, p) for p in journals], timeout=600)
    outcomes = sum(map(Counter, answers), Counter())

    places = CHILDREN * 2
    assert not [k for k in outcomes if k.startswith(("RAW", "http", "contention"))], outcomes
    assert not [k for k in outcomes if k.startswith("refused")], outcomes
    assert outcomes["marked or corrected"] == places * (len(first) + 1)  # each lesson once
    assert outcomes["corrected"] == places * len(excused)  # each correction once
    assert _count_deadlocks(pg_log) == logged_before
    with read_session(engine) as s:
        charged = Counter()
        for mark in s.exec(select(Attendance)).all():
            expected = "excused" if mark.lesson_date in excused else "present"
            assert mark.status == expected, mark
            charged[mark.enrollment_id] += mark.charged_minor
            assert mark.charged_minor == (0 if expected == "excused" else PRICE), mark
        for enrollment in s.exec(select(Enrollment)).all():
            lessons = len(dates) - len(excused)
            assert charged[enrollment.id] == lessons * PRICE, enrollment
            assert enrollment.captured_minor - enrollment.refunded_minor == lessons * PRICE
    assert_ledger_invariants(engine)


def _count_deadlocks(log) -> int:
    """PostgreSQL's own witness: "deadlock detected" in the server log the test cluster
    writes (0 on SQLite, whose writers never wait in a circle)."""
    if log is None or not log.exists():
        return 0
    return log.read_text(encoding="utf-8", errors="replace").count("deadlock detected")
