"""Mail over an encrypted, logged-in connection, against the real local SMTP server speaking
STARTTLS or TLS from the first byte with a certificate made for the test: the letter arrives;
a certificate the app does not trust, a wrong password, no login where one is required, or a
server that wants TLS from a client that does not speak it (refusing our sender with 530)
leaves every letter waiting, none given up, none sent in clear: they are ours to mend.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.mail import queue_mail, send_pending
from navigator.domain.shared.models import OutgoingMail
from navigator.mailserver import MailServer
from navigator.settings import get_settings
from tests.support.availability import service_unavailable

USER, PASSWORD = "relay-user", "relay password 42"
# aiosmtpd counts only STARTTLS as TLS; over implicit TLS every byte is encrypted already
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the system's openssl."""
    if shutil.which("openssl") is None:
        service_unavailable("openssl is missing: make system-deps")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _server(tmp_path: Path, security: str, certificate: tuple[Path, Path]) -> MailServer:
    return MailServer(tmp_path / "mailbox", 0, security, certificate, (USER, PASSWORD)).start()


def _settings(server: MailServer, security: str, cert: Path, password: str = PASSWORD):
    return replace(
        get_settings(),
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security=security,
        smtp_user=USER if password else "",  # no password: the app does not log in
        smtp_password=password,
        smtp_ca_file=str(cert),
    )


def _waiting(engine) -> list[OutgoingMail]:
    with read_session(engine) as s:
        return list(s.exec(select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))))  # type: ignore[union-attr]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_letter_goes_encrypted_and_logged_in(engine, tmp_path, certificate, security):
    server = _server(tmp_path, security, certificate)
    try:
        with transaction(engine) as s:
            queue_mail(s, "p@example.org", "Тема", "текст")
        done = send_pending(engine, _settings(server, security, certificate[0]))
        assert len(done.sent) == 1 and done.failed == []
        (letter,) = server.mailbox.letters()
        assert letter["To"] == "p@example.org"
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("server_security", "client_security", "password", "trusted"),
    [
        ("starttls", "starttls", "wrong password", True),  # 535: our login, not the address
        ("starttls", "starttls", PASSWORD, False),  # a certificate nobody vouches for
        ("tls", "tls", PASSWORD, False),
        ("starttls", "none", PASSWORD, True),  # the server wants TLS; no letter in clear
        ("starttls", "none", "", True),  # …and without a login: 530 refuses our sender
        ("starttls", "starttls", "", True),  # encrypted, no login: 530 authentication required
    ],
)
def test_a_refused_connection_leaves_every_letter_waiting(
    engine, tmp_path, certificate, server_security, client_security, password, trusted
):
    server = _server(tmp_path, server_security, certificate)
    ca = certificate[0] if trusted else Path(tmp_path / "other-ca.pem")
    if not trusted:  # a valid CA file that did not sign the server's certificate
        ca.write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text())
    try:
        with transaction(engine) as s:
            queue_mail(s, "p@example.org", "Тема", "текст")
        settings = _settings(server, client_security, ca, password)
        done = send_pending(engine, settings)
        assert done.sent == [] and len(done.failed) == 1
        (letter,) = _waiting(engine)
        assert letter.given_up_at is None and letter.next_attempt_at is not None
        assert server.mailbox.letters() == []
    finally:
        server.stop()
