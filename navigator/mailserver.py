"""A real SMTP server for development and the tests (aiosmtpd): every letter it receives is
written to its mailbox directory (`var/mail/NNNNNN.eml`), so what the app sends travels the
same SMTP path as in production and can be read as a person reads an inbox.

It speaks what production relays speak when asked to (`--starttls` or `--tls` with a
certificate, `--user`/`--password` for a login only over TLS), so the app's encrypted,
logged-in path is tested against a real server too. Like a real server it refuses a mailbox
that cannot exist: an address in the `.invalid` domain (reserved by RFC 2606 for exactly
that) gets "550 5.1.1", so what the app does with a permanent refusal is tried on the same
path too; one at `full.invalid` gets "452 4.2.2 Mailbox full", a refusal that may pass.

    python -m navigator.mailserver --port 8025 --mailbox var/mail
"""

from __future__ import annotations

import argparse
import email
import email.policy
import hmac
import os
import signal
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass
class Mailbox:
    """Received letters as numbered files; numbers keep going after a restart."""

    directory: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            number = max((_number(p) for p in self.directory.glob("*.eml")), default=0) + 1
            while True:
                path = self.directory / f"{number:06d}.eml"
                try:
                    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    number += 1
                    continue
                with os.fdopen(descriptor, "wb") as out:
                    out.write(data)
                return path

    def letters(self) -> list[EmailMessage]:
        """Every letter received, oldest first."""
        paths = sorted(self.directory.glob("*.eml"), key=_number)
        return [_parse(p.read_bytes()) for p in paths]


def _number(path: Path) -> int:
    return int(path.stem) if path.stem.isdigit() else 0


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        domain = address.rstrip(">").rsplit("@", 1)[-1].lower()
        if domain == "full.invalid":
            return "452 4.2.2 Mailbox full"
        if domain.endswith(".invalid"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        path = self.mailbox.store(envelope.original_content or envelope.content)
        print(f"mail to {', '.join(envelope.rcpt_tos)}: {path}", flush=True)
        return "250 Message accepted for delivery"


@dataclass
class MailServer:
    """The server on a port of 127.0.0.1, running in a thread of this process.

    `security` "starttls" requires STARTTLS before anything is sent, "tls" speaks TLS from
    the first byte; both need `certificate` (certificate file, key file). With `login`
    (user, password) a client must log in, and only over TLS.
    """

    mailbox_dir: Path
    port: int = 0
    security: str = "none"
    certificate: tuple[Path, Path] | None = None
    login: tuple[str, str] | None = None
    _controller: Controller | None = None

    @property
    def mailbox(self) -> Mailbox:
        return Mailbox(self.mailbox_dir)

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.security != "none":
            if self.certificate is None:
                raise ValueError(f"{self.security} needs a certificate and its key")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.certificate)
            if self.security == "tls":
                options["ssl_context"] = context
            else:
                options.update(tls_context=context, require_starttls=True)
        if self.login is not None:
            user, password = self.login

            def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
                ok = isinstance(data, LoginPassword) and (
                    hmac.compare_digest(data.login, user.encode())
                    & hmac.compare_digest(data.password, password.encode())
                )
                return AuthResult(success=bool(ok))

            # with STARTTLS, a login only after it; over implicit TLS every byte is encrypted
            # (aiosmtpd counts only STARTTLS); without TLS (development only), in clear
            options.update(
                authenticator=check,
                auth_required=True,
                auth_require_tls=self.security == "starttls",
            )
        return options

    def start(self) -> MailServer:
        port = self.port or free_port()
        self._controller = Controller(
            _Handler(self.mailbox), hostname=HOST, port=port, **self._options()
        )
        self._controller.start()
        self.port = port
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the local SMTP server of development")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--mailbox", type=Path, required=True)
    parser.add_argument("--starttls", action="store_true", help="require STARTTLS")
    parser.add_argument("--tls", action="store_true", help="TLS from the first byte")
    parser.add_argument("--certificate", type=Path, help="with --starttls/--tls: its PEM")
    parser.add_argument("--key", type=Path, help="with --starttls/--tls: its private key")
    parser.add_argument("--user", help="a login is required (over TLS only)")
    parser.add_argument("--password", default="")
    args = parser.parse_args(argv)
    security = "tls" if args.tls else "starttls" if args.starttls else "none"
    certificate = (args.certificate, args.key) if args.certificate and args.key else None
    login = (args.user, args.password) if args.user else None
    server = MailServer(args.mailbox, args.port, security, certificate, login).start()
    print(f"SMTP server on {HOST}:{server.port}, mailbox {args.mailbox}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()


DEV_PORT = 8025


@contextmanager
def mail_server_for_app() -> Iterator[dict[str, str]]:
    """`navigator run`: the environment that points the app at an SMTP server; the local one
    (mailbox `var/mail/`), started here, unless NAVIGATOR_SMTP_HOST names a real one."""
    from navigator.settings import get_settings

    settings = get_settings()
    if settings.smtp_host:
        yield {}
        return
    port = DEV_PORT
    try:
        server = MailServer(settings.var_dir / "mail", port).start()
    except OSError:  # 8025 taken: any free port will do, the app is told which
        server = MailServer(settings.var_dir / "mail", free_port()).start()
    print(
        f"navigator: SMTP server 127.0.0.1:{server.port}, mailbox {server.mailbox_dir}", flush=True
    )
    try:
        yield {
            "NAVIGATOR_SMTP_HOST": HOST,
            "NAVIGATOR_SMTP_PORT": str(server.port),
            "NAVIGATOR_SMTP_SECURITY": "none",
        }
    finally:
        server.stop()
