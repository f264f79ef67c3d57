"""The culture catalog search the public page uses: Meilisearch, else SQL (degraded)."""

from __future__ import annotations

from datetime import UTC, datetime

from meilisearch.errors import MeilisearchCommunicationError, MeilisearchError
from requests.exceptions import RequestException

from navigator.domain.shared.db import read_session
from navigator.settings import get_settings
from search.culture_fallback import search_culture_sql
from search.culture_query import CultureQuery, CultureResult, search_culture
from search.keys import search_client
from search.relay import make_client


def find_culture_services(query: CultureQuery) -> CultureResult:
    """Invalid values raise InvalidInput; an unreachable Meilisearch answers from SQL."""
    settings = get_settings()
    try:
        client = (
            make_client(settings.meili_url, settings.meili_search_key)
            if settings.meili_search_key
            else search_client(settings.meili_url, settings.meili_master_key)
        )
        return search_culture(client, query)
    except (MeilisearchCommunicationError, MeilisearchError, RequestException):
        search_client.cache_clear()  # the key is fetched again once Meilisearch is back
        with read_session() as session:  # degraded: the same query answered from SQL
            return search_culture_sql(session, query, datetime.now(UTC))
