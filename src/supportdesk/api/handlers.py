"""Exception handlers: every failure leaves as the generation's error body, never a stack trace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from supportdesk.api.deps import app_state
from supportdesk.api.errors import render_error
from supportdesk.core.errors import (
    InvalidParameter,
    MethodNotAllowed,
    NotFound,
    SupportdeskError,
    ValidationFailed,
)

# However many problems a request has, its error body lists this many at most.
MAX_LISTED_ERRORS = 20
# pydantic error types, as v2's short per-field codes.
_FIELD_CODES = {
    "missing": "required",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_short": "too_short",
    "too_long": "too_long",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "literal_error": "not_allowed",
    "enum": "not_allowed",
    "extra_forbidden": "unknown_field",
    "json_invalid": "invalid_json",
    "string_pattern_mismatch": "invalid_format",
}


def error_response(request: Request, error: SupportdeskError) -> Response:
    body, media_type = render_error(error, request.scope)
    return Response(
        body, status_code=error.status_code, media_type=media_type, headers=error.headers
    )


def _holds(value: Any, part: Any) -> bool:
    """Whether `part` of a `loc` names a key of this JSON object or an index of this array."""
    if isinstance(value, Mapping):
        return isinstance(part, str) and part in value
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return isinstance(part, int) and 0 <= part < len(value)
    return False


def _located(error: dict[str, Any], body: Any) -> tuple[Any, ...]:
    """The error's place in the request, as the client sent it: pydantic's `loc` without the
    labels it gives a union's members (`function-before[...]`, `constrained-int`, a model's
    name), which name no part of the request. In the body, a part of `loc` is kept while it
    names a key of the object or an index of the array reached so far (or, last, the field a
    `missing` error names); elsewhere (query, path, headers) the name and array indices."""
    location = tuple(error.get("loc", ()))
    if not location:
        return location
    where, rest = location[0], location[1:]
    if where != "body":
        return (where, *rest[:1], *(part for part in rest[1:] if isinstance(part, int)))
    kept: list[Any] = []
    value = body
    for i, part in enumerate(rest):
        if _holds(value, part):
            value = value[part]
        elif not (i == len(rest) - 1 and error.get("type") == "missing"):
            continue  # a union member's label
        kept.append(part)  # (or, last, the field a `missing` error names: it is not there)
    return (where, *kept)


def _pointer(location: tuple[Any, ...]) -> str:
    where, rest = (location[0], [str(part) for part in location[1:]]) if location else ("", [])
    if where == "body":
        return "/" + "/".join(rest) if rest else ""
    return "?" + ".".join(rest)


def _message(error: dict[str, Any], location: tuple[Any, ...]) -> str:
    if error.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    text = str(error.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
    name = ".".join(str(part) for part in location[1:]) or "body"
    kind = "Field" if location[:1] == ("body",) else "Parameter"
    return f"{kind} '{name}': {text}."


def validation_failure(exc: RequestValidationError) -> SupportdeskError:
    """One 400 naming the first problem, with the first MAX_LISTED_ERRORS problems listed for
    v2's `errors[]` (and the detail saying how many there were when that is more)."""
    found = exc.errors()
    errors = list(found[:MAX_LISTED_ERRORS])
    for error in errors:
        if error.get("type") == "json_invalid":
            error["loc"] = ("body",)  # a syntax error is the whole document's, not a byte offset
    located = [_located(error, exc.body) for error in errors]
    details = [
        {
            "pointer": _pointer(location),
            "detail": _message(error, location),
            "code": _FIELD_CODES.get(str(error.get("type")), "invalid"),
        }
        for error, location in zip(errors, located, strict=True)
    ]
    message = details[0]["detail"] if details else "The request is invalid."
    if len(found) > MAX_LISTED_ERRORS:
        message += f" ({len(found)} problems in all.)"
    first = errors[0] if errors else {}
    kind = (
        ValidationFailed
        if tuple(first.get("loc", ("body",)))[:1] == ("body",)
        else InvalidParameter
    )
    return kind(message, pointer=details[0]["pointer"] if details else None, details=details)


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _unlisted_routes(routes: Sequence[Any], prefix: str = "") -> list[tuple[str, set[str]]]:
    """The paths and methods of routes left out of the OpenAPI document (the pages'), through
    included routers."""
    found: list[tuple[str, set[str]]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            if not route.include_in_schema:
                found.append((prefix + route.path, set(route.methods or ())))
        elif (included := getattr(route, "original_router", None)) is not None:
            context = getattr(route, "include_context", None)
            found += _unlisted_routes(included.routes, prefix + getattr(context, "prefix", ""))
    return found


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's),
    from the OpenAPI document's paths, compiled once per app; HEAD wherever GET is."""
    index = app_state(request).allowed_methods
    if not index:
        index.extend(
            (compile_path(path)[0], {m.upper() for m in operations if m in _HTTP_METHODS})
            for path, operations in request.app.openapi()["paths"].items()
        )
        # The pages' routes, which the OpenAPI document leaves out.
        index.extend(
            (compile_path(path)[0], methods)
            for path, methods in _unlisted_routes(request.app.routes)
        )
    matching = [(pattern, served) for pattern, served in index if pattern.match(request.url.path)]
    # OpenAPI matches a concrete path before the templated ones (`/tickets/bulk`, then
    # `/tickets/{ticket_id}`).
    concrete = [served for pattern, served in matching if "(?P<" not in pattern.pattern]
    methods: set[str] = set()
    for served in concrete or [served for _, served in matching]:
        methods |= served
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install(app: FastAPI) -> None:
    async def on_supportdesk_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SupportdeskError)
        return error_response(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, validation_failure(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        error: SupportdeskError
        if isinstance(exc.__cause__, SupportdeskError):
            # Starlette wraps what fails while it parses a form (a body over the limit, say).
            error = exc.__cause__
        elif exc.status_code == 400:
            error = ValidationFailed(f"The request body could not be read: {exc.detail}")
        elif exc.status_code == 404:
            error = NotFound("No such route: check the method and the path.")
        elif exc.status_code == 405:
            allowed = _allowed_methods(request)
            error = MethodNotAllowed(
                f"{request.method} is not allowed here; use {', '.join(allowed)}."
            )
            response = error_response(request, error)
            response.headers["Allow"] = ", ".join(allowed)
            return response
        else:
            error = SupportdeskError(str(exc.detail))
            error.status_code = exc.status_code
        response = error_response(request, error)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    app.add_exception_handler(SupportdeskError, on_supportdesk_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
