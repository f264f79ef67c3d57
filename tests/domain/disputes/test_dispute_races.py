"""Two people clicking at once, in real OS processes on both databases: a parent disputing
one charge twice opens one dispute; the provider accepting while the municipality decides
refunds the charge once. No request ends in a raw database error."""

from __future__ import annotations

import traceback
from collections import Counter
from datetime import timedelta

from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.certificates.models import EntryKind, LedgerEntry
from navigator.domain.disputes.api import (
    accept_dispute,
    contest_dispute,
    decide_dispute,
    open_dispute,
)
from navigator.domain.disputes.models import Dispute
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError
from tests.domain.disputes.world import build_charged, noon
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import process_engine, race_processes, raw

PROCESSES = 4


def _worker(url: str, barrier, results, job: tuple) -> None:
    engine = process_engine(url)
    what, user_id, target, when = job
    actor = Actor.user(user_id)
    try:
        barrier.wait(timeout=60)
        if what == "open":
            atomically(lambda s: open_dispute(s, actor, target, comment="", now=when), engine)
        elif what == "accept":
            atomically(lambda s: accept_dispute(s, actor, target), engine)
        elif what == "uphold":
            atomically(lambda s: decide_dispute(s, actor, target, "uphold", "not there"), engine)
        else:
            atomically(lambda s: decide_dispute(s, actor, target, "reject", "was there"), engine)
        results.put("ok")
    except DomainError as refusal:
        results.put(refusal.code)
    except Exception as error:
        traceback.print_exc()
        results.put(raw(error))
    finally:
        engine.dispose()


def _race(engine, jobs: list[tuple]) -> Counter:
    url = engine.url.render_as_string(hide_password=False)
    outcomes = Counter(race_processes(_worker, url, jobs))
    print(dict(outcomes))
    assert {k: v for k, v in outcomes.items() if k.startswith("RAW")} == {}
    return outcomes


def test_a_parent_disputing_one_charge_twice_at_once_opens_one_dispute(engine):
    c = build_charged(engine)
    when = noon(c.lessons[0] + timedelta(days=1))
    outcomes = _race(engine, [("open", c.world.parent.user_id, c.entry_id, when)] * PROCESSES)
    assert outcomes["ok"] == 1
    assert outcomes["dispute_already_opened"] + outcomes["busy"] == PROCESSES - 1
    with read_session(engine) as s:
        assert len(s.exec(select(Dispute)).all()) == 1
    assert_ledger_invariants(engine)


def test_the_provider_accepting_while_the_municipality_decides_refunds_once(engine):
    for round_number in range(2):
        c = build_charged(engine)
        with c.world.tx() as s:
            dispute_id = open_dispute(
                s, c.world.parent, c.entry_id, now=noon(c.lessons[0] + timedelta(days=1))
            ).id
        with c.world.tx() as s:  # contested, then conceded late while the municipality decides
            contest_dispute(s, c.world.provider_user, dispute_id, "she was there")
        provider, admin = c.world.provider_user.user_id, c.admin.user_id
        jobs = [
            ("accept", provider, dispute_id, None),
            ("uphold" if round_number == 0 else "reject", admin, dispute_id, None),
            ("accept", provider, dispute_id, None),
            ("uphold", admin, dispute_id, None),
        ]
        outcomes = _race(engine, jobs)
        assert outcomes["ok"] >= 1
        with read_session(engine) as s:
            dispute = s.get(Dispute, dispute_id)
            refunds = s.exec(
                select(LedgerEntry.amount_minor).where(
                    LedgerEntry.kind == EntryKind.REFUND,
                    LedgerEntry.enrollment_id == c.enrollment_id,
                )
            ).all()
        if dispute.status in ("accepted", "upheld"):
            assert refunds == [c.charge] and dispute.refunded_minor == c.charge
        else:
            assert dispute.status == "rejected" and refunds == []
        assert_ledger_invariants(engine)
