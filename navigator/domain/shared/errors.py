"""Errors a user can cause: a code, the values it names, and a translated message.

Nothing in the database changes when one is raised: every service raises before it
writes, and the transaction helper rolls back anything already flushed.
"""

from __future__ import annotations

from typing import Any

from navigator.i18n import translate


class DomainError(Exception):
    """A refusal a parent, provider or administrator understands."""

    code = "error"
    http_status = 422

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, locale: str) -> str:
        return translate(self.code, locale, **self.params)


class NotFound(DomainError):
    """Unknown id, or one the actor may not see: the two answer the same."""

    code = "not_found"
    http_status = 404


class InvalidInput(DomainError):
    code = "invalid_input"


class Conflict(DomainError):
    """The request is valid but the state of things refuses it (full, spent, closed)."""

    code = "conflict"
    http_status = 409


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    http_status = 429


class Busy(DomainError):
    """Others were changing the same rows and the work could not finish in a few tries;
    nothing was changed, and trying again in a moment will work."""

    code = "busy"
    http_status = 503
