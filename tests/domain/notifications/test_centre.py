"""The notification centre: lines in the person's language, from what the ids lead to; the
unread count; marking read only one's own; preferences and the digest's unsubscribe."""

from __future__ import annotations

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.notifications.centre import (
    get_preference,
    list_notifications,
    mark_all_read,
    mark_read,
    set_preference,
    unread_count,
    unsubscribe_from_digests,
    unsubscribe_token,
)
from navigator.domain.notifications.fanout import notify
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from navigator.domain.shared.models import Notification
from tests.factories import build_world


def _charged_lesson(world):
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with world.tx() as s:
        mark_attendance(
            s, world.provider_user, enrollment_id, world.today, "present", today=world.today
        )
    return enrollment_id


def _lines(engine, actor, language):
    with read_session(engine) as s:
        return [item.line for item in list_notifications(s, actor, language).items]


def test_a_charged_lesson_reads_with_first_name_program_amount_and_date_in_each_language(engine):
    world = build_world(engine, price=50_000)
    _charged_lesson(world)
    ru = _lines(engine, world.parent, "ru")
    assert ru[0].startswith("Аня: занятие 7 сент. 2026")
    assert "«Робототехника»" in ru[0] and "500,00" in ru[0] and "₽" in ru[0]
    lt = _lines(engine, world.parent, "lt")[0]
    assert lt.startswith("Аня: užsiėmimas") and "„Робототехника“" in lt
    en = _lines(engine, world.parent, "en")[0]
    assert (en.startswith("Аня: the lesson of") and "RUB" in en) or "₽" in en
    # newest first: the capture after the hold after the credit
    assert "зарезервировано" in ru[1] and "зачислено" in ru[2]
    # never the surname
    assert not any("Иванова" in line for line in [*ru, lt, en])


def test_a_kind_without_words_and_a_broken_payload_read_as_a_generic_line(engine):
    world = build_world(engine)
    with world.tx() as s:
        notify(s, world.parent.user_id, "something.new", {"enrollment_id": "x", "account_id": -4})
        notify(
            s,
            world.parent.user_id,
            "dispute.opened",
            {
                "child_first_name": "Петя",
                "program_title": "Шахматы",
                "amount_minor": 35_050,
                "currency": "RUB",
                "lesson_date": "2026-09-09",
            },
        )
    with read_session(engine) as s:
        items = list_notifications(s, world.parent, "en").items
    generic = next(i for i in items if i.kind == "something.new")
    assert generic.line == "Something new in your account"
    # a kind whose words another change adds: its words if present, else the generic line
    dispute = next(i for i in items if i.kind == "dispute.opened")
    assert dispute.line and "{" not in dispute.line


def test_unread_count_and_marking_read_touch_only_ones_own(engine):
    world = build_world(engine)
    other, *_ = world.add_parent_with_child()
    with read_session(engine) as s:
        mine = unread_count(s, world.parent)
        theirs = unread_count(s, other)
        their_id = s.exec(
            select(Notification.id).where(Notification.user_id == other.user_id)
        ).first()
        my_ids = s.exec(
            select(Notification.id).where(Notification.user_id == world.parent.user_id)
        ).all()
    assert mine > 0 and theirs > 0
    with pytest.raises(NotFound), world.tx() as s:
        mark_read(s, world.parent, their_id)
    for bad in (None, "1", -1, True, 999_999):
        with pytest.raises(NotFound), world.tx() as s:
            mark_read(s, world.parent, bad)
    with pytest.raises(NotFound), world.tx() as s:
        mark_all_read(s, Actor.system())
    with world.tx() as s:
        mark_read(s, world.parent, my_ids[0])
    with read_session(engine) as s:
        assert unread_count(s, world.parent) == mine - 1
        assert unread_count(s, other) == theirs
    with world.tx() as s:
        assert mark_all_read(s, world.parent) == mine - 1
    with read_session(engine) as s:
        assert unread_count(s, world.parent) == 0 and unread_count(s, other) == theirs
        page = list_notifications(s, world.parent, "ru")
        assert page.unread == 0 and not any(item.unread for item in page.items)


