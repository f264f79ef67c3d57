"""The Meilisearch client's requests reuse a connection per thread (search.connections).

A counting TCP forwarder stands in front of the real Meilisearch and tells how many
connections the client opened."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from search.relay import make_client


class Forwarder:
    """Accepts connections on a free port and pipes each to Meilisearch; counts them.
    `close_after_reply` hangs up on the client after its first answer, as a server that
    closed an idle connection does."""

    def __init__(self, target: str, *, close_after_reply: bool = False) -> None:
        address = urlparse(target)
        self.target = (address.hostname or "127.0.0.1", address.port or 80)
        self.close_after_reply = close_after_reply
        self.accepted = 0
        self.hung_up = threading.Semaphore(0)  # released each time it hung up on a client
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, reply: bool = False) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
                if reply and self.close_after_reply:
                    break
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        if reply:
            self.hung_up.release()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def forwarder(meili_server) -> Iterator[Forwarder]:
    made = Forwarder(meili_server.url)
    yield made
    made.close()


def test_a_thread_asks_meilisearch_over_one_connection(forwarder, meili_server):
    client = make_client(forwarder.url, meili_server.master_key)
    for _ in range(20):
        assert client.health()["status"] == "available"
        client.get_indexes()
    assert forwarder.accepted == 1


def test_each_thread_has_a_connection_of_its_own(forwarder, meili_server):
    client = make_client(forwarder.url, meili_server.master_key)
    client.health()
    answers: list[str] = []
    other = threading.Thread(
        target=lambda: answers.extend(client.health()["status"] for _ in range(5))
    )
    other.start()
    other.join(timeout=30)
    assert answers == ["available"] * 5
    assert forwarder.accepted == 2


def test_a_connection_the_server_closed_is_opened_again(meili_server):
    forwarder = Forwarder(meili_server.url, close_after_reply=True)
    try:
        client = make_client(forwarder.url, meili_server.master_key)
        for _ in range(5):
            assert client.health()["status"] == "available"
            assert forwarder.hung_up.acquire(timeout=30)  # closed while the client idles
        assert forwarder.accepted == 5
    finally:
        forwarder.close()


def test_a_forked_child_opens_a_connection_of_its_own(forwarder, meili_server):
    client = make_client(forwarder.url, meili_server.master_key)
    client.health()  # the parent's connection, before the fork
    child = os.fork()
    if child == 0:  # the child: its answer must come on a connection of its own
        code = 1
        try:
            code = 0 if client.health()["status"] == "available" else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    client.health()
    assert forwarder.accepted == 2


def test_a_connection_idle_too_long_is_not_reused(forwarder, meili_server, monkeypatch):
    from search import connections

    client = make_client(forwarder.url, meili_server.master_key)
    client.health()
    monkeypatch.setattr(connections, "IDLE_SECONDS", 0.0)  # any pause is too long now
    client.health()
    client.health()
    assert forwarder.accepted == 3
