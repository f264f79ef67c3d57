"""Notifications into letters, on the scheduler's clock: a letter for each event for people
who want them at once (up to an hourly limit per address; the rest wait for the digest), a
daily digest for the others (money movements always at least there), and the warning that a
certificate's unspent money expires when its funding period closes.

One mail per event and person: a notification is taken for a letter by a conditional update
of its `mailed_at` in the transaction that queues the letter, and the letter's `dedup_key`
(the notification, or the person and day of a digest) is unique.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from navigator import routes
from navigator.domain.accounts.models import Child, User
from navigator.domain.accounts.throttle import spend_attempt, spend_attempts
from navigator.domain.certificates.models import Certificate, CertificateAccount
from navigator.domain.culture.access import local_day
from navigator.domain.culture.models import (
    CULTURE_CURRENCY,
    CulturePassYear,
    SchoolCoordinator,
    SchoolWallet,
    YearStatus,
)
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.notifications.centre import unsubscribe_token
from navigator.domain.notifications.fanout import notify_school
from navigator.domain.notifications.models import ExpiryWarning, MailMode, NotificationPreference
from navigator.domain.notifications.render import Rendered, is_money, render, render_many
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import Busy, Conflict, DomainError, TooManyAttempts
from navigator.domain.shared.locks import locked
from navigator.domain.shared.mail import queue_mail
from navigator.domain.shared.models import Notification, OutgoingMail, utcnow
from navigator.i18n import text
from navigator.settings import get_settings

log = logging.getLogger(__name__)
# an instant letter is only for what is news: older ones wait for the digest
INSTANT_WINDOW = timedelta(days=2)
BATCH = 200
# notifications mailed in one transaction: short enough that SQLite's single writer is
# not kept from a parent's request for long
LETTERS_PER_TRANSACTION = 50
EXPIRY_KIND = "certificate.expiry_warning"
CULTURE_EXPIRY_KIND = "culture_wallet.expiring"
UNSUBSCRIBE_PATH = "/mail/unsubscribe"  # navigator.routes.MAIL_UNSUBSCRIBE


def _mode(session: Session, user_id: int) -> tuple[str, bool]:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        return MailMode.INSTANT, True
    return row.mode, row.digests_stopped_at is None


def _take(session: Session, ids: list[int], now: datetime) -> None:
    """Mark the notifications as mailed, all or none: another worker that took one of them
    first makes this transaction roll back (the next round sees what is left)."""
    if not ids:
        return
    result = session.exec(  # type: ignore[call-overload]
        update(Notification)
        .where(col(Notification.id).in_(ids), col(Notification.mailed_at).is_(None))
        .values(mailed_at=now)
    )
    if result.rowcount != len(ids):
        raise Conflict("notification_taken")


# ---------------------------------------------------------------- letters


def _link(path: str) -> str:
    return f"{get_settings().app_url.rstrip('/')}{path}"


def _letter_html(paragraphs: list[str], lines: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><a href="{html.escape(_link(link))}">{html.escape(line)}</a></li>'
        for line, link in lines
    )
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[:1])
    tail = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[1:])
    page = f"{body}<ul>{items}</ul>{tail}"
    return f'<!doctype html><html><body style="font-family:sans-serif">{page}</body></html>'


def queue_instant_letter(
    session: Session, notification: Notification, user: User, shown: Rendered | None = None
) -> None:
    """The letter of one notification; `shown`: its line as a batch rendered it already."""
    language = user.locale
    if shown is None:
        shown = render(session, notification, language, letter=True)
    footer = text("notification.mail.footer", language, link=_link(routes_notifications()))
    greeting = text("notification.mail.greeting", language)
    body = f"{greeting}\n\n{shown.line}\n{_link(shown.link)}\n\n{footer}\n"
    queue_mail(
        session,
        user.email,
        shown.line,
        body,
        html=_letter_html([greeting, footer], [(shown.line, shown.link)]),
        dedup_key=f"notification:{notification.id}",
    )


def routes_notifications() -> str:
    return getattr(routes, "NOTIFICATIONS", "/notifications")


def _mail_one(session: Session, notification_id: int, now: datetime) -> int:
    """The letter for one notification, once; 0 when it is not (or no longer) for now. What
    a batch that failed falls back to, one transaction a notification. Its row is locked
    before its address is counted, the order `_mail_batch` takes them in (row, then
    address): the other way round, each could wait for what the other holds."""
    notification = locked(session, Notification, notification_id)
    if notification is None or notification.mailed_at is not None:
        return 0
    key = f"notification:{notification_id}"
    if session.exec(select(OutgoingMail.id).where(OutgoingMail.dedup_key == key)).first():
        _take(session, [notification_id], now)  # its letter is queued already: settled
        return 0
    user = session.get(User, notification.user_id)
    if user is None or not user.is_active:
        return 0
    mode, _digests = _mode(session, user.id or 0)
    if mode != MailMode.INSTANT:
        return 0
    try:
        spend_attempt(session, "notification_mail", "email", user.email, now=now)
    except TooManyAttempts:
        return 0  # left for the digest
    _take(session, [notification_id], now)
    queue_instant_letter(session, notification, user)
    return 1


def _mail_batch(session: Session, ids: list[int], now: datetime) -> int:
    """The letters for a batch of notifications in one transaction: each one not yet mailed
    is claimed (on PostgreSQL one another dispatcher is claiming is skipped: it is theirs),
    counted against its address's hourly limit (all the addresses at once, locked in
    `spend_attempts`'s one order; past the limit it waits for the digest), given its letter
    and marked mailed, all or none. The batch's lines are rendered together (`render_many`)."""
    claimed = session.exec(
        select(Notification)
        .where(col(Notification.id).in_(ids), col(Notification.mailed_at).is_(None))
        .order_by(col(Notification.id))
        .with_for_update(skip_locked=True, key_share=True)
    ).all()
    if not claimed:
        return 0
    user_ids = sorted({n.user_id for n in claimed})
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}
    not_instant = set(
        session.exec(
            select(NotificationPreference.user_id).where(
                col(NotificationPreference.user_id).in_(user_ids),
                NotificationPreference.mode != MailMode.INSTANT.value,
            )
        ).all()
    )
    by_address: dict[str, list[tuple[Notification, User]]] = {}
    for notification in claimed:
        user = users.get(notification.user_id)
        if user is None or not user.is_active or user.id in not_instant:
            continue
        by_address.setdefault(user.email.strip().lower(), []).append((notification, user))
    addresses = sorted(by_address)
    allowed = spend_attempts(
        session, "notification_mail", "email", {a: len(by_address[a]) for a in addresses}, now=now
    )
    letters: list[tuple[Notification, User]] = []
    for address in addresses:  # past the limit, an address's others wait for the digest
        letters += by_address[address][: allowed[address]]
    if not letters:
        return 0
    _take(session, [n.id for n, _user in letters if n.id is not None], now)
    shown = render_many(
        session, [n for n, _user in letters], [user.locale for _n, user in letters], letter=True
    )
    for (notification, user), line in zip(letters, shown, strict=True):
        queue_instant_letter(session, notification, user, line)
    return len(letters)


