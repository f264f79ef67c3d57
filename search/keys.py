"""Scoped Meilisearch keys: the app answers searches with a key that can only search.

The master key stays with the relay and the command line; a leaked search key can read
the public catalog and nothing else.
"""

from __future__ import annotations

from functools import lru_cache

import meilisearch

from search.relay import make_client
from search.settings import INDEX_UID

SEARCH_KEY_NAME = "navigator-search"


def search_key(admin: meilisearch.Client, uid: str = INDEX_UID) -> str:
    """The search-only key for the catalog index, created on first use."""
    for key in admin.get_keys({"limit": 1000}).results:
        if key.name == SEARCH_KEY_NAME and key.actions == ["search"] and key.indexes == [uid]:
            return key.key
    created = admin.create_key(
        {
            "name": SEARCH_KEY_NAME,
            "description": "Catalog searches by the navigator app",
            "actions": ["search"],
            "indexes": [uid],
            "expiresAt": None,
        }
    )
    return created.key


@lru_cache(maxsize=4)
def search_client(url: str, master_key: str, uid: str = INDEX_UID) -> meilisearch.Client:
    admin = make_client(url, master_key)
    return make_client(url, search_key(admin, uid))
