"""Admitting providers: the queue, a refusal with a reason, and admission."""

from __future__ import annotations

from navigator.domain.providers.api import admit_provider, create_provider, refuse_admission
from navigator.domain.providers.models import Provider
from navigator.domain.providers.queries import admission_queue
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict
from tests.domain.cabinet import _admin, _audit, _outcome, _refusal
from tests.factories import build_world


def test_admission_queue_refusal_with_a_reason_and_admission(engine):
    world = build_world(engine)
    admin = _admin(world)
    waiting = []
    for name in ("Первый кружок", "Второй кружок"):
        with world.tx() as s:
            waiting.append(
                create_provider(
                    s, municipality_id=world.municipality_id, name=name, kind="private"
                ).id
            )
    first, second = waiting

    def queue() -> list[tuple[int, str]]:
        with read_session(engine) as s:
            return [
                (p.id, p.admission_note) for p in admission_queue(s, admin, world.municipality_id)
            ]

    assert queue() == [(first, ""), (second, "")]
    assert _outcome(world, lambda s: refuse_admission(s, admin, first, reason="  ")) == (
        "field_required"
    )
    assert queue() == [(first, ""), (second, "")]
    assert _outcome(world, lambda s: refuse_admission(s, admin, first, reason="No licence")) == (
        "ok"
    )
    assert queue() == [(second, ""), (first, "No licence")]  # the ones waiting come first

    assert _outcome(world, lambda s: admit_provider(s, admin, first)) == "ok"
    with read_session(engine) as s:
        admitted = s.get(Provider, first)
    assert (admitted.admitted, admitted.admission_note) == (True, "")
    assert admitted.admitted_at is not None
    assert queue() == [(second, "")]
    error = _refusal(world, lambda s: refuse_admission(s, admin, first, reason="Changed mind"))
    assert (type(error), error.code) == (Conflict, "provider_already_admitted")
    assert _outcome(world, lambda s: admit_provider(s, admin, first)) == "ok"  # idempotent

    events = [
        (e.action, e.subject_id, e.reason, e.actor_id)
        for e in _audit(world, "provider.refused") + _audit(world, "provider.admitted")
        if e.subject_id in waiting
    ]
    assert events == [
        ("provider.refused", first, "No licence", admin.user_id),
        ("provider.admitted", first, "", admin.user_id),
    ]
