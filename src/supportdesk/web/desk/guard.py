"""Who is signed in to the desk, and the refusals every page and form goes through.

- The pages never accept an API key (`X-API-Key`, `Authorization`): 401, whatever else is sent.
- The session cookie is HttpOnly, SameSite=Lax, Secure over https, path `/desk/`.
- A state-changing request is refused when the browser says it comes from another site
  (`Sec-Fetch-Site`, else `Origin`), and must carry its session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from supportdesk.api.deps import app_state
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, SupportdeskError
from supportdesk.sessions import service as sessions
from supportdesk.sessions.service import SessionPolicy, SignedIn

COOKIE = "sd_desk"
# The sign-in form's own token (there is no session yet): a cookie the form must repeat.
SIGN_IN_COOKIE = "sd_desk_signin"
PATH = "/desk/"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class KeyRefused(SupportdeskError):
    status_code = 401
    code = "UNAUTHORIZED"
    v2_code = "unauthorized"
    default_message = "The desk's pages do not take API keys: sign in with your password."


class SignInRequired(Exception):
    """Not signed in (or the session ended): the page sends the browser to the sign-in form."""

    def __init__(self, back_to: str) -> None:
        self.back_to = back_to
        super().__init__(back_to)


class CrossSite(Forbidden):
    default_message = "A form of another site may not change anything here."


class BadToken(Forbidden):
    default_message = "The form's security token is missing or out of date: reload the page."


def policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        lifetime=timedelta(hours=settings.desk_session_hours),
        idle=timedelta(minutes=settings.desk_session_idle_minutes),
    )


def refuse_api_keys(request: Request) -> None:
    if request.headers.get("x-api-key") is not None or request.headers.get("authorization"):
        raise KeyRefused()


def refuse_cross_site(request: Request) -> None:
    """A browser names where a request comes from; another site's request changes nothing."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site not in {"same-origin", "none"}:
            raise CrossSite()
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != own_origin(request):
        raise CrossSite()


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


def check_token(sent: object, expected: str) -> None:
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise BadToken()


async def signed_in(request: Request, session: DbSession) -> SignedIn:
    """The staff member whose session the cookie names; SignInRequired otherwise."""
    refuse_api_keys(request)
    token = request.cookies.get(COOKIE, "")
    settings = app_state(request).settings
    found = await sessions.current(session, token, now=utcnow(), policy=policy(settings))
    if found is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(back_to)
    return found


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def sign_in_token(request: Request) -> str:
    """The sign-in form's token: the browser's own if it has one, else a new one."""
    found = request.cookies.get(SIGN_IN_COOKIE, "")
    return found if 20 <= len(found) <= 64 else secrets.token_urlsafe(24)


def set_sign_in_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )
