"""Liveness and readiness, for load balancers and orchestrators (not rate limited)."""

from __future__ import annotations

from typing import Literal

import orjson
from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from supportdesk.api.deps import State

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    # `ok`, or what failed: an exception's name, or `unreachable`.
    checks: dict[str, str]


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Response:
    """The process is up and answering."""
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: `checks` says what failed."}},
    summary="Readiness",
)
async def readyz(state: State) -> Response:
    """The database and the rate-limit storage (Redis, when configured) both answer."""
    checks: dict[str, str] = {}
    try:
        await state.db.ping()
        checks["database"] = "ok"
    except Exception as error:  # any failure means "not ready"
        checks["database"] = type(error).__name__
    try:
        checks["rateLimits"] = "ok" if await state.limiter.ping() else "unreachable"
    except Exception as error:
        checks["rateLimits"] = type(error).__name__
    ready = all(value == "ok" for value in checks.values())
    return Response(
        orjson.dumps({"status": "ok" if ready else "unavailable", "checks": checks}),
        status_code=200 if ready else 503,
        media_type="application/json",
    )
