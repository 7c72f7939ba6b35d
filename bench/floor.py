"""The floor: a raw ASGI callable that answers every request with the same pre-encoded bytes.

`uvicorn bench.floor:app` with `BENCH_FLOOR_BODY` naming a file holding a real ticket response,
so that the floor sends as many bytes as supportdesk does, with no framework and no database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BODY = Path(os.environ.get("BENCH_FLOOR_BODY", "/dev/null")).read_bytes() or b"{}"
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
