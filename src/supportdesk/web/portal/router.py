"""The portal's routes: a ticket by its access link, its forms, its files, HostBill's old link.

Holding the link is the customer's authentication: every request names the ticket's number and
its `hash` (in the query for a page or a file, in a hidden field for a form), and acts as the
ticket's client through the web door. Forms also need the CSRF token and a same-origin
request (`web.security`). A wrong hash is the same 404 page as an unknown number.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from supportdesk.api.deps import AppSettings, app_state
from supportdesk.api.downloads import file_response
from supportdesk.attachments import service as attachments
from supportdesk.auth.dependencies import Session, client_ip
from supportdesk.core.actor import VIA_WEB, Actor
from supportdesk.core.columns import ATTACHMENTS_PER_MESSAGE, MESSAGE_LENGTH
from supportdesk.core.db import DbSession
from supportdesk.core.errors import (
    Conflict,
    Forbidden,
    PayloadTooLarge,
    RateLimited,
    TicketNotFound,
    ValidationFailed,
)
from supportdesk.core.text import text_problem
from supportdesk.tickets import rating, repository, service
from supportdesk.tickets.access import client_by_access_link
from supportdesk.tickets.rating import MessageNotFound
from supportdesk.tickets.records import NewMessage
from supportdesk.web.door import PageRoute
from supportdesk.web.pages import render_page, see_other
from supportdesk.web.portal.view import ticket_url, ticket_view
from supportdesk.web.security import require_csrf

router = APIRouter(prefix="/portal", route_class=PageRoute, include_in_schema=False)
# HostBill's own link form, so that links in customers' old mail keep working.
legacy_router = APIRouter(route_class=PageRoute, include_in_schema=False)

_NUMBER = re.compile(r"^[0-9]{1,18}$")
# What a finished form's redirect says on the page (a fixed text per name, never the URL's).
NOTICES = {
    "replied": "Your reply was sent.",
    "closed": "The ticket is closed. You can reopen it here if you need more help.",
    "reopened": "The ticket is open again.",
    "rated": "Thank you for rating the reply.",
}
# Refusals a customer can act on: shown on the ticket page, beside the form.
_SHOWN_ON_PAGE = (ValidationFailed, Conflict, Forbidden, PayloadTooLarge, MessageNotFound)

# Any text: a hash of the wrong length is a wrong hash (the 404 page), not a malformed request.
Hash = Annotated[str, Query(alias="hash")]


def _number(value: str) -> int:
    if not _NUMBER.match(value):
        raise TicketNotFound()
    return int(value)


async def _link_actor(request: Request, session: DbSession, number: str, acc_hash: str) -> Actor:
    """The ticket's client, if the link is right; else the 404 page. Wrong links are counted
    against the address as failed authentications are (429 past the limit)."""
    found = await client_by_access_link(session, _number(number), acc_hash, VIA_WEB)
    if found is None:
        window = await app_state(request).limiter.record_failure(client_ip(request) or "unknown")
        request.state.rate_window = window
        if not window.allowed:
            raise RateLimited(window.retry_after, "Too many wrong ticket links from this address.")
        raise TicketNotFound()
    return found


async def _ticket_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    number: int,
    *,
    notice: str | None = None,
    alert: str | None = None,
    draft: str = "",
    status_code: int = 200,
) -> Response:
    ticket = await service.read_ticket(session, actor, number)
    state = await repository.find_visible_state(session, actor, number)
    assert state is not None, "read_ticket found it"
    return render_page(
        request,
        "portal/ticket.html",
        {
            "ticket": ticket_view(ticket, state),
            "acc_hash": ticket.acc_hash,
            "notice": notice,
            "alert": alert,
            "draft": draft,
            "max_files": ATTACHMENTS_PER_MESSAGE,
            "max_bytes": app_state(request).settings.attachment_max_bytes,
        },
        status_code=status_code,
    )


@router.get("/")
async def portal_home(request: Request) -> Response:
    """Where a customer without a link lands: how to open a ticket's page."""
    return render_page(request, "portal/index.html")


@router.get("/tickets/{number}")
async def show_ticket(
    request: Request, session: Session, number: str, acc_hash: Hash = "", done: str = ""
) -> Response:
    """The ticket as its client sees it, with the reply, close, reopen and rating forms."""
    actor = await _link_actor(request, session, number, acc_hash)
    return await _ticket_page(request, session, actor, int(number), notice=NOTICES.get(done))


async def _uploads(
    session: DbSession, actor: Actor, number: int, form: FormData, request: Request
) -> tuple[str, ...]:
    files = [
        value
        for value in form.getlist("files")
        if isinstance(value, UploadFile) and (value.filename or value.size)
    ]
    if len(files) > ATTACHMENTS_PER_MESSAGE:
        raise ValidationFailed(f"Attach at most {ATTACHMENTS_PER_MESSAGE} files to one reply.")
    ids = []
    for file in files:
        stored = await attachments.upload(
            session,
            actor,
            filename=file.filename,
            data=await file.read(),
            ticket_ref=number,
            settings=app_state(request).settings,
        )
        ids.append(stored.upload_id)
    return tuple(ids)


