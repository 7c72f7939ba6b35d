"""What the contract refuses although the OpenAPI document admits it, for the CLI fuzz run.

A schema-valid case that one of these rules refuses, answered with exactly the refusal the rule
names (the status, the body's `code`, the words of its message), is not a failure of
`positive_data_acceptance`: tests/schemathesis_hooks.py drops it, and nothing else. These are
the rules tests/test_openapi_fuzz.py applies per case (`_refused_by_contract`), plus references
that name nothing the key may use, which that test avoids by pointing valid cases at known data
(in the CLI run generated ids name nothing most of the time).

`known` names what the key may use: `viewer` ("client" or "staff"), `dept_ids` and `slugs` (the
departments it may open tickets in), `client_id`, `service_id` (the client's vps), `cursor` (one
the server issued). A case that names only those and is refused is a failure like any other.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from supportdesk.attachments.detect import detect_content_type
from supportdesk.core.columns import SEARCH_TERMS
from supportdesk.core.errors import UnsupportedMediaType
from supportdesk.tickets.search import search_terms

Known = dict[str, Any]

CREATE_V1 = "POST /api/support/tickets"
CREATE_V2 = "POST /api/v2/support/tickets"
MESSAGE_V2 = "POST /api/v2/support/tickets/{ticket_id}/messages"
LIST_V2 = "GET /api/v2/support/tickets"
UPLOAD_V2 = "POST /api/v2/support/attachments"
EDIT_MESSAGE_V2 = "PATCH /api/v2/support/tickets/{ticket_id}/messages/{message_id}"
SPLIT_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/split"
EVENTS_V2 = "GET /api/v2/support/tickets/{ticket_id}/events"
PATCH_V2 = "PATCH /api/v2/support/tickets/{ticket_id}"
BULK_V2 = "POST /api/v2/support/tickets/bulk"
MACRO_V2 = "POST /api/v2/support/tickets/{ticket_id}/actions/apply-macro"
# A staff message's options (desk.md): a client key setting one is 400.
# (A field sent with its default value asks for nothing: a generated client sends them.)
STAFF_MESSAGE_FIELDS = {
    "status": None,
    "draft": False,
    "sendAt": None,
    "notify": True,
    "keepIfClientReplies": False,
    "lastSeenMessageId": None,
    "force": False,
}
# The statuses the data holds (the built-ins), by name and by v2 status.
STATUSES = {
    "Open",
    "Answered",
    "Client-Reply",
    "In-Progress",
    "On-Hold",
    "Closed",
    *("open", "answered", "customer_reply", "in_progress", "on_hold", "closed"),
}
DOWNLOADS = {
    "GET /api/support/tickets/{number}/attachments/{attachment_id}": "RANGE_NOT_SATISFIABLE",
    "GET /api/v2/support/attachments/{attachment_id}": "range_not_satisfiable",
}
_ONE_RANGE = re.compile(r"^(?i:bytes)=(?:([0-9]{1,19})-([0-9]{0,19})|-(0+))$", re.ASCII)

# Unicode's White_Space: what the server trims, and its patterns' `\s` (test_openapi_fuzz.py).
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_ADDRESS_PART = f"[^@,;<>\\x00-\\x1f\\x7f{re.escape(WHITE_SPACE)}]+"
ADDRESS = re.compile(f"{_ADDRESS_PART}@{_ADDRESS_PART}")
# Integer fields (or lists of them): 2.0 is not one.
STRICT_INTEGERS = {
    CREATE_V1: ("dept_id", "priority", "client_id", "context.service_id"),
    CREATE_V2: ("clientId", "context.serviceId"),
    PATCH_V2: ("ownerId", "subscriberIds"),
    BULK_V2: ("ticketIds", "changes.ownerId", "changes.subscriberIds"),
    MACRO_V2: ("macroId",),
}
ADDRESSES = {CREATE_V1: "email", CREATE_V2: "ccEmails"}


# (rule, status, code, words the message must hold)
Refusal = tuple[str, int, str, str]


def _get(body: Any, dotted: str) -> Any:
    value = body
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _is_the_service(known: Known, context: dict[str, Any], type_key: str, id_key: str) -> bool:
    """Whether a `context` names the client's service (a vps; v2 takes its id as text too)."""
    service = known["service_id"]
    return context.get(type_key) == "vps" and context.get(id_key) in (service, str(service))


