"""The v1 door: UUID request ids, the five-key error body, HostBill's field names."""

from __future__ import annotations

from supportdesk.api.doors import Door
from supportdesk.api.v1.errors import error_body
from supportdesk.core.actor import VIA_API_V1
from supportdesk.core.errors import SupportdeskError
from supportdesk.core.ids import v1_request_id


def _render(error: SupportdeskError, request_id: str, path: str) -> tuple[bytes, str]:
    return error_body(error, request_id), "application/json"


V1 = Door(
    name=VIA_API_V1,
    prefixes=("/api",),
    new_request_id=v1_request_id,
    render=_render,
    fields={
        "department": "dept_id",
        "client": "client_id",
        "service": "context.service_id",
        "attachments": "attachments",
        "critical_reason": "priority",
    },
)
