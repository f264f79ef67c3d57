"""The `navigator` console command: operations on the database, the demo data and the app."""

from __future__ import annotations

import argparse
import sys
import time

from navigator.settings import get_settings


def _db_upgrade(args: argparse.Namespace) -> int:
    from navigator.domain.shared.migrate import upgrade

    get_settings().var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(revision=args.revision)
    print(f"database at {args.revision}: {_safe_url()}")
    return 0


def _db_current(_args: argparse.Namespace) -> int:
    from alembic import command

    from navigator.domain.shared.migrate import alembic_config

    command.current(alembic_config(), verbose=False)
    return 0


def _safe_url() -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)


def _seed(args: argparse.Namespace) -> int:
    from navigator.domain.shared.db import get_engine
    from seed.demo import DEMO_PASSWORD, database_is_empty, demo_logins, seed_demo

    engine = get_engine()
    if not database_is_empty(engine):
        if args.if_empty:
            print("demo data: the database already has programs; nothing seeded")
            logins = demo_logins(engine)
            if logins:
                print(f"demo logins (password for all: {DEMO_PASSWORD}): {', '.join(logins)}")
            return 0
        print("the database is not empty; seed into an empty database", file=sys.stderr)
        return 1
    started = time.monotonic()
    report = seed_demo(engine, programs=args.programs)
    print(
        f"seeded {report.municipalities} municipalities, {report.providers} providers,"
        f" {report.programs} programs, {report.groups} groups in {time.monotonic() - started:.1f} s"
    )
    print(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for email, role in report.logins or []:
        print(f"  {role:<20} {email}")
    return 0


def _search_client():
    from search.relay import make_client

    settings = get_settings()
    return make_client(settings.meili_url, settings.meili_master_key)


def _search_keys(_args: argparse.Namespace) -> int:
    """The web process's two scoped keys, made with the master key (the operator's)."""
    from search.keys import app_keys

    settings = get_settings()
    for name, key in app_keys(settings.meili_url, settings.meili_master_key).items():
        print(f"{name}={key}")
    return 0


def _search_reindex(_args: argparse.Namespace) -> int:
    from navigator.domain.shared.db import get_engine
    from search.relay import reindex

    report = reindex(get_engine(), _search_client())
    print(
        f"reindexed {report.documents} programs into '{report.index_uid}' in {report.seconds:.1f} s"
    )
    return 0


def _search_relay(args: argparse.Namespace) -> int:
    from navigator.domain.shared.db import get_engine
    from search.relay import Relay, drain, ensure_index

    engine, client = get_engine(), _search_client()
    if args.once:
        ensure_index(engine, client)
        print(f"relayed {drain(engine, client)} catalog changes")
        return 0
    relay = Relay(engine, client)
    try:
        relay.run()
    except KeyboardInterrupt:
        relay.stop()
    return 0


def _import_programs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from navigator.domain.accounts.access import Actor
    from navigator.domain.programs.importing import import_programs
    from navigator.domain.shared.db import transaction
    from navigator.domain.shared.errors import DomainError

    locale = get_settings().default_locale
    try:
        content = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    try:
        with transaction() as session:  # the operator's command line acts as the system
            report = import_programs(
                session, Actor.system(), args.provider, content, certified=args.certified
            )
    except DomainError as error:
        print(error.message(locale), file=sys.stderr)
        return 1
    print(f"created {report.created}, updated {report.updated}, refused {len(report.errors)}")
    for row in report.errors:
        print(f"  line {row.line}: {row.error.message(locale)}", file=sys.stderr)
    return 1 if report.errors else 0


def _culture_operator(args: argparse.Namespace) -> int:
    from navigator.domain.accounts.signin import request_password_reset
    from navigator.domain.culture.years import make_operator
    from navigator.domain.shared.db import transaction
    from navigator.domain.shared.errors import DomainError
    from navigator.domain.shared.mail import deliver_after_commit

    settings = get_settings()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        with transaction() as session:
            _operator, created = make_operator(session, args.email, password=password)
            if created and password is None:
                request_password_reset(
                    session, args.email.strip().lower(), app_url=settings.app_url
                )
                deliver_after_commit(session)
    except DomainError as error:
        print(error.message(settings.default_locale), file=sys.stderr)
        return 1
    how = "" if not created or password is not None else "; a link to set the password was mailed"
    print(f"{args.email.strip().lower()} is the culture-pass programme operator{how}")
    return 0


def _admin_create(args: argparse.Namespace) -> int:
    from navigator.domain.accounts.access import Actor
    from navigator.domain.accounts.signin import request_password_reset
    from navigator.domain.municipalities.api import create_admin
    from navigator.domain.shared.db import transaction
    from navigator.domain.shared.errors import DomainError
    from navigator.domain.shared.mail import deliver_after_commit

    settings = get_settings()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        with transaction() as session:  # the operator's command line acts as the system
            user, created = create_admin(
                session,
                Actor.system(),
                email=args.email,
                municipality_code=args.municipality,
                full_name=args.name,
                password=password,
            )
            if created and password is None:
                request_password_reset(
                    session, user.email, app_url=settings.app_url, locale=user.locale
                )
                deliver_after_commit(session)
            email = user.email
    except DomainError as error:
        print(error.message(settings.default_locale), file=sys.stderr)
        return 1
    if not created:
        print(f"{email} is now an administrator of {args.municipality} (existing account)")
    elif password is None:
        print(
            f"created {email}, administrator of {args.municipality};"
            f" a link to set the password was mailed (in development: {settings.var_dir / 'mail'})"
        )
    else:
        print(f"created {email}, administrator of {args.municipality}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from navigator.devserver import run

    return run(port=args.port)


def _cluster(args: argparse.Namespace) -> int:
    from navigator.cluster import run as run_cluster

    if args.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    return run_cluster(workers=args.workers, port=args.port, background=args.background_process)


def _i18n_compile(_args: argparse.Namespace) -> int:
    from navigator.i18n.catalogs import compile_all

    for path in compile_all():
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="navigator", description="Operate the navigator of children's programs."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database migrations").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    upgrade = db.add_parser("upgrade", help="apply migrations (to head by default)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    db.add_parser("current", help="show the applied revision").set_defaults(handler=_db_current)

    i18n = commands.add_parser("i18n", help="the translations").add_subparsers(
        dest="i18n_command", required=True, metavar="ACTION"
    )
    i18n.add_parser("compile", help="compile the .po catalogs into .mo files").set_defaults(
        handler=_i18n_compile
    )

    seed = commands.add_parser("seed", help="fill an empty database with demo data")
    seed.add_argument("--programs", type=int, default=400, help="how many programs (default 400)")
    seed.add_argument(
        "--if-empty", action="store_true", help="do nothing (and succeed) when data exists"
    )
    seed.set_defaults(handler=_seed)

    search = commands.add_parser("search", help="the Meilisearch catalog index").add_subparsers(
        dest="search_command", required=True, metavar="ACTION"
    )
    search.add_parser(
        "reindex", help="rebuild the index from the database and swap it in atomically"
    ).set_defaults(handler=_search_reindex)
    search.add_parser(
        "keys", help="print the web process's scoped keys (MEILI_SEARCH_KEY, MEILI_RELAY_KEY)"
    ).set_defaults(handler=_search_keys)
    relay = search.add_parser("relay", help="send catalog changes to Meilisearch (until Ctrl-C)")
    relay.add_argument("--once", action="store_true", help="empty the outbox, then stop")
    relay.set_defaults(handler=_search_relay)

    importing = commands.add_parser("import", help="import data from files").add_subparsers(
        dest="import_command", required=True, metavar="WHAT"
    )
    programs = importing.add_parser("programs", help="programs of one provider from a CSV file")
    programs.add_argument("file", help="CSV, UTF-8, with a header row (see README)")
    programs.add_argument("--provider", type=int, required=True, help="the provider's id")
    programs.add_argument(
        "--certified", action="store_true", help="mark them certified (operator only)"
    )
    programs.set_defaults(handler=_import_programs)

    admin = commands.add_parser("admin", help="municipality administrators").add_subparsers(
        dest="admin_command", required=True
    )
    create = admin.add_parser("create", help="make an account administrator of a municipality")
    create.add_argument("--email", required=True)
    create.add_argument("--municipality", required=True, help="the municipality's code")
    create.add_argument("--name", default="", help="the administrator's full name")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new account's password from standard input (else a link is mailed)",
    )
    create.set_defaults(handler=_admin_create)

    culture = commands.add_parser("culture", help="the culture pass").add_subparsers(
        dest="culture_command", required=True
    )
    operator = culture.add_parser("operator", help="make an account the programme operator")
    operator.add_argument("--email", required=True)
    operator.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new account's password from standard input (else a link is mailed)",
    )
    operator.set_defaults(handler=_culture_operator)

    run = commands.add_parser("run", help="start Meilisearch and the app (http://localhost:3000)")
    run.add_argument("--port", type=int, default=3000)
    run.set_defaults(handler=_run)

    cluster = commands.add_parser(
        "cluster",
        help="several app workers behind nginx, with Redis, PostgreSQL and Meilisearch",
    )
    cluster.add_argument("--workers", type=int, default=2)
    cluster.add_argument("--port", type=int, default=3000)
    cluster.add_argument(
        "--background-process",
        action="store_true",
        help="the search relay and the scheduled jobs in a process of their own",
    )
    cluster.set_defaults(handler=_cluster)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "programs", 1) < 1:
        print("--programs must be at least 1", file=sys.stderr)
        return 2
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
