"""`/desk/`: the staff desk's pages and forms (server-rendered; forms work without scripts)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

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
        if request.headers.get("hx-request") == "true":
            # A page's poll (htmx): the whole page goes to the form, and back to itself after.
            shown = urlsplit(request.headers.get("hx-current-url", ""))
            back_to = pages.safe_next(shown.path + (f"?{shown.query}" if shown.query else ""))
            form = "/desk/sign-in?" + urlencode({"next": back_to})
            return Response(status_code=401, headers={"HX-Redirect": form})
        return see_other("/desk/sign-in?" + urlencode({"next": exc.back_to}))

    app.add_exception_handler(SignInRequired, on_sign_in_required)
