"""The culture-pass index follows the database through the same outbox and relay: only the
terms the operator approved, only services schools can book, free places as they are."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlmodel import func, select

from navigator.domain.accounts.models import User
from navigator.domain.culture.models import Pupil, School
from navigator.domain.culture.services import (
    change_session,
    review_service,
    submit_service,
    update_service,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import CatalogChange
from search.culture_documents import build_culture_batch, session_day
from search.keys import relay_key
from search.relay import drain, ensure_index, make_client, reindex
from search.settings import culture_index_settings
from tests.domain.culture.world import NOW, SESSION_AT, build_culture, later, service_fields

pytestmark = pytest.mark.meili
_uids = itertools.count()


@pytest.fixture
def indexes(meili_server):
    """A client, a fresh catalog index and a fresh culture index for one test."""
    client = make_client(meili_server.url, meili_server.master_key)
    n = next(_uids)
    uid, culture_uid = f"programs_ctest_{n}", f"culture_test_{n}"
    yield client, uid, culture_uid
    for name in (uid, culture_uid):
        client.delete_index(name)


def relay(engine, indexes) -> None:
    client, uid, culture_uid = indexes
    drain(engine, client, uid=uid, culture_uid=culture_uid)


def document(indexes, service_id: int) -> dict | None:
    client, _uid, culture_uid = indexes
    found = client.index(culture_uid).search("", {"filter": f"id = {int(service_id)}"})["hits"]
    return found[0] if found else None


def outbox_size(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(CatalogChange)).one()


def test_a_document_carries_the_approved_terms_and_nothing_about_schools_or_pupils(engine):
    world = build_culture(engine, capacity=30)
    world.book(world.classes["5A"][:4])
    with read_session(engine) as s:
        built = build_culture_batch(s, [world.service_id], NOW).documents[0]
        school = s.get(School, world.school_id)
        pupils = s.exec(select(Pupil)).all()
        people = [school.name, school.code, *s.exec(select(User.email)).all()]
        people += [p.first_name for p in pupils] + [p.last_name for p in pupils]
        people += [p.register_id for p in pupils] + ["5A", "5B"]
    written = json.dumps(built, ensure_ascii=False)
    for value in people:
        assert value not in written
    assert built["title"] == "Teatro pamoka" and built["art_form"] == "theatre"
    assert built["grades"] == list(range(1, 13)) and built["price_per_pupil"] == 500
    assert built["place"] == "on_site" and built["language"] == "lt"
    assert built["free_adults"] == 2 and built["duration_minutes"] == 90
    assert built["next_session"] == int(SESSION_AT.timestamp())
    assert built["session_days"] == [SESSION_AT.date().isoformat()] and built["has_free_places"]
    assert built["next_free_places"] == 26


def test_a_change_waiting_for_review_never_reaches_the_index(engine, indexes):
    world = build_culture(engine)
    relay(engine, indexes)
    assert outbox_size(engine) == 0
    assert document(indexes, world.service_id)["title"] == "Teatro pamoka"
    with world.tx() as s:
        update_service(
            s,
            world.provider_user,
            world.service_id,
            service_fields(title="Nepatvirtintas", price_per_pupil_minor=300),
        )
    assert outbox_size(engine) > 0  # the change is queued, and the relay sends the approved
    relay(engine, indexes)
    waiting = document(indexes, world.service_id)
    assert waiting["title"] == "Teatro pamoka" and waiting["price_per_pupil"] == 500
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    relay(engine, indexes)
    approved = document(indexes, world.service_id)
    assert approved["title"] == "Nepatvirtintas" and approved["price_per_pupil"] == 300


def test_a_suspension_removes_the_document_and_a_new_approval_brings_it_back(engine, indexes):
    world = build_culture(engine)
    relay(engine, indexes)
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "suspend", "complaint")
    relay(engine, indexes)
    assert document(indexes, world.service_id) is None
    with world.tx() as s:
        review_service(s, world.operator, world.service_id, "approve")
    relay(engine, indexes)
    assert document(indexes, world.service_id)["id"] == world.service_id


def test_a_booking_that_fills_the_last_session_flips_has_free_places(engine, indexes):
    world = build_culture(engine, capacity=10)
    later_session = world.add_session(later(30), capacity=10)
    relay(engine, indexes)
    client, _uid, culture_uid = indexes

    def with_free_places() -> list[int]:
        found = client.index(culture_uid).search("", {"filter": "has_free_places = true"})
        return [hit["id"] for hit in found["hits"]]

    assert with_free_places() == [world.service_id]
    world.book(world.classes["5A"])  # all ten places of the first session
    relay(engine, indexes)
    first_full = document(indexes, world.service_id)
    assert first_full["has_free_places"]
    assert first_full["session_days"] == [session_day(later(30))]
    world.book(world.classes["5B"], session_id=later_session)
    relay(engine, indexes)
    assert not document(indexes, world.service_id)["has_free_places"]
    assert document(indexes, world.service_id)["session_days"] == []
    assert with_free_places() == []
    with world.tx() as s:  # a bigger room for the first session: places again
        change_session(s, world.provider_user, world.session_id, SESSION_AT, 15, now=NOW)
    relay(engine, indexes)
    assert with_free_places() == [world.service_id]
    assert document(indexes, world.service_id)["next_free_places"] == 5


def test_culture_rows_never_reach_the_program_index(engine, indexes):
    build_culture(engine)
    relay(engine, indexes)
    client, uid, culture_uid = indexes
    assert client.index(uid).get_stats().number_of_documents == 0
    assert client.index(culture_uid).get_stats().number_of_documents == 1


def test_reindex_and_ensure_index_rebuild_the_culture_index_with_the_relay_key(
    engine, indexes, meili_server
):
    admin, uid, culture_uid = indexes
    world = build_culture(engine)
    with world.tx() as s:  # a second service, never approved: no document
        submit_service(s, world.provider_user, world.provider_id, service_fields(title="Kita"))
    scoped = make_client(meili_server.url, relay_key(admin, uid, culture_uid))
    ensure_index(engine, scoped, uid, culture_uid)  # empty culture index: a first full build
    assert scoped.index(culture_uid).get_stats().number_of_documents == 1
    settings = admin.index(culture_uid).get_settings()
    wanted = culture_index_settings()
    for key in ("filterableAttributes", "sortableAttributes", "searchableAttributes"):
        assert sorted(settings[key]) == sorted(wanted[key])
    report = reindex(engine, scoped, uid=uid, culture_uid=culture_uid)
    assert report.culture_documents == 1 and outbox_size(engine) == 0
    assert all(not i.uid.startswith(f"{culture_uid}_") for i in admin.get_indexes()["results"])
    assert admin.index(culture_uid).search("teatro")["hits"][0]["id"] == world.service_id
