"""The OpenAPI document: what FastAPI derives from the routes, finished with what it cannot see.

FastAPI knows each route's parameters, bodies and declared answers. What the middleware and the
dependencies add to every answer is written here, from the same facts they act on:

- the answers every operation can give (400 for a bad `Host`, 413, 500; 401, 403 and 429 where
  a key is needed; 406 where the answer is JSON), in the door's error shape, and no 422 (the
  server never sends one: every validation error is a 400);
- the headers of every answer (request id, rate limits, caching, `ETag`, `Retry-After`, ...);
- the two ways to send a key, as security schemes on every operation that needs one;
- links from an answer that names a ticket to what can be done with it next;
- unique component names (the multipart body's too) and `format: binary` on uploaded files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from supportdesk.api.doors import door_of
from supportdesk.api.errors import DEFAULT_DOOR
from supportdesk.api.middleware import HEALTH_PATHS, PER_KEY_HEADERS, is_download
from supportdesk.api.v2.door import V2
from supportdesk.auth.dependencies import REQUIRED_SCOPES

DESCRIPTION = """\
A self-hosted support-ticket service that speaks HostUp's support API.

Send the API key as `X-API-Key: <key>` or as `Authorization: Bearer <key>`. Every answer
carries `X-Request-Id` and, but for the health probes, the rate-limit headers. `HEAD` is
answered wherever `GET` is, with the same status and headers and no body. Any other method that
a path does not serve is answered 405 with `Allow`.
"""

_SCHEMES = {
    "ApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API key (`sd_live_...`).",
    },
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same API key, as `Authorization: Bearer <key>`.",
    },
}


def _string(description: str, **schema: Any) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": {"type": "string", **schema}}


def _integer(description: str, minimum: int) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": minimum}
    return {"description": description, "required": True, "schema": schema}


_CACHE_CONTROL, _VARY = (value.decode() for _, value in PER_KEY_HEADERS)
HEADERS: dict[str, dict[str, Any]] = {
    "RequestIdV1": _string(
        "This request's id (a UUID), also in the body where it has `requestId`.",
        pattern="^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    ),
    "RequestIdV2": _string(
        "This request's id (`req_` + a ULID), also in the body where it has `requestId`.",
        pattern="^req_[0-9a-hjkmnp-tv-z]{26}$",
    ),
    "RateLimitLimit": _integer("Requests allowed in the current minute.", 1),
    "RateLimitRemaining": _integer("Requests left in the current minute.", 0),
    "RateLimitReset": _string(
        "When the window resets (ISO 8601, UTC).", pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
    ),
    "RateLimitPolicy": _string(
        "The policy (IETF draft): its name, quota and window in seconds.",
        pattern=r'^"[a-z]+";q=\d+;w=60$',
    ),
    "RateLimit": _string(
        "Where the caller stands (IETF draft): remaining requests, seconds to the reset.",
        pattern=r'^"[a-z]+";r=\d+;t=\d+$',
    ),
    "RetryAfter": _integer("Whole seconds to wait before trying again.", 1),
    "CacheControl": _string(
        "A per-key answer: never shared, revalidated on use.", const=_CACHE_CONTROL
    ),
    "Vary": _string("A per-key answer varies with the key and with `Accept`.", const=_VARY),
    "WeakETag": _string(
        "The ticket's weak tag: it moves with anything shown; send it as `If-None-Match`.",
        pattern='^W/"[0-9a-f]{32}"$',
    ),
    "FileETag": _string(
        "The file's strong tag (the attachment's id); send it as `If-None-Match` or `If-Range`.",
        pattern='^"tatt_[0-9a-hjkmnp-tv-z]{26}"$',
    ),
    "ContentDisposition": _string(
        "Always a download: `attachment; filename=...` (and `filename*` when not ASCII).",
        pattern="^attachment; filename=",
    ),
    "AcceptRanges": _string("One byte range may be asked for with `Range`.", const="bytes"),
    "ContentRange": _string(
        "The part sent, and the file's size.", pattern=r"^bytes [0-9]+-[0-9]+/[0-9]+$"
    ),
    "UnsatisfiedRange": _string("The file's size.", pattern=r"^bytes \*/[0-9]+$"),
    "NoSniff": _string("The type is not to be guessed.", const="nosniff"),
    "Sandbox": _string("Should a browser render the file, it runs and loads nothing."),
}
_RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "RateLimitLimit",
    "X-RateLimit-Remaining": "RateLimitRemaining",
    "X-RateLimit-Reset": "RateLimitReset",
    "RateLimit-Policy": "RateLimitPolicy",
    "RateLimit": "RateLimit",
}
_FILE_HEADERS = {
    "Content-Disposition": "ContentDisposition",
    "X-Content-Type-Options": "NoSniff",
    "Content-Security-Policy": "Sandbox",
    "Accept-Ranges": "AcceptRanges",
}

_ERROR_DESCRIPTIONS = {
    400: "The request is malformed: a parameter, the body, or its `Host` header.",
    401: "No API key, or a malformed, unknown, revoked or expired one.",
    403: "The key lacks the scope, or its client account is not active.",
    406: "`Accept` rules out JSON.",
    413: "The body is larger than allowed.",
    429: "Too many requests: wait `Retry-After` seconds.",
    500: "A bug: the log has it under the request id.",
}
# The links of an answer that carries a ticket: (name, operation, parameter, body pointer).
_TICKET_ACTIONS = (
    ("GetTicket", "v2_get_ticket", "path.ticket_id"),
    ("ReplyToTicket", "v2_post_message", "path.ticket_id"),
    ("CloseTicket", "v2_close_ticket", "path.ticket_id"),
    ("ReopenTicket", "v2_reopen_ticket", "path.ticket_id"),
)


def operation_id(route: APIRoute) -> str:
    """`v1_get_ticket`, `v2_get_ticket`, ...: unique, and named after the handler."""
    generation = next((tag for tag in route.tags if tag in ("v1", "v2")), None)
    return f"{generation}_{route.name}" if generation else route.name


def install(app: FastAPI) -> None:
    """Serve the finished document at `/openapi.json` (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=DESCRIPTION,
                routes=app.routes,
            )
            finish(document, list(iter_route_contexts(app.routes)))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(document: dict[str, Any], routes: list[RouteContext]) -> None:
    components = document.setdefault("components", {})
    components["securitySchemes"] = _SCHEMES
    components["headers"] = HEADERS
    for route in routes:
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = document["paths"][route.path_format][method.lower()]
            v2 = door_of(route.original_route, DEFAULT_DOOR) is V2
            _finish_operation(operation, str(route.path_format), method, route.dependant, v2=v2)
    for operation_id_, status, links in _links():
        _operation(document, operation_id_)["responses"][status]["links"] = links
    _name_upload_form(document)
    schemas = components.get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _finish_operation(
    operation: dict[str, Any], path: str, method: str, dependant: Dependant, *, v2: bool
) -> None:
    """`v2`: the route is the v2 door's, whose errors are problem documents."""
    scopes = _scopes(dependant)
    health = path in HEALTH_PATHS
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    common = [400, 500] if health else [400, 413, 500]
    if not is_download(method, path) and not health:
        common.append(406)
    if scopes is not None:
        common += [401, 403, 429]
        accepted = sorted(scopes)
        operation["security"] = [{scheme: [scope]} for scheme in _SCHEMES for scope in accepted]
    for code in sorted(common):
        responses.setdefault(str(code), _error_response(code, v2=v2))
    tagged = "304" in responses
    for status, response in responses.items():
        if v2 and "application/problem+json" in response.get("content", {}):
            response["content"].pop("application/json", None)
        response["headers"] = dict(
            _headers_of(path, int(status), tagged=tagged, download=is_download(method, path), v2=v2)
        )


