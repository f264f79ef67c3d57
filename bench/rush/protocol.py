"""What a browser tab says to the app, spoken from asyncio: HTTP for pages and forms, and
Reflex's event channel (Socket.IO over a websocket at /_event) for everything on a page.

The frontend (reflex_base/.templates/web/utils/state.js) opens
`ws://HOST/_event/?EIO=4&transport=websocket&token=TAB_TOKEN` with the tab's cookies and
the Reflex version as the websocket subprotocol, then connects the Socket.IO namespace
`/_event` with an auth payload carrying the page's first event
(`{"event": hydrate_and_load, "state_schema": …}`); the backend loads the state and runs
the page's on_load handlers. Every later action is `42/_event,["event", {name, payload,
router_data}]`; the backend answers with `["event", {"delta": {substate: {var: value}},
"events": [...]}]` messages: deltas to merge into the tab's copy of the state, and
frontend-only events (`_call_script`, `_redirect`) the browser would run. A move to another
page inside the app keeps the socket and sends `on_load_internal` with the new route.

No Socket.IO or websocket library is installed for asyncio here (python-socketio's client
needs aiohttp), so this speaks Engine.IO v4 text packets over `wsproto`, which is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

ROOT = "reflex___state____state"
APP = f"{ROOT}.navigator___state___app____app_state"
CATALOG = f"{APP}.navigator___state___catalog____catalog_state"
PROGRAM = f"{APP}.navigator___state___program____program_state"
CABINET = f"{APP}.navigator___state___cabinet____cabinet_state"
HYDRATE = f"{ROOT}.hydrate_and_load"
ON_LOAD = f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal"
# a saturated worker sheds a handler and shows this toast (navigator/state/threaded.py)
BUSY_TOAST = '["id"] : "busy"'
NAMESPACE = "/_event"


class ProtocolError(Exception):
    """The server closed, refused or answered something a browser would not accept."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True)
class Frontend:
    """What the built frontend tells the backend on connect: the hashes of the compiled
    initial state (so only what differs comes back), the state schema and Reflex's version."""

    hashes: list[str] | None
    state_schema: str | None
    version: str | None

    @classmethod
    async def discover(cls, http: httpx.AsyncClient) -> Frontend:
        """Read them from the served assets, as the browser has them: the page's modules."""
        page = (await http.get("/")).text
        hashes = schema = version = None
        for asset in dict.fromkeys(re.findall(r'"(/assets/[^"]+\.js)"', page)):
            text = (await http.get(asset)).text
            if hashes is None and (found := _HASHES.search(text)):
                raw = found.group(1) or found.group(2)
                hashes = raw.split(".") if found.group(1) else re.findall(r"[0-9a-f]{16}", raw)
            if schema is None and (found := _SCHEMA.search(text)):
                schema = found.group(1)
            if version is None and (found := _VERSION.search(text)):
                version = found.group(1)
        return cls(hashes, schema, version)


_HASHES = re.compile(r"initialStateHashes\s*=\s*(?:`([0-9a-f.]+)`\.split|(\[[^\]]*\]))")
_SCHEMA = re.compile(r"stateSchema\s*=\s*[`\"']([0-9a-f]+)[`\"']")
# reflex.json as the bundle inlines it: `version` right before `project_hash`
_VERSION = re.compile(
    r"version[\"']?\s*[=:]\s*[`\"'](\d+\.\d+\.\d+[^`\"']*)[`\"']\s*,\s*[\"']?project_hash"
)


def event(name: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "payload": payload or {}}


def router_data(path: str, query: dict[str, str] | None = None, params=None) -> dict[str, Any]:
    """As `withRouterData` fills it: the location's path, path + search, and the query
    joined with the route's parameters (`/programs/:program_id`)."""
    query = dict(query or {})
    data: dict[str, Any] = {
        "pathname": path,
        "asPath": path + (f"?{urlencode(query)}" if query else ""),
    }
    merged = {**query, **(params or {})}
    if merged:
        data["query"] = merged
    return data


