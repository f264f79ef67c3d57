"""The translations travel to the browser, not through Redis: every event of every page reads
the tab's AppState from Redis, and it carried the page's translations (47 KB of its 48)."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from navigator.i18n import ui_strings
from tests.state.test_language_delta import APP, AppState, _navigate, _router
from tests.support.handlers import settle


def _stored_and_read_back(redis_url: str, root: State) -> tuple[int, State]:
    token = BaseStateToken(ident=uuid.uuid4().hex, cls=State)

    async def store_and_read() -> tuple[int, State]:
        redis = Redis.from_url(redis_url)
        manager = StateManagerRedis(redis=redis)
        try:
            await manager.set_state(token, root)
            stored = await redis.strlen(token._state_key(AppState))
            # another worker's manager: nothing of the first one's memory
            other = StateManagerRedis(redis=redis)
            return stored, await other.get_state(token.with_cls(AppState))
        finally:
            await redis.aclose()

    return settle(store_and_read())  # a loop of its own: browser tests leave one running


def test_a_stored_tab_leaves_the_translations_out_and_reads_them_back_in_its_language(
    redis_server,
):
    root = State(_reflex_internal_init=True)
    _navigate(root, _router({}))
    app = root.substates[AppState.get_name()]
    assert app.t == ui_strings("lt")
    stored, read = _stored_and_read_back(redis_server.url, root)
    assert stored < 2_000  # was 48 000
    assert read.substates[AppState.get_name()].t == ui_strings("lt")
    # the worker that read it sends neither the language nor its translations for a new URL
    delta = _navigate(read, _router({"q": "šachmatai"}))
    sent = {name for values in delta.values() for name in values}
    assert "rx_router_page_rx_state_" in sent
    assert not {"lang_rx_state_", "t_rx_state_"} & sent


def test_a_language_chosen_on_a_tab_read_from_redis_sends_its_translations(redis_server):
    root = State(_reflex_internal_init=True)
    _navigate(root, _router({}))
    _stored, read = _stored_and_read_back(redis_server.url, root)
    delta = _navigate(read, _router({}, language="en-GB,en;q=0.9"))
    assert delta[APP]["lang_rx_state_"] == "en"
    assert delta[APP]["t_rx_state_"] == ui_strings("en")
