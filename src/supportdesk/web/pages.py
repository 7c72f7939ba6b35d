"""Rendering a page: the template, the CSRF token its forms carry, and the cookie behind it."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from supportdesk.api.errors import request_id
from supportdesk.web.security import csrf_token, issue_csrf_cookie
from supportdesk.web.templates import render_template


def render_page(
    request: Request,
    name: str,
    context: Mapping[str, object] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """`name` rendered with `context`, plus `request`, `csrf_token` and `request_id`."""
    token = csrf_token(request)
    html = render_template(
        name,
        **{
            **(context or {}),
            "request": request,
            "csrf_token": token,
            "request_id": request_id(request.scope),
        },
    )
    response = HTMLResponse(html, status_code=status_code)
    issue_csrf_cookie(request, response)
    return response


def see_other(url: str) -> RedirectResponse:
    """After a form's POST: 303, so that reloading the page does not send the form again."""
    return RedirectResponse(url, status_code=303)
