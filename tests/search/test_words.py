"""One normalisation for the index and the queries: the four ways a parent's words missed
a program's title (another case, another alphabet, another language, another word) meet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    create_program,
    update_program,
)
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import Program, ProgramWords
from navigator.domain.shared.db import read_session, transaction
from search.documents import build_batch
from search.words import document_matches, document_words, marked_spans, query_words
from tests.factories import SYSTEM, build_world

MEETINGS = [
    # a Lithuanian word in another case than the title's
    ("šachmatų būrelis", "Šachmatai"),
    ("robotikos", "Robotika"),
    ("plaukimo pamokos", "Plaukimas"),
    ("шахматам", "Шахматы"),
    # a Latin product or language name typed in Cyrillic
    ("скретч", "Программирование в Scratch"),
    ("пайтон", "Python pradmenys"),
    ("роблокс", "Roblox žaidimų kūrimas"),
    ("лего", "LEGO konstravimas"),
    ("LEGO", "Лего-конструирование"),
    # an activity typed in one language, titled in another
    ("chess", "Шахматы"),
    ("танцы", "Šokiai"),
    ("piešimas", "Drawing and Painting"),
    ("swimming", "Плавание для малышей"),
    ("театр", "Teatro studija"),
    # a common synonym of the program's own word
    ("живопись", "Рисование"),
    ("изо", "Изостудия «Палитра»"),
    ("soccer", "Футбол"),
    ("пение", "Вокал"),
    # Lithuanian typed without its letters
    ("sachmatai", "Šachmatai"),
]


@pytest.mark.parametrize(("typed", "title"), MEETINGS)
def test_a_query_meets_the_title_it_means(typed, title):
    assert document_matches(document_words(title), query_words(typed)), (
        query_words(typed),
        document_words(title),
    )


@pytest.mark.parametrize(
    ("typed", "title"),
    [("шахматы", "Плавание"), ("chess", "Šokiai"), ("скретч", "Python"), ("футбол", "Хоккей")],
)
def test_a_query_does_not_meet_another_activity(typed, title):
    assert not document_matches(document_words(title), query_words(typed))


def test_words_a_query_can_do_without_are_left_out_unless_nothing_else_was_typed():
    assert query_words("шахматный кружок для детей").keys == query_words("шахматы").keys
    assert query_words("būrelis").keys  # a query of such words alone still asks for them


def test_the_last_word_is_a_prefix_while_typed():
    typed = query_words("шахм")
    assert typed.last_is_prefix
    assert document_matches(document_words("Шахматы"), typed)
    assert not document_matches(document_words("Шахматы"), query_words("шахм "))


def test_the_highlight_marks_the_words_that_answered():
    spans = marked_spans("Šachmatų būrelis «Žirgas»", query_words("шахматы"))
    assert [text for text, on in spans if on] == ["Šachmatų"]
    assert "".join(text for text, _ in spans) == "Šachmatų būrelis «Žirgas»"


def test_signs_alone_are_no_words():
    assert query_words("' OR 1=1 -- \" * : & | NEAR( ^").keys == ("or", "1", "near")
    assert query_words("🦄🦄🦄").keys == ()


def _program(session, provider_id: int, title: str, description: str = "") -> int:
    program = create_program(
        session,
        SYSTEM,
        provider_id,
        ProgramFields(
            title=title,
            description=description,
            direction="physical_sports",
            age_min=6,
            age_max=12,
            language="lt",
        ),
    )
    create_group(
        session,
        SYSTEM,
        program.id,
        name="1",
        timetable=[{"weekday": 2, "start": "10:00", "end": "11:00"}],
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=60),
        seats=5,
        price_per_lesson_minor=30_000,
    )
    return program.id


def test_the_index_and_the_fallback_store_the_same_words_of_what_the_catalog_shows(engine):
    world = build_world(engine)  # an admitted provider in a municipality
    with transaction(engine) as s:
        program_id = _program(s, world.provider_id, "Šachmatų būrelis", "Žaidžiame turnyruose")
    with transaction(engine) as s:
        set_certification(s, SYSTEM, program_id, "submitted")
    with transaction(engine) as s:
        set_certification(s, SYSTEM, program_id, "certified")
    with read_session(engine) as s:
        stored = s.get(ProgramWords, program_id)
        document = build_batch(s, [program_id], date.today()).documents[0]
    assert stored.title == document["words_title"] == document_words("Šachmatų būrelis")
    assert "turnir" in stored.body.split()
    # an edit waits for review: the catalog still shows, and both still store, the certified
    with transaction(engine) as s:
        program = s.get(Program, program_id)
        update_program(
            s,
            SYSTEM,
            program_id,
            ProgramFields(
                title="Plaukimas",
                direction=program.direction,
                age_min=6,
                age_max=12,
                language="lt",
            ),
        )
    with read_session(engine) as s:
        assert s.get(ProgramWords, program_id).title == document_words("Šachmatų būrelis")
    with transaction(engine) as s:
        set_certification(s, SYSTEM, program_id, "certified")
    with read_session(engine) as s:
        stored = s.get(ProgramWords, program_id)
        document = build_batch(s, [program_id], date.today()).documents[0]
    assert stored.title == document["words_title"] == document_words("Plaukimas")


def test_a_misspelled_word_is_highlighted_where_the_search_forgave_it():
    assert marked_spans("Шахматы для начинающих", query_words("шахмоты"))[0] == ("Шахматы", True)
    assert all(not on for _, on in marked_spans("Рисование", query_words("шахмоты")))
    # short words are forgiven nothing, as the search forgives them nothing
    assert all(not on for _, on in marked_spans("Лего", query_words("лаго")))
