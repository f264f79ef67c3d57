"""Every public domain function refuses an id, a date or a text of the wrong type cleanly.

A browser or an API client can put anything where an id belongs: "7", 7.5, true, a list,
a number past any column. The answer is a domain error (not found, check what you
entered), never an assertion or a database error. The functions are found, not listed, so
a new one is covered the day it is written.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from datetime import date

import pytest

import navigator.domain
from navigator.domain.shared.db import transaction
from navigator.domain.shared.errors import DomainError
from tests.factories import build_world

WRONG = ["1", 1.5, None, [], True, "2026-01-01", {"id": 1}, -1, 0, 2**70]
PLAIN = (int, str, date, bool, int | None, str | None, date | None)
NOT_SERVICES = ("models", "migrate", "db", "locks", "outbox", "exports", "errors", "mail", "audit")


def _plain(hint: object) -> bool:
    """A value a browser or a client sends: an id, a date, a text, a list or a mapping."""
    return hint in PLAIN or typing.get_origin(hint) in (list, dict)


def _services() -> list:
    """Public functions taking a session and plain values (ids, dates, texts) after it."""
    found = []
    for module_info in pkgutil.walk_packages(navigator.domain.__path__, "navigator.domain."):
        if module_info.ispkg or module_info.name.rsplit(".", 1)[-1] in NOT_SERVICES:
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameters = list(inspect.signature(function).parameters.values())
            if not parameters or parameters[0].name != "session":
                continue
            hints = typing.get_type_hints(function)
            required = [
                p
                for p in parameters[1:]
                if p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD
            ]
            if all(p.name == "actor" or _plain(hints.get(p.name)) for p in required):
                found.append(function)
    return found


SERVICES = _services()


def test_the_services_are_found():
    names = {f.__name__ for f in SERVICES}
    assert {"accept_application", "close_period", "public_program", "mark_lesson"} <= names
    assert len(SERVICES) > 60


@pytest.mark.parametrize("wrong", WRONG, ids=repr)
def test_every_service_refuses_values_of_the_wrong_type_cleanly(engine, wrong):
    world = build_world(engine)
    crashed = {}
    for function in SERVICES:
        parameters = list(inspect.signature(function).parameters.values())[1:]
        args, kwargs = [], {}
        for p in parameters:
            if p.kind is p.VAR_KEYWORD or (p.default is not p.empty and p.kind is p.KEYWORD_ONLY):
                continue
            value = world.provider_user if p.name == "actor" else wrong
            if p.kind is p.KEYWORD_ONLY:
                kwargs[p.name] = value
            else:
                args.append(value)
        try:
            with transaction(engine) as session:
                function(session, *args, **kwargs)
        except DomainError:
            pass
        except Exception as error:
            crashed[f"{function.__module__}.{function.__name__}"] = repr(error)[:200]
    assert crashed == {}
