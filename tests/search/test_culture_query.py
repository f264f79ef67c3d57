"""Culture-pass queries on a real Meilisearch: every filter counts what SQL counts, the SQL
fallback answers the same, and a value that does not fit is refused naming its field."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime

import pytest
from sqlmodel import select

from navigator.domain.culture.models import CultureService, CultureSession
from navigator.domain.culture.services import (
    bookable_terms,
    publish_session,
    review_service,
    submit_service,
    update_service,
)
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.errors import InvalidInput
from search.culture_documents import culture_documents, session_day
from search.culture_fallback import search_culture_sql
from search.culture_query import CultureQuery, search_culture
from search.relay import make_client
from search.settings import PRIMARY_KEY, apply_culture_settings
from tests.domain.culture.world import NOW, SESSION_AT, YEAR, build_culture, later, service_fields

UID = "culture_query_tests"
DAY = SESSION_AT.date().isoformat()  # the world's session day, as a school types it


def offer(world, sessions: list[tuple[datetime, int]] = (), **fields) -> int:
    """A service submitted, approved, and given these sessions, as a provider and the
    operator would."""
    with world.tx() as s:
        service_id = submit_service(
            s, world.provider_user, world.provider_id, service_fields(**fields)
        ).id
    with world.tx() as s:
        review_service(s, world.operator, service_id, "approve")
    for starts_at, capacity in sessions:
        with world.tx() as s:
            publish_session(s, world.provider_user, service_id, starts_at, capacity, now=NOW)
    return service_id


def small_catalog(engine):
    """Seven services: five bookable (one full, one without sessions), one whose change
    waits for review, one suspended."""
    world = build_culture(engine)  # theatre, grades 1–12, on site, 5.00, on 15 March
    ids = {"theatre": world.service_id}
    ids["music"] = offer(
        world,
        [(later(20), 30)],
        title="Muzikos valanda",
        art_form="music",
        grade_min=5,
        grade_max=8,
        place="at_school",
        price_per_pupil_minor=300,
    )
    ids["dance"] = offer(
        world,
        [(SESSION_AT, 20), (later(40), 20)],
        title="Dance online",
        art_form="dance",
        grade_min=1,
        grade_max=4,
        place="online",
        address="",
        language="en",
        price_per_pupil_minor=0,
    )
    ids["museum"] = offer(
        world,
        title="Музей",
        art_form="museum",
        grade_min=9,
        grade_max=12,
        language="ru",
        price_per_pupil_minor=1000,
    )
    ids["full"] = offer(
        world,
        [(later(10), 10)],
        title="Mažasis teatras",
        grade_min=2,
        grade_max=5,
        place="at_school",
        price_per_pupil_minor=200,
    )
    with read_session(engine) as s:
        full_session = s.exec(
            select(CultureSession.id).where(CultureSession.service_id == ids["full"])
        ).one()
    world.book(world.classes["5A"], session_id=full_session)
    ids["suspended"] = offer(world, [(later(5), 30)], title="Dailė", art_form="visual_arts")
    with world.tx() as s:
        review_service(s, world.operator, ids["suspended"], "suspend", "complaint")
    ids["in_review"] = offer(world, [(later(7), 30)], title="Kinas", art_form="cinema")
    with world.tx() as s:
        update_service(
            s,
            world.provider_user,
            ids["in_review"],
            service_fields(title="Slaptas", art_form="cinema"),
        )
    return world, ids


@pytest.fixture(scope="module")
def catalog(meili_server, sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("culture_query") / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    _world, ids = small_catalog(engine)
    client = make_client(meili_server.url, meili_server.master_key)
    apply_culture_settings(client, UID)
    with read_session(engine) as s:  # as the relay builds them, on the world's own day
        documents = culture_documents(s, None, NOW)
    task = client.index(UID).add_documents(documents, primary_key=PRIMARY_KEY)
    assert client.wait_for_task(task.task_uid).status == "succeeded"
    yield engine, client, ids
    client.delete_index(UID)
    engine.dispose()


def run(catalog, **kwargs):
    _engine, client, _ids = catalog
    return search_culture(client, CultureQuery(**kwargs), uid=UID)


def fallback(engine, **kwargs):
    with read_session(engine) as s:
        return search_culture_sql(s, CultureQuery(**kwargs), NOW)


def sql_count(engine, keep) -> int:
    """Services schools can book whose approved terms (and future free days) `keep` likes."""
    with read_session(engine) as s:
        count = 0
        for service in s.exec(select(CultureService)).all():
            terms = bookable_terms(service)
            if terms is None:
                continue
            days = {
                session_day(c.starts_at)
                for c in s.exec(
                    select(CultureSession).where(CultureSession.service_id == service.id)
                )
                if c.starts_at > NOW and c.booked < c.capacity
            }
            count += bool(keep(terms, days))
    return count


FILTERS = [
    ({}, lambda t, d: True),
    ({"art_forms": ("theatre",)}, lambda t, d: t["art_form"] == "theatre"),
    ({"art_forms": ("theatre", "music")}, lambda t, d: t["art_form"] in ("theatre", "music")),
    ({"grade": 5}, lambda t, d: t["grade_min"] <= 5 <= t["grade_max"]),
    ({"grade": 10}, lambda t, d: t["grade_min"] <= 10 <= t["grade_max"]),
    ({"places": ("at_school", "online")}, lambda t, d: t["place"] in ("at_school", "online")),
    ({"languages": ("en", "ru")}, lambda t, d: t["language"] in ("en", "ru")),
    ({"day": DAY}, lambda t, d: DAY in d),
    ({"price_max_minor": 300}, lambda t, d: t["price_per_pupil_minor"] <= 300),
    ({"price_max_minor": 0}, lambda t, d: t["price_per_pupil_minor"] == 0),
    ({"has_free_places": True}, lambda t, d: bool(d)),
    ({"has_free_places": False}, lambda t, d: not d),
    (
        {"grade": 3, "places": ("online",), "price_max_minor": 500},
        lambda t, d: (
            t["grade_min"] <= 3 <= t["grade_max"]
            and t["place"] == "online"
            and t["price_per_pupil_minor"] <= 500
        ),
    ),
]


@pytest.mark.parametrize(("params", "keep"), FILTERS)
def test_each_filter_counts_what_sql_counts_and_the_fallback_agrees(catalog, params, keep):
    engine, _client, _ids = catalog
    found = run(catalog, **params)
    expected = sql_count(engine, keep)
    assert found.total == expected
    degraded = fallback(engine, **params)
    assert degraded.degraded and degraded.total == expected
    assert sorted(h.id for h in degraded.hits) == sorted(h.id for h in found.hits)
    for name in ("art_form", "place", "language", "has_free_places"):
        assert degraded.facets[name] == found.facets[name], name


def test_only_bookable_services_on_their_approved_terms_are_found(catalog):
    _engine, _client, ids = catalog
    everything = run(catalog, per_page=100)
    found = {hit.id for hit in everything.hits}
    assert ids["suspended"] not in found
    assert ids["in_review"] in found  # on its approved terms
    assert run(catalog, text="Slaptas").total == 0  # the change waiting for review
    assert [hit.title for hit in run(catalog, text="Kinas").hits] == ["Kinas"]
    assert run(catalog, text="Dailė").total == 0


def test_a_selected_art_form_keeps_the_other_forms_counted(catalog):
    found = run(catalog, art_forms=("music",))
    assert found.total == 1
    assert found.facets["art_form"]["theatre"] == 2 and found.facets["art_form"]["music"] == 1


def test_a_card_has_what_a_school_needs_and_sorts_hold(catalog):
    _engine, _client, ids = catalog
    music = run(catalog, text="muzikos").hits[0]
    assert music.id == ids["music"] and music.price_per_pupil_minor == 300
    assert (music.grade_min, music.grade_max, music.place) == (5, 8, "at_school")
    assert music.next_session == int(later(20).timestamp()) and music.next_free_places == 30
    assert any(segment.highlighted for segment in music.title_segments)
    prices = [h.price_per_pupil_minor for h in run(catalog, sort="price", per_page=100).hits]
    assert prices == sorted(prices)
    soonest = [h.next_session for h in run(catalog, sort="soonest", per_page=100).hits]
    dated = [s for s in soonest if s is not None]
    assert dated == sorted(dated) and soonest[: len(dated)] == dated


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"art_forms": ("opera' OR id > 0",)}, "art_form"),
        ({"places": ("moon",)}, "place"),
        ({"languages": ("xx",)}, "language"),
        ({"grade": 0}, "grade"),
        ({"grade": 13}, "grade"),
        ({"grade": "5"}, "grade"),
        ({"grade": True}, "grade"),
        ({"day": f"{YEAR}-02-30"}, "date"),
        ({"day": f"{DAY}' OR 1=1"}, "date"),
        ({"day": SESSION_AT.strftime("%d.%m.%Y")}, "date"),
        ({"price_max_minor": -10}, "price_max"),
        ({"price_max_minor": 2.5}, "price_max"),
        ({"has_free_places": "yes"}, "has_free_places"),
        ({"sort": "title"}, "sort"),
        ({"page": 0}, "page"),
        ({"text": "x" * 201}, "q"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_naming_its_field(catalog, bad, field):
    engine, client, _ids = catalog
    with pytest.raises(InvalidInput) as refused:
        search_culture(client, replace(CultureQuery(), **bad), uid=UID)
    assert refused.value.params["field"] == field
    with pytest.raises(InvalidInput) as refused_by_sql, read_session(engine) as s:
        search_culture_sql(s, replace(CultureQuery(), **bad), NOW)
    assert refused_by_sql.value.params["field"] == field


def test_the_sql_fallback_answers_on_both_databases(engine):
    _world, ids = small_catalog(engine)
    everything = fallback(engine, per_page=100)
    assert {h.id for h in everything.hits} == {
        ids[name] for name in ("theatre", "music", "dance", "museum", "full", "in_review")
    }
    by_title = [ids["in_review"], ids["music"], ids["theatre"]]  # Kinas, Muzikos…, Teatro…
    assert [h.id for h in fallback(engine, grade=5, has_free_places=True).hits] == by_title
    assert [h.id for h in fallback(engine, text="online dance").hits] == [ids["dance"]]
    assert fallback(engine, text="Slaptas").total == 0
    assert fallback(engine, day=DAY).total == 2
