"""The OpenAPI document: names a generated client can use, every answer with its headers, the
security schemes, and links that lead from real answers to real tickets.

(That each answer the server gives is declared, with its headers and body, is checked case by
case by tests/test_openapi_fuzz.py; that a generated client lives on it, by
tests/test_generated_client.py.)
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from supportdesk.api.v2.desk import router as desk_router
from tests.api.v2.assertions import key
from tests.conversation_builders import Cast

LOG = b"2026-11-27 09:51:56 kernel: Out of memory\n"
RATE_LIMIT = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit")
UNAUTHENTICATED = {"/healthz", "/readyz", "/errors/{code}"}
DOWNLOADS = {
    "/api/support/tickets/{number}/attachments/{attachment_id}",
    "/api/v2/support/attachments/{attachment_id}",
}
FILE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/json",
    "text/csv",
    "text/plain",
}


@pytest.fixture
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


class TestNames:
    def test_component_names_are_unique_and_say_their_generation(
        self, document: dict[str, Any]
    ) -> None:
        schemas = document["components"]["schemas"]
        for name, schema in schemas.items():
            assert re.fullmatch(r"(V1|V2)[A-Z][A-Za-z]+|Health|Readiness", name), name
            assert schema.get("title", name) == name, (name, schema.get("title"))
        assert {"V1Ticket", "V2Ticket", "V1CreateTicket", "V2CreateTicket"} <= set(schemas)
        assert {"V1LinkedService", "V2LinkedService", "V2UploadForm"} <= set(schemas)

    def test_operation_ids_are_unique_and_name_the_generation(
        self, document: dict[str, Any]
    ) -> None:
        ids = [operation["operationId"] for _, _, operation in operations(document)]
        assert len(ids) == len(set(ids))
        # The admin routes' (`v2_admin_...`) are counted in tests/admin.
        assert sum(not i.startswith("v2_admin_") for i in ids) == 30
        # The conversation's routes (staff messages, merge, split, timeline) are among them.
        assert {
            "v2_edit_message",
            "v2_send_message",
            "v2_merge_ticket",
            "v2_split_ticket",
            "v2_list_events",
            "v2_ticket_sla",
        } <= set(ids)
        for path, _, operation in operations(document):
            generation = "v2" if path.startswith(("/api/v2", "/errors")) else "v1"
            expected = (
                r"healthz|readyz"
                if path in UNAUTHENTICATED - {"/errors/{code}"}
                else (rf"{generation}_[a-z_]+")
            )
            assert re.fullmatch(expected, operation["operationId"]), (path, operation)


class TestAnswers:
    def test_no_422_anywhere(self, document: dict[str, Any]) -> None:
        for path, method, operation in operations(document):
            assert "422" not in operation["responses"], (method, path)
        assert "HTTPValidationError" not in document["components"]["schemas"]

    def test_the_answers_every_operation_can_give_are_declared(
        self, document: dict[str, Any]
    ) -> None:
        for path, method, operation in operations(document):
            statuses = set(operation["responses"])
            assert {"400", "500"} <= statuses, (method, path)
            if path not in {"/healthz", "/readyz"}:
                assert "413" in statuses, (method, path)
            if path not in UNAUTHENTICATED:
                assert {"401", "403", "429"} <= statuses, (method, path)
            assert ("406" in statuses) == (path not in DOWNLOADS | {"/healthz", "/readyz"})
            if path in DOWNLOADS:
                assert {"200", "206", "304", "404", "416"} <= statuses, path

    def test_error_bodies_are_in_the_doors_shape(self, document: dict[str, Any]) -> None:
        for path, method, operation in operations(document):
            for status, response in operation["responses"].items():
                if int(status) < 400 or (path, status) == ("/readyz", "503"):
                    continue  # not ready is a readiness report, not an error
                content = response["content"]
                if path.startswith(("/api/v2", "/errors")):
                    assert list(content) == ["application/problem+json"], (method, path, status)
                    expected = "V2Problem"
                else:
                    assert list(content) == ["application/json"], (method, path, status)
                    expected = "V1RateLimitedError" if status == "429" else "V1Error"
                ref = content[next(iter(content))]["schema"]["$ref"]
                assert ref == f"#/components/schemas/{expected}", (method, path, status)

    def test_every_answer_declares_its_headers(self, document: dict[str, Any]) -> None:
        for path, method, operation in operations(document):
            for status, response in operation["responses"].items():
                headers = {n: resolve(document, h) for n, h in response["headers"].items()}
                where = (method, path, status)
                assert headers["X-Request-Id"]["required"] is True, where
                assert all(h["required"] is True for h in headers.values()), where
                if path in {"/healthz", "/readyz"}:
                    assert set(headers) == {"X-Request-Id"}, where
                    continue
                assert set(RATE_LIMIT) | {"RateLimit-Policy"} <= set(headers), where
                if path.startswith("/api/"):
                    assert headers["Cache-Control"]["schema"]["const"] == "private, no-cache"
                    assert {"Vary"} <= set(headers), where
                assert ("Retry-After" in headers) == (status == "429"), where
                tagged = status in ("200", "304") and "304" in operation["responses"]
                assert ("ETag" in headers) == (tagged or (path in DOWNLOADS and status == "206"))
                assert ("Content-Range" in headers) == (status in ("206", "416")), where

    def test_the_ticket_details_declare_their_tag_and_304(self, document: dict[str, Any]) -> None:
        for path in ("/api/support/tickets/{number}", "/api/v2/support/tickets/{ticket_id}"):
            operation = document["paths"][path]["get"]
            assert "If-None-Match" in [p["name"] for p in operation["parameters"]]
            tag = resolve(document, operation["responses"]["200"]["headers"]["ETag"])
            assert tag["schema"]["pattern"] == '^W/"[0-9a-f]{32}"$'
            assert "content" not in operation["responses"]["304"]

    def test_uploads_and_downloads_are_bytes(self, document: dict[str, Any]) -> None:
        form = document["components"]["schemas"]["V2UploadForm"]
        assert form["properties"]["file"]["format"] == "binary"
        upload = document["paths"]["/api/v2/support/attachments"]["post"]["requestBody"]
        assert resolve(document, upload["content"]["multipart/form-data"]["schema"]) == form
        for path in DOWNLOADS:
            operation = document["paths"][path]["get"]
            names = {p["name"] for p in operation["parameters"]}
            assert {"Range", "If-Range", "If-None-Match"} <= names, path
            for status in ("200", "206"):
                content = operation["responses"][status]["content"]
                # First the type a generated client reads any file as; then every stored type.
                assert next(iter(content)) == "application/octet-stream"
                assert set(content) == FILE_TYPES | {"application/octet-stream"}

    def test_the_v1_create_answer_is_the_whole_ticket_with_an_integer_number(
        self, document: dict[str, Any]
    ) -> None:
        schemas = document["components"]["schemas"]
        created, detail = schemas["V1CreatedTicket"], schemas["V1Ticket"]
        assert set(created["properties"]) == set(detail["properties"])
        assert set(created["required"]) == set(detail["required"])
        assert created["properties"]["number"]["type"] == "integer"
        assert detail["properties"]["number"]["type"] == "string"


# The desk's routes (api/v2/desk.py) need `manage:support`.
DESK_OPERATIONS = {
    f"v2_{route.name}" for route in desk_router.routes if isinstance(route, APIRoute)
}


class TestSecurity:
    def test_both_ways_of_sending_a_key_are_declared_where_a_key_is_needed(
        self, document: dict[str, Any]
    ) -> None:
        schemes = document["components"]["securitySchemes"]
        assert schemes["ApiKey"] == {**schemes["ApiKey"], "type": "apiKey", "in": "header"}
        assert schemes["ApiKey"]["name"] == "X-API-Key"
        assert (schemes["Bearer"]["type"], schemes["Bearer"]["scheme"]) == ("http", "bearer")
        for path, method, operation in operations(document):
            if path in UNAUTHENTICATED:
                assert "security" not in operation, path
                continue
            requirements = operation["security"]
            assert {name for r in requirements for name in r} == {"ApiKey", "Bearer"}, path
            scopes = {scope for r in requirements for scope in next(iter(r.values()))}
            if path.startswith("/api/v2/admin/"):
                assert scopes == {"admin:support"}, (method, path, scopes)
                continue
            expected = {
                "get": {"read:support"},
                "post": {"write:support"},
                "patch": {"write:support"},
            }.get(method, set())
            if operation["operationId"] in DESK_OPERATIONS or path.endswith(
                ("/actions/merge", "/actions/split")
            ):
                expected = {"manage:support"}
            elif path.endswith("/departments"):
                expected = {"read:account"} | ({"read:support"} if "/v2/" not in path else set())
            assert scopes == expected, (method, path, scopes)

    async def test_the_declared_scopes_are_the_ones_the_server_asks_for(
        self, api: httpx.AsyncClient, cast: Cast, document: dict[str, Any]
    ) -> None:
        """A key with only `read:account` is refused (403) exactly where it is not listed."""
        for path in ("/api/support/departments", "/api/v2/support/departments"):
            listed = document["paths"][path]["get"]["security"]
            account = {"ApiKey": ["read:account"]} in listed
            response = await api.get(path, headers=key(cast.account_only_key))
            assert response.status_code == (200 if account else 403), path
        tickets = await api.get("/api/v2/support/tickets", headers=key(cast.account_only_key))
        assert tickets.status_code == 403


class TestLinks:
    def test_every_link_names_an_operation_and_its_parameters(
        self, document: dict[str, Any]
    ) -> None:
        by_id = {op["operationId"]: (path, op) for path, _, op in operations(document)}
        count = 0
        for _, _, operation in operations(document):
            for response in operation["responses"].values():
                for name, link in response.get("links", {}).items():
                    _, target = by_id[link["operationId"]]
                    declared = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
                    assert set(link["parameters"]) <= declared, (name, link)
                    required = {
                        f"{p['in']}.{p['name']}"
                        for p in target.get("parameters", [])
                        if p.get("required") and p["in"] in ("path", "query")
                    }
                    assert required <= set(link["parameters"]), (name, link)
                    count += 1
        assert count >= 25, count
        created = document["paths"]["/api/v2/support/tickets"]["post"]["responses"]["201"]
        assert {"GetTicket", "ReplyToTicket", "CloseTicket", "ReopenTicket"} <= set(
            created["links"]
        )
        assert "DownloadAttachment" in created["links"]

    async def test_following_each_link_from_a_real_answer_reaches_the_ticket(
        self, api: httpx.AsyncClient, cast: Cast, document: dict[str, Any]
    ) -> None:
        """Every link of every answer that has links, evaluated on that answer as the server
        gave it, leads to a 2xx."""
        answers = await _answers_with_links(api, cast)
        by_id = {op["operationId"]: (path, method, op) for path, method, op in operations(document)}
        followed = 0
        for source, body in answers.items():
            _, _, operation = by_id[source]
            status = "201" if source in ("v2_create_ticket", "v2_post_message") else "200"
            for name, link in operation["responses"][status]["links"].items():
                target_path, target_method, _ = by_id[link["operationId"]]
                url, query = target_path, {}
                for parameter, expression in link["parameters"].items():
                    where, _, param = parameter.partition(".")
                    value = _pointer(body, expression.removeprefix("$response.body#"))
                    if where == "path":
                        url = url.replace("{" + param + "}", str(value))
                    else:
                        query[param] = str(value)
                payload = {"message": "Following a link."} if target_method == "post" else None
                response = await api.request(
                    target_method.upper(),
                    url,
                    params=query,
                    json=payload if "messages" in url else None,
                    headers=key(cast.client_key),
                )
                assert 200 <= response.status_code < 300, (source, name, url, response.text)
                followed += 1
        assert followed >= 25, followed


def _pointer(document: Any, pointer: str) -> Any:
    for part in pointer.lstrip("/").split("/"):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


async def _upload(api: httpx.AsyncClient, cast: Cast) -> str:
    response = await api.post(
        "/api/v2/support/attachments",
        headers=key(cast.client_key),
        files={"file": ("oom.log", LOG, "text/plain")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["attachmentId"])


async def _answers_with_links(api: httpx.AsyncClient, cast: Cast) -> dict[str, Any]:
    """A real answer of each operation whose answer carries links, with a file in it."""
    headers = key(cast.client_key)

    async def call(method: str, url: str, status: int, **kwargs: Any) -> Any:
        response = await api.request(method, url, headers=headers, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    v1 = await call(
        "POST",
        "/api/support/tickets",
        200,
        json={"dept_id": cast.world.dept_id, "subject": "s", "body": "b", "priority": 1},
    )
    created = await call(
        "POST",
        "/api/v2/support/tickets",
        201,
        json={
            "departmentSlug": cast.dept_slug,
            "subject": "The site is down",
            "message": "Logs attached.",
            "attachmentIds": [await _upload(api, cast)],
        },
    )
    ticket = f"/api/v2/support/tickets/{created['id']}"
    message = await call(
        "POST",
        f"{ticket}/messages",
        201,
        json={"message": "More.", "attachmentIds": [await _upload(api, cast)]},
    )
    return {
        "v1_create_ticket": v1,
        "v2_create_ticket": created,
        "v2_post_message": message,
        "v2_list_tickets": await call("GET", "/api/v2/support/tickets", 200),
        "v2_get_ticket": await call("GET", ticket, 200),
        "v2_close_ticket": await call("POST", f"{ticket}/actions/close", 200),
        "v2_reopen_ticket": await call("POST", f"{ticket}/actions/reopen", 200),
    }
