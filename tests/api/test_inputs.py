"""Every input of every route (`input_catalogue.INPUTS`) refuses what no column can hold.

Each input gets, in an otherwise valid request: a lone surrogate alone and inside text, NUL,
bytes that are not UTF-8 (a surrogate encoded as UTF-8, and `\\xff\\xfe`), text one character
longer than its column, and numbers past its column (2^31, 2^63 - 1, 2^63, 2^64). Each must get
the door's 400 (v1 `VALIDATION_ERROR` / `INVALID_PARAMETER`, v2 `invalid_request`), never a 500,
the same on SQLite and PostgreSQL, and write nothing; without a key the same request gets 401
(the key is checked first). A value exactly at the limit is not refused for its size, and text
that lands in a column is stored as sent (so that the backends agree on what is valid).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, func, select

from supportdesk.api.deps import state_of
from supportdesk.core.columns import TICKET_NUMBER_MAX
from supportdesk.core.db import Database
from supportdesk.models import Base
from tests import builders, conversation_builders
from tests.api.assertions import assert_error
from tests.api.input_catalogue import INPUTS, NUMBER, Input, Scene, Value
from tests.api.v2.assertions import assert_problem

WRITTEN = ("tickets", "replies", "attachments", "ticket_services")
# Text columns a boundary value is read back from (the newest row).
STORED_TEXT = {
    "tickets.subject",
    "tickets.body",
    "tickets.name",
    "tickets.email",
    "tickets.cc",
    "tickets.critical_reason",
    "ticket_services.ai_summary",
    "replies.body",
}


@pytest.fixture
async def scene(db: Database, api: httpx.AsyncClient, app: FastAPI) -> Scene:
    cast = await conversation_builders.cast(db)
    ticket = await builders.ticket(
        db, number=NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.client_id
    )
    attachment_id = await builders.attachment(db, ticket.id)
    [(_, attachment_public_id, _)] = await conversation_builders.attachment_ids(db, ticket.id)
    return Scene(
        api=api,
        cursors=state_of(app).cursors,
        cast=cast,
        ticket_id=await conversation_builders.public_id_of(db, ticket.id),
        attachment_id=attachment_id,
        attachment_public_id=attachment_public_id,
        service_id=await builders.service(db, cast.world.client_id),
    )


def bad_values(item: Input) -> list[tuple[str, Value]]:
    """What the input's column cannot hold, as the input can carry it."""
    not_utf8 = [
        ("a surrogate encoded as UTF-8", b"\xed\xa0\x80"),
        ("bytes that are not UTF-8", b"\xff\xfe"),
    ]
    numbers = [n for n in (item.limit + 1, 2**31, 2**63 - 1, 2**63, 2**64) if n > item.limit]
    values: list[tuple[str, Value]] = []
    if item.kind in ("text", "reference", "choice"):
        if item.where == "body":
            values += [("a lone surrogate", "\ud800"), ("a lone surrogate in text", "a\udfffb")]
        values += [("NUL", "a\x00b"), *not_utf8, ("one too long", "x" * (item.limit + 1))]
    if item.kind == "integer":
        values += [(str(n), n) for n in sorted(set(numbers))]
        if item.where in ("path", "query") and not item.codes:
            values += not_utf8
    if item.kind == "reference":  # a number, as the digits a reference is
        past = (TICKET_NUMBER_MAX + 1, 2**63 - 1, 2**63, 2**64)
        values += [(f"the number {n}", str(n)) for n in past]
    return values


def _expected(item: Input, value: Value) -> tuple[int, str]:
    if item.past_range is not None and (
        isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    ):
        return item.past_range
    return item.refusal()


def _check(item: Input, response: httpx.Response, expected: tuple[int, str], what: str) -> None:
    status, code = expected
    shown = f"{item.label} with {what}: {response.status_code} {response.text[:300]}"
    assert response.status_code == status, shown
    codes = {code, *item.codes}
    if item.v2:
        body = assert_problem(response, status, response.json().get("code"))
        assert body["code"] in codes, shown
    else:
        assert_error(response, status, code)


