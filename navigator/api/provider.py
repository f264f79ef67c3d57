"""The provider API, for the providers' own e-journal systems: /api/v1/provider/...

Every call carries `Authorization: Bearer <key>` (keys are made in the provider cabinet).
A key acts for the staff member who created it; another provider's ids answer 404.
Attendance is uploaded in batches: a row already recorded the same way is left as it is, so
the same batch twice changes nothing; a row with a correction reason corrects a recorded
mark; a bad row is reported with its index and the others still apply.

The OpenAPI document is the contract (tests/api/test_contract.py holds the API to it): every
status a call can answer is listed with its body, and a field's limits are in its schema.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlmodel import Session

from navigator import routes
from navigator.api.errors import answer_errors, refuse_other_methods
from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import accept_application, reject_application
from navigator.domain.enrollment.attendance import UploadedMark, record_upload
from navigator.domain.enrollment.queries import applications_of, check_enrollment_of
from navigator.domain.programs.api import ProgramFields, upsert_group, upsert_program
from navigator.domain.programs.models import Direction, Program, ProgramFormat
from navigator.domain.providers.apikeys import actor_for_key
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.models import Language
from navigator.locale import choose_locale

MAX_BATCH = 1000


class ErrorDetail(BaseModel):
    type: str = Field(description="The error code, e.g. `not_found`, `group_full`.")
    msg: str = Field(description="The reason in the language of `Accept-Language`.")
    loc: list[str | int] = Field(
        default_factory=list,
        description='Where a malformed request is wrong, e.g. `["body", "seats"]`;'
        " absent when the reason is the data, not the request's shape.",
    )


class ErrorBody(BaseModel):
    detail: list[ErrorDetail]


class Message(BaseModel):
    detail: str = Field(description="What is wrong with the request, in English.")


def _refusal(description: str, model: type[BaseModel] = ErrorBody) -> dict[str, Any]:
    return {"model": model, "description": description}


Responses = dict[int | str, dict[str, Any]]
UNREADABLE: Responses = {400: _refusal("A body that is not JSON text (not UTF-8).", Message)}
NOT_FOUND: Responses = {404: _refusal("An id or external id this key's provider does not have.")}
CONFLICT: Responses = {
    409: _refusal("Valid, but the state of things refuses it (archived, full, decided).")
}

provider_api = FastAPI(
    title="Navigator provider API",
    version="1",
    description="For providers' own systems: programs by external id, applications, attendance.",
    openapi_url=routes.PROVIDER_API_OPENAPI,
    docs_url=None,
    redoc_url=None,
    responses={
        401: {
            **_refusal("No key, or one unknown, revoked or whose creator left.", Message),
            "headers": {"WWW-Authenticate": {"required": True, "schema": {"const": "Bearer"}}},
        },
        422: _refusal("A malformed request, or data a rule refuses; `detail` says why."),
        503: {
            **_refusal("Others were changing the same rows; nothing changed, try again."),
            "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
        },
    },
)


class Unauthorized(Exception):
    pass


@provider_api.exception_handler(Unauthorized)
async def _unauthorized(request: Request, error: Unauthorized) -> JSONResponse:
    return JSONResponse(
        status_code=401,
        content={"detail": "a valid API key is required"},
        headers={"WWW-Authenticate": "Bearer"},
    )


def _locale(request: Request) -> str:
    return choose_locale(None, request.headers.get("accept-language"))


def _error_detail(error: DomainError, locale: str) -> dict[str, Any]:
    return {"type": error.code, "msg": error.message(locale)}


answer_errors(provider_api, locale=_locale, detail=_error_detail)

api_key = HTTPBearer(
    auto_error=False, description="`Authorization: Bearer <key>`, a key made in the cabinet."
)


def caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(api_key)],
) -> tuple[Actor, int]:
    with transaction() as session:
        found = actor_for_key(session, credentials.credentials if credentials else None)
    if found is None:
        raise Unauthorized()
    return found


Caller = Annotated[tuple[Actor, int], Depends(caller)]

# Text as the domain's check_text takes it, said where a client can read it: a visible
# character, and no control character but tab and newline (not even at the ends, which
# check_text would strip).
LINE = r"^[^\x00-\x08\x0b-\x1f]*[^\s\x00-\x08\x0b-\x1f][^\x00-\x08\x0b-\x1f]*$"
OPTIONAL_LINE = r"^[^\x00-\x08\x0b-\x1f]*$"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only `YYYY-MM-DD`, as the schema says; pydantic alone would also read a number as a
    Unix time and a datetime at midnight as its day."""
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def _json_number(value: object) -> object:
    """A JSON number (5 or 5.0), as the schema says; pydantic alone also takes "5" and true."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number is expected")
    return value


IsNumber = BeforeValidator(_json_number)  # after a Field's limits, or pydantic misplaces them
Day = Annotated[date, BeforeValidator(_iso_day)]
Whole = Annotated[int, IsNumber]
ProgramExternalId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=LINE, examples=["robotics-1"])
]
GroupExternalId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=LINE, examples=["robotics-1-mondays"])
]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ProgramIn(BaseModel):
    """Rules between fields: `age_min` ≤ `age_max`; `latitude` and `longitude` together."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Robotics for beginners",
                    "direction": "technical",
                    "age_min": 8,
                    "age_max": 12,
                    "language": "en",
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=200, pattern=LINE)
    direction: Direction
    age_min: Whole = Field(ge=0, le=18)
    age_max: Whole = Field(ge=0, le=18)
    language: Language
    description: str = Field(default="", max_length=10_000, pattern=OPTIONAL_LINE)
    format: ProgramFormat = ProgramFormat.IN_PERSON
    address: str = Field(default="", max_length=300, pattern=OPTIONAL_LINE)
    latitude: Annotated[float, Field(ge=-90, le=90), IsNumber] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180), IsNumber] | None = None
    tags: str = Field(default="", max_length=500, pattern=OPTIONAL_LINE)
    is_free: bool = Field(default=False, strict=True)


