"""Notifications rendered a page or a batch at once: the same words and links as each one
rendered alone, in every language, in the centre and in letters; and a dispatch batch costs
the same number of statements for 10 notifications as for 40 (the rows their ids lead to are
loaded a model at a time, not a notification at a time)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import event
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Child, User
from navigator.domain.certificates.models import Certificate, LedgerEntry, VerificationRequest
from navigator.domain.disputes.api import open_dispute
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.offers import offer_enrollment
from navigator.domain.notifications.delivery import (
    LETTERS_PER_TRANSACTION,
    dispatch_instant,
    send_digests,
)
from navigator.domain.notifications.fanout import notify
from navigator.domain.notifications.render import render, render_many
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import Notification, OutgoingMail
from tests.domain.disputes.world import charge_lesson, municipality_admin, noon
from tests.factories import PASSWORD, World, _seq, build_world


@dataclass
class Family:
    parent: Actor
    child_id: int
    account_id: int
    enrollment_id: int = 0
    entry_id: int = 0  # the capture of the first lesson
    request_id: int = 0


@dataclass
class Rush:
    world: World
    families: list[Family] = field(default_factory=list)
    readers: dict[str, Actor] = field(default_factory=dict)  # a reader in each language


def _rush(engine, families: int) -> Rush:
    """`families` children applying to one group, accepted and charged for the first lesson,
    as a morning of enrollment leaves them; a waitlist, an offer, a dispute, decisions on
    the children's papers; and readers in lt and en told of the same rows."""
    world = build_world(engine, seats=families + 2)
    municipality_admin(world)  # told of each new verification request from here on
    rush = Rush(world, [Family(world.parent, world.child_id, world.account_id)])
    for _ in range(families - 1):
        parent, child_id, _certificate, account_id = world.add_parent_with_child()
        rush.families.append(Family(parent, child_id, account_id))
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
        for family in rush.families:
            family.request_id = s.exec(
                select(VerificationRequest.id).where(
                    VerificationRequest.child_id == family.child_id
                )
            ).one()
    for family in rush.families:
        family.enrollment_id = world.apply(family.child_id, parent=family.parent)
        with world.tx() as s:
            accept_application(s, world.provider_user, family.enrollment_id, today=world.today)
        family.entry_id = charge_lesson(world, family.enrollment_id, lessons[0])
    small = world.add_group(seats=1)  # one seat: the second application waits
    world.apply(rush.families[0].child_id, small, rush.families[0].parent)
    world.apply(rush.families[1].child_id, small, rush.families[1].parent)
    _parent, child_id, _certificate, _account = world.add_parent_with_child()
    with read_session(engine) as s:
        number = s.exec(select(Certificate.number).where(Certificate.child_id == child_id)).one()
        birth_date = s.get(Child, child_id).birth_date
    with world.tx() as s:
        offer_enrollment(s, world.provider_user, world.group_id, number, birth_date)
    with world.tx() as s:  # told to the parent and to the provider's staff
        open_dispute(
            s,
            rush.families[0].parent,
            rush.families[0].entry_id,
            comment="болела",
            now=noon(lessons[0] + timedelta(days=1)),
        )
    with world.tx() as s:
        for language in ("lt", "en"):
            user = create_user(s, f"{language}{next(_seq)}@example.org", PASSWORD, locale=language)
            rush.readers[language] = Actor.user(user.id)
    one = rush.families[-1]
    with world.tx() as s:  # what the ids alone lead to, told to readers in other languages
        for reader in rush.readers.values():
            user_id = reader.user_id
            notify(s, user_id, "certificate.capture", {"entry_id": one.entry_id})
            notify(
                s,
                user_id,
                "certificate.expiry_warning",
                {"account_id": one.account_id, "amount_minor": 700, "expires_on": "2027-05-31"},
            )
            notify(s, user_id, "enrollment.accepted", {"enrollment_id": one.enrollment_id})
            notify(s, user_id, "verification.approved", {"child_id": one.child_id})
            notify(s, user_id, "certification.certified", {"program_id": world.program_id})
            notify(s, user_id, "application.new", {"provider_id": world.provider_id})
            notify(s, user_id, "enrollment.waitlisted", {"group_id": small})
            notify(s, user_id, "enrollment.accepted", {"enrollment_id": "x", "group_id": "y"})
            notify(s, user_id, "enrollment.accepted", {"enrollment_id": 10**6})
            notify(s, user_id, "enrollment.accepted", {"enrollment_id": True, "group_id": 2**70})
            notify(s, user_id, "dispute.contested", {"program_title": "Шахматы", "reason": "нет"})
            notify(
                s,
                user_id,
                "culture_booking.delivered",
                {"class_name": "5A", "service_title": "Teatras", "amount_minor": 4500},
            )
    return rush


def _notifications(engine, user_ids=None) -> list[Notification]:
    with read_session(engine) as s:
        query = select(Notification).order_by(col(Notification.id))
        if user_ids is not None:
            query = query.where(col(Notification.user_id).in_(user_ids))
        return list(s.exec(query).all())


def _locales(engine) -> dict[int, str]:
    with read_session(engine) as s:
        return {user.id: user.locale for user in s.exec(select(User)).all()}


