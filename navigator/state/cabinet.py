"""The parent's cabinet: children, certificates with their history, enrollments.

Nothing here trusts an id from the browser: each handler re-reads the signed-in parent
and passes them to the domain as the actor, which answers "not found" for another
family's child, certificate or enrollment. Ids shown on the page are the parent's own.
"""

from __future__ import annotations

import dataclasses
import time
from urllib.parse import urlencode

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex_base.event.context import EventContext

from navigator import routes
from navigator.domain.accounts.children import add_child, update_child
from navigator.domain.accounts.confirmation import unconfirmed_address
from navigator.domain.accounts.models import ChildCategory
from navigator.domain.certificates.api import request_certificate
from navigator.domain.certificates.queries import ChildView, children_of, statement
from navigator.domain.certificates.verification import request_category, request_identity_change
from navigator.domain.disputes.api import open_dispute
from navigator.domain.disputes.queries import charge_marks
from navigator.domain.enrollment.api import cancel_enrollment
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.enrollment.offers import (
    confirm_offer,
    decline_offer,
    offers_for_guardian,
    shown_terms,
)
from navigator.domain.enrollment.queries import cabinet_version, enrollments_of
from navigator.domain.enrollment.terms import Quote
from navigator.domain.enrollment.waitlist import QueuePlace, queue_places
from navigator.domain.municipalities.queries import municipalities
from navigator.domain.shared.db import atomically, read_session, transaction
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.i18n import text, ui_strings, value_label
from navigator.state.app import LABELS_LANG, AppState, session_token_in
from navigator.state.cabinet_watch import RoundFailed, next_cabinet_version
from navigator.state.formatting import day, money, timetable
from navigator.state.forms import Choice, form_date, row_id
from navigator.state.threaded import in_thread, in_thread_unshed


def _save_known_child(session, actor, child_id: int, form: dict, birth_date) -> bool:
    """Saves the edit form of an existing child; True when a verified child's new names or
    birth date went to the municipality instead (the verified ones stay until approved)."""
    names = (str(form.get("first_name", "")).strip(), str(form.get("last_name", "")).strip())
    try:
        with session.begin_nested():
            update_child(
                session,
                actor,
                child_id,
                first_name=names[0],
                last_name=names[1],
                birth_date=birth_date,
                district=str(form.get("district", "")),
            )
        return False
    except Conflict as error:
        if error.code != "identity_verified":
            raise
    current = next(c for c in children_of(session, actor) if c.id == child_id)
    update_child(  # the district is the family's to change
        session,
        actor,
        child_id,
        first_name=current.first_name,
        last_name=current.last_name,
        birth_date=current.birth_date,
        district=str(form.get("district", "")),
    )
    request_identity_change(
        session, actor, child_id, first_name=names[0], last_name=names[1], birth_date=birth_date
    )
    return True


WATCH_LIMIT = 1800  # polls, about an hour: a forgotten tab does not poll forever
WATCH_PAGE_EVERY = 15  # polls between looks at which page the tab shows
# a form opened while the page was loading is kept by a load this soon after (a load cut
# short by leaving the page does not keep it open on a visit much later)
QUICK_CLICK_SECONDS = 60.0


def _catalog_for(child: ChildView) -> str:
    """The catalog as this child would search it: built here from the family's own child,
    so no child's id ever travels in a link."""
    params = {"municipality": child.municipality_code, "age": str(child.age), "seats": "1"}
    if child.certificate is not None and child.certificate.status == "funded":
        params["payable"] = "1"
    return f"{routes.HOME}?{urlencode(params)}"


@dataclasses.dataclass
class ChildCard:
    id: str
    name: str
    first_name: str
    last_name: str
    birth_date: str  # ISO, for the edit form
    birth_date_text: str
    municipality: str
    district: str
    has_certificate: bool
    verified: bool = False
    id_label: str = ""  # what the country calls the identifier: СНИЛС, asmens kodas…
    id_hint: str = ""  # "…42": all that is ever shown of it
    waiting: str = ""  # "sent on 3 Nov": identity waiting for the municipality
    refused: str = ""  # why the last identity request was refused
    category: str = ""
    # the catalog for this child: its age and municipality, free seats, payable if funded
    catalog_link: str = ""
    category_waiting: str = ""
    category_refused: str = ""
    number: str = ""
    status: str = ""
    valid_until: str = ""
    available: str = ""
    held: str = ""
    spent: str = ""
    expires: str = ""
    funded: bool = False


