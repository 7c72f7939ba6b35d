"""Two real server processes on one database: an answer one process has cached never outlives
a change made through the other (or straight in the database, as the admin door and the
command line make theirs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from supportdesk.accounts.models import Client
from supportdesk.core.db import Database
from supportdesk.keys.service import revoke_key
from tests import builders, conversation_builders
from tests.server import running_server

TIMEOUT = httpx.Timeout(10.0)


async def test_a_change_through_one_process_is_read_at_once_through_the_other(
    db: Database, server_env: dict[str, str], tmp_path: Path
) -> None:
    cast = await conversation_builders.cast(db)
    opened = await builders.ticket(
        db, number=616828, dept_id=cast.world.dept_id, client_id=cast.world.client_id
    )
    env = {**server_env, "SUPPORTDESK_KEY_CACHE_SECONDS": "0"}
    client, staff = {"X-API-Key": cast.client_key}, {"X-API-Key": cast.staff_key}
    v1_path = f"/api/support/tickets/{opened.number}"
    v2_path = f"/api/v2/support/tickets/{opened.number}"
    with (
        running_server(env, tmp_path / "reader.log") as reader,
        running_server(env, tmp_path / "writer.log") as writer,
    ):
        async with (
            httpx.AsyncClient(base_url=reader.base_url, timeout=TIMEOUT) as read,
            httpx.AsyncClient(base_url=writer.base_url, timeout=TIMEOUT) as write,
        ):

            async def shown(headers: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
                """The v1 ticket and the v2 detail through the reader, read twice (cached)."""
                for _ in range(2):
                    v1 = await read.get(v1_path, headers=headers)
                    v2 = await read.get(v2_path, headers=headers)
                    assert v1.status_code == v2.status_code == 200, (v1.text, v2.text)
                return v1.json()["data"]["ticket"], v2.json()

            async def post(headers: dict[str, str], path: str, **body: Any) -> None:
                response = await write.post(f"{v2_path}{path}", headers=headers, json=body)
                assert response.status_code in (200, 201), response.text

            await shown(client)
            await shown(staff)
            await post(staff, "/messages", message="Rebooted it for you")
            for headers in (client, staff):
                ticket, detail = await shown(headers)
                assert ticket["replies"][-1]["body"] == "Rebooted it for you"
                assert detail["messages"][-1]["body"] == "Rebooted it for you"
            # The client's read, made in the reader, is shown to staff.
            assert (await shown(staff))[0]["client_read"] == "1"

            upload = await conversation_builders.pending_upload(db, cast.world.client_id)
            await post(client, "/messages", message="Still broken, log", attachmentIds=[upload])
            ticket, detail = await shown(staff)
            assert ticket["replies"][-1]["body"] == "Still broken, log"
            assert len(ticket["attachments"]) == 1
            assert detail["messages"][-1]["attachments"][0]["filename"] == "other.txt"

            await builders.note(db, opened.id, cast.world.staff_id, "Escalate to the DC")
            assert (await shown(staff))[0]["notes"] == ["Escalate to the DC"]
            assert b"Escalate" not in (await read.get(v1_path, headers=client)).content

            await post(client, "/actions/close")
            assert (await shown(client))[0]["status"] == "Closed"
            assert (await shown(staff))[0]["status"] == "Closed"

            await conversation_builders.set_department(db, cast.world.dept_id, name="Hosting")
            assert (await shown(client))[1]["departmentName"] == "Hosting"
            assert (await shown(staff))[0]["deptname"] == "Hosting"

            async with db.transaction() as session:
                assert await revoke_key(session, cast.staff_key)
            assert (await read.get(v1_path, headers=staff)).status_code == 401

            async with db.transaction() as session:
                await session.execute(
                    update(Client)
                    .where(Client.id == cast.world.client_id)
                    .values(status="Suspended")
                )
            assert (await read.get(v1_path, headers=client)).status_code == 403
            assert (await read.get(v2_path, headers=client)).status_code == 403
