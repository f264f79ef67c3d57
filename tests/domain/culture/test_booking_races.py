"""Coordinators of one school booking at once, in real OS processes on both databases: the
wallet is never overdrawn, no pupil passes the yearly cap, no session takes more pupils than
its capacity, the same request sent several times at once books once, and no request ends in
a raw database error."""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import func, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.booking import book_session, cancel_booking, confirm_booking
from navigator.domain.culture.models import CultureBooking, SchoolWallet, WalletEntry
from navigator.domain.shared.db import atomically, make_engine, read_session
from navigator.domain.shared.errors import DomainError
from tests.domain.culture.world import NOW, SESSION_AT, build_culture
from tests.support.invariants import assert_culture_invariants
from tests.support.parallel import process_engine, race_processes, raw

PROCESSES = 4
OPERATIONS = 20


@dataclass(frozen=True)
class Plan:
    url: str
    coordinators: tuple[int, ...]
    provider_user: int
    sessions: tuple[int, ...]
    pupils: tuple[int, ...]


def _worker(plan: Plan, worker: int) -> Counter:
    engine = (
        make_engine(plan.url, pool_size=2, max_overflow=2)
        if plan.url.startswith("postgresql")
        else make_engine(plan.url)
    )
    rng = random.Random(worker)
    coordinator = Actor.user(plan.coordinators[worker % len(plan.coordinators)])
    provider = Actor.user(plan.provider_user)
    outcomes: Counter = Counter()
    mine: list[int] = []
    for step in range(OPERATIONS):
        try:
            roll = rng.random()
            if roll < 0.75 or not mine:
                pupils = rng.sample(plan.pupils, rng.randint(2, 7))
                key = f"race-w{worker}-step{step:03d}"
                session_id = rng.choice(plan.sessions)
                booking = atomically(
                    lambda s, session_id=session_id, pupils=pupils, key=key: (
                        book_session(s, coordinator, session_id, pupils, 0, key, now=NOW).id
                    ),
                    engine,
                )
                mine.append(booking)
            elif roll < 0.9:
                target = rng.choice(mine)
                atomically(lambda s, b=target: cancel_booking(s, coordinator, b, now=NOW), engine)
            else:
                target = rng.choice(mine)
                atomically(lambda s, b=target: confirm_booking(s, provider, b), engine)
            outcomes["done"] += 1
        except DomainError as refusal:
            outcomes[refusal.code] += 1
        except Exception as error:
            outcomes[raw(error)] += 1
            traceback.print_exc()
    engine.dispose()
    return outcomes


def test_coordinators_racing_cannot_overdraw_the_wallet_nor_a_pupils_cap(engine):
    # 12 pupils counted (126.48 €) but 16 on the roster; 5 € a pupil; caps of 15 €
    world = build_culture(engine, pupils=12, classes={"6A": 8, "6B": 8}, capacity=14)
    second = world.new_coordinator()
    sessions = (
        world.session_id,
        *(world.add_session(SESSION_AT + timedelta(days=d), capacity=14) for d in (1, 2, 3, 4)),
    )
    plan = Plan(
        url=engine.url.render_as_string(hide_password=False),
        coordinators=(world.coordinator.user_id, second.user_id),  # type: ignore[arg-type]
        provider_user=world.provider_user.user_id,  # type: ignore[arg-type]
        sessions=sessions,
        pupils=tuple(world.pupils),
    )
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(_worker, [(plan, n) for n in range(PROCESSES)])
    outcomes = sum(results, Counter())
    print(dict(outcomes))
    assert {k: v for k, v in outcomes.items() if k.startswith("RAW")} == {}
    assert outcomes["done"] > 0
    # the demand is far above the money: the rules, not luck, stopped the rest
    assert outcomes["wallet_insufficient"] + outcomes["pupil_cap_exceeded"] > 0
    assert_culture_invariants(engine)


def _same_request(url: str, barrier, results, job: tuple) -> None:
    """One copy of the request: every process waits for the others, then books."""
    engine = process_engine(url)
    coordinator, session_id, pupils, key = job
    try:
        barrier.wait(timeout=60)
        booking_id = atomically(
            lambda s: (
                book_session(
                    s, Actor.user(coordinator), session_id, list(pupils), 0, key, now=NOW
                ).id
            ),
            engine,
        )
        results.put(("ok", booking_id))
    except DomainError as refusal:
        results.put((refusal.code, None))
    except Exception as error:
        traceback.print_exc()
        results.put((raw(error), None))
    finally:
        engine.dispose()


def test_the_same_request_sent_at_once_books_once(engine):
    """A double click, or a retry racing the first try: several processes send the same
    booking with the same request key at the same instant; one booking, its money held once."""
    world = build_culture(engine)
    url = engine.url.render_as_string(hide_password=False)
    job = (world.coordinator.user_id, world.session_id, tuple(world.classes["5A"]), "click-race")
    answers = race_processes(_same_request, url, [job] * PROCESSES)
    outcomes = Counter(code for code, _ in answers)
    print(dict(outcomes))
    assert {k: v for k, v in outcomes.items() if k.startswith("RAW")} == {}
    assert outcomes["ok"] >= 1
    assert set(outcomes) <= {"ok", "busy"}  # at worst asked to try again, never a second one
    assert len({booking_id for code, booking_id in answers if code == "ok"}) == 1
    with read_session(engine) as s:
        bookings = s.exec(select(CultureBooking)).all()
        holds = s.exec(
            select(func.count()).select_from(WalletEntry).where(WalletEntry.kind == "hold")
        ).one()
        wallet = s.get(SchoolWallet, world.wallet_id)
    assert len(bookings) == 1 and holds == 1
    assert (wallet.held_minor, bookings[0].pupils) == (5_000, 10)
    assert_culture_invariants(engine)
