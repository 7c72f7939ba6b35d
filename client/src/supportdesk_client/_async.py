"""`AsyncClient`: the asyncio client; the same resources and methods as `Client`, awaited.

`list` and `events` return an `AsyncPaginator` (use `async for`); everything else is a coroutine.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
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


class AsyncPaginator(Generic[T]):
    """`async for` over every item of a cursor-paged list, page after page."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch

    async def pages(self) -> AsyncIterator[Page[T]]:
        cursor: str | None = None
        while True:
            page = await self._fetch(cursor)
            yield page
            if not page.has_more or not page.next_cursor or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    async def first_page(self) -> Page[T]:
        return await self._fetch(None)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item


class _Resource:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _send(self, call: Call[T]) -> T:
        return await self._client.send(call)


class AsyncNotes(_Resource):
    """Internal notes of a ticket (staff keys with `manage:support`)."""

    async def list(self, ticket_id: TicketId) -> list[Note]:
        return await self._send(calls.list_notes(ticket_id))

    async def add(
        self, ticket_id: TicketId, body: str, *, idempotency_key: str | None = None
    ) -> Note:
        return await self._send(calls.add_note(ticket_id, body, idempotency_key))

    async def edit(self, ticket_id: TicketId, note_id: str, body: str) -> Note:
        return await self._send(calls.edit_note(ticket_id, note_id, body))

    async def delete(self, ticket_id: TicketId, note_id: str) -> None:
        await self._send(calls.delete_note(ticket_id, note_id))


