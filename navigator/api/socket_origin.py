"""The page's websocket (Socket.IO at /_event) answers only the app's own pages.

A page on another site could otherwise open the socket with the visitor's cookie and act as
them (cross-site websocket hijacking): the browser sends the cookie but also says where the
page came from, in the Origin header. The open catalog API stays readable from anywhere:
this guards /_event only. A client that sends no Origin is not a browser page and proves
nothing by it either way, so it passes; the session cookie still decides who it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from navigator.settings import get_settings

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
EVENT_PATH = "/_event"
EMPTY = [(b"content-length", b"0")]


def _origin(url: str) -> str:
    parts = urlsplit(url.strip().lower())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def allowed(scope: Scope) -> bool:
    """Same origin as the request itself, or the app's public address."""
    origin = _header(scope, b"origin")
    if not origin:
        return True
    own = {_origin(get_settings().app_url)}
    host = _header(scope, b"host")
    if host:
        secure = scope.get("scheme") in ("https", "wss")
        own |= {f"{'https' if secure else 'http'}://{host.lower()}"}
    return _origin(origin) in own


def only_own_pages(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a websocket or polling request to /_event from another site's page
    is refused (403) before Socket.IO sees it."""

    async def guarded(scope: Scope, receive: Any, send: Any) -> None:
        if (
            scope["type"] in ("http", "websocket")
            and str(scope.get("path", "")).startswith(EVENT_PATH)
            and not allowed(scope)
        ):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return guarded
