"""Certification: a program is submitted, certified or rejected, suspended or reinstated.

Each decision is in the municipality's log; a certification keeps the program as certified,
which the next review is compared against."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin, check_provider_staff
from navigator.domain.municipalities.queries import municipality_for_admin
from navigator.domain.notifications import fanout
from navigator.domain.programs.api import check_not_archived
from navigator.domain.programs.models import (
    CERTIFIED_PHOTO,
    CERTIFIED_PROGRAM_FIELDS,
    CertificationStatus,
    Group,
    Program,
)
from navigator.domain.programs.photos import release_certified_photo
from navigator.domain.providers.models import Provider
from navigator.domain.shared import audit
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import AuditEvent, utcnow
from navigator.domain.shared.validation import check_choice, check_text


def set_certification(
    session: Session,
    actor: Actor,
    program_id: int,
    status: CertificationStatus | str,
    *,
    reason: str = "",
    seen: str | None = None,
) -> Program:
    """Moves a program along draft → submitted → certified / rejected; any program can be
    suspended, and a suspended one is reinstated to where it was.

    Certifying keeps the program's content and each group's terms as certified: the catalog
    and new applications use that version until the next certification. `seen` is the
    fingerprint of the version the deciding official was shown; certifying refuses another.
    A rejection or a suspension says why. Each move is in the audit log.
    """
    status = CertificationStatus(check_choice(status, "status", CertificationStatus))
    peek = get_row(session, Program, program_id)
    if peek is None:
        raise NotFound()
    if status is CertificationStatus.SUBMITTED:
        check_provider_staff(session, actor, peek.provider_id)
    else:
        check_municipality_admin(session, actor, peek.municipality_id)
    # the groups before the program (LOCK_ORDER): a group edit waits, or is seen
    groups = locked_rows(
        session, Group, select(Group).where(Group.program_id == peek.id).order_by(col(Group.id))
    )
    program = locked(session, Program, program_id)
    assert program is not None
    current = CertificationStatus(program.certification_status)
    allowed = {
        CertificationStatus.SUBMITTED: {CertificationStatus.DRAFT, CertificationStatus.REJECTED},
        CertificationStatus.CERTIFIED: {CertificationStatus.SUBMITTED},
        CertificationStatus.REJECTED: {CertificationStatus.SUBMITTED},
        CertificationStatus.SUSPENDED: set(CertificationStatus) - {CertificationStatus.SUSPENDED},
    }
    if current not in allowed[status]:
        raise Conflict("certification_transition", current=current.value, target=status.value)
    if status is CertificationStatus.SUBMITTED:
        check_not_archived(program)
        if not groups:
            raise Conflict("submit_without_groups")
    needs_reason = status in (CertificationStatus.REJECTED, CertificationStatus.SUSPENDED)
    reason = check_text(reason, "reason", max_length=500, required=needs_reason)
    payload: dict[str, Any] = {"from": current.value}
    if status is CertificationStatus.CERTIFIED:
        snapshot = program_snapshot(program, groups)
        if seen is not None and seen != fingerprint(snapshot):
            raise Conflict("certification_changed")
        _certify(session, program, groups)
        payload["snapshot"] = snapshot
    _move(session, actor, program, status, reason, payload)
    return program


def reinstate(session: Session, actor: Actor, program_id: int) -> Program:
    """A suspended program goes back to where it was: certified, in review, a draft…"""
    program = locked(session, Program, program_id)
    if program is None:
        raise NotFound()
    check_municipality_admin(session, actor, program.municipality_id)
    if program.certification_status != CertificationStatus.SUSPENDED:
        raise Conflict(
            "certification_transition",
            current=program.certification_status,
            target=CertificationStatus.CERTIFIED.value,
        )
    suspension = _last_decision(session, program.id or 0, "program.suspended")
    before = suspension.payload.get("from") if suspension else None
    target = (
        CertificationStatus(before)
        if before in set(CertificationStatus) - {CertificationStatus.SUSPENDED}
        else CertificationStatus.CERTIFIED
    )
    changed = (
        program.certified_version is None
        or program.shown != program.terms()
        or any(not g.certified for g in _groups(session, program))
    )
    if target is CertificationStatus.CERTIFIED and changed:
        target = CertificationStatus.SUBMITTED  # edited while suspended: to be reviewed
    _move(session, actor, program, target, "", {"from": "suspended", "reinstated": True})
    return program


def certify_imported(session: Session, program: Program, group: Group) -> None:
    """The operator's import of an already certified catalog: the program's content and the
    imported group are certified as imported. Other groups keep their own state: one with a
    change waiting for review still waits (the program stays in review until it is seen)."""
    if not program.is_free and group.price_per_lesson_minor <= 0:
        raise Conflict("certify_paid_group_without_price")
    before = program.shown[CERTIFIED_PHOTO]
    program.certified_version = program.terms()
    program.certified_at = utcnow()
    release_certified_photo(session, program, before)
    group.certified_terms = group.terms()
    waiting = [g for g in _groups(session, program) if g.id != group.id and not g.certified]
    program.certification_status = (
        CertificationStatus.SUBMITTED if waiting else CertificationStatus.CERTIFIED
    )
    session.add_all([program, group])


def _certify(session: Session, program: Program, groups: list[Group]) -> None:
    """Keeps the program and its groups as certified now."""
    if not groups:
        raise Conflict("certify_without_groups")
    if not program.is_free and any(g.price_per_lesson_minor <= 0 for g in groups):
        raise Conflict("certify_paid_group_without_price")
    before = program.shown[CERTIFIED_PHOTO]
    program.certified_version = program.terms()
    program.certified_at = utcnow()
    release_certified_photo(session, program, before)
    for group in groups:
        group.certified_terms = group.terms()


def _move(
    session: Session,
    actor: Actor,
    program: Program,
    status: CertificationStatus,
    reason: str,
    payload: dict[str, Any],
) -> None:
    program.certification_status = status
    program.updated_at = utcnow()
    session.add(program)
    session.flush()
    audit.record(
        session,
        actor,
        program.municipality_id,
        f"program.{status.value}" if not payload.get("reinstated") else "program.reinstated",
        "program",
        program.id,
        reason=reason,
        payload=payload,
    )
    fanout.certification_moved(
        session, program.id or 0, program.provider_id, program.municipality_id, status
    )


def fingerprint(snapshot: dict[str, Any]) -> str:
    """A short digest of what an official was shown, to certify exactly that."""
    text = json.dumps(snapshot, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def program_snapshot(program: Program, groups: list[Group]) -> dict[str, Any]:
    """What a certification decision was about: the program's fields and its groups' terms."""
    snapshot: dict[str, Any] = program.terms()
    snapshot["groups"] = [
        {
            "name": g.name,
            "starts_on": g.starts_on.isoformat(),
            "ends_on": g.ends_on.isoformat(),
            "seats": g.seats,
            "price_minor": g.price_per_lesson_minor,
            "timetable": g.terms()["timetable"],
            "excluded_dates": g.terms()["excluded_dates"],
        }
        for g in sorted(groups, key=lambda g: g.id or 0)
    ]
    return snapshot


def _groups(session: Session, program: Program) -> list[Group]:
    return list(
        session.exec(
            select(Group).where(Group.program_id == program.id).order_by(col(Group.id))
        ).all()
    )


def decision_reason(session: Session, program: Program) -> str:
    """Why the program was rejected or suspended, for the provider; "" otherwise."""
    if program.certification_status not in ("rejected", "suspended"):
        return ""
    event = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.subject == "program",
            AuditEvent.subject_id == program.id,
            AuditEvent.action == f"program.{program.certification_status}",
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    return event.reason if event else ""


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Submission:
    program: Program
    provider_name: str
    last_certified_at: datetime | None
    changes: list[Change]
    fingerprint: str  # what certifying it from this view certifies


def _last_decision(session: Session, program_id: int, action: str) -> AuditEvent | None:
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.subject == "program",
            AuditEvent.subject_id == program_id,
            AuditEvent.action == action,
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()


def program_changes(
    session: Session, program: Program
) -> tuple[datetime | None, list[Change], str]:
    """What differs from the last certified version (every field, if never certified), and
    the fingerprint of the version shown."""
    assert program.id is not None
    last = _last_decision(session, program.id, "program.certified")
    before: dict[str, Any] = dict(last.payload.get("snapshot", {})) if last else {}
    if last:  # certified before photos were reviewed: the photo parents were shown
        before.setdefault(CERTIFIED_PHOTO, program.shown[CERTIFIED_PHOTO])
    now = program_snapshot(program, _groups(session, program))
    changes = [
        Change(name, before.get(name), now[name])
        for name in (*CERTIFIED_PROGRAM_FIELDS, CERTIFIED_PHOTO, "groups")
        if before.get(name) != now[name]
    ]
    return (last.at if last else None), changes, fingerprint(now)


def certification_queue(session: Session, actor: Actor, municipality_id: int) -> list[Submission]:
    """Programs waiting for a decision, oldest change first, each with its diff."""
    municipality_for_admin(session, actor, municipality_id)
    rows = session.exec(
        select(Program, Provider.name)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .where(
            Program.municipality_id == municipality_id,
            Program.certification_status == CertificationStatus.SUBMITTED,
        )
        .order_by(col(Program.updated_at), col(Program.id))
    ).all()
    queue = []
    for program, provider_name in rows:
        at, changes, shown = program_changes(session, program)
        queue.append(Submission(program, provider_name, at, changes, shown))
    return queue


def listed_programs(
    session: Session, actor: Actor, municipality_id: int
) -> list[tuple[Program, str]]:
    """Every program of the area parents can find (certified or free) and every suspended one,
    for suspending and reinstating."""
    municipality_for_admin(session, actor, municipality_id)
    return [
        (program, name)
        for program, name in session.exec(
            select(Program, Provider.name)
            .join(Provider, col(Provider.id) == Program.provider_id)
            .where(
                Program.municipality_id == municipality_id,
                (col(Program.certification_status) == CertificationStatus.SUSPENDED)
                | col(Program.certified_at).is_not(None)
                | col(Program.is_free).is_(True),
            )
            .order_by(col(Program.title), col(Program.id))
        ).all()
    ]


DECISIONS = ("certify", "reject", "suspend", "reinstate")


def decide_certification(
    session: Session,
    actor: Actor,
    program_id: int,
    decision: str,
    *,
    reason: str = "",
    seen: str = "",
) -> Program:
    """certify or reject a submission (certify: exactly the version whose fingerprint the
    official was shown); suspend any program, reinstate a suspended one."""
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise InvalidInput("field_not_allowed", field="decision", allowed=", ".join(DECISIONS))
    if decision == "reinstate":
        return reinstate(session, actor, program_id)
    if decision == "certify":
        if not isinstance(seen, str) or not seen:
            raise Conflict("certification_changed")
        return set_certification(
            session, actor, program_id, CertificationStatus.CERTIFIED, seen=seen
        )
    target = CertificationStatus.REJECTED if decision == "reject" else CertificationStatus.SUSPENDED
    return set_certification(session, actor, program_id, target, reason=reason)