@dataclasses.dataclass
class HistoryLine:
    date: str
    kind: str
    program: str
    amount: str  # signed by what it did to the balance: "+" in, "−" out, none when paid
    direction: str  # "in", "out" or "paid" (a lesson paid from money already reserved)
    note: str = ""  # what a correction or a credit says about itself
    entry_id: str = ""  # a lesson charge's ledger entry: what "my child was not there" names
    dispute: str = ""  # where the charge's dispute stands, in words
    can_dispute: bool = False


# what each ledger movement does to the money the parent can still spend
_DIRECTION = {
    "credit": "in",
    "release": "in",
    "refund": "in",
    "hold": "out",
    "expire": "out",
    "capture": "paid",
}


@dataclasses.dataclass
class EnrollmentCard:
    id: str
    child: str
    program_id: str
    program: str
    group: str
    timetable: str
    dates: str
    status: str
    held: str
    captured: str
    attendance: str
    can_cancel: bool
    release: str
    reason: str
    queue: str = ""  # a waitlisted place: "place 2 of 5"
    queue_why: str = ""  # and why there: the priority criteria met, the time of application


def _queue_texts(place: QueuePlace | None, lang: str) -> tuple[str, str]:
    if place is None:
        return "", ""
    applied = day(place.applied_at, lang)
    why = (
        text(
            "queue_priority",
            lang,
            criteria=", ".join(text(f"criterion_{name}", lang) for name in place.met),
            date=applied,
        )
        if place.met
        else text("queue_no_priority", lang, date=applied)
    )
    return text("queue_place", lang, place=place.place, count=place.of), why


@dataclasses.dataclass
class OfferCard:
    id: str
    child: str
    program: str
    group: str
    terms: str
    problem: str
    terms_key: str = ""  # the figures on the card; a confirmation is held to exactly these
    changed: bool = False  # the figures moved while the card was on screen


def _terms_key(quote: Quote | None) -> str:
    """The figures a parent agrees to, as one text the card carries to the button."""
    return "|".join(str(value) for value in shown_terms(quote)) if quote is not None else ""


async def _still_shown(token: str | None) -> bool:
    """Whether the tab still shows the cabinet to the same session, as its last event left
    its page and cookie: read without taking the tab's state, so a thousand open cabinets
    that show nothing new do not each take, read and write their state every half minute."""
    tab = EventContext.get()  # the tab of the running event, as `async with self` finds it
    # the tab's tree down to the cabinet, as the watch's own token reads it (the root's token
    # would read every page's state)
    root = await tab.state_manager.get_state(BaseStateToken(ident=tab.token, cls=CabinetState))
    router = root.router
    return (
        router.url.path.startswith(routes.CABINET)
        and session_token_in(router.headers.cookie) == token
    )


