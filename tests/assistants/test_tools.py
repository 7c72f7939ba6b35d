"""The tool catalogue and result bounds, without a server: who is shown which tool."""

from __future__ import annotations

import json

from supportdesk.core.scopes import SCOPES
from supportdesk.mcp.profile import Profile, is_sla_route
from supportdesk.mcp.results import MAX_RESULT_CHARS, derived_key, fitting, render, size
from supportdesk.mcp.tools import TOOLS, visible_tools

CLIENT_SCOPES = frozenset({"read:support", "write:support", "read:account"})


def names(profile: Profile) -> set[str]:
    return {tool.name for tool in visible_tools(profile)}


def test_the_sla_tool_is_shown_to_staff_only_where_the_route_is_served() -> None:
    staff = frozenset(SCOPES)
    assert "read_sla" in names(Profile(staff=True, scopes=staff, sla=True))
    assert "read_sla" not in names(Profile(staff=True, scopes=staff, sla=False))
    assert "read_sla" not in names(Profile(staff=False, scopes=CLIENT_SCOPES, sla=True))
    assert is_sla_route("/api/v2/support/tickets/{ticket_id}/sla")
    assert is_sla_route("/api/v2/support/tickets/{id}/sla")
    assert not is_sla_route("/api/v2/admin/sla-policies")


def test_no_client_profile_sees_a_staff_tool_whatever_its_scopes() -> None:
    staff_tools = {tool.name for tool in TOOLS if tool.staff_only}
    assert {"add_note", "desk_queue", "update_ticket", "merge_tickets"} <= staff_tools
    every_scope = Profile(staff=False, scopes=frozenset(SCOPES), sla=True)
    assert not names(every_scope) & staff_tools
    assert names(Profile(staff=False, scopes=frozenset())) == set()


def test_a_result_never_passes_the_bound() -> None:
    payload = {"tickets": [{"subject": '"' * 1_000} for _ in range(40)], "nextCursor": "c"}
    text = render(payload)
    assert len(text) <= MAX_RESULT_CHARS
    shown = json.loads(text)
    assert shown["truncated"].startswith("tickets: ")
    assert len(render({"blob": "x" * 100_000})) <= MAX_RESULT_CHARS


def test_a_piece_fits_its_budget_as_json() -> None:
    text = '"' * 10_000
    piece = fitting(text, 0, 4_000)
    assert size(piece) <= 4_000
    assert piece == text[: len(piece)]
    assert fitting("abc", 1, 10) == "bc"


def test_a_derived_key_names_the_call() -> None:
    first = derived_key("reply_to_ticket", {"ticket": 1, "message": "hi"})
    assert first == derived_key("reply_to_ticket", {"message": "hi", "ticket": 1})
    assert first != derived_key("reply_to_ticket", {"ticket": 1, "message": "hi!"})
    assert first != derived_key("add_note", {"ticket": 1, "message": "hi"})
    assert 1 <= len(first) <= 255
