"""The municipality's audit log: every decision, newest first, with who and why."""

from __future__ import annotations

from navigator.domain.accounts.models import Child, User
from navigator.domain.municipalities.queries import audit_log
from navigator.domain.programs.models import CertificationStatus
from navigator.domain.shared.db import read_session
from tests.domain.cabinet import _admin, _decide, _submitted_program
from tests.factories import SYSTEM, build_world


def test_the_audit_log_lists_every_decision_newest_first_with_who_and_why(engine):
    world = build_world(engine)
    admin = _admin(world)
    admin_email = f"admin{world.municipality_id}@example.org"
    submitted, _, _ = _submitted_program(world, title="Шахматы")
    assert _decide(world, admin, world.program_id, "suspend", "Licence lapsed") == "ok"
    assert _decide(world, admin, world.program_id, "reinstate") == "ok"
    assert _decide(world, admin, submitted, "reject", "No safety plan") == "ok"
    other = build_world(engine)  # another town's decisions stay in its own log
    assert _decide(world, SYSTEM, other.program_id, "suspend", "Elsewhere") == "ok"

    with read_session(engine) as s:
        log = audit_log(s, admin, world.municipality_id)

    with read_session(engine) as s:
        staff_email = s.get(User, world.provider_user.user_id).email
        child = s.get(Child, world.child_id)
        child_name = f"{child.first_name} {child.last_name}"
    assert [(line.action, line.actor_email, line.subject_name, line.reason) for line in log] == [
        ("program.rejected", admin_email, "Шахматы", "No safety plan"),
        ("program.reinstated", admin_email, "Робототехника", ""),
        ("program.suspended", admin_email, "Робототехника", "Licence lapsed"),
        ("program.submitted", staff_email, "Шахматы", ""),
        ("child.verified", "system", child_name, ""),  # the factory's world from here on
        ("program.certified", "system", "Робототехника", ""),
        ("program.submitted", staff_email, "Робототехника", ""),
        ("provider.admitted", "system", "Дом творчества", ""),
        ("period.created", "system", "2026/27", ""),
    ]
    assert [line.at for line in log] == sorted((line.at for line in log), reverse=True)
    assert log[1].payload["from"] == CertificationStatus.SUSPENDED
    with read_session(engine) as s:
        assert len(audit_log(s, admin, world.municipality_id, limit=2)) == 2