class CabinetState(AppState):
    children: list[ChildCard] = []
    enrollments: list[EnrollmentCard] = []
    offers: list[OfferCard] = []
    municipalities: list[Choice] = []
    history: list[HistoryLine] = []
    history_child: str = ""
    # the answer to a dispute, shown beside the history it was sent from
    history_error: str = ""
    history_notice: str = ""
    editing: str = ""  # a child's id, "new", or ""
    confirm_banner: str = ""  # while the parent's address waits for its link: what to do
    # the answer to an action on one child's card, shown in that card
    card_child: str = ""
    card_error: str = ""
    card_notice: str = ""
    cancelling: str = ""
    cancel_release: str = ""
    error: str = ""
    notice: str = ""
    _version: int = 0
    _watching: bool = False
    # the form ("editing", "cancelling" or "history") a click opened before the page's load
    # ran, and when (wall clock: the state moves between workers): that load keeps it open
    _opened_loading: str = ""
    _opened_at: float = 0.0
    # the terms each offer card shows, by offer id: what a confirmation is held to
    _offer_terms: dict[str, Quote] = {}

    def _reload(self) -> bool:
        """Read everything the cabinet shows; False when nobody is signed in."""
        actor = self._actor()
        if actor is None:
            self.children, self.enrollments, self.history = [], [], []
            self.confirm_banner = ""
            return False
        lang = self.lang
        with read_session() as session:
            address = unconfirmed_address(session, actor)
            self.confirm_banner = text("confirm_banner", lang, email=address) if address else ""
            children = children_of(session, actor)
            enrollments = enrollments_of(session, actor)
            offers = offers_for_guardian(session, actor)
            places = queue_places(session, actor)
            self._version = cabinet_version(session, actor)
            if not self.municipalities:
                self.municipalities = [Choice(str(m.id), m.name) for m in municipalities(session)]
        self.children = []
        for child in children:
            card = ChildCard(
                id=str(child.id),
                name=f"{child.first_name} {child.last_name}",
                first_name=child.first_name,
                last_name=child.last_name,
                birth_date=child.birth_date.isoformat(),
                birth_date_text=day(child.birth_date, lang),
                municipality=child.municipality_name,
                district=child.district,
                has_certificate=child.certificate is not None,
                verified=child.verified,
                id_label=text(f"national_id_{child.country.lower()}", lang)
                if f"national_id_{child.country.lower()}" in ui_strings(lang)
                else text("national_id", lang),
                id_hint=child.national_id_hint,
                category=value_label(child.category, lang),
                catalog_link=_catalog_for(child),
            )
            for request, waiting, refused in (
                (child.identity_request, "waiting", "refused"),
                (child.category_request, "category_waiting", "category_refused"),
            ):
                if request is not None and request.status == "pending":
                    sent = text("verification_sent", lang, date=day(request.created_at, lang))
                    setattr(card, waiting, sent)
                elif request is not None and request.status == "refused":
                    setattr(card, refused, request.reason)
            if (c := child.certificate) is not None:
                card.number = c.number
                card.status = value_label(c.status, lang)
                card.valid_until = day(c.valid_until, lang)
                card.available = money(c.available_minor, c.currency, lang)
                card.held = money(c.held_minor, c.currency, lang)
                card.spent = money(c.spent_minor, c.currency, lang)
                card.funded = c.period_name is not None
                card.expires = (
                    text("expires_on", lang, date=day(c.expires_on, lang)) if c.expires_on else ""
                )
            self.children.append(card)
        before = self._offer_terms
        self._offer_terms = {str(o.id): o.quote for o in offers if o.quote is not None}
        self.offers = [
            OfferCard(
                id=str(o.id),
                child=o.child_name,
                program=o.program_title,
                group=o.group_name,
                terms=(
                    " · ".join(
                        (
                            f"{text('lessons', lang)}: {o.quote.lessons} ("
                            + f"{day(o.quote.first_lesson, lang)} – "
                            + f"{day(o.quote.last_lesson, lang)})",
                            f"{text('certificate_share', lang)}: "
                            + money(o.quote.certificate_share_minor, o.quote.currency, lang),
                            f"{text('co_payment', lang)}: "
                            + money(o.quote.copayment_minor, o.quote.currency, lang),
                        )
                    )
                    if o.quote
                    else ""
                ),
                problem=self._text(o.problem) if o.problem else "",
                terms_key=_terms_key(o.quote),
                changed=str(o.id) in before
                and o.quote is not None
                and _terms_key(before[str(o.id)]) != _terms_key(o.quote),
            )
            for o in offers
        ]
        self.enrollments = [
            EnrollmentCard(
                id=str(e.id),
                child=e.child_name,
                program_id=str(e.program_id),
                program=e.program_title,
                group=e.group_name,
                timetable=timetable(e.timetable, lang),
                dates=f"{day(e.starts_on, lang)} – {day(e.ends_on, lang)}",
                status=value_label(e.status, lang),
                # reserved now: what this place holds of the certificate's balance today
                held=money(e.hold_remaining_minor, e.currency, lang),
                captured=money(e.captured_minor, e.currency, lang),
                attendance=text("attended_of", lang, present=e.present, marked=e.marked)
                if e.marked
                else text("no_lessons_marked", lang),
                can_cancel=e.can_cancel,
                release=money(e.hold_remaining_minor, e.currency, lang)
                if e.hold_remaining_minor
                else "",
                reason=e.reason,
                queue=_queue_texts(places.get(e.id), lang)[0],
                queue_why=_queue_texts(places.get(e.id), lang)[1],
            )
            for e in enrollments
        ]
        return True

    @rx.event
    @in_thread_unshed
    def load(self):
        self.page_lang = self.lang  # the labels follow the tab's language
        self.error = self.notice = ""
        # forms left open on an earlier visit are closed; the one a click opened while this
        # load was on its way stays (a load cut short by leaving keeps nothing much later)
        quick = time.time() - self._opened_at < QUICK_CLICK_SECONDS
        kept = self._opened_loading if quick else ""
        self._opened_loading = ""
        if kept != "editing":
            self.editing = ""
        if kept != "cancelling":
            self.cancelling = ""
        if kept != "history":
            self.history_child = ""
            self.history = []
        if not self._reload():
            return rx.redirect(routes.login_then(routes.CABINET))
        return CabinetState.watch

    @rx.event(background=True)
    async def watch(self):
        """Refresh the cabinet when something changes (the provider accepts, a lesson is marked).

        Between changes the tab's state is left alone: the tab waits for its worker's next
        round (cabinet_watch), which reads, in a thread, every open cabinet of the worker in a
        few statements, not a thousand state locks nor a thousand polls. The state is taken
        when the figures moved, or when a look now and then (at the stored state, without
        taking it) sees that the tab went to another page or signed in anew.
        """
        async with self:
            if self._watching:
                return
            self._watching = True
            token = self._session_token()
            known = self._version
        try:
            for poll in range(1, WATCH_LIMIT + 1):
                try:
                    version = await next_cabinet_version(token)
                except RoundFailed:  # the database did not answer: the next round asks again
                    continue
                unchanged = version is not None and version == known
                if unchanged and (poll % WATCH_PAGE_EVERY or await _still_shown(token)):
                    continue
                async with self:
                    if not self.router.url.path.startswith(routes.CABINET):
                        return
                    if self._actor() is None:  # signed out, expired or ended elsewhere
                        return
                    if self._session_token() != token:  # signed in anew in this tab:
                        token = self._session_token()  # the watch follows its session
                        self._reload()
                    elif version != self._version:
                        self._reload()
                    known = self._version
        finally:
            async with self:
                self._watching = False

    # ---------------------------------------------------------------- children

    @rx.event
    def start_edit(self, child_id: str) -> None:
        self.error = self.notice = ""
        self.editing = child_id if child_id == "new" or row_id(child_id) is not None else ""
        self._note_opened("editing")

    def _note_opened(self, form: str) -> None:
        """A form opened before this page's load ran (Reflex clears `is_hydrated` when a
        page's load is on its way, and sets it once the load has run): the load, which closes
        forms left open on an earlier visit, leaves this one open, and only this one."""
        self._opened_loading = "" if self.is_hydrated else form
        self._opened_at = time.time()

    @rx.event
    def stop_edit(self) -> None:
        self.editing = ""
        self.error = ""

    @rx.event
    def save_child(self, form: dict[str, str]) -> None:
        form = form if isinstance(form, dict) else {}
        actor = self._actor()
        if actor is None or actor.user_id is None:
            self.error = self._message(DomainError("sign_in_required"))
            return
        sent_for_verification = False
        try:
            birth_date = form_date(form, "birth_date")
            with transaction() as session:
                if self.editing == "new":
                    municipality_id = row_id(form.get("municipality_id", ""))
                    if municipality_id is None:
                        raise InvalidInput("field_required", field="municipality_id")
                    add_child(
                        session,
                        actor,
                        guardian_id=actor.user_id,
                        municipality_id=municipality_id,
                        first_name=str(form.get("first_name", "")),
                        last_name=str(form.get("last_name", "")),
                        birth_date=birth_date,
                        district=str(form.get("district", "")),
                    )
                else:
                    child_id = row_id(self.editing)
                    if child_id is None:
                        raise NotFound()
                    sent_for_verification = _save_known_child(
                        session, actor, child_id, form, birth_date
                    )
        except DomainError as error:
            self.error = self._message(error)
            return
        self.editing = ""
        self.error = ""
        self.notice = text("verification_waiting" if sent_for_verification else "done", self.lang)
        self._reload()

    @rx.event
    def resend_confirmation(self) -> None:
        self.error, self.notice = self._resend_confirmation()

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def category_choices(self) -> list[Choice]:
        return [Choice(c.value, value_label(c.value, self.page_lang)) for c in ChildCategory]

    def _card_answer(self, child_id: str, error: str = "", notice: str = "") -> None:
        """In the child's card; for an id that is no card of this page, at the top."""
        self.error = self.notice = ""
        if child_id not in {c.id for c in self.children}:
            self.card_child, self.card_error, self.card_notice = "", "", ""
            self.error, self.notice = error, notice
            return
        self.card_child, self.card_error, self.card_notice = child_id, error, notice

    @rx.event
    @in_thread
    def get_certificate(self, form: dict) -> None:
        """The certificate request of one child's card: with the identifier, while the child
        is not verified yet."""
        form = form if isinstance(form, dict) else {}
        child_id = str(form.get("child_id", ""))
        actor = self._actor()
        wanted = row_id(child_id)
        if actor is None or wanted is None:
            self._card_answer(child_id, self._text(NotFound()))
            return
        national_id = form.get("national_id")
        national_id = str(national_id) if isinstance(national_id, str) else None
        try:
            outcome = atomically(
                lambda session: request_certificate(session, actor, wanted, national_id=national_id)
            )
        except DomainError as error:
            self._card_answer(child_id, self._text(error))
            return
        if outcome.waiting is not None:
            notice = text("verification_waiting", self.lang)
        elif outcome.refusal is not None:
            notice = self._text(outcome.refusal)
        else:
            notice = text("certificate_issued", self.lang)
        self._card_answer(child_id, notice=notice)
        self._reload()

    @rx.event
    @in_thread
    def ask_category(self, form: dict) -> None:
        """Ask the municipality to verify a category (disability, large family)."""
        form = form if isinstance(form, dict) else {}
        child_id = str(form.get("child_id", ""))
        actor = self._actor()
        wanted = row_id(child_id)
        if actor is None or wanted is None:
            self._card_answer(child_id, self._text(NotFound()))
            return
        category = form.get("category")
        try:
            atomically(lambda session: request_category(session, actor, wanted, category))
        except DomainError as error:
            self._card_answer(child_id, self._text(error))
            return
        self._card_answer(child_id, notice=text("verification_waiting", self.lang))
        self._reload()

    @rx.event
    def show_history(self, child_id: str) -> None:
        self._show_history(child_id)

    def _show_history(self, child_id: str, *, keep_answer: bool = False) -> None:
        self.error = ""
        if not keep_answer:
            self.history_error = self.history_notice = ""
        actor = self._actor()
        wanted = row_id(child_id)
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        lang = self.lang
        try:
            with read_session() as session:
                child = next((c for c in children_of(session, actor) if c.id == wanted), None)
                if child is None or child.certificate is None:
                    raise NotFound()
                lines = statement(session, actor, child.certificate.certificate_id)
                marks = charge_marks(session, actor, child.certificate.certificate_id)
        except DomainError as error:
            self.error = self._message(error)
            return
        self.history_child = child_id
        self._note_opened("history")
        self.history = [
            HistoryLine(
                date=day(line.lesson_date or line.at, lang),
                kind=value_label(line.kind, lang),
                program=" · ".join(p for p in (line.program_title, line.group_name) if p) or "—",
                amount={"in": "+", "out": "−"}.get(_DIRECTION.get(line.kind, ""), "")
                + money(line.amount_minor, child.currency, lang),
                direction=_DIRECTION.get(line.kind, "paid"),
                note=line.note,
                entry_id=str(line.entry_id) if line.entry_id in marks else "",
                dispute=text(f"dispute_state_{marks[line.entry_id].status}", lang)
                if line.entry_id in marks and marks[line.entry_id].status
                else "",
                can_dispute=line.entry_id in marks and marks[line.entry_id].can_dispute,
            )
            for line in reversed(lines)
        ]

    @rx.event
    @in_thread_unshed
    def dispute_charge(self, form: dict) -> None:
        """One tap on a lesson charge of the history shown: my child was not there. The
        domain checks the charge is this guardian's own and still disputable."""
        form = form if isinstance(form, dict) else {}
        self.error = self.notice = self.history_error = self.history_notice = ""
        actor = self._actor()
        wanted = row_id(str(form.get("entry_id", "")))
        comment = form.get("comment", "")
        comment = comment if isinstance(comment, str) else ""
        if actor is None or wanted is None:
            self.history_error = self._message(NotFound())
            return
        try:
            atomically(lambda session: open_dispute(session, actor, wanted, comment=comment))
        except DomainError as error:
            self.history_error = self._message(error)
            return
        self.history_notice = text("dispute_sent", self.lang)
        if self.history_child:
            self._show_history(self.history_child, keep_answer=True)

    @rx.event
    def hide_history(self) -> None:
        self.history_child = ""
        self.history = []
        self.history_error = self.history_notice = ""

    # ---------------------------------------------------------------- offers

    def _answer(self, offer_id: str, confirm: bool, terms_key: str = "") -> None:
        self.error = self.notice = ""
        actor = self._actor()
        wanted = row_id(offer_id)
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        shown = self._offer_terms.get(str(wanted))
        try:
            # held to the figures the card showed when the button was pressed, no others
            if confirm and (shown is None or _terms_key(shown) != terms_key):
                raise Conflict("terms_changed")
            enrollment_id = atomically(
                lambda session: (
                    confirm_offer(session, actor, wanted, shown=shown)
                    if confirm
                    else decline_offer(session, actor, wanted)
                )
            )
        except DomainError as error:
            if error.code == "terms_changed":
                self._reload()  # the card now shows the terms that would be held
            self.error = self._message(error)
            return
        self._reload()
        waiting = False  # the group filled before the parent answered: the child waits, told so
        if confirm and isinstance(enrollment_id, int):
            with read_session() as session:
                row = session.get(Enrollment, enrollment_id)
                waiting = row is not None and row.status == EnrollmentStatus.WAITLISTED
        self.notice = text("applied_waitlisted" if waiting else "done", self.lang)

    @rx.event
    @in_thread
    def accept_offer(self, offer_id: str, terms_key: str = "") -> None:
        self._answer(offer_id, confirm=True, terms_key=str(terms_key)[:200])

    @rx.event
    @in_thread
    def refuse_offer(self, offer_id: str) -> None:
        self._answer(offer_id, confirm=False)

    # ---------------------------------------------------------------- enrollments

    @rx.event
    def ask_cancel(self, enrollment_id: str) -> None:
        self.error = self.notice = ""
        self._reload()
        card = next((e for e in self.enrollments if e.id == enrollment_id and e.can_cancel), None)
        if card is None:
            self.error = self._message(NotFound())
            return
        self.cancelling = card.id
        self._note_opened("cancelling")
        self.cancel_release = (
            text("cancel_confirm_release", self.lang, amount=card.release)
            if card.release
            else text("cancel_confirm_nothing", self.lang)
        )

    @rx.event
    def keep_enrollment(self) -> None:
        self.cancelling = ""

    @rx.event
    @in_thread
    def confirm_cancel(self) -> None:
        actor = self._actor()
        wanted = row_id(self.cancelling)
        self.cancelling = ""
        if actor is None or wanted is None:
            self.error = self._message(NotFound())
            return
        try:
            atomically(lambda session: cancel_enrollment(session, actor, wanted))
        except DomainError as error:
            self.error = self._message(error)
            return
        self.notice = text("done", self.lang)
        self._reload()
        if self.history_child:
            self._show_history(self.history_child)
