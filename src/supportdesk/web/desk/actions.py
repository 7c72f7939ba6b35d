"""The desk's forms (POST): sign in and out, and every staff action on a ticket.

Each form is refused cross-site (`web.security.PageGuard`) and without its CSRF token
(`web.security.require_csrf`, on every route here). The action runs in a
transaction of its own, through the service function the v2 desk API calls; a refusal rolls
it back whole and the ticket page is shown again with the reason (and the text typed kept).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from supportdesk.api.deps import app_state
from supportdesk.api.v2.desk import read_macro_changes
from supportdesk.attachments import service as attachments
from supportdesk.auth.dependencies import client_ip
from supportdesk.core.clock import utcnow
from supportdesk.core.columns import TAG_NAME_LENGTH
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidField, RateLimited, SupportdeskError, Unauthorized
from supportdesk.sessions import service as sessions
from supportdesk.sessions.service import SignedIn
from supportdesk.tickets import conversation, desk, macros, merging, notes, service
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.models import PRIORITIES
from supportdesk.tickets.numbers import parse_ticket_ref
from supportdesk.tickets.records import NewMessage, TicketEdit
from supportdesk.web import security
from supportdesk.web.desk import guard
from supportdesk.web.desk.guard import COOKIE, signed_in
from supportdesk.web.desk.pages import safe_next, ticket_number, ticket_response
from supportdesk.web.desk.render import page, see_other
from supportdesk.web.door import PageRoute

router = APIRouter(
    prefix="/desk",
    route_class=PageRoute,
    include_in_schema=False,
    dependencies=[Depends(security.require_csrf)],
)

# What an action returns: where to send the browser (None: back to the ticket).
Action = Callable[[DbSession, SignedIn, int, FormData], Awaitable[str | None]]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    text = value if isinstance(value, str) else ""
    if "\x00" in text:
        raise InvalidField(name, "must not contain NUL characters.")
    return text


# --- signing in and out -----------------------------------------------------------------------


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Check the password; a session and its cookie, or the form again (429 when throttled)."""
    guard.refuse_api_keys(request)
    form = await request.form()
    state = app_state(request)
    settings = state.settings
    username = _text(form, "username").strip()[:64]
    password = _text(form, "password")
    back_to = safe_next(_text(form, "next") or "/desk/")
    address = client_ip(request) or "unknown"
    limits = (
        ("address", address, settings.desk_sign_in_failures_per_address),
        ("username", username.lower(), settings.desk_sign_in_failures_per_username),
    )
    for kind, value, per in limits:
        window = await state.limiter.sign_in_window(kind, value, per)
        if not window.allowed:
            error = RateLimited(
                window.retry_after, "Too many failed sign-ins: wait a few minutes and try again."
            )
            return _sign_in_again(request, back_to, username, error)
    async with state.db.transaction() as session:
        token = await sessions.sign_in(
            session,
            username,
            password,
            now=utcnow(),
            policy=guard.policy(settings),
            ip=address,
            user_agent=request.headers.get("user-agent", ""),
        )
    if token is None:
        for kind, value, per in limits:
            await state.limiter.record_sign_in_failure(kind, value, per)
        return _sign_in_again(request, back_to, username, WrongPassword())
    response = see_other(back_to)
    max_age = int(guard.policy(settings).lifetime.total_seconds())
    guard.set_session_cookie(response, request, token, max_age)
    # A CSRF token known before signing in is worth nothing after.
    security.rotate_csrf(request, response)
    return response


class WrongPassword(Unauthorized):
    default_message = "The username or the password is not right."


def _sign_in_again(
    request: Request, back_to: str, username: str, error: SupportdeskError
) -> Response:
    response = page(
        request,
        "desk/sign_in.html",
        None,
        error.status_code,
        back_to=back_to,
        username=username,
        error=error,
    )
    response.headers.update(error.headers)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """End the session: its row is deleted, so the cookie opens nothing any more."""
    state = app_state(request)
    async with state.db.transaction() as session:
        await signed_in(request, session)
        await sessions.sign_out(session, request.cookies.get(COOKIE, ""))
    response = see_other("/desk/sign-in")
    guard.delete_session_cookie(response, request)
    security.rotate_csrf(request, response)
    return response


