"""The one place where input becomes domain values, for every door (v1, v2 and those to come).

Every text input is valid UTF-8 without NUL (`core.text`) and no longer than the column it lands
in; every integer is within its column's range (`core.columns`, which the tables use too). A
value outside these is refused with a 400 in the door's error shape before it reaches a driver,
so that SQLite and PostgreSQL agree on what is valid. Each type carries its limits into the
OpenAPI document (`maxLength`, `maximum`, `pattern`). The same types serve bodies, path and query
parameters and form fields; a URL whose bytes are not UTF-8 is refused once the key is checked
(`core.text.check_url_is_text`, called by the scope check).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StrictInt,
    StringConstraints,
)
from starlette.exceptions import HTTPException
from starlette.types import Scope

from supportdesk.api.deps import app_state
from supportdesk.auth.dependencies import (
    AdminSupport,
    ManageSupport,
    WriteSupport,
    authenticate,
    check_scope,
)
from supportdesk.core import columns
from supportdesk.core.errors import UnsupportedMediaType, ValidationFailed
from supportdesk.core.scopes import WRITE_SUPPORT
from supportdesk.core.text import ESCAPING_UTF8, NO_NUL_PATTERN, check_url_is_text, text_problem

MAX_ROW_ID = columns.ROW_ID_MAX
MAX_TICKET_NUMBER = columns.TICKET_NUMBER_MAX
# No body any route takes comes near these; past them the body is refused before validation
# walks it (60,000 unknown keys once cost 0.8 s of a worker and a 6 MiB error list).
MAX_JSON_DEPTH = 16
MAX_JSON_MEMBERS = 1_000


def _text(value: object) -> object:
    """Refuse text no database can hold; anything else goes on to the type's own checks."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise ValueError(problem)
    return value


IsText = BeforeValidator(_text)


def _limited(max_length: int, *, min_length: int = 0, strip: bool = False) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=strip or None,
        min_length=min_length or None,
        max_length=max_length,
        pattern=NO_NUL_PATTERN,
    )


# --- text, by the column it lands in ---------------------------------------------------------

Subject = Annotated[str, _limited(columns.SUBJECT_LENGTH, min_length=1, strip=True), IsText]
MessageBody = Annotated[str, _limited(columns.MESSAGE_LENGTH, min_length=1), IsText]
PersonName = Annotated[str, _limited(columns.PERSON_NAME_LENGTH, min_length=1), IsText]
ServiceName = Annotated[str, _limited(columns.SERVICE_NAME_LENGTH), IsText]
AiSummary = Annotated[str, _limited(columns.AI_SUMMARY_LENGTH), IsText]
CriticalReason = Annotated[str, _limited(columns.CRITICAL_REASON_LENGTH, min_length=1), IsText]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=columns.EMAIL_LENGTH,
        pattern=r"^[^@\s,;<>\x00-\x1f\x7f]+@[^@\s,;<>\x00-\x1f\x7f]+$",
    ),
    IsText,
]
Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=columns.SLUG_LENGTH, pattern=r"^[a-z0-9-]+$"),
    IsText,
]
UploadId = Annotated[
    str,
    StringConstraints(
        max_length=columns.PUBLIC_ID_LENGTH, pattern=r"^satt_[0-9a-hjkmnp-tv-z]{26}$"
    ),
    IsText,
]
# A status by its name (`On-Hold`, a custom one) or its v2 name (`on_hold`).
StatusName = Annotated[str, _limited(columns.STATUS_NAME_LENGTH, min_length=1), IsText]
# A v2 reference: a `tkt_`/`tatt_` id or a ticket's number. One that names nothing is a 404 (the
# routes decide); one longer than the id column, or that is no text, is malformed (400).
Reference = Annotated[str, _limited(columns.PUBLIC_ID_LENGTH), IsText]
# Not stored: a full-text search (its words are looked for, nothing of it is parsed as syntax).
SearchText = Annotated[str, _limited(columns.SEARCH_QUERY_LENGTH), IsText]
TagName = Annotated[str, _limited(columns.TAG_NAME_LENGTH, min_length=1), IsText]
# A list's owner filter: `me`, `none` (unassigned) or a staff id.
OwnerFilter = Annotated[
    str, StringConstraints(max_length=10, pattern=r"^(me|none|[1-9][0-9]{0,9})$"), IsText
]
# Not stored: the `code` of an error type URI (the longest is far shorter).
ErrorCodeName = Annotated[str, _limited(columns.SLUG_LENGTH), IsText]

# --- times -----------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    """A time as UTC; one that UTC cannot hold (year 1 east of Greenwich) is refused."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of the range of times.") from None


# A time with its offset (ISO 8601), stored as UTC.
SendAt = Annotated[AwareDatetime, AfterValidator(_utc)]

# --- integers, by the column they are compared with or land in --------------------------------