def dispatch_instant(engine: Engine, now: datetime | None = None) -> int:
    """A letter for each recent event of the people who want them at once, page by page, so
    a flood for one person (left for the digest past the limit) never starves the others.

    A batch of notifications is one transaction (`_mail_batch`). When a batch fails for
    anything but contention, its notifications go one transaction each, so one that cannot
    be mailed never holds back, or sends twice, the others of its batch."""
    now = now or utcnow()
    sent, after = 0, 0
    while True:
        with read_session(engine) as session:
            ids = [
                notification_id
                for notification_id in session.exec(
                    select(Notification.id)
                    .outerjoin(
                        NotificationPreference,
                        col(NotificationPreference.user_id) == col(Notification.user_id),
                    )
                    .where(
                        col(Notification.id) > after,
                        col(Notification.mailed_at).is_(None),
                        col(Notification.created_at) >= now - INSTANT_WINDOW,
                        or_(
                            col(NotificationPreference.mode).is_(None),
                            col(NotificationPreference.mode) == MailMode.INSTANT.value,
                        ),
                    )
                    .order_by(col(Notification.id))
                    .limit(BATCH)
                ).all()
                if notification_id is not None
            ]
        for start in range(0, len(ids), LETTERS_PER_TRANSACTION):
            sent += _dispatch(engine, ids[start : start + LETTERS_PER_TRANSACTION], now)
        if len(ids) < BATCH:
            return sent
        after = ids[-1]


