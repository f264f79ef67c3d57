"""/culture/operator: the programme operator's cabinet for the culture pass.

Every handler asks `_actor()` who is signed in and calls the domain with that person; the
domain answers "not found" to anyone who is not the operator, so a handler called by hand
by a coordinator, a provider or a parent changes and shows nothing. Ids from the browser
are parsed with `row_id`, never trusted.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import reflex as rx

from navigator import routes
from navigator.domain.culture.access import is_culture_operator
from navigator.domain.culture.coordinators import invite_coordinator, remove_coordinator
from navigator.domain.culture.criteria import SERVICE_CRITERIA
from navigator.domain.culture.disputes import decide_culture_dispute, operator_dispute_queue
from navigator.domain.culture.models import CULTURE_CURRENCY, ServiceStatus, YearStatus
from navigator.domain.culture.overview import (
    FieldChange,
    SchoolLine,
    schools_of_year,
    services_for_review,
    years,
)
from navigator.domain.culture.reports import OperatorReport, operator_report
from navigator.domain.culture.services import review_service
from navigator.domain.culture.years import correct_pupils, import_schools, open_year
from navigator.domain.programs.photos import photo_url
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.exports import to_csv, to_xlsx
from navigator.domain.shared.mail import deliver_after_commit
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.money import parse_amount
from navigator.i18n import field_label, text, value_label
from navigator.settings import get_settings
from navigator.state.app import LABELS_LANG, AppState
from navigator.state.formatting import Bar, bars, day, money
from navigator.state.forms import form_date, form_whole, row_id
from navigator.state.threaded import in_thread

MAX_SCHOOLS_BYTES = 5_000_000
MAX_SCHOOLS_SHOWN = 200  # a phone shows them as cards: the filter finds the others
MAX_IMPORT_ERRORS_SHOWN = 500
# the fields a choice of words stands for, and the price, as the change table writes them
CHOICE_FIELDS = ("art_form", "language", "place")
# the domain's names for the window's dates, as this page's form names them
FORM_FIELDS = {"starts_on": "window_start", "ends_on": "window_end"}
WINDOW_START, WINDOW_END = (1, 1), (12, 20)  # the service window's usual days: 1 Jan – 20 Dec


@dataclasses.dataclass
class YearRow:
    id: str
    year: str
    status: str
    is_open: bool
    per_pupil: str
    cap: str
    window: str
    reference_date: str
    cancel_days: str
    schools: str


@dataclasses.dataclass
class CoordinatorRow:
    user_id: str
    email: str


@dataclasses.dataclass
class SchoolRow:
    id: str
    wallet_id: str
    code: str
    name: str
    municipality: str
    pupils: str
    allocated: str
    held: str
    charged: str
    available: str
    coordinators: list[CoordinatorRow]
    no_coordinator: bool
    several: bool  # more than one coordinator: one may be removed (never the last)
    pending: str  # invitations not yet accepted, "" when none


@dataclasses.dataclass
class ImportLine:
    line: str
    message: str


@dataclasses.dataclass
class ChangeRow:
    field: str
    before: str
    after: str
    before_photo: str = ""  # a photo's change shows the photos themselves (URLs)
    after_photo: str = ""


@dataclasses.dataclass
class ReviewRow:
    id: str
    title: str
    provider: str
    first_review: bool
    changes: list[ChangeRow]


@dataclasses.dataclass
class DisputeRow:
    id: str
    service: str
    day: str
    school_class: str
    amount: str
    status: str  # contested, or escalated for want of an answer
    comment: str  # the coordinator's
    provider_reason: str  # "" when the provider did not answer


@dataclasses.dataclass
class ServiceRow:
    id: str
    title: str
    provider: str
    price: str
    status: str
    suspended: bool
    reason: str


def _value_text(name: str, value: Any, lang: str) -> str:
    if value is None or value == "":
        return "—"
    if name == "price_per_pupil_minor" and isinstance(value, int):
        return money(value, CULTURE_CURRENCY, lang)
    if name in CHOICE_FIELDS:
        return value_label(str(value), lang)
    return str(value)


def _change_row(change: FieldChange, lang: str) -> ChangeRow:
    if change.field == "photo":
        return ChangeRow(
            field_label("photo", lang),
            "—" if not change.before else "",
            "—" if not change.after else "",
            photo_url(change.before or ""),
            photo_url(change.after or ""),
        )
    return ChangeRow(
        field_label(change.field, lang),
        _value_text(change.field, change.before, lang),
        _value_text(change.field, change.after, lang),
    )


def _school_row(line: SchoolLine, lang: str) -> SchoolRow:
    def eur(minor: int) -> str:
        return money(minor, CULTURE_CURRENCY, lang)

    return SchoolRow(
        id=str(line.school_id),
        wallet_id=str(line.wallet_id),
        code=line.code,
        name=line.name,
        municipality=line.municipality,
        pupils=str(line.pupils),
        allocated=eur(line.allocated_minor),
        held=eur(line.held_minor),
        charged=eur(line.charged_minor),
        available=eur(line.available_minor),
        coordinators=[CoordinatorRow(str(c.user_id), c.email) for c in line.coordinators],
        no_coordinator=line.no_coordinator,
        several=len(line.coordinators) > 1,
        pending=(
            text("culture_op_pending", lang, count=line.pending_invitations)
            if line.pending_invitations
            else ""
        ),
    )


# the report's tables, each downloadable as a file of its own
REPORT_TABLES = (
    "summary",
    "schools",
    "municipalities",
    "providers",
    "art_forms",
    "outcomes",
    "unspent",
)


def report_table(
    report: OperatorReport, table: str, lang: str
) -> tuple[list[str], list[tuple[object, ...]], set[int]]:
    """One table of the operator's report for a file: its header in the reader's language,
    its rows with money in cents, and which columns are money (the export writes euros)."""

    def money_header(key: str) -> str:
        return f"{text(key, lang)}, {CULTURE_CURRENCY}"

    if table == "summary":
        t = report.totals
        return (
            [text("culture_op_figure", lang), CULTURE_CURRENCY],
            [  # the counts as text: the second column's whole numbers are money
                (text("culture_op_reached", lang), f"{t.reached} / {t.roster}"),
                (text("culture_allocated", lang), t.allocated_minor),
                (text("held", lang), t.held_minor),
                (text("spent", lang), t.spent_minor),
                (text("culture_op_expired", lang), report.expired_minor),
                (text("available", lang), t.available_minor),
                (
                    text("culture_op_without_coordinator", lang),
                    str(len(report.without_coordinator)),
                ),
            ],
            {1},
        )
    if table in ("schools", "municipalities"):
        uses = report.schools if table == "schools" else report.municipalities
        return (
            [
                text(key, lang)
                for key in ("code", "culture_school", "municipality", "culture_pupils_counted")
            ]
            + [text("culture_op_roster", lang), text("culture_op_reached", lang)]
            + [
                money_header(key)
                for key in ("culture_allocated", "held", "spent", "culture_op_expired", "available")
            ]
            + [text("culture_op_coordinators", lang)],
            [
                (
                    u.code if table == "schools" else "",
                    u.name,
                    u.municipality,
                    u.pupils_counted,
                    u.roster,
                    u.reached,
                    u.allocated_minor,
                    u.held_minor,
                    u.spent_minor,
                    u.expired_minor,
                    u.available_minor,
                    u.coordinators,
                )
                for u in uses
            ],
            {6, 7, 8, 9, 10},
        )
    if table == "providers":
        return [text("provider", lang), money_header("spent")], list(report.by_provider), {1}
    if table == "art_forms":
        return (
            [text("art_form", lang), money_header("spent")],
            [(value_label(name, lang), amount) for name, amount in report.by_art_form],
            {1},
        )
    if table == "outcomes":
        return (
            [text("status", lang), text("culture_op_count", lang), money_header("culture_total")],
            [
                (value_label(f"booking_{status}", lang), count, total)
                for status, (count, total) in report.bookings_by_status.items()
            ],
            {2},
        )
    return (  # unspent on the date the screen shows
        [
            text("code", lang),
            text("culture_school", lang),
            text("municipality", lang),
            money_header("available"),
        ],
        [(use.code, use.name, use.municipality, left) for use, left in report.unspent],
        {3},
    )


class CultureOperatorState(AppState):
    """/culture/operator: years, schools and their wallets, coordinators, the review queue."""

    has_access: bool = False
    years: list[YearRow] = []
    year_id: str = ""
    year_open: bool = False
    year_summary: str = ""
    schools: list[SchoolRow] = []
    schools_note: str = ""  # how many of the year's schools the filter shows
    school_filter: str = ""
    only_without_coordinator: bool = False
    import_summary: str = ""
    import_errors: list[ImportLine] = []
    waiting: list[ReviewRow] = []
    disputes: list[DisputeRow] = []  # culture charges disputed, for the operator to decide
    deciding_dispute: str = ""  # "uphold:<id>" or "reject:<id>": asking why
    services: list[ServiceRow] = []
    inviting: str = ""  # "<school id>" or "<school id>:<coordinator's user id>" (replacing)
    deciding: str = ""  # "reject:<service id>" or "suspend:<service id>": asking why
    correcting: str = ""  # the wallet whose pupil count is being corrected
    removing: str = ""  # "<school id>:<coordinator's user id>": asking to confirm
    error: str = ""
    notice: str = ""
    # the programme's report for the chosen year (rows of words, as the tables show them)
    report_on: str = ""  # the "money unspent on" date, ISO
    # the year form's defaults: the next year and its service window, 1 January – 20 December
    new_year: str = ""
    new_window_start: str = ""
    new_window_end: str = ""
    window_key: int = 0  # a new key re-mounts the window's fields with these defaults
    report_summary: list[list[str]] = []
    report_municipalities: list[list[str]] = []
    report_providers: list[list[str]] = []
    report_art_forms: list[list[str]] = []
    report_outcomes: list[list[str]] = []
    report_unspent: list[list[str]] = []
    report_reach_bars: list[Bar] = []  # share of each municipality's pupils reached
    report_art_form_bars: list[Bar] = []  # spending by art form

    # ------------------------------------------------------------ who is asking

    def _fail(self, error: DomainError) -> None:
        field = error.params.get("field")
        if isinstance(field, str) and field in FORM_FIELDS:
            error.params["field"] = FORM_FIELDS[field]
        self.error = self._message(error)
        self.notice = ""

    def _act(self, action, then=None) -> bool:
        """Run `action(session, actor)` in one transaction (again if it was unlucky), then
        `then(result)` once it committed; reload after. Nobody but the operator acts here."""
        self.error = self.notice = ""
        actor = self._actor()
        if actor is not None:  # this screen acts for the operator only, whatever the domain
            with read_session() as session:  # would let a coordinator do on their own screen
                actor = actor if is_culture_operator(session, actor) else None
        if actor is None:
            self._fail(NotFound())
            self.has_access = False
            self._clear()
            return False
        try:
            result = atomically(lambda session: action(session, actor))
        except DomainError as error:
            self._fail(error)
            return False
        if then is not None:
            then(result)
        self.notice = text("done", self.lang)
        self._reload()
        return True

    # ------------------------------------------------------------ loading

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def service_criteria(self) -> list[str]:
        """The published criteria the operator approves against, beside the waiting ones."""
        return [text(key, self.page_lang) for key in SERVICE_CRITERIA]

    def _reload(self) -> None:
        actor = self._actor()
        with read_session() as session:
            allowed = actor is not None and is_culture_operator(session, actor)
            if not allowed or actor is None:
                self.has_access = False
                self._clear()
                return
            self.has_access = True
            lang = self.lang
            found = years(session, actor)
            ids = [line.year.id for line in found]
            wanted = row_id(self.year_id)
            chosen = wanted if wanted in ids else (ids[0] if ids else None)
            year_schools = schools_of_year(session, actor, chosen) if chosen else None
            review = services_for_review(session, actor)
            queue = operator_dispute_queue(session, actor)

        def eur(minor: int) -> str:
            return money(minor, CULTURE_CURRENCY, lang)

        self.years = [
            YearRow(
                id=str(line.year.id),
                year=str(line.year.year),
                status=value_label(line.year.status, lang),
                is_open=line.year.status == YearStatus.OPEN,
                per_pupil=eur(line.year.per_pupil_minor),
                cap=eur(line.year.cap_minor),
                window=f"{day(line.year.window_start, lang)} – {day(line.year.window_end, lang)}",
                reference_date=day(line.year.reference_date, lang),
                cancel_days=str(line.year.cancel_days),
                schools=str(line.schools),
            )
            for line in found
        ]
        self.year_id = str(chosen) if chosen else ""
        if not self.new_year:  # the year after the latest, or this one for the first
            latest = max((line.year.year for line in found), default=utcnow().year - 1)
            self._prefill_window(latest + 1)
        if year_schools is None:
            self.schools, self.schools_note, self.year_summary = [], "", ""
            self.year_open = False
        else:
            self.year_open = year_schools.year.status == YearStatus.OPEN
            self.year_summary = text(
                "culture_op_year_summary",
                lang,
                count=len(year_schools.schools),
                pupils=year_schools.total("pupils"),
                allocated=eur(year_schools.total("allocated_minor")),
                held=eur(year_schools.total("held_minor")),
                charged=eur(year_schools.total("charged_minor")),
                available=eur(year_schools.total("available_minor")),
                without=year_schools.without_coordinator,
            )
            shown = self._filtered(year_schools.schools)
            self.schools = [_school_row(line, lang) for line in shown[:MAX_SCHOOLS_SHOWN]]
            self.schools_note = text(
                "culture_op_schools_shown",
                lang,
                count=len(year_schools.schools),
                shown=len(self.schools),
            )
        self.disputes = [
            DisputeRow(
                id=str(d.id),
                service=d.service_title,
                day=day(d.session_day, lang),
                school_class=d.class_name,
                amount=eur(d.amount_minor),
                status=value_label(f"culture_dispute_{d.status}", lang),
                comment=d.comment,
                provider_reason=d.provider_reason,
            )
            for d in queue
        ]
        self.waiting = [
            ReviewRow(
                id=str(line.service.id),
                title=line.service.title,
                provider=line.provider_name,
                first_review=line.first_review,
                changes=[_change_row(c, lang) for c in line.changes],
            )
            for line in review.waiting
        ]
        self.services = [
            ServiceRow(
                id=str(line.service.id),
                title=line.service.title,
                provider=line.provider_name,
                price=eur(line.service.price_per_pupil_minor),
                status=value_label(f"service_{line.service.status}", lang),
                suspended=line.service.status == ServiceStatus.SUSPENDED,
                reason=line.service.reason,
            )
            for line in review.decided
        ]

    def _filtered(self, lines: list[SchoolLine]) -> list[SchoolLine]:
        wanted = self.school_filter.strip().casefold()
        return [
            line
            for line in lines
            if (not self.only_without_coordinator or line.no_coordinator)
            and (
                not wanted
                or wanted in line.name.casefold()
                or wanted in line.code.casefold()
                or wanted in line.municipality.casefold()
            )
        ]

    def _clear(self) -> None:
        self.report_summary, self.report_municipalities, self.report_providers = [], [], []
        self.report_art_forms, self.report_outcomes, self.report_unspent = [], [], []
        self.report_reach_bars, self.report_art_form_bars = [], []
        self.years, self.schools, self.waiting, self.services = [], [], [], []
        self.disputes, self.deciding_dispute = [], ""
        self.import_errors = []
        self.year_summary = self.schools_note = self.import_summary = ""
        self.inviting = self.deciding = self.removing = self.correcting = ""
        self.year_open = False

    @rx.event
    def load(self):
        self.page_lang = self.lang  # the labels follow the tab's language
        self.error = self.notice = self.inviting = self.deciding = ""
        if self._actor() is None:
            return rx.redirect(routes.login_then(routes.CULTURE_OPERATOR))
        self._reload()
        return None

    @rx.event
    def choose_year(self, value: str) -> None:
        self.year_id = value if row_id(value) is not None else ""
        self.import_summary, self.import_errors = "", []
        self.inviting = ""
        self._reload()

    @rx.event
    def filter_schools(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}
        self.school_filter = str(form.get("query", ""))[:100]
        self.only_without_coordinator = form.get("without_coordinator") in ("on", True, "true")
        self._reload()

    # ------------------------------------------------------------ years and schools

    def _prefill_window(self, year: int) -> None:
        self.new_year = str(year)
        self.new_window_start = date(year, *WINDOW_START).isoformat()
        self.new_window_end = date(year, *WINDOW_END).isoformat()
        self.window_key += 1

    @rx.event
    def prefill_window(self, value: str) -> None:
        """The year typed in the form: its window's fields follow it (the operator may still
        change them). Only a year the form would accept; the rest is left as typed."""
        raw = str(value).strip()[:4]
        typed = int(raw) if raw.isascii() and raw.isdigit() else 0
        if self.has_access and 2000 <= typed <= 2100 and raw != self.new_year:
            self._prefill_window(typed)

    @rx.event
    @in_thread
    def open_year(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}

        def action(session, actor):
            return open_year(
                session,
                actor,
                year=form_whole(form, "year"),
                per_pupil_minor=parse_amount(
                    str(form.get("per_pupil", "")), CULTURE_CURRENCY, field="per_pupil"
                ),
                cap_minor=parse_amount(str(form.get("cap", "")), CULTURE_CURRENCY, field="cap"),
                window_start=form_date(form, "window_start"),
                window_end=form_date(form, "window_end"),
                reference_date=form_date(form, "reference_date"),
                cancel_days=form_whole(form, "cancel_days"),
            ).id

        opened: list[int] = []
        if self._act(action, opened.append):
            self.year_id = str(opened[0])
            self.import_summary, self.import_errors = "", []
            self.new_year = ""  # the form moves on to the year after
            self._reload()

    @rx.event
    async def import_schools(self, files: list[rx.UploadFile]):
        """Schools and pupil counts of the chosen year (CSV: code, name, municipality,
        pupils); each refused line is listed, the good ones import."""
        self.import_summary, self.import_errors = "", []
        if self._actor() is None:
            self._fail(NotFound())
            self.has_access = False
            self._clear()
            return
        if not files:
            self._fail(InvalidInput("field_required", field="file"))
            return
        content = await files[0].read(MAX_SCHOOLS_BYTES + 1)
        if len(content) > MAX_SCHOOLS_BYTES:
            self._fail(InvalidInput("value_too_large", field="file", max=MAX_SCHOOLS_BYTES))
            return
        try:
            text_content = content.decode("utf-8")
        except UnicodeDecodeError:
            self._fail(InvalidInput("import_not_utf8"))
            return
        year_id = row_id(self.year_id) or 0
        reports: list = []
        if not self._act(
            lambda s, actor: import_schools(s, actor, year_id, text_content), reports.append
        ):
            return
        report = reports[0]
        self.import_summary = text(
            "culture_op_import_done",
            self.lang,
            created=report.created,
            credited=report.credited,
            adjusted=report.adjusted,
            failed=len(report.errors),
        )
        self.import_errors = [
            ImportLine(str(line), self._text(error))
            for line, error in report.errors[:MAX_IMPORT_ERRORS_SHOWN]
        ]

    # ------------------------------------------------------------ coordinators

    @rx.event
    def start_invite(self, school_id: str, replaces_user_id: str = "") -> None:
        """Ask for the e-mail of a school's (new or replacing) coordinator."""
        school = row_id(school_id)
        replaced = row_id(replaces_user_id) if replaces_user_id else None
        if school is None or (replaces_user_id and replaced is None):
            self.inviting = ""
            return
        self.inviting = f"{school}:{replaced}" if replaced else str(school)

    @rx.event
    def cancel_invite(self) -> None:
        self.inviting = ""

    @rx.event
    def invite(self, form: dict) -> None:
        school_part, _, replaced_part = self.inviting.partition(":")
        school_id = row_id(school_part)
        replaces = row_id(replaced_part) if replaced_part else None
        email = str(form.get("email", "")) if isinstance(form, dict) else ""
        if school_id is None or (replaced_part and replaces is None):
            self._fail(NotFound())
            return
        app_url, lang = get_settings().app_url, self.lang

        def action(session, actor):
            invite_coordinator(
                session,
                actor,
                school_id,
                email,
                app_url=app_url,
                locale=lang,
                replaces_user_id=replaces,
            )
            deliver_after_commit(session)

        if self._act(action):
            self.inviting = ""
            self.notice = text("culture_op_invitation_sent", lang, email=email.strip())

    @rx.event
    def start_remove(self, school_id: str, user_id: str) -> None:
        """Ask to confirm removing one of a school's coordinators."""
        school, user = row_id(school_id), row_id(user_id)
        self.removing = f"{school}:{user}" if school and user else ""

    @rx.event
    def cancel_remove(self) -> None:
        self.removing = ""

    @rx.event
    @in_thread
    def remove(self) -> None:
        """Remove the coordinator asked about; the domain refuses the school's last one."""
        school_part, _, user_part = self.removing.partition(":")
        school_id, user_id = row_id(school_part), row_id(user_part)
        self.removing = ""
        if school_id is None or user_id is None:
            self._fail(NotFound())
            return
        self._act(lambda s, actor: remove_coordinator(s, actor, school_id, user_id))

    # ------------------------------------------------------------ pupil counts

    @rx.event
    def start_correct(self, wallet_id: str) -> None:
        """Ask for a school's corrected pupil count and why."""
        wanted = row_id(wallet_id)
        self.correcting = str(wanted) if wanted else ""

    @rx.event
    def cancel_correct(self) -> None:
        self.correcting = ""

    @rx.event
    @in_thread
    def correct(self, form: dict) -> None:
        """A corrected count: one audited adjustment entry, never an edit of the wallet."""
        wallet_id = row_id(self.correcting)
        if wallet_id is None or not isinstance(form, dict):
            self._fail(NotFound())
            return
        try:
            pupils = form_whole(form, "pupils")
        except DomainError as error:
            self._fail(error)
            return
        reason = str(form.get("reason", ""))
        if self._act(lambda s, actor: correct_pupils(s, actor, wallet_id, pupils, reason=reason)):
            self.correcting = ""

    # ------------------------------------------------------------ services

    @rx.event
    @in_thread
    def approve(self, service_id: str) -> None:
        wanted = row_id(service_id) or 0
        self._act(lambda s, actor: review_service(s, actor, wanted, "approve"))

    @rx.event
    def start_decision(self, kind: str, service_id: str) -> None:
        """Ask why a service is rejected or suspended."""
        ok = kind in ("reject", "suspend") and row_id(service_id) is not None
        self.deciding = f"{kind}:{service_id}" if ok else ""

    @rx.event
    def cancel_decision(self) -> None:
        self.deciding = ""

    @rx.event
    @in_thread
    def decide(self, form: dict) -> None:
        kind, _, service_id = self.deciding.partition(":")
        wanted = row_id(service_id)
        reason = str(form.get("reason", "")) if isinstance(form, dict) else ""
        if kind not in ("reject", "suspend") or wanted is None:
            self._fail(NotFound())
            return
        if self._act(lambda s, actor: review_service(s, actor, wanted, kind, reason)):
            self.deciding = ""

    # ------------------------------------------------------------ disputes

    @rx.event
    def start_dispute_decision(self, decision: str, dispute_id: str) -> None:
        """Ask why a disputed charge is refunded (the school upheld) or kept."""
        ok = decision in ("uphold", "reject") and row_id(dispute_id) is not None
        self.deciding_dispute = f"{decision}:{dispute_id}" if ok else ""

    @rx.event
    def cancel_dispute_decision(self) -> None:
        self.deciding_dispute = ""

    @rx.event
    @in_thread
    def decide_dispute(self, form: dict) -> None:
        decision, _, dispute_part = self.deciding_dispute.partition(":")
        wanted = row_id(dispute_part)
        reason = str(form.get("reason", "")) if isinstance(form, dict) else ""
        if decision not in ("uphold", "reject") or wanted is None:
            self._fail(NotFound())
            return
        if self._act(lambda s, actor: decide_culture_dispute(s, actor, wanted, decision, reason)):
            self.deciding_dispute = ""

    # ------------------------------------------------------------ the programme's report

    def _report(self, on: date | None) -> OperatorReport:
        actor = self._actor()
        wanted = row_id(self.year_id)
        if actor is None or wanted is None:
            raise NotFound()
        with read_session() as session:
            return operator_report(session, actor, wanted, unspent_on=on)

    @rx.event
    def show_report(self, form: dict) -> None:
        """Use by municipality, pupils reached, spending by provider and art form, bookings
        by outcome, and the schools with money unspent on the chosen date."""
        self.error = self.notice = ""
        form = form if isinstance(form, dict) else {}
        try:
            on = form_date(form, "unspent_on") if form.get("unspent_on") else None
            report = self._report(on)
        except DomainError as error:
            self._fail(error)
            return
        lang = self.lang

        def eur(minor: int) -> str:
            return money(minor, CULTURE_CURRENCY, lang)

        self.report_on = on.isoformat() if on else ""
        totals = report.totals
        self.report_summary = [
            [
                text("culture_op_reached", lang),
                f"{totals.reached} / {totals.roster} ({report.reached_share:.0%})",
            ],
            [text("culture_allocated", lang), eur(totals.allocated_minor)],
            [text("held", lang), eur(totals.held_minor)],
            [text("spent", lang), eur(totals.spent_minor)],
            [text("culture_op_expired", lang), eur(report.expired_minor)],
            [text("available", lang), eur(totals.available_minor)],
            [text("culture_op_without_coordinator", lang), str(len(report.without_coordinator))],
        ]
        self.report_municipalities = [
            [
                m.name or "—",
                f"{m.reached} / {m.roster}",
                eur(m.allocated_minor),
                eur(m.spent_minor),
                eur(m.available_minor),
            ]
            for m in report.municipalities
        ]
        self.report_reach_bars = bars(
            (
                (m.name or "—", f"{m.reached} / {m.roster}", m.reached * 1000 // m.roster)
                if m.roster
                else (m.name or "—", "0 / 0", 0)
                for m in report.municipalities
            ),
            of=1000,
        )
        self.report_art_form_bars = bars(
            (value_label(name, lang), eur(amount), amount) for name, amount in report.by_art_form
        )
        self.report_providers = [[name, eur(amount)] for name, amount in report.by_provider]
        self.report_art_forms = [
            [value_label(form_name, lang), eur(amount)] for form_name, amount in report.by_art_form
        ]
        self.report_outcomes = [
            [value_label(f"booking_{status}", lang), str(count), eur(total)]
            for status, (count, total) in report.bookings_by_status.items()
        ]
        self.report_unspent = [
            [f"{use.name} ({use.code})", use.municipality, eur(left)]
            for use, left in report.unspent[:200]
        ]

    @rx.event
    def download_report(self, kind: str, table: str):
        """One table of the report as a file of its own, CSV or XLSX: every school's use, by
        municipality, by provider, by art form, bookings by outcome, the schools with money
        unspent on the date shown, or the year's summary. A file per table, not a workbook
        of sheets: the one export helper writes them unchanged, CSV has no sheets anyway, and
        each table's file sits beside the table on the screen."""
        self.error = self.notice = ""
        try:
            if kind not in ("csv", "xlsx") or table not in REPORT_TABLES:
                raise NotFound()
            on = date.fromisoformat(self.report_on) if self.report_on else None
            report = self._report(on)
        except (DomainError, ValueError) as error:
            self._fail(error if isinstance(error, DomainError) else NotFound())
            return None
        header, rows, money_at = report_table(report, table, self.lang)
        name = f"culture-pass-{report.year}-{table}"
        if kind == "xlsx":
            return rx.download(
                data=to_xlsx(name, header, rows, money_at, CULTURE_CURRENCY),
                filename=f"{name}.xlsx",
            )
        return rx.download(
            data=to_csv(header, rows, money_at, CULTURE_CURRENCY), filename=f"{name}.csv"
        )
