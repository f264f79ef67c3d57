"""The open catalog API (read-only, no login): /api/v1/programs and its OpenAPI document.

FastAPI validates types and ranges; the search module validates the rest. Either way a
wrong parameter answers 422 naming the field and the reason, in the caller's language.
The OpenAPI document states every limit the search module applies to one parameter and
every status with its body (tests/api/test_contract.py holds the API to it).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path, Query, Request
from pydantic import BaseModel, Field

from navigator import routes
from navigator.api.errors import answer_errors, refuse_other_methods
from navigator.domain.programs.models import Direction, ProgramFormat
from navigator.domain.programs.queries import public_program
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.models import Language
from navigator.domain.shared.validation import MAX_AMOUNT_MINOR
from navigator.locale import choose_locale
from navigator.settings import get_settings
from search.query import MAX_RADIUS_KM, MAX_TEXT, MUNICIPALITY_CODE, CatalogQuery
from search.service import find_programs


class ErrorDetail(BaseModel):
    loc: list[str | int] = Field(
        description='The parameter, e.g. `["query", "age"]`; empty when the reason names none.'
    )
    msg: str = Field(description="The reason, in the language of `lang` or `Accept-Language`.")
    type: str = Field(description="The error code, e.g. `not_found`, `query_needs_point`.")


class ErrorBody(BaseModel):
    detail: list[ErrorDetail]


api = FastAPI(
    title="Navigator catalog API",
    version="1",
    description="Read-only catalog of certified and free children's programs.",
    openapi_url=routes.CATALOG_API_OPENAPI,
    docs_url=None,
    redoc_url=None,
    responses={422: {"model": ErrorBody, "description": "A wrong parameter; `detail` says why."}},
)


def _locale(request: Request) -> str:
    return choose_locale(request.query_params.get("lang"), request.headers.get("accept-language"))


def _error_detail(error: DomainError, locale: str) -> dict[str, Any]:
    """A domain error in FastAPI's own shape, naming the query parameter when it is about one."""
    field = error.params.get("field")
    return {
        "loc": ["query", field] if field else [],
        "msg": error.message(locale),
        "type": error.code,
    }


answer_errors(api, locale=_locale, detail=_error_detail)


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


MunicipalityCode = Annotated[str, Field(pattern=MUNICIPALITY_CODE.pattern)]


@api.get(
    routes.CATALOG_API_PROGRAMS,
    summary="Search the catalog",
    description="`radius_km` and `sort=distance` need `lat` and `lng`, which come together.",
)
def list_programs(
    q: Annotated[str, Query(max_length=MAX_TEXT)] = "",
    direction: Annotated[list[Direction] | None, Query()] = None,
    age: Annotated[int | None, Query(ge=0, le=18)] = None,
    municipality: Annotated[list[MunicipalityCode] | None, Query(max_length=40)] = None,
    format: Annotated[list[ProgramFormat] | None, Query()] = None,
    language: Annotated[list[Language] | None, Query()] = None,
    payable_by_certificate: bool | None = None,
    has_free_seats: bool | None = None,
    weekday: Annotated[list[Annotated[int, Field(ge=1, le=7)]] | None, Query()] = None,
    price_max: Annotated[
        int | None, Query(ge=0, le=MAX_AMOUNT_MINOR, description="minor units")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float | None, Query(ge=0.1, le=MAX_RADIUS_KM)] = None,
    sort: Literal["relevance", "price", "distance", "start"] = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Language | None = None,
) -> dict[str, Any]:
    settings = get_settings()
    query = CatalogQuery(
        text=q,
        directions=tuple(d.value for d in direction or ()),
        formats=tuple(f.value for f in format or ()),
        languages=tuple(lang.value for lang in language or ()),
        municipalities=tuple(municipality or ()),
        age=age,
        payable_by_certificate=payable_by_certificate,
        has_free_seats=has_free_seats,
        weekdays=tuple(weekday or ()),
        price_max_minor=price_max,
        latitude=lat,
        longitude=lng,
        radius_km=radius_km,
        sort=sort,
        page=page,
        per_page=per_page,
        locale=lang.value if lang else settings.default_locale,
    )
    result = find_programs(query)
    return {
        "hits": [_plain(hit) for hit in result.hits],
        "facets": result.facets,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "degraded": result.degraded,
    }


@api.get(
    routes.CATALOG_API_PROGRAM,
    summary="One program with its groups",
    responses={404: {"model": ErrorBody, "description": "No such program in the catalog."}},
)
def get_program(program_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> dict[str, Any]:
    with read_session() as session:
        return _plain(public_program(session, program_id, datetime.now(UTC).date()))


refuse_other_methods(api)
