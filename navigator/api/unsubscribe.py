"""One-click unsubscribe from the daily digests (RFC 8058): the digest's `List-Unsubscribe`
names `POST /mail/unsubscribe?token=…` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.

The token is signed with the person's own key: it works without a session and only for that
person. A GET (a mail scanner opening the link) changes nothing; it shows a button that
posts. A malformed or forged token gets one answer, an empty 404.
"""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from navigator import routes
from navigator.domain.accounts.models import User
from navigator.domain.notifications.centre import unsubscribe_from_digests
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError
from navigator.i18n import text
from navigator.settings import get_settings

unsubscribe = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
PATH = getattr(routes, "MAIL_UNSUBSCRIBE", "/mail/unsubscribe")
PRIVATE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _page(language: str, title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem">'
        f"<h1>{html.escape(title)}</h1>{body}</body></html>",
        headers=PRIVATE,
    )


def _language(user_id: int | None) -> str:
    if user_id is not None:
        with read_session() as session:
            user = session.get(User, user_id)
            if user is not None and user.locale in get_settings().locales:
                return user.locale
    return get_settings().default_locale


def _token_user(token: str) -> int | None:
    head = token.split(".", 1)[0] if isinstance(token, str) else ""
    # ASCII digits only: str.isdigit() is also true for "²", which int() refuses
    return int(head) if re.fullmatch(r"[0-9]{1,12}", head) else None


@unsubscribe.get(PATH)
def confirm_unsubscribe(token: str = "") -> Response:
    language = _language(_token_user(token))
    form = (
        f"<p>{html.escape(text('notifications.unsubscribe_confirm', language))}</p>"
        f'<form method="post" action="{PATH}?token={html.escape(token, quote=True)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{html.escape(text("notifications.unsubscribe_button", language))}'
        "</button></form>"
    )
    return _page(language, text("notifications.unsubscribe_button", language), form)


@unsubscribe.post(PATH)
def one_click_unsubscribe(token: str = "") -> Response:
    try:
        user_id = atomically(lambda s: unsubscribe_from_digests(s, token))
    except DomainError:
        return Response(status_code=404, headers=PRIVATE)
    language = _language(user_id)
    return _page(
        language,
        text("notifications.unsubscribed_title", language),
        f"<p>{html.escape(text('notifications.unsubscribed_text', language))}</p>",
    )
