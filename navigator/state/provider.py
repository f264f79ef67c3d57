"""The provider's cabinet: programs, groups, applications and the attendance register.

Each handler asks the domain with the signed-in user as the actor; the domain answers
"not found" for another provider's program, group or enrollment. The page only ever
holds this provider's own rows.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import is_provider_owner
from navigator.domain.accounts.confirmation import unconfirmed_address
from navigator.domain.enrollment.api import accept_application, reject_application
from navigator.domain.enrollment.attendance import (
    correct_attendance,
    corrections_of,
    mark_lesson,
    register_of,
)
from navigator.domain.enrollment.models import AttendanceStatus
from navigator.domain.enrollment.offers import offer_enrollment
from navigator.domain.enrollment.queries import applications_of, monthly_statement
from navigator.domain.municipalities.queries import currency_of
from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    create_program,
    set_enrollment_open,
    set_listing,
    update_program,
)
from navigator.domain.programs.certification import decision_reason, set_certification
from navigator.domain.programs.importing import import_programs
from navigator.domain.programs.models import CertificationStatus, Direction, ProgramFormat
from navigator.domain.programs.photos import (
    MAX_PHOTO_BYTES,
    media_dir,
    photo_url,
    remove_program_photo,
    set_program_photo,
)
from navigator.domain.programs.queries import groups_of, program_for_staff, programs_of
from navigator.domain.providers.apikeys import create_api_key, keys_of, revoke_api_key
from navigator.domain.providers.queries import providers_of
from navigator.domain.providers.staff import invite_staff, remove_staff, revoke_invitation, staff_of
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.exports import to_csv
from navigator.domain.shared.mail import deliver_after_commit
from navigator.domain.shared.models import Language
from navigator.domain.shared.money import parse_amount
from navigator.domain.shared.validation import parse_coordinate
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_money
from navigator.settings import get_settings
from navigator.state.app import AppState
from navigator.state.formatting import day, timetable
from navigator.state.forms import Choice, form_date, form_whole, path_id, row_id


@dataclasses.dataclass
class ProgramRow:
    id: str
    title: str
    status: str


@dataclasses.dataclass
class ApplicationCard:
    id: str
    status: str
    child: str
    program: str
    group: str
    money: str
    reason: str
    pending: bool


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


@dataclasses.dataclass
class StatementLine:
    program: str
    group: str
    lessons: str
    attendances: str
    captured: str
    copayments: str


def _month(value: object) -> tuple[int, int]:
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", str(value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput("date_invalid", field="month")
    return int(match.group(1)), int(match.group(2))


def statement_csv(currency: str, rows: list, lang: str) -> str:
    """The statement as CSV with the screen's column names (amounts in the currency's main
    unit, names never formulas), opening right in a spreadsheet."""
    header = [text(key, lang) for key in ("program", "group", "lessons", "attendance")]
    money_keys = ("certificate_payments", "parents_copayments")  # the provider's words
    header += [f"{text(key, lang)}, {currency}" for key in money_keys]
    return to_csv(
        header,
        [
            (
                r.program_title,
                r.group_name,
                r.lessons,
                r.attendances,
                r.captured_minor,
                r.copayments_minor,
            )
            for r in rows
        ],
        {4, 5},
        currency,
    )


@dataclasses.dataclass
class KeyRow:
    id: str
    name: str
    prefix: str
    created: str
    last_used: str
    revoked: bool


MAX_IMPORT_BYTES = 5_000_000


@dataclasses.dataclass
class ImportLine:
    line: str
    message: str


@dataclasses.dataclass
class StaffLine:
    user_id: str
    invitation_id: str
    email: str
    role: str
    pending: bool


class ProviderState(AppState):
    """/provider: the organisation, its programs and its applications."""

    has_provider: bool = False
    provider_name: str = ""
    admitted: bool = False
    confirm_banner: str = ""  # the owner's address waits for its link, and so does admission
    programs: list[ProgramRow] = []
    applications: list[ApplicationCard] = []
    rejecting: str = ""
    error: str = ""
    notice: str = ""
    statement_month: str = ""
    statement: list[StatementLine] = []
    keys: list[KeyRow] = []
    import_summary: str = ""
    group_choices: list[Choice] = []
    import_errors: list[ImportLine] = []
    new_secret: str = ""  # the key just made: shown once, forgotten at the next load
    is_owner: bool = False
    staff: list[StaffLine] = []
    _provider_id: int | None = None

    def _provider(self) -> tuple[object, int] | None:
        actor = self._actor()
        if actor is None:
            return None
        with read_session() as session:
            providers = providers_of(session, actor)
        if not providers or providers[0].id is None:
            return None
        return actor, providers[0].id

    @rx.event
    def resend_confirmation(self) -> None:
        self.error, self.notice = self._resend_confirmation()

    def _reload(self) -> bool:
        found = self._provider()
        self.has_provider = found is not None
        if found is None:
            self.programs, self.applications = [], []
            self.confirm_banner = ""
            return False
        actor, provider_id = found
        lang = self.lang
        with read_session() as session:
            provider = providers_of(session, actor)[0]  # type: ignore[arg-type]
            programs = programs_of(session, actor, provider_id)  # type: ignore[arg-type]
            applications = applications_of(session, actor, provider_id)  # type: ignore[arg-type]
            keys = keys_of(session, actor, provider_id)  # type: ignore[arg-type]
            groups = [
                (program, group)
                for program in programs
                for group in groups_of(session, actor, program.id)  # type: ignore[arg-type]
            ]
            currency = currency_of(session, provider.municipality_id)
            owner = is_provider_owner(session, actor, provider_id)  # type: ignore[arg-type]
            people = staff_of(session, actor, provider_id) if owner else []  # type: ignore[arg-type]
            address = unconfirmed_address(session, actor)  # type: ignore[arg-type]
        self._provider_id = provider_id
        self.is_owner = owner
        self.staff = [
            StaffLine(
                str(p.user_id or ""),
                str(p.invitation_id or ""),
                p.email,
                value_label(p.role, lang)
                + (" · " + text("invitation_pending", lang) if p.pending else ""),
                p.pending,
            )
            for p in people
        ]
        self.provider_name = provider.name
        self.admitted = provider.admitted
        self.confirm_banner = (
            text("confirm_banner_provider", lang, email=address)
            if address and not provider.admitted
            else ""
        )
        self.group_choices = [
            Choice(str(g.id), f"{p.title} · {g.name}") for p, g in groups if g.enrollment_open
        ]
        self.keys = [
            KeyRow(
                str(k.id),
                k.name,
                k.prefix + "…",
                day(k.created_at, lang),
                day(k.last_used_at, lang) if k.last_used_at else "—",
                k.revoked_at is not None,
            )
            for k in keys
        ]
        self.programs = [
            ProgramRow(
                str(p.id),
                p.title,
                value_label(p.certification_status, lang)
                + ("" if p.listing == "listed" else " · " + value_label(p.listing, lang)),
            )
            for p in programs
        ]
        self.applications = [
            ApplicationCard(
                id=str(a.enrollment_id),
                status=value_label(a.status, lang),
                child=f"{a.child_name} ({day(a.child_birth_date, lang)})",
                program=a.program_title,
                group=a.group_name,
                money=" · ".join(
                    f"{text(label, lang)}: {format_money(amount, currency, lang)}"
                    for label, amount in (
                        ("certificate_pays", a.certificate_share_minor),
                        ("parent_pays", a.copayment_minor),  # the provider's words, not "you"
                    )
                ),
                reason=a.reason,
                pending=a.status in ("applied", "waitlisted"),
            )
            for a in applications
        ]
        return True

    @rx.event
    def load(self):
        self.error = self.notice = self.rejecting = self.new_secret = ""
        if self._actor() is None:
            return rx.redirect(routes.login_then(routes.PROVIDER))
        self._reload()
        return None

    @rx.event
    def create(self, form: dict):
        self.error = ""
        found = self._provider()
        if found is None:
            self.error = self._message(NotFound())
            return None
        actor, provider_id = found
        try:
            fields = program_fields(form)
            with transaction() as session:
                program = create_program(session, actor, provider_id, fields)  # type: ignore[arg-type]
                program_id = program.id
        except DomainError as error:
            self.error = self._message(error)
            return None
        return rx.redirect(f"{routes.PROVIDER_PROGRAM}{program_id}")

    @rx.event
    def accept(self, enrollment_id: str) -> None:
        self._decide(enrollment_id, accept=True, reason="")

    @rx.event
    def start_reject(self, enrollment_id: str) -> None:
        self.rejecting = enrollment_id if row_id(enrollment_id) is not None else ""

    @rx.event
    def reject(self, form: dict) -> None:
        reason = str(form.get("reason", "")) if isinstance(form, dict) else ""
        self._decide(self.rejecting, accept=False, reason=reason)

    def _decide(self, enrollment_id: str, *, accept: bool, reason: str) -> None:
        self.error = self.notice = ""
        actor = self._actor()
        wanted = row_id(enrollment_id)
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        try:
            atomically(
                lambda session: (
                    accept_application(session, actor, wanted)
                    if accept
                    else reject_application(session, actor, wanted, reason=reason)
                )
            )
        except DomainError as error:
            self.error = self._message(error)
            return
        self.rejecting = ""
        self.notice = text("done", self.lang)
        self._reload()

    def _statement(self, month: object):
        found = self._provider()
        if found is None:
            raise NotFound()
        actor, provider_id = found
        year, number = _month(month)
        with read_session() as session:
            return monthly_statement(session, actor, provider_id, year, number)  # type: ignore[arg-type]

    @rx.event
    def show_statement(self, form: dict) -> None:
        self.error = ""
        month = form.get("month", "") if isinstance(form, dict) else ""
        try:
            currency, rows = self._statement(month)
        except DomainError as error:
            self.error = self._message(error)
            return
        lang = self.lang
        self.statement_month = str(month)
        self.statement = [
            StatementLine(
                r.program_title,
                r.group_name,
                str(r.lessons),
                str(r.attendances),
                format_money(r.captured_minor, currency, lang),
                format_money(r.copayments_minor, currency, lang),
            )
            for r in rows
        ]

    @rx.event
    def download_statement(self):
        try:
            currency, rows = self._statement(self.statement_month)
        except DomainError as error:
            self.error = self._message(error)
            return None
        return rx.download(
            data=statement_csv(currency, rows, self.lang),
            filename=f"statement-{self.statement_month}.csv",
        )

    @rx.event
    async def import_csv(self, files: list[rx.UploadFile]):
        """Programs from the CSV format of the README; each bad row is listed, good rows import."""
        self.error = self.import_summary = ""
        self.import_errors = []
        found = self._provider()
        if found is None or not files:
            self.error = self._message(
                NotFound() if found is None else InvalidInput("field_required", field="file")
            )
            return
        actor, provider_id = found
        content = await files[0].read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            self.error = self._message(
                InvalidInput("value_too_large", field="file", max=MAX_IMPORT_BYTES)
            )
            return
        try:
            text_content = content.decode("utf-8")
        except UnicodeDecodeError:
            self.error = self._message(InvalidInput("import_not_utf8"))
            return
        try:
            with transaction() as session:
                report = import_programs(session, actor, provider_id, text_content)  # type: ignore[arg-type]
        except DomainError as error:
            self.error = self._message(error)
            return
        self.import_summary = text(
            "import_done",
            self.lang,
            created=report.created,
            updated=report.updated,
            failed=len(report.errors),
        )
        self.import_errors = [
            ImportLine(str(e.line), self._message(e.error)) for e in report.errors[:500]
        ]
        self._reload()

    @rx.event
    def offer(self, form: dict) -> None:
        """Offline enrollment: prepare it for the parent to confirm; nothing is held yet."""
        self.error = self.notice = ""
        form = form if isinstance(form, dict) else {}
        actor = self._actor()
        group_id = row_id(form.get("group_id", ""))
        if actor is None:
            self.error = self._message(NotFound())
            return
        try:
            if group_id is None:
                raise InvalidInput("field_required", field="group_id")
            born = form_date(form, "birth_date")
            with transaction() as session:
                offer_enrollment(
                    session, actor, group_id, str(form.get("certificate_number", ""))[:40], born
                )
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("offer_sent", self.lang)

    def _owner_action(self, action) -> bool:
        """Run an owner's change to the staff list; the domain checks the role again."""
        self.error = self.notice = ""
        found = self._provider()
        if found is None:
            self.error = self._message(NotFound())
            return False
        actor, provider_id = found
        try:
            with transaction() as session:
                action(session, actor, provider_id)
        except DomainError as error:
            self.error = self._message(error)
            return False
        self._reload()
        return True

    @rx.event
    def invite(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}
        email, role = str(form.get("email", ""))[:300], str(form.get("role", ""))
        settings = get_settings()

        def invite_and_mail(s, actor, pid) -> None:
            invite_staff(s, actor, pid, email, role, app_url=settings.app_url, locale=self.lang)
            deliver_after_commit(s)

        if self._owner_action(invite_and_mail):
            self.notice = text("invitation_sent", self.lang, email=email.strip().lower())

    @rx.event
    def remove_member(self, user_id: str) -> None:
        wanted = row_id(user_id)
        if wanted is None:
            self.error = self._message(NotFound())
            return
        self._owner_action(lambda s, actor, pid: remove_staff(s, actor, pid, wanted))

    @rx.event
    def withdraw_invitation(self, invitation_id: str) -> None:
        wanted = row_id(invitation_id)
        if wanted is None:
            self.error = self._message(NotFound())
            return
        self._owner_action(lambda s, actor, pid: revoke_invitation(s, actor, pid, wanted))

    @rx.event
    def create_key(self, form: dict) -> None:
        self.error = self.new_secret = ""
        found = self._provider()
        if found is None:
            self.error = self._message(NotFound())
            return
        actor, provider_id = found
        name = str(form.get("name", "")) if isinstance(form, dict) else ""
        try:
            with transaction() as session:
                _key, secret = create_api_key(session, actor, provider_id, name)  # type: ignore[arg-type]
        except DomainError as error:
            self.error = self._message(error)
            return
        self._reload()
        self.new_secret = secret

    @rx.event
    def revoke_key(self, key_id: str) -> None:
        self.error = self.new_secret = ""
        actor = self._actor()
        wanted = row_id(key_id)
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        try:
            with transaction() as session:
                revoke_api_key(session, actor, wanted)
        except DomainError as error:
            self.error = self._message(error)
            return
        self._reload()


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
        self.error = self.notice = ""
        if self._actor() is None:
            return rx.redirect(routes.login_then(routes.PROVIDER))
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
                price_per_lesson_minor=parse_amount(price_text, currency),
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

    @rx.var
    def direction_choices(self) -> list[Choice]:
        return [Choice(d.value, value_label(d.value, self.lang)) for d in Direction]

    @rx.var
    def format_choices(self) -> list[Choice]:
        return [Choice(f.value, value_label(f.value, self.lang)) for f in ProgramFormat]

    @rx.var
    def language_choices(self) -> list[Choice]:
        return [Choice(lang.value, value_label(lang.value, self.lang)) for lang in Language]


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
                by=f"{c.corrected_by}, {day(c.corrected_at, lang)}",
            )
            for c in audit
        ]
        self.form_key += 1

    @rx.event
    def load(self):
        self.error = self.notice = ""
        if self._actor() is None:
            return rx.redirect(routes.login_then(routes.PROVIDER))
        self._load_register()
        return None

    @rx.event
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

    @rx.var
    def status_choices(self) -> list[Choice]:
        return [Choice(s.value, value_label(s.value, self.lang)) for s in AttendanceStatus]
