"""Business hours: a weekly schedule in a time zone, and holidays (automation.md).

Stored as JSON text on the department ("" = around the clock). Read strictly: a schedule that
an SLA clock could misread is refused here, at the door, rather than met by a job later.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import date
from typing import Any

from supportdesk.core.errors import InvalidField

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INTERVALS_PER_DAY = 8
MAX_HOLIDAYS = 400
TIMEZONE_LENGTH = 64
_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIELD = "business_hours"


def _fail(problem: str) -> InvalidField:
    return InvalidField(FIELD, problem, code="invalid_business_hours")


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def valid_timezone(name: object) -> bool:
    if not isinstance(name, str) or not 0 < len(name) <= TIMEZONE_LENGTH or "\x00" in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _day(name: str, intervals: object) -> list[list[str]]:
    if not isinstance(intervals, list) or len(intervals) > MAX_INTERVALS_PER_DAY:
        raise _fail(f"week.{name} must be a list of at most {MAX_INTERVALS_PER_DAY} intervals")
    kept: list[list[str]] = []
    previous_end = -1
    for interval in intervals:
        if (
            not isinstance(interval, list | tuple)
            or len(interval) != 2
            or not all(isinstance(t, str) and _TIME.fullmatch(t) for t in interval)
        ):
            raise _fail(f'week.{name}: each interval is ["HH:MM", "HH:MM"]')
        start, end = _minutes(interval[0]), _minutes(interval[1])
        if start >= end:
            raise _fail(f"week.{name}: an interval ends after it starts, within the day")
        if start < previous_end:
            raise _fail(f"week.{name}: intervals are in order and do not overlap")
        previous_end = end
        kept.append([interval[0], interval[1]])
    return kept


def normalise(value: object) -> dict[str, Any] | None:
    """The schedule as stored (days in order, holidays sorted), or None for around the clock;
    InvalidField for anything else."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"timezone", "week", "holidays"}:
        raise _fail("is an object of timezone, week and holidays (or null)")
    if not valid_timezone(value.get("timezone")):
        raise _fail("timezone must be an IANA time zone name, such as Europe/Stockholm")
    week = value.get("week")
    if not isinstance(week, dict) or set(week) - set(DAYS):
        raise _fail(f"week is an object whose keys are among {', '.join(DAYS)}")
    days = {name: _day(name, week.get(name, [])) for name in DAYS}
    if not any(days.values()):
        raise _fail("week has no working hours: use null for around the clock")
    holidays = value.get("holidays", [])
    if not isinstance(holidays, list) or len(holidays) > MAX_HOLIDAYS:
        raise _fail(f"holidays is a list of at most {MAX_HOLIDAYS} dates")
    parsed: set[str] = set()
    for holiday in holidays:
        try:
            if not isinstance(holiday, str) or not _DAY.fullmatch(holiday):
                raise ValueError(holiday)
            parsed.add(date.fromisoformat(holiday).isoformat())
        except ValueError:
            raise _fail("each holiday is a date, YYYY-MM-DD") from None
    return {"timezone": value["timezone"], "week": days, "holidays": sorted(parsed)}


def to_text(value: object) -> str:
    schedule = normalise(value)
    return "" if schedule is None else json.dumps(schedule, separators=(",", ":"))


def from_text(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    loaded: dict[str, Any] = json.loads(text)
    return loaded
