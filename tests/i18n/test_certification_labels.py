"""The certification diff an official reads names every field in their language: the
fields are taken from the diff itself (a never-certified program differs in every one), so
a field added to certification without words fails here, not on the official's screen."""

from __future__ import annotations

from sqlmodel import select

from navigator.domain.programs.api import ProgramFields, create_program
from navigator.domain.programs.certification import (
    Change,
    program_changes,
    program_snapshot,
)
from navigator.domain.programs.models import Program
from navigator.domain.shared.models import AuditEvent
from navigator.i18n.catalogs import LANGUAGES, messages
from navigator.state.municipality import _change_line
from tests.factories import build_world


def _every_field_a_diff_names(engine) -> set[str]:
    world = build_world(engine)
    with world.tx() as s:
        program = create_program(
            s,
            world.provider_user,
            world.provider_id,
            ProgramFields(
                title="Керамика",
                direction="technical",
                age_min=6,
                age_max=12,
                language="ru",
                address="ул. Мира, 1",
                tags="глина",
            ),
        )
        program.photo = "kiln.jpg"  # a photo is certified content too
        s.add(program)
        s.flush()
        assert not s.exec(  # never certified: every field differs from nothing
            select(AuditEvent).where(
                AuditEvent.subject == "program", AuditEvent.subject_id == program.id
            )
        ).first()
        _at, changes, _fingerprint = program_changes(s, program)
        every = set(program_snapshot(s.get(Program, program.id), []))
    fields = {c.field for c in changes}
    assert fields == every  # the diff named every field it can compare
    return fields


def test_every_field_of_a_certification_diff_has_a_label_in_every_language(engine):
    fields = _every_field_a_diff_names(engine)
    assert {"groups", "is_free", "photo", "title"} <= fields
    for language in LANGUAGES:
        labels = messages(language, "fields")
        missing = sorted(f for f in fields if not labels.get(f))
        assert missing == [], (language, missing)


def test_the_diff_line_shows_words_not_a_field_name():
    group = {"name": "A", "starts_on": "2026-09-07", "ends_on": "2026-12-21", "seats": 8}
    for language, groups, free in (
        ("ru", "Группы", "Бесплатная программа"),
        ("lt", "Grupės", "Nemokama programa"),
        ("en", "Groups", "Free program"),
    ):
        assert _change_line(Change("groups", None, [group]), "RUB", language).field == groups
        assert _change_line(Change("is_free", False, True), "RUB", language).field == free
