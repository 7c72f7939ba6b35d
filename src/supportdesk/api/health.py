"""Liveness and readiness, for load balancers and orchestrators (not rate limited)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from supportdesk.api.deps import State

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> Response:
    """The process is up and answering."""
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


@router.get("/readyz", summary="Readiness", responses={503: {"description": "Not ready."}})
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
