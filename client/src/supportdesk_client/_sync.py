"""`Client`: the synchronous client and its resources (each method builds a `_calls` call)."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, Unpack

import httpx

from supportdesk_client import _calls as calls
from supportdesk_client._calls import (
    DraftEdit,
    FileInput,
    Json,
    NewMessage,
    NewTicket,
    NewV1Ticket,
    TicketChanges,
    TicketFilters,
    TicketId,
)
from supportdesk_client._core import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Call,
    RetryPolicy,
    build_request,
    check_base_url,
    check_key,
    client_headers,
    connection_error,
    finish,
    log_retry,
    repr_client,
)
from supportdesk_client._models import (
    BulkResult,
    Department,
    Download,
    Event,
    Message,
    Note,
    Page,
    Ticket,
    Upload,
    V1Department,
    V1Ticket,
)

T = TypeVar("T")


class Paginator(Generic[T]):
    """Iterates every item of a cursor-paged list, fetching the next page when one runs out.

    `pages()` iterates the pages themselves; `first_page()` fetches only the first.
    """

    def __init__(self, fetch: Callable[[str | None], Page[T]]) -> None:
        self._fetch = fetch

    def pages(self) -> Iterator[Page[T]]:
        cursor: str | None = None
        while True:
            page = self._fetch(cursor)
            yield page
            if not page.has_more or not page.next_cursor or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def first_page(self) -> Page[T]:
        return self._fetch(None)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client

    def _send(self, call: Call[T]) -> T:
        return self._client.send(call)


class Notes(_Resource):
    """Internal notes of a ticket (staff keys with `manage:support`)."""

    def list(self, ticket_id: TicketId) -> list[Note]:
        return self._send(calls.list_notes(ticket_id))

    def add(self, ticket_id: TicketId, body: str, *, idempotency_key: str | None = None) -> Note:
        return self._send(calls.add_note(ticket_id, body, idempotency_key))

    def edit(self, ticket_id: TicketId, note_id: str, body: str) -> Note:
        return self._send(calls.edit_note(ticket_id, note_id, body))

    def delete(self, ticket_id: TicketId, note_id: str) -> None:
        self._send(calls.delete_note(ticket_id, note_id))


class Tickets(_Resource):
    """v2 tickets: what every key may do, and the desk for staff keys."""

    def __init__(self, client: Client) -> None:
        super().__init__(client)
        self.notes = Notes(client)

    def list(self, **filters: Unpack[TicketFilters]) -> Paginator[Ticket]:
        return Paginator(lambda cursor: self._send(calls.list_tickets(cursor, filters)))

    def page(self, cursor: str | None = None, **filters: Unpack[TicketFilters]) -> Page[Ticket]:
        return self._send(calls.list_tickets(cursor, filters))

    def get(self, ticket_id: TicketId) -> Ticket:
        return self._send(calls.get_ticket(ticket_id))

    def create(
        self,
        department_slug: str,
        subject: str,
        message: str,
        *,
        idempotency_key: str | None = None,
        **extra: Unpack[NewTicket],
    ) -> Ticket:
        call = calls.create_ticket(department_slug, subject, message, idempotency_key, extra)
        return self._send(call)

    def reply(
        self,
        ticket_id: TicketId,
        message: str,
        *,
        idempotency_key: str | None = None,
        **extra: Unpack[NewMessage],
    ) -> Message:
        return self._send(calls.reply(ticket_id, message, idempotency_key, extra))

    def close(self, ticket_id: TicketId, *, idempotency_key: str | None = None) -> Ticket:
        return self._send(calls.action(ticket_id, "close", idempotency_key))

    def reopen(self, ticket_id: TicketId, *, idempotency_key: str | None = None) -> Ticket:
        return self._send(calls.action(ticket_id, "reopen", idempotency_key))

    def update(
        self, ticket_id: TicketId, *, if_match: str | None = None, **changes: Unpack[TicketChanges]
    ) -> Ticket:
        return self._send(calls.update_ticket(ticket_id, if_match, changes))

    def merge(
        self,
        ticket_id: TicketId,
        into: TicketId,
        *,
        allow_different_clients: bool = False,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Merge `ticket_id` into `into`; returns the ticket merged into."""
        call = calls.merge(ticket_id, into, allow_different_clients, idempotency_key)
        return self._send(call)

    def split(
        self,
        ticket_id: TicketId,
        message_id: str,
        subject: str,
        *,
        idempotency_key: str | None = None,
    ) -> Ticket:
        return self._send(calls.split(ticket_id, message_id, subject, idempotency_key))

    def events(self, ticket_id: TicketId, *, limit: int | None = None) -> Paginator[Event]:
        return Paginator(lambda cursor: self._send(calls.events(ticket_id, cursor, limit)))

    def bulk(
        self,
        ticket_ids: Sequence[TicketId],
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
        **changes: Unpack[TicketChanges],
    ) -> builtins.list[BulkResult]:
        return self._send(calls.bulk(ticket_ids, changes, note, idempotency_key))

    def apply_macro(
        self,
        ticket_id: TicketId,
        macro_id: int,
        *,
        preview: bool = False,
        idempotency_key: str | None = None,
    ) -> Json:
        return self._send(calls.apply_macro(ticket_id, macro_id, preview, idempotency_key))

    def edit_message(
        self, ticket_id: TicketId, message_id: str, **changes: Unpack[DraftEdit]
    ) -> Message:
        return self._send(calls.edit_message(ticket_id, message_id, changes))

    def send_message(
        self, ticket_id: TicketId, message_id: str, *, idempotency_key: str | None = None
    ) -> Message:
        return self._send(calls.send_message(ticket_id, message_id, idempotency_key))


