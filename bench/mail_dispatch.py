"""Notification mail: how long letters for a burst of notifications take, and the CPU the
dispatcher spends, through a real SMTP server (navigator.mailserver, aiosmtpd, its own
process), as the scheduler's round does it.

    .venv/bin/python -m bench.mail_dispatch [--people 200] [--each 10] [--db sqlite|postgres]
        [--payloads plain|rows]

`--people` parents each get `--each` notifications (under the hourly limit per address, so
every one is mailed at once). `--payloads rows` gives them the payloads the domain writes (a
lesson charged, an application accepted, a child's papers verified), whose ids lead to real
rows of 50 families (an entry to its account, enrollment, child, group, program, provider,
period, municipality, lesson), as an enrollment morning's notifications do; `plain` carries
no ids (the dispatcher alone). Timed apart: `dispatch_instant` (notifications into queued
letters) and the sending rounds (`send_pending` until nothing is due). Setup is not timed.
PostgreSQL is a throwaway cluster with fsync on; SQLite a WAL file on local disk.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.models import LedgerEntry, VerificationRequest
from navigator.domain.enrollment.api import accept_application
from navigator.domain.notifications.delivery import dispatch_instant
from navigator.domain.notifications.fanout import notify
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.mail import send_pending
from navigator.domain.shared.migrate import upgrade
from navigator.domain.shared.models import Notification, utcnow
from navigator.mailserver import free_port
from navigator.settings import get_settings
from tests.support.postgres import PostgresCluster


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _family_payloads(engine: Engine, families: int) -> list[tuple[str, dict[str, object]]]:
    """(kind, payload) as the domain writes them, for `families` children applying, accepted
    and charged for their first lesson (tests.factories, through the domain services)."""
    from tests.domain.disputes.world import charge_lesson
    from tests.factories import build_world

    world = build_world(engine, seats=families)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    told: list[tuple[str, dict[str, object]]] = []
    for n in range(families):
        if n == 0:
            parent, child_id = world.parent, world.child_id
        else:
            parent, child_id, _certificate, _account = world.add_parent_with_child()
        enrollment_id = world.apply(child_id, parent=parent)
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
        entry_id = charge_lesson(world, enrollment_id, lessons[0])
        with read_session(engine) as s:
            entry = s.get(LedgerEntry, entry_id)
            request_id = s.exec(
                select(VerificationRequest.id).where(VerificationRequest.child_id == child_id)
            ).one()
            capture = {
                "entry_id": entry_id,
                "account_id": entry.account_id,
                "amount_minor": entry.amount_minor,
                "enrollment_id": enrollment_id,
            }
        told += [
            ("certificate.capture", capture),
            ("enrollment.accepted", {"enrollment_id": enrollment_id, "group_id": world.group_id}),
            ("verification.approved", {"request_id": request_id, "child_id": child_id}),
        ]
    with transaction(engine) as s:  # what building them told everyone is not the bench's
        s.exec(update(Notification).values(mailed_at=utcnow()))  # type: ignore[call-overload]
    return told


def run(url: str, people: int, each: int, port: int, payloads: str = "plain") -> dict[str, float]:
    engine = make_engine(url)
    told = _family_payloads(engine, 50) if payloads == "rows" else []
    with transaction(engine) as s:
        parent = ((Role.PARENT, None, None),)
        users = [
            create_user(s, f"bench{n}@example.org", "correct horse 42", roles=parent).id
            for n in range(people)
        ]
    with transaction(engine) as s:
        for n in range(each):
            for i, user_id in enumerate(users):
                kind, payload = told[(n * people + i) % len(told)] if told else ("", {})
                notify(s, user_id, kind or "enrollment.accepted", {**payload, "n": n})
    settings = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    started, cpu = time.perf_counter(), _cpu()
    queued = dispatch_instant(engine)
    dispatch_s, dispatch_cpu = time.perf_counter() - started, _cpu() - cpu
    started, cpu, sent = time.perf_counter(), _cpu(), 0
    while done := send_pending(engine, settings).sent:
        sent += len(done)
    send_s, send_cpu = time.perf_counter() - started, _cpu() - cpu
    engine.dispose()
    return {
        "payloads": payloads,
        "notifications": people * each,
        "queued": queued,
        "sent": sent,
        "dispatch_s": round(dispatch_s, 2),
        "dispatch_cpu_s": round(dispatch_cpu, 2),
        "dispatch_per_s": round(queued / dispatch_s, 1),
        "send_s": round(send_s, 2),
        "send_cpu_s": round(send_cpu, 2),
        "end_to_end_s": round(dispatch_s + send_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--each", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--payloads", choices=["plain", "rows"], default="plain")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        mailbox = str(Path(directory) / "mail")
        command = [sys.executable, "-m", "navigator.mailserver", "--port", str(port)]
        server = subprocess.Popen([*command, "--mailbox", mailbox], stdout=subprocess.DEVNULL)
        cluster = None
        try:
            time.sleep(1)  # the server listens within a second
            if args.db == "sqlite":
                url = f"sqlite:///{directory}/bench.db"
            else:
                cluster = PostgresCluster(durable=True).start()
                cluster.execute("CREATE DATABASE bench")
                url = cluster.url("bench")
            upgrade(url)
            result = run(url, args.people, args.each, port, args.payloads)
        finally:
            server.terminate()
            server.wait(timeout=10)
            if cluster is not None:
                cluster.stop()
    print(json.dumps({"db": args.db, **result}, indent=1))


if __name__ == "__main__":
    main()
