"""Both APIs answer as their OpenAPI documents say: Schemathesis sends generated requests to
the real routes over a world the factories build and checks every answer against the
document, with the checks named below, a fixed seed and a bounded number of examples.

Each operation is its own test on a fresh database, so what one operation's calls write (a
program, an acceptance, a mark) never reaches another test. The provider API runs on SQLite
and PostgreSQL, as tests/api/test_provider.py does; the catalog on SQLite, as
tests/api/test_catalog.py does: it searches Meilisearch, and its one SQL read (a program's
page, `public_program`) runs on both databases in tests/domain/programs/test_listing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy.engine import Engine
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Router

from navigator import routes
from navigator.api.catalog import api as catalog_api
from navigator.api.errors import METHODS
from navigator.api.provider import provider_api
from navigator.domain.programs.api import ProgramFields, upsert_program
from navigator.domain.providers.apikeys import create_api_key
from navigator.domain.shared import db as db_module
from navigator.settings import get_settings
from search.keys import search_client
from search.relay import make_client, reindex
from tests.factories import build_world

SEED = 20260907
MAX_EXAMPLES = 10  # generated per operation; the coverage phase adds its boundary cases
LARGEST_BATCH_SENT = 50

CONFIG = {
    "seed": SEED,
    # no example database: a run replays nothing a previous run found, it is the same run
    "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
}

# Rules between fields (or with what is already stored) that a JSON Schema cannot state;
# each is written in the operation's description. A schema-valid request refused for
# anything else means the document forgot a limit.
RULES_BETWEEN_FIELDS = {
    "query_needs_point",  # radius_km or sort=distance without lat and lng
    "age_range_reversed",
    "coordinates_incomplete",
    "dates_reversed",
    "group_too_long",
    "timetable_no_lessons",
    "timetable_weekday_twice",
    "timetable_time",  # a lesson ending before it starts
    "must_be_positive",  # a paid program's price
    "import_seats_below_taken",
}


def accepts_schema_valid_data(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Schemathesis' positive_data_acceptance, but a 422 for a rule between fields passes."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        details = _details(response)
        if response.status_code == 422 and details and all(map(_between_fields, details)):
            return None
        raise


def _between_fields(detail: dict) -> bool:
    if detail.get("type") == "query_out_of_range":  # lat without lng, or lng without lat
        return detail.get("loc") in (["query", "lat"], ["query", "lng"])
    return detail.get("type") in RULES_BETWEEN_FIELDS


def _details(response: Response) -> list[dict]:
    try:
        body = response.json()
    except ValueError:
        return []
    detail = body.get("detail") if isinstance(body, dict) else None
    return [d for d in detail if isinstance(d, dict)] if isinstance(detail, list) else []


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    accepts_schema_valid_data,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
]

catalog_schema = schemathesis.openapi.from_asgi(
    routes.CATALOG_API_OPENAPI, catalog_api, config=schemathesis.Config.from_dict(CONFIG)
)
provider_schema = schemathesis.openapi.from_asgi(
    routes.PROVIDER_API_OPENAPI, provider_api, config=schemathesis.Config.from_dict(CONFIG)
)


def _serve(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    search_client.cache_clear()


def _forget() -> None:
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    search_client.cache_clear()


@pytest.fixture
def catalog_world(sqlite_engine, meili_server, monkeypatch) -> Iterator[None]:
    """A certified program with a group (id 1, so generated ids find it), in the index."""
    monkeypatch.setenv("MEILI_URL", meili_server.url)
    monkeypatch.setenv("MEILI_MASTER_KEY", meili_server.master_key)
    _serve(sqlite_engine, monkeypatch)
    world = build_world(sqlite_engine, today=date.today())
    world.add_group(seats=1, weekdays=(2, 4))
    reindex(sqlite_engine, make_client(meili_server.url, meili_server.master_key))
    yield
    _forget()


@pytest.fixture
def provider_key(engine, monkeypatch) -> Iterator[str]:
    """A provider's API key, its program under the external id the document's examples
    use, and an application (id 1) to accept, reject or mark."""
    _serve(engine, monkeypatch)
    world = build_world(engine, today=date.today() - timedelta(days=10))
    world.apply()
    with world.tx() as s:
        _key, secret = create_api_key(s, world.provider_user, world.provider_id, "e-journal")
        program = ProgramFields(
            title="Robotics", direction="technical", age_min=8, age_max=12, language="en"
        )
        upsert_program(s, world.provider_user, world.provider_id, "robotics-1", program)
    yield secret
    _forget()


def _marks_in(case: Case) -> int:
    marks = case.body.get("marks") if isinstance(case.body, dict) else None
    return len(marks) if isinstance(marks, list) else 0


# The fixtures stay for every generated example of an operation on purpose: its calls build
# on each other (an acceptance, then a second one that is refused).
one_world_per_operation = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@catalog_schema.parametrize()
@one_world_per_operation
def test_catalog_api_answers_as_documented(case, catalog_world):
    case.call_and_validate(checks=CHECKS)


@provider_schema.parametrize()
@one_world_per_operation
def test_provider_api_answers_as_documented(case, provider_key):
    # A batch of the documented 1000 marks takes about 20 s on SQLite and a minute on
    # PostgreSQL (two dozen queries a mark): slow, not wrong, and longer than this whole
    # file may take. Smaller batches are sent.
    assume(_marks_in(case) <= LARGEST_BATCH_SENT)
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {provider_key}"})


@pytest.mark.parametrize("api", [catalog_api, provider_api], ids=["catalog", "provider"])
def test_a_method_a_path_lacks_answers_405_with_allow_even_with_the_app_mounted_behind(api):
    """Reflex mounts the rest of the app behind each API ("" after its routes); a method
    the document does not list must not fall through to the pages' 404."""
    behind = Router(routes=[*api.routes, Mount("", app=PlainTextResponse("Not Found", 404))])
    client = TestClient(behind)
    for path, operations in api.openapi()["paths"].items():
        documented = {method.upper() for method in operations}
        for method in sorted(METHODS - documented):
            response = client.request(method, path.replace("{", "").replace("}", ""))
            assert response.status_code == 405, (method, path)
            assert set(response.headers["Allow"].split(", ")) == documented, (method, path)
