"""The page's translations travel once: a new URL on the same tab does not send them again.

The catalog rewrites its URL on every keystroke. When the language depended on the whole
router, each keystroke recomputed it and sent every translation (46 KB) and every list of
translated choices with the results.
"""

from __future__ import annotations

from reflex.state import State
from reflex_base import constants

import navigator.navigator  # noqa: F401  (every page's state, as the app has them)
from navigator.state.app import AppState
from tests.support.handlers import settle

APP = AppState.get_full_name()


def _router(query: dict[str, str], language: str = "lt-LT,lt;q=0.9") -> dict:
    return {
        constants.RouteVar.PATH: "/",
        constants.RouteVar.ORIGIN: "/",
        constants.RouteVar.QUERY: query,
        constants.RouteVar.HEADERS: {
            "accept-language": language,
            "origin": "http://localhost:3000",
        },
        constants.RouteVar.CLIENT_TOKEN: "tab",
        constants.RouteVar.SESSION_ID: "socket",
        constants.RouteVar.CLIENT_IP: "127.0.0.1",
    }


def _navigate(root: State, router: dict) -> dict:
    root.router_data = root._update_router_vars(router, root.router_data)

    async def delta():
        try:
            return await root._get_resolved_delta()
        finally:
            root._clean()

    return settle(delta())  # a loop of its own: browser tests leave one running here


def test_the_first_update_carries_the_language_of_the_browser():
    root = State(_reflex_internal_init=True)
    delta = _navigate(root, _router({}))
    assert delta[APP]["lang_rx_state_"] == "lt"
    assert delta[APP]["t_rx_state_"]["search_label"]


def test_a_new_url_sends_neither_the_language_nor_its_translations_again():
    root = State(_reflex_internal_init=True)
    _navigate(root, _router({}))
    delta = _navigate(root, _router({"q": "šachmatai"}))
    sent = {name for values in delta.values() for name in values}
    assert "rx_router_page_rx_state_" in sent  # the URL did change
    assert not {"lang_rx_state_", "t_rx_state_"} & sent
    assert not any(name.endswith("_choices_rx_state_") for name in sent)


def test_another_browser_language_or_a_chosen_one_still_changes_the_page():
    root = State(_reflex_internal_init=True)
    _navigate(root, _router({}))
    delta = _navigate(root, _router({}, language="en-GB,en;q=0.9"))
    assert delta[APP]["lang_rx_state_"] == "en"
    app = root.get_substate(APP.split(".")[1:])
    app.locale_choice = "ru"
    delta = _navigate(root, _router({}))
    assert delta[APP]["lang_rx_state_"] == "ru"
    assert delta[APP]["t_rx_state_"]["search_label"] != ""
