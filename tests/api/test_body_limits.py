"""Bodies that cost more to refuse than to send: capped error lists, absurd shapes refused
before validation, authentication before any body problem, one Content-Type."""

from __future__ import annotations

import json
from typing import ClassVar

import httpx
import pytest

from supportdesk.api.handlers import MAX_LISTED_ERRORS
from supportdesk.api.inputs import MAX_JSON_DEPTH, MAX_JSON_MEMBERS
from tests.api.assertions import assert_error
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.conversation_builders import Cast

V1_TICKETS = "/api/support/tickets"
V2_TICKETS = "/api/v2/support/tickets"
UPLOADS = "/api/v2/support/attachments"
JSON = {"Content-Type": "application/json"}
# One error entry is well under 200 bytes: a capped list stays small whatever the body held.
SMALL = 8 * 1024


def unknown_keys(count: int) -> bytes:
    return json.dumps({f"k{i}": 1 for i in range(count)}).encode()


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


ABSURD = {
    "60,000 unknown keys": unknown_keys(60_000),
    "wide array": json.dumps({"attachmentIds": ["satt_x"] * (MAX_JSON_MEMBERS + 1)}).encode(),
    "many small objects": json.dumps([{"a": 1}] * 600).encode(),
    "one level too deep": json.dumps({"subject": json.loads(nested(MAX_JSON_DEPTH))}).encode(),
    "deeper than the parser's recursion": nested(100_000),
}


def create_path(generation: str, cast: Cast) -> str:
    return V1_TICKETS if generation == "v1" else V2_TICKETS


def assert_refused(response: httpx.Response, generation: str, pointer: str) -> str:
    """The generation's 400 for a malformed body (v2: pointing at `pointer`); its message."""
    assert len(response.content) < SMALL, len(response.content)
    if generation == "v1":
        return str(assert_error(response, 400, "VALIDATION_ERROR")["message"])
    body = assert_invalid(response, pointer)
    assert len(body["errors"]) <= MAX_LISTED_ERRORS
    return str(body["detail"])


@pytest.mark.parametrize("generation", ["v1", "v2"])
class TestAbsurdBodies:
    @pytest.mark.parametrize("body", ABSURD.values(), ids=list(ABSURD))
    async def test_an_absurd_body_is_a_small_400_naming_the_limits(
        self, api: httpx.AsyncClient, cast: Cast, generation: str, body: bytes
    ) -> None:
        response = await api.post(
            create_path(generation, cast), content=body, headers={**JSON, **key(cast.client_key)}
        )
        message = assert_refused(response, generation, "")
        assert f"{MAX_JSON_DEPTH} levels" in message
        assert f"{MAX_JSON_MEMBERS} keys" in message
        if generation == "v2":
            assert response.json()["errors"][0]["code"] == "too_complex"

    @pytest.mark.parametrize("body", ABSURD.values(), ids=list(ABSURD))
    async def test_without_a_key_an_absurd_body_is_401(
        self, api: httpx.AsyncClient, cast: Cast, generation: str, body: bytes
    ) -> None:
        response = await api.post(create_path(generation, cast), content=body, headers=JSON)
        if generation == "v1":
            assert_error(response, 401, "UNAUTHORIZED")
        else:
            assert_problem(response, 401, "unauthorized")

    async def test_many_problems_list_twenty_and_say_how_many(
        self, api: httpx.AsyncClient, cast: Cast, generation: str
    ) -> None:
        """Under the shape limits, every problem still counts, but only 20 are listed."""
        extra = {f"k{i}": 1 for i in range(MAX_JSON_MEMBERS - 10)}
        # v1 ignores unknown top-level keys (as HostUp does), not unknown keys in `context`.
        body = {"context": extra} if generation == "v1" else extra
        response = await api.post(
            create_path(generation, cast), json=body, headers=key(cast.client_key)
        )
        message = assert_refused(response, generation, "/k0")
        assert "problems in all" in message
        if generation == "v2":
            assert len(response.json()["errors"]) == MAX_LISTED_ERRORS

    async def test_a_body_at_the_limits_is_validated_as_usual(
        self, api: httpx.AsyncClient, cast: Cast, generation: str
    ) -> None:
        body = {"subject": json.loads(nested(MAX_JSON_DEPTH - 1))}
        response = await api.post(
            create_path(generation, cast), json=body, headers=key(cast.client_key)
        )
        message = assert_refused(response, generation, "/subject")
        assert "levels" not in message


