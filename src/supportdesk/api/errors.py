"""Which generation's error shape a request gets, decided by its path."""

from __future__ import annotations

from supportdesk.api.v1.errors import error_body
from supportdesk.api.v2.problems import PROBLEM_JSON, problem_body
from supportdesk.core.errors import SupportdeskError
from supportdesk.core.ids import v1_request_id, v2_request_id

V2_PREFIXES = ("/api/v2", "/errors")


def is_v2(path: str) -> bool:
    return path.startswith(V2_PREFIXES)


def request_id_for(path: str, offered: str | None) -> str:
    return v2_request_id(offered) if is_v2(path) else v1_request_id(offered)


def render_error(error: SupportdeskError, request_id: str, path: str) -> tuple[bytes, str]:
    """The body and media type of an error, in the shape of the path's generation."""
    if is_v2(path):
        return problem_body(error, request_id, path), PROBLEM_JSON
    return error_body(error, request_id), "application/json"
