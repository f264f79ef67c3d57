"""A provider's program (its content, groups, photo and listing) and a group's attendance
register; the cabinet's task screens are in `provider_cabinet.py`.

Each handler asks the domain with the signed-in user as the actor; the domain answers
"not found" for another provider's program, group or enrollment. The page only ever
holds this provider's own rows.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from navigator import routes
from navigator.domain.enrollment.attendance import (
    correct_attendance,
    corrections_of,
    mark_lesson,
    register_of,
)
from navigator.domain.enrollment.models import AttendanceStatus
from navigator.domain.municipalities.queries import currency_of, municipalities
from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    set_enrollment_open,
    set_listing,
    update_program,
)
from navigator.domain.programs.certification import decision_reason, set_certification
from navigator.domain.programs.models import CertificationStatus, Direction, ProgramFormat
from navigator.domain.programs.photos import (
    MAX_PHOTO_BYTES,
    media_dir,
    photo_url,
    remove_program_photo,
    set_program_photo,
)
from navigator.domain.programs.queries import groups_of, program_for_staff
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.models import Language
from navigator.domain.shared.money import parse_amount
from navigator.domain.shared.validation import parse_coordinate
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_money
from navigator.settings import get_settings
from navigator.state.app import LABELS_LANG, AppState
from navigator.state.formatting import day, timetable
from navigator.state.forms import Choice, form_date, form_whole, path_id, row_id
from navigator.state.threaded import in_thread


@dataclasses.dataclass
class GroupRow:
    id: str
    name: str
    timetable: str
    dates: str
    seats: str
    price: str
    open: bool
    awaiting: bool  # its terms wait for certification: no application until then


def program_fields(form: dict) -> ProgramFields:
    """A program's form, read strictly: a wrong type or number is an error, not a guess."""
    form = form if isinstance(form, dict) else {}
    return ProgramFields(
        title=str(form.get("title", "")),
        description=str(form.get("description", "")),
        direction=str(form.get("direction", "")),
        age_min=form_whole(form, "age_min"),
        age_max=form_whole(form, "age_max"),
        language=str(form.get("language", "")),
        format=str(form.get("format", "")),
        address=str(form.get("address", "")),
        latitude=parse_coordinate(form.get("latitude")),
        longitude=parse_coordinate(form.get("longitude")),
        is_free=form.get("is_free") in (True, "on", "true"),
    )


def municipality_timezone(session: Any, municipality_id: int) -> str:
    """The time zone a provider's screens tell time by: its municipality's."""
    return next((m.timezone for m in municipalities(session) if m.id == municipality_id), "UTC")


def local_day(moment: datetime, timezone: str, lang: str) -> str:
    """A moment's date on the calendar of `timezone` (23:30 UTC is already tomorrow in
    Vilnius and Yaroslavl)."""
    return day(moment.astimezone(ZoneInfo(timezone)), lang)


def back_to(page: str, state: rx.State) -> str:
    """Where sign-in returns to on a page with an id in its path: the page with that id,
    rebuilt from the parsed number (nothing of the browser's path is passed on), or the
    provider's desk when the path has no id."""
    wanted = path_id(state.router.url.path or "")
    return routes.PROVIDER if wanted is None else page + str(wanted)


def _media() -> Path:
    return media_dir(get_settings().var_dir)


