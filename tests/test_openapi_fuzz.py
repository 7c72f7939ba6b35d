"""schemathesis over the whole OpenAPI document: no server errors, every response as documented.

Every operation of the document (v1, v2, `/errors/{code}`, `/healthz`, `/readyz`; not the admin
routes, which tests/test_schemathesis_cli.py fuzzes with an `admin:support` key) is one test
item, `test_operation_conforms_to_its_schema[<METHOD> <path>]`, of about 30 generated cases
(schemathesis' fuzzing phase; its coverage phase does not run alongside `@schema.given`). Each
case is sent with the key of a client or of a staff member (both with every scope and a limit
never reached), or now and then with no key at all, and goes through `case.call_and_validate`
with schemathesis' checks: no 5xx (`not_a_server_error`); status code, content type, headers
and body as documented; valid data accepted, invalid data rejected.

Generated references almost never name anything, so most valid cases are pointed at data that
exists (`FuzzWorld`): ticket numbers and `tkt_` ids (the client's open and closed tickets,
another client's, an internal one), a visible and a hidden department (id and slug), the
client's service, attached files (internal and `tatt_` ids, with their bytes stored), pending
uploads (`satt_`), a list cursor the server issued, error codes, the first ticket's drafts and
sent messages, the staff member's notes on it (`tnote_` ids), two macros. A ticket change (a
PATCH, a bulk change's `changes`) names a status, the staff member and a department that exist,
`tags` or `addTags`/`removeTags` (not both), and half the time a deadline the desk takes; a
drawn `If-Match` becomes `*` or goes. A part of a case that schemathesis made invalid on
purpose is left as it was made.

Two checks are turned off for some cases only, each time for a stated reason:

- `positive_data_acceptance`, for a valid case that a rule of the contract refuses and the
  document cannot state (`_refused_by_contract`: NUL in text, a blank subject, 2.0 for an
  integer, an unissued cursor, an empty or disallowed file, a `Range` past the end of the
  file, the desk's rules of tests/fuzz_refusals.py...). Such a case must get exactly
  the refusal the contract names instead (one of them, when several rules refuse it;
  `_check_refusal`).
- `negative_data_rejection`, for an invalid upload whose `file` is there: a form part is text
  on the wire, so the invalid value is a valid file once sent (`_invalid_only_in_the_document`).

The document is the app's own `openapi()` (read at import, with no database behind it). The app
the cases are sent to is built for schemathesis alone: its ASGI transport runs every call on
one event loop of its own, so that app's connections never cross into the suite's loop. The
data is built beforehand through the suite's usual app; files are uploaded through the API, so
that they are stored. Each operation gets a world of its own (cases may close, reopen, reply).

(`schemathesis.pytest.from_fixture` would load the document from a fixture instead, but
schemathesis 4.32 reads `Function._nodeid`, which pytest 9.2 no longer has.)
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err, Ok
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from supportdesk.api.conditional import matches
from supportdesk.api.deps import state_of
from supportdesk.api.downloads import requested_span
from supportdesk.api.v2.problems import CODES
from supportdesk.app import create_app
from supportdesk.attachments.detect import detect_content_type
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.errors import RangeNotSatisfiable, UnsupportedMediaType
from supportdesk.models import Note, Reply
from tests import builders
from tests import conversation_builders as conversation
from tests.desk.conftest import macro
from tests.fuzz_refusals import (
    desk_refusals,
    list_refusals,
    other_order,
    staff_message_refusals,
    strict_integer_refused,
)
from tests.support import client_for, close_limiter

MAX_EXAMPLES = 30  # generated cases per operation (fewer where there is little to vary)
UNLIMITED = 1_000_000  # requests a minute: never reached
# The tickets: the client's open one, another client's, an internal one (flags 16) of the
# client's, and a closed one of the client's.
NUMBERS = (616828, 616829, 616830, 616831)
LOG = b"2026-11-27 09:51:56 kernel: panic - not syncing\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
JSON = b'{"disk": "/dev/vda1", "used": "100%"}'
VIEWERS = ("client", "staff", "nobody", "client", "staff")  # "nobody" sends no key

TICKET_V1 = "GET /api/support/tickets/{number}"
CREATE_V1 = "POST /api/support/tickets"
DOWNLOAD_V1 = "GET /api/support/tickets/{number}/attachments/{attachment_id}"
LIST_V2 = "GET /api/v2/support/tickets"
CREATE_V2 = "POST /api/v2/support/tickets"
TICKET_V2 = "GET /api/v2/support/tickets/{ticket_id}"
MESSAGE_V2 = "POST /api/v2/support/tickets/{ticket_id}/messages"
CLOSE_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/close"
REOPEN_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/reopen"
UPLOAD_V2 = "POST /api/v2/support/attachments"
DOWNLOAD_V2 = "GET /api/v2/support/attachments/{attachment_id}"
ERROR_CODE = "GET /errors/{code}"
EDIT_MESSAGE_V2 = "PATCH /api/v2/support/tickets/{ticket_id}/messages/{message_id}"
SEND_MESSAGE_V2 = "POST /api/v2/support/tickets/{ticket_id}/messages/{message_id}/actions/send"
MERGE_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/merge"
SPLIT_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/split"
EVENTS_V2 = "GET /api/v2/support/tickets/{ticket_id}/events"
SLA_V2 = "GET /api/v2/support/tickets/{ticket_id}/sla"
PATCH_V2 = "PATCH /api/v2/support/tickets/{ticket_id}"
NOTES_V2 = "GET /api/v2/support/tickets/{ticket_id}/notes"
ADD_NOTE_V2 = "POST /api/v2/support/tickets/{ticket_id}/notes"
EDIT_NOTE_V2 = "PATCH /api/v2/support/tickets/{ticket_id}/notes/{note_id}"
DELETE_NOTE_V2 = "DELETE /api/v2/support/tickets/{ticket_id}/notes/{note_id}"
BULK_V2 = "POST /api/v2/support/tickets/bulk"
MACRO_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/apply-macro"
# The staff desk's routes (manage:support): a client key gets 403 before its body is read.
DESK = frozenset({PATCH_V2, NOTES_V2, ADD_NOTE_V2, EDIT_NOTE_V2, DELETE_NOTE_V2, BULK_V2, MACRO_V2})
# Statuses a ticket change may name (built-in names and v2 statuses).
STATUS_NAMES = ("Open", "On-Hold", "In-Progress", "answered", "customer_reply", "closed")
DEADLINES = ("2027-01-15T09:00:00Z", "2026-12-24T17:30:00.5+01:00")
NOTES_PER_WORLD = 6  # the staff member's notes on the first ticket (DELETE uses them up)
HEALTH = frozenset({"GET /healthz", "GET /readyz"})
UNAUTHENTICATED = HEALTH | {ERROR_CODE}


# --- the data the cases are pointed at --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """A ticket that exists: its number and `tkt_` id."""

    number: int
    public_id: str


@dataclass(frozen=True, slots=True)
class KnownFile:
    """A stored file on a ticket: the ticket, the file's internal and `tatt_` ids."""

    ticket: Known
    id: int
    public_id: str
    size: int
    etag: str


