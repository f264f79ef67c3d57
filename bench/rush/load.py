"""Simulated parents and providers on the morning enrollment opens.

A parent does what a person does in the browser, with pauses a person makes: (signs in
through the form, when their browser had no session left), opens the catalog, types what
they look for (the search box sends what is typed so far, then the whole word), opens the
program from the results, picks the group, reads the breakdown, ticks the offer terms,
applies, and opens the cabinet to see what became of it; the tab stays open there (its
watcher pushes changes) until the rush is over, when the parent looks once more.

Providers meanwhile work through the provider API with their e-journal's key: they accept
applications to the popular groups (and refuse, with the reason, those that come after the
group is full) and upload attendance registers of their running groups, 30 marks a save.

Only HTTP and the page's event channel are used: nothing here calls the domain.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.rush.protocol import (
    APP,
    CABINET,
    CATALOG,
    PROGRAM,
    Frontend,
    ProtocolError,
    Tab,
)
from bench.rush.world import Parent, World
from navigator.i18n import _choose, _lookup, value_label
from navigator.i18n.catalogs import messages

LANG = "ru"
SESSION_COOKIE = "nav_session"  # navigator.locale.SESSION_COOKIE, as the browser holds it
FULL_REASON = "Мест нет: группа набрана. Мы записали вас в список ожидания следующего набора."
PAGE_TIMEOUT = 60.0
BUSY_TRIES = 3  # a person told "busy, try again" tries again, twice at most
REFUSED_STATUSES = ("waitlisted", "rejected")


@dataclass
class Pace:
    """Seconds a person takes between actions (uniform between the two figures)."""

    read_catalog: tuple[float, float] = (2.0, 6.0)
    between_keys: tuple[float, float] = (0.3, 0.9)  # the prefix, then the whole word
    pick_result: tuple[float, float] = (2.0, 5.0)
    read_program: tuple[float, float] = (3.0, 8.0)
    read_terms: tuple[float, float] = (2.0, 6.0)
    before_cabinet: tuple[float, float] = (1.0, 3.0)
    after_busy: tuple[float, float] = (2.0, 5.0)  # told "busy, try again in a few seconds"

    def scaled(self, factor: float) -> Pace:
        return Pace(**{k: (a * factor, b * factor) for k, (a, b) in vars(self).items()})


@dataclass
class Outcome:
    """What one parent did, saw and was told."""

    email: str
    wanted_group: int
    applied: str = ""  # "sent", or the refusal's code as the page said it, or ""
    told_on_apply: str = ""  # the words on the page after "apply"
    status_seen: str = ""  # the status the cabinet showed last, in the parent's words
    reason_seen: str = ""
    error: str = ""  # the first protocol error that stopped the session, by kind


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    http_requests: int = 0
    events_sent: int = 0
    open_tabs: int = 0
    peak_tabs: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    provider: Counter = field(default_factory=Counter)
    marks: int = 0
    timeline: list[tuple[float, int]] = field(default_factory=list)

    def time(self, kind: str, seconds: float) -> None:
        self.latencies[kind].append(seconds)

    def tab_opened(self) -> None:
        self.open_tabs += 1
        self.peak_tabs = max(self.peak_tabs, self.open_tabs)

    def summary(self) -> dict[str, Any]:
        def cut(samples: list[float]) -> dict[str, float]:
            if len(samples) < 2:
                return {"n": len(samples)}
            q = statistics.quantiles(samples, n=100, method="inclusive")
            return {
                "n": len(samples),
                "p50_ms": round(q[49] * 1000),
                "p95_ms": round(q[94] * 1000),
                "p99_ms": round(q[98] * 1000),
                "max_ms": round(max(samples) * 1000),
            }

        return {kind: cut(samples) for kind, samples in sorted(self.latencies.items())}


def _error_patterns(language: str) -> list[tuple[str, re.Pattern[str]]]:
    """Each error code's message as the page shows it, as a pattern ({values} as wildcards),
    so a refusal on screen is counted by its code."""
    patterns = []
    for code in messages(language, "errors"):
        words = _lookup("errors", code, language)
        if not words:
            continue
        forms = [words] if isinstance(words, str) else list(words)
        for template in forms:
            parts = re.split(r"\{[a-z_]+\}", _choose(template, language, None))
            patterns.append((code, re.compile("^" + ".+?".join(map(re.escape, parts)) + "$", re.S)))
    return patterns


ERRORS = _error_patterns(LANG)


def error_code(message: str) -> str:
    for code, pattern in ERRORS:
        if pattern.match(message.strip()):
            return code
    return "unrecognised: " + message[:60]


class Rush:
    def __init__(
        self,
        base_url: str,
        world: World,
        *,
        sessions: int,
        ramp_seconds: float,
        hold_seconds: float,
        pace: Pace,
        seed: int = 7,
    ) -> None:
        self.base_url = base_url
        self.world = world
        self.sessions = sessions
        self.ramp = ramp_seconds
        self.hold = hold_seconds
        self.pace = pace
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.frontend: Frontend | None = None
        self.over = asyncio.Event()
        self.closing = asyncio.Event()
        self.started = 0.0
        # a browser each: the client's pool must not be what makes parents wait
        limits = httpx.Limits(max_connections=sessions + 50, max_keepalive_connections=sessions)
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=PAGE_TIMEOUT, limits=limits, follow_redirects=False
        )

    async def think(self, span: tuple[float, float]) -> None:
        await asyncio.sleep(self.rng.uniform(*span))

    async def get(self, path: str, **kwargs) -> httpx.Response:
        self.stats.http_requests += 1
        response = await self.http.get(path, **kwargs)
        if response.status_code >= 500:
            raise ProtocolError(f"http_{response.status_code}", path)
        return response

    # ------------------------------------------------------------------ a parent

    async def parent(self, who: Parent) -> None:
        program = self.world.programs[who.wants]
        outcome = Outcome(email=who.email, wanted_group=program.group_id)
        self.stats.outcomes.append(outcome)
        tab: Tab | None = None
        try:
            cookies = {}
            if who.session_token:
                cookies[SESSION_COOKIE] = who.session_token
            else:
                cookies = await self.sign_in(who)
            assert self.frontend is not None
            tab = Tab(self.base_url, self.frontend, cookies=cookies)

            started = time.perf_counter()
            await self.get("/")  # the page itself; its scripts are in the browser's cache
            mark = tab.mark()
            await tab.open("/")
            self.stats.tab_opened()
            await tab.until(tab.hydrated, PAGE_TIMEOUT)
            if tab.busy_since(mark):  # its load was shed: the person opens it again
                self.stats.errors["busy: catalog_open (tried again)"] += 1
                await self.think(self.pace.after_busy)
                await self.open_page(tab, "/", "catalog_open")
            else:
                self.stats.time("catalog_open", time.perf_counter() - started)
            await self.think(self.pace.read_catalog)

            query = program.query
            for typed in (query[: max(3, len(query) // 2)], query):
                await self.answered(
                    tab,
                    "search",
                    lambda typed=typed: tab.send(f"{CATALOG}.set_query_text", {"value": typed}),
                    lambda mark: tab.changed_since(mark, CATALOG, "query_text"),
                )
                if typed != query:
                    await self.think(self.pace.between_keys)
            cards = tab.var(CATALOG, "cards", [])
            if not any(str(card.get("id")) == str(program.id) for card in cards[:10]):
                self.stats.errors["search_miss (not in the first 10)"] += 1
            await self.think(self.pace.pick_result)

            await self.open_page(tab, f"/programs/{program.id}", "program_open",
                                 {"program_id": str(program.id)})  # fmt: skip
            await self.think(self.pace.read_program)
            if not tab.var(PROGRAM, "child_id"):
                children = tab.var(PROGRAM, "children", [])
                if not children:  # the page did not show the signed-in family's children
                    raise ProtocolError("program page without the family's children", "")
                await self.act(tab, "choose_child", {"value": children[0]["value"]}, "child_id")
            await self.act(tab, "choose_group", {"value": str(program.group_id)}, "group_id")
            if tab.var(PROGRAM, "error"):
                outcome.applied = error_code(tab.var(PROGRAM, "error"))
                outcome.told_on_apply = tab.var(PROGRAM, "error")
            else:
                await self.think(self.pace.read_terms)
                await self.act(tab, "set_terms_accepted", {"value": True}, "terms_accepted")
                answered = await self.answered(
                    tab,
                    "apply",
                    lambda: tab.send(f"{PROGRAM}.apply", {}),
                    lambda mark: (
                        tab.changed_since(mark, APP, "feedback_serial")
                        or tab.changed_since(mark, PROGRAM, "notice")
                    ),
                )
                if not answered:
                    outcome.applied = outcome.told_on_apply = "busy"
                elif tab.var(PROGRAM, "notice"):
                    outcome.applied = "sent"
                    outcome.told_on_apply = tab.var(PROGRAM, "notice")
                else:
                    outcome.applied = error_code(tab.var(PROGRAM, "error", ""))
                    outcome.told_on_apply = tab.var(PROGRAM, "error", "")
                    self.stats.errors[f"apply refused: {outcome.applied}"] += 1
            await self.think(self.pace.before_cabinet)
            await self.open_page(tab, "/cabinet", "cabinet_open")
            self.read_cabinet(tab, outcome, program.title)
            await self.over.wait()  # the tab stays open on the cabinet until the rush ends
            self.read_cabinet(tab, outcome, program.title)
        except ProtocolError as error:
            outcome.error = error.kind
            self.stats.errors[error.kind] += 1
        except (httpx.HTTPError, OSError) as error:
            outcome.error = type(error).__name__
            self.stats.errors[f"http: {type(error).__name__}"] += 1
        finally:
            if tab is not None:
                await tab.close()
                self.stats.open_tabs -= 1

    async def sign_in(self, who: Parent) -> dict[str, str]:
        started = time.perf_counter()
        await self.get("/login", params={"next": "/"})
        self.stats.http_requests += 1
        response = await self.http.post(
            "/auth/login",
            data={"email": who.email, "password": self.world.password, "next": "/"},
            headers={"origin": self.base_url, "referer": f"{self.base_url}/login?next=/"},
        )
        token = response.cookies.get(SESSION_COOKIE)
        if response.status_code != 303 or not token:
            raise ProtocolError(
                "sign_in_refused", f"{response.status_code} {response.headers.get('location')}"
            )
        self.stats.time("sign_in", time.perf_counter() - started)
        return {SESSION_COOKIE: token}

    async def open_page(self, tab: Tab, path: str, kind: str, params=None) -> None:
        """A link inside the app followed; its load shed, the person opens it again."""
        waited = 0.0
        for _try in range(BUSY_TRIES):
            mark = tab.mark()
            started = time.perf_counter()
            await tab.navigate(path, params)
            self.stats.events_sent += 1
            await tab.until(
                lambda mark=mark: (
                    tab.changed_since(mark, "reflex___state____state", "is_hydrated")
                    and tab.hydrated()
                ),
                PAGE_TIMEOUT,
            )
            waited += time.perf_counter() - started
            if not tab.busy_since(mark):
                self.stats.time(kind, waited)
                return
            self.stats.errors[f"busy: {kind} (tried again)"] += 1
            await self.think(self.pace.after_busy)
        raise ProtocolError("busy", f"{kind}: still busy after {BUSY_TRIES} tries")

    async def act(self, tab: Tab, handler: str, payload: dict[str, Any], var: str) -> None:
        answered = await self.answered(
            tab,
            handler,
            lambda: tab.send(f"{PROGRAM}.{handler}", payload),
            lambda mark: (
                tab.changed_since(mark, PROGRAM, var)
                or tab.changed_since(mark, APP, "feedback_serial")
            ),
        )
        if not answered:
            raise ProtocolError("busy", f"{handler}: still busy after {BUSY_TRIES} tries")

    async def answered(self, tab: Tab, kind: str, send, answer) -> bool:
        """Sends, and waits for the page's answer (`answer(mark)`); told "busy" (the worker
        shed it), the person tries again after a few seconds. Timed: the seconds the server
        took over the tries, without the person's pauses. False when it was still busy."""
        waited = 0.0
        for _try in range(BUSY_TRIES):
            mark = tab.mark()
            started = time.perf_counter()
            await send()
            self.stats.events_sent += 1
            await tab.until(lambda mark=mark: answer(mark) or tab.busy_since(mark), PAGE_TIMEOUT)
            waited += time.perf_counter() - started
            if not tab.busy_since(mark):
                self.stats.time(kind, waited)
                return True
            self.stats.errors[f"busy: {kind} (tried again)"] += 1
            await self.think(self.pace.after_busy)
        self.stats.errors[f"busy: {kind} (gave up)"] += 1
        return False

    def read_cabinet(self, tab: Tab, outcome: Outcome, title: str) -> None:
        for card in tab.var(CABINET, "enrollments", []):
            if card.get("program") == title:
                outcome.status_seen = card.get("status", "")
                outcome.reason_seen = card.get("reason", "")

    # ------------------------------------------------------------------ providers

    async def provider(self, index: int) -> None:
        provider = self.world.providers[index]
        headers = {"authorization": f"Bearer {provider.api_key}", "accept-language": LANG}
        popular = {p.group_id for p in self.world.programs if p.provider == index}
        registers = [
            (run["group_id"], run["enrollments"], day)
            for day_index in range(max(len(r["dates"]) for r in provider.running))
            for run in provider.running
            if day_index < len(run["dates"])
            for day in [run["dates"][day_index]]
        ]
        rng = random.Random(index)
        next_register = 0
        while True:
            last_round = self.closing.is_set()
            started = time.perf_counter()
            try:
                await self.decide(headers, popular)
                if next_register < len(registers):
                    _group, enrollments, day = registers[next_register]
                    marks = [
                        {
                            "enrollment_id": e,
                            "date": day,
                            "status": "present" if rng.random() < 0.9 else "absent",
                        }
                        for e in enrollments
                    ]
                    t0 = time.perf_counter()
                    answer = await self.api("post", "/api/v1/provider/attendance", headers,
                                            json={"marks": marks})  # fmt: skip
                    if answer.status_code == 200:
                        self.stats.time("register_save_api", time.perf_counter() - t0)
                        body = answer.json()
                        self.stats.marks += body["applied"]
                        if body["errors"]:
                            self.stats.provider["attendance row refused"] += len(body["errors"])
                        next_register += 1
            except (httpx.HTTPError, OSError) as error:
                self.stats.errors[f"provider http: {type(error).__name__}"] += 1
            if last_round:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.closing.wait(), max(0.0, 3.0 - (time.perf_counter() - started))
                )

    async def api(self, method: str, path: str, headers, **kwargs) -> httpx.Response:
        self.stats.http_requests += 1
        answer = await self.http.request(method, path, headers=headers, **kwargs)
        if answer.status_code == 503:
            self.stats.provider["busy (503, retried later)"] += 1
        elif answer.status_code >= 500:
            self.stats.errors[f"provider api {answer.status_code}"] += 1
        return answer

    async def decide(self, headers, popular: set[int]) -> None:
        """Accept what was applied for, in order; a full group's late applications are
        refused with the reason (the parent reads it in the cabinet)."""
        t0 = time.perf_counter()
        listing = await self.api("get", "/api/v1/provider/applications", headers,
                                 params={"status": "applied"})  # fmt: skip
        if listing.status_code != 200:
            return
        self.stats.time("provider_list", time.perf_counter() - t0)
        for row in listing.json():
            if row["group_id"] not in popular:
                continue
            t0 = time.perf_counter()
            enrollment = row["enrollment_id"]
            answer = await self.api(
                "post", f"/api/v1/provider/applications/{enrollment}/accept", headers
            )
            if answer.status_code == 200:
                self.stats.time("provider_accept", time.perf_counter() - t0)
                self.stats.provider["accepted"] += 1
            elif answer.status_code == 409 and answer.json()["detail"][0]["type"] == "group_full":
                reject = await self.api(
                    "post", f"/api/v1/provider/applications/{enrollment}/reject", headers,
                    json={"reason": FULL_REASON},
                )  # fmt: skip
                self.stats.provider[f"refused as full ({reject.status_code})"] += 1
            else:
                self.stats.provider[f"accept answered {answer.status_code}"] += 1

    # ------------------------------------------------------------------ the run

    def note_tabs(self) -> None:
        self.stats.timeline.append(
            (round(time.perf_counter() - self.started, 1), self.stats.open_tabs)
        )

    async def run(self) -> dict[str, Any]:
        self.frontend = await Frontend.discover(self.http)
        parents = self.world.parents[: self.sessions]
        self.started = time.perf_counter()
        providers = [
            asyncio.create_task(self.provider(i)) for i in range(len(self.world.providers))
        ]
        tasks = []
        for n, who in enumerate(parents):
            delay = self.ramp * n / max(1, len(parents)) - (time.perf_counter() - self.started)
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.parent(who)))
            self.note_tabs()
        await asyncio.sleep(self.hold)
        self.note_tabs()
        # the rush is over: the providers decide what is left and stop; each tab still open
        # shows the cabinet's last word (its watcher pushes changes every 2 s); then the
        # parents read it and close their tabs
        self.closing.set()
        await asyncio.gather(*providers)
        await asyncio.sleep(6.0)
        self.over.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - self.started
        await self.http.aclose()
        return {
            "seconds": round(seconds, 1),
            "sessions": len(parents),
            "peak_open_tabs": self.stats.peak_tabs,
            "http_requests": self.stats.http_requests,
            "events_sent": self.stats.events_sent,
            "requests_per_s": round(
                (self.stats.http_requests + self.stats.events_sent) / seconds, 1
            ),
            "latency": self.stats.summary(),
            "errors": dict(self.stats.errors),
            "provider": dict(self.stats.provider),
            "attendance_marks": self.stats.marks,
            "frontend_hashes": bool(self.frontend.hashes),
        }  # fmt: skip


def status_words() -> dict[str, str]:
    """The statuses as the cabinet writes them, back to their values."""
    return {
        value_label(v, LANG): v
        for v in ("applied", "waitlisted", "accepted", "active", "rejected", "cancelled")
    }


def wait_for_index(url: str, expected: int, timeout: float = 300.0) -> None:
    """The app's relay indexes the catalog after it starts serving; the rush starts after."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{url}/api/v1/programs", params={"per_page": 1}, timeout=10)
            if answer.json().get("total") == expected:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    raise TimeoutError(f"the search index did not reach {expected} programs")
