"""Parents applying at once for the last seats, in real OS processes on both databases: the
seats promised to applications awaiting a decision are counted under the group's lock, so
exactly as many applications as there are seats stay pending, every other parent is put on
the waiting list and told, and no request ends in a raw database error."""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter

from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import apply_to_group
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.models import Notification
from tests.factories import build_world
from tests.support.parallel import process_engine

PARENTS = 6


def _apply(url: str, barrier, results, job: tuple) -> None:
    engine = process_engine(url)
    user_id, child_id, group_id, today = job
    try:
        barrier.wait(timeout=60)
        status = atomically(
            lambda s: (
                apply_to_group(s, Actor.user(user_id), child_id, group_id, today=today).status
            ),
            engine,
        )
        results.put(str(status))
    except DomainError as refusal:
        results.put(refusal.code)
    except Exception as error:
        traceback.print_exc()
        results.put(f"RAW {type(error).__name__}: {str(error)[:200]}")
    finally:
        engine.dispose()


def test_six_parents_at_once_for_two_seats_leave_two_pending_and_four_told_they_wait(engine):
    world = build_world(engine, seats=2)
    families = [world.add_parent_with_child()[:2] for _ in range(PARENTS)]
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PARENTS)
    results = context.Queue()
    jobs = [(parent.user_id, child, world.group_id, world.today) for parent, child in families]
    workers = [context.Process(target=_apply, args=(url, barrier, results, j)) for j in jobs]
    for worker in workers:
        worker.start()
    outcomes = Counter(results.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert outcomes == Counter({"applied": 2, "waitlisted": 4}), outcomes
    with read_session(engine) as s:
        statuses = Counter(
            s.exec(select(Enrollment.status).where(Enrollment.group_id == world.group_id)).all()
        )
        told = s.exec(
            select(Notification.user_id).where(Notification.kind == "enrollment.waitlisted")
        ).all()
    assert statuses == Counter({"applied": 2, "waitlisted": 4})
    assert len(set(told)) == 4
