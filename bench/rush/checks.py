"""What must hold after a rush, read from the database and the servers' logs.

- no group holds more children than its seats (counted from the enrollments themselves);
- no raw error: the app's logs carry no traceback, IntegrityError, OperationalError,
  "could not serialize" or deadlock (a busy database must reach people as "busy, try
  again", never as a crash);
- every parent who applied and got no seat was told why: the enrollment is on the waiting
  list or refused with a reason, and the cabinet showed the parent that status (and the
  reason); a parent refused on the program page read the refusal there;
- the ledger's invariants (tests/support/invariants.py).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.rush.load import REFUSED_STATUSES, Outcome, status_words
from bench.rush.world import World
from navigator.domain.enrollment.models import SEATED_ENROLLMENT, Enrollment
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import read_session
from tests.support.invariants import assert_ledger_invariants

RAW_ERRORS = {
    "traceback": re.compile(r"Traceback \(most recent call last\)"),
    "IntegrityError": re.compile(r"IntegrityError"),
    "OperationalError": re.compile(r"OperationalError"),
    "could not serialize": re.compile(r"could not serialize", re.I),
    "deadlock": re.compile(r"deadlock detected", re.I),
}


def raw_errors(logs: list[Path]) -> dict[str, int]:
    found: Counter = Counter()
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        for name, pattern in RAW_ERRORS.items():
            found[name] += len(pattern.findall(text))
    return {name: found[name] for name in RAW_ERRORS}


EXCEPTION = re.compile(r"(?:[\w.]+\.)?(\w+(?:Error|Exception)):")  # at a line's start
EVENT = re.compile(r"Happened in\s*event:\s*([\w.]+)")
LOG_LINE = re.compile(r"(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")  # a record after it


def tracebacks_by_kind(logs: list[Path]) -> dict[str, int]:
    """Tracebacks by their exception and, where Reflex names it, the event that raised it
    ("LockExpiredError in program_state.apply"). A traceback runs to the next empty line and
    ends with its exception at a line's start; Reflex's console wraps its lines at 80
    columns, in the middle of a name too, so the event is read from the lines joined."""
    found: Counter = Counter()
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        for block in re.split(r"\n\s*\n", text):
            if not RAW_ERRORS["traceback"].search(block):
                continue
            lines = block.splitlines()
            starts = next(i for i, line in enumerate(lines) if "Traceback" in line)
            ends = next(
                (i for i, line in enumerate(lines) if i > starts and LOG_LINE.match(line)), None
            )
            lines = lines[starts:ends]
            errors = [m.group(1) for line in lines if (m := EXCEPTION.match(line))]
            kind = errors[-1] if errors else "unknown"
            event = EVENT.search("".join(line.strip() for line in lines))
            if event:
                state, _, handler = event.group(1).rpartition(".")
                kind += f" in {state.rpartition('____')[2]}.{handler}"
            found[kind] += 1
    return dict(found.most_common())


SHED = re.compile(r"worker saturated: (\d+) handler\(s\) shed")


def shed_logged(logs: list[Path]) -> int:
    """Handlers the workers shed, as their logs count them (a line every 10 s at most: the
    last few seconds' may be missing)."""
    return sum(
        int(count)
        for log in logs
        if log.exists()
        for count in SHED.findall(log.read_text(errors="replace"))
    )


def raw_error_examples(logs: list[Path], most: int = 3, lines: int = 40) -> list[str]:
    """The first few tracebacks as the logs have them (the logs go with the run's files)."""
    examples: list[str] = []
    for log in logs:
        text = log.read_text(errors="replace").splitlines() if log.exists() else []
        for at, line in enumerate(text):
            if len(examples) < most and RAW_ERRORS["traceback"].search(line):
                examples.append(f"{log.name}:{at + 1}\n" + "\n".join(text[at : at + lines]))
    return examples


def seats(engine: Engine, world: World) -> dict[str, Any]:
    """Seats taken per popular group, counted from the enrollments, against the seats."""
    rows = []
    with read_session(engine) as s:
        for program in world.programs:
            group = s.get(Group, program.group_id)
            assert group is not None
            seated = s.exec(
                select(func.count())
                .select_from(Enrollment)
                .where(
                    Enrollment.group_id == group.id,
                    col(Enrollment.status).in_([x.value for x in SEATED_ENROLLMENT]),
                )
            ).one()
            by_status = dict(
                s.exec(
                    select(Enrollment.status, func.count())
                    .where(Enrollment.group_id == group.id)
                    .group_by(Enrollment.status)
                ).all()
            )
            rows.append(
                {
                    "group": group.id,
                    "seats": group.seats,
                    "seats_taken": group.seats_taken,
                    "seated": seated,
                    "by_status": {str(k): v for k, v in by_status.items()},
                }
            )
    return {
        "groups": rows,
        "seats": sum(r["seats"] for r in rows),
        "seats_taken": sum(r["seated"] for r in rows),
        "oversold": sum(max(0, r["seated"] - r["seats"]) for r in rows)
        + sum(1 for r in rows if r["seated"] != r["seats_taken"]),
    }


def told_why(engine: Engine, world: World, outcomes: list[Outcome]) -> dict[str, Any]:
    """Every parent without a seat knows why: what the database says matches what they saw."""
    words = status_words()
    by_email = {o.email: o for o in outcomes}
    child_of = {p.email: p.child_id for p in world.parents}
    popular = {p.group_id for p in world.programs}
    untold: list[str] = []
    counts: Counter = Counter()
    with read_session(engine) as s:
        enrollments = {
            e.child_id: e
            for e in s.exec(
                select(Enrollment).where(col(Enrollment.group_id).in_(sorted(popular)))
            ).all()
        }
    for email, outcome in by_email.items():
        if outcome.error and outcome.error != "busy" and not outcome.applied:
            # stopped before the page let them apply ("busy" is what the page said)
            untold.append(f"{email}: the session broke off ({outcome.error})")
            continue
        enrollment = enrollments.get(child_of[email])
        if enrollment is None:
            if outcome.applied in ("", "sent"):
                counts["did not apply" if not outcome.applied else "sent, but no enrollment"] += 1
                if outcome.applied == "sent":
                    untold.append(f"{email}: the page said sent, the database has nothing")
            else:
                counts[f"refused on the page: {outcome.applied}"] += 1  # they read it there
            continue
        status = str(getattr(enrollment.status, "value", enrollment.status))
        counts[status] += 1
        if status not in REFUSED_STATUSES:
            continue
        seen = words.get(outcome.status_seen, outcome.status_seen)
        if seen != status:
            untold.append(f"{email}: {status} in the database, the cabinet showed {seen!r}")
        elif status == "rejected" and (
            not enrollment.reason or outcome.reason_seen != enrollment.reason
        ):
            untold.append(f"{email}: rejected without the reason reaching the cabinet")
    return {"outcomes": dict(counts), "not_told": len(untold), "examples": untold[:5]}


def check(engine: Engine, world: World, outcomes: list[Outcome], logs: list[Path]) -> dict:
    result: dict[str, Any] = {
        "seats": seats(engine, world),
        "raw_errors": raw_errors(logs),
        "raw_error_examples": raw_error_examples(logs),
        "tracebacks_by_kind": tracebacks_by_kind(logs),
        "told_why": told_why(engine, world, outcomes),
        "handlers_shed_logged": shed_logged(logs),  # the parents' "busy" answers, seen there
    }
    try:
        assert_ledger_invariants(engine)
        result["ledger_invariants"] = "hold"
    except AssertionError as error:
        result["ledger_invariants"] = f"BROKEN: {str(error)[:300]}"
    result["passed"] = (
        result["seats"]["oversold"] == 0
        and not any(result["raw_errors"].values())
        and result["told_why"]["not_told"] == 0
        and result["ledger_invariants"] == "hold"
    )
    return result
