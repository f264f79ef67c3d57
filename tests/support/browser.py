"""Browser-test helpers."""

from __future__ import annotations

from playwright.sync_api import Page


def tamper(page: Page, overrides: dict[str, dict[str, object]]) -> None:
    """Rewrite the payload of named events just before the browser sends them.

    Reflex calls `window.__reflex_otel.onEventSend(event)` right before it emits an event
    over the websocket; this is what an attacker with the browser's devtools can do.
    """
    page.evaluate(
        """overrides => { window.__reflex_otel = { onEventSend: event => {
            for (const [suffix, payload] of Object.entries(overrides)) {
              if (event.name.endsWith('.' + suffix)) Object.assign(event.payload, payload);
            }
        } }; }""",
        overrides,
    )
