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


def test_sqlite_keeps_the_full_text_triggers_and_checks_through_every_migration(tmp_path):
    """A batch copy of a table drops its triggers; the catalog's SQL fallback needs them."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        triggers = set(
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'program'"
            ).scalars()
        )
        program_sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'program'"
        ).scalar_one()
    engine.dispose()
    assert triggers == {"program_fts_insert", "program_fts_delete", "program_fts_update"}
    for check in ("ck_program_ages", "ck_program_cert", "ck_program_listing"):
        assert check in program_sql


def test_postgres_migrations_match_the_models_and_downgrade(pg_cluster):
    pg_cluster.execute("CREATE DATABASE migration_check")
    url = pg_cluster.url("migration_check")
    upgrade(url)
    assert _differences(url) == []
    downgrade(url, "base")
    upgrade(url)
