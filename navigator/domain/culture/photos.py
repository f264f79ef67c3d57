"""A culture service's photo: checked and re-encoded as a program's is (programs/photos.py),
stored beside them. The photo is reviewed content: a new one sends an approved service back
to the operator (who is told, as of any change), and until the operator decides, schools
keep seeing the approved photo, whose file stays until an approval replaces it."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlmodel import Session

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.models import CultureService, ServiceStatus
from navigator.domain.culture.services import PHOTO, staff_service, tell_changed
from navigator.domain.programs.photos import clean_photo, forget_after_commit, forget_photo
from navigator.domain.shared.db import after_rollback


def set_service_photo(
    session: Session, actor: Actor, service_id: int, data: bytes, directory: Path
) -> None:
    """Store a new photo for the provider's service (a clean JPEG; the upload's metadata is
    gone); the file is removed again if the change rolls back."""
    service = staff_service(session, actor, service_id, lock=True)
    picture = clean_photo(data)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{service.id}-{secrets.token_hex(8)}.jpg"
    (directory / name).write_bytes(picture)
    after_rollback(session, lambda: forget_photo(directory, name))
    _change(session, service, name)


def remove_service_photo(session: Session, actor: Actor, service_id: int) -> None:
    """Take the photo off the service (schools keep the approved one until the review)."""
    _change(session, staff_service(session, actor, service_id, lock=True), "")


def _change(session: Session, service: CultureService, name: str) -> None:
    old = service.photo
    if old == name:
        return
    if old != (service.approved_version or {}).get(PHOTO, ""):  # nobody else sees it
        forget_after_commit(session, old)
    service.photo = name
    if service.status in (ServiceStatus.APPROVED, ServiceStatus.REJECTED):
        service.status = ServiceStatus.SUBMITTED  # the approved version stays bookable
    session.add(service)
    session.flush()
    tell_changed(session, service)  # the operator reviews a photo as any other change
