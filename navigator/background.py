"""The app's background work in a process of its own: the search relay and the scheduled
jobs (expiries, notification mail). `python -m navigator.background`, as the cluster starts
it before its workers.

In a worker the two run as threads beside the event loop, and the one that leads takes a
share of that worker's Python with them (in a rush, a third of the leader's GIL time:
bench/RESULTS.md). Started first, this process leads both; the workers still stand by, and
one of them takes over within a second if this process dies. It holds a lock of
its own (`BACKGROUND_KEY`) for as long as it lives: a worker that stood in for it steps down
when it is back, so the restarted process leads again.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from navigator.domain.shared.db import get_engine
from navigator.jobs import Scheduler
from navigator.settings import get_settings
from search.relay import BACKGROUND, BACKGROUND_KEY, Leadership, Relay, make_client

log = logging.getLogger(__name__)

STOP_SECONDS = 8.0  # for the relay's batch and the scheduler's round to end (the cluster waits 10)


def main() -> int:
    # the stop signals wait for sigwait below: a handler setting an Event the main thread
    # waits on could deadlock on the Event's own lock. Blocked first, so that a stop while
    # it connects ends it cleanly too; the threads started below inherit the mask
    stops = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    engine = get_engine()
    relay = Relay(
        engine,
        make_client(settings.meili_url, settings.meili_relay_key or settings.meili_master_key),
    )
    scheduler = Scheduler(engine)
    presence = Leadership(engine, BACKGROUND_KEY, BACKGROUND)
    if not presence.hold():  # another background process lives: two would only stand by
        log.error("background work: another background process is running")
        return 1
    scheduling = threading.Thread(target=scheduler.run, name="scheduled-jobs", daemon=True)
    scheduling.start()
    threads = [relay.start_thread(), scheduling]
    log.info("background work: the search relay and the scheduled jobs")
    signal.sigwait(stops)
    relay.stop()
    scheduler.stop()
    deadline = time.monotonic() + STOP_SECONDS  # within the cluster's grace before SIGKILL
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    presence.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
