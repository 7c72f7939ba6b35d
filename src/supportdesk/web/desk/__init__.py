"""`/desk/`: the staff desk's pages and forms (server-rendered; forms work without scripts)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from supportdesk.web.desk import actions, pages
from supportdesk.web.desk.guard import SignInRequired
from supportdesk.web.desk.render import see_other


def install(app: FastAPI) -> None:
    """Serve the desk on `app` (called by `web.install`): its routes, and the way to the
    sign-in form from any of them."""
    app.include_router(pages.router)
    app.include_router(actions.router)

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return see_other("/desk/sign-in?" + urlencode({"next": exc.back_to}))

    app.add_exception_handler(SignInRequired, on_sign_in_required)
