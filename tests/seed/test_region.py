"""The demo catalog reads like a real region: a provider teaches what its name says, a town's
programs speak its language (unless a program's own language says otherwise) and people's
last names agree with their first names. The rules here are the languages' own, not the
seed's word lists, so a new word in the vocabulary is checked too."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlmodel import col, select

from navigator.domain.accounts.models import Child, User
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.programs.queries import list_catalog_programs
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import make_engine, read_session
from seed.demo import seed_demo

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LITHUANIAN = re.compile(r"[ąčęėįšųūž]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)
ENGLISH_WORDS = re.compile(r"\b(the|and|for|with|are|is)\b", re.IGNORECASE)

# What a provider's name promises: the directions it may teach, or words every title of its
# programs has (in any of the three languages). A multi-profile centre may teach anything.
ANYTHING = None
NAME_PROMISES: list[tuple[str, set[str] | str | None]] = [
    (
        "дом детского творчества|центр дополнительного образования"
        "|vaikų ir jaunimo centras|moksleivių namai",
        ANYTHING,
    ),
    ("спортивная школа|sporto mokykla", {"physical_sports"}),
    ("юных техников|technikų", {"technical"}),
    ("туризм|turistų", {"tourism_local_history"}),
    ("робототехник|robotik", "робототехник|robotik|robotics"),
    ("шахмат|šachmat", "шахмат|šachmat|chess"),
    ("керамик|keramik", "керамик|keramik|ceramics"),
    ("гитар|gitar", "гитар|gitar|guitar"),
    ("фортепиано|fortepijon", "фортепиано|fortepijon|piano"),
    ("изостуди|dailės", "живопис|рисун|tapyb|piešim|painting|drawing"),
    ("языков|kalbos mokykla", "английск|anglų|english"),
    (r"\bтанц|šokių", "танец|танц|šoki|dance"),  # not Станция
]

# first names that end like a woman's and are a man's
RUSSIAN_MEN_IN_A = {"Никита", "Илья", "Лука", "Фома", "Кузьма", "Савва", "Данила"}


@pytest.fixture(scope="module")
def region(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("region") / "region.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, programs=400)  # as `make run` and the browser tests seed
    yield engine
    engine.dispose()


def programs_with_towns(engine) -> list[tuple[Program, Provider, Municipality]]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(Program, Provider, Municipality)
                .join(Provider, col(Provider.id) == Program.provider_id)
                .join(Municipality, col(Municipality.id) == Program.municipality_id)
                .order_by(col(Program.id))
            ).all()
        )


def promise_of(name: str) -> tuple[str, set[str] | str | None]:
    found = [rule for rule in NAME_PROMISES if re.search(rule[0], name, re.IGNORECASE)]
    assert len(found) == 1, f"{name!r}: its name does not say what it teaches ({found})"
    return found[0]


def test_every_provider_teaches_only_what_its_name_says(region):
    taught: dict[str, set[str]] = {}
    for program, provider, _town in programs_with_towns(region):
        _pattern, promise = promise_of(provider.name)
        if isinstance(promise, set):
            assert program.direction in promise, (provider.name, program.title)
        elif isinstance(promise, str):
            assert re.search(promise, program.title, re.IGNORECASE), (provider.name, program.title)
        taught.setdefault(provider.name, set()).add(program.title.split(" — ")[0])
    # the multi-profile centres do teach several things, the clubs one each
    assert len(taught["Дом детского творчества"]) > 5
    assert len(taught["Vaikų ir jaunimo centras"]) > 5
    assert len(taught["Шахматный клуб «Гроссмейстер»"]) == 1


def is_russian(text: str) -> bool:
    letters = CYRILLIC.findall(text) + LATIN.findall(text)
    cyrillic = len(CYRILLIC.findall(text))
    # a word like "Python" or "3D" may stay Latin in a Russian title
    return cyrillic > 0 and cyrillic >= 0.8 * len(letters) and not LITHUANIAN.search(text)


def is_lithuanian(text: str) -> bool:
    return (
        bool(LITHUANIAN.search(text))
        and not CYRILLIC.search(text)
        and not ENGLISH_WORDS.search(text)
    )


def is_english(text: str) -> bool:
    return not CYRILLIC.search(text) and not LITHUANIAN.search(text) and bool(LATIN.search(text))


IN_LANGUAGE = {"ru": is_russian, "lt": is_lithuanian, "en": is_english}


def written_locally(text: str, country: str) -> bool:
    """A name or an address of the town (a Lithuanian one may have no letter of its own:
    "Pylimo g. 12, Vilnius")."""
    if country == "RU":
        return is_russian(text)
    return not CYRILLIC.search(text) and not ENGLISH_WORDS.search(text)


def test_a_towns_programs_speak_its_language_unless_their_language_says_otherwise(region):
    own_language = {"RU": "ru", "LT": "lt"}
    # Russia: Russian and now and then English; Lithuania: Lithuanian, English and the
    # Russian-speaking minority's Russian; never a Lithuanian program in Yaroslavl
    allowed = {"RU": {"ru", "en"}, "LT": {"lt", "en", "ru"}}
    own = total = 0
    for program, provider, town in programs_with_towns(region):
        assert program.language in allowed[town.country], (town.name, program.title)
        text = f"{program.title} {program.description}"
        assert IN_LANGUAGE[program.language](text), (town.name, program.language, text)
        # what the town itself writes is in its own language, whatever a program is taught in
        for written in (provider.name, program.address):
            assert written_locally(written, town.country), (town.name, written)
        assert town.name in program.address
        own += program.language == own_language[town.country]
        total += 1
    assert own >= 0.75 * total


def is_female_first_name(name: str, language: str) -> bool:
    if language == "ru":
        return name[-1] in "ая" and name not in RUSSIAN_MEN_IN_A
    return name[-1] in "aė"  # Lithuanian men's names end in -s


def check_name_agrees(first: str, last: str, language: str, *, adult: bool) -> None:
    female = is_female_first_name(first, language)
    who = f"{first} {last}"
    if language == "ru":
        assert last.endswith(("ова", "ева", "ина", "ая")) == female, who
        return
    if not female:
        assert last.endswith(("as", "is", "us", "ys")), who
    elif adult:  # a woman: her married or her maiden name
        assert last.endswith(("ienė", "aitė", "ytė", "utė", "ūtė")), who
    else:  # a girl: the unmarried form, never her mother's
        assert last.endswith(("aitė", "ytė", "utė", "ūtė")), who


def test_last_names_agree_with_the_gender_of_the_first_name(region):
    with read_session(region) as s:
        towns = {m.id: m for m in s.exec(select(Municipality))}
        children = s.exec(select(Child)).all()
        parents = s.exec(select(User).where(col(User.email).startswith("parent."))).all()
        teachers = s.exec(
            select(Group.teacher, Program.municipality_id).join(
                Program, col(Program.id) == Group.program_id
            )
        ).all()
    assert children and parents and teachers
    genders = set()
    for child in children:
        language = towns[child.municipality_id].locale
        check_name_agrees(child.first_name, child.last_name, language, adult=False)
        genders.add(is_female_first_name(child.first_name, language))
    assert genders == {True, False}
    for parent in parents:
        language = "ru" if CYRILLIC.search(parent.full_name) else "lt"
        check_name_agrees(*parent.full_name.split(" "), language, adult=True)
    for teacher, municipality_id in teachers:
        first, last = teacher.split(" ")
        check_name_agrees(first, last, towns[municipality_id].locale, adult=True)


def test_every_town_lists_chess_robotics_and_swimming_in_its_own_language(region):
    """What the search and browser tests look for in the 400-program demo catalog."""
    with read_session(region) as s:
        listed = {summary.id for summary in list_catalog_programs(s, limit=10_000)}
    titles: dict[str, list[str]] = {}
    for program, _provider, town in programs_with_towns(region):
        if program.id in listed:
            titles.setdefault(town.code, []).append(program.title)
    words = {"RU": ("Шахматы", "Робототехника", "Плавание"), "LT": ("Šachmatai", "Robotika")}
    for code, country in (("yaroslavl", "RU"), ("perm", "RU"), ("vilnius", "LT"), ("kaunas", "LT")):
        for word in words[country]:
            assert any(title.startswith(word) for title in titles[code]), (code, word)
    everywhere = [title for town in titles.values() for title in town]
    for word in ("Programavimas", "Plaukimas", "Astronomy"):  # tests/search types these
        assert any(word in title for title in everywhere), word
