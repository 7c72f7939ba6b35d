"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from supportdesk import __version__
from supportdesk.api import handlers, openapi
from supportdesk.api.deps import AppState, install_state
from supportdesk.api.health import router as health_router
from supportdesk.api.middleware import ApiMiddleware
from supportdesk.api.v1.attachments import router as v1_attachments_router
from supportdesk.api.v1.lane import TicketReadLane
from supportdesk.api.v1.router import router as v1_router
from supportdesk.api.v2.admin import router as v2_admin_router
from supportdesk.api.v2.attachments import router as v2_attachments_router
from supportdesk.api.v2.conversation import router as v2_conversation_router
from supportdesk.api.v2.cursor import CursorCodec
from supportdesk.api.v2.desk import router as v2_desk_router
from supportdesk.api.v2.router import errors_router
from supportdesk.api.v2.router import router as v2_router
from supportdesk.core.config import Settings, get_settings
from supportdesk.core.db import Database
from supportdesk.core.logging import configure_logging
from supportdesk.core.ratelimit import RateLimiter
from supportdesk.core.secret_key import load_secret
from supportdesk.keys.service import KeyAuthenticator
from supportdesk.web import install as install_web


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    limiter = RateLimiter(
        settings.limits_storage_url,
        auth_failures_per_minute=settings.auth_failures_per_minute,
        redis_connections=settings.redis_max_connections,
        key_prefix=settings.rate_limit_key_prefix,
    )

    state = AppState(
        settings=settings,
        db=Database(settings),
        limiter=limiter,
        authenticator=KeyAuthenticator(
            ttl=settings.key_cache_seconds, default_rate_limit=settings.rate_limit_per_minute
        ),
        # Read (or created) on first use: building the app, e.g. for its OpenAPI document,
        # touches no file.
        cursors=CursorCodec(lambda: load_secret(settings)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await state.db.dispose()
        await state.limiter.close()

    app = FastAPI(
        title="supportdesk",
        version=__version__,
        description="A self-hosted support-ticket service that speaks HostUp's support API.",
        lifespan=lifespan,
        generate_unique_id_function=openapi.operation_id,
    )
    install_state(app, state)
    handlers.install(app)
    openapi.install(app)
    app.include_router(health_router)
    app.include_router(v1_router)
    app.include_router(v1_attachments_router)
    app.include_router(v2_router)
    app.include_router(v2_attachments_router)
    app.include_router(v2_admin_router)
    app.include_router(v2_desk_router)
    app.include_router(v2_conversation_router)
    app.include_router(errors_router)
    install_web(app, state)
    if settings.read_lane:
        app.add_middleware(TicketReadLane)
    app.add_middleware(
        ApiMiddleware,
        limiter=limiter,
        max_upload_bytes=settings.attachment_max_bytes,
        trusted_proxies=settings.trusted_proxies,
    )
    return app