@dataclass(frozen=True, slots=True)
class FuzzWorld:
    client_key: str
    staff_key: str
    client_id: int
    dept_id: int
    dept_slug: str
    hidden_dept_id: int
    hidden_dept_slug: str
    service_id: int
    tickets: tuple[Known, ...]
    files: tuple[KnownFile, ...]
    cursor: str
    # Pending uploads (`satt_`) by viewer, used up as cases attach them.
    uploads: dict[str, list[str]]
    # The first ticket's drafts and its sent messages (`tmsg_` ids).
    drafts: tuple[str, ...] = ()
    sent: tuple[str, ...] = ()
    # The staff key's staff member, its notes on the first ticket (`tnote_` ids), the macros.
    staff_id: int = 0
    notes: tuple[str, ...] = ()
    macros: tuple[int, ...] = ()

    def key(self, viewer: str) -> str | None:
        return {"client": self.client_key, "staff": self.staff_key}.get(viewer)


async def _upload(api: httpx.AsyncClient, key: str, data: bytes, name: str) -> str:
    response = await api.post(
        "/api/v2/support/attachments",
        headers={"X-API-Key": key},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["attachmentId"])


async def _attach(api: httpx.AsyncClient, key: str, ticket: Known, uploads: list[str]) -> None:
    response = await api.post(
        f"/api/v2/support/tickets/{ticket.public_id}/messages",
        headers={"X-API-Key": key},
        json={"message": "The logs.", "attachmentIds": uploads},
    )
    assert response.status_code == 201, response.text