def _references(
    known: Known, label: str, body: dict[str, Any], invalid: tuple[int, str]
) -> list[Refusal]:
    """A reference that names nothing this key may use: model.md, lifecycle 1 ("the department
    must exist and, for a client, be visible"; "linking a service that is not the caller's is
    refused"), v1.md and v2.md (a staff key names the client; in v1 a guest will do), v2.md
    (`attachmentIds` are the caller's own uploads, not yet attached)."""
    staff = known.get("viewer") == "staff"
    found: list[tuple[str, str]] = []
    if label == CREATE_V1:
        if body.get("dept_id") not in known["dept_ids"]:
            found.append(("dept_id", "no department you can open tickets in has it"))
        client = body.get("client_id") if staff else known["client_id"]
        guest = staff and client is None and bool(body.get("name")) and bool(body.get("email"))
        if staff and client is None and not guest:
            found.append(("client_id", "a staff key must name the client"))
        elif client is not None and client != known["client_id"]:
            found.append(("client_id", "no client has that id"))
        context = body.get("context")
        if isinstance(context, dict) and (
            guest or not _is_the_service(known, context, "service_type", "service_id")
        ):
            found.append(("context.service_id", "not one of this client's services"))
    elif label == CREATE_V2:
        if body.get("departmentSlug") not in known["slugs"]:
            found.append(("departmentSlug", "no department you can open tickets in has it"))
        if staff and body.get("clientId") is None:
            found.append(("clientId", "a staff key must name the client"))
        elif staff and body.get("clientId") != known["client_id"]:
            found.append(("clientId", "no client has that id"))
        context = body.get("context")
        if isinstance(context, dict) and not _is_the_service(
            known, context, "serviceType", "serviceId"
        ):
            found.append(("context.serviceId", "not one of this client's services"))
    if label in (CREATE_V2, MESSAGE_V2) and body.get("attachmentIds"):
        # Generated `satt_` ids name no upload (the data holds none left to claim).
        found.append(("attachmentIds", "an attachment id is unknown, not yours"))
    return [(f"reference {field}", *invalid, words) for field, words in found]


STAFF_LIST_FILTERS = ("ownerId", "clientId", "priority", "tag", "escalated", "overdue", "unread")


def list_refusals(viewer: str | None, query: dict[str, Any]) -> list[tuple[str, str]]:
    """desk.md "Listing and search": the filters and sorts but the default are staff's (a
    client's key sending one gets 400); a `q` must hold a word and at most SEARCH_TERMS; an
    `ownerId` is a staff id (a 32-bit row id). (rule, words of the message)."""
    found: list[tuple[str, str]] = []
    if viewer != "staff":
        sent = [name for name in STAFF_LIST_FILTERS if query.get(name) is not None]
        if query.get("sort") not in (None, "-updatedAt"):
            sent.append("sort")
        found += [("staff-only list filter", f"?{name} is for staff keys only") for name in sent]
    q = query.get("q")
    if isinstance(q, str):
        terms = search_terms(q)
        if not terms:
            found.append(("q without words", "?q has no word"))
        elif len(terms) > SEARCH_TERMS:
            found.append(("q with too many words", "?q has more than"))
    owner = query.get("ownerId")
    if viewer == "staff" and isinstance(owner, str) and owner.isdigit() and int(owner) > 2**31 - 1:
        found.append(("ownerId past the row ids", "is past the largest staff id"))
    return found


def other_order(query: dict[str, Any]) -> bool:
    """Whether a list query asks for another order than the default (a sort, a search)."""
    return query.get("sort") not in (None, "-updatedAt") or query.get("q") is not None


def _deadline_usable(value: Any) -> bool:
    from supportdesk.api.v2.desk_schemas import parse_moment

    try:
        parse_moment(value)
    except ValueError:
        return False
    return True


def strict_integer_refused(label: str, body: dict[str, Any]) -> bool:
    """Whether an integer field of the body (or an item of a list of them) is a float: integers
    are strict (pydantic's StrictInt: not 2.0, "2" or true), but to JSON Schema 2.0 is an
    integer, and the document has no keyword to say otherwise."""
    for name in STRICT_INTEGERS.get(label, ()):
        value = _get(body, name)
        if isinstance(value, float) or (
            isinstance(value, list) and any(isinstance(item, float) for item in value)
        ):
            return True
    return False


