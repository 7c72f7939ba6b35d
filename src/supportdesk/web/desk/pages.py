"""The desk's pages (GET): sign-in, the queue, a ticket, its presence, its files, static files.

Each page reads in one transaction: who is signed in, then what the page shows, through the
services the v2 API uses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from supportdesk.api.deps import app_state
from supportdesk.api.downloads import file_response
from supportdesk.attachments import service as attachments
from supportdesk.core.clock import utcnow
from supportdesk.core.errors import SupportdeskError, TicketNotFound
from supportdesk.sessions import service as sessions
from supportdesk.tickets import service
from supportdesk.tickets.repository import position_kinds
from supportdesk.web.desk import guard, repository, ticket_page, views
from supportdesk.web.desk.guard import signed_in
from supportdesk.web.desk.render import page
from supportdesk.web.door import PageRoute

router = APIRouter(prefix="/desk", route_class=PageRoute, include_in_schema=False)

QUEUE_PAGE = 50


def ticket_number(value: str) -> int:
    """A ticket's number from the URL; anything else names no ticket."""
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise TicketNotFound()
    return int(value)


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str = "/desk/") -> Response:
    """The sign-in form."""
    guard.refuse_api_keys(request)
    return page(request, "desk/sign_in.html", None, back_to=safe_next(next))


def safe_next(value: str) -> str:
    """Where to go after signing in: a desk path only (never another site)."""
    if value.startswith("/desk/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/desk/"


@router.get("/")
async def queue(
    request: Request,
    view: Annotated[str, Query(max_length=32)] = "awaiting",
    department: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=500)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The queue: a view (or a department, a tag, a search) with the counts of every view."""
    state = app_state(request)
    ask = views.QueueAsk(
        view=view if view in views.VIEW_NAMES else "awaiting",
        department=department or None,
        tag=tag or None,
        q=(q or "").strip() or None,
    )
    error: SupportdeskError | None = None
    async with state.db.transaction() as session:
        me = await signed_in(request, session)
        actor = me.actor
        items: list[object] = []
        next_cursor = None
        try:
            where = views.list_filter(ask, me.staff_id)
            kinds = position_kinds(where.sort, bool(where.terms))
            after = state.cursors.decode_position(cursor, ask.order, kinds) if cursor else None
            found = await service.list_tickets(session, actor, where, after=after, limit=QUEUE_PAGE)
            items = list(found.items)
            if found.next_position is not None:
                next_cursor = state.cursors.encode_position(ask.order, kinds, found.next_position)
        except SupportdeskError as failure:
            error = failure
        counts = await repository.queue_counts(session, me.staff_id, utcnow())
        tags = await repository.tag_counts(session)
        staff = await repository.active_staff(session)
    return page(
        request,
        "desk/queue.html",
        me,
        error.status_code if error else 200,
        ask=ask,
        views=views.VIEWS,
        counts=counts.views,
        departments=counts.departments,
        tags=tags,
        staff_names={int(option.value): option.label for option in staff},
        items=items,
        next_query={**ask.query(), "cursor": next_cursor} if next_cursor else None,
        error=error,
    )


@router.get("/tickets/{number}")
async def ticket(request: Request, number: str) -> Response:
    """A ticket: the conversation with notes in line, the client, the timeline, every action."""
    return await ticket_response(request, number)


async def ticket_response(
    request: Request,
    number: str,
    *,
    error: SupportdeskError | None = None,
    kept: dict[str, str] | None = None,
    preview: object = None,
) -> Response:
    """The ticket page, also after a refused action (its message shown, the form's text kept)."""
    state = app_state(request)
    async with state.db.transaction() as session:
        me = await signed_in(request, session)
        shown = await ticket_page.gather(session, me, ticket_number(number))
    return page(
        request,
        "desk/ticket.html",
        me,
        error.status_code if error is not None else 200,
        view=shown,
        t=shown.ticket,
        error=error,
        kept=kept or {},
        preview=preview,
        done=request.query_params.get("done", ""),
    )


@router.get("/tickets/{number}/presence")
async def presence(request: Request, number: str) -> Response:
    """Who else has the ticket open (the page polls this every few seconds)."""
    state = app_state(request)
    async with state.db.transaction() as session:
        me = await signed_in(request, session)
        found = await service.visible_state(session, me.actor, ticket_number(number))
        others = await sessions.others_present(session, me, found.id, utcnow())
    return page(request, "desk/presence.html", me, others=others)


@router.get("/tickets/{number}/attachments/{attachment_id}")
async def download(request: Request, number: str, attachment_id: str) -> Response:
    """A file of the ticket, for the signed-in staff member (the API's download, by cookie)."""
    state = app_state(request)
    async with state.db.transaction() as session:
        me = await signed_in(request, session)
        stored, path = await attachments.find_for_download(
            session, me.actor, ticket_number(number), attachment_id, settings=state.settings
        )
    return file_response(request, stored, path)
