"""The migrations build exactly the schema the models describe, and go down again."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from navigator.domain.db import make_engine
from navigator.domain.migrate import alembic_config, downgrade, upgrade
from navigator.migrations.env_filters import include_object


def _differences(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


def test_sqlite_migrations_match_the_models_and_downgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    assert _differences(url) == []
    downgrade(url, "base")
    upgrade(url)
    command.current(alembic_config(url))


def test_postgres_migrations_match_the_models_and_downgrade(pg_cluster):
    pg_cluster.execute("CREATE DATABASE migration_check")
    url = pg_cluster.url("migration_check")
    upgrade(url)
    assert _differences(url) == []
    downgrade(url, "base")
    upgrade(url)
