"""The library against `httpx.MockTransport`: requests it makes, answers it reads, its retries.

The server side is covered against the real process in tests/client/; here the transport is
scripted so that every branch of the retry rule and the error tree is reached on purpose.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import supportdesk_client as sd
from supportdesk_client import _async, _sync

KEY = "sd_live_" + "k" * 40 + "_abcd"
BASE = "http://desk.test"
Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests from a list (the last answer repeats) and keeps what was sent."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def problem(status: int, code: str, **extra: Any) -> httpx.Response:
    body = {
        "type": f"/errors/{code}",
        "title": code,
        "status": status,
        "detail": f"the {code} detail",
        "code": code,
        "requestId": "req_01jzz0000000000000000000aa",
        **extra,
    }
    headers = {"content-type": "application/problem+json", **extra.pop("headers", {})}
    body.pop("headers", None)
    return httpx.Response(status, json=body, headers=headers)


def ticket_json(number: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"tkt_{number:026d}",
        "number": str(number),
        "subject": f"Ticket {number}",
        "status": "open",
        "priority": "medium",
        "createdAt": "2026-11-27T09:51:56.123Z",
        **extra,
    }


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(script: Script, **options: Any) -> tuple[sd.Client, Sleeps]:
    client = sd.Client(BASE, KEY, transport=httpx.MockTransport(script), **options)
    sleeps = Sleeps()
    client._sleep = sleeps
    return client, sleeps


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("httpx", "httpcore", "supportdesk_client"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


# --- configuration -------------------------------------------------------------------------


def test_url_and_key_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTDESK_URL", "http://env.test/prefix")
    monkeypatch.setenv("SUPPORTDESK_API_KEY", f"  {KEY}\n")  # as a shell or a file leaves it
    script = Script(httpx.Response(200, json={"departments": []}))
    with sd.Client(transport=httpx.MockTransport(script)) as client:
        assert client.departments.list() == []
    sent = script.requests[0]
    assert str(sent.url) == "http://env.test/prefix/api/v2/support/departments"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "application/json"


def test_a_missing_url_or_key_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUPPORTDESK_URL", raising=False)
    monkeypatch.delenv("SUPPORTDESK_API_KEY", raising=False)
    with pytest.raises(ValueError, match="SUPPORTDESK_URL"):
        sd.Client(api_key=KEY)
    with pytest.raises(ValueError, match="SUPPORTDESK_API_KEY"):
        sd.Client(BASE)
    with pytest.raises(ValueError, match="credentials"):
        sd.Client("http://user:pw@desk.test", KEY)


def test_a_key_no_header_can_carry_is_refused_without_being_echoed() -> None:
    broken = KEY[:20] + " \u00e9" + KEY[20:]
    with pytest.raises(ValueError, match="cannot carry") as refused:
        sd.Client(BASE, broken)
    assert KEY[:20] not in str(refused.value)


def test_timeouts_are_on_by_default() -> None:
    client = sd.Client(BASE, KEY)
    timeout = client._http.timeout
    assert timeout.connect == 5.0
    assert timeout.read == 30.0
    client.close()


# --- the key stays secret ------------------------------------------------------------------


def test_the_key_is_in_no_repr_log_line_or_exception(logs: pytest.LogCaptureFixture) -> None:
    script = Script(
        httpx.ConnectError("refused"),
        problem(503, "internal_error"),
        problem(401, "unauthorized"),
        problem(400, "invalid_request", errors=[{"pointer": "/subject", "detail": "empty"}]),
    )
    client, _ = client_for(script)
    caught: list[sd.SupportdeskError] = []
    for _ in range(2):
        try:
            client.tickets.create("sales", "", "hello")
        except sd.SupportdeskError as error:
            caught.append(error)
    assert [type(error) for error in caught] == [sd.AuthenticationError, sd.ValidationError]
    shown = [repr(client), repr(client._http.headers), repr(script.requests[0].headers)]
    shown += [str(error) for error in caught] + [repr(error) for error in caught]
    shown += [record.getMessage() for record in logs.records]
    assert any("retrying POST" in line for line in shown)
    leaks = [line for line in shown if KEY in line or KEY[8:30] in line]
    assert leaks == []
    # The key did go out, on every attempt.
    assert all(request.headers["authorization"] == f"Bearer {KEY}" for request in script.requests)


# --- pages ---------------------------------------------------------------------------------


def _paged(request: httpx.Request) -> httpx.Response:
    cursor = request.url.params.get("cursor")
    pages = {None: ([1, 2], "c2"), "c2": ([3, 4], "c3"), "c3": ([5], None)}
    numbers, after = pages[cursor]
    return httpx.Response(
        200,
        json={
            "data": [ticket_json(n) for n in numbers],
            "nextCursor": after,
            "hasMore": after is not None,
        },
    )


def test_list_follows_the_cursor_to_the_last_page_with_the_filters_on_each() -> None:
    script = Script(_paged)
    client, _ = client_for(script)
    tickets = list(client.tickets.list(status="open", q="backup", department_slug="sales", limit=2))
    assert [ticket.number for ticket in tickets] == ["1", "2", "3", "4", "5"]
    assert [request.url.params.get("cursor") for request in script.requests] == [None, "c2", "c3"]
    for request in script.requests:
        assert request.url.params["status"] == "open"
        assert request.url.params["q"] == "backup"
        assert request.url.params["departmentSlug"] == "sales"
        assert request.url.params["limit"] == "2"


def test_a_page_at_a_time_for_callers_that_keep_the_cursor() -> None:
    client, _ = client_for(Script(_paged))
    first = client.tickets.page()
    second = client.tickets.page(first.next_cursor)
    assert (len(first), first.has_more, [t.number for t in second]) == (2, True, ["3", "4"])


async def test_the_async_list_follows_the_cursor_too() -> None:
    script = Script(_paged)
    async with sd.AsyncClient(BASE, KEY, transport=httpx.MockTransport(script)) as client:
        numbers = [ticket.number async for ticket in client.tickets.list(unread=True)]
    assert numbers == ["1", "2", "3", "4", "5"]
    assert all(request.url.params["unread"] == "true" for request in script.requests)


# --- requests: bodies, ids, keys -----------------------------------------------------------


def test_every_post_carries_an_idempotency_key_and_a_retry_resends_the_same_one() -> None:
    created = httpx.Response(201, json=ticket_json(7, body="Hi"))
    script = Script(problem(503, "internal_error"), httpx.ConnectError("reset"), created, created)
    client, sleeps = client_for(script)
    ticket = client.tickets.create("sales", "Subject", "Hi", priority="high", cc_emails=["a@b.c"])
    assert ticket.number == "7"
    assert len(script.requests) == 3
    assert len(sleeps) == 2
    keys = {request.headers["idempotency-key"] for request in script.requests}
    assert len(keys) == 1
    assert json.loads(script.requests[0].content) == {
        "departmentSlug": "sales",
        "subject": "Subject",
        "message": "Hi",
        "priority": "high",
        "ccEmails": ["a@b.c"],
    }
    client.tickets.create("sales", "Other", "Hi", idempotency_key="mine-1")
    assert script.requests[-1].headers["idempotency-key"] == "mine-1"
    assert script.requests[-1].headers["idempotency-key"] not in keys


def test_staff_changes_are_sent_camel_case_and_none_unassigns() -> None:
    script = Script(httpx.Response(200, json=ticket_json(3)))
    client, _ = client_for(script)
    client.tickets.update("3", owner_id=None, add_tags=["vip"], status="On-Hold", if_match='W/"x"')
    sent = script.requests[0]
    assert (sent.method, sent.url.path) == ("PATCH", "/api/v2/support/tickets/3")
    assert json.loads(sent.content) == {"ownerId": None, "addTags": ["vip"], "status": "On-Hold"}
    assert sent.headers["if-match"] == 'W/"x"'
    assert "idempotency-key" not in sent.headers


def test_an_id_cannot_reach_another_route() -> None:
    script = Script(problem(404, "not_found"))
    client, _ = client_for(script)
    with pytest.raises(sd.NotFound):
        client.tickets.get("../../admin/keys")
    assert script.requests[0].url.raw_path == b"/api/v2/support/tickets/..%2F..%2Fadmin%2Fkeys"


def test_an_upload_is_multipart_and_a_retry_resends_the_whole_file() -> None:
    stored = {
        "attachmentId": "satt_01",
        "url": "/x",
        "filename": "log.txt",
        "byteLength": 5,
        "contentType": "text/plain",
        "uploadedAt": "2026-11-27T09:51:56.123Z",
        "ticketId": None,
    }
    script = Script(
        problem(429, "rate_limited", headers={"Retry-After": "1"}), httpx.Response(201, json=stored)
    )
    client, sleeps = client_for(script)
    upload = client.attachments.upload(b"hello", filename="log.txt")
    assert upload.attachment_id == "satt_01"
    assert upload.byte_length == 5
    first, second = script.requests
    assert first.content == second.content
    assert b"hello" in second.content
    assert first.headers["content-type"].startswith("multipart/form-data")
    assert 1.0 <= sleeps[0] <= 1.1


def test_a_download_gives_the_bytes_type_and_file_name() -> None:
    answer = httpx.Response(
        200,
        content=b"\x89PNG",
        headers={
            "content-type": "image/png",
            "content-disposition": 'attachment; filename="a b.png"',
        },
    )
    script = Script(answer)
    client, _ = client_for(script)
    got = client.attachments.download("tatt_1", ticket_id="tkt_9")
    assert (got.content, got.content_type, got.filename) == (b"\x89PNG", "image/png", "a b.png")
    assert script.requests[0].url.params["ticketId"] == "tkt_9"


# --- retries -------------------------------------------------------------------------------


def test_a_429_waits_what_retry_after_says_then_succeeds() -> None:
    script = Script(
        problem(429, "rate_limited", headers={"Retry-After": "2"}),
        problem(429, "rate_limited", headers={"Retry-After": "3"}),
        httpx.Response(200, json=ticket_json(1)),
    )
    client, sleeps = client_for(script)
    assert client.tickets.get(1).number == "1"
    assert 2.0 <= sleeps[0] <= 2.2
    assert 3.0 <= sleeps[1] <= 3.3


def test_retries_are_bounded_and_the_last_error_is_raised() -> None:
    script = Script(problem(429, "rate_limited", headers={"Retry-After": "1"}))
    client, sleeps = client_for(script, max_retries=3)
    with pytest.raises(sd.RateLimited) as limited:
        client.tickets.get(1)
    assert len(script.requests) == 4
    assert len(sleeps) == 3
    assert limited.value.retry_after == 1.0
    assert limited.value.code == "rate_limited"


def test_a_retry_after_beyond_the_bound_is_raised_at_once() -> None:
    script = Script(problem(429, "rate_limited", headers={"Retry-After": "3600"}))
    client, sleeps = client_for(script)
    with pytest.raises(sd.RateLimited) as limited:
        client.tickets.create("sales", "Critical", "down", priority="critical")
    assert (len(script.requests), sleeps, limited.value.retry_after) == (1, [], 3600.0)


def test_backoff_grows_with_jitter_when_no_retry_after_is_sent() -> None:
    script = Script(httpx.ConnectError("refused"))
    client, sleeps = client_for(script, max_retries=4)
    with pytest.raises(sd.APIConnectionError):
        client.tickets.get(1)
    assert len(sleeps) == 4
    for attempt, slept in enumerate(sleeps):
        assert 0.5 * 0.5 * 2**attempt <= slept <= 0.5 * 2**attempt


def test_no_retry_of_a_patch_the_server_may_have_applied() -> None:
    script = Script(httpx.ReadTimeout("slow"), problem(503, "internal_error"))
    client, sleeps = client_for(script)
    with pytest.raises(sd.APITimeoutError):
        client.tickets.update(1, status="Closed")
    with pytest.raises(sd.ServerError):
        client.tickets.update(1, status="Closed")
    assert (len(script.requests), sleeps) == (2, [])


def test_a_patch_refused_by_the_rate_limit_or_never_sent_is_retried() -> None:
    script = Script(
        httpx.ConnectError("refused"),
        problem(429, "rate_limited", headers={"Retry-After": "1"}),
        httpx.Response(200, json=ticket_json(1)),
    )
    client, sleeps = client_for(script)
    client.tickets.update(1, status="Closed")
    assert len(script.requests) == 3
    assert len(sleeps) == 2


def test_a_post_without_an_idempotency_key_is_not_retried_after_sending() -> None:
    policy = sd.RetryPolicy()
    bare = httpx.Request("POST", f"{BASE}/api/v2/support/tickets")
    keyed = httpx.Request("POST", f"{BASE}/x", headers={sd.IDEMPOTENCY_HEADER: "k"})
    unavailable = httpx.Response(503, request=bare)
    assert policy.wait(bare, 0, response=unavailable) is None
    assert policy.wait(bare, 0, error=httpx.ReadError("reset")) is None
    assert policy.wait(bare, 0, error=httpx.ConnectError("refused")) is not None
    assert policy.wait(keyed, 0, error=httpx.ReadError("reset")) is not None
    assert policy.wait(keyed, 2, error=httpx.ReadError("reset")) is None  # the bound


def test_other_errors_are_not_retried() -> None:
    for status, code in ((400, "invalid_request"), (404, "not_found"), (500, "internal_error")):
        script = Script(problem(status, code))
        client, sleeps = client_for(script)
        with pytest.raises(sd.SupportdeskError):
            client.tickets.get(1)
        assert (len(script.requests), sleeps) == (1, [])


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, "invalid_request", sd.ValidationError),
        (401, "unauthorized", sd.AuthenticationError),
        (403, "forbidden", sd.PermissionDenied),
        (403, "reopen_not_allowed", sd.PermissionDenied),
        (404, "not_found", sd.NotFound),
        (409, "ticket_closed", sd.Conflict),
        (412, "precondition_failed", sd.Conflict),
        (413, "payload_too_large", sd.ValidationError),
        (406, "not_acceptable", sd.SupportdeskError),
        (500, "internal_error", sd.ServerError),
    ],
)
def test_each_v2_problem_raises_its_class_with_status_code_and_request_id(
    status: int, code: str, kind: type[sd.SupportdeskError]
) -> None:
    client, _ = client_for(Script(problem(status, code)))
    with pytest.raises(kind) as raised:
        client.tickets.get(1)
    assert type(raised.value) is kind
    assert (raised.value.status, raised.value.code) == (status, code)
    assert raised.value.request_id == "req_01jzz0000000000000000000aa"
    assert f"the {code} detail" in str(raised.value)


def test_a_validation_problem_lists_its_fields() -> None:
    errors = [
        {"pointer": "/subject", "detail": "must not be empty", "code": "too_short"},
        {"pointer": "?limit", "detail": "at most 100"},
    ]
    client, _ = client_for(Script(problem(400, "invalid_request", errors=errors)))
    with pytest.raises(sd.ValidationError) as raised:
        client.tickets.create("sales", "", "x")
    assert raised.value.errors == [
        sd.FieldError("/subject", "must not be empty", "too_short"),
        sd.FieldError("?limit", "at most 100", None),
    ]


def test_v1_envelopes_are_read_too() -> None:
    not_found = httpx.Response(
        404,
        json={
            "error": "Not Found",
            "message": "No ticket with that number.",
            "code": "NOT_FOUND",
            "timestamp": "2026-11-27T09:51:56.123Z",
            "requestId": "2121ae20-bd9d-41e9-aeeb-5dd1dd1a24ba",
        },
    )
    limited = httpx.Response(
        429,
        json={
            "error": "Too Many Requests",
            "message": "Slow down.",
            "retryAfter": "7",
            "requestId": "2121ae20-bd9d-41e9-aeeb-5dd1dd1a24bb",
        },
    )
    client, _ = client_for(Script(not_found, limited), max_retries=0)
    with pytest.raises(sd.NotFound) as missing:
        client.v1.tickets.get(616828)
    assert (missing.value.code, missing.value.request_id) == (
        "NOT_FOUND",
        "2121ae20-bd9d-41e9-aeeb-5dd1dd1a24ba",
    )
    assert "No ticket with that number." in str(missing.value)
    with pytest.raises(sd.RateLimited) as slow:
        client.v1.tickets.get(616828)
    assert (slow.value.retry_after, slow.value.code) == (7.0, "RATE_LIMITED")


def test_a_body_that_is_not_json_still_gives_the_status_and_the_header_request_id() -> None:
    answer = httpx.Response(502, text="<html>bad gateway</html>", headers={"X-Request-Id": "req_x"})
    client, _ = client_for(Script(answer))
    with pytest.raises(sd.ServerError) as raised:
        client.tickets.get(1)
    assert (raised.value.status, raised.value.code, raised.value.request_id) == (502, None, "req_x")


# --- models --------------------------------------------------------------------------------


def test_models_keep_unknown_fields_and_read_nested_ones() -> None:
    data = ticket_json(
        5,
        futureField={"x": 1},
        messages=[
            {"id": "tmsg_1", "body": "hi", "sender": "staff", "attachments": [{"id": "tatt_1"}]}
        ],
        desk={
            "statusName": "On-Hold",
            "tags": ["a"],
            "owner": {"id": 3, "name": "Sam"},
            "newer": 1,
        },
    )
    ticket = sd.Ticket.from_json(data)
    assert ticket.raw["futureField"] == {"x": 1}
    assert ticket.created_at is not None
    assert ticket.created_at.microsecond == 123000
    assert ticket.messages[0].attachments[0].id == "tatt_1"
    assert ticket.desk is not None
    assert ticket.desk.owner is not None
    assert (ticket.desk.status_name, ticket.desk.owner.name, ticket.desk.tags) == (
        "On-Hold",
        "Sam",
        ["a"],
    )
    assert ticket.to_dict() == data


# --- the two clients agree -----------------------------------------------------------------


def _public(kind: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(kind).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize(
    "name",
    [
        "Notes",
        "Tickets",
        "Departments",
        "Attachments",
        "Macros",
        "AdminResource",
        "V1Tickets",
        "V1Departments",
    ],
)
def test_the_async_resources_have_the_same_methods_and_parameters(name: str) -> None:
    sync, asynchronous = _public(getattr(_sync, name)), _public(getattr(_async, f"Async{name}"))
    assert sync.keys() == asynchronous.keys()
    for method, signature in sync.items():
        assert list(signature.parameters) == list(asynchronous[method].parameters), method
