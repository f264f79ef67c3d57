"""The municipality's cabinet: periods and budget, nominal values, policy, queues, reports, log.

Every handler asks `_admin()` who is signed in and which municipality they administer,
then calls the domain with that user as the actor; the domain answers "not found" for
another municipality's period, provider or program. Ids from the browser are parsed, never
trusted, and the page holds only this municipality's rows.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import ChildCategory
from navigator.domain.certificates.api import decide_verification, import_registry
from navigator.domain.certificates.models import RequestKind
from navigator.domain.certificates.verification import (
    QueueItem,
    RegistryReport,
    verification_queue,
)
from navigator.domain.disputes.api import decide_dispute
from navigator.domain.disputes.queries import (
    decision_queue,
    disputes_by_provider,
    undecided_in_period,
)
from navigator.domain.funding import reports
from navigator.domain.funding.models import PeriodStatus
from navigator.domain.funding.nominal import NominalRow, nominal_table, set_nominal_table
from navigator.domain.funding.periods import (
    close_period,
    closing_preview,
    create_period,
    open_period,
    period_figures,
    periods_of,
    update_period,
)
from navigator.domain.municipalities.api import set_policy, set_waitlist_priority
from navigator.domain.municipalities.models import AbsenceCharge, WaitlistCriterion
from navigator.domain.municipalities.queries import audit_log, municipalities_of, policy_for_admin
from navigator.domain.programs.certification import (
    Change,
    certification_queue,
    decide_certification,
    listed_programs,
)
from navigator.domain.programs.models import CERTIFIED_PHOTO
from navigator.domain.programs.photos import photo_url
from navigator.domain.providers.api import admit_provider, refuse_admission
from navigator.domain.providers.queries import admission_queue
from navigator.domain.shared.calendar import Zoned, local_today
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.exports import main_units, to_csv, to_xlsx
from navigator.domain.shared.money import exponent, parse_amount
from navigator.i18n import field_label, text, ui_strings, value_label
from navigator.i18n.formatting import (
    format_moment,
    format_money,
    format_number,
    weekday_abbreviations,
)
from navigator.state.app import LABELS_LANG, AppState
from navigator.state.formatting import day
from navigator.state.forms import Choice, form_date, form_whole, row_id

NOMINAL_FORM_ROWS = 6
MAX_REGISTRY_BYTES = 20_000_000
MAX_REPORT_ROWS_SHOWN = 200


@dataclasses.dataclass
class PeriodRow:
    id: str
    name: str
    dates: str
    status: str
    budget: str
    credited: str
    committed: str
    spent: str
    remaining: str
    certificates: str
    committed_percent: int
    spent_percent: int


@dataclasses.dataclass
class NominalLine:
    category: str
    effective_from: str
    ages: str
    amount: str


@dataclasses.dataclass
class AdmissionLine:
    id: str
    name: str
    kind: str
    licence: str
    registered: str
    refused_reason: str


@dataclasses.dataclass
class ChangeLine:
    field: str
    before: str
    after: str
    before_photo: str = ""  # a photo's address: the official sees the picture, not its name
    after_photo: str = ""


@dataclasses.dataclass
class SubmissionLine:
    id: str
    title: str
    provider: str
    last_certified: str
    changes: list[ChangeLine]


@dataclasses.dataclass
class VerificationLine:
    """A pending request as an official sees it: the child, the parent, why it is here."""

    id: str
    kind: str
    child: str
    birth_date: str
    district: str
    detail: str  # the identifier's hint, or the category asked for
    guardian: str
    guardian_children: str
    note: str  # why the registry did not verify it
    sent: str
    elsewhere: bool


@dataclasses.dataclass
class CertifiedLine:
    id: str
    title: str
    provider: str
    status: str
    suspended: bool


@dataclasses.dataclass
class LogLine:
    at: str
    who: str
    action: str
    subject: str
    reason: str


def _change_line(change: Change, currency: str, lang: str) -> ChangeLine:
    label = field_label(change.field, lang)
    if change.field == CERTIFIED_PHOTO:
        pair = (change.before, change.after)  # file names: the pictures are shown instead
        before, after = (photo_url(v) if isinstance(v, str) else "" for v in pair)
        return ChangeLine(label, "" if before else "—", "" if after else "—", before, after)
    return ChangeLine(
        label,
        _change_text(change.before, currency, lang),
        _change_text(change.after, currency, lang),
    )


def _change_text(value: object, currency: str, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    if isinstance(value, list):  # groups
        return (
            "; ".join(_group_text(g, currency, lang) for g in value if isinstance(g, dict)) or "—"
        )
    if isinstance(value, str):
        return value_label(value, lang) if value else "—"
    return str(value)


def _group_text(group: dict, currency: str, lang: str) -> str:
    """One group of a certification diff as an official reads it: dates, weekdays, price."""

    def on(iso: object) -> str:
        try:
            return day(date.fromisoformat(str(iso)), lang)
        except ValueError:
            return "—"

    names = weekday_abbreviations(lang)
    slots = ", ".join(
        f"{names[int(s['weekday']) - 1]} {s.get('start', '')}–{s.get('end', '')}".strip(" –")
        for s in group.get("timetable", [])
        if isinstance(s, dict)
        and str(s.get("weekday", "")).isdigit()
        and 1 <= int(s["weekday"]) <= 7
    )
    parts = [
        str(group.get("name", "")),
        f"{on(group.get('starts_on'))} – {on(group.get('ends_on'))}",
        slots,
        text("seats_count", lang, count=int(group.get("seats", 0) or 0)),
        format_money(int(group.get("price_minor", 0) or 0), currency, lang),
    ]
    skipped = group.get("excluded_dates") or []
    if skipped:
        parts.append(text("excluded_dates_count", lang, count=len(skipped)))
    return " · ".join(p for p in parts if p)


def _verification_line(item: QueueItem, lang: str, municipality: Zoned) -> VerificationLine:
    request = item.request
    identity = request.kind == RequestKind.IDENTITY
    proposed = f"{request.first_name} {request.last_name}" if identity else ""
    current = f"{item.child_first_name} {item.child_last_name}"
    return VerificationLine(
        id=str(request.id),
        kind=text("verification_identity" if identity else "verification_category", lang),
        child=proposed if proposed and proposed != current else current,
        birth_date=day(request.birth_date or item.child_birth_date, lang),
        district=item.district,
        detail=request.national_id_hint if identity else value_label(request.category, lang),
        guardian=f"{item.guardian_name} <{item.guardian_email}>".strip(),
        guardian_children=str(item.guardian_children),
        note=text(request.registry_note, lang) if request.registry_note else "",
        sent=day(local_today(municipality, request.created_at), lang),  # its own calendar
        elsewhere=item.identifier_elsewhere,
    )


def _action_label(action: str, lang: str) -> str:
    key = "audit_" + action.replace(".", "_")
    return text(key, lang) if key in ui_strings(lang) else action


@dataclasses.dataclass
class DisputeLine:
    """A contested or escalated dispute of a lesson charge, for the municipality to decide."""

    id: str
    child: str
    provider: str
    program: str
    lesson: str
    amount: str
    comment: str
    provider_reason: str  # the provider's contest, or that it did not answer in time


@dataclasses.dataclass
class ProviderDisputeLine:
    provider: str
    opened: str
    undecided: str
    refunded: str
    kept: str
    refunded_amount: str


@dataclasses.dataclass
class CriterionLine:
    """One waiting-list criterion and the level it has now ("" when not used)."""

    name: str
    label: str
    level: str


WAITLIST_LEVELS = len(WaitlistCriterion)


class MunicipalityState(AppState):
    """/municipality: where the municipality's money is, and the decisions it makes."""

    has_access: bool = False
    municipality_choices: list[Choice] = []
    municipality_id: str = ""
    municipality_name: str = ""
    currency: str = ""
    periods: list[PeriodRow] = []
    period_id: str = ""
    period_name: str = ""
    period_budget: str = ""
    period_cap: str = ""
    period_status: str = ""
    nominal: list[NominalLine] = []
    closing: str = ""  # the preview shown before closing
    policy_max_funded: str = ""
    policy_absence: str = ""
    policy_prorate: bool = False
    policy_two_factor: bool = False
    needs_two_factor: bool = False  # an admin here, but the municipality requires a second factor
    policy_correction_days: str = ""
    policy_dispute_days: str = ""
    waitlist_criteria: list[CriterionLine] = []
    disputes: list[DisputeLine] = []
    dispute_report: list[ProviderDisputeLine] = []
    closing_disputes: list[str] = []  # the period's undecided disputes, in the close preview
    admissions: list[AdmissionLine] = []
    submissions: list[SubmissionLine] = []
    certified: list[CertifiedLine] = []
    verifications: list[VerificationLine] = []
    registry_summary: str = ""
    registry_errors: list[str] = []
    deciding: str = ""  # "reject:12", "suspend:12" or "refuse:4": waiting for a reason
    # program id → fingerprint of the version the queue shows: certifying certifies that one
    _shown_versions: dict[str, str] = {}
    report_name: str = ""
    report_columns: list[str] = []
    report_rows: list[list[str]] = []
    report_total_rows: int = 0
    chart: list[dict[str, str | float]] = []
    chart_first: str = ""
    chart_second: str = ""
    log: list[LogLine] = []
    error: str = ""
    notice: str = ""

    # ------------------------------------------------------------ who is asking

    def _admin(self) -> tuple[Actor, int] | None:
        """The signed-in administrator and the chosen municipality they administer."""
        actor = self._actor()
        if actor is None:
            return None
        with read_session() as session:
            mine = [m for m in municipalities_of(session, actor) if m.id is not None]
        wanted = row_id(self.municipality_id)
        chosen = next((m for m in mine if m.id == wanted), mine[0] if mine else None)
        if chosen is None or chosen.id is None:
            return None
        return actor, chosen.id

    def _period_id(self) -> int | None:
        return row_id(self.period_id)

    def _fail(self, error: DomainError) -> None:
        self.error = self._message(error)
        self.notice = ""

    def _act(self, action, then=None) -> bool:
        """Run `action(session, actor, municipality_id)` in one transaction (again if it was
        unlucky), then `then(result)` once it committed; reload after."""
        self.error = self.notice = ""
        found = self._admin()
        if found is None:
            self._fail(NotFound())
            return False
        actor, municipality_id = found
        try:
            result = atomically(lambda session: action(session, actor, municipality_id))
        except DomainError as error:
            self._fail(error)
            return False
        if then is not None:
            then(result)
        self.notice = text("done", self.lang)
        self._reload()
        return True

    # ------------------------------------------------------------ loading

    def _reload(self) -> None:
        found = self._admin()
        self.has_access = found is not None
        if found is None:
            self._clear()
            return
        actor, municipality_id = found
        lang = self.lang
        try:
            with read_session() as session:
                mine = municipalities_of(session, actor)
                municipality = next(m for m in mine if m.id == municipality_id)
                currency = municipality.currency
                figures = periods_of(session, actor, municipality_id)
                policy = policy_for_admin(session, actor, municipality_id)
                providers = admission_queue(session, actor, municipality_id)
                queue = certification_queue(session, actor, municipality_id)
                programs = listed_programs(session, actor, municipality_id)
                events = audit_log(session, actor, municipality_id, limit=100)
                waiting = verification_queue(session, actor, municipality_id)
                disputes = decision_queue(session, actor, municipality_id)
                dispute_report = disputes_by_provider(session, actor, municipality_id)
        except Conflict as error:  # an admin here, who must turn on a second factor first
            if error.code != "two_factor_required":
                raise
            self._clear()
            self.has_access, self.needs_two_factor = False, True
            return
        self.needs_two_factor = False
        self.municipality_choices = [Choice(str(m.id), m.name) for m in mine]
        self.municipality_id = str(municipality_id)
        self.municipality_name = municipality.name
        self.currency = currency

        def money(minor: int) -> str:
            return format_money(minor, currency, lang)

        self.periods = [
            PeriodRow(
                id=str(f.period.id),
                name=f.period.name,
                dates=f"{day(f.period.starts_on, lang)} – {day(f.period.ends_on, lang)}",
                status=value_label(f.period.status, lang),
                budget=money(f.period.budget_minor),
                credited=money(f.period.credited_minor),
                committed=money(f.committed_minor),
                spent=money(f.spent_minor),
                remaining=money(f.remaining_minor),
                certificates=f"{f.period.funded_certificates} / {f.period.max_funded_certificates}",
                committed_percent=min(100, f.committed_minor * 100 // f.period.budget_minor),
                spent_percent=min(100, f.spent_minor * 100 // f.period.budget_minor),
            )
            for f in figures
        ]
        ids = [f.period.id for f in figures]
        if row_id(self.period_id) not in ids:
            self.period_id = str(ids[0]) if ids else ""
        self.policy_max_funded = str(policy.max_funded_enrollments)
        self.policy_absence = policy.absence_charge
        self.policy_prorate = policy.prorate_late_start
        self.policy_two_factor = policy.require_two_factor
        self.policy_correction_days = str(policy.attendance_correction_days)
        self.policy_dispute_days = str(policy.dispute_window_days)
        levels = {
            name: str(number)
            for number, level in enumerate(policy.waitlist_priority or [], start=1)
            for name in level
        }
        self.waitlist_criteria = [
            CriterionLine(c.value, text(f"criterion_{c.value}", lang), levels.get(c.value, ""))
            for c in WaitlistCriterion
        ]
        self.disputes = [
            DisputeLine(
                id=str(d.id),
                child=d.child_name,
                provider=d.provider_name,
                program=f"{d.program_title} · {d.group_name}",
                lesson=day(d.lesson_date, lang),
                amount=money(d.amount_minor),
                comment=d.comment,
                provider_reason=d.provider_reason or text("dispute_no_answer", lang),
            )
            for d in disputes
        ]
        self.dispute_report = [
            ProviderDisputeLine(
                r.provider_name,
                str(r.opened),
                str(r.undecided),
                str(r.refunded),
                str(r.rejected),
                money(r.refunded_minor),
            )
            for r in dispute_report
        ]
        self.admissions = [
            AdmissionLine(
                str(p.id),
                p.name,
                value_label(p.kind, lang),
                p.licence_number or "—",
                day(local_today(municipality, p.created_at), lang),
                p.admission_note,
            )
            for p in providers
        ]
        self.submissions = [
            SubmissionLine(
                id=str(s.program.id),
                title=s.program.title,
                provider=s.provider_name,
                last_certified=day(local_today(municipality, s.last_certified_at), lang)
                if s.last_certified_at
                else "",
                changes=[_change_line(c, currency, lang) for c in s.changes],
            )
            for s in queue
        ]
        self._shown_versions = {str(s.program.id): s.fingerprint for s in queue}
        self.verifications = [_verification_line(item, lang, municipality) for item in waiting]
        self.certified = [
            CertifiedLine(
                str(p.id),
                p.title,
                name,
                value_label(p.certification_status, lang),
                p.certification_status == "suspended",
            )
            for p, name in programs
        ]
        self.log = [
            LogLine(
                at=format_moment(e.at, lang, municipality.timezone),  # its own clock
                who=e.actor_email,
                action=_action_label(e.action, lang),
                subject=e.subject_name,
                reason=e.reason,
            )
            for e in events
        ]
        self._load_period()
        if self.report_name:
            self._load_report()

    def _clear(self) -> None:
        self.disputes, self.dispute_report, self.closing_disputes = [], [], []
        self.waitlist_criteria = []
        self.periods, self.nominal, self.admissions, self.submissions = [], [], [], []
        self._shown_versions = {}
        self.verifications, self.registry_errors, self.registry_summary = [], [], ""
        self.certified, self.log, self.report_rows, self.chart = [], [], [], []
        self.municipality_choices = []

    def _load_period(self) -> None:
        found = self._admin()
        period_id = self._period_id()
        if found is None or period_id is None:
            self.nominal = []
            self.period_name = self.period_budget = self.period_cap = self.period_status = ""
            return
        actor, _municipality_id = found
        lang = self.lang
        with read_session() as session:
            figures = period_figures(session, actor, period_id)
            rules = nominal_table(session, actor, period_id)
        period = figures.period
        self.period_name = period.name
        self.period_budget = f"{main_units(period.budget_minor, self.currency):f}"
        self.period_cap = str(period.max_funded_certificates)
        self.period_status = period.status
        self.nominal = [
            NominalLine(
                value_label(r.category, lang),
                day(r.effective_from, lang),
                f"{r.age_min}–{r.age_max}",
                format_money(r.amount_minor, self.currency, lang),
            )
            for r in rules
        ]

    @rx.event
    def load(self):
        self.page_lang = self.lang  # the labels follow the tab's language
        self.error = self.notice = self.closing = self.deciding = ""
        if self._actor() is None:
            return rx.redirect(routes.login_then(routes.MUNICIPALITY))
        self._reload()
        return None

    @rx.event
    def choose_municipality(self, value: str) -> None:
        self.municipality_id = value if row_id(value) is not None else ""
        self.period_id = self.report_name = self.closing = ""
        self._reload()

    @rx.event
    def choose_period(self, value: str) -> None:
        self.closing = ""
        self.period_id = value if row_id(value) is not None else ""
        self._reload()

    # ------------------------------------------------------------ periods

    @rx.event
    def create_period(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}

        def action(session, actor, municipality_id):
            period = create_period(
                session,
                actor,
                municipality_id,
                name=str(form.get("name", "")),
                starts_on=form_date(form, "starts_on"),
                ends_on=form_date(form, "ends_on"),
                budget_minor=parse_amount(
                    str(form.get("budget", "")), self.currency, field="budget"
                ),
                max_funded_certificates=form_whole(form, "max_funded_certificates"),
                status=PeriodStatus.DRAFT,
            )
            return period.id

        def show(period_id) -> None:  # only once the period is really there
            self.period_id = str(period_id)

        self._act(action, then=show)

    @rx.event
    def save_period(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}
        period_id = self._period_id()

        def action(session, actor, _municipality_id):
            if period_id is None:
                raise NotFound()
            update_period(
                session,
                actor,
                period_id,
                name=str(form.get("name", "")),
                budget_minor=parse_amount(
                    str(form.get("budget", "")), self.currency, field="budget"
                ),
                max_funded_certificates=form_whole(form, "max_funded_certificates"),
            )

        self._act(action)

    @rx.event
    def open_period(self) -> None:
        period_id = self._period_id()
        self._act(lambda s, actor, _m: open_period(s, actor, period_id or 0))

    @rx.event
    def preview_close(self) -> None:
        self.error = self.notice = ""
        found, period_id = self._admin(), self._period_id()
        if found is None or period_id is None:
            self._fail(NotFound())
            return
        try:
            with read_session() as session:
                summary = closing_preview(session, found[0], period_id)
                undecided = undecided_in_period(session, found[0], period_id)
        except DomainError as error:
            self._fail(error)
            return
        if not self.currency:
            self._fail(NotFound())
            return
        self.closing = text(
            "closing_preview",
            self.lang,
            accounts=summary.accounts,
            released=format_money(summary.released_minor, self.currency, self.lang),
            expired=format_money(summary.expired_minor, self.currency, self.lang),
        )
        if summary.open_disputes:
            self.closing += " " + text(
                "closing_open_disputes", self.lang, count=summary.open_disputes
            )
        self.closing_disputes = [
            f"{d.child_name} · {d.provider_name} · {day(d.lesson_date, self.lang)} · "
            f"{format_money(d.amount_minor, d.currency, self.lang)} · "
            f"{value_label(d.status, self.lang)}"
            for d in undecided
        ]

    @rx.event
    def cancel_close(self) -> None:
        self.closing = ""
        self.closing_disputes = []

    @rx.event
    def close_period(self) -> None:
        period_id = self._period_id()
        if self.closing and self._act(lambda s, actor, _m: close_period(s, actor, period_id or 0)):
            self.closing = ""

    @rx.event
    def save_nominal(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}
        period_id = self._period_id()

        def action(session, actor, _municipality_id):
            rows = []
            for i in range(NOMINAL_FORM_ROWS):
                cells = [
                    str(form.get(f"{name}_{i}", "")).strip() for name in ("from", "to", "amount")
                ]
                if not any(cells):
                    continue
                rows.append(
                    NominalRow(
                        form_whole(form, f"from_{i}") if cells[0] else -1,
                        form_whole(form, f"to_{i}") if cells[1] else -1,
                        parse_amount(cells[2], self.currency) if cells[2] else 0,
                    )
                )
            set_nominal_table(
                session,
                actor,
                period_id or 0,
                category=str(form.get("category", "")),
                effective_from=form_date(form, "effective_from"),
                rows=rows,
            )

        self._act(action)

    # ------------------------------------------------------------ policy

    @rx.event
    def save_policy(self, form: dict) -> None:
        form = form if isinstance(form, dict) else {}

        def action(session, actor, municipality_id):
            set_policy(
                session,
                actor,
                municipality_id,
                max_funded_enrollments=form_whole(form, "max_funded_enrollments"),
                absence_charge=str(form.get("absence_charge", "")),
                prorate_late_start=form.get("prorate_late_start") in ("on", True, "true"),
                attendance_correction_days=form_whole(form, "attendance_correction_days"),
                require_two_factor=form.get("require_two_factor") in ("on", True, "true"),
                dispute_window_days=form_whole(form, "dispute_window_days")
                if "dispute_window_days" in form
                else None,
            )

        self._act(action)

    @rx.event
    def save_waitlist_priority(self, form: dict) -> None:
        """Each criterion's level (1 first; empty: not used) from the form, as ordered levels.
        A criterion the form names that the domain does not know is refused by the domain."""
        form = form if isinstance(form, dict) else {}

        def action(session, actor, municipality_id):
            levels: list[list[str]] = [[] for _ in range(WAITLIST_LEVELS)]
            for key, value in form.items():
                if not str(key).startswith("level_") or value in ("", None):
                    continue
                number = row_id(str(value))
                if number is None or number > WAITLIST_LEVELS:
                    raise InvalidInput("field_required", field="waitlist_priority")
                levels[number - 1].append(str(key).removeprefix("level_"))
            set_waitlist_priority(session, actor, municipality_id, [lv for lv in levels if lv])

        self._act(action)

    # ------------------------------------------------------------ queues

    @rx.event
    def admit(self, provider_id: str) -> None:
        wanted = row_id(provider_id)
        self._act(lambda s, actor, _m: admit_provider(s, actor, wanted or 0))

    @rx.event
    def certify(self, program_id: str):
        """Certified: back to the top of the queue (the card the official read is gone), or
        the changed version shown where it was, with why."""
        if self._decide_program(program_id, "certify", ""):
            return rx.scroll_to("queue")
        return None

    @rx.event
    def reinstate(self, program_id: str) -> None:
        self._decide_program(program_id, "reinstate", "")

    @rx.event
    def start_decision(self, kind: str, subject_id: str) -> None:
        """Ask for the reason of a rejection, suspension or refused admission."""
        ok = (
            kind in ("reject", "suspend", "refuse", "refuse_request", "uphold", "keep")
            and row_id(subject_id) is not None
        )
        self.deciding = f"{kind}:{subject_id}" if ok else ""

    @rx.event
    def cancel_decision(self) -> None:
        self.deciding = ""

    @rx.event
    def decide(self, form: dict) -> None:
        kind, _, subject_id = self.deciding.partition(":")
        reason = str(form.get("reason", "")) if isinstance(form, dict) else ""
        if kind == "refuse":
            wanted = row_id(subject_id)
            done = self._act(
                lambda s, actor, _m: refuse_admission(s, actor, wanted or 0, reason=reason)
            )
        elif kind in ("reject", "suspend"):
            done = self._decide_program(subject_id, kind, reason)
        elif kind == "refuse_request":
            done = self._decide_request(subject_id, "refuse", reason)
        elif kind in ("uphold", "keep"):
            wanted = row_id(subject_id)
            decision = "uphold" if kind == "uphold" else "reject"
            done = self._act(
                lambda s, actor, _m: decide_dispute(s, actor, wanted or 0, decision, reason)
            )
        else:
            self._fail(NotFound())
            return
        if done:
            self.deciding = ""

    @rx.event
    def approve_request(self, request_id: str) -> None:
        self._decide_request(request_id, "approve", "")

    def _decide_request(self, request_id: str, decision: str, reason: str) -> bool:
        wanted = row_id(request_id)
        refusals: list[DomainError] = []

        def decide(session, actor, _municipality_id):
            return decide_verification(session, actor, wanted or 0, decision, reason=reason)

        def funded(result) -> None:  # once, after the commit: a retry runs `decide` again
            if result[1] is not None:
                refusals.append(result[1])

        done = self._act(decide, funded)
        if done and refusals:  # verified, but its certificate could not be funded now
            self.notice = self._text(refusals[0])
        return done

    @rx.event
    async def import_registry(self, files: list[rx.UploadFile]):
        """The registry file: rows stored as digests, matching requests verified at once."""
        self.error = self.notice = self.registry_summary = ""
        self.registry_errors = []
        if not files:
            self._fail(InvalidInput("field_required", field="file"))
            return
        content = await files[0].read(MAX_REGISTRY_BYTES + 1)
        if len(content) > MAX_REGISTRY_BYTES:
            self._fail(InvalidInput("value_too_large", field="file", max=MAX_REGISTRY_BYTES))
            return
        try:
            text_content = content.decode("utf-8")
        except UnicodeDecodeError:
            self._fail(InvalidInput("import_not_utf8"))
            return
        reports: list[RegistryReport] = []
        if not self._act(
            lambda s, actor, m: import_registry(s, actor, m, text_content), reports.append
        ):
            return
        report = reports[0]
        self.registry_summary = text(
            "registry_report",
            self.lang,
            added=report.added,
            updated=report.updated,
            verified=len(report.verified),
            errors=len(report.errors),
        )
        self.registry_errors = [
            f"{line}: {self._text(error)}" for line, error in report.errors[:200]
        ]

    def _decide_program(self, program_id: str, decision: str, reason: str) -> bool:
        wanted = row_id(program_id)
        seen = self._shown_versions.get(program_id, "") if isinstance(program_id, str) else ""
        done = self._act(
            lambda s, actor, _m: decide_certification(
                s, actor, wanted or 0, decision, reason=reason, seen=seen
            )
        )
        if not done and self.has_access:
            self._reload()  # e.g. the program changed meanwhile: show what it is now
        return done

    # ------------------------------------------------------------ reports

    def _report(self) -> reports.Report:
        found, period_id = self._admin(), self._period_id()
        if found is None or period_id is None or self.report_name not in reports.REPORTS:
            raise NotFound()
        with read_session() as session:
            return reports.build(session, found[0], self.report_name, period_id)

    def _load_report(self) -> None:
        try:
            report = self._report()
        except DomainError as error:
            self._fail(error)
            self.report_rows, self.chart = [], []
            return
        lang = self.lang
        self.report_columns = [text("col_" + c, lang) for c in report.columns]
        self.report_total_rows = len(report.rows)
        self.report_rows = [
            [
                self._cell(report, name, value)
                for name, value in zip(report.columns, row, strict=True)
            ]
            for row in report.rows[:MAX_REPORT_ROWS_SHOWN]
        ]
        self._chart(report)

    def _cell(self, report: reports.Report, column: str, value: object) -> str:
        if column in report.money and isinstance(value, int):
            return format_money(value, report.currency, self.lang)
        if column in report.translated and isinstance(value, str):
            return value_label(value, self.lang)
        if column == "district" and value == "":
            return text("district_unknown", self.lang)
        if isinstance(value, float):  # a rate: "66,67" in ru and lt
            return format_number(value, self.lang)
        return str(value)

    def _chart(self, report: reports.Report) -> None:
        """Two series per report, in main currency units for money."""
        lang = self.lang
        columns = list(report.columns)
        label_column, first, second = {
            "spending": ("month", "held", "spent"),
            "enrollments": ("direction", "enrollments", "funded"),
            "take_up": ("category", "with_certificate", "with_enrollment"),
            "not_enrolled": ("district", "with_certificate", "not_enrolled"),
            "providers": ("provider", "committed", "spent"),
            "disputes": ("provider", "disputes", "disputes_per_100_lessons"),
        }[report.name]
        totals: dict[tuple[str, object], list[float]] = {}
        scale = 10 ** exponent(report.currency)
        # rows of one label add up (a month's directions) unless the report keys them apart
        # (two providers of the same name stay two bars)
        keys = report.row_keys or [None] * len(report.rows)
        for key, row in zip(keys, report.rows, strict=True):
            values = dict(zip(columns, row, strict=True))
            label = self._cell(report, label_column, values[label_column])
            line = totals.setdefault((label, key), [0.0, 0.0])
            for i, column in enumerate((first, second)):
                amount = float(values[column])  # type: ignore[arg-type]
                line[i] += amount / scale if column in report.money else amount
        self.chart = [
            {"label": label, "first": round(a, 2), "second": round(b, 2)}
            for (label, _key), (a, b) in list(totals.items())[:24]
        ]
        self.chart_first = text("col_" + first, lang)
        self.chart_second = text("col_" + second, lang)

    @rx.event
    def show_report(self, name: str) -> None:
        self.error = ""
        self.report_name = name if name in reports.REPORTS else ""
        if self.report_name:
            self._load_report()

    @rx.event
    def download_report(self, fmt: str):
        self.error = ""
        try:
            report = self._report()
        except DomainError as error:
            self._fail(error)
            return None
        lang = self.lang
        header = [text("col_" + c, lang) for c in report.columns]
        rows = [
            [
                value_label(v, lang) if c in report.translated and isinstance(v, str) else v
                for c, v in zip(report.columns, row, strict=True)
            ]
            for row in report.rows
        ]
        money_at = {i for i, c in enumerate(report.columns) if c in report.money}
        filename = f"{report.name}-{self.period_id}-{date.today().isoformat()}"
        if fmt == "xlsx":
            return rx.download(
                data=to_xlsx(
                    text("report_" + report.name, lang), header, rows, money_at, report.currency
                ),
                filename=filename + ".xlsx",
            )
        return rx.download(
            data=to_csv(header, rows, money_at, report.currency), filename=filename + ".csv"
        )

    # ------------------------------------------------------------ choices

    @rx.var
    def category_choices(self) -> list[Choice]:
        return [Choice(c.value, value_label(c.value, self.page_lang)) for c in ChildCategory]

    @rx.var
    def waitlist_level_choices(self) -> list[Choice]:
        return [Choice("", text("waitlist_level_none", self.page_lang))] + [
            Choice(str(n), text("waitlist_level", self.page_lang, level=n))
            for n in range(1, WAITLIST_LEVELS + 1)
        ]

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def absence_choices(self) -> list[Choice]:
        return [Choice(c.value, value_label(c.value, self.page_lang)) for c in AbsenceCharge]

    @rx.var
    def report_choices(self) -> list[Choice]:
        return [Choice(name, text("report_" + name, self.page_lang)) for name in reports.REPORTS]

    @rx.var
    def nominal_form_rows(self) -> list[str]:
        return [str(i) for i in range(NOMINAL_FORM_ROWS)]
