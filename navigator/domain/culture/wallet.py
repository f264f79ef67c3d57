"""A school's wallet: the only code that moves culture-pass money.

Each movement appends one WalletEntry and updates the wallet's counters in the same
transaction, under the wallet's row lock; the idempotency key is unique, so the same request
twice finds its entry and changes nothing.

    allocation, adjust_up → allocated +      adjust_down → allocated − (from what is free)
    hold    → available −, held +            release → held −, available +
    charge  → held −, charged +              refund  → charged back to available
    expiry  → available −
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func
from sqlmodel import Session, select

from navigator.domain.culture.models import SchoolWallet, WalletEntry, WalletEntryKind
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.locks import locked
from navigator.domain.shared.validation import check_row_id


@event.listens_for(WalletEntry, "before_update")
@event.listens_for(WalletEntry, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, entry: WalletEntry) -> None:
    """Append-only: a correction is a new entry, never an edit."""
    raise PermissionError(f"wallet entry {entry.id} cannot be changed or deleted")


def post(
    session: Session,
    wallet_id: int,
    kind: WalletEntryKind,
    amount_minor: int,
    idempotency_key: str,
    *,
    actor_id: int | None,
    booking_id: int | None = None,
    note: str = "",
) -> WalletEntry:
    """Append one movement; the existing entry when the key was already used."""
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError(f"a wallet amount is a positive integer, got {amount_minor!r}")
    wallet = locked(session, SchoolWallet, wallet_id)
    if wallet is None:
        raise ValueError(f"no school wallet {wallet_id}")
    existing = session.exec(
        select(WalletEntry).where(WalletEntry.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        if (existing.wallet_id, existing.kind, existing.amount_minor) != (
            wallet_id,
            kind,
            amount_minor,
        ):
            raise ValueError(f"idempotency key {idempotency_key!r} was used for another movement")
        return existing
    _apply(wallet, kind, amount_minor)
    entry = WalletEntry(
        wallet_id=wallet_id,
        kind=kind,
        amount_minor=amount_minor,
        idempotency_key=idempotency_key,
        booking_id=booking_id,
        actor_id=actor_id,
        note=note,
    )
    session.add(wallet)
    session.add(entry)
    session.flush()
    return entry


def _apply(wallet: SchoolWallet, kind: WalletEntryKind, amount: int) -> None:
    """Update the counters, refusing anything that would take the wallet below zero."""
    available = wallet.available_minor
    if kind in (WalletEntryKind.ALLOCATION, WalletEntryKind.ADJUSTMENT_UP):
        wallet.allocated_minor += amount
    elif kind is WalletEntryKind.ADJUSTMENT_DOWN:
        if amount > available:
            raise Conflict("wallet_insufficient", available=available, total=amount)
        wallet.allocated_minor -= amount
    elif kind is WalletEntryKind.HOLD:
        if amount > available:
            raise Conflict("wallet_insufficient", available=available, total=amount)
        wallet.held_minor += amount
    elif kind is WalletEntryKind.RELEASE:
        if amount > wallet.held_minor:
            raise ValueError("a release larger than what is held")
        wallet.held_minor -= amount
    elif kind is WalletEntryKind.CHARGE:
        if amount > wallet.held_minor:
            raise ValueError("a charge larger than what is held")
        wallet.held_minor -= amount
        wallet.charged_minor += amount
    elif kind is WalletEntryKind.REFUND:
        if amount > wallet.charged_minor - wallet.refunded_minor:
            raise ValueError("a refund larger than what was charged")
        wallet.refunded_minor += amount
    elif kind is WalletEntryKind.EXPIRY:
        if amount > available:
            raise ValueError("an expiry larger than what is available")
        wallet.expired_minor += amount
    else:  # pragma: no cover - the kinds are closed
        raise ValueError(kind)


@dataclass(frozen=True)
class WalletSums:
    """A wallet's figures recomputed from its entries alone (reports and invariants)."""

    allocated: int
    held: int
    charged: int
    refunded: int
    expired: int

    @property
    def available(self) -> int:
        return self.allocated + self.refunded - self.charged - self.held - self.expired


def wallet_sums(session: Session, wallet_id: int) -> WalletSums:
    check_row_id(wallet_id)
    by_kind: dict[str, int] = {
        kind: int(total)
        for kind, total in session.exec(
            select(WalletEntry.kind, func.sum(WalletEntry.amount_minor))
            .where(WalletEntry.wallet_id == wallet_id)
            .group_by(WalletEntry.kind)
        ).all()
    }

    def of(kind: WalletEntryKind) -> int:
        return by_kind.get(kind.value, 0)

    released = of(WalletEntryKind.RELEASE)
    charged = of(WalletEntryKind.CHARGE)
    return WalletSums(
        allocated=of(WalletEntryKind.ALLOCATION)
        + of(WalletEntryKind.ADJUSTMENT_UP)
        - of(WalletEntryKind.ADJUSTMENT_DOWN),
        held=of(WalletEntryKind.HOLD) - released - charged,
        charged=charged,
        refunded=of(WalletEntryKind.REFUND),
        expired=of(WalletEntryKind.EXPIRY),
    )
