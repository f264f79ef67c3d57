"""Reflex's lock warnings in a worker are written as plain lines, not through its rich console
(formatting them took 3 % of two workers' CPU in a rush)."""

from __future__ import annotations

import logging

import pytest

from navigator.cluster_worker import LOCK_LOGGER, plain_lock_warnings


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def lock_log():
    lock_log = logging.getLogger(LOCK_LOGGER)
    handlers, propagate = list(lock_log.handlers), lock_log.propagate
    # a plain handler made before (bound to another stderr) would be the one reused
    lock_log.handlers[:] = [h for h in handlers if not getattr(h, "navigator_plain", False)]
    yield lock_log
    lock_log.handlers[:] = handlers
    lock_log.propagate = propagate


def test_a_lock_warning_is_one_plain_line_on_stderr_and_never_reaches_reflex_console(
    lock_log, capsys
):
    reflex_console = Recorder()  # where Reflex's rich handler sits: the "reflex" logger
    logging.getLogger("reflex").addHandler(reflex_console)
    try:
        plain_lock_warnings()
        plain_lock_warnings()  # Reflex may call post_compile again: still one line a record
        lock_log.warning("Lock for token abc was held too long time_taken=1.5s")
    finally:
        logging.getLogger("reflex").removeHandler(reflex_console)
    assert reflex_console.records == []
    assert capsys.readouterr().err.splitlines() == [
        f"WARNING {LOCK_LOGGER}: Lock for token abc was held too long time_taken=1.5s"
    ]


def test_the_lock_warnings_keep_reflex_level(lock_log, capsys):
    reflex_log = logging.getLogger("reflex")
    level = reflex_log.level
    reflex_log.setLevel(logging.ERROR)  # a worker started with --loglevel error
    try:
        plain_lock_warnings()
        lock_log.warning("held too long")
    finally:
        reflex_log.setLevel(level)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("setting", ["REFLEX_LOG_JSON", "REFLEX_ENABLE_FULL_LOGGING"])
def test_json_lines_and_a_full_log_file_keep_every_lock_record(lock_log, monkeypatch, setting):
    monkeypatch.setenv(setting, "true")
    assert plain_lock_warnings() is None
    assert lock_log.propagate is True  # to Reflex's own sinks, as without the cluster
    assert not any(getattr(h, "navigator_plain", False) for h in lock_log.handlers)
