"""The business-hours clock: when N working hours after an instant fall due, and how many
working seconds lie between two instants (automation.md).

Pure functions over UTC instants. A `Schedule` is a department's weekly wall-clock windows in
an IANA time zone plus holiday dates; `None` is around the clock. Each local day's windows are
mapped to UTC on that day, so a window keeps its wall-clock hours across daylight-saving
changes: a wall-clock time that does not exist (the hour skipped in spring) moves to the end of
the gap, an ambiguous one (the hour repeated in autumn) is its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from supportdesk.admin.hours import DAYS

# How far ahead the clock looks for working time before it calls a promise unreachable (a
# schedule whose holidays cover every working day).
HORIZON_DAYS = 366 * 50
_FAR = timedelta(days=HORIZON_DAYS)
# Spans of (start, end) UTC instants, end exclusive; an open pause has end None.
Span = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Working windows per weekday (Monday first) in minutes of the local day, and holidays."""

    zone: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date]

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> Schedule | None:
        """The schedule admin/hours.py stored (already checked there); None = around the clock."""
        if not stored:
            return None
        week = tuple(
            tuple((_minutes(start), _minutes(end)) for start, end in stored["week"].get(day, []))
            for day in DAYS
        )
        holidays = frozenset(date.fromisoformat(day) for day in stored.get("holidays", []))
        return cls(ZoneInfo(stored["timezone"]), week, holidays)

    def describe(self) -> str:
        """`Europe/Stockholm mon 09:00-17:00, ...`: for explanations."""
        days = [
            f"{name} {', '.join(f'{_clock(a)}-{_clock(b)}' for a, b in windows)}"
            for name, windows in zip(DAYS, self.week, strict=True)
            if windows
        ]
        return f"{self.zone.key} {'; '.join(days)}"


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of local `day` at `minute` (1440 = the next midnight)."""
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    for _ in range(24 * 60):
        moment = local.replace(tzinfo=zone).astimezone(UTC)
        if moment.astimezone(zone).replace(tzinfo=None) == local:
            return moment
        local += timedelta(minutes=1)  # inside a gap: the first wall-clock minute that exists
    raise ValueError(f"no wall-clock time near {local} exists in {zone.key}")  # pragma: no cover


def working_spans(schedule: Schedule | None, start: datetime) -> Iterator[Span]:
    """The working time from `start` on, in order, as UTC spans (clipped to `start`)."""
    if schedule is None:
        yield start, start + _FAR
        return
    day = start.astimezone(schedule.zone).date() - timedelta(days=1)
    for _ in range(HORIZON_DAYS):
        day += timedelta(days=1)
        if day in schedule.holidays:
            continue
        for first, last in schedule.week[day.weekday()]:
            begin = _instant(day, first, schedule.zone)
            end = _instant(day, last, schedule.zone)
            if end <= start or end <= begin:
                continue
            yield max(begin, start), end


def _without(spans: Iterable[Span], pauses: Sequence[Pause]) -> Iterator[Span]:
    """`spans` less the paused time; nothing after a pause that has not ended."""
    ordered = sorted(pauses, key=lambda pause: pause[0])
    for begin, end in spans:
        cursor = begin
        for pause_start, pause_end in ordered:
            if pause_end is not None and pause_end <= cursor:
                continue
            if pause_start >= end:
                break
            if pause_start > cursor:
                yield cursor, pause_start
            if pause_end is None:
                return
            cursor = max(cursor, pause_end)
            if cursor >= end:
                break
        if cursor < end:
            yield cursor, end


def due_at(
    schedule: Schedule | None, start: datetime, hours: float, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """The instant `hours` working hours (fractional allowed) after `start`, not counting
    `pauses`; None while a pause is open (the clock stands still) or beyond the horizon."""
    remaining = timedelta(seconds=hours * 3600)
    for begin, end in _without(working_spans(schedule, start), pauses):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    return None


def working_seconds(
    schedule: Schedule | None, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> float:
    """Working seconds between `start` and `end`, not counting `pauses`."""
    total = timedelta()
    if end <= start:
        return 0.0
    for begin, finish in _without(working_spans(schedule, start), pauses):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total.total_seconds()
