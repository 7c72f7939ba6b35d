"""Who is signed in to the desk; and the pages' refusal of API keys.

- The pages never accept an API key (`X-API-Key`, `Authorization`): 401, whatever else is sent.
- The session cookie is `web.security`'s (HttpOnly, SameSite=Lax, Secure over https), on the
  path `/desk/` only. Cross-site requests and CSRF tokens are `web.security`'s too.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from supportdesk.api.deps import app_state
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import DbSession
from supportdesk.core.errors import SupportdeskError
from supportdesk.sessions import service as sessions
from supportdesk.sessions.service import SessionPolicy, SignedIn
from supportdesk.web import security

COOKIE = "sd_desk"
PATH = "/desk/"


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


def policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        lifetime=timedelta(hours=settings.desk_session_hours),
        idle=timedelta(minutes=settings.desk_session_idle_minutes),
    )


def refuse_api_keys(request: Request) -> None:
    if request.headers.get("x-api-key") is not None or request.headers.get("authorization"):
        raise KeyRefused()


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


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    security.set_cookie(response, request, COOKIE, token, max_age=max_age, path=PATH)


def delete_session_cookie(response: Response, request: Request) -> None:
    security.delete_cookie(response, request, COOKIE, path=PATH)
