"""HTTP as RFC 9110 says, on every route of both generations (and the health probes).

HEAD wherever GET is; 405 with `Allow` for every other method; exactly one valid `Host`;
`Cache-Control`/`Vary` on per-key answers; the v2 detail's weak ETag and 304; downloads with a
strong ETag, 304, one byte range (206), 416 in the door's shape, and ranges it ignores.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.api.assertions import assert_error, assert_rate_limit_headers
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.conversation_builders import Cast
from tests.server import running_server

LOG = b"2026-11-27 09:51:56 kernel: Out of memory: Killed process 4242 (php-fpm)\n"


def file_tag(opened: Opened) -> str:
    """A download's strong tag: the attachment's own `tatt_` id (never the shared file's
    digest, which would let anyone holding a tag confirm a guess of the file's bytes)."""
    return '"' + opened.v2_download.split("/attachments/")[1].split("?")[0] + '"'


WEAK_TAG = re.compile(r'^W/"[0-9a-f]{32}"$')
PER_KEY = {"cache-control": "private, no-cache", "vary": "X-API-Key, Authorization, Accept"}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
# Headers that differ between any two answers, whatever the method.
# What differs between two answers by design: ids, counts, and clocks (the rate window's reset
# second can tick over between the GET and the HEAD).
PER_ANSWER = {"x-request-id", "x-ratelimit-remaining", "x-ratelimit-reset", "ratelimit", "date"}


@dataclass(frozen=True, slots=True)
class Opened:
    """A v2 ticket of the cast's client with one file on its opening message."""

    public_id: str
    number: int
    attachment_id: int
    attachment_public_id: str

    @property
    def v1_download(self) -> str:
        return f"/api/support/tickets/{self.number}/attachments/{self.attachment_id}"

    @property
    def v2_download(self) -> str:
        return f"/api/v2/support/attachments/{self.attachment_public_id}?ticketId={self.public_id}"


@pytest.fixture
async def opened(api: httpx.AsyncClient, cast: Cast) -> Opened:
    upload = await api.post(
        "/api/v2/support/attachments",
        headers=key(cast.client_key),
        files={"file": ("oom.log", LOG, "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    created = await api.post(
        "/api/v2/support/tickets",
        headers=key(cast.client_key),
        json={
            "departmentSlug": cast.dept_slug,
            "subject": "The site is down",
            "message": "The log is attached.",
            "attachmentIds": [upload.json()["attachmentId"]],
        },
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    v1 = await api.get(f"/api/support/tickets/{ticket['number']}", headers=key(cast.client_key))
    (path,) = v1.json()["data"]["ticket"]["attachments"]
    return Opened(
        public_id=ticket["id"],
        number=int(ticket["number"]),
        attachment_id=int(path.rsplit("/", 1)[1]),
        attachment_public_id=ticket["attachments"][0]["id"],
    )


def _get_urls(opened: Opened) -> list[str]:
    return [
        "/healthz",
        "/readyz",
        "/errors/ticket_closed",
        "/api/support/departments",
        f"/api/support/tickets/{opened.number}",
        opened.v1_download,
        "/api/v2/support/departments",
        "/api/v2/support/tickets?limit=1",
        f"/api/v2/support/tickets/{opened.public_id}",
        opened.v2_download,
    ]


class TestHead:
    async def test_head_answers_like_get_without_a_body_wherever_get_is_served(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        for url in [*_get_urls(opened), "/api/support/tickets/999999", "/api/v2/nope"]:
            got = await api.get(url, headers=key(cast.client_key))
            head = await api.head(url, headers=key(cast.client_key))
            assert head.status_code == got.status_code, url
            assert head.content == b"", url
            same = {k: v for k, v in got.headers.items() if k not in PER_ANSWER}
            assert {k: v for k, v in head.headers.items() if k not in PER_ANSWER} == same, url
            assert int(head.headers["content-length"]) == len(got.content), url

    async def test_head_keeps_the_answers_to_conditions_and_ranges(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        detail = f"/api/v2/support/tickets/{opened.public_id}"
        tag = (await api.get(detail, headers=key(cast.client_key))).headers["etag"]
        unchanged = await api.head(detail, headers={**key(cast.client_key), "If-None-Match": tag})
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        part = await api.head(
            opened.v2_download, headers={**key(cast.client_key), "Range": "bytes=0-9"}
        )
        assert (part.status_code, part.content) == (206, b"")
        assert part.headers["content-range"] == f"bytes 0-9/{len(LOG)}"
        assert part.headers["content-length"] == "10"


class TestMethodNotAllowed:
    async def test_every_method_a_path_does_not_serve_is_405_with_allow(
        self, app: FastAPI, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        """Every path of the OpenAPI document, filled in; TRACE on the health probes too."""
        document = app.openapi()
        values = {
            "{number}": str(opened.number),
            "{attachment_id}": str(opened.attachment_id),
            "{ticket_id}": opened.public_id,
            "{code}": "not_found",
        }
        checked = 0
        for template, operations in document["paths"].items():
            served = {method.upper() for method in operations}
            if "GET" in served:
                served.add("HEAD")
            url = template
            for name, value in values.items():
                url = url.replace(name, value)
            if "/api/support/tickets/" in template and "attachments" in template:
                url = opened.v1_download
            for method in sorted(set(METHODS) - served):
                response = await api.request(method, url, headers=key(cast.client_key))
                assert response.status_code == 405, (method, url, response.text)
                assert set(response.headers["allow"].split(", ")) == served, (method, url)
                if method == "HEAD":
                    assert response.content == b""
                elif url.startswith(("/api/v2", "/errors")):
                    assert_problem(response, 405, "method_not_allowed")
                else:
                    assert_error(response, 405, "METHOD_NOT_ALLOWED")
                checked += 1
        assert checked > 60, checked

    async def test_trace_on_the_health_probes_is_405_not_500(self, api: httpx.AsyncClient) -> None:
        for path in ("/healthz", "/readyz"):
            response = await api.request("TRACE", path)
            assert_error(response, 405, "METHOD_NOT_ALLOWED")
            assert response.headers["allow"] == "GET, HEAD"


class TestHost:
    @pytest.mark.parametrize(
        ("hosts", "said"),
        [
            ([], "no"),
            ([b"test", b"test"], "several"),
            ([b"test", b"other"], "several"),
            ([b"a b"], "a malformed"),
            ([b"test\x01"], "a malformed"),
            ([b""], "a malformed"),
            ([b"test:http"], "a malformed"),
        ],
        ids=["missing", "repeated", "two", "space", "control", "empty", "bad-port"],
    )
    async def test_a_missing_repeated_or_malformed_host_is_400_in_each_door(
        self, api: httpx.AsyncClient, cast: Cast, hosts: list[bytes], said: str
    ) -> None:
        for path in ("/api/support/departments", "/api/v2/support/departments", "/healthz"):
            headers = [(b"host", host) for host in hosts]
            headers.append((b"x-api-key", cast.client_key.encode()))
            request = httpx.Request("GET", f"http://test{path}", headers=headers)
            if not hosts:
                del request.headers["host"]  # httpx adds one otherwise
            assert request.headers.get_list("host") == [h.decode() for h in hosts]
            response = await api.send(request)
            if path.startswith("/api/v2"):
                body = assert_invalid(response, "header:Host")
                message = body["detail"]
            else:
                message = assert_error(response, 400, "INVALID_PARAMETER")["message"]
            assert message == f"The request has {said} Host header; send exactly one."

    async def test_host_with_a_port_or_an_address_is_fine(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        for host in ("desk.example.com:8443", "127.0.0.1", "[::1]:8080"):
            response = await api.get(
                "/api/support/departments", headers={**key(cast.client_key), "Host": host}
            )
            assert response.status_code == 200, (host, response.text)

    async def test_the_real_server_refuses_a_missing_or_repeated_host(
        self, server_env: dict[str, str], tmp_path: Path
    ) -> None:
        """Over a socket to `supportdesk serve`: HTTP/1.1 needs one Host, HTTP/1.0 may omit it."""
        with running_server(server_env, tmp_path / "server.log") as server:
            missing = _raw(server.port, b"GET /healthz HTTP/1.1\r\n\r\n")
            twice = _raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")
            one = _raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
            old = _raw(server.port, b"GET /healthz HTTP/1.0\r\n\r\n")
        assert missing.startswith(b"HTTP/1.1 400 "), missing
        assert b'"code":"INVALID_PARAMETER"' in missing
        assert twice.startswith(b"HTTP/1.1 400 "), twice
        assert one.startswith(b"HTTP/1.1 200 "), one
        assert old.startswith(b"HTTP/1.1 200 "), old


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


class TestCaching:
    async def test_per_key_answers_are_private_and_vary_with_the_key(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        answers = [
            await api.get(url, headers=key(cast.client_key))
            for url in _get_urls(opened)
            if url.startswith("/api/")
        ]
        answers += [
            await api.get("/api/v2/support/tickets"),  # 401
            await api.get("/api/support/tickets/999999", headers=key(cast.client_key)),  # 404
            await api.post(
                f"/api/v2/support/tickets/{opened.public_id}/actions/close",
                headers=key(cast.client_key),
            ),
        ]
        for response in answers:
            for name, value in PER_KEY.items():
                assert response.headers.get(name) == value, (response.url, response.headers)
        for shared in ("/healthz", "/errors/not_found"):
            assert "vary" not in (await api.get(shared)).headers


class TestTicketDetailETag:
    async def test_the_v2_detail_has_a_weak_tag_and_304_while_it_holds(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        detail = f"/api/v2/support/tickets/{opened.public_id}"
        first = await api.get(detail, headers=key(cast.client_key))
        tag = first.headers["etag"]
        assert WEAK_TAG.match(tag), tag
        by_number = await api.get(
            f"/api/v2/support/tickets/{opened.number}", headers=key(cast.client_key)
        )
        assert by_number.headers["etag"] == tag, "one resource, one tag, whatever names it"
        for offered in (tag, tag.removeprefix("W/"), f'"nope", {tag}', "*"):
            unchanged = await api.get(
                detail, headers={**key(cast.client_key), "If-None-Match": offered}
            )
            assert (unchanged.status_code, unchanged.content) == (304, b""), offered
            assert unchanged.headers["etag"] == tag
            assert unchanged.headers["cache-control"] == PER_KEY["cache-control"]
            assert_rate_limit_headers(unchanged)
        reply = await api.post(
            f"{detail}/messages", headers=key(cast.client_key), json={"message": "Still down."}
        )
        assert reply.status_code == 201, reply.text
        changed = await api.get(detail, headers={**key(cast.client_key), "If-None-Match": tag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != tag

    async def test_a_tag_says_nothing_about_a_ticket_the_key_may_not_see(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        detail = f"/api/v2/support/tickets/{opened.public_id}"
        tag = (await api.get(detail, headers=key(cast.client_key))).headers["etag"]
        for offered in (tag, "*"):
            response = await api.get(
                detail, headers={**key(cast.other_key), "If-None-Match": offered}
            )
            assert_problem(response, 404, "not_found")


class TestDownloads:
    @pytest.mark.parametrize("door", ["v1", "v2"])
    async def test_a_download_has_the_files_strong_tag_and_304(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened, door: str
    ) -> None:
        url = opened.v1_download if door == "v1" else opened.v2_download
        whole = await api.get(url, headers=key(cast.client_key))
        assert (whole.status_code, whole.content) == (200, LOG)
        assert whole.headers["etag"] == file_tag(opened)
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["cache-control"] == PER_KEY["cache-control"]
        for offered in (file_tag(opened), "W/" + file_tag(opened), "*"):
            unchanged = await api.get(
                url, headers={**key(cast.client_key), "If-None-Match": offered}
            )
            assert (unchanged.status_code, unchanged.content) == (304, b""), offered
            assert unchanged.headers["etag"] == file_tag(opened)
            assert "content-disposition" not in unchanged.headers
        stale = await api.get(url, headers={**key(cast.client_key), "If-None-Match": '"0"'})
        assert (stale.status_code, stale.content) == (200, LOG)

    @pytest.mark.parametrize(
        ("asked", "first", "last"),
        [
            ("bytes=0-9", 0, 9),
            ("bytes=10-", 10, len(LOG) - 1),
            ("bytes=-5", len(LOG) - 5, len(LOG) - 1),
            ("bytes=-1000", 0, len(LOG) - 1),
            ("bytes=60-100000", 60, len(LOG) - 1),
            ("BYTES=1-1", 1, 1),
        ],
    )
    async def test_one_byte_range_is_206(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened, asked: str, first: int, last: int
    ) -> None:
        for url in (opened.v1_download, opened.v2_download):
            part = await api.get(url, headers={**key(cast.client_key), "Range": asked})
            assert part.status_code == 206, (url, part.text)
            assert part.content == LOG[first : last + 1]
            assert part.headers["content-range"] == f"bytes {first}-{last}/{len(LOG)}"
            assert part.headers["etag"] == file_tag(opened)
            assert part.headers["content-disposition"].startswith("attachment;")

    async def test_a_range_past_the_end_is_416_in_each_door(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        for asked in (f"bytes={len(LOG)}-", f"bytes={len(LOG) + 5}-{len(LOG) + 9}", "bytes=-0"):
            headers = {**key(cast.client_key), "Range": asked}
            v1 = await api.get(opened.v1_download, headers=headers)
            assert_error(v1, 416, "RANGE_NOT_SATISFIABLE")
            v2 = await api.get(opened.v2_download, headers=headers)
            assert_problem(v2, 416, "range_not_satisfiable")
            for response in (v1, v2):
                assert response.headers["content-range"] == f"bytes */{len(LOG)}"
        described = await api.get("/errors/range_not_satisfiable")
        assert described.json()["status"] == 416

    @pytest.mark.parametrize(
        "asked",
        [
            b"bytes=0-1,5-6",
            b"items=0-1",
            b"bytes=5-2",
            b"bytes=abc",
            b"bytes=+1-2",
            "bytes=٠-1".encode(),
            b"0-1",
            b"bytes=99999999999999999999-",
        ],
    )
    async def test_a_range_it_does_not_serve_is_ignored(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened, asked: bytes
    ) -> None:
        for url in (opened.v1_download, opened.v2_download):
            sent = [(b"x-api-key", cast.client_key.encode()), (b"range", asked)]
            whole = await api.get(url, headers=sent)
            assert (whole.status_code, whole.content) == (200, LOG), asked

    async def test_if_range_keeps_the_range_only_for_the_files_own_tag(
        self, api: httpx.AsyncClient, cast: Cast, opened: Opened
    ) -> None:
        asked = {**key(cast.client_key), "Range": "bytes=0-3"}
        current = await api.get(opened.v2_download, headers={**asked, "If-Range": file_tag(opened)})
        assert (current.status_code, current.content) == (206, LOG[:4])
        for other in ('"0"', "W/" + file_tag(opened), "Wed, 21 Oct 2015 07:28:00 GMT"):
            whole = await api.get(opened.v2_download, headers={**asked, "If-Range": other})
            assert (whole.status_code, whole.content) == (200, LOG), other