class Departments(_Resource):
    def list(self) -> list[Department]:
        return self._send(calls.departments())


class Attachments(_Resource):
    def upload(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        ticket_id: TicketId | None = None,
        idempotency_key: str | None = None,
    ) -> Upload:
        return self._send(calls.upload(file, filename, content_type, ticket_id, idempotency_key))

    def download(self, attachment_id: str, *, ticket_id: TicketId) -> Download:
        return self._send(calls.download(attachment_id, ticket_id))


class Macros(_Resource):
    def list(self) -> list[Json]:
        return self._send(calls.macros())


class AdminResource(_Resource):
    """One administration resource (`/api/v2/admin/<path>`), answered as JSON dicts."""

    def __init__(self, client: Client, path: str) -> None:
        super().__init__(client)
        self.path = path

    def list(self, **filters: Any) -> Paginator[Json]:
        return Paginator(lambda cursor: self._send(calls.admin_list(self.path, cursor, filters)))

    def get(self, item_id: int | str) -> Json:
        return self._send(calls.admin_get(self.path, item_id))

    def create(self, *, idempotency_key: str | None = None, **fields: Any) -> Json:
        return self._send(calls.admin_create(self.path, fields, idempotency_key))

    def update(self, item_id: int | str, **fields: Any) -> Json:
        return self._send(calls.admin_update(self.path, item_id, fields))

    def delete(self, item_id: int | str) -> Json | None:
        return self._send(calls.admin_delete(self.path, item_id))


class Admin:
    """The administration resources of an `admin:support` key (see desk.md)."""

    def __init__(self, client: Client) -> None:
        self.staff = AdminResource(client, "staff")
        self.clients = AdminResource(client, "clients")
        self.client_groups = AdminResource(client, "client-groups")
        self.services = AdminResource(client, "services")
        self.departments = AdminResource(client, "departments")
        self.statuses = AdminResource(client, "statuses")
        self.sla_policies = AdminResource(client, "sla-policies")
        self.macros = AdminResource(client, "macros")
        self.webhooks = AdminResource(client, "webhooks")
        self.keys = AdminResource(client, "keys")
        self._client = client

    def client_services(self, client_id: int) -> AdminResource:
        """`/admin/clients/{id}/services` (list, create)."""
        return AdminResource(self._client, f"clients/{client_id}/services")


class V1Tickets(_Resource):
    def get(self, number: int | str) -> V1Ticket:
        return self._send(calls.v1_ticket(number))

    def create(
        self,
        dept_id: int,
        subject: str,
        body: str,
        priority: int,
        *,
        idempotency_key: str | None = None,
        **extra: Unpack[NewV1Ticket],
    ) -> V1Ticket:
        return self._send(calls.v1_create(dept_id, subject, body, priority, idempotency_key, extra))

    def download(self, number: int | str, attachment_id: int | str) -> Download:
        return self._send(calls.v1_download(number, attachment_id))


class V1Departments(_Resource):
    def list(self) -> list[V1Department]:
        return self._send(calls.v1_departments())


class V1:
    def __init__(self, client: Client) -> None:
        self.tickets = V1Tickets(client)
        self.departments = V1Departments(client)


class Client:
    """The synchronous client. `base_url` and `api_key` default to `SUPPORTDESK_URL` and
    `SUPPORTDESK_API_KEY`; `transport` replaces the network (tests: `httpx.MockTransport`)."""

    def __init__(
        self,
        base_url: str | httpx.URL | None = None,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.retry = RetryPolicy(max_retries=max_retries)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=client_headers(check_key(api_key), headers),
            timeout=timeout,
            transport=transport,
        )
        self._sleep: Callable[[float], None] = time.sleep
        self.tickets = Tickets(self)
        self.departments = Departments(self)
        self.attachments = Attachments(self)
        self.macros = Macros(self)
        self.admin = Admin(self)
        self.v1 = V1(self)

    def send(self, call: Call[T]) -> T:
        """Send one call, retrying as `self.retry` says; the parsed answer or an exception."""
        request = build_request(self._http, call)
        attempt = 0
        while True:
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                wait = self.retry.wait(request, attempt, error=error)
                if wait is None:
                    raise connection_error(error, request) from error
                log_retry(request, attempt, wait, type(error).__name__)
            else:
                wait = self.retry.wait(request, attempt, response=response)
                if wait is None:
                    return finish(call, response)
                log_retry(request, attempt, wait, f"HTTP {response.status_code}")
            self._sleep(wait)
            attempt += 1

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr_client(type(self).__name__, self.base_url)
