"""The migrations build exactly the schema the models describe, and go down again."""

import json

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


def _fill_before_0014(url: str) -> None:
    """At 0013: a certified program with a group, and a child holding a certificate."""
    _fill_before_0012(url)
    upgrade(url, "0013")
    engine = make_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO program (id, provider_id, municipality_id, title, description,"
            " direction, age_min, age_max, format, language, address, tags, photo,"
            " certification_status, listing, is_free, created_at, updated_at) VALUES"
            " (1, 1, 1, 'Шахматы', '', 'technical', 7, 14, 'in_person', 'ru', '', '', '',"
            " 'certified', 'listed', false, '2026-01-01', '2026-01-02')"
        )
        c.exec_driver_sql(
            "INSERT INTO program_group (program_id, name, teacher, timetable, excluded_dates,"
            " starts_on, ends_on, seats, seats_taken, price_per_lesson_minor, enrollment_open,"
            ' created_at) VALUES (1, \'1\', \'\', \'[{"weekday": 1, "start": "16:00",'
            " \"end\": \"17:00\"}]', '[]', '2026-09-07', '2026-12-20', 10, 0, 50000, true,"
            " '2026-01-01')"
        )
        c.exec_driver_sql(
            "INSERT INTO certificate (child_id, number, status, valid_until, issued_at)"
            " SELECT id, '1234567890', 'funded', '2035-01-01', '2026-02-01' FROM child"
        )
    engine.dispose()


def _check_0014_to_0017(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as c:
        verified = c.exec_driver_sql("SELECT verified_at FROM child").scalar_one()
        version = c.exec_driver_sql("SELECT certified_version FROM program").scalar_one()
        terms = c.exec_driver_sql("SELECT certified_terms FROM program_group").scalar_one()
    engine.dispose()
    version, terms = (json.loads(v) if isinstance(v, str) else v for v in (version, terms))
    assert verified is not None  # a certificate issued before: taken as verified
    assert (version["title"], version["is_free"]) == ("Шахматы", False)
    assert (terms["price_per_lesson_minor"], terms["starts_on"]) == (50_000, "2026-09-07")


def test_0014_to_0017_migrate_a_sqlite_database_with_data_both_ways(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _fill_before_0014(url)
    upgrade(url)
    _check_0014_to_0017(url)
    engine = make_engine(url)
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    engine.dispose()
    downgrade(url, "0013")
    upgrade(url)
    assert _differences(url) == []


def test_0014_to_0017_migrate_a_postgres_database_with_data_both_ways(pg_cluster):
    pg_cluster.execute("CREATE DATABASE migration_data_0014")
    url = pg_cluster.url("migration_data_0014")
    _fill_before_0014(url)
    upgrade(url)
    _check_0014_to_0017(url)
    downgrade(url, "0013")
    upgrade(url)
    assert _differences(url) == []


def _rows_counted_before_0028(url: str) -> tuple[int, int]:
    """A catalog at 0027 whose rows hold the old count (seats − taken, applications ignored):
    one group of ten seats with one application awaiting a decision."""
    from datetime import date

    from sqlalchemy import text

    from navigator.domain.enrollment.api import apply_to_group
    from navigator.domain.shared.db import transaction
    from tests.factories import build_world

    upgrade(url)
    engine = make_engine(url)
    world = build_world(engine, today=date.today(), seats=10)
    with transaction(engine) as session:
        apply_to_group(session, world.parent, world.child_id, world.group_id, today=world.today)
    with engine.begin() as connection:
        connection.execute(text("UPDATE catalog_row SET free_seats = 10"))
        connection.execute(text("UPDATE catalog_group SET free_seats = 10"))
    engine.dispose()
    command.stamp(alembic_config(url), "0027")
    return world.program_id, world.group_id


def _free_seats_stored(url: str, program_id: int, group_id: int) -> tuple[int, int]:
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return (
                connection.execute(
                    text("SELECT free_seats FROM catalog_row WHERE program_id = :p"),
                    {"p": program_id},
                ).scalar_one(),
                connection.execute(
                    text("SELECT free_seats FROM catalog_group WHERE group_id = :g"),
                    {"g": group_id},
                ).scalar_one(),
            )
    finally:
        engine.dispose()


def test_0028_recounts_the_catalog_rows_of_a_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'recount.db'}"
    program_id, group_id = _rows_counted_before_0028(url)
    assert _free_seats_stored(url, program_id, group_id) == (10, 10)
    upgrade(url)
    assert _free_seats_stored(url, program_id, group_id) == (9, 9)


def test_0028_recounts_the_catalog_rows_of_a_postgres_database(pg_cluster):
    pg_cluster.execute("CREATE DATABASE recount_check")
    url = pg_cluster.url("recount_check")
    program_id, group_id = _rows_counted_before_0028(url)
    upgrade(url)
    assert _free_seats_stored(url, program_id, group_id) == (9, 9)
