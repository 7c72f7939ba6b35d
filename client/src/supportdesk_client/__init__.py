"""supportdesk_client: the Python library of supportdesk's API (both generations, the desk).

    from supportdesk_client import Client, NotFound

    with Client("http://127.0.0.1:8080", "sd_live_...") as client:   # or SUPPORTDESK_URL/_API_KEY
        for ticket in client.tickets.list(status="open", q="backup"):  # follows the cursor
            print(ticket.number, ticket.subject)
        ticket = client.tickets.create("technical-support", "Site down", "Since 09:00 ...")
        client.tickets.reply(ticket.id, "More detail ...")
        client.tickets.close(ticket.id)

`AsyncClient` has the same surface with `async with`, awaited methods and `async for` lists.

The stable API (ids are `tkt_...` or the ticket number, `TicketId`):

- `client.tickets`: `list(**filters) -> Paginator[Ticket]` (filters: status, q, department_slug,
  limit, and for staff owner_id, client_id, priority, tag, escalated, overdue, unread, sort);
  `page(cursor=None, **filters) -> Page[Ticket]` (one page, for callers that keep the cursor);
  `get(id) -> Ticket`; `create(department_slug, subject, message, **extra) -> Ticket`;
  `reply(id, message, **extra) -> Message`; `close(id)`, `reopen(id) -> Ticket`.
  Staff (`manage:support`): `update(id, if_match=None, **changes) -> Ticket`;
  `notes.list(id) / .add(id, body) / .edit(id, note_id, body) / .delete(id, note_id)`;
  `merge(id, into) -> Ticket` (the ticket merged into); `split(id, message_id, subject)`;
  `events(id) -> Paginator[Event]` (the timeline); `bulk(ids, note=None, **changes) ->
  list[BulkResult]`; `apply_macro(id, macro_id, preview=False)`; `edit_message`, `send_message`.
- `client.departments.list() -> list[Department]`; `client.macros.list()` (staff).
- `client.attachments.upload(file, filename=None, content_type=None, ticket_id=None) -> Upload`
  (`upload.attachment_id` goes into `attachment_ids=[...]`); `.download(id, ticket_id=) ->
  Download` (content, content_type, filename).
- `client.admin.<resource>` for `admin:support` keys, each with `list(**filters)` (a Paginator
  of dicts), `get`, `create(**fields)`, `update(id, **fields)`, `delete(id)`, where the server
  has them: staff, clients, client_groups, services, departments, statuses, sla_policies,
  macros, webhooks, keys; `client.admin.client_services(client_id)`.
- `client.v1.tickets.get(number) / .create(dept_id, subject, body, priority, **extra) ->
  V1Ticket`, `client.v1.tickets.download(number, attachment_id)`,
  `client.v1.departments.list() -> list[V1Department]`.
- `client.send(call)` sends any `Call` (the escape hatch for routes not wrapped here).

Keyword arguments are snake_case and sent camelCase (`owner_id` → `ownerId`). Every model keeps
its JSON in `.raw` (unknown fields included); `.to_dict()` gives a copy.

Every POST carries an `Idempotency-Key` (a fresh uuid4 unless `idempotency_key=` is passed),
so a retried POST cannot open a second ticket or send a second reply. Retries: see
`RetryPolicy`; timeouts: 30 s (5 s to connect) unless `timeout=` says otherwise. Errors: the tree
in `supportdesk_client._errors` (`SupportdeskError` and its subclasses, all exported here).
The key is sent as `Authorization: Bearer` and never shown by a repr, a log line or an error.
"""

from supportdesk_client._async import AsyncClient, AsyncPaginator
from supportdesk_client._calls import (
    DraftEdit,
    NewMessage,
    NewTicket,
    NewV1Ticket,
    TicketChanges,
    TicketFilters,
    TicketId,
)
from supportdesk_client._core import IDEMPOTENCY_HEADER, Call, RetryPolicy, __version__
from supportdesk_client._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    SupportdeskError,
    ValidationError,
)
from supportdesk_client._models import (
    Actor,
    Attachment,
    BulkResult,
    Department,
    Desk,
    Download,
    Event,
    LinkedService,
    Message,
    Note,
    Page,
    Person,
    Ticket,
    Upload,
    V1Department,
    V1Ticket,
)
from supportdesk_client._sync import Client, Paginator

__all__ = [
    "IDEMPOTENCY_HEADER",
    "APIConnectionError",
    "APITimeoutError",
    "Actor",
    "AsyncClient",
    "AsyncPaginator",
    "Attachment",
    "AuthenticationError",
    "BulkResult",
    "Call",
    "Client",
    "Conflict",
    "Department",
    "Desk",
    "Download",
    "DraftEdit",
    "Event",
    "FieldError",
    "LinkedService",
    "Message",
    "NewMessage",
    "NewTicket",
    "NewV1Ticket",
    "NotFound",
    "Note",
    "Page",
    "Paginator",
    "PermissionDenied",
    "Person",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "SupportdeskError",
    "Ticket",
    "TicketChanges",
    "TicketFilters",
    "TicketId",
    "Upload",
    "V1Department",
    "V1Ticket",
    "ValidationError",
    "__version__",
]