def _message_body(form: FormData) -> str:
    value = form.get("body")
    body = value if isinstance(value, str) else ""
    if not body.strip():
        raise ValidationFailed("Write your reply before sending it.")
    if len(body) > MESSAGE_LENGTH:
        raise ValidationFailed(f"A reply holds at most {MESSAGE_LENGTH} characters.")
    problem = text_problem(body)
    if problem is not None:
        raise ValidationFailed(f"The reply {problem}.")
    return body


Work = Callable[[DbSession, Actor, FormData], Awaitable[None]]


async def _act(request: Request, number: str, notice: str, work: Work) -> Response:
    """Run a form's change in a transaction of its own; on success, 303 to the ticket page.

    A refusal the customer can act on rolls the change back whole (files uploaded with a
    refused reply included) and shows the ticket page again, saying why, with the reply
    written so far kept in the form."""
    db = app_state(request).db
    form = await request.form()
    acc_hash = form.get("hash")
    if not isinstance(acc_hash, str):
        raise TicketNotFound()
    try:
        async with db.transaction() as session:
            actor = await _link_actor(request, session, number, acc_hash)
            await work(session, actor, form)
    except _SHOWN_ON_PAGE as refusal:
        draft = form.get("body")
        async with db.transaction() as session:
            actor = await _link_actor(request, session, number, acc_hash)
            return await _ticket_page(
                request,
                session,
                actor,
                int(number),
                alert=refusal.message,
                draft=draft if isinstance(draft, str) else "",
                status_code=refusal.status_code,
            )
    return see_other(f"{ticket_url(int(number), acc_hash)}&done={notice}")


@router.post("/tickets/{number}/reply", dependencies=[Depends(require_csrf)])
async def reply(request: Request, number: str) -> Response:
    """Add the customer's reply, with its files (multipart `files`), then show the ticket."""

    async def work(session: DbSession, actor: Actor, form: FormData) -> None:
        body = _message_body(form)
        upload_ids = await _uploads(session, actor, int(number), form, request)
        await service.post_message(
            session,
            actor,
            int(number),
            NewMessage(body=body, upload_ids=upload_ids, senderip=client_ip(request)),
        )

    return await _act(request, number, "replied", work)


@router.post("/tickets/{number}/close", dependencies=[Depends(require_csrf)])
async def close(request: Request, number: str) -> Response:
    """Close the ticket."""

    async def work(session: DbSession, actor: Actor, form: FormData) -> None:
        await service.close_ticket(session, actor, int(number))

    return await _act(request, number, "closed", work)


@router.post("/tickets/{number}/reopen", dependencies=[Depends(require_csrf)])
async def reopen(request: Request, number: str) -> Response:
    """Reopen a closed ticket, where its department and the ticket allow the client to."""

    async def work(session: DbSession, actor: Actor, form: FormData) -> None:
        await service.reopen_ticket(session, actor, int(number))

    return await _act(request, number, "reopened", work)


@router.post("/tickets/{number}/rate", dependencies=[Depends(require_csrf)])
async def rate(request: Request, number: str) -> Response:
    """Rate a staff reply from 1 to 5 (rating it again replaces the rating)."""

    async def work(session: DbSession, actor: Actor, form: FormData) -> None:
        message_id, value = form.get("message"), form.get("rating")
        if not isinstance(value, str) or value not in {"1", "2", "3", "4", "5"}:
            raise ValidationFailed("Choose a rating from 1 to 5.")
        message = message_id if isinstance(message_id, str) else ""
        await rating.rate_reply(session, actor, int(number), message, int(value))

    return await _act(request, number, "rated", work)


@router.get("/tickets/{number}/attachments/{attachment_id}")
async def download(
    request: Request,
    settings: AppSettings,
    session: Session,
    number: str,
    attachment_id: str,
    acc_hash: Hash = "",
) -> Response:
    """A file of the ticket, as its client may see it."""
    actor = await _link_actor(request, session, number, acc_hash)
    found, path = await attachments.find_for_download(
        session, actor, int(number), attachment_id, settings=settings
    )
    return file_response(request, found, path)


def _legacy_redirect(number: str, acc_hash: str) -> Response:
    if not _NUMBER.match(number) or not acc_hash:
        raise TicketNotFound()
    return RedirectResponse(ticket_url(int(number), acc_hash), status_code=302)


@legacy_router.get("/tickets/view/{number}")
async def hostbill_link(number: str, acc_hash: Hash = "") -> Response:
    """HostBill's `/tickets/view/{number}?hash=...` → the portal's page."""
    return _legacy_redirect(number, acc_hash)


@legacy_router.get("/tickets/view/{number}/{rest:path}")
async def hostbill_link_path(number: str, rest: str, acc_hash: Hash = "") -> Response:
    """HostBill's own form `/tickets/view/{number}/&hash={acc_hash}` → the portal's page."""
    if rest.startswith("&hash="):
        acc_hash = rest.removeprefix("&hash=").split("&", 1)[0]
    elif rest:
        raise TicketNotFound()
    return _legacy_redirect(number, acc_hash)
