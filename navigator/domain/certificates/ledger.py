"""The certificate ledger: the only code that moves certificate money.

Each movement appends one LedgerEntry and updates the account's counters in the same
transaction, under the account's row lock. The idempotency key is unique, so the same
request twice finds its entry and changes nothing.

    credit  → available +        hold    → available −, held +
    capture → held −, spent +    release → held −, available +
    refund  → spent back to available    expire  → available −
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func
from sqlmodel import Session, col, select

from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import Notification
from navigator.domain.shared.validation import check_row_id, is_row_id


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, entry: LedgerEntry) -> None:
    """The ledger is append-only: a correction is a new entry, never an edit."""
    raise PermissionError(f"ledger entry {entry.id} cannot be changed or deleted")


def find_entry(session: Session, idempotency_key: str) -> LedgerEntry | None:
    if not isinstance(idempotency_key, str):
        return None
    return session.exec(
        select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key)
    ).first()


@dataclass(frozen=True)
class Movement:
    """One movement to append: what `post` takes, for `post_many`."""

    account_id: int
    kind: EntryKind
    amount_minor: int
    idempotency_key: str
    actor_id: int | None
    notify_user_id: int | None
    enrollment_id: int | None = None
    attendance_id: int | None = None
    note: str = ""


def post(
    session: Session,
    account_id: int,
    kind: EntryKind,
    amount_minor: int,
    idempotency_key: str,
    *,
    actor_id: int | None,
    notify_user_id: int | None,
    enrollment_id: int | None = None,
    attendance_id: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """Append one movement; returns the existing entry when the key was already used."""
    movement = Movement(
        account_id,
        kind,
        amount_minor,
        idempotency_key,
        actor_id,
        notify_user_id,
        enrollment_id=enrollment_id,
        attendance_id=attendance_id,
        note=note,
    )
    return post_many(session, [movement])[0]


def post_many(session: Session, movements: Sequence[Movement]) -> list[LedgerEntry]:
    """Append several movements at once (a register's captures), each exactly as `post`
    would, in the order given; the entries in that order, an existing one for a key already
    used. Every account is locked before any is changed, in id order (so two batches sharing
    accounts never wait for each other in a circle), in one statement; the used keys are
    read in one, and the entries and counters written in one flush."""
    for movement in movements:
        amount = movement.amount_minor
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError(f"a ledger amount is a positive integer, got {amount!r}")
    wanted = sorted({m.account_id for m in movements if is_row_id(m.account_id)})
    rows = (
        [locked(session, CertificateAccount, wanted[0])]  # one, as ever: by its id
        if len(wanted) == 1
        else locked_rows(
            session,
            CertificateAccount,
            select(CertificateAccount)
            .where(col(CertificateAccount.id).in_(wanted))
            .order_by(col(CertificateAccount.id)),
        )
    )
    accounts = {account.id: account for account in rows if account is not None}
    keys = [m.idempotency_key for m in movements if isinstance(m.idempotency_key, str)]
    used: dict[str, LedgerEntry] = (
        {
            entry.idempotency_key: entry
            for entry in session.exec(
                select(LedgerEntry).where(col(LedgerEntry.idempotency_key).in_(keys))
            ).all()
        }
        if keys
        else {}
    )
    entries: list[LedgerEntry] = []
    new: list[tuple[Movement, LedgerEntry]] = []
    for movement in movements:
        account = accounts.get(movement.account_id)
        if account is None:
            raise ValueError(f"no certificate account {movement.account_id}")
        existing = used.get(movement.idempotency_key)
        if existing is not None:
            same = (existing.account_id, existing.kind, existing.amount_minor)
            if same != (movement.account_id, movement.kind, movement.amount_minor):
                raise ValueError(
                    f"idempotency key {movement.idempotency_key!r} was used for another movement"
                )
            entries.append(existing)
            continue
        _apply(account, movement.kind, movement.amount_minor)
        entry = LedgerEntry(
            account_id=movement.account_id,
            kind=movement.kind,
            amount_minor=movement.amount_minor,
            idempotency_key=movement.idempotency_key,
            actor_id=movement.actor_id,
            enrollment_id=movement.enrollment_id,
            attendance_id=movement.attendance_id,
            note=movement.note,
        )
        session.add(account)
        session.add(entry)
        used[movement.idempotency_key] = entry  # the same key twice in one batch: one entry
        entries.append(entry)
        new.append((movement, entry))
    if not new:
        return entries
    session.flush()
    for movement, entry in new:
        if movement.notify_user_id is not None:
            session.add(
                Notification(
                    user_id=movement.notify_user_id,
                    kind=f"certificate.{movement.kind.value}",
                    payload={
                        "entry_id": entry.id,
                        "account_id": movement.account_id,
                        "amount_minor": movement.amount_minor,
                        "enrollment_id": movement.enrollment_id,
                    },
                )
            )
    return entries


def _apply(account: CertificateAccount, kind: EntryKind, amount: int) -> None:
    """Update the counters, refusing anything that would take the balance below zero."""
    if kind is EntryKind.CREDIT:
        account.credited_minor += amount
    elif kind is EntryKind.HOLD:
        if amount > account.available_minor:
            raise Conflict("insufficient_balance", available_minor=account.available_minor)
        account.held_minor += amount
    elif kind is EntryKind.CAPTURE:
        if amount > account.held_minor:
            raise Conflict("capture_exceeds_hold")
        account.held_minor -= amount
        account.captured_minor += amount
    elif kind is EntryKind.RELEASE:
        if amount > account.held_minor:
            raise Conflict("release_exceeds_hold")
        account.held_minor -= amount
    elif kind is EntryKind.REFUND:
        if amount > account.captured_minor - account.refunded_minor:
            raise Conflict("refund_exceeds_spent")
        account.refunded_minor += amount
    elif kind is EntryKind.EXPIRE:
        if amount > account.available_minor:
            raise Conflict("insufficient_balance", available_minor=account.available_minor)
        account.expired_minor += amount
    else:  # pragma: no cover - EntryKind is closed
        raise ValueError(kind)


@dataclass(frozen=True)
class LedgerSums:
    """An account's figures recomputed from its entries alone."""

    credited: int
    held: int
    captured: int
    released: int
    refunded: int
    expired: int

    @property
    def active_holds(self) -> int:
        return self.held - self.captured - self.released

    @property
    def balance(self) -> int:
        return self.credited + self.refunded - self.captured - self.active_holds - self.expired


def ledger_sums(session: Session, account_id: int) -> LedgerSums:
    check_row_id(account_id)
    rows = session.exec(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .where(LedgerEntry.account_id == account_id)
        .group_by(LedgerEntry.kind)
    ).all()
    sums = {kind: int(total) for kind, total in rows}
    return LedgerSums(
        credited=sums.get(EntryKind.CREDIT, 0),
        held=sums.get(EntryKind.HOLD, 0),
        captured=sums.get(EntryKind.CAPTURE, 0),
        released=sums.get(EntryKind.RELEASE, 0),
        refunded=sums.get(EntryKind.REFUND, 0),
        expired=sums.get(EntryKind.EXPIRE, 0),
    )


def period_money(session: Session, period_id: int) -> tuple[int, int]:
    """(committed, spent) of a funding period: its open holds, and captures less refunds."""
    check_row_id(period_id)
    committed, spent = session.exec(
        select(
            func.coalesce(func.sum(CertificateAccount.held_minor), 0),
            func.coalesce(
                func.sum(CertificateAccount.captured_minor - CertificateAccount.refunded_minor), 0
            ),
        ).where(CertificateAccount.period_id == period_id)
    ).one()
    return int(committed), int(spent)
