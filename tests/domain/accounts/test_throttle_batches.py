"""A batch of letters counts its addresses' hourly limits at once: each address gets what
the hour leaves it, exactly as counting the letters one by one would, also when a batch
spells one address two ways; dispatchers racing in real OS processes, each giving the
addresses in its own order, never count past the limit, with no raw database error."""

from __future__ import annotations

import traceback
from collections import Counter

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from navigator.domain.accounts.models import ActionAttempt
from navigator.domain.accounts.throttle import LIMITS, spend_attempt, spend_attempts
from navigator.domain.shared.db import IN_CHUNK, read_session, transaction
from navigator.domain.shared.errors import Busy, InvalidInput, TooManyAttempts
from tests.support.parallel import process_engine, race_processes, raw

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


def test_subjects_that_are_one_address_share_what_its_hour_leaves(engine):
    for _ in range(3):
        with transaction(engine) as s:
            spend_attempt(s, "notification_mail", "email", "shared@example.org")
    with transaction(engine) as s:  # 17 left: the first spelling takes 10, the second 7
        taken = spend_attempts(
            s,
            "notification_mail",
            "email",
            {"Shared@Example.org": 10, "other@example.org": 2, " shared@example.org ": 10},
        )
    assert taken == {"Shared@Example.org": 10, "other@example.org": 2, " shared@example.org ": 7}
    assert list(taken) == ["Shared@Example.org", "other@example.org", " shared@example.org "]
    with transaction(engine) as s:
        assert spend_attempts(s, "notification_mail", "email", {"SHARED@example.org": 1}) == {
            "SHARED@example.org": 0
        }
    assert _attempts(engine) == LIMIT + 2


def test_a_count_that_is_not_a_whole_number_is_refused_and_nothing_is_counted(engine):
    for count in [1.5, True, "1", None, -1, 2**70]:
        with pytest.raises(InvalidInput), transaction(engine) as s:
            spend_attempts(s, "notification_mail", "email", {"a@example.org": 1, "b@x.org": count})
    with pytest.raises(InvalidInput), transaction(engine) as s:
        spend_attempts(s, "notification_mail", "email", ["a@example.org"])
    assert _attempts(engine) == 0


def test_nothing_wanted_asks_the_database_nothing(engine):
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with transaction(engine) as s:
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert spend_attempts(s, "notification_mail", "email", {}) == {}
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert statements == []


def test_more_addresses_than_one_in_list_holds_are_counted_in_chunks(engine):
    wanted = {f"many{n}@example.org": 1 for n in range(IN_CHUNK * 2 + 1)}
    wanted["many0@example.org"] = LIMIT
    with transaction(engine) as s:
        assert spend_attempts(s, "notification_mail", "email", wanted) == wanted
    with transaction(engine) as s:  # each address's count was read back, whichever chunk
        again = spend_attempts(s, "notification_mail", "email", wanted)
    assert again == {**{a: 1 for a in wanted}, "many0@example.org": 0}
    assert _attempts(engine) == 2 * (len(wanted) - 1) + LIMIT


# the same addresses as each process gives them: its own order, its own spelling
ORDERS = [
    {"one@example.org": 4, "two@example.org": 5, "three@example.org": 3},
    {"three@example.org": 3, "two@example.org": 5, "one@example.org": 4},
    {"TWO@example.org ": 5, "Three@Example.org": 3, " One@Example.org": 4},
]
ROUNDS = 5


def _spender(url, barrier, results, order):
    engine = process_engine(url)
    outcomes = Counter()
    try:
        barrier.wait(timeout=60)
        for _round in range(ROUNDS):
            try:  # not retried: a deadlock would end a transaction as Busy
                with transaction(engine) as s:
                    taken = spend_attempts(s, "notification_mail", "email", ORDERS[order])
            except Busy:
                outcomes["busy"] += 1
                continue
            outcomes.update({a.strip().lower(): n for a, n in taken.items()})
    except Exception as error:
        outcomes[raw(error)] += 1
        traceback.print_exc()
    engine.dispose()
    results.put(dict(outcomes))


def test_batches_racing_in_processes_in_any_order_never_count_past_the_limit(engine):
    url = engine.url.render_as_string(hide_password=False)
    outcomes = sum(
        map(Counter, race_processes(_spender, url, list(range(len(ORDERS))), timeout=300)),
        Counter(),
    )
    assert not [k for k in outcomes if k.startswith("RAW") or k == "busy"], outcomes
    # 3 processes × 5 rounds wanted 60, 75 and 45, never waiting for each other in a circle:
    # each address got exactly its hour's 20
    assert outcomes == Counter(
        {"one@example.org": LIMIT, "two@example.org": LIMIT, "three@example.org": LIMIT}
    )
    assert _attempts(engine) == 3 * LIMIT
