"""The pages' defences: CSRF tokens, the cross-site refusal, security headers, cookie flags.

- **CSRF.** A browser gets a random `sd_csrf` cookie (HttpOnly, SameSite=Lax); every form
  carries `csrf_token`, the cookie's HMAC under a key derived from the installation's secret
  (`core.secret_key`). A state-changing request passes `require_csrf` only when the field (or
  the `X-CSRF-Token` header, for htmx) matches the cookie it came with: a page of another site
  can neither read the cookie nor compute the token.
- **Cross-site.** `PageGuard` refuses (403 page) a POST, PUT, PATCH or DELETE to a page when the
  browser says it came from elsewhere (`Sec-Fetch-Site` other than same-origin or none), or its
  `Origin` is not this server's.
- **Headers.** Every page and static file leaves with a strict Content-Security-Policy (no
  inline script or style), `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`
  (the portal's URLs carry the ticket's access hash: no other site is told them; within the
  site the browser keeps its `Origin` header) and, for pages, `Cache-Control: no-store`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk.api.deps import app_state
from supportdesk.api.middleware import send_error
from supportdesk.core.addresses import from_trusted_proxy
from supportdesk.core.errors import Forbidden
from supportdesk.core.secret_key import derive_key, load_secret
from supportdesk.web.door import is_page_path

CSRF_COOKIE = "sd_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SEED = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SAME_ORIGIN = frozenset({"same-origin", "none"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_NO_STORE = (b"cache-control", b"no-store")


class CsrfRefused(Forbidden):
    default_message = (
        "This form has expired or did not come from this site. Go back, reload the page and "
        "send it again."
    )


class CrossSiteRefused(Forbidden):
    default_message = "A form on another site cannot change anything here."


# --- cookies ----------------------------------------------------------------------------------


def is_https(connection: HTTPConnection) -> bool:
    """Served over https: to this process, or to a trusted proxy that says so
    (`X-Forwarded-Proto`, believed only from `SUPPORTDESK_TRUSTED_PROXIES`)."""
    if connection.url.scheme == "https":
        return True
    forwarded = connection.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    peer = connection.client.host if connection.client else None
    proxies = app_state(connection).settings.trusted_proxies
    return forwarded == "https" and from_trusted_proxy(peer, proxies)


def set_cookie(
    response: Response,
    connection: HTTPConnection,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    path: str = "/",
) -> None:
    """Set a cookie as every page cookie is set: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=is_https(connection),
    )


def delete_cookie(
    response: Response, connection: HTTPConnection, name: str, *, path: str = "/"
) -> None:
    response.delete_cookie(
        name, path=path, httponly=True, samesite="lax", secure=is_https(connection)
    )


# --- CSRF -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _csrf_key(secret: bytes) -> bytes:
    return derive_key(secret, "web-csrf")


def _token_for(connection: HTTPConnection, seed: str) -> str:
    key = _csrf_key(load_secret(app_state(connection).settings))
    digest = hmac.new(key, seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _cookie_seed(connection: HTTPConnection) -> str | None:
    seed = connection.cookies.get(CSRF_COOKIE)
    return seed if seed is not None and _SEED.match(seed) else None


def csrf_token(connection: HTTPConnection) -> str:
    """The token a form on this page carries; a browser without the cookie is given one
    (`render_page` sets it on the response)."""
    seed = _cookie_seed(connection) or getattr(connection.state, "new_csrf_seed", None)
    if seed is None:
        seed = secrets.token_urlsafe(32)
        connection.state.new_csrf_seed = seed
    return _token_for(connection, seed)


def rotate_csrf(connection: HTTPConnection, response: Response) -> None:
    """A new CSRF cookie (on sign-in and sign-out: a token known before is worth nothing)."""
    seed = secrets.token_urlsafe(32)
    connection.state.new_csrf_seed = seed
    set_cookie(response, connection, CSRF_COOKIE, seed)


def issue_csrf_cookie(connection: HTTPConnection, response: Response) -> None:
    """Set the cookie whose token `csrf_token` gave this page, if the browser lacked it."""
    seed: str | None = getattr(connection.state, "new_csrf_seed", None)
    if seed is not None:
        set_cookie(response, connection, CSRF_COOKIE, seed)


async def require_csrf(request: Request) -> None:
    """A dependency of every state-changing page route: 403 unless the form's `csrf_token`
    (or the `X-CSRF-Token` header) is the one for the browser's CSRF cookie."""
    seed = _cookie_seed(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if seed is None or not sent or not hmac.compare_digest(sent, _token_for(request, seed)):
        raise CsrfRefused()


# --- cross-site requests and headers ----------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def is_cross_site(scope: Scope) -> bool:
    """Whether a browser sent this request from a page of another origin.

    `Sec-Fetch-Site`, when sent, is the browser's own word and decides alone (a same-origin
    form may carry `Origin: null`, under some referrer policies). Otherwise the `Origin`
    header must name this host; a request with neither is no browser's cross-site request."""
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.lower() not in _SAME_ORIGIN
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    host = _header(scope, b"host") or ""
    scheme, _, rest = origin.partition("://")
    # The scheme is not compared: behind a TLS proxy this process sees http.
    return scheme.lower() not in ("http", "https") or rest.lower() != host.lower()


class PageGuard:
    """Refuses cross-site state-changing requests to the pages; adds the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {name.lower() for name, _ in sent}
                added = [header for header in SECURITY_HEADERS if header[0] not in names]
                if not is_static and _NO_STORE[0] not in names:
                    added.append(_NO_STORE)
                message = {**message, "headers": [*sent, *added]}
            await send(message)

        if scope["method"] not in _SAFE_METHODS and is_cross_site(scope):
            await send_error(CrossSiteRefused(), scope, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