# Bodies take JSON integers only (not "2", 2.0 or true); path and query values are text digits.
RowId = Annotated[StrictInt, Field(ge=1, le=columns.ROW_ID_MAX)]
RowIdParameter = Annotated[int, Field(ge=1, le=columns.ROW_ID_MAX)]
TicketNumberParameter = Annotated[int, Field(ge=1, le=columns.TICKET_NUMBER_MAX)]


# --- the URL and the request's body -----------------------------------------------------------


async def url_is_text(request: Request) -> None:
    """`core.text.check_url_is_text` for a route that takes no key (authenticated routes have it
    from their scope check)."""
    check_url_is_text(request.scope)


def check_json_media(request: Request) -> None:
    """415 unless the body is declared JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType()


async def json_body(request: Request, principal: WriteSupport) -> None:
    """415 unless the body is declared JSON; after authentication, which outranks it."""
    check_json_media(request)


async def managed_json_body(request: Request, principal: ManageSupport) -> None:
    """`json_body` for the routes of `manage:support` (which need no `write:support`)."""
    check_json_media(request)


async def admin_json_body(request: Request, principal: AdminSupport) -> None:
    """`json_body` for the routes of `admin:support`."""
    check_json_media(request)


def _read_forms_as_escaped_utf8(scope: Scope) -> None:
    """Have a multipart form (sent without a charset, or as UTF-8) read by `ESCAPING_UTF8`, so
    that bytes that are not UTF-8 reach the text validators instead of being read as Latin-1."""
    headers = list(scope["headers"])
    for index, (name, value) in enumerate(headers):
        if name != b"content-type":
            continue
        media, _, params = value.partition(b";")
        if media.strip().lower() != b"multipart/form-data":
            return
        kept = [
            p
            for p in params.split(b";")
            if p.strip() and not p.strip().lower().startswith(b"charset=utf")
        ]
        if any(p.strip().lower().startswith(b"charset=") for p in kept):
            return  # another charset, declared by the client: its text is what it says
        headers[index] = (name, b";".join([media, *kept, b" charset=" + ESCAPING_UTF8.encode()]))
        scope["headers"] = headers
        return


class BodyTooComplex(ValidationFailed):
    default_message = (
        f"The request body is nested more than {MAX_JSON_DEPTH} levels deep or has more than "
        f"{MAX_JSON_MEMBERS} keys and array items."
    )

    def __init__(self) -> None:
        detail = {"pointer": "", "detail": self.default_message, "code": "too_complex"}
        super().__init__(pointer="", details=[detail])


def check_json_shape(document: Any) -> None:
    """BodyTooComplex past the depth or member limits; stops counting as soon as it is past."""
    members = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        members += len(children)
        if depth > MAX_JSON_DEPTH or members > MAX_JSON_MEMBERS:
            raise BodyTooComplex()
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


class BoundedJsonRequest(Request):
    """A request whose JSON body is refused (BodyTooComplex) when absurdly deep or wide."""

    async def json(self) -> Any:
        try:
            document = json.loads(await self.body())
        except RecursionError:
            raise BodyTooComplex() from None
        if isinstance(document, dict | list):
            check_json_shape(document)
        return document


class AuthFirstRoute(APIRoute):
    """A route on which authentication outranks a broken body.

    FastAPI parses a body before it runs any dependency, so a body that is not JSON (or not
    UTF-8, or a broken form) would be refused (400) before the key is looked at. Here such a
    request is authenticated first, and only a caller who passes gets the 400. Every route that
    takes a body needs `write:support`. JSON bodies of absurd shape are refused before they are
    validated (`BoundedJsonRequest`); forms are read as UTF-8 whose invalid bytes stay visible
    (`_read_forms_as_escaped_utf8`).
    """

    # The scopes a caller needs before a broken body is described to it.
    body_scopes: tuple[str, ...] = (WRITE_SUPPORT,)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            _read_forms_as_escaped_utf8(request.scope)
            request = BoundedJsonRequest(request.scope, request.receive)
            try:
                return await handler(request)
            except (RequestValidationError, HTTPException) as error:
                if getattr(request.state, "key_id", None) is None:
                    await _authenticate_writer(request, self.body_scopes)
                if isinstance(error, HTTPException) and error.status_code == 400:
                    if isinstance(error.__cause__, UnicodeDecodeError):
                        raise ValidationFailed("The request body is not valid UTF-8.") from None
                    if isinstance(error.__cause__, ValueError):  # an integer of 5,000 digits
                        raise ValidationFailed("The request body is not valid JSON.") from None
                raise

        return route_handler


async def _authenticate_writer(request: Request, scopes: tuple[str, ...]) -> None:
    async with app_state(request).db.transaction() as session:
        principal = await authenticate(request, session)
    check_scope(principal, scopes)
