"""Running the Alembic migrations from code: the CLI, `make run` and the tests all use this."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from navigator.settings import PROJECT_ROOT


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Migrate; at the head, also fill what the app derives from the tables by its current
    rules (the catalog's rows of a catalog that has none yet, e.g. upgraded across 0025)."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head":
        fill_derived_rows(database_url)


# What the app derives from its tables and fills after the migrations, by its current code
# (a concept registers here as it is imported: shared imports no concept). Each returns how
# many rows it wrote.
AFTER_UPGRADE: list[Callable[[Connection], int]] = []


def fill_derived_rows(database_url: str | None = None) -> int:
    # the fillers registered as their concepts were imported (Alembic's env imports them all)
    from navigator.domain.shared.db import get_engine, make_engine

    engine = make_engine(database_url) if database_url else get_engine()
    try:
        with engine.begin() as connection:
            return sum(fill(connection) for fill in AFTER_UPGRADE)
    finally:
        if database_url:
            engine.dispose()


def downgrade(database_url: str | None, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
