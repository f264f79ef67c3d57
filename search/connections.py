"""Kept-alive connections for the Meilisearch client.

meilisearch-python sends every request through `requests.get`, `requests.post`…, the
module's functions, each of which makes a session, opens a new TCP connection and closes
both again. The relay asks Meilisearch whether its task is done until it is, and every
worker sends each parent's search: in an enrollment rush's profile, opening connections was
an eighth of the background process's time. `keep_alive()` points the client's module at
one session per thread (a `requests.Session` is not promised to be safe across threads), so
a thread's requests reuse its connection.

A connection the server closed is noticed before reuse when its close has arrived (urllib3
checks); Meilisearch itself never closes an idle one. One that idled longer than
`IDLE_SECONDS` is not reused at all: a proxy or NAT between may have dropped it silently,
and a request on it would wait for the client's timeout.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import requests
from meilisearch import _httprequests

IDLE_SECONDS = 30.0


class _SessionPerThread:
    """What `_httprequests` uses of the `requests` module, on a session of the thread's own;
    anything else it may use in a later release is the module's own."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def _session(self) -> requests.Session:
        """The thread's session; a new one in a forked child (the app's workers are forked
        from a process that imported it), which must not read the parent's sockets, and
        after a long idle spell."""
        pid, used, session = getattr(self._local, "owner", (0, 0.0, None))
        now = time.monotonic()
        if session is None or pid != os.getpid() or now - used > IDLE_SECONDS:
            if session is not None and pid == os.getpid():
                session.close()
            session = requests.Session()
        self._local.owner = (os.getpid(), now, session)
        return session

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session().get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session().post(url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session().put(url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session().patch(url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session().delete(url, **kwargs)


def keep_alive() -> None:
    """Every Meilisearch client's requests over kept-alive connections (idempotent)."""
    if not isinstance(_httprequests.requests, _SessionPerThread):
        _httprequests.requests = _SessionPerThread()  # type: ignore[assignment]
