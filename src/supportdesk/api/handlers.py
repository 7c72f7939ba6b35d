"""Exception handlers: every failure leaves as the generation's error body, never a stack trace."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from supportdesk.api.v1.errors import error_body
from supportdesk.core.errors import (
    InvalidParameter,
    MethodNotAllowed,
    NotFound,
    RateLimited,
    SupportdeskError,
    ValidationFailed,
)


def error_response(request: Request, error: SupportdeskError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return Response(
        error_body(error, request.state.request_id),
        status_code=error.status_code,
        media_type="application/json",
        headers=headers,
    )


def _describe(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ())]
    where, name = (location[0], ".".join(location[1:])) if location else ("", "")
    message = str(error.get("msg", "is invalid")).rstrip(".")
    if where == "body":
        return f"Field '{name or 'body'}': {message}."
    return f"Parameter '{name}': {message}."


def validation_failure(error: RequestValidationError) -> SupportdeskError:
    errors = list(error.errors())
    first = errors[0] if errors else {}
    message = _describe(first)
    if first.get("loc", ("body",))[0] == "body":
        return ValidationFailed(message)
    return InvalidParameter(message)


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
        if exc.status_code == 404:
            error = NotFound("No such route: check the method and the path.")
        elif exc.status_code == 405:
            error = MethodNotAllowed(f"{request.method} is not allowed on this resource.")
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
