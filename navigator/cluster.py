"""`navigator cluster`: the production topology on one machine, every part a real server.

    browser ── nginx :3000 ──┬── worker 1 ──┬── PostgreSQL
               (the exported ├── worker 2 ──┼── Redis (Reflex's state, shared)
                frontend)    └── worker N ──┴── Meilisearch

Each worker is its own `reflex run --backend-only` on its own port with one granian process,
so the proxy knows which worker answered (the `X-Navigator-Upstream` header) and a worker can
die alone. Reflex's own multi-worker mode (one granian, several processes on one port) hides
that. Per-run files live in var/cluster/ (or the `root` given); `cluster.json` there says
which ports and pids make up the running cluster. A worker that dies is started again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

from navigator.devserver import app_environment, log
from navigator.mailserver import mail_server_for_app
from navigator.settings import PROJECT_ROOT, get_settings
from search.server import (
    MeiliServer,
    dev_master_key,
    die_with_parent,
    ensure_binary,
    free_port,
    port_is_free,
    stop_process,
)

NGINX_TEMPLATE = PROJECT_ROOT / "scripts" / "cluster" / "nginx.conf.template"
MIME_TYPES = Path("/etc/nginx/mime.types")
UPSTREAM_HEADER = "X-Navigator-Upstream"
WORKER_START_TIMEOUT = 180.0
EXPORT_TIMEOUT = 900.0
RESTART_DELAY_SECONDS = 1.0


class ClusterError(RuntimeError):
    """A part of the cluster could not be found or started."""


def find_program(name: str, *candidates: str) -> Path:
    for candidate in (shutil.which(name), *candidates):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise ClusterError(
        f"{name} is missing: install it with `make system-deps` (apt-get install -y {name})"
    )


def _popen(
    command: list[str], log_path: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A child in its own session (one signal reaches all its processes) that dies with us."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=dict(os.environ if env is None else env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def _wait_for(
    ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"{what} exited with {process.returncode} before it was ready")
        if ready():
            return
        time.sleep(0.1)
    raise ClusterError(f"{what} was not ready within {timeout:.0f} s")


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our own)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- Redis ------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """Reflex's state store: in memory only (a tab's state is worth nothing after a restart)."""

    data_dir: Path
    log_path: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> RedisServer:
        binary = find_program("redis-server", "/usr/bin/redis-server")
        self.port = self.port or free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(binary), "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.data_dir), "--save", "", "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip
        self.process = _popen(command, self.log_path)
        _wait_for(self.ping, self.process, f"redis-server (log {self.log_path})", 30)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=5.0, group=True)


# --- PostgreSQL -------------------------------------------------------------------------


def postgres_bin_dir() -> Path:
    explicit = os.environ.get("PG_BIN")
    found = [Path(explicit)] if explicit else []
    found += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    if initdb := shutil.which("initdb"):
        found.append(Path(initdb).resolve().parent)
    for candidate in found:
        if (candidate / "initdb").exists():
            return candidate
    raise ClusterError("PostgreSQL is missing: `make system-deps` (apt-get install -y postgresql)")


@dataclass
class LocalPostgres:
    """A PostgreSQL cluster kept in var/cluster/postgres between runs (durable settings)."""

    root: Path
    port: int = 0
    database: str = "navigator"

    def __post_init__(self) -> None:
        self.bin_dir = postgres_bin_dir()
        self.data_dir = self.root / "data"
        self._as_user = "postgres" if os.geteuid() == 0 else None  # it refuses to run as root

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_user:
            command = ["runuser", "-u", self._as_user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ClusterError(f"{args[0]} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> LocalPostgres:
        import psycopg

        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_user:
            shutil.chown(self.root, user=self._as_user)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        self.port = self.port or free_port()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=300"
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{self.database}"')  # a constant name
        return self

    def stop(self) -> None:
        with suppress(ClusterError):
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")


# --- the frontend and the proxy ---------------------------------------------------------


EXPORT_INPUTS = (
    "navigator",
    "search",
    "assets",
    "rxconfig.py",
    "pyproject.toml",
    "requirements.lock",
)
# the environment the page is not made from: the backend's own addresses and state, which
# change from run to run (everything else Reflex or the app reads is in the fingerprint)
BACKEND_ONLY_ENVIRONMENT = (
    "REFLEX_REDIS_URL",
    "REFLEX_STATES_WORKDIR",
    "REFLEX_DB_URL",
    "NAVIGATOR_HANDLER_THREADS",
    "REFLEX_OPLOCK_ENABLED",
    "REFLEX_OPLOCK_HOLD_TIME",
    "REFLEX_OPLOCK_HOLD_TIME_MS",
    "REFLEX_REDIS_LOCK_EXPIRATION",
    "REFLEX_REDIS_LOCK_WARNING_THRESHOLD",
)
EXPORT_PACKAGES = ("reflex", "reflex-base")  # their installed files, not only their versions


def export_fingerprint(env: Mapping[str, str]) -> str:
    """Everything an export is made from: the app's files, the installed Reflex and the
    environment it reads (the proxy's address above all). The same fingerprint builds the
    same site."""
    digest = hashlib.sha256()
    for name in EXPORT_INPUTS:
        root = PROJECT_ROOT / name
        paths = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    for package in EXPORT_PACKAGES:
        with suppress(importlib.metadata.PackageNotFoundError):
            record = importlib.metadata.distribution(package).read_text("RECORD") or ""
            digest.update(f"{package}\0{record}\0".encode())
    read = sorted(
        key
        for key in env
        if key.startswith("REFLEX_") or key.startswith("NAVIGATOR_DEFAULT_")
        if key not in BACKEND_ONLY_ENVIRONMENT
    )
    for key in read:
        digest.update(f"{key}={env[key]}\0".encode())
    return digest.hexdigest()


def export_frontend(env: Mapping[str, str], web_dir: Path, log_path: Path) -> Path:
    """`reflex export --frontend-only`: the static site, built to reach the backend through
    the proxy's address (REFLEX_API_URL in `env`). The directory nginx serves.

    A site already exported from the same files and environment is served again without
    the few minutes of a new export (the benchmark starts the topology run after run)."""
    static = web_dir / "build" / "client"
    stamp = web_dir / "export.fingerprint"
    fingerprint = export_fingerprint(env)
    if (static / "index.html").exists() and stamp.exists() and stamp.read_text() == fingerprint:
        log(f"the frontend in {web_dir} is already exported from these files")
        return static
    stamp.unlink(missing_ok=True)
    log(f"exporting the frontend into {web_dir} (a few minutes)")
    process = _popen(
        [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod"],
        log_path,
        env,
    )
    try:
        code = process.wait(timeout=EXPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop_process(process, group=True)
        raise ClusterError(f"the frontend export took over {EXPORT_TIMEOUT:.0f} s") from None
    if code != 0 or not (static / "index.html").exists():
        raise ClusterError(f"the frontend export failed ({code}):\n{_tail(log_path)}")
    stamp.write_text(fingerprint)
    return static


def dynamic_route_locations(routes: list[str]) -> str:
    """nginx locations for the pages with an id in the path (`programs/[program_id]`): the
    client-side router draws them from the SPA fallback page, with status 200."""
    blocks = []
    for route in sorted(routes):
        parts = route.strip("/").split("/")
        if not any(p.startswith("[") for p in parts):
            continue
        pattern = "/".join("[^/]+" if p.startswith("[") else re.escape(p) for p in parts)
        blocks.append(f"        location ~ ^/{pattern}/?$ {{ try_files /404.html =404; }}")
    return "\n".join(blocks)


def nginx_config(
    *,
    port: int,
    worker_ports: list[int],
    static_dir: Path,
    nginx_dir: Path,
    log_dir: Path,
    routes: list[str],
) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in worker_ports
    )
    fields = {
        "PORT": str(port),
        "UPSTREAM_SERVERS": servers,
        "STATIC_DIR": str(static_dir),
        "NGINX_DIR": str(nginx_dir),
        "LOG_DIR": str(log_dir),
        "MIME_TYPES": str(MIME_TYPES),
        "MAX_BODY": "20m",
        "DYNAMIC_ROUTES": dynamic_route_locations(routes),
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    return text


@dataclass
class Nginx:
    nginx_dir: Path
    log_dir: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, config: str, port: int) -> Nginx:
        binary = find_program("nginx", "/usr/sbin/nginx")
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_dir / "temp" / temp).mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(config)
        check = subprocess.run(
            [str(binary), "-t", "-q", "-c", str(conf), "-p", str(self.nginx_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise ClusterError(f"nginx refused {conf}:\n{check.stderr}")
        self.process = _popen(
            [str(binary), "-c", str(conf), "-p", str(self.nginx_dir), "-g", "daemon off;"],
            self.log_dir / "nginx.log",
        )
        _wait_for(
            lambda: not port_is_free("127.0.0.1", port), self.process, "nginx", 30
        )  # listening
        return self

    def stop(self) -> None:
        if self.process is not None:
            # SIGQUIT: a graceful stop (SIGTERM would be a fast one); then what stop_process does
            with suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGQUIT)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            stop_process(self.process, grace=2.0, group=True)


# --- the workers ------------------------------------------------------------------------


def worker_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
        "--backend-port", str(port), "--backend-host", "127.0.0.1",
    ]  # fmt: skip


@dataclass
class Worker:
    number: int
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @property
    def address(self) -> str:
        """As nginx names it in the upstream header."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The worker's process group: SIGKILL to it kills the worker and its granian."""
        return self.process.pid if self.process is not None else None

    def start(self, env: Mapping[str, str]) -> None:
        self.process = _popen(worker_command(self.port), self.log_path, env)

    def wait_until_serving(self, timeout: float = WORKER_START_TIMEOUT) -> None:
        assert self.process is not None
        ping = f"http://127.0.0.1:{self.port}/ping"
        try:
            _wait_for(lambda: answers(ping), self.process, f"worker {self.number}", timeout)
        except ClusterError as error:
            raise ClusterError(f"{error}; log {self.log_path}:\n{_tail(self.log_path)}") from None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)  # what Reflex takes as a clean stop
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if self.process is not None:
            stop_process(self.process, grace=5.0, group=True)
            with suppress(ProcessLookupError, PermissionError):  # granian children left behind
                os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class Background:
    """The relay and the scheduled jobs in a process of their own (navigator.background),
    started before the workers so that it leads both; the workers stand by."""

    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self, env: Mapping[str, str]) -> None:
        command = [sys.executable, "-m", "navigator.background"]
        self.process = _popen(command, self.log_path, env)

    def wait_until_leading(self, database_url: str, timeout: float = 60.0) -> None:
        from sqlalchemy.pool import NullPool

        from navigator.domain.shared.db import make_engine
        from navigator.jobs import JOBS_LEADER_KEY
        from search.relay import RELAY_LEADER_KEY, leader_pid

        assert self.process is not None
        engine = make_engine(database_url, poolclass=NullPool)
        pid = self.process.pid
        try:
            _wait_for(
                lambda: (
                    leader_pid(engine, RELAY_LEADER_KEY, "search-relay") == pid
                    and leader_pid(engine, JOBS_LEADER_KEY, "scheduled-jobs") == pid
                ),
                self.process,
                "the background process",
                timeout,
            )
        except ClusterError as error:
            raise ClusterError(f"{error}; log {self.log_path}:\n{_tail(self.log_path)}") from None
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=10.0, group=True)