@pytest.fixture
async def fuzz_world(db: Database, app: FastAPI) -> FuzzWorld:
    world = await builders.world(db)
    _, client_key = await builders.api_key(
        db,
        client_id=world.client_id,
        scopes=conversation.ALL_SCOPES,
        rate_limit_per_minute=UNLIMITED,
    )
    _, staff_key = await builders.api_key(
        db,
        staff_id=world.staff_id,
        scopes=conversation.STAFF_SCOPES,
        rate_limit_per_minute=UNLIMITED,
    )
    service = await builders.service(db, world.client_id)
    mine = await builders.ticket(
        db, number=NUMBERS[0], dept_id=world.dept_id, client_id=world.client_id, tags=["a"]
    )
    await builders.replies(db, mine.id, 3)
    await builders.reply(db, mine.id, status="Draft")
    for _ in range(5):
        await builders.reply(db, mine.id, status="Draft")
    for i in range(NOTES_PER_WORLD):
        await builders.note(db, mine.id, world.staff_id, f"internal {i}")
    macros = (
        await macro(db, changes={"status": "On-Hold", "addTags": ["waiting"]}),
        await macro(db, name="Thanks", body="Thank you, {{client.firstname}}.", changes={}),
    )
    await builders.link_service(db, mine.id, service, ai_helpful=True)
    built = (
        mine,
        await builders.ticket(
            db, number=NUMBERS[1], dept_id=world.dept_id, client_id=world.other_client_id
        ),
        await builders.ticket(
            db, number=NUMBERS[2], dept_id=world.dept_id, client_id=world.client_id, flags=16
        ),
        await builders.ticket(
            db, number=NUMBERS[3], dept_id=world.dept_id, client_id=world.client_id, status="Closed"
        ),
    )
    tickets = [Known(t.number, await conversation.public_id_of(db, t.id)) for t in built]

    async with client_for(app) as api:
        # Stored files: a log, a PNG and a JSON file on the client's ticket, a log on the
        # internal one.
        client_files = [
            await _upload(api, client_key, LOG, "console.log"),
            await _upload(api, client_key, PNG, "screen.png"),
            await _upload(api, client_key, JSON, "df.json"),
        ]
        await _attach(api, client_key, tickets[0], client_files)
        await _attach(api, staff_key, tickets[2], [await _upload(api, staff_key, LOG, "a.log")])
        uploads = {
            viewer: [await _upload(api, key, LOG, f"{viewer}{i}.log") for i in range(4)]
            for viewer, key in (("client", client_key), ("staff", staff_key))
        }
        page = await api.get(
            "/api/v2/support/tickets", params={"limit": 1}, headers={"X-API-Key": staff_key}
        )
        assert page.status_code == 200, page.text
        cursor = page.json()["nextCursor"]
        assert cursor, page.text
        files = []
        for i in (0, 2):
            for attachment_id, attachment_public_id, _ in await conversation.attachment_ids(
                db, built[i].id
            ):
                # What a download of it answers: its size and tag (for `Range` and `If-Range`).
                stored = await api.get(
                    f"/api/v2/support/attachments/{attachment_public_id}",
                    params={"ticketId": tickets[i].public_id},
                    headers={"X-API-Key": staff_key},
                )
                assert stored.status_code == 200, stored.text
                size, etag = len(stored.content), stored.headers["etag"]
                files.append(KnownFile(tickets[i], attachment_id, attachment_public_id, size, etag))

    assert len(files) == 4, files
    return FuzzWorld(
        client_key=client_key,
        staff_key=staff_key,
        client_id=world.client_id,
        dept_id=world.dept_id,
        dept_slug=await conversation.department_slug(db, world.dept_id),
        hidden_dept_id=world.hidden_dept_id,
        hidden_dept_slug=await conversation.department_slug(db, world.hidden_dept_id),
        service_id=service,
        tickets=tuple(tickets),
        files=tuple(files),
        cursor=str(cursor),
        uploads=uploads,
        drafts=tuple(await _message_ids(db, built[0].id, "Draft")),
        sent=tuple(await _message_ids(db, built[0].id, "Sent")),
        staff_id=world.staff_id,
        notes=tuple(await _note_ids(db, built[0].id)),
        macros=macros,
    )


async def _note_ids(db: Database, ticket_id: int) -> list[str]:
    async with db.transaction() as session:
        found = await session.execute(select(Note.public_id).where(Note.ticket_id == ticket_id))
        return [str(public_id) for public_id in found.scalars()]


async def _message_ids(db: Database, ticket_id: int, status: str) -> list[str]:
    async with db.transaction() as session:
        found = await session.execute(
            select(Reply.public_id).where(Reply.ticket_id == ticket_id, Reply.status == status)
        )
        return [str(public_id) for public_id in found.scalars()]


