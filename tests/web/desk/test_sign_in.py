"""Signing in to the desk: passwords, sessions, throttling, and keys and cookies kept apart."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from typer.testing import CliRunner, Result

from supportdesk.accounts.models import Staff
from supportdesk.cli.main import app as cli
from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.sessions.models import WebSession
from supportdesk.sessions.service import set_password
from tests import builders
from tests.support import AppFactory, client_for, run_in_thread
from tests.web.desk.helpers import PASSWORD, csrf_of, field, sign_in, staff_with_password


async def _sessions(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(select(func.count(WebSession.id)))).scalar_one())


async def test_the_queue_sends_a_stranger_to_the_sign_in_form(api: httpx.AsyncClient) -> None:
    response = await api.get("/desk/?view=mine")
    assert response.status_code == 303
    assert response.headers["location"] == "/desk/sign-in?next=%2Fdesk%2F%3Fview%3Dmine"


async def test_the_right_password_opens_a_session_whose_cookie_is_httponly_and_lax(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db)
    response = await sign_in(api)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/desk/"
    cookie = next(
        value for name, value in response.headers.multi_items() if value.startswith("sd_desk=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/desk/" in cookie
    assert "Secure" not in cookie  # served over http here
    queue = await api.get("/desk/")
    assert queue.status_code == 200
    assert "Signed in as Grace Hopper" in queue.text
    assert await _sessions(db) == 1
    # The database keeps the token's digest, never the token.
    token = api.cookies["sd_desk"]
    async with db.transaction() as session:
        stored = (await session.execute(select(WebSession.id))).scalar_one()
    assert token not in stored
    assert len(stored) == 64


async def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db)
    wrong = await sign_in(api, password="not the password")
    unknown = await sign_in(api, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert "The username or the password is not right." in wrong.text
    assert "The username or the password is not right." in unknown.text
    assert "sd_desk" not in api.cookies
    assert await _sessions(db) == 0


async def test_an_inactive_staff_member_cannot_sign_in(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db, status="Inactive")
    assert (await sign_in(api)).status_code == 401


async def test_failed_sign_ins_are_limited_per_username(make_app: AppFactory, db: Database) -> None:
    app = make_app(desk_sign_in_failures_per_username=3, desk_sign_in_failures_per_address=100)
    await staff_with_password(db)
    async with client_for(app) as client:
        for _ in range(3):
            assert (await sign_in(client, password="guess guess guess")).status_code == 401
        # Now even the right password waits: the limit is checked before the password.
        throttled = await sign_in(client)
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) >= 1
        assert "Too many failed sign-ins" in throttled.text
        # Another username from the same address is not held up by this one's failures.
        await staff_with_password(db, username="alan", email="alan@hostup.example")
        assert (await sign_in(client, username="alan")).status_code == 303


async def test_failed_sign_ins_are_limited_per_address(make_app: AppFactory, db: Database) -> None:
    app = make_app(desk_sign_in_failures_per_address=2, desk_sign_in_failures_per_username=100)
    await staff_with_password(db)
    async with client_for(app) as client:
        assert (await sign_in(client, username="a", password="x" * 12)).status_code == 401
        assert (await sign_in(client, username="b", password="x" * 12)).status_code == 401
        assert (await sign_in(client)).status_code == 429


async def test_signing_out_deletes_the_session_so_the_old_cookie_opens_nothing(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db)
    await sign_in(api)
    token = api.cookies["sd_desk"]
    csrf = await csrf_of(api)
    response = await api.post("/desk/sign-out", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert await _sessions(db) == 0
    api.cookies.set("sd_desk", token, path="/desk/")
    assert (await api.get("/desk/")).status_code == 303


async def test_the_sign_in_form_needs_its_token(api: httpx.AsyncClient, db: Database) -> None:
    await staff_with_password(db)
    response = await api.post("/desk/sign-in", data={"username": "grace", "password": PASSWORD})
    assert response.status_code == 403
    assert await _sessions(db) == 0


async def test_a_cross_site_form_is_refused_even_with_the_right_token(
    api: httpx.AsyncClient, db: Database, world_ticket: int
) -> None:
    await sign_in(api)
    csrf = await csrf_of(api)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = await api.post(
            f"/desk/tickets/{world_ticket}/note",
            data={"csrf_token": csrf, "note": "from elsewhere"},
            headers=headers,
        )
        assert response.status_code == 403, response.text
        assert "another site" in response.text
    page = await api.get(f"/desk/tickets/{world_ticket}")
    assert "from elsewhere" not in page.text


async def test_a_form_without_its_csrf_token_changes_nothing(
    api: httpx.AsyncClient, world_ticket: int
) -> None:
    await sign_in(api)
    for data in ({"note": "no token"}, {"note": "no token", "csrf_token": "guessed"}):
        response = await api.post(f"/desk/tickets/{world_ticket}/note", data=data)
        assert response.status_code == 403
    assert "no token" not in (await api.get(f"/desk/tickets/{world_ticket}")).text


async def test_the_pages_refuse_an_api_key(
    api: httpx.AsyncClient, db: Database, world: builders.World
) -> None:
    for header in ({"X-API-Key": world.staff_key}, {"Authorization": f"Bearer {world.staff_key}"}):
        response = await api.get("/desk/", headers=header)
        assert response.status_code == 401
        assert "do not take API keys" in response.text
    # Even alongside a valid session.
    await staff_with_password(db, username="ada", email="ada@hostup.example")
    await sign_in(api, username="ada")
    assert (await api.get("/desk/", headers={"X-API-Key": world.staff_key})).status_code == 401
    assert (await api.get("/desk/")).status_code == 200


async def test_the_api_refuses_the_session_cookie(api: httpx.AsyncClient, db: Database) -> None:
    await staff_with_password(db)
    await sign_in(api)
    token = api.cookies["sd_desk"]
    response = await api.get("/api/v2/support/tickets", headers={"Cookie": f"sd_desk={token}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_pages_carry_a_csp_without_inline_scripts(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db)
    await sign_in(api)
    page = await api.get("/desk/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in page.text
    assert "onclick" not in page.text
    assert page.headers["x-frame-options"] == "DENY"


async def test_the_password_command_sets_a_password_from_standard_input(
    database_url: str, db: Database
) -> None:
    await staff_with_password(db, password="an old password")
    runner = CliRunner()
    env = {"SUPPORTDESK_DATABASE_URL": database_url}

    def password(text: str) -> Result:
        return run_in_thread(
            lambda: runner.invoke(cli, ["staff", "password", "grace"], input=text, env=env)
        )

    done = password("a brand new password\n")
    assert done.exit_code == 0, done.output
    assert "password set for grace" in done.output
    assert "a brand new password" not in done.output
    short = password("short\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    unknown = run_in_thread(
        lambda: runner.invoke(cli, ["staff", "password", "nobody"], input="x" * 12, env=env)
    )
    assert unknown.exit_code == 1
    assert "nobody" in unknown.output


async def test_the_new_password_signs_in_and_the_old_one_does_not(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db, password="an old password")
    async with db.transaction() as session:
        await set_password(session, "grace", "a brand new password")
    assert (await sign_in(api, password="an old password")).status_code == 401
    assert (await sign_in(api, password="a brand new password")).status_code == 303


async def test_a_session_ends_when_idle_too_long_or_when_its_staff_member_is_deactivated(
    api: httpx.AsyncClient, db: Database
) -> None:
    staff_id = await staff_with_password(db)
    await sign_in(api)
    assert (await api.get("/desk/")).status_code == 200
    async with db.transaction() as session:
        await session.execute(
            update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=121))
        )
    assert (await api.get("/desk/")).status_code == 303
    await sign_in(api)
    assert await _sessions(db) == 1  # the ended session's row went at this sign-in
    await _deactivate(db, staff_id)
    assert (await api.get("/desk/")).status_code == 303


async def _deactivate(db: Database, staff_id: int) -> None:
    async with db.transaction() as session:
        await session.execute(update(Staff).where(Staff.id == staff_id).values(status="Inactive"))


async def test_after_signing_in_the_browser_goes_back_to_a_desk_page_never_elsewhere(
    api: httpx.AsyncClient, db: Database
) -> None:
    await staff_with_password(db)
    for asked, landed in (
        ("/desk/?view=overdue", "/desk/?view=overdue"),
        ("//evil.example/desk/", "/desk/"),
        ("https://evil.example/", "/desk/"),
        ("/desk/\\evil.example", "/desk/"),
    ):
        form = await api.get("/desk/sign-in", params={"next": asked})
        response = await api.post(
            "/desk/sign-in",
            data={
                "username": "grace",
                "password": PASSWORD,
                "next": field(form.text, "next"),
                "csrf_token": field(form.text, "csrf_token"),
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == landed
