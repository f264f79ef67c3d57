"""The running app serves the open catalog API beside its pages."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser


@pytest.mark.e2e
def test_the_app_serves_the_catalog_api_and_its_openapi_document(
    chromium_browser: Browser, app_url: str
) -> None:
    context = chromium_browser.new_context()
    try:
        deadline = time.monotonic() + 60
        while True:  # the app's relay builds the index from the seeded database at start-up
            response = context.request.get(f"{app_url}/api/v1/programs?q=&per_page=3")
            if response.ok and response.json()["total"] > 0:
                break
            assert time.monotonic() < deadline, response.text()
            time.sleep(0.5)
        assert len(response.json()["hits"]) == 3
        openapi = context.request.get(f"{app_url}/api/v1/openapi.json")
        assert openapi.ok and "/api/v1/programs" in openapi.json()["paths"]
        wrong = context.request.get(f"{app_url}/api/v1/programs?per_page=1000")
        assert wrong.status == 422
    finally:
        context.close()