def test_the_list_is_paged_newest_first(engine):
    world = build_world(engine)
    with world.tx() as s:
        for n in range(25):
            notify(s, world.parent.user_id, "enrollment.accepted", {"n": n})
    with read_session(engine) as s:
        first = list_notifications(s, world.parent, "ru", 0)
        second = list_notifications(s, world.parent, "ru", 1)
        with pytest.raises(InvalidInput):
            list_notifications(s, world.parent, "ru", -1)
    assert len(first.items) == 20 and first.has_more
    assert not second.has_more
    ids = [i.id for i in first.items + second.items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_preferences_are_checked_and_unsubscribe_needs_the_persons_own_signed_token(engine):
    world = build_world(engine)
    other, *_ = world.add_parent_with_child()
    with read_session(engine) as s:
        assert get_preference(s, world.parent).mode == "instant"
    with pytest.raises(InvalidInput) as refused, world.tx() as s:
        set_preference(s, world.parent, "hourly", True)
    assert refused.value.code == "field_not_allowed"
    with world.tx() as s:
        set_preference(s, world.parent, "digest", True)
        token = unsubscribe_token(s, world.parent.user_id)
        other_token = unsubscribe_token(s, other.user_id)
    user_part, signature = token.split(".")
    forged = [
        f"{other.user_id}.{signature}",
        f"{user_part}.{'0' * 64}",
        "nonsense",
        "",
        f"{user_part}.{signature}.x",
        None,
    ]
    for bad in forged:
        with pytest.raises(NotFound), world.tx() as s:
            unsubscribe_from_digests(s, bad)
    with world.tx() as s:
        assert unsubscribe_from_digests(s, token) == world.parent.user_id
    with world.tx() as s:  # the same click again changes nothing
        assert unsubscribe_from_digests(s, token) == world.parent.user_id
    with read_session(engine) as s:
        assert get_preference(s, world.parent).digests is False
        assert get_preference(s, other).digests is True
    assert other_token != token
    with world.tx() as s:
        set_preference(s, world.parent, "digest", True)  # the form turns them back on
    with read_session(engine) as s:
        assert get_preference(s, world.parent).digests is True


def test_a_kind_told_to_several_roles_links_each_reader_to_their_own_screen(engine):
    world = build_world(engine)
    payload = {"child_first_name": "Петя", "program_title": "Шахматы", "reason": "был\nдома"}
    with world.tx() as s:
        notify(s, world.parent.user_id, "dispute.contested", payload)
        notify(s, world.provider_user.user_id, "dispute.contested", payload)
    with read_session(engine) as s:
        (for_parent,) = [
            i for i in list_notifications(s, world.parent, "ru").items if i.kind.startswith("dis")
        ]
        (for_provider,) = [
            i
            for i in list_notifications(s, world.provider_user, "ru").items
            if i.kind.startswith("dis")
        ]
    assert for_parent.link == "/cabinet" and for_provider.link == "/provider"
    # a display text the payload carries fills its placeholder, on one line
    from navigator.domain.notifications.render import words_for

    assert words_for("x", "ru", {"reason": "был дома"}) == "Новое событие в вашем кабинете"
    with world.tx() as s:
        from navigator.domain.notifications.render import display_fields

        assert display_fields(s, payload, "ru")["reason"] == "был дома"


def test_a_culture_dispute_links_the_coordinator_provider_and_operator_to_their_screens(engine):
    from tests.domain.culture.world import build_culture

    world = build_culture(engine)
    payload = {"class_name": "5A", "service_title": "Teatras", "amount_minor": 4500}
    readers = {
        "coordinator": world.coordinator,
        "provider": world.provider_user,
        "operator": world.operator,
    }
    with world.tx() as s:
        for actor in readers.values():
            notify(s, actor.user_id, "culture_dispute.contested", payload)
    links = {}
    with read_session(engine) as s:
        for who, actor in readers.items():
            (item,) = [  # building the world told them other things too
                i
                for i in list_notifications(s, actor, "lt").items
                if i.kind == "culture_dispute.contested"
            ]
            links[who] = item.link
    assert links == {
        "coordinator": "/culture",
        "provider": "/provider/culture",
        "operator": "/culture/operator",
    }
