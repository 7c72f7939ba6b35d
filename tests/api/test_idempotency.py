"""`Idempotency-Key` on every POST (README, "Idempotent writes"): a retry gets the first answer
and changes nothing again; another body with the same key is 409; after 24 hours a key is new.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.idempotency.cleanup import TASK
from supportdesk.idempotency.models import IdempotencyKey
from supportdesk.jobs.task import JobContext
from supportdesk.tickets.models import Attachment
from tests import conversation_builders
from tests.api.v2.assertions import assert_problem, key
from tests.api.v2.calls import LOG, TICKETS, UPLOADS, new_ticket
from tests.conversation_builders import Cast, ticket_count
from tests.server import start_server


@pytest.fixture
async def cast(db: Database) -> Cast:
    return await conversation_builders.cast(db)


def with_key(api_key: str, idempotency_key: str | bytes) -> dict[bytes, bytes]:
    raw = idempotency_key.encode() if isinstance(idempotency_key, str) else idempotency_key
    return {b"X-API-Key": api_key.encode(), b"Idempotency-Key": raw}


async def records(db: Database) -> int:
    async with db.transaction() as session:
        found = await session.execute(select(func.count()).select_from(IdempotencyKey))
        return int(found.scalar_one())


async def test_a_retried_create_gets_the_first_answer_and_opens_one_ticket(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    body = new_ticket(cast.dept_slug)
    first = await api.post(TICKETS, headers=with_key(cast.client_key, "create-1"), json=body)
    again = await api.post(TICKETS, headers=with_key(cast.client_key, "create-1"), json=body)
    assert first.status_code == again.status_code == 201, again.text
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers.get("location") == first.headers.get("location")
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert "x-ratelimit-remaining" in again.headers
    assert await ticket_count(db) == 1


async def test_a_retried_v1_create_and_reply_change_nothing_again(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    body = {"dept_id": cast.world.dept_id, "subject": "v1", "body": "Hello", "priority": 1}
    headers = with_key(cast.client_key, "v1-create")
    first = await api.post("/api/support/tickets", headers=headers, json=body)
    again = await api.post("/api/support/tickets", headers=headers, json=body)
    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
    assert await ticket_count(db) == 1
    number = first.json()["data"]["ticket"]["number"]
    reply = {"message": "Any news?"}
    path = f"{TICKETS}/{number}/messages"
    answers = [
        await api.post(path, headers=with_key(cast.client_key, "reply-1"), json=reply)
        for _ in range(3)
    ]
    assert {a.status_code for a in answers} == {201}, answers[0].text
    detail = await api.get(f"{TICKETS}/{number}", headers=key(cast.client_key))
    assert [m["body"] for m in detail.json()["messages"]].count("Any news?") == 1


async def test_the_same_key_with_another_body_is_409(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    headers = with_key(cast.client_key, "k")
    first = await api.post(TICKETS, headers=headers, json=new_ticket(cast.dept_slug))
    assert first.status_code == 201
    other = await api.post(
        TICKETS, headers=headers, json=new_ticket(cast.dept_slug, subject="Something else")
    )
    assert_problem(other, 409, "conflict")
    assert "different request" in other.json()["detail"]
    # Another path with the same key is another request too.
    elsewhere = await api.post(
        f"{TICKETS}/{first.json()['id']}/messages", headers=headers, json={"message": "x"}
    )
    assert_problem(elsewhere, 409, "conflict")
    assert await ticket_count(db) == 1


async def test_keys_belong_to_their_api_key(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    for api_key, slug in ((cast.client_key, cast.dept_slug), (cast.other_key, cast.dept_slug)):
        answer = await api.post(TICKETS, headers=with_key(api_key, "shared"), json=new_ticket(slug))
        assert answer.status_code == 201, answer.text
        assert "idempotent-replayed" not in answer.headers
    assert await ticket_count(db) == 2


async def test_an_expired_key_is_new_again(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    body = new_ticket(cast.dept_slug)
    headers = with_key(cast.client_key, "old")
    assert (await api.post(TICKETS, headers=headers, json=body)).status_code == 201
    async with db.transaction() as session:
        await session.execute(
            update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=24, seconds=1))
        )
    again = await api.post(TICKETS, headers=headers, json=body)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await ticket_count(db) == 2
    assert await records(db) == 1


async def test_the_cleanup_task_forgets_expired_records(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    for name in ("a", "b"):
        answer = await api.post(
            TICKETS, headers=with_key(cast.client_key, name), json=new_ticket(cast.dept_slug)
        )
        assert answer.status_code == 201
    async with db.transaction() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.idempotency_key == "a")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
    context = JobContext(db=db, settings=db.settings, now=utcnow(), worker="test")
    assert await TASK.run(context) == 1
    assert await TASK.run(context) == 0
    assert await records(db) == 1


async def test_a_refused_request_keeps_no_answer(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    headers = with_key(cast.client_key, "fix-and-retry")
    refused = await api.post(TICKETS, headers=headers, json=new_ticket(cast.dept_slug, subject=""))
    assert_problem(refused, 400, "invalid_request")
    assert await records(db) == 0
    fixed = await api.post(TICKETS, headers=headers, json=new_ticket(cast.dept_slug))
    assert fixed.status_code == 201, fixed.text
    assert await ticket_count(db) == 1


@pytest.mark.parametrize(
    "value",
    [b"", b"x" * 256, b"has space", "caf\u00e9".encode(), b"tab\there"],
    ids=["empty", "256-chars", "space", "non-ascii", "control"],
)
async def test_a_malformed_key_is_400(
    api: httpx.AsyncClient, db: Database, cast: Cast, value: bytes
) -> None:
    v2 = await api.post(TICKETS, headers=with_key(cast.client_key, value), json={})
    problem = assert_problem(v2, 400, "invalid_request")
    assert "Idempotency-Key" in problem["detail"]
    v1 = await api.post(
        "/api/support/tickets", headers=with_key(cast.client_key, value), json={"subject": "x"}
    )
    assert v1.status_code == 400
    assert v1.json()["code"] == "INVALID_PARAMETER"
    assert "Idempotency-Key" in v1.json()["message"]
    assert await ticket_count(db) == 0


async def test_two_keys_in_one_request_are_400(api: httpx.AsyncClient, cast: Cast) -> None:
    headers = [("X-API-Key", cast.client_key), ("Idempotency-Key", "a"), ("Idempotency-Key", "b")]
    answer = await api.post(TICKETS, headers=headers, json=new_ticket(cast.dept_slug))
    assert_problem(answer, 400, "invalid_request")


async def test_the_longest_key_is_accepted(api: httpx.AsyncClient, cast: Cast) -> None:
    visible = bytes(range(0x21, 0x7F)) * 3
    answer = await api.post(
        TICKETS, headers=with_key(cast.client_key, visible[:255]), json=new_ticket(cast.dept_slug)
    )
    assert answer.status_code == 201, answer.text


async def test_without_a_valid_api_key_the_route_answers(api: httpx.AsyncClient) -> None:
    answer = await api.post(TICKETS, headers={"Idempotency-Key": ""}, json={})
    assert_problem(answer, 401, "unauthorized")


async def test_a_retried_upload_stores_one_file(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    request = api.build_request(
        "POST",
        UPLOADS,
        headers=with_key(cast.client_key, "upload-1"),
        files={"file": ("bounce.log", LOG, "application/octet-stream")},
    )
    first = await api.send(request)
    again = await api.send(request)  # the same bytes, as a client's retry sends them
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["attachmentId"] == first.json()["attachmentId"]
    async with db.transaction() as session:
        stored = await session.execute(select(func.count()).select_from(Attachment))
        assert stored.scalar_one() == 1


async def test_a_desk_note_retried_is_one_note(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    ticket = await api.post(TICKETS, headers=key(cast.client_key), json=new_ticket(cast.dept_slug))
    notes = f"{TICKETS}/{ticket.json()['id']}/notes"
    for _ in range(2):
        answer = await api.post(
            notes, headers=with_key(cast.staff_key, "note-1"), json={"body": "Checked the logs."}
        )
        assert answer.status_code == 201, answer.text
    listed = await api.get(notes, headers=key(cast.staff_key))
    assert len(listed.json()["notes"]) == 1, listed.text


async def test_an_admin_create_retried_makes_one_department(
    api: httpx.AsyncClient, cast: Cast
) -> None:
    path = "/api/v2/admin/departments"
    body = {"slug": "billing-eu", "name": "Billing EU"}
    answers = [
        await api.post(path, headers=with_key(cast.staff_key, "dept-1"), json=body)
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201], answers[0].text
    assert answers[1].content == answers[0].content
    listed = await api.get(path, headers=key(cast.staff_key))
    assert [d["slug"] for d in listed.json()["data"]].count("billing-eu") == 1, listed.text


async def test_across_two_server_processes(
    db: Database, server_env: dict[str, str], tmp_path: Path
) -> None:
    cast = await conversation_builders.cast(db)
    first = start_server(server_env, tmp_path / "a.log")
    second = start_server(server_env, tmp_path / "b.log")
    try:
        async with httpx.AsyncClient(timeout=15) as http:
            body = new_ticket(cast.dept_slug)
            # A retry that reaches another process gets the first answer.
            made = await http.post(
                first.base_url + TICKETS, headers=with_key(cast.client_key, "p-1"), json=body
            )
            retried = await http.post(
                second.base_url + TICKETS, headers=with_key(cast.client_key, "p-1"), json=body
            )
            assert made.status_code == retried.status_code == 201, retried.text
            assert retried.content == made.content
            assert retried.headers["idempotent-replayed"] == "true"
            # Duplicates sent at once to both: one ticket; the other answer is the replay or
            # the in-progress 409.
            for round_ in range(5):
                headers = with_key(cast.client_key, f"race-{round_}")
                answers = await asyncio.gather(
                    *(
                        http.post(server.base_url + TICKETS, headers=headers, json=body)
                        for server in (first, second)
                    )
                )
                codes = sorted(a.status_code for a in answers)
                assert codes in ([201, 201], [201, 409]), [a.text for a in answers]
                if codes == [201, 201]:
                    assert answers[0].content == answers[1].content
                else:
                    assert (
                        next(a for a in answers if a.status_code == 409).headers["retry-after"]
                        == "1"
                    )
            assert await ticket_count(db) == 6
    finally:
        first.stop()
        second.stop()
