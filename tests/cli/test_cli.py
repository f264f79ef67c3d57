"""The `navigator` console command, run as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

NAVIGATOR = [sys.executable, "-m", "navigator.cli"]


def run(
    args: list[str], tmp_path: Path, *, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NAVIGATOR_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'cli.db'}",
    }
    return subprocess.run(
        [*NAVIGATOR, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


def test_help_lists_the_commands(tmp_path):
    result = run(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("db", "seed", "run"):
        assert command in result.stdout


def test_upgrade_then_seed_if_empty_twice_seeds_once(tmp_path):
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    assert "(head)" in run(["db", "current"], tmp_path).stdout
    first = run(["seed", "--if-empty", "--programs", "40"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "40 programs" in first.stdout and "parent.vilnius@demo.navigator" in first.stdout
    second = run(["seed", "--if-empty"], tmp_path)
    assert second.returncode == 0
    assert "nothing seeded" in second.stdout and "parent.vilnius@demo.navigator" in second.stdout
    assert run(["seed"], tmp_path).returncode == 1  # never seeds twice into a database


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
def test_a_bad_program_count_is_refused(tmp_path, value):
    result = run(["seed", "--programs", value], tmp_path)
    assert result.returncode == 2
    assert "programs" in result.stderr


def test_import_programs_from_a_file_reports_bad_rows_and_exits_nonzero(tmp_path):
    from tests.domain.programs.test_importing import BAD, GOOD, HEADER

    assert run(["db", "upgrade"], tmp_path).returncode == 0
    assert run(["seed", "--programs", "8"], tmp_path).returncode == 0
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, *GOOD]) + "\n", encoding="utf-8")
    result = run(["import", "programs", str(good), "--provider", "1", "--certified"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created 2, updated 0, refused 0" in result.stdout
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("\n".join([HEADER, *GOOD, BAD[0][0]]) + "\n", encoding="utf-8")
    result = run(["import", "programs", str(mixed), "--provider", "1"], tmp_path)
    assert result.returncode == 1
    assert "created 0, updated 2, refused 1" in result.stdout
    assert "line 4:" in result.stderr
    missing = run(["import", "programs", str(mixed), "--provider", "999"], tmp_path)
    assert missing.returncode == 1 and missing.stderr.strip()
    unreadable = run(
        ["import", "programs", str(tmp_path / "nope.csv"), "--provider", "1"], tmp_path
    )
    assert unreadable.returncode == 2


def test_admin_create_names_an_administrator_once_and_refuses_an_unknown_municipality(tmp_path):
    from navigator.domain.accounts.api import verify_password
    from navigator.domain.accounts.models import Membership, User
    from navigator.domain.municipalities.models import Municipality
    from navigator.domain.shared.db import make_engine, read_session

    assert run(["db", "upgrade"], tmp_path).returncode == 0
    assert run(["seed", "--programs", "8"], tmp_path).returncode == 0
    create = ["admin", "create", "--email", "Head@Perm.example", "--password-stdin"]

    first = run([*create, "--municipality", "perm"], tmp_path, stdin="head-pass-2026\n")
    again = run([*create, "--municipality", "perm"], tmp_path, stdin="other-pass-2026\n")
    unknown = run([*create, "--municipality", "atlantis"], tmp_path, stdin="head-pass-2026\n")

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "created head@perm.example, administrator of perm"
    assert again.returncode == 0, again.stderr
    assert "existing account" in again.stdout
    assert unknown.returncode == 1
    assert unknown.stderr.strip() and unknown.stdout == ""
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    with read_session(engine) as s:
        user = s.exec(select(User).where(User.email == "head@perm.example")).one()
        roles = s.exec(
            select(Membership.role, Municipality.code)
            .join(Municipality, Municipality.id == Membership.municipality_id)
            .where(Membership.user_id == user.id)
        ).all()
    engine.dispose()
    assert roles == [("municipality_admin", "perm")]  # once, though named twice
    assert verify_password("head-pass-2026", user.password_hash)  # the second run kept it


def test_culture_operator_is_made_once_and_refuses_a_bad_address(tmp_path):
    from navigator.domain.accounts.api import verify_password
    from navigator.domain.accounts.models import User
    from navigator.domain.culture.models import CultureOperator
    from navigator.domain.shared.db import make_engine, read_session

    assert run(["db", "upgrade"], tmp_path).returncode == 0
    command = ["culture", "operator", "--email", "Centre@LNB.example", "--password-stdin"]
    first = run(command, tmp_path, stdin="centre-pass-2027\n")
    again = run(command, tmp_path, stdin="other-pass-2027\n")
    bad = run(["culture", "operator", "--email", "not an address"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "centre@lnb.example is the culture-pass programme operator" in first.stdout
    assert again.returncode == 0, again.stderr
    assert bad.returncode == 1 and bad.stderr.strip()
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    with read_session(engine) as s:
        user = s.exec(select(User).where(User.email == "centre@lnb.example")).one()
        operators = s.exec(select(CultureOperator).where(CultureOperator.user_id == user.id)).all()
    engine.dispose()
    assert len(operators) == 1
    assert verify_password("centre-pass-2027", user.password_hash)
