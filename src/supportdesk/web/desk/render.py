"""A desk page: `web.pages.render_page` with who is signed in and the desk's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from supportdesk.sessions.service import SignedIn
from supportdesk.web.pages import render_page, see_other
from supportdesk.web.templates import environment

__all__ = ["page", "see_other"]


def when(moment: datetime | None) -> str:
    """A time as the desk shows it (always UTC)."""
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else "—"


environment.filters["when"] = when


def page(
    request: Request,
    template: str,
    signed_in: SignedIn | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    from supportdesk.web.desk.ticket_page import summary_of_changes

    return render_page(
        request,
        template,
        {"me": signed_in, "changes_line": summary_of_changes, **context},
        status_code=status_code,
    )