class ProviderProgramState(AppState):
    """/provider/programs/ID: edit, submit for certification, groups."""

    found: bool = False
    program_id: str = ""
    title: str = ""
    description: str = ""
    direction: str = ""
    age_min: str = ""
    age_max: str = ""
    language: str = ""
    format: str = ""
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    is_free: bool = False
    status: str = ""
    can_submit: bool = False
    photo_url: str = ""
    listing: str = ""  # listed / suspended / archived
    listing_label: str = ""
    groups: list[GroupRow] = []
    form_key: int = 0  # a new key re-mounts the forms with fresh defaults
    error: str = ""
    notice: str = ""

    status_reason: str = ""  # why the municipality rejected or suspended it

    def _load_program(self) -> None:
        actor = self._actor()
        wanted = path_id(self.router.url.path)
        self.found = False
        if actor is None or wanted is None:
            return
        lang = self.lang
        try:
            with read_session() as session:
                program = program_for_staff(session, actor, wanted)
                groups = groups_of(session, actor, wanted)
                currency = currency_of(session, program.municipality_id)
                self.status_reason = decision_reason(session, program)
        except DomainError:
            return
        self.found = True
        self.program_id = str(program.id)
        self.title, self.description = program.title, program.description
        self.direction, self.language, self.format = (
            program.direction,
            program.language,
            program.format,
        )
        self.age_min, self.age_max = str(program.age_min), str(program.age_max)
        self.address = program.address
        self.latitude = "" if program.latitude is None else str(program.latitude)
        self.longitude = "" if program.longitude is None else str(program.longitude)
        self.is_free = program.is_free
        self.status = value_label(program.certification_status, lang)
        self.listing = program.listing
        self.photo_url = photo_url(program.photo)
        parents_see_it = (
            program.certified_version is not None or program.is_free
        ) and program.certification_status != CertificationStatus.SUSPENDED
        self.listing_label = (
            text("not_in_catalog_yet", lang)  # a draft is never called "in the catalog"
            if program.listing == "listed" and not parents_see_it
            else value_label(program.listing, lang)
        )
        self.can_submit = program.certification_status in (
            CertificationStatus.DRAFT,
            CertificationStatus.REJECTED,
        )
        self.groups = [
            GroupRow(
                id=str(g.id),
                name=g.name,
                timetable=timetable(g.timetable, lang),
                dates=f"{day(g.starts_on, lang)} – {day(g.ends_on, lang)}",
                seats=f"{g.seats_taken} / {g.seats}",
                price=format_money(g.price_per_lesson_minor, currency, lang),
                open=g.enrollment_open,
                awaiting=not program.takes_applications(g),
            )
            for g in groups
        ]
        self.form_key += 1

    @rx.event
    def load(self):
        self.page_lang = self.lang  # the labels follow the tab's language
        self.error = self.notice = ""
        if self._actor() is None:  # back to this program after signing in
            return rx.redirect(routes.login_then(back_to(routes.PROVIDER_PROGRAM, self)))
        self._load_program()
        return None

    def _run(self, action) -> None:
        self.error = self.notice = ""
        actor = self._actor()
        wanted = row_id(self.program_id)
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        try:
            atomically(lambda session: action(session, actor, wanted))
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("done", self.lang)
        self._load_program()

    @rx.event
    def save(self, form: dict) -> None:
        try:
            fields = program_fields(form)
        except DomainError as error:
            self.error = self._message(error)
            return
        self._run(lambda s, actor, pid: update_program(s, actor, pid, fields))

    @rx.event
    def submit(self) -> None:
        self._run(
            lambda s, actor, pid: set_certification(s, actor, pid, CertificationStatus.SUBMITTED)
        )

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]):
        """A new photo; the domain checks that it is an image and stores a clean copy."""
        if not files:
            self.error = self._message(InvalidInput("field_required", field="photo"))
            return
        data = await files[0].read(MAX_PHOTO_BYTES + 1)
        self._run(lambda s, actor, pid: set_program_photo(s, actor, pid, data, _media()))

    @rx.event
    def remove_photo(self) -> None:
        self._run(lambda s, actor, pid: remove_program_photo(s, actor, pid, _media()))

    @rx.event
    def set_listing(self, listing: str) -> None:
        """Pause, resume, archive or restore; the domain refuses any other move."""
        if not isinstance(listing, str):
            self.error = self._message(NotFound())
            return
        self._run(lambda s, actor, pid: set_listing(s, actor, pid, listing))

    @rx.event
    def add_group(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}
        try:
            weekdays = [
                day for day in range(1, 8) if form.get(f"weekday_{day}") in (True, "on", "true")
            ]
            start, end = str(form.get("time_from", ""))[:5], str(form.get("time_to", ""))[:5]
            terms = {
                "name": str(form.get("name", "")),
                "teacher": str(form.get("teacher", "")),
                "timetable": [{"weekday": d, "start": start, "end": end} for d in weekdays],
                "starts_on": form_date(form, "starts_on"),
                "ends_on": form_date(form, "ends_on"),
                "seats": form_whole(form, "seats"),
            }
            price_text = str(form.get("price", "")).strip() or "0"
        except DomainError as error:
            self.error = self._message(error)
            return

        def action(session, actor, program_id):
            program = program_for_staff(session, actor, program_id)
            currency = currency_of(session, program.municipality_id)
            create_group(
                session,
                actor,
                program_id,
                price_per_lesson_minor=parse_amount(price_text, currency, field="price"),
                **terms,
            )

        self._run(action)

    @rx.event
    def toggle_enrollment(self, group_id: str) -> None:
        wanted = row_id(group_id)
        row = next((g for g in self.groups if g.id == group_id), None)
        if wanted is None or row is None:
            self.error = self._message(NotFound())
            return
        self._run(lambda s, actor, _pid: set_enrollment_open(s, actor, wanted, not row.open))

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def direction_choices(self) -> list[Choice]:
        return [Choice(d.value, value_label(d.value, self.page_lang)) for d in Direction]

    @rx.var
    def format_choices(self) -> list[Choice]:
        return [Choice(f.value, value_label(f.value, self.page_lang)) for f in ProgramFormat]

    @rx.var
    def language_choices(self) -> list[Choice]:
        return [Choice(lang.value, value_label(lang.value, self.page_lang)) for lang in Language]


