"""A batch of letters counts its addresses' hourly limits at once: each address gets what
the hour leaves it, exactly as counting the letters one by one would, and dispatchers racing
in real OS processes never count past the limit, with no raw database error."""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter
from functools import partial

import pytest
from sqlmodel import func, select

from navigator.domain.accounts.models import ActionAttempt
from navigator.domain.accounts.throttle import LIMITS, spend_attempt, spend_attempts
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import InvalidInput, TooManyAttempts
from tests.support.parallel import process_engine

LIMIT = LIMITS[("notification_mail", "email")]


def _attempts(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(ActionAttempt)).one()


def test_a_batch_takes_what_the_hour_leaves_each_address_as_one_by_one_would(engine):
    for _ in range(LIMIT - 5):
        with transaction(engine) as s:
            spend_attempt(s, "notification_mail", "email", "Busy@Example.org ")
    with transaction(engine) as s:
        taken = spend_attempts(
            s, "notification_mail", "email", {"busy@example.org": 10, "calm@example.org": 3}
        )
    assert taken == {"busy@example.org": 5, "calm@example.org": 3}
    with pytest.raises(TooManyAttempts), transaction(engine) as s:  # one by one agrees
        spend_attempt(s, "notification_mail", "email", "busy@example.org")
    with transaction(engine) as s:
        spend_attempt(s, "notification_mail", "email", "calm@example.org")
        assert spend_attempts(s, "notification_mail", "email", {"busy@example.org": 1}) == {
            "busy@example.org": 0
        }
    assert _attempts(engine) == LIMIT + 4
    for action, wanted in [("nonsense", {"a@example.org": 1}), ("notification_mail", {4: 1})]:
        with pytest.raises(InvalidInput), transaction(engine) as s:
            spend_attempts(s, action, "email", wanted)
    with pytest.raises(InvalidInput), transaction(engine) as s:
        spend_attempt(s, "notification_mail", "email", ["a@example.org"])
    assert _attempts(engine) == LIMIT + 4  # nothing counted for a refusal


def _spender(url, barrier, results):
    engine = process_engine(url)
    outcomes = Counter()
    try:
        barrier.wait(timeout=60)
        for _round in range(3):
            wanted = {"one@example.org": 4, "two@example.org": 5}
            taken = atomically(
                partial(spend_attempts, action="notification_mail", counted="email", wanted=wanted),
                engine,
            )
            outcomes.update(taken)
    except Exception as error:
        outcomes[f"RAW {type(error).__name__}: {str(error)[:200]}"] += 1
        traceback.print_exc()
    engine.dispose()
    results.put(dict(outcomes))


def test_batches_racing_in_processes_never_count_past_the_limit(engine):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    results = context.Queue()
    url = engine.url.render_as_string(hide_password=False)
    processes = [context.Process(target=_spender, args=(url, barrier, results)) for _ in range(3)]
    for process in processes:
        process.start()
    outcomes = Counter()
    for _ in processes:
        outcomes.update(results.get(timeout=300))
    for process in processes:
        process.join(timeout=30)
    assert not [k for k in outcomes if k.startswith("RAW")], outcomes
    # 3 processes × 3 rounds wanted 36 and 45: each address got exactly its hour's 20
    assert outcomes == Counter({"one@example.org": LIMIT, "two@example.org": LIMIT})
    assert _attempts(engine) == 2 * LIMIT