def _dispatch(engine: Engine, ids: list[int], now: datetime) -> int:
    try:
        return atomically(partial(_mail_batch, ids=ids, now=now), engine)
    except Busy:  # others kept the rows: the next round takes what is left
        log.info("notifications %s..%s not mailed now: busy", ids[0], ids[-1])
        return 0
    except Exception:
        log.warning("a batch of letters failed; its notifications go one by one", exc_info=True)
    sent = 0
    for notification_id in ids:
        try:
            sent += atomically(partial(_mail_one, notification_id=notification_id, now=now), engine)
        except DomainError as error:  # taken by another worker, or busy: fine either way
            log.info("notification %s not mailed now: %s", notification_id, error.code)
        except Exception:  # this one only: it waits (and then the digest tries it)
            log.exception("notification %s could not be mailed", notification_id)
    return sent


def digest_key(user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def _digest_for(session: Session, user_id: int, now: datetime) -> int:
    """Today's digest for one person: what is not mailed yet (only money movements for
    those who asked for what the law requires). 0 when there is nothing, or it went already."""
    key = digest_key(user_id, now.date())
    if session.exec(select(OutgoingMail.id).where(OutgoingMail.dedup_key == key)).first():
        return 0
    user = session.get(User, user_id)
    if user is None:
        return 0
    mode, digests = _mode(session, user_id)
    pending = session.exec(
        select(Notification)
        .where(Notification.user_id == user_id, col(Notification.mailed_at).is_(None))
        .order_by(col(Notification.created_at), col(Notification.id))
        .limit(BATCH)
    ).all()
    chosen = [n for n in pending if mode != MailMode.REQUIRED or is_money(n.kind)]
    if not digests or not user.is_active:  # unsubscribed: they stay in the centre only
        chosen = []
    # every pending one is settled: mailed now, or (not chosen) never; all stay in the centre
    _take(session, [n.id for n in pending if n.id is not None], now)
    if not chosen:
        return 0
    language = user.locale
    lines = render_many(session, chosen, language, letter=True)
    token = unsubscribe_token(session, user_id)
    unsubscribe = _link(f"{UNSUBSCRIBE_PATH}?token={token}")
    greeting = text("notification.mail.greeting", language)
    intro = text("notification.digest.intro", language, count=len(lines))
    footer = text(
        "notification.digest.footer",
        language,
        link=_link(routes_notifications()),
        unsubscribe=unsubscribe,
    )
    body = "\n".join(
        [greeting, "", intro, ""]
        + [f"- {shown.line}\n  {_link(shown.link)}" for shown in lines]
        + ["", footer, ""]
    )
    queue_mail(
        session,
        user.email,
        text("notification.digest.subject", language, count=len(lines)),
        body,
        html=_letter_html(
            [f"{greeting} {intro}", footer], [(shown.line, shown.link) for shown in lines]
        ),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        dedup_key=key,
    )
    return 1


def send_digests(engine: Engine, now: datetime | None = None, *, force: bool = False) -> int:
    """Once a day from the configured hour (UTC): a digest for everyone with something
    waiting. `force` sends regardless of the hour (tests, the command line)."""
    now = now or utcnow()
    if not force and now.hour < get_settings().digest_hour_utc:
        return 0
    with read_session(engine) as session:
        users = session.exec(
            select(Notification.user_id).where(col(Notification.mailed_at).is_(None)).distinct()
        ).all()
    sent = 0
    for user_id in sorted(users):
        try:
            sent += atomically(partial(_digest_for, user_id=user_id, now=now), engine)
        except DomainError as error:
            log.info("digest for user %s not sent now: %s", user_id, error.code)
    return sent


# ---------------------------------------------------------------- expiry warnings


def _accounts_to_warn(session: Session, today: date, days: int) -> list[int]:
    """Accounts with unspent money in an open period that closes within `days`, not warned."""
    rows = session.exec(
        select(CertificateAccount)
        .join(FundingPeriod, col(FundingPeriod.id) == col(CertificateAccount.period_id))
        .outerjoin(ExpiryWarning, col(ExpiryWarning.account_id) == col(CertificateAccount.id))
        .where(
            FundingPeriod.status == "open",
            col(FundingPeriod.ends_on) >= today,
            col(FundingPeriod.ends_on) <= today + timedelta(days=days),
            col(ExpiryWarning.account_id).is_(None),
        )
        .order_by(col(CertificateAccount.id))
    ).all()
    return [a.id for a in rows if a.id is not None and a.available_minor > 0]


def _warn_account(session: Session, account_id: int, now: datetime) -> int:
    if session.get(ExpiryWarning, account_id) is not None:
        return 0
    account = session.get(CertificateAccount, account_id)
    if account is None or account.available_minor <= 0:
        return 0
    period = session.get(FundingPeriod, account.period_id)
    certificate = session.get(Certificate, account.certificate_id)
    child = session.get(Child, certificate.child_id) if certificate else None
    if period is None or child is None:
        return 0
    session.add(ExpiryWarning(account_id=account_id, warned_at=now))
    session.add(
        Notification(
            user_id=child.guardian_id,
            kind=EXPIRY_KIND,
            payload={
                "account_id": account_id,
                "amount_minor": account.available_minor,
                "expires_on": period.ends_on.isoformat(),
            },
        )
    )
    return 1


def warn_expiring(engine: Engine, now: datetime | None = None, days: int | None = None) -> int:
    now = now or utcnow()
    days = get_settings().expiry_warning_days if days is None else days
    with read_session(engine) as session:
        due = _accounts_to_warn(session, now.date(), days)
    warned = 0
    for account_id in due:
        try:
            warned += atomically(partial(_warn_account, account_id=account_id, now=now), engine)
        except DomainError as error:  # warned by another worker at the same moment
            log.info("expiry warning for account %s not written now: %s", account_id, error.code)
    return warned


def _wallets_to_warn(session: Session, today: date, days: int) -> list[int]:
    """School wallets with unspent money in an open culture year whose services end (its
    window) within `days`."""
    rows = session.exec(
        select(SchoolWallet)
        .join(CulturePassYear, col(CulturePassYear.id) == col(SchoolWallet.year_id))
        .where(
            CulturePassYear.status == YearStatus.OPEN,
            col(CulturePassYear.window_end) >= today,
            col(CulturePassYear.window_end) <= today + timedelta(days=days),
        )
        .order_by(col(SchoolWallet.id))
    ).all()
    return [w.id for w in rows if w.id is not None and w.available_minor > 0]


def _warned_wallet(session: Session, wallet: SchoolWallet) -> bool:
    coordinators = select(SchoolCoordinator.user_id).where(
        SchoolCoordinator.school_id == wallet.school_id
    )
    payloads = session.exec(
        select(Notification.payload).where(
            Notification.kind == CULTURE_EXPIRY_KIND,
            col(Notification.user_id).in_(coordinators),
        )
    ).all()
    return any(isinstance(p, dict) and p.get("wallet_id") == wallet.id for p in payloads)


def _warn_wallet(session: Session, wallet_id: int) -> int:
    """Once per wallet: the wallet's lock makes two workers at the same moment take turns."""
    wallet = locked(session, SchoolWallet, wallet_id)
    if wallet is None or wallet.available_minor <= 0 or _warned_wallet(session, wallet):
        return 0
    year = session.get(CulturePassYear, wallet.year_id)
    if year is None or year.status != YearStatus.OPEN:
        return 0
    notify_school(
        session,
        wallet.school_id,
        CULTURE_EXPIRY_KIND,
        {
            "wallet_id": wallet.id,
            "year": str(year.year),
            "amount_minor": wallet.available_minor,
            "currency": CULTURE_CURRENCY,
            "expires_on": year.window_end.isoformat(),
        },
    )
    return 1


def warn_culture_expiring(
    engine: Engine, now: datetime | None = None, days: int | None = None
) -> int:
    """A school's coordinators are told, `days` before the year's services end, what is left
    unspent in its wallet (lost at the year's end)."""
    now = now or utcnow()
    days = get_settings().expiry_warning_days if days is None else days
    with read_session(engine) as session:  # the programme's calendar day, not UTC's
        due = _wallets_to_warn(session, local_day(now), days)
    warned = 0
    for wallet_id in due:
        try:
            warned += atomically(partial(_warn_wallet, wallet_id=wallet_id), engine)
        except DomainError as error:
            log.info("expiry warning for wallet %s not written now: %s", wallet_id, error.code)
    return warned


def run_notification_jobs(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """One round: warnings first (so they are mailed in the same round), letters, digests."""
    now = now or utcnow()
    return {
        "expiry_warnings": warn_expiring(engine, now),
        "culture_expiry_warnings": warn_culture_expiring(engine, now),
        "notification_letters": dispatch_instant(engine, now),
        "digests": send_digests(engine, now),
    }
