"""The provider's cabinet, one screen per task: today's desk (applications, today's
registers, offers at the desk), the programs (new ones, CSV import), the monthly statement,
and the team (staff and API keys). Each screen is its own page and state; they share the
organisation's header and the answer to the last action (`ProviderState`).

Each handler asks the domain with the signed-in user as the actor; the domain answers
"not found" for another provider's program, group or enrollment. A screen only ever holds
this provider's own rows.
"""

from __future__ import annotations

import dataclasses
import re

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor, is_provider_owner
from navigator.domain.accounts.confirmation import unconfirmed_address
from navigator.domain.disputes.api import accept_dispute, contest_dispute
from navigator.domain.disputes.queries import disputes_for_provider
from navigator.domain.enrollment.api import accept_application, reject_application
from navigator.domain.enrollment.attendance import lessons_today
from navigator.domain.enrollment.offers import offer_enrollment
from navigator.domain.enrollment.queries import applications_of, monthly_statement
from navigator.domain.municipalities.queries import currency_of
from navigator.domain.programs.api import create_program
from navigator.domain.programs.importing import import_programs
from navigator.domain.programs.queries import groups_of, programs_of
from navigator.domain.providers.apikeys import create_api_key, keys_of, revoke_api_key
from navigator.domain.providers.queries import providers_of
from navigator.domain.providers.staff import invite_staff, remove_staff, revoke_invitation, staff_of
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.exports import to_csv
from navigator.domain.shared.mail import deliver_after_commit
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_moment, format_money
from navigator.settings import get_settings
from navigator.state.app import AppState
from navigator.state.formatting import day
from navigator.state.forms import Choice, form_date, row_id
from navigator.state.provider import local_day, municipality_timezone, program_fields
from navigator.state.threaded import in_thread


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
class DisputeCard:
    """A parent's dispute of a lesson charge, on the desk before anything else."""

    id: str
    child: str
    program: str
    lesson: str  # the lesson's date
    amount: str
    comment: str
    due: str  # "answer by …", while the provider may answer
    waiting: bool  # contested or escalated: the municipality decides
    contestable: bool  # the provider may still contest (it may accept until a decision)


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


@dataclasses.dataclass
class LessonRow:
    group_id: str
    program: str
    group: str
    time: str
    progress: str  # "3 of 12 marked"
    done: bool  # every seated child marked


class ProviderState(AppState):
    """What every provider screen shows at its top: the organisation, whether it is admitted,
    its owner's unconfirmed address; and the answer to the last action, kept in view."""

    has_provider: bool = False
    provider_name: str = ""
    admitted: bool = False
    confirm_banner: str = ""  # the owner's address waits for its link, and so does admission
    is_owner: bool = False
    error: str = ""
    notice: str = ""
    _provider_id: int | None = None
    _timezone: str = "UTC"  # its municipality's: the screens tell time by it

    def _forget_other_person(self, person: int | None) -> None:
        """A screen's own rows are forgotten by AppState; the shared header too."""
        changed = self._shown_for.get(self.get_full_name(), person) != person
        super()._forget_other_person(person)
        if changed:
            self.has_provider = self.admitted = self.is_owner = False
            self.provider_name = self.confirm_banner = self.error = self.notice = ""
            self._provider_id = None

    def _provider(self) -> tuple[Actor, int] | None:
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

    def _load_header(self) -> tuple[Actor, int] | None:
        found = self._provider()
        self.has_provider = found is not None
        if found is None:
            self.confirm_banner = ""
            return None
        actor, provider_id = found
        with read_session() as session:
            provider = providers_of(session, actor)[0]
            owner = is_provider_owner(session, actor, provider_id)
            address = unconfirmed_address(session, actor)
            self._timezone = municipality_timezone(session, provider.municipality_id)
        self._provider_id = provider_id
        self.is_owner = owner
        self.provider_name = provider.name
        self.admitted = provider.admitted
        self.confirm_banner = (
            text("confirm_banner_provider", self.lang, email=address)
            if address and not provider.admitted
            else ""
        )
        return found

    def _reload(self) -> bool:
        """The header and this screen's own rows (a screen adds its rows in `_rows`)."""
        found = self._load_header()
        if found is None:
            return False
        self._rows(*found)
        return True

    def _rows(self, actor: Actor, provider_id: int) -> None:
        """This screen's rows; the header alone has none."""

    def _open(self, path: str):
        """A screen's on-load: signed out goes to sign-in and comes back here."""
        self.error = self.notice = ""
        if self._actor() is None:
            return rx.redirect(routes.login_then(path))
        self._reload()
        return None


