"""The provider API, for the providers' own e-journal systems: /api/v1/provider/...

Every call carries `Authorization: Bearer <key>` (keys are made in the provider cabinet).
A key acts for the staff member who created it; another provider's ids answer 404.
Attendance is uploaded in batches: a row already recorded the same way is left as it is, so
the same batch twice changes nothing; a row with a correction reason corrects a recorded
mark; a bad row is reported with its index and the others still apply.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from navigator import routes
from navigator.api.errors import answer_errors
from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import accept_application, reject_application
from navigator.domain.enrollment.attendance import lock_batch, record_attendance
from navigator.domain.enrollment.queries import applications_of, check_enrollment_of
from navigator.domain.programs.api import ProgramFields, upsert_group, upsert_program
from navigator.domain.programs.models import Direction, Program, ProgramFormat
from navigator.domain.providers.apikeys import actor_for_key
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import Busy, DomainError
from navigator.domain.shared.models import Language
from navigator.locale import choose_locale

provider_api = FastAPI(
    title="Navigator provider API",
    version="1",
    description="For providers' own systems: programs by external id, applications, attendance.",
    openapi_url=routes.PROVIDER_API_OPENAPI,
    docs_url=None,
    redoc_url=None,
)
MAX_BATCH = 1000


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


def caller(authorization: Annotated[str | None, Header()] = None) -> tuple[Actor, int]:
    scheme, _, secret = (authorization or "").partition(" ")
    with transaction() as session:
        found = actor_for_key(session, secret.strip() if scheme.lower() == "bearer" else None)
    if found is None:
        raise Unauthorized()
    return found


Caller = Annotated[tuple[Actor, int], Depends(caller)]


class ProgramIn(BaseModel):
    title: str = Field(max_length=200)
    direction: Direction
    age_min: int = Field(ge=0, le=18)
    age_max: int = Field(ge=0, le=18)
    language: Language
    description: str = Field(default="", max_length=10_000)
    format: ProgramFormat = ProgramFormat.IN_PERSON
    address: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    tags: str = Field(default="", max_length=500)
    is_free: bool = False


@provider_api.put(routes.PROVIDER_API_PROGRAM, summary="Create or update a program")
def put_program(
    external_id: Annotated[str, Path(min_length=1, max_length=100)], body: ProgramIn, who: Caller
) -> dict[str, Any]:
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
    weekday: int = Field(ge=1, le=7, description="ISO weekday: 1 is Monday")
    start: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    end: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class GroupIn(BaseModel):
    name: str = Field(max_length=100)
    timetable: list[LessonSlot] = Field(max_length=50)
    starts_on: date
    ends_on: date
    seats: int = Field(ge=1, le=10_000)
    price_per_lesson_minor: int = Field(ge=0, le=10**13)
    teacher: str = Field(default="", max_length=200)
    excluded_dates: list[date] = Field(default_factory=list, max_length=400)


@provider_api.put(routes.PROVIDER_API_GROUP, summary="Create or update a group of a program")
def put_group(
    program_external_id: Annotated[str, Path(min_length=1, max_length=100)],
    external_id: Annotated[str, Path(min_length=1, max_length=100)],
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


@provider_api.get(routes.PROVIDER_API_APPLICATIONS, summary="Applications and enrollments")
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


@provider_api.post(routes.PROVIDER_API_ACCEPT, summary="Accept (places the hold)")
def accept(enrollment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Caller) -> dict[str, Any]:
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
    reason: str = Field(min_length=1, max_length=500)


@provider_api.post(routes.PROVIDER_API_REJECT, summary="Reject with a reason")
def reject(
    enrollment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: RejectIn, who: Caller
) -> dict[str, Any]:
    actor, provider_id = who

    def reject_it(session: Session) -> dict[str, Any]:
        check_enrollment_of(session, provider_id, enrollment_id)
        enrollment = reject_application(session, actor, enrollment_id, reason=body.reason)
        return {"enrollment_id": enrollment.id, "status": enrollment.status}

    return atomically(reject_it)


class MarkIn(BaseModel):
    enrollment_id: int = Field(ge=1, le=2**31 - 1)
    date: date
    status: Literal["present", "absent", "excused"]
    correction_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Changes a mark already recorded (within the municipality's correction"
        " window); without it a different mark for a recorded lesson is reported as an error.",
    )


class AttendanceBatch(BaseModel):
    marks: list[MarkIn] = Field(max_length=MAX_BATCH)


@provider_api.post(routes.PROVIDER_API_ATTENDANCE, summary="Upload attendance marks in a batch")
def upload_attendance(body: AttendanceBatch, who: Caller, request: Request) -> dict[str, Any]:
    actor, provider_id = who
    locale = _locale(request)

    def upload(session: Session) -> dict[str, Any]:  # run again from scratch if unlucky
        counts = {"marked": 0, "corrected": 0, "unchanged": 0}
        errors = []
        lock_batch(session, [mark.enrollment_id for mark in body.marks])
        for index, mark in enumerate(body.marks):
            try:
                with session.begin_nested():  # a bad row changes nothing, the others still apply
                    check_enrollment_of(session, provider_id, mark.enrollment_id)
                    outcome = record_attendance(
                        session,
                        actor,
                        mark.enrollment_id,
                        mark.date,
                        mark.status,
                        correction_reason=mark.correction_reason,
                    )
                counts[outcome] += 1
            except DomainError as error:
                if isinstance(error, Busy):
                    raise  # the whole batch again, not a row reported as failed
                errors.append({"index": index, **_error_detail(error, locale)})
        return {
            "applied": counts["marked"] + counts["corrected"],
            "corrected": counts["corrected"],
            "unchanged": counts["unchanged"],
            "errors": errors,
        }

    return atomically(upload)