# --- the whole ---------------------------------------------------------------------------


@dataclass
class Cluster:
    """Start with `with Cluster(...) as cluster:`; `cluster.url` is the proxy's address.

    `database_url` and `meili` (url, master key) name servers someone else runs (the tests);
    without them the cluster starts its own PostgreSQL and Meilisearch, kept in `root`
    between runs. `frontend=False` skips the export (API-only tests).
    """

    root: Path
    workers: int = 2
    port: int = 3000
    database_url: str | None = None
    meili: tuple[str, str] | None = None
    web_dir: Path | None = None
    frontend: bool = True
    seed_programs: int | None = 400  # None: no demo data
    restart: bool = True
    extra_env: Mapping[str, str] = field(default_factory=dict)
    background: bool = False  # the relay and the jobs in a process of their own

    def __post_init__(self) -> None:
        self.log_dir = self.root / "logs"
        self.redis = RedisServer(self.root / "redis", self.log_dir / "redis.log")
        self.nginx = Nginx(self.root / "nginx", self.log_dir)
        self.worker_list: list[Worker] = []
        self.worker_env: dict[str, str] = {}
        self.background_process: Background | None = None
        self._stack = ExitStack()
        self._watch: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def state_file(self) -> Path:
        return self.root / "cluster.json"

    def worker_at(self, address: str) -> Worker:
        """The worker nginx named in its upstream header (the last, when it tried several)."""
        last = address.split(",")[-1].strip()
        for worker in self.worker_list:
            if worker.address == last:
                return worker
        raise KeyError(address)

    def _database(self) -> str:
        if self.database_url:
            return self.database_url
        postgres = LocalPostgres(self.root / "postgres")
        self._stack.callback(postgres.stop)
        log(f"PostgreSQL {postgres.start().url} (data {postgres.data_dir})")
        return postgres.url

    def _meilisearch(self) -> tuple[str, str]:
        """An external one (MEILI_URL), else its own, beside its own database: the index of
        `make run`'s SQLite catalog would not match this cluster's PostgreSQL."""
        settings = get_settings()
        if settings.meili_is_external:
            return settings.meili_url, settings.meili_master_key
        server = MeiliServer(
            ensure_binary(settings.var_dir),
            self.root / "meili" / "data",
            dev_master_key(self.root),
            port=free_port(),
        )
        self._stack.enter_context(server)
        log(f"Meilisearch {server.url} (data {server.db_path})")
        return server.url, server.master_key

    def _prepare_database(self, database_url: str) -> None:
        from navigator.domain.shared.db import make_engine
        from navigator.domain.shared.migrate import upgrade

        upgrade(database_url)
        if self.seed_programs is None:
            return
        from seed.demo import database_is_empty, seed_demo

        engine = make_engine(database_url)
        try:
            if database_is_empty(engine):
                log(f"seeding demo data ({self.seed_programs} programs)")
                seed_demo(engine, programs=self.seed_programs)
        finally:
            engine.dispose()

    def _environment(self, database_url: str, meili_url: str, meili_key: str) -> dict[str, str]:
        web_dir = self.web_dir or self.root / "web"
        env = app_environment(meili_url, meili_key)
        env.update(
            DATABASE_URL=database_url,
            REFLEX_REDIS_URL=self.redis.url,
            REFLEX_WEB_WORKDIR=str(web_dir),
            REFLEX_STATES_WORKDIR=str(self.root / "states"),
            REFLEX_API_URL=self.url,  # what the exported page connects to: the proxy
            REFLEX_DEPLOY_URL=self.url,
            GRANIAN_WORKERS="1",  # one process per worker: the proxy balances them
            REFLEX_EXTRA_PLUGINS="navigator.cluster_worker.ClusterWorkerPlugin",
            NAVIGATOR_TRUSTED_PROXY_HOPS="1",
        )
        env.setdefault("NAVIGATOR_APP_URL", self.url)
        env.update(self.extra_env)
        return env

    def start(self) -> Cluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not port_is_free("127.0.0.1", self.port):
            raise ClusterError(f"port {self.port} is taken: choose another with --port")
        self.redis.start()
        self._stack.callback(self.redis.stop)
        log(f"Redis {self.redis.url}")
        database_url = self._database()
        self._prepare_database(database_url)
        meili_url, meili_key = self.meili or self._meilisearch()
        self.worker_env = env = self._environment(database_url, meili_url, meili_key)
        web_dir = Path(env["REFLEX_WEB_WORKDIR"])
        static = self.root / "no-frontend"
        if self.frontend:
            static = export_frontend(env, web_dir, self.log_dir / "export.log")
        static.mkdir(parents=True, exist_ok=True)
        if self.background:
            self.background_process = Background(self.log_dir / "background.log")
            self.background_process.start(env)
            self.background_process.wait_until_leading(database_url)
            log(f"background work (relay, jobs) pid {self.background_process.process.pid}")
        self.worker_list = [
            Worker(n, free_port(), self.log_dir / f"worker-{n}.log")
            for n in range(1, self.workers + 1)
        ]
        for worker in self.worker_list:
            worker.start(env)
        for worker in self.worker_list:
            worker.wait_until_serving()
            log(f"worker {worker.number} pid {worker.pid} on {worker.address}")
        routes_file = web_dir / "routes.json"
        routes = json.loads(routes_file.read_text()) if self.frontend else []
        config = nginx_config(
            port=self.port,
            worker_ports=[w.port for w in self.worker_list],
            static_dir=static,
            nginx_dir=self.root / "nginx",
            log_dir=self.log_dir,
            routes=routes,
        )
        self.nginx.start(config, self.port)
        self._write_state()
        if self.restart:
            self._watch = threading.Thread(target=self._keep_workers, daemon=True)
            self._watch.start()
        log(f"serving {self.url} through nginx; {self.workers} workers; files in {self.root}")

    def _keep_workers(self) -> None:
        """A worker that dies is started again, as a service manager would."""
        while not self._stopping.wait(0.2):
            background = self.background_process
            if background and background.process and background.process.poll() is not None:
                log(f"the background process exited with {background.process.returncode}")
                if self._stopping.wait(RESTART_DELAY_SECONDS):
                    return
                background.restarts += 1  # whoever asks first leads now: it, or a worker
                background.start(self.worker_env)
                self._write_state()
            for worker in self.worker_list:
                if worker.process is not None and worker.process.poll() is not None:
                    code = worker.process.returncode
                    log(f"worker {worker.number} exited with {code}; starting it again")
                    if self._stopping.wait(RESTART_DELAY_SECONDS):
                        return
                    with suppress(ProcessLookupError, PermissionError):
                        os.killpg(worker.process.pid, signal.SIGKILL)
                    worker.restarts += 1
                    worker.start(self.worker_env)
                    self._write_state()

    def _write_state(self) -> None:
        state = {
            "url": self.url,
            "redis_url": self.redis.url,
            "nginx_pid": self.nginx.process.pid if self.nginx.process else None,
            "background_pid": (
                self.background_process.process.pid
                if self.background_process and self.background_process.process
                else None
            ),
            "workers": [
                {"number": w.number, "address": w.address, "pid": w.process.pid}
                for w in self.worker_list
                if w.process is not None
            ],
        }
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2))
        os.replace(temporary, self.state_file)

    def failed_part(self) -> str | None:
        """The name of a server that is no longer running (workers are restarted, not named)."""
        for name, process in (("nginx", self.nginx.process), ("redis", self.redis.process)):
            if process is not None and process.poll() is not None:
                return name
        return None

    def stop(self) -> None:
        self._stopping.set()
        if self._watch is not None:
            self._watch.join(timeout=5)
        self.nginx.stop()
        for worker in self.worker_list:
            worker.stop()
        if self.background_process is not None:
            self.background_process.stop()
        self._stack.close()  # Meilisearch, PostgreSQL, Redis: in the reverse order of start
        self.state_file.unlink(missing_ok=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run(
    workers: int = 2, port: int = 3000, root: Path | None = None, background: bool = False
) -> int:
    """`navigator cluster`: serve until Ctrl-C or SIGTERM; 0 on a requested stop."""
    stop_requested = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop_requested.set())
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        # the workers send mail through one SMTP server: the local one (mailbox var/mail/),
        # as `navigator run` does, unless NAVIGATOR_SMTP_HOST names a real one
        with mail_server_for_app() as mail_env:
            cluster = Cluster(
                root or get_settings().var_dir / "cluster",
                workers=workers,
                port=port,
                extra_env=mail_env,
                background=background,  # the relay and the jobs off the workers' loops
            )
            with cluster:
                while not stop_requested.wait(0.5):
                    if failed := cluster.failed_part():
                        log(f"{failed} stopped; stopping the cluster")
                        return 1
        log("stopped")
        return 0
    except ClusterError as error:
        log(str(error))
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