@provider_api.put(
    routes.PROVIDER_API_PROGRAM,
    summary="Create or update a program",
    responses={**UNREADABLE, **NOT_FOUND, **CONFLICT},
)
def put_program(external_id: ProgramExternalId, body: ProgramIn, who: Caller) -> dict[str, Any]:
    actor, provider_id = who
    fields = ProgramFields(
        **{
            **body.model_dump(),
            "direction": body.direction.value,
            "language": body.language.value,
            "format": body.format.value,
        }
    )
    with transaction() as session:
        program, created = upsert_program(session, actor, provider_id, external_id, fields)
        return {
            "id": program.id,
            "external_id": program.external_id,
            "certification_status": program.certification_status,
            "created": created,
        }


class LessonSlot(BaseModel):
    """`start` before `end`."""

    weekday: Whole = Field(ge=1, le=7, description="ISO weekday: 1 is Monday")
    start: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    end: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class GroupIn(BaseModel):
    """Rules between fields: `starts_on` ≤ `ends_on`, at most 731 days apart, with at least
    one lesson between them; each weekday once in `timetable`; a paid program's price above
    zero; `seats` never below the children already seated."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Mondays",
                    "timetable": [{"weekday": 1, "start": "16:00", "end": "17:30"}],
                    "starts_on": "2026-09-07",
                    "ends_on": "2026-12-21",
                    "seats": 12,
                    "price_per_lesson_minor": 45_000,
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=100, pattern=LINE)
    timetable: list[LessonSlot] = Field(min_length=1, max_length=7)
    starts_on: Day
    ends_on: Day
    seats: Whole = Field(ge=1, le=10_000)
    price_per_lesson_minor: Whole = Field(ge=0, le=10**13)
    teacher: str = Field(default="", max_length=200, pattern=OPTIONAL_LINE)
    excluded_dates: list[Day] = Field(default_factory=list, max_length=400)


@provider_api.put(
    routes.PROVIDER_API_GROUP,
    summary="Create or update a group of a program",
    responses={**UNREADABLE, **NOT_FOUND, **CONFLICT},
)
def put_group(
    program_external_id: ProgramExternalId,
    external_id: GroupExternalId,
    body: GroupIn,
    who: Caller,
) -> dict[str, Any]:
    actor, provider_id = who
    terms = body.model_dump()
    terms["timetable"] = [slot.model_dump() for slot in body.timetable]
    with transaction() as session:
        group, created = upsert_group(
            session, actor, provider_id, program_external_id, external_id, **terms
        )
        program = session.get(Program, group.program_id)
        assert program is not None
        return {
            "id": group.id,
            "external_id": group.external_id,
            "seats": group.seats,
            "seats_taken": group.seats_taken,
            "created": created,
            # new or changed terms wait for the municipality: no application until then
            "awaiting_certification": not program.takes_applications(group),
            "certification_status": program.certification_status,
        }


@provider_api.get(
    routes.PROVIDER_API_APPLICATIONS,
    summary="Applications and enrollments",
    responses={404: _refusal("The key's creator left its provider while the call ran.")},
)
def list_applications(
    who: Caller,
    status: Literal[
        "applied", "waitlisted", "accepted", "active", "completed", "cancelled", "rejected"
    ]
    | None = None,
) -> list[dict[str, Any]]:
    actor, provider_id = who
    with read_session() as session:
        rows = applications_of(session, actor, provider_id)
    return [
        {
            "enrollment_id": r.enrollment_id,
            "status": r.status,
            "child_name": r.child_name,
            "child_birth_date": r.child_birth_date.isoformat(),
            "program_title": r.program_title,
            "group_id": r.group_id,
            "group_name": r.group_name,
            "certificate_share_minor": r.certificate_share_minor,
            "copayment_minor": r.copayment_minor,
        }
        for r in rows
        if status is None or r.status == status
    ]


@provider_api.post(
    routes.PROVIDER_API_ACCEPT,
    summary="Accept (places the hold)",
    responses={**NOT_FOUND, **CONFLICT},
)
def accept(enrollment_id: RowId, who: Caller) -> dict[str, Any]:
    actor, provider_id = who

    def accept_it(session: Session) -> dict[str, Any]:
        check_enrollment_of(session, provider_id, enrollment_id)
        enrollment = accept_application(session, actor, enrollment_id)
        return {
            "enrollment_id": enrollment.id,
            "status": enrollment.status,
            "held_minor": enrollment.held_minor,
        }

    return atomically(accept_it)


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, pattern=LINE)


@provider_api.post(
    routes.PROVIDER_API_REJECT,
    summary="Reject with a reason",
    responses={**UNREADABLE, **NOT_FOUND, **CONFLICT},
)
def reject(enrollment_id: RowId, body: RejectIn, who: Caller) -> dict[str, Any]:
    actor, provider_id = who

    def reject_it(session: Session) -> dict[str, Any]:
        check_enrollment_of(session, provider_id, enrollment_id)
        enrollment = reject_application(session, actor, enrollment_id, reason=body.reason)
        return {"enrollment_id": enrollment.id, "status": enrollment.status}

    return atomically(reject_it)


class MarkIn(BaseModel):
    enrollment_id: Whole = Field(ge=1, le=2**31 - 1)
    date: Day
    status: Literal["present", "absent", "excused"]
    correction_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        pattern=LINE,
        description="Changes a mark already recorded (within the municipality's correction"
        " window); without it a different mark for a recorded lesson is reported as an error.",
    )


class AttendanceBatch(BaseModel):
    marks: list[MarkIn] = Field(max_length=MAX_BATCH)


@provider_api.post(
    routes.PROVIDER_API_ATTENDANCE,
    summary="Upload attendance marks in a batch",
    responses=UNREADABLE,
)
def upload_attendance(body: AttendanceBatch, who: Caller, request: Request) -> dict[str, Any]:
    actor, provider_id = who
    locale = _locale(request)

    marks = [
        UploadedMark(mark.enrollment_id, mark.date, mark.status, mark.correction_reason)
        for mark in body.marks
    ]

    def upload(session: Session) -> dict[str, Any]:  # run again from scratch if unlucky
        outcome = record_upload(session, actor, provider_id, marks)
        return {
            "applied": outcome.marked + outcome.corrected,
            "corrected": outcome.corrected,
            "unchanged": outcome.unchanged,
            "errors": [
                {"index": index, **_error_detail(error, locale)} for index, error in outcome.refused
            ],
        }

    return atomically(upload)


refuse_other_methods(provider_api)
