"""People the culture tests act as beside the world's own, and how a refusal must read."""

from __future__ import annotations

import itertools

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import DomainError
from navigator.i18n import field_label, has_message, translate
from tests.domain.culture.world import PASSWORD

LANGUAGES = ("ru", "lt", "en")
_seq = itertools.count(1)


def a_parent(engine: Engine) -> Actor:
    """Someone with an account and no role at all."""
    with transaction(engine) as s:
        user = create_user(s, f"parent{next(_seq)}@family.example", PASSWORD, locale="lt")
        return Actor.user(user.id)  # type: ignore[arg-type]


def assert_translated(error: DomainError, field: str | None = None) -> None:
    """The refusal has words of its own in every language, with nothing left unfilled, and
    names `field` (in that language's words when its message says which field)."""
    assert has_message(error.code), error.code
    messages = [error.message(language) for language in LANGUAGES]
    assert len(set(messages)) == len(LANGUAGES), messages
    for message in messages:
        assert message and error.code not in message and "{" not in message, message
    if field is None:
        return
    assert error.params.get("field") == field, (error.code, error.params)
    names_it = "zz-marker" in translate(error.code, "en", **{**error.params, "field": "zz-marker"})
    if names_it:
        for language, message in zip(LANGUAGES, messages, strict=True):
            assert field_label(field, language) in message, (language, message)


def count(engine: Engine, model: type, *where) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()