def _closing_the_limiter(app: FastAPI) -> None:
    """Close the limiter's Redis pool when schemathesis ends the app's lifespan, on its loop."""
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with original(app) as state:
            yield state
        await close_limiter(state_of(app).limiter)

    app.router.lifespan_context = lifespan


@pytest.fixture
def fuzz_app(fuzz_world: FuzzWorld, settings_for: Callable[..., Settings]) -> Iterator[FastAPI]:
    app = create_app(settings_for(auth_failures_per_minute=100_000))
    _closing_the_limiter(app)
    yield app
    asgi.shutdown_lifespans()  # disposes the app's database on the loop that used it


# --- what the run did ---------------------------------------------------------------------------

RUN: dict[str, Counter[str]] = {}


@pytest.fixture(scope="module", autouse=True)
def fuzz_summary() -> Iterator[None]:
    """Every operation's cases, printed once the module is done; and when every operation ran
    and passed, both keys were answered 2xx on several of them."""
    yield
    total = sum(stats["cases"] for stats in RUN.values())
    lines = [f"\nschemathesis: {total} cases over {len(RUN)} operations"]
    for label, stats in sorted(RUN.items()):
        statuses = {k: v for k, v in sorted(stats.items()) if k.isdigit()}
        lines.append(f"  {stats['cases']:4d}  {label}  {statuses}")
    print("\n".join(lines))
    if len(RUN) == len(OPERATIONS) and not any(stats["failed"] for stats in RUN.values()):
        for viewer in ("client", "staff"):
            served = [label for label, stats in RUN.items() if stats[f"{viewer} 2xx"]]
            assert len(served) >= 5, f"the {viewer} key got 2xx on {served} only"


def _expect_mix(label: str, stats: Counter[str]) -> None:
    """A fuzz run that only ever hit one status (every key refused, or no data found, say)
    must not pass: every operation answers 2xx, and (but for health) 4xx."""
    statuses = {int(k) for k in stats if k.isdigit()}
    assert stats["cases"] >= 10, stats
    assert any(200 <= s < 300 for s in statuses), f"{label}: no 2xx at all: {stats}"
    if label not in HEALTH:
        assert any(400 <= s < 500 for s in statuses), f"{label}: no 4xx at all: {stats}"