def _change_shape(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """What of a ticket change the door refuses before any ticket is read (the whole request):
    a deadline is 1970–9998 (the desk's choice), a subject is 1–255 characters once trimmed, an
    address's `\\s` is all of Unicode's White_Space."""
    found: list[tuple[str, str]] = []
    if changes.get("deadline") is not None and not _deadline_usable(changes["deadline"]):
        found.append(("deadline", "deadline"))
    subject = changes.get("subject")
    if isinstance(subject, str) and not subject.strip(WHITE_SPACE):
        found.append(("subject blank once trimmed", "subject"))
    for name in ("ccEmails", "bccEmails"):
        for address in changes.get(name) or []:
            if isinstance(address, str) and not ADDRESS.fullmatch(address.strip(WHITE_SPACE)):
                found.append(("address white space", ""))
    return found


def _change_references(known: Known, changes: dict[str, Any]) -> list[tuple[str, str]]:
    """desk.md: "Unknown status, staff, department or tag syntax → 400 with the field's
    pointer"; `tags` with `addTags`/`removeTags` is one or the other (the desk's choice). What
    names nothing is refused once the ticket is read (a bulk change reports it per ticket).
    `known` may name the staff ids (`staff_ids`) a change may use."""
    found: list[tuple[str, str]] = []
    staff = set(known.get("staff_ids", ()))
    if changes.get("status") is not None and changes["status"] not in STATUSES:
        found.append(("status", "no status has that name"))
    if changes.get("ownerId") is not None and changes["ownerId"] not in staff:
        found.append(("ownerId", "no active staff member has that id"))
    if any(item not in staff for item in changes.get("subscriberIds") or []):
        found.append(("subscriberIds", "no active staff member has that id"))
    slug = changes.get("departmentSlug")
    if slug is not None and slug not in known["slugs"]:
        found.append(("departmentSlug", "no department has that slug"))
    if changes.get("tags") is not None and (
        changes.get("addTags") is not None or changes.get("removeTags") is not None
    ):
        found.append(("addTags", "give either tags"))
    return found


def desk_refusals(known: Known, label: str, case: Any, body: dict[str, Any]) -> list[Refusal]:
    """The desk's refusals of a staff key's schema-valid case (desk.md), but strict integers:
    a ticket change's (`_change_shape`, and for a PATCH `_change_references`), an `If-Match`
    that is not current, a macro id that names no macro (`known["macro_ids"]`, if any)."""
    invalid = (400, "invalid_request")
    refusals: list[Refusal] = []
    if label == PATCH_V2:
        found = _change_shape(body) + _change_references(known, body)
        refusals += [(f"desk {field}", *invalid, words) for field, words in found]
        headers = {str(k).lower(): str(v) for k, v in (case.headers or {}).items()}
        if headers.get("if-match", "*").strip() != "*":
            # RFC 9110 13.1.1: an If-Match that names no current tag is 412.
            refusals.append(("If-Match not current", 412, "precondition_failed", ""))
    changes = body.get("changes")
    if label == BULK_V2 and isinstance(changes, dict):
        found = _change_shape(changes)
        refusals += [(f"desk changes.{field}", *invalid, words) for field, words in found]
    if label == MACRO_V2 and body.get("macroId") not in known.get("macro_ids", ()):
        refusals.append(("no such macro", *invalid, "no active macro has that id"))
    return refusals


def staff_message_refusals(
    known: Known, label: str, body: dict[str, Any], invalid: tuple[int, str]
) -> list[Refusal]:
    """desk.md: a staff message's options are a staff key's; the status must name one; `sendAt`
    is a future time, and not a draft's; `lastSeenMessageId` names a message of the ticket
    (generated ids name none)."""
    found: list[Refusal] = []
    if label not in (MESSAGE_V2, EDIT_MESSAGE_V2):
        return found
    if known.get("viewer") != "staff":  # a client's edit of a draft is 403, as documented
        if label == MESSAGE_V2 and any(
            name in body and body[name] != default for name, default in STAFF_MESSAGE_FIELDS.items()
        ):
            found.append(("staff-only message field", *invalid, "only a staff key may set this"))
        return found
    if body.get("status") is not None and body["status"] not in STATUSES:
        found.append(("unknown status", *invalid, "no status has that name"))
    send_at = body.get("sendAt")
    if isinstance(send_at, str):
        try:
            moment = datetime.fromisoformat(send_at.replace("z", "Z"))
            past = moment.tzinfo is None or moment.astimezone(UTC) <= datetime.now(UTC)
        except (ValueError, OverflowError):
            past = True
        if past:
            found.append(("sendAt not a future time", *invalid, ""))
        if label == MESSAGE_V2 and body.get("draft") is True:
            found.append(("a draft has no send time", *invalid, "a draft has no send time"))
    if label == MESSAGE_V2 and body.get("lastSeenMessageId") is not None and not body.get("force"):
        found.append(("reference lastSeenMessageId", *invalid, "no message of this ticket"))
    return found


def _file_bytes(value: Any) -> bytes | None:
    """The bytes a `file` part carries: text as UTF-8, bytes as they are, and schemathesis'
    `Binary` (a `str` subclass holding bytes, made for `format: binary`) as its bytes."""
    data = getattr(value, "data", None)
    if isinstance(data, bytes):
        return data
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return None


ADMIN = "/api/v2/admin/"
# Admin body fields that are JSON integers (2.0 is not one), alone or in a list.
ADMIN_INTEGERS = (
    "departmentIds",
    "staffIds",
    "groupId",
    "departmentId",
    "assignToId",
    "level",
    "clientId",
    "staffId",
    "expiresInDays",
    "rateLimitPerMinute",
    "changes.ownerId",
    "changes.subscriberIds",
)
# Admin text fields trimmed before their length is checked (1 character at least).
ADMIN_TRIMMED = ("firstname", "lastname", "name", "status", "changes.subject", "changes.status")
ADMIN_ADDRESSES = ("email", "changes.ccEmails", "changes.bccEmails")
# What names another row (desk.md: an unknown staff member, department, group or status is a
# 400 with the field's pointer): generated ids and names rarely name one.
ADMIN_REFERENCES = (
    "departmentIds",
    "staffIds",
    "groupId",
    "departmentId",
    "assignToId",
    "changes.ownerId",
    "changes.subscriberIds",
    "changes.status",
    "changes.departmentSlug",
)


def _admin(label: str, body: dict[str, Any], query: dict[str, Any]) -> list[Refusal]:
    """desk.md's administration rules that the document cannot state: strict integers, text
    blank once trimmed, references that name nothing, business hours read strictly (an IANA
    zone, intervals in order, a working week), real dates, status names that are no v2 status,
    a macro's known placeholders, a key's one owner (and staff-only scopes for staff keys)."""
    invalid = (400, "invalid_request")
    found: list[Refusal] = []
    if label.startswith("GET ") and query.get("cursor") is not None:
        found.append(("cursor not issued", 400, "invalid_cursor", ""))
    for name in ADMIN_INTEGERS:
        value = _get(body, name)
        if isinstance(value, float) or (
            isinstance(value, list) and any(isinstance(v, float) for v in value)
        ):
            found.append(("strict integer", *invalid, ""))
    for name in ADMIN_TRIMMED:
        value = _get(body, name)
        if isinstance(value, str) and not value.strip(WHITE_SPACE):
            found.append(("blank once trimmed", *invalid, ""))
    for name in ADMIN_ADDRESSES:
        value = _get(body, name)
        for address in value if isinstance(value, list) else [value]:
            if isinstance(address, str) and not ADDRESS.fullmatch(address.strip(WHITE_SPACE)):
                found.append(("address white space", *invalid, ""))
    if any(_get(body, name) not in (None, []) for name in ADMIN_REFERENCES):
        found.append(("admin reference", *invalid, "no "))
    if isinstance(body.get("businessHours"), dict):
        found.append(("business hours", *invalid, "businessHours"))
    if body.get("nextDue") is not None:
        found.append(("a real date", *invalid, "nextDue"))
    if "/statuses" in label and isinstance(body.get("name"), str):
        found.append(("status name no v2 status", *invalid, "v2 status value"))
    if "/macros" in label:
        found.append(("macro placeholder", *invalid, "is not a field"))
        found.append(("tags or add/remove", *invalid, "replaces the tags"))
        tags = [_get(body, f"changes.{name}") for name in ("tags", "addTags", "removeTags")]
        if any(
            isinstance(tag, str) and any(ch in WHITE_SPACE for ch in tag)
            for found_tags in tags
            if isinstance(found_tags, list)
            for tag in found_tags
        ):
            # A tag's pattern `[^\s,]`: ASCII white space to schemathesis, Unicode's here.
            found.append(("tag white space", *invalid, "pattern"))
    if label == f"POST {ADMIN}keys":
        found.append(("one owner, staff-only scopes", *invalid, ""))
    if "/webhooks" in label and isinstance(body.get("url"), str):
        # automation.md: an http(s) URL whose host resolves, to public addresses only.
        found.append(("webhook target", *invalid, "url"))
    return found


def refused_by_contract(known: Known, label: str, case: Any) -> list[Refusal]:
    """The refusals rules of the contract give this schema-valid case."""
    body = case.body if isinstance(case.body, dict) else {}
    query = case.query or {}
    invalid = (400, "VALIDATION_ERROR" if label == CREATE_V1 else "invalid_request")
    refusals: list[Refusal] = []
    if ADMIN in label:
        return _admin(label, body, query)
    if strict_integer_refused(label, body):
        refusals.append(("strict integer", *invalid, ""))
    addresses = _get(body, ADDRESSES.get(label, "-"))
    for address in addresses if isinstance(addresses, list) else [addresses]:
        if isinstance(address, str) and not ADDRESS.fullmatch(address.strip(WHITE_SPACE)):
            # The address pattern's `\s`: ASCII to schemathesis, all of Unicode's White_Space
            # to the server, which trims the address first.
            refusals.append(("address white space", *invalid, ""))
    subject = body.get("subject") if label in (CREATE_V1, CREATE_V2, SPLIT_V2) else None
    if isinstance(subject, str) and not subject.strip(WHITE_SPACE):
        refusals.append(("subject blank once trimmed", *invalid, "subject"))  # v1.md: 1–255
    if label == CREATE_V2 and body.get("priority") == "critical" and not body.get("criticalReason"):
        refusals.append(("critical needs a reason", *invalid, "criticalReason"))  # v2.md
    if label in (CREATE_V1, CREATE_V2, MESSAGE_V2):
        refusals += _references(known, label, body, invalid)
    if label == LIST_V2:
        refusals += [
            (rule, *invalid, words) for rule, words in list_refusals(known.get("viewer"), query)
        ]
    if label == LIST_V2 and query.get("cursor") is not None and other_order(query):
        # A cursor is for the order it was issued in (the known one: the default, no search).
        refusals.append(("cursor of another order", 400, "invalid_cursor", ""))
    refusals += staff_message_refusals(known, label, body, invalid)
    if label in (LIST_V2, EVENTS_V2) and query.get("cursor") not in (None, known.get("cursor")):
        # v2.md: "the cursor is opaque ... a tampered one gets invalid_cursor".
        refusals.append(("cursor not issued", 400, "invalid_cursor", ""))
    data = _file_bytes(body.get("file")) if label == UPLOAD_V2 else None
    if data is not None:
        if not data:
            refusals.append(("empty file", 400, "invalid_request", "The file is empty"))
        else:
            try:
                detect_content_type(data, "file")  # v2.md: "disallowed types 415"
            except UnsupportedMediaType:
                refusals.append(("disallowed type", 415, "unsupported_media_type", ""))
    if label in DOWNLOADS:
        refusals += _range_past_the_end(known, label, case)
    refusals += desk_refusals(known, label, case, body)
    return refusals


def _range_past_the_end(known: Known, label: str, case: Any) -> list[Refusal]:
    """RFC 9110 15.5.17: one byte range that starts at or past the file's end (or asks for its
    last 0 bytes) is 416, when the file is a known one and no `If-Range` overrules the range."""
    headers = {str(k).lower(): str(v) for k, v in (case.headers or {}).items()}
    size = known.get("file_sizes", {}).get(str((case.path_parameters or {}).get("attachment_id")))
    match = _ONE_RANGE.match(headers.get("range", "").strip())
    if size is None or match is None or "if-range" in headers:
        return []
    first, last, zero_suffix = match.groups()
    if zero_suffix is not None or (
        first is not None and int(first) >= size and not (last and int(last) < int(first))
    ):
        return [("range past the end", 416, DOWNLOADS[label], "")]
    return []


def answer(content: bytes) -> tuple[str, str]:
    """The body's `code` and message (v1 `message`, v2 `detail`)."""
    try:
        body = json.loads(content)
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("code", "")), str(body.get("message") or body.get("detail") or "")


def matching_rule(known: Known, label: str, case: Any, status: int, content: bytes) -> str | None:
    """The rule whose refusal this answer is, if any."""
    code, message = answer(content)
    for rule, expected_status, expected_code, words in refused_by_contract(known, label, case):
        if (status, code) == (expected_status, expected_code) and words in message:
            return rule
    return None
