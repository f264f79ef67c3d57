"""The provider API refuses a group that ends in the past with its 422 error shape, and takes
an ended group sent again as it is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import upsert_group
from navigator.domain.programs.models import Group
from navigator.domain.providers.apikeys import create_api_key
from navigator.domain.shared import db as db_module
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import read_session
from navigator.settings import get_settings
from tests.factories import build_world

PROGRAM = {
    "title": "Робототехника",
    "direction": "technical",
    "age_min": 8,
    "age_max": 12,
    "language": "ru",
}


@pytest.fixture
def api(engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    world = build_world(engine)
    with read_session(engine) as s:  # the API runs on the municipality's real date
        world.today = local_today(s.get(Municipality, world.municipality_id))
    with world.tx() as s:
        _key, secret = create_api_key(s, world.provider_user, world.provider_id, "e-journal")
    from navigator.api.provider import provider_api

    client = TestClient(provider_api)
    client.headers["Authorization"] = f"Bearer {secret}"
    assert client.put("/api/v1/provider/programs/R-7", json=PROGRAM).status_code == 200
    yield world, client
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()


def group_body(starts_on, ends_on) -> dict:
    return {
        "name": "Утро",
        "timetable": [{"weekday": starts_on.isoweekday(), "start": "10:00", "end": "11:30"}],
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "seats": 8,
        "price_per_lesson_minor": 45_000,
    }


def stored(world) -> list[Group]:
    with read_session(world.engine) as s:
        return list(s.exec(select(Group).where(Group.external_id == "G-1")).all())


def test_a_group_that_ends_in_the_past_answers_422_naming_the_field(api):
    world, client = api
    url = "/api/v1/provider/programs/R-7/groups/G-1"
    body = group_body(world.today - timedelta(days=30), world.today - timedelta(days=1))
    for language, label in (("ru", "Дата окончания"), ("lt", "Pabaigos data"), ("en", "End date")):
        response = client.put(url, json=body, headers={"Accept-Language": language})
        assert response.status_code == 422
        (detail,) = response.json()["detail"]
        assert detail["type"] == "date_in_past" and label in detail["msg"], detail
    assert stored(world) == []
    ok = client.put(url, json={**body, "ends_on": world.today.isoformat()})
    assert ok.status_code == 200 and ok.json()["created"] is True


def test_an_ended_group_put_again_with_its_end_is_accepted_but_not_moved_to_a_past_day(api):
    world, client = api
    ran = world.today - timedelta(days=60)
    body = group_body(ran, ran + timedelta(days=30))
    terms = {**body, "starts_on": ran, "ends_on": ran + timedelta(days=30)}
    with world.tx() as s:  # put while it ran, by the same provider's system
        upsert_group(s, world.provider_user, world.provider_id, "R-7", "G-1", today=ran, **terms)
    url = "/api/v1/provider/programs/R-7/groups/G-1"
    again = client.put(url, json={**body, "seats": 10})
    assert again.status_code == 200, again.json()
    assert again.json()["created"] is False and again.json()["seats"] == 10
    moved = client.put(url, json={**body, "ends_on": (world.today - timedelta(days=1)).isoformat()})
    assert moved.status_code == 422 and moved.json()["detail"][0]["type"] == "date_in_past"
    (group,) = stored(world)
    assert (group.ends_on, group.seats) == (ran + timedelta(days=30), 10)
