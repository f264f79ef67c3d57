"""A family's calendar feed: GET /calendar/<token>.ics, read by calendar apps, no cookie.

The token in the path is the whole key, so a token that is not a live link (malformed,
forged, revoked) gets one answer, an empty 404, and no answer is kept by a shared cache.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import Response

from navigator import routes
from navigator.domain.enrollment.feeds import feed_calendar
from navigator.domain.shared.db import read_session
from navigator.settings import get_settings

feeds = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

PRIVATE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}


@feeds.get(routes.CALENDAR_FEED_ROUTE)
def family_calendar(token: str) -> Response:
    with read_session() as session:
        body = feed_calendar(
            session, token, uid_domain=urlsplit(get_settings().app_url).hostname or "navigator"
        )
    if body is None:
        return Response(status_code=404, headers=PRIVATE)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={**PRIVATE, "Content-Disposition": 'inline; filename="lessons.ics"'},
    )