@dataclasses.dataclass
class RegisterRow:
    enrollment_id: str
    child: str
    cells: list[str]


@dataclasses.dataclass
class CorrectionLine:
    lesson_date: str
    child: str
    change: str
    reason: str
    money: str
    by: str


class AttendanceState(AppState):
    """/provider/groups/ID: the register grid, and marking one lesson for the whole group."""

    found: bool = False
    group_id: str = ""
    program_id: str = ""
    dates: list[str] = []
    rows: list[RegisterRow] = []
    lesson_choices: list[Choice] = []
    correctable_choices: list[Choice] = []
    corrections: list[CorrectionLine] = []
    form_key: int = 0
    error: str = ""
    notice: str = ""
    correction_error: str = ""
    correction_notice: str = ""

    def _load_register(self) -> None:
        actor = self._actor()
        wanted = path_id(self.router.url.path)
        self.found = False
        if actor is None or wanted is None:
            return
        lang = self.lang
        try:
            with read_session() as session:
                register = register_of(session, actor, wanted)
                program = program_for_staff(session, actor, register.program_id)
                currency = currency_of(session, program.municipality_id)
                audit = corrections_of(session, actor, wanted)
                timezone = municipality_timezone(session, program.municipality_id)
        except DomainError:
            return
        self.found = True
        self.group_id, self.program_id = str(wanted), str(register.program_id)
        self.dates = [day(d, lang) for d in register.dates]
        marks = {"present": "✓", "absent": "✗", "excused": "○"}
        self.rows = [
            RegisterRow(
                str(enrollment_id),
                name,
                [marks.get(register.marks.get((enrollment_id, d), ""), "") for d in register.dates],
            )
            for enrollment_id, name in register.children
        ]
        self.lesson_choices = [
            Choice(d.isoformat(), day(d, lang)) for d in reversed(register.dates)
        ]
        self.correctable_choices = [
            c
            for c, d in zip(self.lesson_choices, reversed(register.dates), strict=True)
            if d >= register.correctable_from
        ]
        self.corrections = [
            CorrectionLine(
                lesson_date=day(c.lesson_date, lang),
                child=c.child_name,
                change=f"{value_label(c.from_status, lang)} → {value_label(c.to_status, lang)}",
                reason=c.reason,
                money=(
                    "+" + format_money(c.refunded_minor, currency, lang)
                    if c.refunded_minor
                    else "−" + format_money(c.captured_minor, currency, lang)
                    if c.captured_minor
                    else "—"
                ),
                by=f"{c.corrected_by}, {local_day(c.corrected_at, timezone, lang)}",
            )
            for c in audit
        ]
        self.form_key += 1

    @rx.event
    def load(self):
        self.page_lang = self.lang  # the labels follow the tab's language
        self.error = self.notice = ""
        if self._actor() is None:  # back to this group's register after signing in
            return rx.redirect(routes.login_then(back_to(routes.PROVIDER_GROUP, self)))
        self._load_register()
        return None

    @rx.event
    @in_thread
    def save_lesson(self, form: dict) -> None:
        self.error = self.notice = ""
        form = form if isinstance(form, dict) else {}
        actor = self._actor()
        group_id = row_id(self.group_id)
        if actor is None or group_id is None:
            self.error = self._message(NotFound())
            return
        try:
            lesson_date = form_date(form, "lesson_date")
            # a child the form does not name stays unmarked: missing is never "present"
            statuses = {
                int(row.enrollment_id): str(form[f"status_{row.enrollment_id}"])
                for row in self.rows
                if f"status_{row.enrollment_id}" in form
            }
            count = atomically(
                lambda session: mark_lesson(session, actor, group_id, lesson_date, statuses)
            )
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("marked", self.lang, count=count)
        self._load_register()

    @rx.event
    @in_thread
    def correct(self, form: dict) -> None:
        """Change one recorded mark; the domain checks the window, audits it and moves money."""
        self.correction_error = self.correction_notice = self.error = self.notice = ""
        form = form if isinstance(form, dict) else {}
        actor = self._actor()
        enrollment_id = row_id(form.get("enrollment_id"))
        seated = {row.enrollment_id for row in self.rows}
        if actor is None or enrollment_id is None or str(enrollment_id) not in seated:
            self.correction_error = self._message(NotFound())
            return
        try:
            lesson_date = form_date(form, "lesson_date")
            status, reason = str(form.get("status", "")), str(form.get("reason", ""))
            atomically(
                lambda session: correct_attendance(
                    session, actor, enrollment_id, lesson_date, status, reason
                )
            )
        except DomainError as error:
            self.correction_error = self._message(error)
            return
        self.correction_notice = text("correction_saved", self.lang)
        self._load_register()

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def status_choices(self) -> list[Choice]:
        return [Choice(s.value, value_label(s.value, self.page_lang)) for s in AttendanceStatus]
