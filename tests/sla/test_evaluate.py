"""Where a clock stands, from a ticket's facts: the three triggers, pauses, the explanation."""

from __future__ import annotations

from datetime import datetime

from supportdesk.admin.sla import PolicyRecord
from supportdesk.sla.evaluate import Breach, Facts, Message, Pause, evaluate
from tests.sla.test_clock import OFFICE, schedule, utc


def policy(trigger: str, hours: float, *, business_hours: bool = False) -> PolicyRecord:
    return PolicyRecord(
        id=7,
        department_id=1,
        name=f"{trigger} in {hours:g} h",
        level=2,
        trigger=trigger,
        hours=hours,
        business_hours=business_hours,
        raise_priority=None,
        assign_to_id=None,
        active=True,
    )


OPENED = utc(2026, 3, 27, 15)  # Friday 16:00 CET


def facts(
    *messages: Message, pauses: tuple[Pause, ...] = (), closed: datetime | None = None
) -> Facts:
    return Facts(OPENED, (Message(OPENED, "client", 0), *messages), pauses, closed)


NOW = utc(2026, 4, 10)


class TestTheDueDateExplained:
    def test_dst_holiday_and_on_hold_in_one_week(self) -> None:
        office = schedule(OFFICE, holidays=("2026-03-30",))
        on_hold = Pause(utc(2026, 3, 31, 7), utc(2026, 3, 31, 8), "On-Hold")  # 09-10 CEST
        found = evaluate(
            policy("resolution", 4, business_hours=True),
            facts(pauses=(on_hold,)),
            office,
            {},
            utc(2026, 3, 31, 9),
        )
        # 1 h on Friday; Monday the 30th is a holiday; Tuesday 09-10 on hold; 3 h from 10:00.
        assert found.state == "running"
        assert found.due_at == utc(2026, 3, 31, 11)  # 13:00 CEST
        assert found.paused_seconds == 3600
        assert found.explanation == [
            "started 2026-03-27T15:00:00.000Z at ticket opening",
            "4 h of business hours (Europe/Stockholm mon 09:00-17:00; tue 09:00-17:00; "
            "wed 09:00-17:00; thu 09:00-17:00; fri 09:00-17:00)",
            "paused 3600 s in On-Hold (2026-03-31T07:00:00.000Z to 2026-03-31T08:00:00.000Z), "
            "3600 s of them working time",
            "holidays skipped: 2026-03-30",
            "due 2026-03-31T11:00:00.000Z",
        ]

    def test_an_open_pause_stands_the_clock_still(self) -> None:
        on_hold = Pause(utc(2026, 3, 27, 16), None, "On-Hold")
        found = evaluate(policy("first_response", 4), facts(pauses=(on_hold,)), None, {}, NOW)
        assert found.state == "paused"
        assert not found.is_due(NOW)
        # As if the pause ended now: 1 h before it, 3 h after now.
        assert found.due_at == utc(2026, 4, 10, 3)
        assert "paused now in On-Hold" in found.explanation[-2]


class TestTriggers:
    def test_first_response_stops_at_the_first_staff_reply(self) -> None:
        rule = policy("first_response", 1)
        waiting = evaluate(rule, facts(), None, {}, NOW)
        assert (waiting.state, waiting.due_at) == ("running", utc(2026, 3, 27, 16))
        assert waiting.is_due(NOW)
        answered = evaluate(
            rule, facts(Message(utc(2026, 3, 27, 15, 30), "staff", 5)), None, {}, NOW
        )
        assert (answered.state, answered.stopped_at) == ("met", utc(2026, 3, 27, 15, 30))
        assert not answered.is_due(NOW)

    def test_next_response_runs_from_the_oldest_unanswered_client_message(self) -> None:
        rule = policy("next_response", 2)
        conversation = (
            Message(utc(2026, 3, 27, 16), "staff", 1),
            Message(utc(2026, 3, 28, 9), "client", 2),
            Message(utc(2026, 3, 28, 10), "client", 3),
        )
        found = evaluate(rule, facts(*conversation), None, {}, NOW)
        assert (found.occurrence, found.started_at) == (2, utc(2026, 3, 28, 9))
        assert found.due_at == utc(2026, 3, 28, 11)
        answered = facts(*conversation, Message(utc(2026, 3, 28, 12), "staff", 4))
        met = evaluate(rule, answered, None, {}, NOW)
        assert (met.state, met.occurrence, met.stopped_at) == ("met", 2, utc(2026, 3, 28, 12))
        assert "after the due time" in met.explanation[-2]

    def test_next_response_of_a_staff_opened_ticket_waits_for_the_client(self) -> None:
        staff_opened = Facts(OPENED, (Message(OPENED, "staff", 0),), (), None)
        found = evaluate(policy("next_response", 2), staff_opened, None, {}, NOW)
        assert found.state == "idle"
        assert found.due_at is None

    def test_resolution_stops_when_closed_and_a_breach_is_reported(self) -> None:
        rule = policy("resolution", 8)
        closed_at = utc(2026, 3, 28, 3)
        closed = facts(pauses=(Pause(closed_at, None, "Closed"),), closed=closed_at)
        breach = Breach(7, 0, utc(2026, 3, 27, 23, 0, 30), utc(2026, 3, 27, 23))
        found = evaluate(rule, closed, None, {(7, 0): breach}, NOW)
        assert (found.state, found.stopped_at, found.due_at) == ("met", closed_at, breach.due_at)
        assert found.explanation[-1] == "breached 2026-03-27T23:00:30.000Z (level 2)"
        assert not found.is_due(NOW)

    def test_a_breached_clock_is_not_due_again(self) -> None:
        rule = policy("first_response", 1)
        breach = Breach(7, 0, utc(2026, 3, 27, 16, 1), utc(2026, 3, 27, 16))
        assert not evaluate(rule, facts(), None, {(7, 0): breach}, NOW).is_due(NOW)