# --- ticket actions ---------------------------------------------------------------------------


async def _act(
    request: Request, number: str, action: Action, kept: tuple[str, ...] = ()
) -> Response:
    form = await request.form()
    state = app_state(request)
    async with state.db.transaction() as session:
        me = await signed_in(request, session)
    ref = ticket_number(number)
    try:
        async with state.db.transaction() as session:
            target = await action(session, me, ref, form)
    except SupportdeskError as error:
        texts = {name: value for name in kept if isinstance(value := form.get(name), str)}
        return await ticket_response(request, number, error=error, kept=texts)
    return see_other(target or f"/desk/tickets/{ref}")


def _done(ref: int, what: str) -> str:
    return f"/desk/tickets/{ref}?done={what}"


def _send_at(form: FormData) -> datetime | None:
    """A `datetime-local` value, read as UTC (the desk shows every time in UTC)."""
    text = _text(form, "send_at").strip()
    if not text:
        raise InvalidField("send_at", "give the time to send it at.", code="required")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField("send_at", "is not a date and time.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _upload_files(
    session: DbSession, request: Request, me: SignedIn, ref: int, form: FormData
) -> tuple[str, ...]:
    settings = app_state(request).settings
    ids = []
    for part in form.getlist("files"):
        if not isinstance(part, UploadFile) or not part.filename:
            continue
        data = await part.read()
        if not data:
            continue
        uploaded = await attachments.upload(
            session, me.actor, filename=part.filename, data=data, ticket_ref=ref, settings=settings
        )
        ids.append(uploaded.upload_id)
    return tuple(ids)


@router.post("/tickets/{number}/reply")
async def reply(request: Request, number: str) -> Response:
    """Reply (with files, the status after it), save a draft, or schedule it; stopped (409)
    when the client wrote after the newest message the page showed."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        mode = _text(form, "mode") or "send"
        status = _text(form, "status_after") or None
        options = ReplyOptions(
            status=status,
            draft=mode == "draft",
            send_at=_send_at(form) if mode == "schedule" else None,
            last_seen_message_id=_text(form, "last_seen") or None,
            force=_text(form, "force") == "1",
            given=("status_after", "draft", "send_at", "last_seen_message"),
        )
        new = NewMessage(
            body=_text(form, "body"),
            upload_ids=await _upload_files(session, request, me, ref, form),
            senderip=client_ip(request),
        )
        await service.post_message(session, me.actor, ref, new, options)
        return _done(ref, {"draft": "draft", "schedule": "scheduled"}.get(mode, "replied"))

    return await _act(request, number, act, kept=("body", "status_after", "mode", "send_at"))


@router.post("/tickets/{number}/note")
async def add_note(request: Request, number: str) -> Response:
    """Add an internal note."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        await notes.add_note(session, me.actor, ref, _text(form, "note"))
        return _done(ref, "noted")

    return await _act(request, number, act, kept=("note",))


@router.post("/tickets/{number}/send")
async def send_draft(request: Request, number: str) -> Response:
    """Send a draft or a scheduled message now."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        await conversation.send_message(session, me.actor, ref, _text(form, "message_id"))
        return _done(ref, "replied")

    return await _act(request, number, act)


async def _edit(session: DbSession, me: SignedIn, ref: int, edit: TicketEdit) -> None:
    await desk.edit_ticket(session, me.actor, ref, edit)


@router.post("/tickets/{number}/assign")
async def assign(request: Request, number: str) -> Response:
    """Assign the ticket (`owner` empty: unassign; `take`: to oneself)."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        if _text(form, "take"):
            owner: int | None = me.staff_id
        else:
            chosen = _text(form, "owner")
            if chosen and not chosen.isdigit():
                raise InvalidField("owner", "is not a staff member's id.")
            owner = int(chosen) if chosen else None
        await _edit(session, me, ref, TicketEdit(given=frozenset({"owner_id"}), owner_id=owner))
        return _done(ref, "assigned")

    return await _act(request, number, act)


