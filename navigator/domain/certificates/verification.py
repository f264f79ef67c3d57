"""A certificate is funded only for a real, verified child.

A parent's request names the child's national identifier. It is verified at once when a
registry file the municipality imported has the same identifier and birth date and names
this parent (by e-mail) as the guardian; otherwise it waits in the municipality's queue,
where an official approves it or refuses it with a reason the parent reads.

One child, one certificate: the identifier's keyed digest is unique among verified
children, whoever typed the name and birth date. Another family that knows a child's name
and birth date gets nothing: without the identifier and the registry's guardian, their
request waits for an official, who sees that another request or child holds it.

A verified child's names, birth date and identifier change only through a new request; a
category (disability, large family: a larger nominal) is verified in the same queue.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from navigator.domain.accounts import national_ids
from navigator.domain.accounts.access import Actor, check_guardian, check_municipality_admin
from navigator.domain.accounts.children import check_birth_date, same_child
from navigator.domain.accounts.models import Child, ChildCategory, User
from navigator.domain.certificates.models import (
    Certificate,
    RegistryChild,
    RequestKind,
    RequestStatus,
    VerificationRequest,
)
from navigator.domain.municipalities.models import Municipality
from navigator.domain.municipalities.queries import municipality_for_admin
from navigator.domain.notifications import fanout
from navigator.domain.shared import audit
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import Notification, utcnow
from navigator.domain.shared.validation import check_choice, check_date, check_text

MAX_REGISTRY_ROWS = 200_000
REGISTRY_COLUMNS = ("national_id", "birth_date", "category", "guardian_email")


@dataclass(frozen=True)
class Identity:
    """Who the parent says the child is; the identifier exactly as typed."""

    first_name: str
    last_name: str
    birth_date: date
    national_id: str


def request_identity(
    session: Session, actor: Actor, child_id: int, identity: Identity
) -> VerificationRequest:
    """The parent asks for the child to be verified (to get a certificate, or after a
    change to a verified child's identity). Approved at once on a registry match that names
    this parent; otherwise pending in the municipality's queue."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    if not isinstance(identity, Identity):
        raise InvalidInput("field_required", field="national_id")
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    first_name = check_text(identity.first_name, "first_name", max_length=100)
    last_name = check_text(identity.last_name, "last_name", max_length=100)
    birth_date = check_birth_date(identity.birth_date, local_today(municipality))
    normalized = national_ids.normalize(municipality.country, identity.national_id, birth_date)
    digest = national_ids.digest(municipality.country, normalized)
    if (
        child.verified
        and child.national_id_digest == digest
        and (child.first_name, child.last_name, child.birth_date)
        == (first_name, last_name, birth_date)
    ):
        raise Conflict("identity_unchanged")
    request = _identity_request(
        session, child, (first_name, last_name, birth_date), digest, national_ids.hint(normalized)
    )
    request.registry_note, row = _registry_match(session, child, request)
    session.add(request)
    session.flush()
    if row is not None:
        _approve(session, Actor.system(), child, request, registry_category=row.category)
    else:
        fanout.notify_municipality(
            session, request.municipality_id, "queue.verification", {"request_id": request.id}
        )
    return request


def request_identity_change(
    session: Session,
    actor: Actor,
    child_id: int,
    *,
    first_name: str,
    last_name: str,
    birth_date: date,
) -> VerificationRequest:
    """A verified child's names or birth date corrected: the same identifier, new details,
    waiting for an official (the child keeps its verified details until then)."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    if not child.verified or not child.national_id_digest:
        raise Conflict("child_not_verified")
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    first_name = check_text(first_name, "first_name", max_length=100)
    last_name = check_text(last_name, "last_name", max_length=100)
    birth_date = check_birth_date(birth_date, local_today(municipality))
    if (first_name, last_name, birth_date) == (child.first_name, child.last_name, child.birth_date):
        raise Conflict("identity_unchanged")
    request = _identity_request(
        session,
        child,
        (first_name, last_name, birth_date),
        child.national_id_digest,
        child.national_id_hint,
    )
    request.registry_note = "registry_identity_change"
    session.add(request)
    session.flush()
    fanout.notify_municipality(
        session, request.municipality_id, "queue.verification", {"request_id": request.id}
    )
    return request


def _identity_request(
    session: Session,
    child: Child,
    names_and_birth: tuple[str, str, date],
    digest: str,
    hint: str,
) -> VerificationRequest:
    """A new identity request for the child, replacing one still waiting."""
    _withdraw_pending(session, child, RequestKind.IDENTITY)
    first_name, last_name, birth_date = names_and_birth
    return VerificationRequest(
        child_id=child.id or 0,
        guardian_id=child.guardian_id,
        municipality_id=child.municipality_id,
        kind=RequestKind.IDENTITY,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        national_id_digest=digest,
        national_id_hint=hint,
    )


def request_category(
    session: Session, actor: Actor, child_id: int, category: str
) -> VerificationRequest:
    """The parent asks for a category (disability, large family); an official verifies it."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    category = check_choice(category, "category", ChildCategory)
    if category == child.category:
        raise Conflict("category_unchanged")
    _withdraw_pending(session, child, RequestKind.CATEGORY)
    request = VerificationRequest(
        child_id=child.id or 0,
        guardian_id=child.guardian_id,
        municipality_id=child.municipality_id,
        kind=RequestKind.CATEGORY,
        category=category,
        registry_note="registry_category_manual",
    )
    session.add(request)
    session.flush()
    fanout.notify_municipality(
        session, request.municipality_id, "queue.verification", {"request_id": request.id}
    )
    return request


def _withdraw_pending(session: Session, child: Child, kind: RequestKind) -> None:
    """A new request replaces the child's earlier one of the same kind still waiting."""
    for earlier in session.exec(
        select(VerificationRequest).where(
            VerificationRequest.child_id == child.id,
            VerificationRequest.kind == kind,
            VerificationRequest.status == RequestStatus.PENDING,
        )
    ):
        earlier.status, earlier.decided_at = RequestStatus.WITHDRAWN, utcnow()
        session.add(earlier)


def _registry_match(
    session: Session, child: Child, request: VerificationRequest
) -> tuple[str, RegistryChild | None]:
    """("", the row) when the registry verifies the request; else why an official has to
    look, and no row."""
    holder = session.exec(
        select(Child.id).where(
            Child.national_id_digest == request.national_id_digest, Child.id != child.id
        )
    ).first()
    if holder is not None:
        return "registry_identifier_taken", None
    if _legacy_namesake(session, child, request):
        return "registry_possible_duplicate", None
    row = session.exec(
        select(RegistryChild).where(
            RegistryChild.municipality_id == child.municipality_id,
            RegistryChild.national_id_digest == request.national_id_digest,
        )
    ).first()
    if row is None:
        return "registry_not_found", None
    if row.birth_date != request.birth_date:
        return "registry_birth_date_differs", None
    guardian = get_row(session, User, child.guardian_id)
    if guardian is None or row.guardian_email.casefold() != guardian.email.casefold():
        return "registry_guardian_differs", None
    return "", row


def _legacy_namesake(session: Session, child: Child, request: VerificationRequest) -> bool:
    """Another child of the municipality, certified before identifiers were asked (so with
    none stored), with this name and birth date: perhaps the same child typed by another
    account. An official looks; the registry never verifies it alone."""
    birth_date = request.birth_date or child.birth_date
    candidates = session.exec(
        select(Child)
        .join(Certificate, col(Certificate.child_id) == Child.id)
        .where(
            Child.municipality_id == child.municipality_id,
            Child.birth_date == birth_date,
            Child.id != child.id,
            col(Child.national_id_digest).is_(None),
        )
    ).all()
    return any(
        same_child(
            c,
            request.first_name or child.first_name,
            request.last_name or child.last_name,
            birth_date,
        )
        for c in candidates
    )


def decide_request(
    session: Session, actor: Actor, request_id: int, decision: str, *, reason: str = ""
) -> VerificationRequest:
    """An official approves a pending request (its identity or category becomes the
    child's) or refuses it with a reason the parent reads."""
    if not isinstance(decision, str) or decision not in ("approve", "refuse"):
        raise InvalidInput("field_not_allowed", field="decision", allowed="approve, refuse")
    peek = get_row(session, VerificationRequest, request_id)
    if peek is None:
        raise NotFound()
    check_municipality_admin(session, actor, peek.municipality_id)
    child = locked(session, Child, peek.child_id)
    request = get_row(session, VerificationRequest, request_id)
    assert child is not None and request is not None
    session.refresh(request)  # read under the child's lock: decided once
    if request.status != RequestStatus.PENDING:
        raise Conflict("request_not_pending", status=request.status)
    if decision == "refuse":
        request.reason = check_text(reason, "reason", max_length=500)
        request.status, request.decided_at = RequestStatus.REFUSED, utcnow()
        request.decided_by_id = actor.user_id
        session.add(request)
        _record(session, actor, request, "child.refused")
        _notify(session, request)
        return request
    _approve(session, actor, child, request)
    return request


def _approve(
    session: Session,
    actor: Actor,
    child: Child,
    request: VerificationRequest,
    *,
    registry_category: str = ChildCategory.BASE,
) -> None:
    if request.kind == RequestKind.IDENTITY:
        holder = session.exec(
            select(Child.id).where(
                Child.national_id_digest == request.national_id_digest, Child.id != child.id
            )
        ).first()
        if holder is not None:
            raise Conflict("identifier_verified_elsewhere")
        if (
            child.birth_date != request.birth_date
            and session.exec(select(Certificate.id).where(Certificate.child_id == child.id)).first()
        ):
            raise Conflict("birth_date_locked")  # the certificate's validity hangs on it
        child.first_name, child.last_name = request.first_name, request.last_name
        child.birth_date = request.birth_date or child.birth_date
        child.national_id_digest = request.national_id_digest
        child.national_id_hint = request.national_id_hint
        child.verified_at = utcnow()
        if registry_category != ChildCategory.BASE:  # the registry verifies it too
            child.category = registry_category
    else:
        child.category = request.category
    request.status, request.decided_at = RequestStatus.APPROVED, utcnow()
    request.decided_by_id = actor.user_id
    session.add_all([child, request])
    session.flush()  # the unique digest: a race between two approvals ends here, as Conflict
    action = "child.verified" if request.kind == RequestKind.IDENTITY else "child.category"
    _record(session, actor, request, action)
    _notify(session, request)


def _record(session: Session, actor: Actor, request: VerificationRequest, action: str) -> None:
    audit.record(
        session,
        actor,
        request.municipality_id,
        action,
        "child",
        request.child_id,
        reason=request.reason,
        payload={"request_id": request.id, "kind": request.kind, "category": request.category},
    )


def _notify(session: Session, request: VerificationRequest) -> None:
    session.add(
        Notification(
            user_id=request.guardian_id,
            kind=f"verification.{request.status}",
            payload={"request_id": request.id, "child_id": request.child_id},
        )
    )


@dataclass(frozen=True)
class QueueItem:
    """A pending request with what an official needs to decide it, and no more."""

    request: VerificationRequest
    child_first_name: str
    child_last_name: str
    child_birth_date: date
    child_category: str
    district: str
    guardian_name: str
    guardian_email: str
    guardian_children: int
    # another child or pending request names the same identifier: look twice
    identifier_elsewhere: bool


def verification_queue(session: Session, actor: Actor, municipality_id: int) -> list[QueueItem]:
    """Pending requests of the municipality, oldest first."""
    municipality_for_admin(session, actor, municipality_id)
    rows = session.exec(
        select(VerificationRequest, Child, User)
        .join(Child, col(Child.id) == VerificationRequest.child_id)
        .join(User, col(User.id) == VerificationRequest.guardian_id)
        .where(
            VerificationRequest.municipality_id == municipality_id,
            VerificationRequest.status == RequestStatus.PENDING,
        )
        .order_by(col(VerificationRequest.created_at), col(VerificationRequest.id))
        .limit(200)
    ).all()
    items = []
    for request, child, guardian in rows:
        siblings = session.exec(select(Child.id).where(Child.guardian_id == guardian.id)).all()
        elsewhere = request.kind == RequestKind.IDENTITY and _legacy_namesake(
            session, child, request
        )
        elsewhere = elsewhere or (
            bool(request.national_id_digest)
            and (
                session.exec(
                    select(VerificationRequest.id).where(
                        VerificationRequest.national_id_digest == request.national_id_digest,
                        VerificationRequest.child_id != child.id,
                        col(VerificationRequest.status).in_(
                            [RequestStatus.PENDING, RequestStatus.APPROVED]
                        ),
                    )
                ).first()
                is not None
            )
        )
        items.append(
            QueueItem(
                request=request,
                child_first_name=child.first_name,
                child_last_name=child.last_name,
                child_birth_date=child.birth_date,
                child_category=child.category,
                district=child.district,
                guardian_name=guardian.full_name,
                guardian_email=guardian.email,
                guardian_children=len(siblings),
                identifier_elsewhere=elsewhere,
            )
        )
    return items


def latest_requests(session: Session, actor: Actor, child_id: int) -> list[VerificationRequest]:
    """The child's requests for its guardian, newest first: what is pending, and why a
    refused one was refused."""
    check_guardian(session, actor, get_row(session, Child, child_id))
    return list(
        session.exec(
            select(VerificationRequest)
            .where(
                VerificationRequest.child_id == child_id,
                VerificationRequest.status != RequestStatus.WITHDRAWN,
            )
            .order_by(col(VerificationRequest.id).desc())
            .limit(10)
        ).all()
    )


@dataclass
class RegistryReport:
    added: int = 0
    updated: int = 0
    verified: list[int] = field(default_factory=list)  # children the new rows verified
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


def import_registry(
    session: Session, actor: Actor, municipality_id: int, content: str
) -> RegistryReport:
    """A registry file (CSV: national_id, birth_date, category, guardian_email): each good
    row is stored as a digest, bad rows are reported by line and change nothing, and
    pending requests it now matches are verified."""
    municipality = municipality_for_admin(session, actor, municipality_id)
    if not isinstance(content, str):
        raise InvalidInput("import_columns_missing", columns=", ".join(REGISTRY_COLUMNS))
    reader = csv.DictReader(io.StringIO(content.removeprefix("\ufeff")))
    missing = [c for c in REGISTRY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("import_columns_missing", columns=", ".join(missing))
    report = RegistryReport()
    digests: list[str] = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_REGISTRY_ROWS:
            report.errors.append(
                (line, InvalidInput("import_too_many_rows", max=MAX_REGISTRY_ROWS))
            )
            break
        try:
            with session.begin_nested():
                digest, added = _registry_row(session, municipality, row)
        except DomainError as error:
            report.errors.append((line, error))
            continue
        digests.append(digest)
        report.added += added
        report.updated += not added
    report.verified = _verify_waiting(session, municipality_id, digests)
    audit.record(
        session,
        actor,
        municipality_id,
        "registry.imported",
        "municipality",
        municipality_id,
        payload={"added": report.added, "updated": report.updated, "errors": len(report.errors)},
    )
    return report


def _registry_row(
    session: Session, municipality: Municipality, row: dict[str, str | None]
) -> tuple[str, bool]:
    if None in row or any(value is None for value in row.values()):
        raise InvalidInput("import_row_shape")
    birth_date = _parse_date(row["birth_date"] or "")
    normalized = national_ids.normalize(municipality.country, row["national_id"], birth_date)
    digest = national_ids.digest(municipality.country, normalized)
    category = check_choice(
        (row["category"] or "").strip() or ChildCategory.BASE, "category", ChildCategory
    )
    email = check_text(row["guardian_email"] or "", "guardian_email", max_length=254)
    if "@" not in email:
        raise InvalidInput("email_invalid")
    existing = session.exec(
        select(RegistryChild).where(
            RegistryChild.municipality_id == municipality.id,
            RegistryChild.national_id_digest == digest,
        )
    ).first()
    entry = existing or RegistryChild(
        municipality_id=municipality.id or 0,
        national_id_digest=digest,
        birth_date=birth_date,
        guardian_email=email,
    )
    entry.birth_date, entry.category, entry.guardian_email = birth_date, category, email
    entry.imported_at = utcnow()
    session.add(entry)
    session.flush()
    return digest, existing is None


def _parse_date(text: str) -> date:
    try:
        return check_date(date.fromisoformat(text.strip()), "birth_date")
    except ValueError:
        raise InvalidInput("date_invalid", field="birth_date") from None


def _verify_waiting(session: Session, municipality_id: int, digests: list[str]) -> list[int]:
    """Pending identity requests the imported rows now match, verified as on request; the
    children verified."""
    verified: list[int] = []
    for start in range(0, len(digests), 500):
        waiting = session.exec(
            select(VerificationRequest.id, VerificationRequest.child_id)
            .where(
                VerificationRequest.municipality_id == municipality_id,
                VerificationRequest.kind == RequestKind.IDENTITY,
                VerificationRequest.status == RequestStatus.PENDING,
                col(VerificationRequest.national_id_digest).in_(digests[start : start + 500]),
            )
            .order_by(col(VerificationRequest.child_id))
        ).all()
        for request_id, child_id in waiting:
            child = locked(session, Child, child_id)
            request = get_row(session, VerificationRequest, request_id)
            assert child is not None and request is not None
            note, row = _registry_match(session, child, request)
            if row is None:
                request.registry_note = note
                session.add(request)
                continue
            try:
                with session.begin_nested():
                    _approve(
                        session, Actor.system(), child, request, registry_category=row.category
                    )
            except DomainError:
                continue
            verified.append(child_id)
    return verified
