"""The open catalog API over a real Meilisearch and the seeded database."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from navigator.domain.shared import db as db_module
from navigator.domain.shared.db import make_engine
from navigator.settings import get_settings
from search.relay import make_client, reindex
from seed.demo import seed_demo


@pytest.fixture(scope="module")
def api_client(meili_server, sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "api.db"
    shutil.copyfile(sqlite_template, path)
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", f"sqlite:///{path}")
    patch.setenv("MEILI_URL", meili_server.url)
    patch.setenv("MEILI_MASTER_KEY", meili_server.master_key)
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, programs=200)
    reindex(engine, make_client(meili_server.url, meili_server.master_key))
    from navigator.api.catalog import api

    yield TestClient(api)
    patch.undo()
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    engine.dispose()


def test_search_answers_with_hits_facets_and_total(api_client):
    response = api_client.get("/api/v1/programs", params={"q": "шахматы", "per_page": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hits", "facets", "total", "page", "per_page", "degraded"}
    assert body["total"] > 0 and len(body["hits"]) <= 5 and body["degraded"] is False
    assert set(body["facets"]["direction"]) <= {
        "technical",
        "natural_science",
        "physical_sports",
        "artistic",
        "tourism_local_history",
        "social_humanitarian",
    }
    program_id = body["hits"][0]["id"]
    one = api_client.get(f"/api/v1/programs/{program_id}").json()
    assert one["id"] == program_id and one["groups"]
    assert "guardian" not in str(one) and "email" not in str(one)


def test_filters_reach_the_search(api_client):
    body = api_client.get(
        "/api/v1/programs",
        params=[
            ("direction", "artistic"),
            ("direction", "technical"),
            ("municipality", "kaunas"),
            ("age", 10),
        ],
    ).json()
    assert body["total"] > 0
    assert {h["direction"] for h in body["hits"]} <= {"artistic", "technical"}
    assert {h["municipality"] for h in body["hits"]} == {"kaunas"}
    assert all(h["age_min"] <= 10 <= h["age_max"] for h in body["hits"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"age": 30}, "age"),
        ({"direction": "cooking"}, "direction"),
        ({"sort": "distance"}, "sort"),
        ({"radius_km": 3}, "radius_km"),
        ({"lat": 100, "lng": 1}, "lat"),
        ({"municipality": "x' OR 1=1"}, "municipality"),
        ({"q": "a" * 201}, "q"),
    ],
)
def test_wrong_parameters_answer_422_with_the_field(api_client, params, field):
    response = api_client.get("/api/v1/programs", params={**params, "lang": "lt"})
    assert response.status_code == 422
    assert any(field in detail["loc"] for detail in response.json()["detail"]), response.json()


def test_unknown_or_private_programs_answer_404(api_client):
    assert api_client.get("/api/v1/programs/999999").status_code == 404
    assert api_client.get("/api/v1/programs/abc").status_code == 422
    response = api_client.get(
        "/api/v1/programs/999999", headers={"Accept-Language": "ru-RU,ru;q=0.9"}
    )
    assert response.json()["detail"][0]["msg"] == "Не найдено."


def test_openapi_document_describes_the_api(api_client):
    document = api_client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/programs", "/api/v1/programs/{program_id}"} <= set(document["paths"])


def test_when_meilisearch_is_down_the_api_answers_from_sql_and_says_so(api_client, monkeypatch):
    from search.keys import search_client

    healthy = api_client.get(
        "/api/v1/programs", params={"direction": "artistic", "per_page": 100}
    ).json()
    # a word of a title the catalog surely lists (the demo seed varies with the date)
    listed = healthy["hits"][0]
    word = max(listed["title"].split(), key=len)
    monkeypatch.setenv("MEILI_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    search_client.cache_clear()
    try:
        degraded = api_client.get(
            "/api/v1/programs", params={"direction": "artistic", "per_page": 100}
        ).json()
        text = api_client.get("/api/v1/programs", params={"q": word, "per_page": 100}).json()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        search_client.cache_clear()
    assert degraded["degraded"] is True and healthy["degraded"] is False
    assert degraded["total"] == healthy["total"]
    assert {h["id"] for h in degraded["hits"]} == {h["id"] for h in healthy["hits"]}
    assert degraded["facets"]["direction"] == healthy["facets"]["direction"]
    assert text["degraded"] and listed["id"] in {h["id"] for h in text["hits"]}
