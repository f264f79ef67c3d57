"""The page's websocket answers the app's own pages only; the open APIs stay open."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from navigator.api.socket_origin import only_own_pages
from navigator.settings import get_settings


async def _socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


async def _page(_request) -> PlainTextResponse:
    return PlainTextResponse("open")


BACKEND = Starlette(
    routes=[
        WebSocketRoute("/_event/", _socket),
        Route("/_event/", _page),
        Route("/api/v1/programs", _page),
    ]
)


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("NAVIGATOR_APP_URL", "https://navigator.example.org")
    get_settings.cache_clear()
    yield TestClient(only_own_pages(BACKEND))  # the request's own host is "testserver"
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "origin",
    ["https://navigator.example.org", "http://testserver", None],
    ids=["the public address", "the same origin", "no browser page"],
)
def test_the_apps_own_pages_open_the_socket(client, origin):
    headers = {"origin": origin} if origin else {}
    with client.websocket_connect("/_event/", headers=headers) as socket:
        assert socket.receive_text() == "hello"


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://navigator.example.org.evil.example", "null"]
)
def test_another_sites_page_cannot_open_the_socket_nor_poll_it(client, origin):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/_event/", headers={"origin": origin}),
    ):
        pass
    assert refused.value.code == 1008
    assert client.get("/_event/", headers={"origin": origin}).status_code == 403


def test_the_open_catalog_api_stays_readable_from_other_sites(client):
    response = client.get("/api/v1/programs", headers={"origin": "https://evil.example"})
    assert response.status_code == 200 and response.text == "open"


def test_the_app_puts_the_guard_around_its_backend():
    from navigator.navigator import app

    assert app.api_transformer[0] is only_own_pages
