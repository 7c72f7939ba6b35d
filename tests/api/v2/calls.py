"""v2 requests the conversation tests repeat: open a ticket, upload a file, post a message."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.v2.assertions import key

TICKETS = "/api/v2/support/tickets"
UPLOADS = "/api/v2/support/attachments"
LOG = b"postfix/smtp[1234]: 5A1B2C3D4E: to=<x@gmail.com>, status=bounced\n"


def new_ticket(dept_slug: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "departmentSlug": dept_slug,
        "subject": "Mail bounces",
        "message": "Since this morning every message to gmail.com bounces.",
    }
    body.update(overrides)
    return body


async def open_ticket(
    api: httpx.AsyncClient, api_key: str, dept_slug: str, **overrides: Any
) -> dict[str, Any]:
    """Open a ticket through v2; the 201 detail."""
    response = await api.post(
        TICKETS, headers=key(api_key), json=new_ticket(dept_slug, **overrides)
    )
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


async def upload(
    api: httpx.AsyncClient,
    api_key: str,
    data: bytes = LOG,
    filename: str = "bounce.log",
    **fields: str,
) -> httpx.Response:
    return await api.post(
        UPLOADS,
        headers=key(api_key),
        files={"file": (filename, data, "application/octet-stream")},
        data=fields,
    )


async def uploaded(
    api: httpx.AsyncClient,
    api_key: str,
    data: bytes = LOG,
    filename: str = "bounce.log",
    **fields: str,
) -> str:
    """Upload a file; its `satt_` id."""
    response = await upload(api, api_key, data, filename, **fields)
    assert response.status_code == 201, response.text
    return str(response.json()["attachmentId"])


async def post_message(
    api: httpx.AsyncClient, api_key: str, ticket_ref: int | str, message: str, **fields: Any
) -> httpx.Response:
    return await api.post(
        f"{TICKETS}/{ticket_ref}/messages",
        headers=key(api_key),
        json={"message": message, **fields},
    )
