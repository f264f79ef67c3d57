"""Which language to answer in: the remembered choice, else the browser's, else the default."""

from __future__ import annotations

from starlette.requests import Request

from navigator.settings import SUPPORTED_LOCALES, get_settings

SESSION_COOKIE = "nav_session"
LOCALE_COOKIE = "nav_locale"


def negotiate(accept_language: str | None) -> str:
    """The first supported language of an Accept-Language header, in its order of preference."""
    weighted = []
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = tag.strip()[:2].lower()
        if code in SUPPORTED_LOCALES and quality > 0:
            weighted.append((-quality, position, code))
    return min(weighted)[2] if weighted else get_settings().default_locale


def choose_locale(remembered: str | None, accept_language: str | None) -> str:
    return remembered if remembered in SUPPORTED_LOCALES else negotiate(accept_language)


def request_locale(request: Request) -> str:
    return choose_locale(request.cookies.get(LOCALE_COOKIE), request.headers.get("accept-language"))
