"""The migrations build exactly the schema the models describe, and go down again."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from navigator.domain.shared.db import make_engine
from navigator.domain.shared.migrate import alembic_config, downgrade, upgrade
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


def _fill_before_0012(url: str) -> None:
    """A municipality at revision 0011 with a period, a nominal rule, a child, a provider."""
    upgrade(url, "0011")
    engine = make_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO municipality (id, code, name, country, currency, locale, timezone,"
            " created_at) VALUES (1, 't', 'T', 'RU', 'RUB', 'ru', 'UTC', '2026-01-01')"
        )
        c.exec_driver_sql(
            "INSERT INTO funding_period (id, municipality_id, name, starts_on, ends_on,"
            " budget_minor, max_funded_certificates, status, credited_minor,"
            " funded_certificates) VALUES (1, 1, 'P', '2026-09-01', '2027-05-31', 100, 10,"
            " 'open', 100, 1)"
        )
        c.exec_driver_sql(
            "INSERT INTO nominal_rule (period_id, age_min, age_max, category, amount_minor,"
            " effective_from) VALUES (1, 5, 17, 'base', 100, '2026-09-01')"
        )
        c.exec_driver_sql(
            "INSERT INTO app_user (id, email, password_hash, full_name, locale, is_active,"
            " created_at) VALUES (1, 'a@example.org', 'x', '', 'ru', true, '2026-01-01')"
        )
        c.exec_driver_sql(
            "INSERT INTO child (guardian_id, municipality_id, first_name, last_name,"
            " birth_date, category, created_at) VALUES (1, 1, 'A', 'B', '2017-01-01', 'base',"
            " '2026-01-01')"
        )
        c.exec_driver_sql(
            "INSERT INTO provider (municipality_id, name, kind, licence_number, admitted,"
            " created_at) VALUES (1, 'P', 'private', '', false, '2026-01-01')"
        )
    engine.dispose()


def _credit_past_the_budget(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql("UPDATE funding_period SET credited_minor = 500 WHERE id = 1")
        assert c.exec_driver_sql("SELECT district FROM child").scalar_one() == ""
        c.exec_driver_sql("UPDATE funding_period SET credited_minor = 100 WHERE id = 1")
    engine.dispose()


def test_0012_migrates_a_sqlite_database_with_data_both_ways(tmp_path):
    """Foreign keys to funding_period and child refuse a batch copy once rows exist."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _fill_before_0012(url)
    upgrade(url)
    _credit_past_the_budget(url)  # the budget no longer bounds what is credited
    engine = make_engine(url)
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert c.exec_driver_sql("SELECT count(*) FROM nominal_rule").scalar_one() == 1
    engine.dispose()
    downgrade(url, "0011")
    upgrade(url)
    assert _differences(url) == []


def test_0012_migrates_a_postgres_database_with_data_both_ways(pg_cluster):
    pg_cluster.execute("CREATE DATABASE migration_data")
    url = pg_cluster.url("migration_data")
    _fill_before_0012(url)
    upgrade(url)
    _credit_past_the_budget(url)
    downgrade(url, "0011")
    upgrade(url)
    assert _differences(url) == []
