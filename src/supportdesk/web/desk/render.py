"""A desk page's response: its template rendered, with the desk's security headers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from supportdesk.sessions.service import SignedIn
from supportdesk.web.desk.guard import SECURITY_HEADERS
from supportdesk.web.desk.templating import TEMPLATES
from supportdesk.web.desk.ticket_page import summary_of_changes


def page(
    request: Request,
    template: str,
    signed_in: SignedIn | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(
        request=request,
        me=signed_in,
        csrf=signed_in.csrf_token if signed_in is not None else "",
        changes_line=summary_of_changes,
        **context,
    )
    return HTMLResponse(html, status_code, headers=SECURITY_HEADERS)


def see_other(url: str) -> Response:
    """After a form: the browser loads the page that shows the outcome (POST/redirect/GET)."""
    return RedirectResponse(url, 303, headers=SECURITY_HEADERS)
