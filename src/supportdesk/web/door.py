"""The web door: the pages' request ids and their errors, which are HTML pages, not JSON."""

from __future__ import annotations

from supportdesk.api.doors import Door, route_class
from supportdesk.core.actor import VIA_WEB
from supportdesk.core.errors import SupportdeskError
from supportdesk.core.ids import v2_request_id
from supportdesk.web.templates import render_error_page

# Where the pages live: the desk, the portal, HostBill's old ticket links and the static files.
PAGE_PREFIXES = ("/desk", "/portal", "/tickets/view", "/static")


def is_page_path(path: str) -> bool:
    """Whether `path` is one of the pages' (or their static files'), never the API's."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PAGE_PREFIXES)


def _render(error: SupportdeskError, request_id: str, path: str) -> tuple[bytes, str]:
    return render_error_page(error, request_id), "text/html; charset=utf-8"


WEB = Door(
    name=VIA_WEB,
    prefixes=PAGE_PREFIXES,
    new_request_id=v2_request_id,
    render=_render,
)

# The route class of every page router: its routes answer errors as HTML pages.
PageRoute = route_class(WEB)