async def _counts(db: Database) -> dict[str, int]:
    tables: dict[str, Table] = {name: Base.metadata.tables[name] for name in WRITTEN}
    async with db.transaction() as session:
        return {
            name: int((await session.execute(select(func.count()).select_from(table))).scalar_one())
            for name, table in tables.items()
        }


@pytest.mark.parametrize("item", INPUTS, ids=[item.label for item in INPUTS])
async def test_an_input_refuses_what_its_column_cannot_hold(
    db: Database, scene: Scene, item: Input
) -> None:
    before = await _counts(db)
    for what, value in bad_values(item):
        response = await item.send(scene, value)
        _check(item, response, _expected(item, value), what)
    assert await _counts(db) == before, f"{item.label}: a refused request wrote something"


@pytest.mark.parametrize(
    "item",
    [item for item in INPUTS if item.label != "errors {code}"],
    ids=[item.label for item in INPUTS if item.label != "errors {code}"],
)
async def test_without_a_key_the_same_request_is_401(scene: Scene, item: Input) -> None:
    keyless_cast = dataclasses.replace(scene.cast, client_key="", staff_key="")
    keyless = dataclasses.replace(scene, cast=keyless_cast)
    for what, value in bad_values(item)[:3]:
        response = await item.send(keyless, value)
        assert response.status_code == 401, f"{item.label} with {what}: {response.text}"


def _at_the_limit(item: Input) -> Value:
    if item.kind == "integer":
        return item.limit
    if item.label.startswith("v2 create ccEmails") or "email" in item.label:
        return "é" * (item.limit - 2) + "@b"
    return "é" * item.limit  # characters, not bytes: what varchar(n) counts


async def _newest(db: Database, column: str) -> Any:
    table_name, column_name = column.split(".")
    table = Base.metadata.tables[table_name]
    async with db.transaction() as session:
        statement = select(table.c[column_name]).order_by(table.c.id.desc()).limit(1)
        return (await session.execute(statement)).scalar_one()


@pytest.mark.parametrize(
    "item",
    [item for item in INPUTS if item.kind in ("text", "integer", "reference")],
    ids=[item.label for item in INPUTS if item.kind in ("text", "integer", "reference")],
)
async def test_a_value_at_the_limit_is_not_refused_for_its_size(
    db: Database, scene: Scene, item: Input
) -> None:
    value = _at_the_limit(item)
    response = await item.send(scene, value)
    shown = f"{item.label}: {response.status_code} {response.text[:300]}"
    assert response.status_code != 500, shown
    if response.status_code >= 400:
        text = response.text
        assert "at most" not in text, shown
        assert "less than or equal" not in text, shown
        if item.v2 and response.status_code == 400:
            codes = {e["code"] for e in response.json().get("errors") or []}
            assert not codes & {"too_long", "out_of_range"}, shown
    stored = [column for column in item.columns if column in STORED_TEXT]
    if stored:
        assert response.status_code in (200, 201), shown
        assert await _newest(db, stored[0]) == value, f"{item.label}: not stored as sent"


JSON_ROUTES = [
    ("/api/support/tickets", False),
    ("/api/v2/support/tickets", True),
    (f"/api/v2/support/tickets/{NUMBER}/messages", True),
]


@pytest.mark.parametrize(("path", "v2"), JSON_ROUTES, ids=[path for path, _ in JSON_ROUTES])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"subject": "\xff\xfe"}', "The request body is not valid UTF-8."),
        (b'{"priority": ' + b"9" * 5000 + b"}", "The request body is not valid JSON."),
    ],
    ids=["not-utf8", "a-5000-digit-number"],
)
async def test_a_body_json_cannot_read_is_400_after_the_key_is_checked(
    scene: Scene, path: str, v2: bool, body: bytes, message: str
) -> None:
    json_type = {"Content-Type": "application/json"}
    keyless = await scene.api.post(path, content=body, headers=json_type)
    assert keyless.status_code == 401, keyless.text
    headers = {**json_type, "X-API-Key": scene.cast.client_key}
    response = await scene.api.post(path, content=body, headers=headers)
    if v2:
        assert assert_problem(response, 400, "invalid_request")["detail"] == message
    else:
        assert assert_error(response, 400, "VALIDATION_ERROR")["message"] == message
