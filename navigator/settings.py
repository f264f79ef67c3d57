"""One settings object, read from the environment once; everything else asks it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("ru", "lt", "en")


def _var_dir() -> Path:
    return Path(os.environ.get("NAVIGATOR_VAR_DIR", PROJECT_ROOT / "var")).resolve()


def _read_master_key(var_dir: Path) -> str:
    """The development master key lives in var/ (outside git), made by the server module."""
    key_file = var_dir / "meili" / "master-key"
    return key_file.read_text().strip() if key_file.exists() else ""


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    meili_url: str
    meili_master_key: str  # the operator's; "" in a web process given its scoped keys
    redis_url: str | None
    default_locale: str
    app_url: str
    secure_cookies: bool = True
    trusted_proxy_hops: int = 0
    # PostgreSQL gives up waiting for a row lock after this long: the request answers "busy"
    # instead of hanging behind a stuck transaction
    lock_timeout_ms: int = 10_000
    # threads an app worker runs its handlers on (navigator.state.threaded), and the
    # database connections it keeps for them; asyncio's own default unless set
    handler_threads: int = 6
    # the search relay sends a stream of changes (an enrollment rush) as one Meilisearch
    # task this often at most; a change after a quiet spell goes at once (search.relay)
    relay_interval_ms: int = 1000
    meili_search_key: str = ""  # search only, the catalog index only
    meili_relay_key: str = ""  # the catalog index's documents and settings only
    locales: tuple[str, ...] = field(default=SUPPORTED_LOCALES)
    # mail (shared.mail): an SMTP server; without a host, letters are written to var/mail/
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_security: str = "none"  # none, starttls or tls
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_ca_file: str = ""  # a CA bundle to trust besides the system's (a private relay)
    mail_from: str = "Navigator <no-reply@navigator.local>"
    # notifications: the warning before a funding period closes, the digest's hour (UTC)
    expiry_warning_days: int = 14
    digest_hour_utc: int = 6

    @property
    def meili_is_external(self) -> bool:
        return bool(os.environ.get("MEILI_URL"))


def _handler_threads(value: str | None) -> int:
    """NAVIGATOR_HANDLER_THREADS, or asyncio's default pool (the cores + 4, 32 at most)."""
    threads = int(value) if value else min(32, (os.cpu_count() or 1) + 4)
    if threads < 1:
        raise ValueError("NAVIGATOR_HANDLER_THREADS must be 1 or more")
    return threads


def _relay_interval(value: str | None) -> int:
    wrong = "NAVIGATOR_RELAY_INTERVAL_MS must be a whole number of milliseconds, 0 to 60000"
    if value and not (value.isascii() and value.isdigit()):
        raise ValueError(wrong)
    interval = int(value) if value else 1000
    if interval > 60_000:
        raise ValueError(wrong)
    return interval


def load_settings() -> Settings:
    var_dir = _var_dir()
    default_locale = os.environ.get("NAVIGATOR_DEFAULT_LOCALE", "ru")
    if default_locale not in SUPPORTED_LOCALES:
        raise ValueError(f"NAVIGATOR_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
    return Settings(
        var_dir=var_dir,
        database_url=os.environ.get("DATABASE_URL", f"sqlite:///{var_dir / 'navigator.db'}"),
        meili_url=os.environ.get("MEILI_URL", "http://127.0.0.1:7700"),
        meili_master_key=os.environ.get("MEILI_MASTER_KEY")
        or ("" if os.environ.get("MEILI_RELAY_KEY") else _read_master_key(var_dir)),
        meili_search_key=os.environ.get("MEILI_SEARCH_KEY", ""),
        meili_relay_key=os.environ.get("MEILI_RELAY_KEY", ""),
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        default_locale=default_locale,
        app_url=os.environ.get("NAVIGATOR_APP_URL", "http://localhost:3000"),
        # browsers keep Secure cookies on http://localhost too; only a plain-http LAN test needs 0
        secure_cookies=os.environ.get("NAVIGATOR_SECURE_COOKIES", "1") != "0",
        trusted_proxy_hops=int(os.environ.get("NAVIGATOR_TRUSTED_PROXY_HOPS", "0")),
        lock_timeout_ms=int(os.environ.get("NAVIGATOR_LOCK_TIMEOUT_MS", "10000")),
        handler_threads=_handler_threads(os.environ.get("NAVIGATOR_HANDLER_THREADS")),
        relay_interval_ms=_relay_interval(os.environ.get("NAVIGATOR_RELAY_INTERVAL_MS")),
        smtp_host=os.environ.get("NAVIGATOR_SMTP_HOST", ""),
        smtp_port=int(os.environ.get("NAVIGATOR_SMTP_PORT", "25")),
        smtp_security=_smtp_security(os.environ.get("NAVIGATOR_SMTP_SECURITY", "none")),
        smtp_user=os.environ.get("NAVIGATOR_SMTP_USER", ""),
        smtp_password=os.environ.get("NAVIGATOR_SMTP_PASSWORD", ""),
        smtp_ca_file=os.environ.get("NAVIGATOR_SMTP_CA_FILE", ""),
        mail_from=os.environ.get("NAVIGATOR_MAIL_FROM", "Navigator <no-reply@navigator.local>"),
        expiry_warning_days=int(os.environ.get("NAVIGATOR_EXPIRY_WARNING_DAYS", "14")),
        digest_hour_utc=int(os.environ.get("NAVIGATOR_DIGEST_HOUR_UTC", "6")),
    )


def _smtp_security(value: str) -> str:
    if value not in ("none", "starttls", "tls"):
        raise ValueError("NAVIGATOR_SMTP_SECURITY must be none, starttls or tls")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
