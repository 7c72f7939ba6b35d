"""The v2 door: `req_` request ids, RFC 9457 problem documents, JSON pointers."""

from __future__ import annotations

from supportdesk.api.doors import Door
from supportdesk.api.v2.problems import PROBLEM_JSON, problem_body
from supportdesk.core.actor import VIA_API_V2
from supportdesk.core.errors import SupportdeskError
from supportdesk.core.ids import v2_request_id


def _render(error: SupportdeskError, request_id: str, path: str) -> tuple[bytes, str]:
    return problem_body(error, request_id, path), PROBLEM_JSON


V2 = Door(
    name=VIA_API_V2,
    prefixes=("/api/v2", "/errors"),
    new_request_id=v2_request_id,
    render=_render,
    fields={
        "department": "/departmentSlug",
        "client": "/clientId",
        "service": "/context/serviceId",
        "attachments": "/attachmentIds",
        "critical_reason": "/criticalReason",
        "status": "/status",
        "owner": "/ownerId",
        "subscribers": "/subscriberIds",
        "add_tags": "/addTags",
        "macro": "/macroId",
        "status_after": "/status",
        "send_at": "/sendAt",
        "draft": "/draft",
        "notify": "/notify",
        "keep_if_client_replies": "/keepIfClientReplies",
        "last_seen_message": "/lastSeenMessageId",
        "force": "/force",
    },
)
