"""Scoped Meilisearch keys: the app searches with a key that can only search the catalog,
and its relay writes with a key limited to the catalog's documents, settings and the
indexes a reindex builds beside it.

The master key stays with the operator's command line and `navigator run`, which make these
keys and hand only them to the web process: a leaked search key reads the public catalog,
a leaked relay key rewrites the catalog index, and neither makes keys or touches another
index.
"""

from __future__ import annotations

from functools import lru_cache

import meilisearch

from search.relay import make_client
from search.settings import CULTURE_INDEX_UID, INDEX_UID

SEARCH_KEY_NAME = "navigator-search"
RELAY_KEY_NAME = "navigator-relay"
RELAY_ACTIONS = [
    "documents.add",
    "documents.get",
    "documents.delete",
    "indexes.create",
    "indexes.get",
    "indexes.update",
    "indexes.delete",
    "indexes.swap",
    "settings.get",
    "settings.update",
    "stats.get",
    "tasks.get",
]


def _scoped_key(
    admin: meilisearch.Client, name: str, description: str, actions: list[str], indexes: list[str]
) -> str:
    """The key with exactly these rights, created on first use."""
    for key in admin.get_keys({"limit": 1000}).results:
        if key.name == name and sorted(key.actions) == sorted(actions) and key.indexes == indexes:
            return key.key
    created = admin.create_key(
        {
            "name": name,
            "description": description,
            "actions": actions,
            "indexes": indexes,
            "expiresAt": None,
        }
    )
    return created.key


def search_key(
    admin: meilisearch.Client, uid: str = INDEX_UID, culture_uid: str = CULTURE_INDEX_UID
) -> str:
    """The search-only key for the catalog index and the culture pass's."""
    return _scoped_key(
        admin,
        SEARCH_KEY_NAME,
        "Catalog searches by the navigator app",
        ["search"],
        [uid, culture_uid],
    )


def relay_key(
    admin: meilisearch.Client, uid: str = INDEX_UID, culture_uid: str = CULTURE_INDEX_UID
) -> str:
    """The relay's key: the catalog index, the culture pass's, and the `<uid>_…` indexes a
    reindex swaps in for each."""
    return _scoped_key(
        admin,
        RELAY_KEY_NAME,
        "Catalog index updates by the navigator relay",
        RELAY_ACTIONS,
        [uid, f"{uid}_*", culture_uid, f"{culture_uid}_*"],
    )


@lru_cache(maxsize=4)
def search_client(url: str, master_key: str, uid: str = INDEX_UID) -> meilisearch.Client:
    admin = make_client(url, master_key)
    return make_client(url, search_key(admin, uid))


def app_keys(url: str, master_key: str, uid: str = INDEX_UID) -> dict[str, str]:
    """What the web process gets instead of the master key: its two scoped keys."""
    admin = make_client(url, master_key)
    return {"MEILI_SEARCH_KEY": search_key(admin, uid), "MEILI_RELAY_KEY": relay_key(admin, uid)}
