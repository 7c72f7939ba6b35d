"""`/desk/`: the staff desk's pages and forms (server-rendered; forms work without scripts)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from supportdesk.api.handlers import error_response
from supportdesk.core.errors import SupportdeskError
from supportdesk.web.desk import actions, pages
from supportdesk.web.desk.guard import SignInRequired
from supportdesk.web.desk.render import page, see_other


def install(app: FastAPI) -> None:
    """Serve the desk on `app`: its routes, and its refusals as pages."""
    app.include_router(pages.router)
    app.include_router(actions.router)

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return see_other("/desk/sign-in?" + urlencode({"next": exc.back_to}))

    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SupportdeskError)
        if not request.url.path.startswith("/desk/"):
            return error_response(request, exc)
        response = page(request, "desk/error.html", None, exc.status_code, error=exc)
        response.headers.update(exc.headers)
        return response

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(SupportdeskError, on_error)
