"""Kept-alive connections for the Meilisearch client.

meilisearch-python sends every request through `requests.get`, `requests.post`…, the
module's functions, each of which makes a session, opens a new TCP connection and closes
both again. The relay asks Meilisearch how its task is doing every few milliseconds while it
is applied, and every worker sends each parent's search: in an enrollment rush's profile,
opening connections was an eighth of the background process's time. `keep_alive()` points
the client's module at one session per thread (a `requests.Session` is not promised to be
safe across threads), so a thread's requests reuse its connection. A connection Meilisearch
closed while it idled is noticed before reuse and opened again (urllib3 checks it).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import requests
from meilisearch import _httprequests


class _SessionPerThread:
    """What `_httprequests` uses of the `requests` module, on a session of the thread's own."""

    exceptions = requests.exceptions
    Response = requests.Response

    def __init__(self) -> None:
        self._local = threading.local()

    def _session(self) -> requests.Session:
        """The thread's session; a new one in a forked child (the app's workers are forked
        from a process that imported it), which must not read the parent's sockets."""
        pid, session = getattr(self._local, "owner", (0, None))
        if session is None or pid != os.getpid():
            session = requests.Session()
            self._local.owner = (os.getpid(), session)
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


_lock = threading.Lock()


def keep_alive() -> None:
    """Once per process: every Meilisearch client's requests over kept-alive connections."""
    with _lock:
        if not isinstance(_httprequests.requests, _SessionPerThread):
            _httprequests.requests = _SessionPerThread()  # type: ignore[assignment]