@contextmanager
def _statements(engine):
    """The statements sent to the database meanwhile (BEGIN and COMMIT included)."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_batch_reads_exactly_as_each_notification_alone_in_every_language(engine):
    rush = _rush(engine, 5)
    notifications = _notifications(engine)
    kinds = Counter(n.kind for n in notifications)
    assert len(notifications) >= 40 and len(kinds) >= 12, kinds
    assert {"certificate.capture", "enrollment.accepted", "enrollment.waitlisted"} <= set(kinds)
    assert {"enrollment.offered", "verification.approved", "dispute.opened"} <= set(kinds)
    mixed = [("ru", "lt", "en")[n.id % 3] for n in notifications]
    for letter in (False, True):
        for language in ("ru", "lt", "en", mixed):
            languages = mixed if isinstance(language, list) else [language] * len(notifications)
            with read_session(engine) as s:
                alone = [
                    render(s, n, lang, letter=letter)
                    for n, lang in zip(notifications, languages, strict=True)
                ]
            with read_session(engine) as s:
                together = render_many(s, notifications, language, letter=letter)
            assert together == alone
    # what the words say came from the rows the ids lead to, as before
    with read_session(engine) as s:
        by_kind = {}
        for shown in render_many(s, notifications, "ru"):
            by_kind.setdefault(shown.kind, shown)
    assert "Робототехника" in by_kind["certificate.capture"].line
    assert "Аня" in by_kind["enrollment.offered"].line
    for reader in rush.readers.values():
        with read_session(engine) as s:
            lines = render_many(s, _notifications(engine, [reader.user_id]), "lt")
        (charge,) = [shown for shown in lines if shown.kind == "certificate.capture"]
        assert "Аня" in charge.line and "Робототехника" in charge.line  # entry → enrollment
        assert "2026-09-07" in charge.line  # the entry's attendance: the lesson's day
    # each reader of a kind told to several roles is led to their own screen
    with read_session(engine) as s:
        opened = [n for n in notifications if n.kind == "dispute.opened"]
        links = Counter(shown.link for shown in render_many(s, opened, "ru"))
    assert links == Counter({"/cabinet": 1, "/provider": 1})


def test_letters_of_a_batch_say_what_each_notification_said_alone(engine):
    rush = _rush(engine, 5)
    notifications = _notifications(engine)
    locales = _locales(engine)
    with read_session(engine) as s:
        expected = {n.id: render(s, n, locales[n.user_id], letter=True) for n in notifications}
    assert dispatch_instant(engine) > LETTERS_PER_TRANSACTION  # more than one batch
    with read_session(engine) as s:
        letters = s.exec(
            select(OutgoingMail).where(col(OutgoingMail.dedup_key).startswith("notification:"))
        ).all()
    assert len(letters) >= 40
    for letter in letters:
        shown = expected[int(letter.dedup_key.split(":")[1])]
        assert letter.subject == shown.line[:200]
        assert f"\n\n{shown.line}\n" in letter.body and shown.link in letter.body
    # the dispute's reason stays in the app, in the batch as alone
    for_lt = [
        letter
        for letter in letters
        if letter.recipient.startswith("lt") and "Шахматы" in letter.subject
    ]
    assert for_lt and all("нет" not in letter.body for letter in for_lt)
    _ = rush


def _tell_each(world: World, families: list[Family]) -> None:
    """One notification to each family, of four kinds in turn, as the domain writes them."""
    with world.tx() as s:
        for n, family in enumerate(families):
            user_id = family.parent.user_id
            if n % 4 == 0:
                entry = s.get(LedgerEntry, family.entry_id)
                payload = {
                    "entry_id": entry.id,
                    "account_id": entry.account_id,
                    "amount_minor": entry.amount_minor,
                    "enrollment_id": entry.enrollment_id,
                }
                notify(s, user_id, "certificate.capture", payload)
            elif n % 4 == 1:
                payload = {"enrollment_id": family.enrollment_id, "group_id": world.group_id}
                notify(s, user_id, "enrollment.accepted", payload)
            elif n % 4 == 2:
                payload = {"request_id": family.request_id, "child_id": family.child_id}
                notify(s, user_id, "verification.approved", payload)
            else:
                payload = {"entry_id": family.entry_id, "amount_minor": 100}
                notify(s, user_id, "certificate.refund_held", payload)


def _counted(statement: str, dialect: str) -> bool:
    """Apart from what goes a row or an address at a time by nature: the lock of each
    address's hourly limit (PostgreSQL's advisory lock, accounts.throttle) and, on SQLite,
    the letters' and the attempts' own rows (SQLite cannot give the ids of a many-row insert
    in order, so the ORM inserts them a row at a time; PostgreSQL takes them in one)."""
    lowered = statement.lower()
    if "pg_advisory_xact_lock" in lowered:
        return False
    rows = ("insert into outgoing_mail", "insert into action_attempt")
    return dialect != "sqlite" or not lowered.startswith(rows)


def test_a_dispatch_batch_costs_as_many_statements_for_40_notifications_as_for_10(engine):
    rush = _rush(engine, 40)
    dispatch_instant(engine)  # what building the rush told everyone
    send_digests(engine, force=True)  # and what the hourly limit left: all settled
    assert dispatch_instant(engine) == 0
    sent = {}
    for size in (10, 40):
        _tell_each(rush.world, rush.families[:size])
        with _statements(engine) as statements:
            assert dispatch_instant(engine) == size
        sent[size] = [s for s in statements if _counted(s, engine.dialect.name)]
    assert len(sent[40]) == len(sent[10]), (sent[10], sent[40])
    if engine.dialect.name == "postgresql":  # the 40 letters in one insert, their limits in one
        for table in ("outgoing_mail", "action_attempt"):
            assert sum(s.lower().startswith(f"insert into {table}") for s in sent[40]) == 1
    assert len(sent[40]) <= 30  # the page, the claim, 13 models, the letters, begin/commit
    # rendering them alone reads several rows a notification
    notifications = _notifications(engine)[-40:]
    with _statements(engine) as alone, read_session(engine) as s:
        for n in notifications:
            render(s, n, "ru", letter=True)
    assert len(alone) > 3 * 40
