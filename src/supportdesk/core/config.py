"""Typed settings, loaded once from `SUPPORTDESK_*` environment variables."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The Redis URLs redis-py understands (`rediss://` is TLS, `unix://` a socket path), each with
# the `limits` storage scheme that serves it; `memory://` keeps limits per process.
REDIS_SCHEMES = {"redis": "async+redis", "rediss": "async+rediss", "unix": "async+redis+unix"}
LIMITS_SCHEMES = {"memory": "async+memory", **REDIS_SCHEMES}


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


class Settings(BaseSettings):
    """Every knob supportdesk has; the defaults run the embedded SQLite setup."""

    # Inputs stay out of the refusal: a database URL's password or a short secret key would
    # otherwise be printed with it.
    model_config = SettingsConfigDict(
        env_prefix="SUPPORTDESK_", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = "sqlite:///supportdesk.db"
    # redis://, rediss:// (TLS) or unix:// (a socket); query options go to redis-py, e.g.
    # rediss://cache:6380/0?ssl_ca_certs=/etc/ssl/cache-ca.pem
    redis_url: str | None = None
    # `memory://` keeps limits per process; a Redis URL shares them across processes.
    rate_limit_storage_url: str | None = None
    # What every rate-limit key in Redis starts with: installations (or test runs) that share
    # one Redis database keep apart with different prefixes; `reset` clears only its own.
    rate_limit_key_prefix: str = Field(
        default="LIMITS", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$"
    )
    # Connections a process keeps to Redis at most; a burst beyond them waits its turn.
    redis_max_connections: int = Field(default=64, ge=1, le=10_000)
    rate_limit_per_minute: int = Field(default=120, ge=1, le=1_000_000)
    auth_failures_per_minute: int = Field(default=20, ge=1, le=100_000)
    key_cache_seconds: float = Field(default=1.0, ge=0, le=60)
    timezone: str = "UTC"
    data_dir: Path = Path("data")
    # The installation's secret (it keys v2 cursors); unset: `<data_dir>/secret_key`, which
    # `supportdesk init` creates. Every process of one installation must see the same value.
    secret_key: SecretStr | None = None
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024**3)
    # Uploads not attached to a message within this time are deleted by `supportdesk maintenance`.
    upload_ttl_hours: int = Field(default=24, ge=1, le=24 * 365)
    db_pool_size: int = Field(default=10, ge=1, le=500)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    db_command_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0, le=600_000)
    # Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated
    # (`10.0.0.0/8, 2001:db8::1`). None by default: the peer's address is the caller's.
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = ()
    # The v1 detail's fast path (`api.v1.lane`); off, FastAPI's route serves the same answer.
    read_lane: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # What `supportdesk serve` allows a connection (`core.serving`): the request head must
    # arrive within the header timeout, a body may stall at most the body timeout between
    # reads, an idle kept-alive connection is closed after keep_alive_seconds.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    body_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    keep_alive_seconds: int = Field(default=5, ge=1, le=600)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024, le=1024 * 1024)
    # The jobs (automation.md): `serve` runs them in every process unless disabled (a separate
    # `supportdesk worker` runs them alone); how often due work is looked for (fractional
    # seconds allowed: tests use 0.05), and how many rows one transaction takes at most (a
    # batch's rows are written in one statement: at most 1,000 stays under either backend's
    # limit on parameters).
    jobs_enabled: bool = True
    jobs_interval_seconds: float = Field(default=30.0, gt=0, le=24 * 3600)
    jobs_batch_size: int = Field(default=100, ge=1, le=10_000)
    # Mail (automation.md): smtp://user:pass@host:587 (STARTTLS whenever the server offers
    # it) or smtps://... (implicit TLS); unset, mails are kept in the outbox.
    smtp_url: SecretStr | None = None
    # A CA bundle (PEM) the SMTP server's certificate is checked against, besides the system's.
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    mail_from: str = Field(default="support@localhost", min_length=3, max_length=255)
    # A directory whose templates replace the packaged ones of the same name (mail/templates).
    mail_templates: Path | None = None
    # A send is tried this many times (exponential backoff from mail_retry_seconds), then failed.
    mail_max_attempts: int = Field(default=8, ge=1, le=100)
    mail_retry_seconds: float = Field(default=60.0, gt=0, le=86_400)
    # How long a sender holds the batch it claimed: a killed sender's mails go again after it.
    mail_lease_seconds: float = Field(default=300.0, gt=0, le=86_400)
    company_name: str = Field(default="Support", min_length=1, max_length=128)
    # Where the portal and the desk are reached from outside: the links in every mail.
    public_url: str = "http://127.0.0.1:8080"
    # Webhooks (automation.md): private, loopback and link-local targets are refused unless
    # this is set (tests and a receiver on the same machine); each POST may take this long.
    webhooks_allow_private: bool = False
    webhooks_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Deliveries one worker claims per tick; an endpoint whose every attempt has failed for
    # this long is deactivated (and the admin told in the log and on the endpoint).
    webhooks_batch_size: int = Field(default=50, ge=1, le=1000)
    webhooks_disable_after_hours: float = Field(default=24.0, gt=0, le=24 * 365)

    # The desk's sign-in (`sessions`): a session lasts at most desk_session_hours, and ends
    # sooner when idle; failed sign-ins are limited per address and per username, in any
    # 15 minutes.
    desk_session_hours: float = Field(default=12, gt=0, le=24 * 90)
    desk_session_idle_minutes: float = Field(default=120, gt=0, le=24 * 60 * 90)
    desk_sign_in_failures_per_address: int = Field(default=20, ge=1, le=100_000)
    desk_sign_in_failures_per_username: int = Field(default=5, ge=1, le=100_000)

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("database_url must be an sqlite:/// or postgresql:// URL")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 32:
            raise ValueError("secret_key must be at least 32 characters")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and _scheme(value) not in REDIS_SCHEMES:
            raise ValueError("redis_url must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _storage_scheme(cls, value: str | None) -> str | None:
        # limits' own names (async+rediss://, ...) are taken as they are.
        known = {*LIMITS_SCHEMES, *LIMITS_SCHEMES.values()}
        if value is not None and _scheme(value) not in known:
            raise ValueError(
                "rate_limit_storage_url must be memory://, or a redis://, rediss:// or unix:// URL"
            )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parts = urlsplit(value.get_secret_value())
            if parts.scheme.lower() not in ("smtp", "smtps") or not parts.hostname:
                raise ValueError("smtp_url must be an smtp://host[:port] or smtps:// URL")
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_address(cls, value: str) -> str:
        from email.utils import parseaddr

        address = parseaddr(value)[1]
        if "@" not in address or any(c in value for c in "\r\n"):
            raise ValueError("mail_from must be an e-mail address (optionally 'Name <address>')")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if _scheme(value) not in ("http", "https") or not urlsplit(value).hostname:
            raise ValueError("public_url must be an http:// or https:// URL")
        return value.rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def limits_storage_url(self) -> str:
        """The `limits` storage URI: explicit setting, else Redis when configured, else memory."""
        url = self.rate_limit_storage_url or self.redis_url or "memory://"
        scheme = _scheme(url)
        if scheme in LIMITS_SCHEMES:
            return LIMITS_SCHEMES[scheme] + url[len(scheme) :]
        return url


@functools.cache
def get_settings() -> Settings:
    return Settings()
