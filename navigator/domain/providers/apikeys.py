"""API keys of a provider's own systems: created and revoked by its staff, shown once.

A key acts for the staff member who created it and only while they still work for the
provider, so a departed employee's keys stop working with their membership.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_provider_staff, is_provider_owner
from navigator.domain.providers.models import ApiKey
from navigator.domain.shared.errors import Conflict, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import check_text

KEY_PREFIX = "nav_"


MAX_KEYS_PER_PROVIDER = 20


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session, actor: Actor, provider_id: int, name: str
) -> tuple[ApiKey, str]:
    """A new key and its secret; only the hash is kept, so the secret cannot be shown again."""
    check_provider_staff(session, actor, provider_id)
    if actor.user_id is None:
        raise NotFound()
    live = session.exec(
        select(ApiKey.id).where(ApiKey.provider_id == provider_id, col(ApiKey.revoked_at).is_(None))
    ).all()
    if len(live) >= MAX_KEYS_PER_PROVIDER:
        raise Conflict("too_many_keys", max=MAX_KEYS_PER_PROVIDER)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        provider_id=provider_id,
        created_by_id=actor.user_id,
        name=check_text(name, "name", max_length=100),
        prefix=secret[: len(KEY_PREFIX) + 6],
        key_hash=_hash(secret),
    )
    session.add(key)
    session.flush()
    return key, secret


def keys_of(session: Session, actor: Actor, provider_id: int) -> list[ApiKey]:
    check_provider_staff(session, actor, provider_id)
    return list(
        session.exec(
            select(ApiKey).where(ApiKey.provider_id == provider_id).order_by(col(ApiKey.id))
        ).all()
    )


def revoke_api_key(session: Session, actor: Actor, key_id: int) -> ApiKey:
    key = locked(session, ApiKey, key_id)
    if key is None:
        raise NotFound()
    check_provider_staff(session, actor, key.provider_id)
    if key.created_by_id != actor.user_id and not is_provider_owner(
        session, actor, key.provider_id
    ):
        raise Conflict("owner_only")  # staff revoke their own keys; an owner revokes anyone's
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
    return key


def actor_for_key(session: Session, secret: str | None) -> tuple[Actor, int] | None:
    """The acting staff member and the provider of a live key; None for anything else."""
    if not isinstance(secret, str) or not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == _hash(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    actor = Actor.user(key.created_by_id)
    try:
        check_provider_staff(session, actor, key.provider_id)
    except NotFound:
        return None  # the person who made it no longer works there
    key.last_used_at = utcnow()
    session.add(key)
    return actor, key.provider_id