def _headers_of(
    path: str, status: int, *, tagged: bool, download: bool, v2: bool
) -> Iterator[tuple[str, Any]]:
    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/headers/{name}", "required": True}

    yield "X-Request-Id", ref("RequestIdV2" if v2 else "RequestIdV1")
    if path in HEALTH_PATHS:
        return
    for header, name in _RATE_LIMIT_HEADERS.items():
        yield header, ref(name)
    if path.startswith("/api/"):
        yield "Cache-Control", ref("CacheControl")
        yield "Vary", ref("Vary")
    if status == 429:
        yield "Retry-After", ref("RetryAfter")
    if download and status in (200, 206, 304):
        yield "ETag", ref("FileETag")
    elif tagged and status in (200, 304):
        yield "ETag", ref("WeakETag")
    if download and status in (200, 206):
        for header, name in _FILE_HEADERS.items():
            yield header, ref(name)
    if download and status == 206:
        yield "Content-Range", ref("ContentRange")
    if download and status == 416:
        yield "Content-Range", ref("UnsatisfiedRange")


def _error_response(status: int, *, v2: bool) -> dict[str, Any]:
    if v2:
        media, schema = "application/problem+json", "V2Problem"
    else:
        media, schema = "application/json", "V1RateLimitedError" if status == 429 else "V1Error"
    return {
        "description": _ERROR_DESCRIPTIONS[status],
        "content": {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _scopes(dependant: Dependant) -> set[str] | None:
    """The scopes a route accepts (any one will do), or None when it needs no key."""
    found: set[str] | None = None
    for sub in dependant.dependencies:
        accepted = REQUIRED_SCOPES.get(sub.call) if sub.call is not None else None
        inner = set(accepted) if accepted is not None else _scopes(sub)
        if inner is not None:
            found = (found or set()) | inner
    return found


def _ticket_links(ticket_pointer: str) -> dict[str, Any]:
    return {
        name: {
            "operationId": target,
            "parameters": {parameter: f"$response.body#{ticket_pointer}"},
            "description": f"`{target}` on this ticket.",
        }
        for name, target, parameter in _TICKET_ACTIONS
    }


def _download_link(attachment_pointer: str, ticket_pointer: str) -> dict[str, Any]:
    return {
        "DownloadAttachment": {
            "operationId": "v2_download_attachment",
            "parameters": {
                "path.attachment_id": f"$response.body#{attachment_pointer}",
                "query.ticketId": f"$response.body#{ticket_pointer}",
            },
            "description": "Download the first file (when there is one).",
        }
    }


def _links() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(operation id, status, links): from each answer that names a ticket, to its actions."""
    ticket = {**_ticket_links("/id"), **_download_link("/attachments/0/id", "/id")}
    for source, status in (
        ("v2_create_ticket", "201"),
        ("v2_get_ticket", "200"),
        ("v2_close_ticket", "200"),
        ("v2_reopen_ticket", "200"),
    ):
        yield source, status, ticket
    yield "v2_list_tickets", "200", _ticket_links("/data/0/id")
    yield (
        "v2_post_message",
        "201",
        {**_ticket_links("/ticketId"), **_download_link("/attachments/0/id", "/ticketId")},
    )
    v1_read = {
        "GetTicket": {
            "operationId": "v1_get_ticket",
            "parameters": {"path.number": "$response.body#/data/ticket/number"},
            "description": "`v1_get_ticket` on the new ticket.",
        }
    }
    yield "v1_create_ticket", "200", v1_read


def _operation(document: dict[str, Any], wanted: str) -> dict[str, Any]:
    for operations in document["paths"].values():
        for operation in operations.values():
            if operation.get("operationId") == wanted:
                found: dict[str, Any] = operation
                return found
    raise LookupError(wanted)


def _name_upload_form(document: dict[str, Any]) -> None:
    """FastAPI names a multipart body after its route; files get `format: binary`, which
    generated clients need to send them as files."""
    schemas = document["components"]["schemas"]
    for name in [n for n in schemas if n.startswith("Body_")]:
        new = _FORM_NAMES.get(name.removeprefix("Body_"), name)
        schemas[new] = schemas.pop(name)
        schemas[new]["title"] = new
        for prop in schemas[new].get("properties", {}).values():
            if prop.get("contentMediaType") == "application/octet-stream":
                prop["format"] = "binary"
        _rewrite_refs(document, f"#/components/schemas/{name}", f"#/components/schemas/{new}")


_FORM_NAMES = {"v2_upload_attachment": "V2UploadForm"}


def _rewrite_refs(node: Any, old: str, new: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and value == old:
                node[key] = new
            else:
                _rewrite_refs(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _rewrite_refs(item, old, new)
