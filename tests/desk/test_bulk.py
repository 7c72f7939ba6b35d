"""`POST /api/v2/support/tickets/bulk`: per-ticket results, each ticket its own transaction."""

from __future__ import annotations

import httpx

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.desk.conftest import NUMBER, OTHER_NUMBER, Desk, events

BULK = "/api/v2/support/tickets/bulk"


async def test_each_ticket_gets_its_result_and_a_failure_stops_none(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    await conversation_builders.set_ticket(db, desk.other_ticket_id, flags=512)
    body = {
        "ticketIds": [desk.ref, 999999, str(OTHER_NUMBER), "nonsense"],
        "changes": {"status": "On-Hold", "addTags": ["outage"]},
        "note": "Part of the 2 December outage.",
    }
    response = await api.post(BULK, json=body, headers=key(desk.manager_key))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "results": [
            {"ticketId": desk.ref, "ok": True},
            {
                "ticketId": 999999,
                "ok": False,
                "code": "not_found",
                "detail": "No ticket with that number was found.",
            },
            {"ticketId": str(OTHER_NUMBER), "ok": True},
            {
                "ticketId": "nonsense",
                "ok": False,
                "code": "not_found",
                "detail": "No ticket with that number was found.",
            },
        ]
    }
    for number, ticket_id in ((NUMBER, desk.ticket_id), (OTHER_NUMBER, desk.other_ticket_id)):
        row = await conversation_builders.ticket_row(db, number)
        assert row["flags"] & 1
        kinds = [e["kind"] for e in await events(db, ticket_id)]
        assert kinds == ["updated", "note_added"]


async def test_a_ticket_that_fails_is_rolled_back_alone(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    """A change that is refused for one ticket (an unknown status) leaves it, and a note given
    with it, unwritten; a ticket that only takes the note gets it."""
    body = {"ticketIds": [desk.ref], "changes": {"status": "Nope"}, "note": "x"}
    response = await api.post(BULK, json=body, headers=key(desk.manager_key))
    [result] = response.json()["results"]
    assert (result["ok"], result["code"]) == (False, "invalid_request")
    assert await events(db, desk.ticket_id) == []
    only_note = await api.post(
        BULK, json={"ticketIds": [desk.ref], "note": "Seen."}, headers=key(desk.manager_key)
    )
    assert only_note.json() == {"results": [{"ticketId": desk.ref, "ok": True}]}
    assert [e["kind"] for e in await events(db, desk.ticket_id)] == ["note_added"]


async def test_refusals(api: httpx.AsyncClient, desk: Desk) -> None:
    for api_key in (desk.client_key, desk.reader_key):
        refused = await api.post(BULK, json={"ticketIds": [desk.ref]}, headers=key(api_key))
        assert_problem(refused, 403, "forbidden")
    assert_invalid(
        await api.post(BULK, json={"ticketIds": []}, headers=key(desk.manager_key)), "/ticketIds"
    )
    too_many = {"ticketIds": list(range(1, 102))}
    assert_invalid(await api.post(BULK, json=too_many, headers=key(desk.manager_key)), "/ticketIds")
    bad_change = {"ticketIds": [desk.ref], "changes": {"tags": ["a b"]}}
    assert_invalid(
        await api.post(BULK, json=bad_change, headers=key(desk.manager_key)), "/changes/tags/0"
    )
    assert_problem(await api.post(BULK, json={"ticketIds": [1]}), 401, "unauthorized")


async def test_a_ticket_id_that_is_neither_text_nor_an_integer_is_pointed_at(
    api: httpx.AsyncClient, desk: Desk
) -> None:
    """7312.0 is not a ticket number (integers are strict), and the pointer is the item's,
    without pydantic's labels for the members of the union (text or a number)."""
    body = {"ticketIds": [desk.ref, 7312.0]}
    refused = await api.post(BULK, json=body, headers=key(desk.manager_key))
    problem = assert_invalid(refused, "/ticketIds/1")
    assert {error["pointer"] for error in problem["errors"]} == {"/ticketIds/1"}, problem
    assert "constrained" not in refused.text
    assert "function-" not in refused.text
