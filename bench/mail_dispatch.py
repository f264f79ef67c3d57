"""Notification mail: how long letters for a burst of notifications take, and the CPU the
dispatcher spends, through a real SMTP server (navigator.mailserver, aiosmtpd, its own
process), as the scheduler's round does it.

    .venv/bin/python -m bench.mail_dispatch [--people 200] [--each 10] [--db sqlite|postgres]

`--people` parents each get `--each` notifications (under the hourly limit per address, so
every one is mailed at once). Timed apart: `dispatch_instant` (notifications into queued
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

from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.notifications.delivery import dispatch_instant
from navigator.domain.notifications.fanout import notify
from navigator.domain.shared.db import make_engine, transaction
from navigator.domain.shared.mail import send_pending
from navigator.domain.shared.migrate import upgrade
from navigator.mailserver import free_port
from navigator.settings import get_settings
from tests.support.postgres import PostgresCluster


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(url: str, people: int, each: int, port: int) -> dict[str, float]:
    engine = make_engine(url)
    with transaction(engine) as s:
        parent = ((Role.PARENT, None, None),)
        users = [
            create_user(s, f"bench{n}@example.org", "correct horse 42", roles=parent).id
            for n in range(people)
        ]
    with transaction(engine) as s:
        for n in range(each):
            for user_id in users:
                notify(s, user_id, "enrollment.accepted", {"n": n})
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
            result = run(url, args.people, args.each, port)
        finally:
            server.terminate()
            server.wait(timeout=10)
            if cluster is not None:
                cluster.stop()
    print(json.dumps({"db": args.db, **result}, indent=1))


if __name__ == "__main__":
    main()
