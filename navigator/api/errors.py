"""How the REST APIs answer errors: a domain error with its own status, bad input with 422.

The mechanism is shared; each API keeps the shape of its own error body by saying how one
domain error reads in its `detail` list and which language it answers in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from navigator.domain.shared.errors import Busy, DomainError

RETRY_AFTER_SECONDS = "2"  # others held the same rows: a moment later the request goes through
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}

ErrorDetail = Callable[[DomainError, str], dict[str, Any]]


def validation_detail(error: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's own complaints (a wrong type, a value out of range), one entry per field."""
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]


def answer_errors(api: FastAPI, *, locale: Callable[[Request], str], detail: ErrorDetail) -> None:
    """Registers the two handlers on `api`: `detail` puts a domain error into the API's words,
    in the language `locale` picks for the request."""

    @api.exception_handler(DomainError)
    async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
        return JSONResponse(
            status_code=error.http_status,
            content={"detail": [detail(error, locale(request))]},
            headers={"Retry-After": RETRY_AFTER_SECONDS} if isinstance(error, Busy) else None,
        )

    @api.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_detail(error)})


def refuse_other_methods(api: FastAPI) -> None:
    """Call after the last route: a method a path does not have answers 405 with the
    methods it has in `Allow`. Starlette does so only when nothing else matches, and Reflex
    mounts the rest of the app behind each API, so the request fell through to a 404."""
    methods: dict[str, set[str]] = {}
    for route in api.routes:
        if isinstance(route, APIRoute):
            methods.setdefault(route.path, set()).update(route.methods or ())
    for path, allowed in methods.items():
        api.add_route(
            path,
            _method_not_allowed(", ".join(sorted(allowed))),
            methods=sorted(METHODS - allowed),
            include_in_schema=False,
        )


def _method_not_allowed(allow: str) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def method_not_allowed(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "Method Not Allowed"}, 405, headers={"Allow": allow})

    return method_not_allowed
