"""The catalog page in Chromium at 100 000 programs: first load and keystroke-to-results.

    .venv/bin/python -m bench.ui [--programs 100000] [--loads 10]

Seeds an empty SQLite database, indexes it in a throwaway Meilisearch, starts the app
the way `navigator run` does (prod build), then drives the system Chromium:
- first load: a fresh browser context opens `/` until the first result card is shown
  (no cache, no cookies);
- keystroke to rendered results: 50 queries typed at 30 ms a key; the time runs from
  the last key's input event until the frame in which the page shows that query's results
  (the result list names the query its cards answer, `data-query`, set in the same update
  as the cards). The search box waits 150 ms after the last key before it asks (debounce);
  that wait is included. Also reported: until the URL carries the query, which the server
  asks for in a second message after the results (Reflex sends a state update and the
  events a handler returns separately).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from navigator.devserver import app_environment, start_app, stop_app, wait_until_serving
from navigator.domain.programs.queries import count_catalog_programs
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.migrate import upgrade
from navigator.settings import get_settings
from search.relay import make_client, reindex
from search.server import free_port, throwaway_server
from seed.demo import seed_demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERIES = [
    "шахматы", "шахмоты", "робототехника", "робототехнка", "футбол", "плавание", "плаване",
    "рисование", "керамика", "керамкиа", "танцы", "вокал", "театр", "гитара", "фортепиано",
    "английский", "химия", "астрономия", "дзюдо", "туризм", "программирование", "шахматы для",
    "робототехника для младших", "šachmatai", "šachmatia", "robotika", "robotka", "futbolas",
    "plaukimas", "piešimas", "tapyba", "dainavimas", "teatras", "gitara", "keramika", "keramka",
    "programavimas", "chemija", "astronomija", "žygiai", "chess", "robotics", "football",
    "swimming", "guitr", "chemstry", "astronmy", "ceramics", "drawing", "theatre",
]  # fmt: skip


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "max": round(max(samples), 1)}


def first_loads(browser, url: str, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        context = browser.new_context(locale="ru-RU")
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.locator(".program-card").first.wait_for(state="visible", timeout=60_000)
        samples.append((time.perf_counter() - started) * 1000)
        context.close()
    return samples


def keystrokes(browser, url: str) -> tuple[list[float], list[float]]:
    """Per query: until its results are on the screen, and until the URL names it."""
    page = browser.new_page(locale="ru-RU")
    page.goto(url)
    page.locator(".program-card").first.wait_for(state="visible", timeout=60_000)
    page.evaluate(
        "document.addEventListener('input', () => { window.__lastKey = performance.now() }, true)"
    )
    box = page.locator("#search")
    shown, addressed = [], []
    for query in QUERIES:
        box.fill("")
        page.wait_for_function("!new URLSearchParams(location.search).get('q')", polling="raf")
        box.press_sequentially(query, delay=30)
        on_screen = page.wait_for_function(
            "q => document.getElementById('results')?.dataset.query === q && performance.now()",
            arg=query,
            polling="raf",
            timeout=30_000,
        ).json_value()
        in_url = page.wait_for_function(
            "q => new URLSearchParams(location.search).get('q') === q && performance.now()",
            arg=query,
            polling="raf",
            timeout=30_000,
        ).json_value()
        last_key = page.evaluate("window.__lastKey")
        shown.append(on_screen - last_key)
        addressed.append(in_url - last_key)
    page.close()
    return shown, addressed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--programs", type=int, default=100_000)
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"# {platform.platform()}, python {platform.python_version()}, {os.cpu_count()} cpus")
    with (
        tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp,
        throwaway_server(Path(tmp)) as meili,
    ):
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(database_url)
        engine = make_engine(database_url)
        seed_demo(engine, programs=args.programs)
        report = reindex(engine, make_client(meili.url, meili.master_key))
        with read_session(engine) as session:
            assert report.documents == count_catalog_programs(session)
        engine.dispose()

        env = app_environment(meili.url, meili.master_key)
        env["DATABASE_URL"] = database_url
        env["REFLEX_WEB_WORKDIR"] = str(get_settings().var_dir / "bench" / "web")
        env["REFLEX_STATES_WORKDIR"] = str(Path(tmp) / "states")
        port = free_port()
        url = f"http://localhost:{port}"
        with (Path(tmp) / "app.log").open("wb") as log:
            process = start_app(port, env, output=log)
            try:
                wait_until_serving(url, process, 600)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                    )
                    first_loads(browser, url, 1)  # warm the server's caches once
                    loads = first_loads(browser, url, args.loads)
                    typing, addressed = keystrokes(browser, url)
                    browser.close()
            finally:
                stop_app(process)
    print(
        json.dumps(
            {
                "programs": args.programs,
                "documents": report.documents,
                "first_load_ms": percentiles(loads),
                "keystroke_to_results_ms": percentiles(typing),
                "keystroke_to_url_ms": percentiles(addressed),
                "queries": len(typing),
                "samples": [round(s) for s in typing],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