class AsyncTickets(_Resource):
    """v2 tickets: what every key may do, and the desk for staff keys."""

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.notes = AsyncNotes(client)

    def list(self, **filters: Unpack[TicketFilters]) -> AsyncPaginator[Ticket]:
        return AsyncPaginator(lambda cursor: self._send(calls.list_tickets(cursor, filters)))

    async def page(
        self, cursor: str | None = None, **filters: Unpack[TicketFilters]
    ) -> Page[Ticket]:
        return await self._send(calls.list_tickets(cursor, filters))

    async def get(self, ticket_id: TicketId) -> Ticket:
        return await self._send(calls.get_ticket(ticket_id))

    async def create(
        self,
        department_slug: str,
        subject: str,
        message: str,
        *,
        idempotency_key: str | None = None,
        **extra: Unpack[NewTicket],
    ) -> Ticket:
        call = calls.create_ticket(department_slug, subject, message, idempotency_key, extra)
        return await self._send(call)

    async def reply(
        self,
        ticket_id: TicketId,
        message: str,
        *,
        idempotency_key: str | None = None,
        **extra: Unpack[NewMessage],
    ) -> Message:
        return await self._send(calls.reply(ticket_id, message, idempotency_key, extra))

    async def close(self, ticket_id: TicketId, *, idempotency_key: str | None = None) -> Ticket:
        return await self._send(calls.action(ticket_id, "close", idempotency_key))

    async def reopen(self, ticket_id: TicketId, *, idempotency_key: str | None = None) -> Ticket:
        return await self._send(calls.action(ticket_id, "reopen", idempotency_key))

    async def update(
        self, ticket_id: TicketId, *, if_match: str | None = None, **changes: Unpack[TicketChanges]
    ) -> Ticket:
        return await self._send(calls.update_ticket(ticket_id, if_match, changes))

    async def merge(
        self,
        ticket_id: TicketId,
        into: TicketId,
        *,
        allow_different_clients: bool = False,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Merge `ticket_id` into `into`; returns the ticket merged into."""
        call = calls.merge(ticket_id, into, allow_different_clients, idempotency_key)
        return await self._send(call)

    async def split(
        self,
        ticket_id: TicketId,
        message_id: str,
        subject: str,
        *,
        idempotency_key: str | None = None,
    ) -> Ticket:
        return await self._send(calls.split(ticket_id, message_id, subject, idempotency_key))

    def events(self, ticket_id: TicketId, *, limit: int | None = None) -> AsyncPaginator[Event]:
        return AsyncPaginator(lambda cursor: self._send(calls.events(ticket_id, cursor, limit)))

    async def bulk(
        self,
        ticket_ids: Sequence[TicketId],
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
        **changes: Unpack[TicketChanges],
    ) -> builtins.list[BulkResult]:
        return await self._send(calls.bulk(ticket_ids, changes, note, idempotency_key))

    async def apply_macro(
        self,
        ticket_id: TicketId,
        macro_id: int,
        *,
        preview: bool = False,
        idempotency_key: str | None = None,
    ) -> Json:
        return await self._send(calls.apply_macro(ticket_id, macro_id, preview, idempotency_key))

    async def edit_message(
        self, ticket_id: TicketId, message_id: str, **changes: Unpack[DraftEdit]
    ) -> Message:
        return await self._send(calls.edit_message(ticket_id, message_id, changes))

    async def send_message(
        self, ticket_id: TicketId, message_id: str, *, idempotency_key: str | None = None
    ) -> Message:
        return await self._send(calls.send_message(ticket_id, message_id, idempotency_key))


class AsyncDepartments(_Resource):
    async def list(self) -> list[Department]:
        return await self._send(calls.departments())


class AsyncAttachments(_Resource):
    async def upload(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        ticket_id: TicketId | None = None,
        idempotency_key: str | None = None,
    ) -> Upload:
        return await self._send(
            calls.upload(file, filename, content_type, ticket_id, idempotency_key)
        )

    async def download(self, attachment_id: str, *, ticket_id: TicketId) -> Download:
        return await self._send(calls.download(attachment_id, ticket_id))


class AsyncMacros(_Resource):
    async def list(self) -> list[Json]:
        return await self._send(calls.macros())


class AsyncAdminResource(_Resource):
    """One administration resource (`/api/v2/admin/<path>`), answered as JSON dicts."""

    def __init__(self, client: AsyncClient, path: str) -> None:
        super().__init__(client)
        self.path = path

    def list(self, **filters: Any) -> AsyncPaginator[Json]:
        return AsyncPaginator(
            lambda cursor: self._send(calls.admin_list(self.path, cursor, filters))
        )

    async def get(self, item_id: int | str) -> Json:
        return await self._send(calls.admin_get(self.path, item_id))

    async def create(self, *, idempotency_key: str | None = None, **fields: Any) -> Json:
        return await self._send(calls.admin_create(self.path, fields, idempotency_key))

    async def update(self, item_id: int | str, **fields: Any) -> Json:
        return await self._send(calls.admin_update(self.path, item_id, fields))

    async def delete(self, item_id: int | str) -> Json | None:
        return await self._send(calls.admin_delete(self.path, item_id))


class AsyncAdmin:
    """The administration resources of an `admin:support` key (see desk.md)."""

    def __init__(self, client: AsyncClient) -> None:
        self.staff = AsyncAdminResource(client, "staff")
        self.clients = AsyncAdminResource(client, "clients")
        self.client_groups = AsyncAdminResource(client, "client-groups")
        self.services = AsyncAdminResource(client, "services")
        self.departments = AsyncAdminResource(client, "departments")
        self.statuses = AsyncAdminResource(client, "statuses")
        self.sla_policies = AsyncAdminResource(client, "sla-policies")
        self.macros = AsyncAdminResource(client, "macros")
        self.webhooks = AsyncAdminResource(client, "webhooks")
        self.keys = AsyncAdminResource(client, "keys")
        self._client = client

    def client_services(self, client_id: int) -> AsyncAdminResource:
        """`/admin/clients/{id}/services` (list, create)."""
        return AsyncAdminResource(self._client, f"clients/{client_id}/services")


class AsyncV1Tickets(_Resource):
    async def get(self, number: int | str) -> V1Ticket:
        return await self._send(calls.v1_ticket(number))

    async def create(
        self,
        dept_id: int,
        subject: str,
        body: str,
        priority: int,
        *,
        idempotency_key: str | None = None,
        **extra: Unpack[NewV1Ticket],
    ) -> V1Ticket:
        return await self._send(
            calls.v1_create(dept_id, subject, body, priority, idempotency_key, extra)
        )

    async def download(self, number: int | str, attachment_id: int | str) -> Download:
        return await self._send(calls.v1_download(number, attachment_id))


class AsyncV1Departments(_Resource):
    async def list(self) -> list[V1Department]:
        return await self._send(calls.v1_departments())


class AsyncV1:
    def __init__(self, client: AsyncClient) -> None:
        self.tickets = AsyncV1Tickets(client)
        self.departments = AsyncV1Departments(client)


class AsyncClient:
    """The asyncio client: as `Client`, with `async with` and awaited methods."""

    def __init__(
        self,
        base_url: str | httpx.URL | None = None,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.retry = RetryPolicy(max_retries=max_retries)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=client_headers(check_key(api_key), headers),
            timeout=timeout,
            transport=transport,
        )
        import asyncio  # here, not at the top: `import supportdesk_client` stays light

        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.tickets = AsyncTickets(self)
        self.departments = AsyncDepartments(self)
        self.attachments = AsyncAttachments(self)
        self.macros = AsyncMacros(self)
        self.admin = AsyncAdmin(self)
        self.v1 = AsyncV1(self)

    async def send(self, call: Call[T]) -> T:
        """Send one call, retrying as `self.retry` says; the parsed answer or an exception."""
        request = build_request(self._http, call)
        attempt = 0
        while True:
            try:
                response = await self._http.send(request)
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
            await self._sleep(wait)
            attempt += 1

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return repr_client(type(self).__name__, self.base_url)
