"""The business-hours clock: due instants and working seconds across Stockholm's 2026
daylight-saving changes (29 March, 25 October), holidays, adjacent windows and pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from supportdesk.admin import hours
from supportdesk.sla.clock import Schedule, due_at, working_seconds


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def schedule(week: dict[str, Any], holidays: tuple[str, ...] = ()) -> Schedule:
    stored = hours.normalise(
        {"timezone": "Europe/Stockholm", "week": week, "holidays": list(holidays)}
    )
    found = Schedule.from_stored(stored)
    assert found is not None
    return found


OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class TestAroundTheClock:
    def test_due_is_elapsed_time_whatever_the_wall_clock_does(self) -> None:
        # 24 h over the spring-forward night: 23 wall-clock hours later in Stockholm.
        assert due_at(None, utc(2026, 3, 28, 12), 24) == utc(2026, 3, 29, 12)
        assert due_at(None, utc(2026, 10, 24, 12), 24) == utc(2026, 10, 25, 12)

    def test_fractional_hours(self) -> None:
        assert due_at(None, utc(2026, 1, 1), 0.001) == utc(2026, 1, 1) + timedelta(seconds=3.6)

    def test_pauses_extend_the_due_time_and_an_open_pause_stops_it(self) -> None:
        start = utc(2026, 5, 4, 8)
        pauses = [(utc(2026, 5, 4, 9), utc(2026, 5, 4, 10, 30))]
        assert due_at(None, start, 4, pauses) == utc(2026, 5, 4, 13, 30)
        assert due_at(None, start, 4, [(utc(2026, 5, 4, 9), None)]) is None
        # A pause that began before the start counts only from the start.
        assert due_at(None, start, 1, [(utc(2026, 5, 4, 7), utc(2026, 5, 4, 8, 15))]) == utc(
            2026, 5, 4, 9, 15
        )
        assert working_seconds(None, start, utc(2026, 5, 4, 12), pauses) == 4 * 3600 - 5400


class TestBusinessHours:
    def test_friday_evening_to_the_monday_after_spring_forward(self) -> None:
        office = schedule(OFFICE)
        friday_16 = utc(2026, 3, 27, 15)  # 16:00 CET
        # 1 h on Friday, 1 h on Monday 30 March from 09:00 CEST (07:00Z).
        assert due_at(office, friday_16, 2) == utc(2026, 3, 30, 8)
        assert working_seconds(office, friday_16, utc(2026, 3, 30, 9)) == 3 * 3600

    def test_a_holiday_is_skipped(self) -> None:
        office = schedule(OFFICE, holidays=("2026-03-30",))
        assert due_at(office, utc(2026, 3, 27, 15), 2) == utc(2026, 3, 31, 8)
        assert working_seconds(office, utc(2026, 3, 27, 15), utc(2026, 3, 31, 9)) == 3 * 3600

    def test_the_fall_back_week_keeps_wall_clock_hours(self) -> None:
        office = schedule(OFFICE)
        # Friday 23 October 16:00 CEST (14:00Z); Monday 26 October 09:00 CET is 08:00Z.
        assert due_at(office, utc(2026, 10, 23, 14), 2) == utc(2026, 10, 26, 9)
        # Thursday to Wednesday over the change: five 8-hour days, 40 h, not 39 or 41.
        assert working_seconds(office, utc(2026, 10, 22), utc(2026, 10, 29)) == 40 * 3600
        assert working_seconds(office, utc(2026, 3, 26), utc(2026, 4, 2)) == 40 * 3600

    def test_a_window_over_the_skipped_hour_is_an_hour_shorter(self) -> None:
        night = schedule({"sun": [["01:00", "04:00"]]})
        day = (utc(2026, 3, 28, 12), utc(2026, 3, 29, 12))
        assert working_seconds(night, *day) == 2 * 3600  # 02:00-03:00 does not exist
        # 01:00 CET is 00:00Z; an hour later the clocks jump to 03:00 CEST (01:00Z).
        assert due_at(night, day[0], 1.5) == utc(2026, 3, 29, 1, 30)
        gap = schedule({"sun": [["02:30", "03:30"]]})
        assert working_seconds(gap, *day) == 30 * 60  # starts when 03:00 CEST begins

    def test_a_window_over_the_repeated_hour_is_an_hour_longer(self) -> None:
        night = schedule({"sun": [["01:00", "04:00"]]})
        assert working_seconds(night, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == 4 * 3600
        # 01:00 CEST is 23:00Z the day before; 4 h later it is 04:00 CET (03:00Z).
        assert due_at(night, utc(2026, 10, 24, 12), 4) == utc(2026, 10, 25, 3)

    def test_windows_that_meet_at_midnight_run_on(self) -> None:
        late = schedule({"mon": [["22:00", "24:00"]], "tue": [["00:00", "02:00"]]})
        monday_23 = utc(2026, 6, 1, 21)  # 23:00 CEST
        assert due_at(late, monday_23, 2) == utc(2026, 6, 1, 23)  # Tuesday 01:00 CEST

    def test_pauses_count_only_where_they_cover_working_time(self) -> None:
        office = schedule(OFFICE)
        monday_9 = utc(2026, 6, 1, 7)
        overnight = [(utc(2026, 6, 1, 16), utc(2026, 6, 2, 8))]  # 18:00 to 10:00 CEST
        # 8 h on Monday, then Tuesday from 10:00 CEST (the pause ends): 2 h more.
        assert due_at(office, monday_9, 10, overnight) == utc(2026, 6, 2, 10)
        assert due_at(office, monday_9, 10) == utc(2026, 6, 2, 9)

    @pytest.mark.parametrize("hours_", [0.5, 8, 40, 123.25])
    def test_due_and_working_seconds_agree(self, hours_: float) -> None:
        office = schedule(OFFICE, holidays=("2026-03-30", "2026-04-03"))
        start = utc(2026, 3, 26, 10, 17)
        due = due_at(office, start, hours_)
        assert due is not None
        assert working_seconds(office, start, due) == pytest.approx(hours_ * 3600)

    def test_a_start_outside_working_hours_waits_for_the_next_window(self) -> None:
        office = schedule(OFFICE)
        saturday = utc(2026, 6, 6, 10)
        assert due_at(office, saturday, 1) == utc(2026, 6, 8, 8)  # Monday 10:00 CEST
        assert working_seconds(office, saturday, utc(2026, 6, 8, 7)) == 0
