"""The portal over HTTP (in process, both backends): access links, forms, refusals, escaping."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from supportdesk.api.deps import state_of
from supportdesk.core.actor import VIA_WEB, Actor
from supportdesk.core.db import Database
from supportdesk.tickets import repository
from supportdesk.tickets.models import (
    FLAG_INTERNAL,
    FLAG_NO_CLIENT_REOPEN,
    Attachment,
    Reply,
    TicketEvent,
)
from tests import builders
from tests.builders import World
from tests.support import AppFactory, client_for
from tests.web.pages import hash_of, open_portal, portal_link

NUMBER = 482913
NOTE_CANARY = "CANARY-note-7f3a9"


@pytest.fixture
async def ticket(db: Database, world: World) -> builders.BuiltTicket:
    built = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        body="See https://status.example.com/incident?id=1&x=2. <script>alert(1)</script>",
        bcc="secret-bcc@example.com",
    )
    answer = await builders.reply(db, built.id, body="Staff answer", email="grace@hostup.example")
    await builders.attachment(db, built.id, reply_id=answer, filename="answer-file.txt")
    draft = await builders.reply(db, built.id, body="DRAFT-canary", status="Draft")
    await builders.attachment(db, built.id, reply_id=draft, filename="draft-file-canary.txt")
    await builders.note(db, built.id, world.staff_id, NOTE_CANARY)
    return built


async def test_the_access_link_shows_the_clients_view(
    api: httpx.AsyncClient, ticket: builders.BuiltTicket
) -> None:
    page = await api.get(portal_link(NUMBER, hash_of(NUMBER)))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Staff answer" in html
    assert "answer-file.txt" in html
    for hidden in (
        NOTE_CANARY,
        "DRAFT-canary",
        "draft-file-canary.txt",
        "secret-bcc@example.com",
        "grace@hostup.example",
    ):
        assert hidden not in html
    # Escaped text, and the link clickable with its & kept (as &amp; in the attribute).
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert (
        '<a href="https://status.example.com/incident?id=1&amp;x=2" rel="nofollow noopener '
        'noreferrer">' in html
    )
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "x-request-id" in page.headers
    assert "sd_csrf" in page.headers["set-cookie"]
    assert "httponly" in page.headers["set-cookie"].lower()
    assert "samesite=lax" in page.headers["set-cookie"].lower()


async def test_a_wrong_hash_is_the_same_404_as_an_unknown_number(
    api: httpx.AsyncClient, ticket: builders.BuiltTicket, db: Database, world: World
) -> None:
    internal = await builders.ticket(
        db, number=NUMBER + 1, dept_id=world.dept_id, client_id=world.client_id, flags=FLAG_INTERNAL
    )
    answers = [
        await api.get(portal_link(NUMBER, "0" * 32)),
        await api.get(portal_link(NUMBER, "")),
        await api.get(f"/portal/tickets/{NUMBER}"),
        await api.get(portal_link(999999, hash_of(999999))),
        await api.get(portal_link(internal.number, hash_of(internal.number))),
        await api.get("/portal/tickets/abc?hash=x"),
        await api.get(f"/portal/tickets/{NUMBER}/attachments/tatt_x?hash={'0' * 32}"),
    ]
    assert {answer.status_code for answer in answers} == {404}
    bodies = {answer.text.replace(answer.headers["x-request-id"], "") for answer in answers}
    assert len(bodies) == 1
    assert answers[0].headers["content-type"].startswith("text/html")
    assert answers[0].headers["content-security-policy"]


async def test_hostbill_links_redirect_to_the_portal(api: httpx.AsyncClient) -> None:
    acc_hash = hash_of(NUMBER)
    for old in (
        f"/tickets/view/{NUMBER}/&hash={acc_hash}",
        f"/tickets/view/{NUMBER}?hash={acc_hash}",
        f"/tickets/view/{NUMBER}/?hash={acc_hash}",
    ):
        answer = await api.get(old)
        assert answer.status_code == 302, old
        assert answer.headers["location"] == portal_link(NUMBER, acc_hash)
    assert (await api.get(f"/tickets/view/{NUMBER}/elsewhere")).status_code == 404
    assert (await api.get("/tickets/view/12x/&hash=abc")).status_code == 404


async def _post(
    api: httpx.AsyncClient, action: str, data: dict[str, str], **kwargs: object
) -> httpx.Response:
    return await api.post(f"/portal/tickets/{NUMBER}/{action}", data=data, **kwargs)  # type: ignore[arg-type]


async def test_reply_with_a_file_close_reopen_and_rate(
    api: httpx.AsyncClient, ticket: builders.BuiltTicket, db: Database
) -> None:
    token = await open_portal(api, NUMBER, hash_of(NUMBER))
    form = {"csrf_token": token, "hash": hash_of(NUMBER)}
    answer = await api.post(
        f"/portal/tickets/{NUMBER}/reply",
        data={**form, "body": "Here is the log"},
        files=[("files", ("boot.log", b"panic at line 3\n", "text/plain"))],
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == portal_link(NUMBER, hash_of(NUMBER)) + "&done=replied"
    page = await api.get(answer.headers["location"])
    assert "Your reply was sent." in page.text
    assert "Here is the log" in page.text
    assert "Client-Reply" in page.text
    found = re.search(r'href="(/portal/tickets/[^"]+)" download>boot\.log<', page.text)
    assert found is not None, page.text
    file = await api.get(found.group(1).replace("&amp;", "&"))
    assert file.status_code == 200
    assert file.content == b"panic at line 3\n"
    assert "attachment" in file.headers["content-disposition"]

    assert (await _post(api, "close", form)).status_code == 303
    closed = await api.get(portal_link(NUMBER, hash_of(NUMBER)))
    assert "This ticket is closed." in closed.text
    assert f'action="/portal/tickets/{NUMBER}/reply"' not in closed.text
    refused = await _post(api, "reply", {**form, "body": "one more thing"})
    assert refused.status_code == 409
    assert "reopen it before replying" in refused.text
    assert "one more thing" not in refused.text  # closed: the reply form is not shown

    assert (await _post(api, "reopen", form)).status_code == 303

    async with db.transaction() as session:
        staff_reply = (
            await session.execute(
                select(Reply.public_id).where(
                    Reply.ticket_id == ticket.id, Reply.type == "Admin", Reply.status == "Sent"
                )
            )
        ).scalar_one()
    rating = {**form, "message": staff_reply, "rating": "4"}
    assert (await _post(api, "rate", rating)).status_code == 303
    rated = await api.get(portal_link(NUMBER, hash_of(NUMBER)))
    assert "You rated this reply 4 of 5." in rated.text
    for bad in ("0", "6", "x"):
        refused = await _post(api, "rate", {**form, "message": staff_reply, "rating": bad})
        assert refused.status_code == 400
    client_reply = await _post(api, "rate", {**form, "message": "tmsg_nope", "rating": "3"})
    assert client_reply.status_code == 404
    assert "Only a staff reply" in client_reply.text

    async with db.transaction() as session:
        kinds = (
            await session.execute(
                select(TicketEvent.kind, TicketEvent.via)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        ).all()
        stored = (
            await session.execute(select(Reply.rating).where(Reply.public_id == staff_reply))
        ).scalar_one()
    assert [tuple(row) for row in kinds] == [
        ("replied", "web"),
        ("closed", "web"),
        ("reopened", "web"),
        ("rated", "web"),
    ]
    assert stored == 4


async def test_a_refused_reply_keeps_nothing_and_keeps_the_text(
    api: httpx.AsyncClient, ticket: builders.BuiltTicket, db: Database
) -> None:
    token = await open_portal(api, NUMBER, hash_of(NUMBER))
    answer = await api.post(
        f"/portal/tickets/{NUMBER}/reply",
        data={"csrf_token": token, "hash": hash_of(NUMBER), "body": "   "},
        files=[("files", ("a.txt", b"x", "text/plain"))],
    )
    assert answer.status_code == 400
    assert "Write your reply" in answer.text
    async with db.transaction() as session:
        count = (await session.execute(select(Reply.id).where(Reply.ticket_id == ticket.id))).all()
    assert len(count) == 2


async def test_reopen_where_the_ticket_forbids_it(
    api: httpx.AsyncClient, db: Database, world: World
) -> None:
    await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        status="Closed",
        flags=FLAG_NO_CLIENT_REOPEN,
    )
    # The closed ticket's page has no form: the browser's token comes from another page.
    other = await builders.ticket(
        db, number=NUMBER + 5, dept_id=world.dept_id, client_id=world.client_id
    )
    token = await open_portal(api, other.number, hash_of(other.number))
    page = await api.get(portal_link(NUMBER, hash_of(NUMBER)))
    assert "Reopen ticket" not in page.text
    refused = await _post(api, "reopen", {"csrf_token": token, "hash": hash_of(NUMBER)})
    assert refused.status_code == 403
    assert "may not be reopened" in refused.text


async def test_forms_need_the_csrf_token_of_the_browsers_cookie(
    app: FastAPI, ticket: builders.BuiltTicket
) -> None:
    form = {"hash": hash_of(NUMBER), "body": "sneaky"}
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as first,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as second,
    ):
        token = await open_portal(first, NUMBER, hash_of(NUMBER))
        await open_portal(second, NUMBER, hash_of(NUMBER))
        missing = await first.post(f"/portal/tickets/{NUMBER}/reply", data=form)
        # Another browser's token does not fit this browser's cookie.
        foreign = await second.post(
            f"/portal/tickets/{NUMBER}/reply", data={**form, "csrf_token": token}
        )
        no_cookie = await httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ).post(f"/portal/tickets/{NUMBER}/reply", data={**form, "csrf_token": token})
    for refused in (missing, foreign, no_cookie):
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
        assert refused.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
async def test_cross_site_posts_are_refused(
    api: httpx.AsyncClient, ticket: builders.BuiltTicket, headers: dict[str, str]
) -> None:
    token = await open_portal(api, NUMBER, hash_of(NUMBER))
    form = {"csrf_token": token, "hash": hash_of(NUMBER)}
    refused = await _post(api, "close", form, headers=headers)
    assert refused.status_code == 403
    assert "another site" in refused.text
    page = await api.get(portal_link(NUMBER, hash_of(NUMBER)))
    assert "Close ticket" in page.text  # still open
    same = await _post(
        api, "close", form, headers={"Origin": "http://test", "Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 303


async def test_pages_and_the_api_do_not_share_credentials(
    api: httpx.AsyncClient, ticket: builders.BuiltTicket, world: World
) -> None:
    # An API key opens no page...
    page = await api.get(f"/portal/tickets/{NUMBER}", headers={"X-API-Key": world.client_key})
    assert page.status_code == 404
    # ...and the portal's cookie opens no API route.
    await open_portal(api, NUMBER, hash_of(NUMBER))
    assert api.cookies.get("sd_csrf")
    answer = await api.get(f"/api/support/tickets/{NUMBER}")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/json")
    assert "content-security-policy" not in answer.headers


async def test_static_files_come_from_the_package(api: httpx.AsyncClient) -> None:
    script = await api.get("/static/htmx.min.js", headers={"Accept": "*/*"})
    assert script.status_code == 200
    assert script.text.startswith("var htmx=function()")
    style = await api.get("/static/web.css", headers={"Accept": "text/css"})
    assert style.status_code == 200
    assert style.headers["x-content-type-options"] == "nosniff"
    missing = await api.get("/static/nope.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")


async def test_the_pages_refuse_in_html(api: httpx.AsyncClient, app: FastAPI) -> None:
    wrong_method = await api.get(f"/portal/tickets/{NUMBER}/close")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.headers["content-type"].startswith("text/html")
    assert (await api.delete(f"/portal/tickets/{NUMBER}")).headers["allow"] == "GET, HEAD"
    # A browser's Accept names no JSON: the pages answer it all the same.
    home = await api.get("/portal/", headers={"Accept": "text/html"})
    assert home.status_code == 200
    head = await api.head("/portal/")
    assert head.status_code == 200
    assert head.content == b""
    # Unmatched paths under the pages' prefixes are the web door's; the API's stay JSON.
    unknown_page = await api.get("/portal/nowhere")
    assert unknown_page.status_code == 404
    assert unknown_page.headers["content-type"].startswith("text/html")
    assert unknown_page.headers["x-request-id"].startswith("req_")
    unknown_api = await api.get("/api/nowhere")
    assert unknown_api.headers["content-type"].startswith("application/json")
    limit = state_of(app).settings.attachment_max_bytes
    too_large = await api.post(
        f"/portal/tickets/{NUMBER}/reply",
        files=[("files", ("big.bin", b"x" * (limit + 128 * 1024), "application/octet-stream"))],
    )
    assert too_large.status_code == 413
    assert too_large.headers["content-type"].startswith("text/html")


async def test_wrong_links_are_limited_per_address(
    make_app: AppFactory, db: Database, world: World
) -> None:
    app = make_app(auth_failures_per_minute=3)
    await builders.ticket(db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id)
    async with client_for(app) as client:
        wrong = [await client.get(portal_link(NUMBER, f"{i:032d}")) for i in range(3)]
        assert [answer.status_code for answer in wrong] == [404, 404, 404]
        # A hash of any length is only a wrong hash.
        limited = await client.get(portal_link(NUMBER, "x" * 500))
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("text/html")
        assert int(limited.headers["retry-after"]) >= 1


async def test_cookies_are_secure_over_https_and_behind_a_trusted_proxy(
    make_app: AppFactory, db: Database, world: World
) -> None:
    await builders.ticket(db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id)
    link = portal_link(NUMBER, hash_of(NUMBER))
    https = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=https, base_url="https://test") as client:
        assert "secure" in (await client.get(link)).headers["set-cookie"].lower()
    # ASGITransport's peer is 127.0.0.1: trusted in one app, not in the other.
    for trusted, secure in (("127.0.0.1/32", True), ("10.0.0.0/8", False)):
        app = make_app(trusted_proxies=trusted)
        async with client_for(app) as client:
            page = await client.get(link, headers={"X-Forwarded-Proto": "https"})
            assert ("secure" in page.headers["set-cookie"].lower()) is secure


async def test_a_guest_follows_its_ticket_by_the_link_alone(
    api: httpx.AsyncClient, db: Database, world: World
) -> None:
    guest = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=None,
        type="Email",
        name="Walk In",
        email="walk.in@example.net",
    )
    other_guest = await builders.ticket(
        db, number=NUMBER + 1, dept_id=world.dept_id, client_id=None, subject="Other guest's"
    )
    await builders.ticket(
        db, number=NUMBER + 2, dept_id=world.dept_id, client_id=world.client_id, subject="Ada's"
    )
    await builders.reply(db, guest.id, body="Staff answer to the guest")
    await builders.note(db, guest.id, world.staff_id, NOTE_CANARY)
    token = await open_portal(api, NUMBER, hash_of(NUMBER))
    page = await api.get(portal_link(NUMBER, hash_of(NUMBER)))
    assert "Staff answer to the guest" in page.text
    assert NOTE_CANARY not in page.text
    # The guest's hash opens no other ticket, a guest's or a client's.
    for number in (other_guest.number, NUMBER + 2):
        assert (await api.get(portal_link(number, hash_of(NUMBER)))).status_code == 404
    answer = await api.post(
        f"/portal/tickets/{NUMBER}/reply",
        data={"csrf_token": token, "hash": hash_of(NUMBER), "body": "Thanks, from the guest"},
        files=[("files", ("screen.txt", b"guest file", "text/plain"))],
    )
    assert answer.status_code == 303, answer.text
    async with db.transaction() as session:
        reply = (
            await session.execute(
                select(Reply.name, Reply.email, Reply.type, Reply.replier_id)
                .where(Reply.ticket_id == guest.id)
                .order_by(Reply.id.desc())
                .limit(1)
            )
        ).one()
        attached = (
            (
                await session.execute(
                    select(Attachment.filename).where(Attachment.ticket_id == guest.id)
                )
            )
            .scalars()
            .all()
        )
    assert tuple(reply) == ("Walk In", "walk.in@example.net", "Unregistered", 0)
    assert attached == ["screen.txt"]


async def test_a_guest_actor_sees_its_one_ticket_only(db: Database, world: World) -> None:
    guest = await builders.ticket(db, number=NUMBER, dept_id=world.dept_id, client_id=None)
    other_guest = await builders.ticket(
        db, number=NUMBER + 1, dept_id=world.dept_id, client_id=None
    )
    internal_guest = await builders.ticket(
        db, number=NUMBER + 2, dept_id=world.dept_id, client_id=None, flags=FLAG_INTERNAL
    )
    clients = await builders.ticket(
        db, number=NUMBER + 3, dept_id=world.dept_id, client_id=world.client_id
    )
    async with db.transaction() as session:
        for ticket_id, number, seen in (
            (guest.id, NUMBER, True),
            (guest.id, other_guest.number, False),
            (internal_guest.id, internal_guest.number, False),
            # A guest actor made for a client's ticket sees nothing either.
            (clients.id, clients.number, False),
        ):
            actor = Actor.guest(ticket_id, VIA_WEB)
            assert (await repository.get_visible_ticket(session, actor, number) is not None) is seen
            assert (await repository.find_visible_state(session, actor, number) is not None) is seen
            assert (
                await repository.find_visible_version(session, actor, number) is not None
            ) is seen
