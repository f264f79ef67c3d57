"""When others hold the rows a request needs for too long, the API answers 503 with
Retry-After and a translated reason, and nothing changes; never a raw database error."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select

from navigator.domain.enrollment.models import Enrollment
from navigator.domain.providers.apikeys import create_api_key
from navigator.domain.shared import db as db_module
from navigator.domain.shared.db import read_session
from navigator.settings import get_settings
from tests.factories import build_world


def test_an_acceptance_stuck_behind_a_held_row_answers_busy_and_changes_nothing(
    postgres_engine, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", postgres_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("NAVIGATOR_LOCK_TIMEOUT_MS", "200")
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    try:
        world = build_world(postgres_engine, today=date.today() - timedelta(days=3))
        enrollment_id = world.apply()
        with world.tx() as s:
            _key, secret = create_api_key(s, world.provider_user, world.provider_id, "journal")
        from navigator.api.provider import provider_api

        client = TestClient(provider_api)
        with postgres_engine.connect() as holder:  # another request keeps the group's row
            holder.execute(
                text("SELECT 1 FROM program_group WHERE id = :i FOR UPDATE"),
                {"i": world.group_id},
            )
            response = client.post(
                f"/api/v1/provider/applications/{enrollment_id}/accept",
                headers={"Authorization": f"Bearer {secret}", "Accept-Language": "lt"},
            )
            holder.rollback()
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "2"
        assert response.json()["detail"][0]["type"] == "busy"
        assert "pabandykite dar kartą" in response.json()["detail"][0]["msg"]
        with read_session(postgres_engine) as s:
            assert s.get(Enrollment, enrollment_id).status == "applied"
            assert s.exec(select(Enrollment.held_minor)).all() == [0]
    finally:
        get_settings.cache_clear()
        db_module.get_engine.cache_clear()
