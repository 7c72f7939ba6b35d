"""The application's state, set once by `create_app`, and typed dependencies that reach it.

Handlers name what they need (`settings: AppSettings`); code that runs outside FastAPI's
dependency solving (the read lane, a middleware, a helper given the request) calls
`app_state(request)`. Nothing reads untyped attributes of `app.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from re import Pattern
from typing import Annotated

from fastapi import Depends
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from supportdesk.api.answers import AnswerCache
from supportdesk.api.v2.cursor import CursorCodec
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.ratelimit import RateLimiter
from supportdesk.keys.service import KeyAuthenticator

_ATTRIBUTE = "supportdesk"


@dataclass(frozen=True, slots=True)
class AppState:
    """What one app holds for its lifetime: its settings and the resources built from them."""

    settings: Settings
    db: Database
    limiter: RateLimiter
    authenticator: KeyAuthenticator
    # v2 list cursors, keyed by the installation's secret.
    cursors: CursorCodec
    # Each route path's compiled pattern and methods, filled on the first 405 (`api.handlers`).
    allowed_methods: list[tuple[Pattern[str], set[str]]] = field(default_factory=list)
    # Ticket detail answers built once, while their version holds (`api.answers`).
    answers: AnswerCache = field(default_factory=AnswerCache)


def install_state(app: Starlette, state: AppState) -> None:
    """Set the app's state, once, in `create_app`."""
    if hasattr(app.state, _ATTRIBUTE):
        raise RuntimeError("the app's state is set once")
    setattr(app.state, _ATTRIBUTE, state)


def state_of(app: Starlette) -> AppState:
    """The state `create_app` set on `app` (tests reach an app's database through it)."""
    state = getattr(app.state, _ATTRIBUTE, None)
    if not isinstance(state, AppState):
        raise RuntimeError("this app was not built by supportdesk.app.create_app")
    return state


def app_state(request: HTTPConnection) -> AppState:
    """The state of the app serving `request`."""
    return state_of(request.app)


def _settings(request: HTTPConnection) -> Settings:
    return app_state(request).settings


def _database(request: HTTPConnection) -> Database:
    return app_state(request).db


def _limiter(request: HTTPConnection) -> RateLimiter:
    return app_state(request).limiter


def _authenticator(request: HTTPConnection) -> KeyAuthenticator:
    return app_state(request).authenticator


def _cursors(request: HTTPConnection) -> CursorCodec:
    return app_state(request).cursors


State = Annotated[AppState, Depends(app_state)]
AppSettings = Annotated[Settings, Depends(_settings)]
Db = Annotated[Database, Depends(_database)]
Limiter = Annotated[RateLimiter, Depends(_limiter)]
Authenticator = Annotated[KeyAuthenticator, Depends(_authenticator)]
Cursors = Annotated[CursorCodec, Depends(_cursors)]
