"""Opening a page and waiting until its load handlers have run, before acting on it.

Reflex runs a page's on_load handlers as events the server sends back after the page's first
one. A click made as soon as the page shows can come before the page's script is running
(and do nothing), or be handled before the load (the cabinet keeps a form opened so, see
CabinetState._note_opened, but a test that means "after the load" should say so). The server
says the load is over with the delta that sets `is_hydrated`.
"""

from __future__ import annotations

from playwright.sync_api import Page, WebSocket

HYDRATED = '"is_hydrated_rx_state_":true'  # Reflex's delta once the page's on_load ran
WAIT_MS = 30_000


def open_loaded(page: Page, url: str) -> None:
    """`url` opened in `page`, its on_load handlers run."""
    sockets: list[WebSocket] = []
    said: list[bool] = []

    def watch(socket: WebSocket) -> None:
        sockets.append(socket)
        socket.on("framereceived", lambda frame: said.append(HYDRATED in str(frame)))

    page.on("websocket", watch)
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        if any(said):
            return
        if not sockets:
            page.wait_for_event("websocket", timeout=WAIT_MS)
        if not any(said):
            sockets[-1].wait_for_event(
                "framereceived", lambda frame: HYDRATED in str(frame), timeout=WAIT_MS
            )
    finally:
        page.remove_listener("websocket", watch)
