"""The pages: the staff desk (`/desk/`) and the customer portal (`/portal/`), web.md.

Server-rendered (Jinja2), usable without JavaScript; htmx (vendored, `static/htmx.min.js`) may
enhance a page, never replace a form. The foundation every page router stands on:

- `install(app, state)`, called once by `create_app`: mounts `/static/` (files of this
  package, never a CDN), adds `security.PageGuard` and includes the page routers. A new router
  is added here, one line.
- `door.WEB`, `door.PageRoute`: `APIRouter(prefix="/desk", route_class=PageRoute,
  include_in_schema=False)`. Routes of that class answer every error (a `SupportdeskError`
  raised anywhere, a validation error, 404, 405) as an HTML page (`templates/error.html`), with
  a `req_` request id; the timeline's `via` is `core.actor.VIA_WEB` ("web"). Paths under
  `door.PAGE_PREFIXES` (/desk, /portal, /tickets/view, /static) are the pages' even when no
  route matched. `ApiMiddleware` still gives them a request id, the access log and its body
  limits, but no JSON `Accept` check and no per-key cache headers.
- `pages.render_page(request, "desk/queue.html", {...}, status_code=200)`: renders a template
  with `request`, `csrf_token` and `request_id` added to the context, and sets the CSRF cookie
  when the browser lacks it. `pages.see_other(url)`: the 303 after a form's POST.
- `templates.environment`: autoescape on; filters `linkify` (escape, then http(s) links as
  `<a rel="nofollow noopener noreferrer">`; put the result in an element of class `text`, whose
  `white-space: pre-wrap` keeps the newlines) and `file_size`; global `version`.
  `templates/base.html` blocks: `title`, `lang`, `body_class`, `header`, `nav`, `notice` (shows
  a `notice` context variable as a status message), `content`, `footer`; it has the skip link
  to `<main id="main">`, landmarks, `/static/web.css` and `/static/htmx.min.js`.
  `templates/_forms.html`: `{% import "_forms.html" as forms %}` … `{{ forms.csrf(csrf_token) }}`.
- `security`: `Depends(require_csrf)` on every state-changing route (the form field
  `csrf_token`, or the `X-CSRF-Token` header for htmx, must match the browser's `sd_csrf`
  cookie: an HMAC under a key derived from the installation's secret); `rotate_csrf(request,
  response)` on sign-in and sign-out; `set_cookie` / `delete_cookie` (HttpOnly, SameSite=Lax,
  Secure over https, or behind a trusted proxy that says so); `PageGuard` refuses
  POST/PUT/PATCH/DELETE whose `Sec-Fetch-Site` is not same-origin/none (or, without it, whose
  `Origin` is another host: 403 page), and sets the CSP
  (`security.CONTENT_SECURITY_POLICY`: no inline script or style), nosniff, `Referrer-Policy:
  same-origin` and `Cache-Control: no-store` on pages.
- The pages never read an API key; the API never reads a cookie.
- The portal (`portal/`) acts as `tickets.access.client_by_access_link`'s actor: the ticket's
  client, or `Actor.guest` for a ticket without a client account.
- Browser tests: `tests/web/conftest.py` gives a session-wide `browser` (Debian's chromium;
  missing, it fails); `tests/web/browser.py` has `screenshot(page, name)` (to `screenshots/`)
  and `serious_violations(page)` (axe-core, in a `bypass_csp=True` context).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from supportdesk.api.deps import AppState

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI, state: AppState) -> None:
    """Mount the static files, guard the pages and include their routers (once, in create_app)."""
    from starlette.staticfiles import StaticFiles

    from supportdesk.web import desk
    from supportdesk.web.portal.router import legacy_router
    from supportdesk.web.portal.router import router as portal_router
    from supportdesk.web.security import PageGuard

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(portal_router)
    app.include_router(legacy_router)
    desk.install(app)
    app.add_middleware(PageGuard)