class DeskState(ProviderState):
    """/provider: what needs doing today: applications waiting for an answer, today's
    registers, and an enrollment agreed at the desk."""

    applications: list[ApplicationCard] = []
    lessons: list[LessonRow] = []
    rejecting: str = ""
    group_choices: list[Choice] = []
    disputes: list[DisputeCard] = []
    contesting: str = ""  # the dispute whose contest reason is being written

    @rx.event
    def load(self):
        self.rejecting = self.contesting = ""
        return self._open(routes.PROVIDER)

    def _dispute_cards(self, actor: Actor, provider_id: int) -> None:
        lang = self.lang
        with read_session() as session:
            rows = disputes_for_provider(session, actor, provider_id)
        self.disputes = [
            DisputeCard(
                id=str(d.id),
                child=d.child_name,
                program=f"{d.program_title} · {d.group_name}",
                lesson=day(d.lesson_date, lang),
                amount=format_money(d.amount_minor, d.currency, lang),
                comment=d.comment,
                due=text(
                    "dispute_answer_by",
                    lang,
                    date=format_moment(d.answer_due_at, lang, self._timezone),
                )
                if d.status == "open"
                else "",
                waiting=d.status != "open",
                contestable=d.status != "contested",
            )
            for d in rows
        ]

    @rx.event
    def accept_dispute(self, dispute_id: str) -> None:
        """The parent is right: the charge goes back to the certificate."""
        self._answer_dispute(dispute_id, accept=True, reason="")

    @rx.event
    def start_contest(self, dispute_id: str) -> None:
        self.contesting = dispute_id if row_id(dispute_id) is not None else ""

    @rx.event
    def contest_dispute(self, form: dict) -> None:
        reason = str(form.get("reason", "")) if isinstance(form, dict) else ""
        self._answer_dispute(self.contesting, accept=False, reason=reason)

    def _answer_dispute(self, dispute_id: str, *, accept: bool, reason: str) -> None:
        self.error = self.notice = ""
        actor = self._actor()
        wanted = row_id(dispute_id)
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        try:
            atomically(
                lambda session: (
                    accept_dispute(session, actor, wanted)
                    if accept
                    else contest_dispute(session, actor, wanted, reason)
                )
            )
        except DomainError as error:
            self.error = self._message(error)
            return
        self.contesting = ""
        self.notice = text("done", self.lang)
        self._reload()

    def _rows(self, actor: Actor, provider_id: int) -> None:
        self._dispute_cards(actor, provider_id)
        lang = self.lang
        with read_session() as session:
            provider = providers_of(session, actor)[0]
            currency = currency_of(session, provider.municipality_id)
            applications = applications_of(session, actor, provider_id)
            today = lessons_today(session, actor, provider_id)
            groups = [
                (program, group)
                for program in programs_of(session, actor, provider_id)
                for group in groups_of(session, actor, program.id)  # type: ignore[arg-type]
            ]
        self.group_choices = [
            Choice(str(g.id), f"{p.title} · {g.name}") for p, g in groups if g.enrollment_open
        ]
        self.lessons = [
            LessonRow(
                str(lesson.group_id),
                lesson.program_title,
                lesson.group_name,
                f"{lesson.starts}–{lesson.ends}" if lesson.starts else "",
                text("marked_of", lang, marked=lesson.marked, count=lesson.children),
                lesson.children > 0 and lesson.marked >= lesson.children,
            )
            for lesson in today
        ]
        cards = [
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
        # the ones waiting for an answer first; each part keeps the domain's order
        self.applications = [c for c in cards if c.pending] + [c for c in cards if not c.pending]

    @rx.var
    def waiting_count(self) -> int:
        return sum(1 for card in self.applications if card.pending)

    @rx.event
    @in_thread
    def accept(self, enrollment_id: str) -> None:
        self._decide(enrollment_id, accept=True, reason="")

    @rx.event
    def start_reject(self, enrollment_id: str) -> None:
        self.rejecting = enrollment_id if row_id(enrollment_id) is not None else ""

    @rx.event
    @in_thread
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


class ProgramListState(ProviderState):
    """/provider/programs: the organisation's programs, a new one, a CSV import."""

    programs: list[ProgramRow] = []
    import_summary: str = ""
    import_errors: list[ImportLine] = []

    @rx.event
    def load(self):
        self.import_summary, self.import_errors = "", []
        return self._open(routes.PROVIDER_PROGRAMS)

    def _rows(self, actor: Actor, provider_id: int) -> None:
        lang = self.lang
        with read_session() as session:
            programs = programs_of(session, actor, provider_id)
        self.programs = [
            ProgramRow(
                str(p.id),
                p.title,
                value_label(p.certification_status, lang)
                + ("" if p.listing == "listed" else " · " + value_label(p.listing, lang)),
            )
            for p in programs
        ]

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
            ImportLine(str(e.line), self._text(e.error)) for e in report.errors[:500]
        ]
        self._reload()


class StatementState(ProviderState):
    """/provider/statements: a month's lessons and money, on screen and as CSV."""

    statement_month: str = ""
    statement: list[StatementLine] = []

    @rx.event
    def load(self):
        return self._open(routes.PROVIDER_STATEMENTS)

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


class TeamState(ProviderState):
    """/provider/team: the staff (the owner invites and removes) and the API keys."""

    keys: list[KeyRow] = []
    new_secret: str = ""  # the key just made: shown once, forgotten at the next load
    staff: list[StaffLine] = []

    @rx.event
    def load(self):
        self.new_secret = ""
        return self._open(routes.PROVIDER_TEAM)

    def _rows(self, actor: Actor, provider_id: int) -> None:
        lang = self.lang
        with read_session() as session:
            keys = keys_of(session, actor, provider_id)
            people = staff_of(session, actor, provider_id) if self.is_owner else []
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
        self.keys = [
            KeyRow(
                str(k.id),
                k.name,
                k.prefix + "…",
                local_day(k.created_at, self._timezone, lang),
                local_day(k.last_used_at, self._timezone, lang) if k.last_used_at else "—",
                k.revoked_at is not None,
            )
            for k in keys
        ]

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
