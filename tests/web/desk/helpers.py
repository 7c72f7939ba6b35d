"""What the desk's tests share: a staff member with a password, and signing in with httpx."""

from __future__ import annotations

import re

import httpx

from supportdesk.core.db import Database
from supportdesk.sessions import repository as sign_in_rows
from supportdesk.sessions.passwords import hash_password
from tests import builders

PASSWORD = "correct horse battery"


async def staff_with_password(
    db: Database, username: str = "grace", password: str = PASSWORD, **columns: str
) -> int:
    staff_id = await builders.staff(db, username=username, **columns)
    async with db.transaction() as session:
        await sign_in_rows.set_password_hash(session, staff_id, hash_password(password))
    return staff_id


def field(html: str, name: str) -> str:
    """The value of the hidden input `name` in a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no {name} field in the page"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, username: str = "grace", password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/desk/sign-in")
    assert form.status_code == 200, form.text
    return await client.post(
        "/desk/sign-in",
        data={
            "username": username,
            "password": password,
            "csrf_token": field(form.text, "csrf_token"),
        },
    )


async def csrf_of(client: httpx.AsyncClient, path: str = "/desk/") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return field(page.text, "csrf_token")
