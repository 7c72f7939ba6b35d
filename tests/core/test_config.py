"""Settings: which rate-limit storage URLs are taken, and the `limits` URL each becomes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from supportdesk.core.config import Settings
from supportdesk.core.ratelimit import redis_client_url


@pytest.mark.parametrize(
    ("variable", "value", "storage", "client"),
    [
        ("SUPPORTDESK_REDIS_URL", "redis://cache:6379/0", "async+redis://cache:6379/0", None),
        (
            "SUPPORTDESK_REDIS_URL",
            "rediss://:secret@cache:6380/1?ssl_ca_certs=/etc/ca.pem",
            "async+rediss://:secret@cache:6380/1?ssl_ca_certs=/etc/ca.pem",
            None,
        ),
        (
            "SUPPORTDESK_REDIS_URL",
            "unix:///run/redis/redis.sock?db=2",
            "async+redis+unix:///run/redis/redis.sock?db=2",
            None,
        ),
        ("SUPPORTDESK_RATE_LIMIT_STORAGE_URL", "memory://", "async+memory://", "none"),
        (
            "SUPPORTDESK_RATE_LIMIT_STORAGE_URL",
            "rediss://cache:6380/0",
            "async+rediss://cache:6380/0",
            None,
        ),
        (
            "SUPPORTDESK_RATE_LIMIT_STORAGE_URL",
            "async+rediss://cache:6380/0",
            "async+rediss://cache:6380/0",
            "rediss://cache:6380/0",
        ),
        (
            "SUPPORTDESK_RATE_LIMIT_STORAGE_URL",
            "async+redis+unix:///run/redis.sock",
            "async+redis+unix:///run/redis.sock",
            "unix:///run/redis.sock",
        ),
    ],
)
def test_redis_urls_are_taken_from_the_environment_and_mapped_to_limits_schemes(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, storage: str, client: str | None
) -> None:
    monkeypatch.setenv("SUPPORTDESK_DATABASE_URL", "sqlite:///unused.db")
    monkeypatch.setenv(variable, value)
    settings = Settings()
    assert settings.limits_storage_url == storage
    # redis-py connects with the URL as the user wrote it (`None`: the same as `value`).
    expected = value if client is None else None if client == "none" else client
    assert redis_client_url(settings.limits_storage_url) == expected


def test_without_redis_limits_are_kept_in_memory() -> None:
    assert Settings(database_url="sqlite:///unused.db").limits_storage_url == "async+memory://"


def test_an_explicit_storage_url_outranks_the_redis_url() -> None:
    settings = Settings(
        database_url="sqlite:///unused.db",
        redis_url="rediss://cache:6380/0",
        rate_limit_storage_url="memory://",
    )
    assert settings.limits_storage_url == "async+memory://"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("redis_url", "http://cache:6379"),
        ("redis_url", "memory://"),
        ("redis_url", "cache:6379"),
        ("rate_limit_storage_url", "memcached://cache:11211"),
        ("rate_limit_storage_url", "async+mongodb://db"),
    ],
)
def test_other_storage_urls_are_refused_at_start(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings.model_validate({"database_url": "sqlite:///unused.db", field: value})
