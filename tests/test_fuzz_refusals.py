"""The contract rules the CLI fuzz run excuses (tests/fuzz_refusals.py) excuse nothing else.

A schema-valid case is excused only when a rule refuses it and the answer is exactly the
refusal the rule names; a case naming what the key may use, or an answer that is not that
refusal (another status, code or message, a 500), stays a failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from schemathesis.transport.serialization import Binary

from tests.fuzz_refusals import (
    BULK_V2,
    CREATE_V1,
    CREATE_V2,
    DOWNLOADS,
    LIST_V2,
    MACRO_V2,
    MESSAGE_V2,
    PATCH_V2,
    UPLOAD_V2,
    matching_rule,
)

CLIENT = {
    "viewer": "client",
    "dept_ids": [1],
    "slugs": ["technical-support"],
    "client_id": 7,
    "service_id": 3,
    "cursor": "issued",
}
STAFF = {**CLIENT, "viewer": "staff", "dept_ids": [1, 2], "slugs": ["technical-support", "abuse"]}
# A staff key whose data holds a staff member (4) and a macro (9) to name.
DESK = {**STAFF, "staff_ids": [4], "macro_ids": [9]}
NO_MACRO = "Field 'macroId': no active macro has that id."
NO_STAFF = "Field 'ownerId': no active staff member has that id."
V1_BODY = {"dept_id": 1, "subject": "Down", "body": "Since noon.", "priority": 1}
V2_BODY = {"departmentSlug": "technical-support", "subject": "Down", "message": "Since noon."}


@dataclass
class Case:
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    path_parameters: dict[str, Any] = field(default_factory=dict)


def v1(status: int, message: str, code: str = "VALIDATION_ERROR") -> tuple[int, bytes]:
    return status, json.dumps({"error": "x", "message": message, "code": code}).encode()


def v2(status: int, detail: str, code: str = "invalid_request") -> tuple[int, bytes]:
    return status, json.dumps({"type": "x", "detail": detail, "code": code}).encode()


NO_DEPARTMENT = "Field 'dept_id': no department you can open tickets in has it."
NO_SLUG = "Field 'departmentSlug': no department you can open tickets in has it."
UNKNOWN_UPLOAD = (
    "Field 'attachmentIds': an attachment id is unknown, not yours, or already attached."
)

EXCUSED = [
    (CLIENT, CREATE_V1, {**V1_BODY, "dept_id": 99}, v1(400, NO_DEPARTMENT), "reference dept_id"),
    (CLIENT, CREATE_V1, {**V1_BODY, "dept_id": 2}, v1(400, NO_DEPARTMENT), "reference dept_id"),
    (
        STAFF,
        CREATE_V1,
        {**V1_BODY, "client_id": 8},
        v1(400, "Field 'client_id': no client has that id."),
        "reference client_id",
    ),
    (
        STAFF,
        CREATE_V1,
        V1_BODY,
        v1(400, "Field 'client_id': a staff key must name the client, or a guest."),
        "reference client_id",
    ),
    (
        CLIENT,
        CREATE_V1,
        {**V1_BODY, "context": {"service_type": "domain", "service_id": 3}},
        v1(400, "Field 'context.service_id': not one of this client's services of that type."),
        "reference context.service_id",
    ),
    (
        CLIENT,
        CREATE_V1,
        {**V1_BODY, "priority": 1.0},
        v1(400, "Field 'priority': ..."),
        "strict integer",
    ),
    (
        CLIENT,
        CREATE_V1,
        {**V1_BODY, "subject": "\u3000"},
        v1(400, "Field 'subject': ..."),
        "subject blank once trimmed",
    ),
    (
        CLIENT,
        CREATE_V2,
        {**V2_BODY, "departmentSlug": "nope"},
        v2(400, NO_SLUG),
        "reference departmentSlug",
    ),
    (
        CLIENT,
        CREATE_V2,
        {**V2_BODY, "ccEmails": ["a\xa0b@c"]},
        v2(400, "Field 'ccEmails.0': ..."),
        "address white space",
    ),
    (
        CLIENT,
        MESSAGE_V2,
        {"message": "hi", "attachmentIds": ["satt_" + "0" * 26]},
        v2(
            400,
            "Field 'attachmentIds': an attachment id is unknown, not yours, or already attached.",
        ),
        "reference attachmentIds",
    ),
    (CLIENT, UPLOAD_V2, {"file": ""}, v2(400, "The file is empty."), "empty file"),
    (CLIENT, UPLOAD_V2, {"file": Binary(b"")}, v2(400, "The file is empty."), "empty file"),
    (
        CLIENT,
        UPLOAD_V2,
        {"file": Binary(b"\x1c#J\xff\x06C\x7f")},
        v2(415, "The file looks like binary data...", "unsupported_media_type"),
        "disallowed type",
    ),
    (
        CLIENT,
        UPLOAD_V2,
        {"file": "\x00\x01\x02binary"},
        v2(415, "The file looks like binary data...", "unsupported_media_type"),
        "disallowed type",
    ),
    (DESK, PATCH_V2, {"ownerId": 4.0}, v2(400, "Field 'ownerId': ..."), "strict integer"),
    (DESK, PATCH_V2, {"subscriberIds": [4, 4.0]}, v2(400, "..."), "strict integer"),
    (DESK, PATCH_V2, {"ownerId": 5}, v2(400, NO_STAFF), "desk ownerId"),
    (DESK, BULK_V2, {"ticketIds": [7, 7312.0]}, v2(400, "..."), "strict integer"),
    (
        DESK,
        BULK_V2,
        {"ticketIds": [7], "changes": {"ownerId": 4.0}},
        v2(400, "..."),
        "strict integer",
    ),
    (
        DESK,
        BULK_V2,
        {"ticketIds": [7], "changes": {"deadline": "0938-02-05T18:07:32Z"}},
        v2(400, "Field 'changes.deadline': must be a date-time between 1970 and 9998."),
        "desk changes.deadline",
    ),
    (DESK, MACRO_V2, {"macroId": 9.0}, v2(400, "Field 'macroId': ..."), "strict integer"),
    (DESK, MACRO_V2, {"macroId": 8}, v2(400, NO_MACRO), "no such macro"),
    (STAFF, MACRO_V2, {"macroId": 9}, v2(400, NO_MACRO), "no such macro"),
]


@pytest.mark.parametrize(
    ("known", "label", "body", "answer", "rule"), EXCUSED, ids=[e[4] + "-" + e[1] for e in EXCUSED]
)
def test_a_case_a_rule_refuses_answered_with_that_refusal_is_excused(
    known: dict[str, Any], label: str, body: Any, answer: tuple[int, bytes], rule: str
) -> None:
    assert matching_rule(known, label, Case(body), *answer) == rule


def test_an_unissued_cursor_answered_invalid_cursor_is_excused_an_issued_one_is_not() -> None:
    refused = v2(400, "The cursor is not one this server issued.", "invalid_cursor")
    forged = Case(query={"cursor": "forged"})
    assert matching_rule(CLIENT, LIST_V2, forged, *refused) == "cursor not issued"
    assert matching_rule(CLIENT, LIST_V2, Case(query={"cursor": "issued"}), *refused) is None


KEPT = [
    # What the key may use, refused anyway: a failure.
    (CLIENT, CREATE_V1, V1_BODY, v1(400, NO_DEPARTMENT)),
    (STAFF, CREATE_V1, {**V1_BODY, "dept_id": 2, "client_id": 7}, v1(400, NO_DEPARTMENT)),
    (CLIENT, CREATE_V2, V2_BODY, v2(400, NO_SLUG)),
    (
        CLIENT,
        CREATE_V1,
        {**V1_BODY, "context": {"service_type": "vps", "service_id": 3}},
        v1(400, "Field 'context.service_id': not one of this client's services of that type."),
    ),
    # A rule refuses the case, but the answer is not its refusal.
    (CLIENT, CREATE_V1, {**V1_BODY, "dept_id": 99}, v1(400, "Field 'subject': too long.")),
    (
        CLIENT,
        CREATE_V1,
        {**V1_BODY, "dept_id": 99},
        v1(500, "An internal error.", "INTERNAL_ERROR"),
    ),
    (CLIENT, CREATE_V2, {**V2_BODY, "departmentSlug": "nope"}, v2(409, NO_SLUG, "conflict")),
    (CLIENT, UPLOAD_V2, {"file": "a log line\n"}, v2(400, "The file is empty.")),
    (CLIENT, UPLOAD_V2, {"file": "a log line\n"}, v2(415, "...", "unsupported_media_type")),
    # Nothing refuses a plain valid case.
    (CLIENT, MESSAGE_V2, {"message": "hi"}, v2(400, "Field 'message': must not contain NUL.")),
    # The staff member and the macro the data holds are no refusal; nor, in a bulk change
    # (answered per ticket), a status no ticket can take.
    (DESK, PATCH_V2, {"ownerId": 4, "subscriberIds": [4]}, v2(400, NO_STAFF)),
    (DESK, MACRO_V2, {"macroId": 9}, v2(400, NO_MACRO)),
    (
        DESK,
        BULK_V2,
        {"ticketIds": [7], "changes": {"status": "Nope"}},
        v2(400, "Field 'changes.status': no status has that name or v2 status."),
    ),
]


@pytest.mark.parametrize(("known", "label", "body", "answer"), KEPT)
def test_anything_else_stays_a_failure(
    known: dict[str, Any], label: str, body: Any, answer: tuple[int, bytes]
) -> None:
    assert matching_rule(known, label, Case(body), *answer) is None


V2_DOWNLOAD, V1_DOWNLOAD = sorted(DOWNLOADS, reverse=True)
WITH_FILE = {**CLIENT, "file_sizes": {"tatt_x": 72, "5": 72}}


@pytest.mark.parametrize("asked", ["bytes=72-", "bytes=609-", "bytes=100-200", "bytes=-0"])
def test_a_range_past_the_end_of_a_known_file_answered_416_is_excused(asked: str) -> None:
    refused = v2(
        416, "The requested range starts past the end of the file.", "range_not_satisfiable"
    )
    case = Case(headers={"Range": asked}, path_parameters={"attachment_id": "tatt_x"})
    assert matching_rule(WITH_FILE, V2_DOWNLOAD, case, *refused) == "range past the end"
    v1_refused = v1(416, "past the end", "RANGE_NOT_SATISFIABLE")
    v1_case = Case(headers={"Range": asked}, path_parameters={"attachment_id": 5})
    assert matching_rule(WITH_FILE, V1_DOWNLOAD, v1_case, *v1_refused) == "range past the end"


@pytest.mark.parametrize(
    ("asked", "more"),
    [
        ("bytes=0-10", {}),  # inside the file
        ("bytes=71-", {}),  # its last byte
        ("bytes=200-100", {}),  # unreadable: ignored, never 416
        ("bytes=0-1,80-90", {}),  # several ranges: ignored
        ("bytes=80-", {"If-Range": '"tatt_x"'}),  # If-Range decides, not the rule
    ],
)
def test_any_other_range_answered_416_stays_a_failure(asked: str, more: dict[str, str]) -> None:
    refused = v2(416, "past the end", "range_not_satisfiable")
    case = Case(headers={"Range": asked, **more}, path_parameters={"attachment_id": "tatt_x"})
    assert matching_rule(WITH_FILE, V2_DOWNLOAD, case, *refused) is None
    unknown = Case(headers={"Range": "bytes=80-"}, path_parameters={"attachment_id": "tatt_y"})
    assert matching_rule(WITH_FILE, V2_DOWNLOAD, unknown, *refused) is None
