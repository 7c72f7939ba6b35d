"""The one place that reads the time, and the wire formats of time."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

ZERO_DATETIME = "0000-00-00 00:00:00"


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    """`2026-11-27T09:51:56.123Z`: envelope and v2 timestamps."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def hostbill(moment: datetime | None, zone: tzinfo) -> str:
    """HostBill's `YYYY-MM-DD HH:MM:SS` in the configured zone; unset is the zero date."""
    if moment is None:
        return ZERO_DATETIME
    # isoformat is several times cheaper than strftime, and a response holds dozens of dates.
    return moment.astimezone(zone).isoformat(sep=" ", timespec="seconds")[:19]


def as_datetime(value: datetime | str | None) -> datetime | None:
    """A datetime column as the driver returns it (SQLite text, asyncpg datetime), as UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return parse_stored(value)


def parse_stored(value: str | None) -> datetime | None:
    """A datetime as a JSON aggregate returns it (SQLite text or PostgreSQL ISO), as UTC."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day(value: date | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()