class TestAuthenticationOutranksTheBody:
    @pytest.mark.parametrize("body", [b"{not json", b'{"a": "\xff"}', nested(5000)])
    async def test_v1_unreadable_json_without_a_key_is_401(
        self, api: httpx.AsyncClient, body: bytes
    ) -> None:
        response = await api.post(V1_TICKETS, content=body, headers=JSON)
        assert_error(response, 401, "UNAUTHORIZED")

    @pytest.mark.parametrize("body", [b"{not json", b'{"a": "\xff"}', nested(5000)])
    async def test_v2_unreadable_json_with_a_bad_key_is_401(
        self, api: httpx.AsyncClient, body: bytes
    ) -> None:
        response = await api.post(
            V2_TICKETS, content=body, headers={**JSON, **key("sd_live_not_a_key")}
        )
        assert_problem(response, 401, "unauthorized")

    async def test_unreadable_json_with_a_read_only_key_is_403(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.post(
            V2_TICKETS, content=b"{not json", headers={**JSON, **key(cast.read_only_key)}
        )
        assert_problem(response, 403, "forbidden")

    BROKEN_MULTIPART: ClassVar[dict[str, tuple[bytes, str]]] = {
        "no boundary in the body": (b"garbage", "multipart/form-data; boundary=xyz"),
        "no boundary parameter": (b"--x\r\n\r\n", "multipart/form-data"),
        "truncated part": (
            b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
            "multipart/form-data; boundary=xyz",
        ),
    }

    @pytest.mark.parametrize(
        ("body", "content_type"), BROKEN_MULTIPART.values(), ids=list(BROKEN_MULTIPART)
    )
    async def test_broken_multipart_without_a_key_is_401_and_with_one_400(
        self, api: httpx.AsyncClient, cast: Cast, body: bytes, content_type: str
    ) -> None:
        headers = {"Content-Type": content_type}
        response = await api.post(UPLOADS, content=body, headers=headers)
        assert_problem(response, 401, "unauthorized")
        response = await api.post(
            UPLOADS, content=body, headers={**headers, **key(cast.client_key)}
        )
        assert_problem(response, 400, "invalid_request")

    async def test_a_field_error_authenticates_once(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        """A body that parses is validated after authentication: one hit on the key's limit."""
        first = await api.post(V2_TICKETS, json={}, headers=key(cast.client_key))
        second = await api.post(V2_TICKETS, json={}, headers=key(cast.client_key))
        assert_invalid(first, "/subject")
        remaining = [int(r.headers["x-ratelimit-remaining"]) for r in (first, second)]
        assert remaining[0] - remaining[1] == 1


class TestDuplicateContentType:
    BIG = b'{"subject": "' + b"x" * (5 * 1024 * 1024) + b'"}'

    @pytest.mark.parametrize(
        "types",
        [
            ["application/json", "multipart/form-data; boundary=x"],
            ["multipart/form-data; boundary=x", "application/json"],
            ["application/json", "application/json"],
        ],
    )
    @pytest.mark.parametrize("path", [V1_TICKETS, V2_TICKETS])
    async def test_two_content_types_are_refused_before_the_body_is_read(
        self, api: httpx.AsyncClient, cast: Cast, types: list[str], path: str
    ) -> None:
        headers = [("Content-Type", value) for value in types]
        headers.append(("X-API-Key", cast.client_key))
        response = await api.post(path, content=self.BIG, headers=headers)
        if path == V1_TICKETS:
            body = assert_error(response, 400, "VALIDATION_ERROR")
            assert "content-type" in body["message"].lower()
        else:
            body = assert_problem(response, 400, "invalid_request")
            assert "content-type" in body["detail"].lower()

    async def test_one_content_type_over_the_json_limit_is_413(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.post(
            V2_TICKETS, content=self.BIG, headers={**JSON, **key(cast.client_key)}
        )
        assert_problem(response, 413, "payload_too_large")