@pytest.fixture
def fuzz_stats(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    stats: Counter[str] = Counter()
    yield stats
    label = str(getattr(request.node, "operation_label", request.node.name))
    RUN[label] = stats
    print(f"\n{label}: {stats['cases']} cases, {dict(stats)}")
    if not stats["failed"]:  # a failure ends the run early, and its report says more
        _expect_mix(label, stats)


# --- pointing valid cases at data that exists ---------------------------------------------------


def _valid(case: Any, location: ParameterLocation) -> bool:
    """Whether schemathesis made this part of the case valid (so that it may be replaced)."""
    if case.meta is None:
        return False
    component = case.meta.components.get(location)
    mode = component.mode if component is not None else case.meta.generation.mode
    return bool(mode == GenerationMode.POSITIVE)


def _ticket_ref(world: FuzzWorld, data: st.DataObject) -> str:
    ticket = data.draw(st.sampled_from(world.tickets))
    return data.draw(st.sampled_from((ticket.public_id, str(ticket.number))))


def _upload_ids(world: FuzzWorld, viewer: str, data: st.DataObject) -> list[str]:
    pending = world.uploads.get(viewer, [])
    if not pending:
        return []
    return [pending.pop()] if data.draw(st.booleans()) else []


TICKET_PATHS = frozenset(
    {TICKET_V2, MESSAGE_V2, CLOSE_V2, REOPEN_V2, EVENTS_V2, MERGE_V2, SLA_V2}
    | {PATCH_V2, NOTES_V2, ADD_NOTE_V2, MACRO_V2}
)


def _point_at_known(
    case: Any, label: str, world: FuzzWorld, viewer: str, data: st.DataObject
) -> None:
    """Put existing things in the valid parts of a case: in a body always (a valid body that
    names no department, client or service is refused with 400, as the contract says), in
    the path and the query three times out of four (the others keep what schemathesis drew)."""
    if _valid(case, ParameterLocation.BODY) and isinstance(case.body, dict):
        case.body = _valid_body(dict(case.body), label, world, viewer, data)
    if label == PATCH_V2 and _valid(case, ParameterLocation.HEADER) and case.headers:
        # A drawn `If-Match` names no tag the ticket has (412): `*` (any), or none at all.
        headers = {k: v for k, v in case.headers.items() if k.lower() != "if-match"}
        if len(headers) < len(case.headers) and data.draw(st.booleans()):
            headers["If-Match"] = "*"
        case.headers = headers
    if data.draw(st.integers(0, 3)) == 3:
        return
    path = _valid(case, ParameterLocation.PATH) and bool(case.path_parameters)
    query = _valid(case, ParameterLocation.QUERY) and case.query is not None
    if label == TICKET_V1 and path:
        case.path_parameters = {"number": data.draw(st.sampled_from(world.tickets)).number}
    elif label == DOWNLOAD_V1 and path:
        known = data.draw(st.sampled_from(world.files))
        case.path_parameters = {"number": known.ticket.number, "attachment_id": known.id}
    elif label in TICKET_PATHS and path:
        case.path_parameters = {"ticket_id": _ticket_ref(world, data)}
    elif label in (EDIT_NOTE_V2, DELETE_NOTE_V2) and path:
        mine = world.tickets[0]
        case.path_parameters = {
            "ticket_id": data.draw(st.sampled_from((mine.public_id, str(mine.number)))),
            "note_id": data.draw(st.sampled_from(world.notes)),
        }
    elif label in (EDIT_MESSAGE_V2, SEND_MESSAGE_V2, SPLIT_V2) and path:
        mine = world.tickets[0]
        parameters = {"ticket_id": data.draw(st.sampled_from((mine.public_id, str(mine.number))))}
        if label != SPLIT_V2:
            parameters["message_id"] = data.draw(st.sampled_from(world.drafts))
        case.path_parameters = parameters
    elif label == DOWNLOAD_V2:
        known = data.draw(st.sampled_from(world.files))
        if path:
            case.path_parameters = {"attachment_id": known.public_id}
        if query:
            ticket = data.draw(st.sampled_from((known.ticket.public_id, str(known.ticket.number))))
            case.query = {**case.query, "ticketId": ticket}
    elif label == ERROR_CODE and path:
        case.path_parameters = {"code": data.draw(st.sampled_from(sorted(CODES)))}
    elif label == LIST_V2 and query:
        values = dict(case.query)
        if data.draw(st.booleans()):
            slugs = (world.dept_slug, world.hidden_dept_slug)
            values["departmentSlug"] = data.draw(st.sampled_from(slugs))
        if data.draw(st.booleans()):
            values["cursor"] = world.cursor
        case.query = values


def _valid_body(
    body: dict[str, Any], label: str, world: FuzzWorld, viewer: str, data: st.DataObject
) -> dict[str, Any]:
    """The references of a valid body made to name what exists and the key may use."""
    staff = viewer == "staff"
    if label == CREATE_V1:
        body["dept_id"] = data.draw(
            st.sampled_from((world.dept_id, world.hidden_dept_id) if staff else (world.dept_id,))
        )
        if staff and body.get("name") and body.get("email") and data.draw(st.booleans()):
            # A guest (name and email, as drawn): no client, so no client's service either.
            body["client_id"] = body["context"] = None
        elif staff:
            body["client_id"] = world.client_id  # a staff key names the client
        if body.get("context") is not None:
            body["context"] = {"service_type": "vps", "service_id": world.service_id}
    elif label == CREATE_V2:
        body["departmentSlug"] = data.draw(
            st.sampled_from(
                (world.dept_slug, world.hidden_dept_slug) if staff else (world.dept_slug,)
            )
        )
        if staff:
            body["clientId"] = world.client_id
        if body.get("context") is not None:
            body["context"] = {"serviceType": "vps", "serviceId": world.service_id}
        if body.get("priority") == "critical" and not body.get("criticalReason"):
            body["criticalReason"] = "The whole site is down."  # required for critical
        if "attachmentIds" in body:
            body["attachmentIds"] = _upload_ids(world, viewer, data)
    elif label == MESSAGE_V2 and "attachmentIds" in body:
        body["attachmentIds"] = _upload_ids(world, viewer, data)
    elif label == MERGE_V2:
        body["intoTicketId"] = _ticket_ref(world, data)
    elif label == SPLIT_V2:
        body["messageId"] = data.draw(st.sampled_from(world.sent))
    elif label == PATCH_V2:
        body = _ticket_change(body, world, data)
    elif label == BULK_V2:
        refs = [*(t.public_id for t in world.tickets), *(t.number for t in world.tickets)]
        if isinstance(body.get("ticketIds"), list):
            # Three of four items name a ticket (a number or text); the others stay as drawn.
            body["ticketIds"] = [
                data.draw(st.sampled_from(refs)) if data.draw(st.integers(0, 3)) else item
                for item in body["ticketIds"]
            ]
        if isinstance(body.get("changes"), dict):
            body["changes"] = _ticket_change(dict(body["changes"]), world, data)
    elif label == MACRO_V2:
        body["macroId"] = data.draw(st.sampled_from(world.macros))
    elif label == UPLOAD_V2:
        if not data.draw(st.booleans()):
            # As text: the document's `file` is a string, and bytes would make the case invalid.
            body["file"] = LOG.decode()
        if body.get("ticketId") is not None or data.draw(st.booleans()):
            body["ticketId"] = _ticket_ref(world, data)
    return body


def _ticket_change(body: dict[str, Any], world: FuzzWorld, data: st.DataObject) -> dict[str, Any]:
    """A ticket change (a PATCH, a bulk change's `changes`) whose references name what exists:
    a status, the staff member, a department; `tags` or `addTags`/`removeTags`, not both; half
    of the deadlines one the desk takes (the others as drawn: most fall before 1970)."""
    if body.get("status") is not None:
        body["status"] = data.draw(st.sampled_from(STATUS_NAMES))
    if body.get("ownerId") is not None:
        body["ownerId"] = world.staff_id
    if body.get("subscriberIds"):
        body["subscriberIds"] = [world.staff_id]
    if body.get("departmentSlug") is not None:
        slugs = (world.dept_slug, world.hidden_dept_slug)
        body["departmentSlug"] = data.draw(st.sampled_from(slugs))
    if body.get("tags") is not None and (
        body.get("addTags") is not None or body.get("removeTags") is not None
    ):
        if data.draw(st.booleans()):
            body["tags"] = None
        else:
            body["addTags"] = body["removeTags"] = None
    if body.get("deadline") is not None and data.draw(st.booleans()):
        body["deadline"] = data.draw(st.sampled_from(DEADLINES))
    return body


# --- what the contract refuses although the document admits it ---------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    """The refusal a rule of the contract gives a case the document admits: the status and
    the `code` of the body (v1's upper-case codes, v2's problem codes)."""

    status: int
    code: str
    # The case also names a ticket, and may hear first that no such ticket is visible.
    or_not_found: bool = False
    # Other refusals it may get instead (status, code), when more than one rule refuses it.
    alternatives: tuple[tuple[int, str], ...] = ()


TEXTS = {
    CREATE_V1: ("subject", "body", "ai_summary", "name", "email", "context.service_name"),
    CREATE_V2: ("subject", "message", "aiSummary", "criticalReason", "ccEmails"),
    MESSAGE_V2: ("message",),
    ADD_NOTE_V2: ("body",),
    EDIT_NOTE_V2: ("body",),
    PATCH_V2: ("subject", "status"),
    BULK_V2: ("note", "changes.subject", "changes.status"),
}
EMAILS = {CREATE_V1: "email", CREATE_V2: "ccEmails"}
# Unicode's White_Space: what the server trims, and its pattern's `\s`.
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)

_ADDRESS_PART = f"[^@,;<>\\x00-\\x1f\\x7f{re.escape(WHITE_SPACE)}]+"
ADDRESS = re.compile(f"{_ADDRESS_PART}@{_ADDRESS_PART}")


def _strings(body: dict[str, Any], dotted: str) -> list[str]:
    """The text at `dotted` in the body (each item, for a list)."""
    value: Any = body
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return [
        item for item in (value if isinstance(value, list) else [value]) if isinstance(item, str)
    ]


def _refused_by_contract(
    case: Any, label: str, world: FuzzWorld, viewer: str | None = None
) -> Refusal | None:
    """The rule of the contract (../shared/contract) that refuses this valid case, if any."""
    body = case.body if isinstance(case.body, dict) else {}
    query = case.query or {}
    invalid = Refusal(400, "VALIDATION_ERROR" if label == CREATE_V1 else "invalid_request")
    if label == LIST_V2 and list_refusals(viewer, query):
        return invalid
    if label == LIST_V2 and query.get("cursor") is not None and other_order(query):
        return Refusal(400, "invalid_cursor")
    if staff_message_refusals({"viewer": viewer or "staff"}, label, body, (400, "invalid_request")):
        # desk.md: a staff message's options (tests/fuzz_refusals.py); the ticket or the
        # message it names may not be there (404 first).
        return Refusal(400, "invalid_request", or_not_found=True)
    if label in DESK and viewer != "staff":
        return None  # the key is refused first (401, 403), whatever the body holds
    if strict_integer_refused(label, body):
        # Integers are strict (not 2.0, "2" or true); to JSON Schema 2.0 is an integer
        # (tests/fuzz_refusals.py: STRICT_INTEGERS).
        return invalid
    desk = desk_refusals(_desk_known(world), label, case, body) if label in DESK else []
    if desk:
        # desk.md (tests/fuzz_refusals.py): references that name nothing, the desk's deadline
        # range, an If-Match not current, a blank subject. The ticket may not be there (404).
        (_, status, code, _), *others = desk
        alternatives = tuple((s, c) for _, s, c, _ in others)
        return Refusal(status, code, or_not_found=True, alternatives=alternatives)
    texts = [text for name in TEXTS.get(label, ()) for text in _strings(body, name)]
    if label == LIST_V2:
        texts.append(str(query.get("departmentSlug") or ""))
    if any("\x00" in text for text in texts):
        # "Text containing NUL bytes is rejected with 400 on every backend" (README.md).
        return invalid
    addresses = _strings(body, EMAILS[label]) if label in EMAILS else []
    if not all(ADDRESS.fullmatch(address.strip(WHITE_SPACE)) for address in addresses):
        # The address pattern's `\s`: schemathesis reads it as ASCII white space, like the
        # validators it mimics; ECMA-262 (JSON Schema's dialect) adds U+00A0, U+2000-U+200A,
        # U+3000...; the server (Rust regex), which also trims the address first, all of
        # Unicode's White_Space, U+0085 too.
        return invalid
    subject = body.get("subject") if label in (CREATE_V1, CREATE_V2, SPLIT_V2) else None
    if isinstance(subject, str) and not subject.strip(WHITE_SPACE):
        # "1–255 characters after trimming" (v1.md); the document says minLength 1.
        return invalid
    cursor_route = label == LIST_V2 or (label == EVENTS_V2 and viewer == "staff")
    if cursor_route and query.get("cursor") not in (None, world.cursor):
        # "the cursor is opaque ... a tampered one gets invalid_cursor" (v2.md).
        return Refusal(400, "invalid_cursor")
    if label in (DOWNLOAD_V1, DOWNLOAD_V2):
        return _unsatisfiable_range(case, label, world)
    if label == UPLOAD_V2 and isinstance(body.get("file"), str):
        data = body["file"].encode("utf-8", "surrogatepass")
        # A `null` ticketId goes out as the text "null": it names a ticket (none) too.
        names_ticket = body.get("ticketId", "") != ""
        if not data:
            return Refusal(400, "invalid_request", names_ticket)  # an empty file is no file
        try:
            # "disallowed types 415" (v2.md): the type comes from the bytes, by an allowlist.
            detect_content_type(data, "file")
        except UnsupportedMediaType:
            return Refusal(415, "unsupported_media_type", names_ticket)
    return None


def _desk_known(world: FuzzWorld) -> dict[str, Any]:
    """What the staff key may name, as tests/fuzz_refusals.py reads it."""
    return {
        "viewer": "staff",
        "slugs": [world.dept_slug, world.hidden_dept_slug],
        "staff_ids": [world.staff_id],
        "macro_ids": list(world.macros),
    }


def _unsatisfiable_range(case: Any, label: str, world: FuzzWorld) -> Refusal | None:
    """A `Range` that starts past the end of a known file: 416 (RFC 9110 §15.5.17; the
    document's `Range` is any text, as the size is the file's). Not when `If-None-Match`
    answers first (304) or an `If-Range` other than the file's tag has the range ignored."""
    headers = {name.lower(): value for name, value in (case.headers or {}).items()}
    path = case.path_parameters or {}
    named = path.get("attachment_id")
    known = next((f for f in world.files if named in (f.id, str(f.id), f.public_id)), None)
    asked = headers.get("range")
    if known is None or not isinstance(asked, str):
        return None
    if_none_match, if_range = headers.get("if-none-match"), headers.get("if-range")
    if isinstance(if_none_match, str) and matches(if_none_match, known.etag):
        return None
    if if_range is not None and if_range != known.etag:
        return None
    try:
        requested_span(asked, known.size)
    except RangeNotSatisfiable:
        code = "RANGE_NOT_SATISFIABLE" if label == DOWNLOAD_V1 else "range_not_satisfiable"
        return Refusal(416, code, or_not_found=True)
    return None


def _invalid_only_in_the_document(case: Any, label: str) -> bool:
    """An invalid upload whose `file` is there. A form part is text on the wire: a `file`
    made a number, `null` or an object goes out as its JSON spelling (`null`), a file like any
    other, so `negative_data_rejection` cannot apply. (A `ticketId` of another type goes out
    as text too, naming no ticket: 404, a rejection either way.)"""
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    return label == UPLOAD_V2 and negative and isinstance(case.body, dict) and "file" in case.body


def _check_refusal(case: Any, response: Any, refusal: Refusal, keyless: bool) -> None:
    shown = f"{refusal}\n{case.as_curl_command()}\n-> {response.status_code} {response.text}"
    if keyless:
        assert response.status_code == 401, shown  # the key is checked first
        return
    code = response.json().get("code")
    if refusal.or_not_found and response.status_code == 404:
        assert code in ("not_found", "NOT_FOUND", "attachment_not_found"), shown
        return
    expected = {(refusal.status, refusal.code), *refusal.alternatives}
    assert (response.status_code, code) in expected, shown


# --- the test ------------------------------------------------------------------------------------


def _document() -> dict[str, Any]:
    # Building the app opens no connection: the database named here is never touched.
    unused = Path(tempfile.gettempdir()) / "supportdesk-openapi-only.db"
    app = create_app(
        Settings(database_url=f"sqlite:///{unused}", rate_limit_storage_url="memory://")
    )
    return app.openapi()


# The admin routes (`admin:support`) are fuzzed by tests/test_schemathesis_cli.py, with a key
# that holds the scope and every check; here every key would be refused them (403) and an
# operation that never answers 2xx fails `_expect_mix`.
schema = schemathesis.openapi.from_dict(_document()).exclude(path_regex="^/api/v2/admin/")


def _label(result: Ok[APIOperation[Any, Any, Any, Any]] | Err[InvalidSchema]) -> str:
    if isinstance(result, Err):
        raise result.err()
    return result.ok().label


OPERATIONS = [_label(result) for result in schema.get_all_operations()]


@schema.parametrize()
@schema.given(viewer=st.sampled_from(VIEWERS), data=st.data())
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_operation_conforms_to_its_schema(
    case: Any,
    fuzz_app: FastAPI,
    fuzz_world: FuzzWorld,
    fuzz_stats: Counter[str],
    viewer: str,
    data: st.DataObject,
) -> None:
    label = case.operation.label
    unseen = [v for v in ("nobody", "client", "staff") if not fuzz_stats[v]]
    if unseen and fuzz_stats["cases"] >= 8:
        # Hypothesis may draw one viewer for most cases of an operation without parameters:
        # after 8 cases, each viewer not drawn yet gets the next case.
        viewer = unseen[0]
    _point_at_known(case, label, fuzz_world, viewer, data)
    key = fuzz_world.key(viewer)
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    refusal = _refused_by_contract(case, label, fuzz_world, viewer) if positive else None
    excluded = [positive_data_acceptance] if refusal is not None else []
    if _invalid_only_in_the_document(case, label):
        excluded.append(negative_data_rejection)
    if label in (DOWNLOAD_V1, DOWNLOAD_V2) and any(
        name.lower() == "range" for name in case.headers or {}
    ):
        # A byte range of a stored JSON file is sent with the file's type (RFC 9110 §15.3.7)
        # but is not JSON itself: schemathesis would parse it as JSON whatever its schema
        # says. Its status, headers and content type are still checked.
        excluded.append(response_schema_conformance)
    # `ignored_auth` probes the operation again without the key, through the schema's own
    # transport (schemathesis 4.32 ignores the `app` passed below for those probes).
    case.operation.schema.app = fuzz_app
    try:
        response = case.call_and_validate(
            app=fuzz_app, headers={"X-API-Key": key} if key else {}, excluded_checks=excluded
        )
        if refusal is not None:
            keyless = key is None and label not in UNAUTHENTICATED
            _check_refusal(case, response, refusal, keyless)
    except BaseException:
        fuzz_stats["failed"] += 1
        raise
    status = response.status_code
    fuzz_stats.update(["cases", viewer, str(status), f"{viewer} {status // 100}xx"])
    if refusal is not None:
        fuzz_stats["refused by contract"] += 1
