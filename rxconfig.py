"""Reflex configuration: everything comes from navigator.settings."""

import reflex as rx

from navigator.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="navigator",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.SitemapPlugin()],
)
