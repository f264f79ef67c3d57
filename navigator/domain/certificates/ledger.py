"""The certificate ledger: the only code that moves certificate money.

Each movement appends one LedgerEntry and updates the account's counters in the same
transaction, under the account's row lock. The idempotency key is unique, so the same
request twice finds its entry and changes nothing.

    credit  → available +        hold    → available −, held +
    capture → held −, spent +    release → held −, available +
    refund  → spent back to available    expire  → available −
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func
from sqlmodel import Session, select

from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import Notification
from navigator.domain.shared.validation import check_row_id


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
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError(f"a ledger amount is a positive integer, got {amount_minor!r}")
    account = locked(session, CertificateAccount, account_id)
    if account is None:
        raise ValueError(f"no certificate account {account_id}")
    existing = find_entry(session, idempotency_key)
    if existing is not None:
        same = (existing.account_id, existing.kind, existing.amount_minor)
        if same != (account_id, kind, amount_minor):
            raise ValueError(f"idempotency key {idempotency_key!r} was used for another movement")
        return existing

    _apply(account, kind, amount_minor)
    entry = LedgerEntry(
        account_id=account_id,
        kind=kind,
        amount_minor=amount_minor,
        idempotency_key=idempotency_key,
        actor_id=actor_id,
        enrollment_id=enrollment_id,
        attendance_id=attendance_id,
        note=note,
    )
    session.add(account)
    session.add(entry)
    session.flush()
    if notify_user_id is not None:
        session.add(
            Notification(
                user_id=notify_user_id,
                kind=f"certificate.{kind.value}",
                payload={
                    "entry_id": entry.id,
                    "account_id": account_id,
                    "amount_minor": amount_minor,
                    "enrollment_id": enrollment_id,
                },
            )
        )
    return entry


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