def _tags(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    for name in names:
        if len(name) > TAG_NAME_LENGTH:
            raise InvalidField("tags", f"a tag is at most {TAG_NAME_LENGTH} characters.")
    return names


@router.post("/tickets/{number}/update")
async def update(request: Request, number: str) -> Response:
    """Change the status, priority, department and tags (what is unchanged stays)."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        priority = _text(form, "priority")
        if priority not in PRIORITIES:
            raise InvalidField("priority", f"must be one of {', '.join(PRIORITIES)}.")
        edit = TicketEdit(
            given=frozenset({"status", "priority", "department", "tags"}),
            status=_text(form, "status") or None,
            priority=priority,
            department=_text(form, "department") or None,
            tags=_tags(_text(form, "tags")),
        )
        await _edit(session, me, ref, edit)
        return _done(ref, "updated")

    return await _act(request, number, act)


_LIFECYCLE = {
    "close": (service.close_ticket, "closed"),
    "reopen": (service.reopen_ticket, "reopened"),
}


@router.post("/tickets/{number}/close")
@router.post("/tickets/{number}/reopen")
async def close_or_reopen(request: Request, number: str) -> Response:
    """Close the ticket, or reopen it."""
    change, done = _LIFECYCLE[request.url.path.rsplit("/", 1)[1]]

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        await change(session, me.actor, ref)
        return _done(ref, done)

    return await _act(request, number, act)


@router.post("/tickets/{number}/merge")
async def merge(request: Request, number: str) -> Response:
    """Merge this ticket into another (by number or `tkt_` id); then show that one."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        into = parse_ticket_ref(_text(form, "into").strip())
        merged = await merging.merge_ticket(
            session,
            me.actor,
            ref,
            into,
            allow_different_clients=_text(form, "allow_different_clients") == "1",
        )
        return _done(merged.ticket_number, "merged")

    return await _act(request, number, act, kept=("into",))


@router.post("/tickets/{number}/split")
async def split(request: Request, number: str) -> Response:
    """A new ticket from one message of this one; then show the new one."""

    async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
        created = await merging.split_ticket(
            session, me.actor, ref, _text(form, "message_id"), _text(form, "subject").strip()
        )
        return _done(created.ticket_number, "split")

    return await _act(request, number, act)


@router.post("/tickets/{number}/macro")
async def apply_macro(request: Request, number: str) -> Response:
    """Apply a macro; with `preview`, show what it would do and change nothing."""
    form = await request.form()
    if _text(form, "preview") != "1":

        async def act(session: DbSession, me: SignedIn, ref: int, form: FormData) -> str | None:
            await macros.apply_macro(
                session, me.actor, ref, _macro_id(form), read_macro_changes, preview=False
            )
            return _done(ref, "macro")

        return await _act(request, number, act)
    state = app_state(request)
    async with state.db.transaction() as session:
        me = await signed_in(request, session)
    try:
        async with state.db.transaction() as session:
            outcome = await macros.apply_macro(
                session,
                me.actor,
                ticket_number(number),
                _macro_id(form),
                read_macro_changes,
                preview=True,
            )
    except SupportdeskError as error:
        return await ticket_response(request, number, error=error)
    shown: dict[str, Any] = {
        "macro_id": _text(form, "macro_id"),
        "reply": outcome.reply,
        "changes": outcome.changes,
    }
    if _text(form, "fragment") == "1":
        return page(request, "desk/macro_preview.html", me, preview=shown)
    return await ticket_response(request, number, preview=shown)


def _macro_id(form: FormData) -> int:
    text = _text(form, "macro_id")
    if not text.isdigit() or len(text) > 10:
        raise InvalidField("macro", "choose a macro.", code="required")
    return int(text)