@dataclass
class Tab:
    """One browser tab on the app: its token, its cookies, its copy of the state."""

    base_url: str
    frontend: Frontend
    cookies: dict[str, str] = field(default_factory=dict)
    accept_language: str = "ru-RU,ru;q=0.9"
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    frontend_events: list[dict[str, Any]] = field(default_factory=list)
    path: str = "/"
    upstream: str = ""  # the worker the proxy chose for the socket (its upstream header)
    _ws: WSConnection | None = None
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _closed: str = ""
    _pump: asyncio.Task | None = None

    # ------------------------------------------------------------------ the socket

    async def open(self, path: str, query: dict[str, str] | None = None, params=None) -> None:
        """Connect the event channel on a freshly loaded page, the page's first event
        riding in the CONNECT packet (the browser's `bootAuth`)."""
        self.path = path
        split = urlsplit(self.base_url)
        host, port = split.hostname or "localhost", split.port or 80
        self._reader, self._writer = await asyncio.open_connection(host, port, limit=2**24)
        self._ws = WSConnection(ConnectionType.CLIENT)
        target = f"{NAMESPACE}/?" + urlencode(
            {"EIO": "4", "transport": "websocket", "token": self.token}
        )
        headers = [
            (b"origin", f"{split.scheme}://{split.netloc}".encode()),
            (b"accept-language", self.accept_language.encode()),
            (b"user-agent", b"navigator-rush/1 (simulated parent)"),
        ]
        if self.cookies:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers.append((b"cookie", cookie.encode()))
        protocols = [self.frontend.version] if self.frontend.version else []
        self._writer.write(
            self._ws.send(
                Request(
                    host=split.netloc, target=target, extra_headers=headers, subprotocols=protocols
                )
            )
        )
        await self._writer.drain()
        self._packets = asyncio.Queue()
        self._parts: list[str] = []
        self._accepted = False
        self._closed = ""
        while not self._accepted:
            data = await self._reader.read(65536)
            if not data:
                raise ProtocolError("ws_refused", "closed during the handshake")
            self._ws.receive_data(data)
            await self._handle_events()  # the open packet may come with the handshake
        self._pump = asyncio.create_task(self._read_forever())
        first = await self._next_packet(timeout=30)
        if not first.startswith("0"):
            raise ProtocolError("eio_open", first[:80])
        boot = {
            **event(HYDRATE, {"hashes": self.frontend.hashes} if self.frontend.hashes else {}),
            "router_data": router_data(path, query, params),
        }
        auth: dict[str, Any] = {"event": boot}
        if self.frontend.state_schema:
            auth["state_schema"] = self.frontend.state_schema
        await self._send_text(f"40{NAMESPACE}," + json.dumps(auth, ensure_ascii=False))

    async def close(self) -> None:
        """The tab goes away: the socket closes as a browser's does on pagehide."""
        if self._ws is not None and self._writer is not None and not self._closed:
            with contextlib.suppress(Exception):
                await self._send_text(f"41{NAMESPACE},")
                self._writer.write(self._ws.send(CloseConnection(code=1000)))
                await self._writer.drain()
        self._closed = self._closed or "closed by the client"
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pump
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()

    async def send(self, name: str, payload: dict[str, Any] | None = None) -> None:
        """An event from the page the tab is on, as `applyEvent` emits it."""
        body = {**event(name, payload), "router_data": router_data(self.path, self._query())}
        await self._send_text(f"42{NAMESPACE}," + json.dumps(["event", body], ensure_ascii=False))

    async def navigate(self, path: str, params=None) -> None:
        """A link inside the app: React Router moves, the socket stays, the page's on_load
        handlers run through `on_load_internal` (the tab's locale cookie rides in the
        hydrate only)."""
        self.path = path
        self._query_override = None
        body = {**event(ON_LOAD), "router_data": router_data(path, None, params)}
        await self._send_text(f"42{NAMESPACE}," + json.dumps(["event", body], ensure_ascii=False))

    def _query(self) -> dict[str, str]:
        return getattr(self, "_query_override", None) or {}

    # ------------------------------------------------------------------ waiting

    def var(self, substate: str, name: str, default: Any = None) -> Any:
        return self.state.get(substate, {}).get(f"{name}_rx_state_", default)

    async def until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Wait until the merged state satisfies `ready`; raise on timeout or a closed socket."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self._closed:
                raise ProtocolError("ws_closed", self._closed)
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError("timeout", f"after {timeout:.0f}s")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    def hydrated(self) -> bool:
        return self.var(ROOT, "is_hydrated") is True

    def mark(self) -> int:
        """A point in the stream of deltas: `changed_since` tells whether a var moved after."""
        return self._serial

    def changed_since(self, mark: int, substate: str, name: str) -> bool:
        return self._touched.get((substate, f"{name}_rx_state_"), -1) > mark

    def busy_since(self, mark: int) -> bool:
        """The worker shed what the tab sent after `mark`: nothing was done, the page said
        "busy, try again" (a toast)."""
        return self._busy > mark

    # ------------------------------------------------------------------ the wire

    _serial: int = 0
    _busy: int = -1  # the serial of the last update that carried the busy toast
    _touched: dict[tuple[str, str], int] = field(default_factory=dict)
    _packets: asyncio.Queue | None = None

    async def _send_text(self, text: str) -> None:
        if self._ws is None or self._writer is None or self._closed:
            raise ProtocolError("ws_closed", self._closed or "not open")
        self._writer.write(self._ws.send(TextMessage(data=text)))
        await self._writer.drain()

    async def _next_packet(self, timeout: float) -> str:
        assert self._packets is not None
        try:
            return await asyncio.wait_for(self._packets.get(), timeout)
        except TimeoutError as error:
            raise ProtocolError("timeout", "no Engine.IO open packet") from error

    async def _read_forever(self) -> None:
        assert self._reader is not None and self._ws is not None
        try:
            while not self._closed:
                data = await self._reader.read(262144)
                if not data:
                    self._closed = "the server closed the connection"
                    break
                self._ws.receive_data(data)
                await self._handle_events()
        except (ConnectionError, OSError) as error:
            self._closed = f"connection lost: {error}"
        finally:
            self._changed.set()

    async def _handle_events(self) -> None:
        assert self._ws is not None
        for item in self._ws.events():
            if isinstance(item, AcceptConnection):
                self._accepted = True
                headers = {k.lower(): v for k, v in item.extra_headers}
                self.upstream = headers.get(b"x-navigator-upstream", b"").decode()
            elif isinstance(item, (RejectConnection, RejectData)):
                raise ProtocolError("ws_refused", str(getattr(item, "status_code", "")))
            elif isinstance(item, TextMessage):
                self._parts.append(item.data)
                if item.message_finished:
                    packet, self._parts = "".join(self._parts), []
                    await self._on_packet(packet)
            elif isinstance(item, Ping):
                assert self._writer is not None
                self._writer.write(self._ws.send(item.response()))
            elif isinstance(item, CloseConnection):
                self._closed = f"closed by the server ({item.code})"
            elif isinstance(item, BytesMessage):
                pass  # Reflex sends no binary frames

    async def _on_packet(self, packet: str) -> None:
        kind = packet[:1]
        if kind == "0":  # Engine.IO open
            assert self._packets is not None
            self._packets.put_nowait(packet)
        elif kind == "2":  # Engine.IO ping from the server: the browser answers pong
            await self._send_text("3")
        elif kind == "4":  # a Socket.IO packet inside an Engine.IO message
            self._on_socketio(packet[1:])

    def _on_socketio(self, packet: str) -> None:
        kind, rest = packet[:1], packet[1:]
        if rest.startswith(NAMESPACE):
            rest = rest[len(NAMESPACE) :].lstrip(",")
        if kind == "0":  # connected
            return
        if kind == "4":  # connect_error: the boot event failed or the origin was refused
            self._closed = f"connect_error {rest[:200]}"
            self._changed.set()
            return
        if kind == "1":
            self._closed = "disconnected by the server"
            self._changed.set()
            return
        if kind != "2":
            return
        name, *args = json.loads(rest)
        if name == "event" and args:
            self._apply(args[0])
        elif name == "new_token" and args:
            self.token = args[0]

    def _apply(self, update: dict[str, Any]) -> None:
        self._serial += 1
        for substate, changes in (update.get("delta") or {}).items():
            self.state.setdefault(substate, {}).update(changes)
            for name in changes:
                self._touched[(substate, name)] = self._serial
        for item in update.get("events") or []:
            self.frontend_events.append(item)
            if _says_busy(item.get("payload")):
                self._busy = self._serial
            if item.get("name") == "_redirect":
                self.redirected_to = (item.get("payload") or {}).get("path", "")
        self._changed.set()

    redirected_to: str = ""


def _says_busy(payload: Any) -> bool:
    """The event calls the busy toast: its script, somewhere in the payload, names it."""
    if isinstance(payload, str):
        return BUSY_TOAST in payload
    if isinstance(payload, dict):
        return any(_says_busy(value) for value in payload.values())
    if isinstance(payload, list):
        return any(_says_busy(value) for value in payload)
    return False


def cookies_of(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.cookies.items()}
