"""Path parameters with their own convertor.

`/tickets/bulk` is a concrete path beside `/tickets/{ticket_id}`; as OpenAPI reads paths (a
concrete path is matched before a templated one) `bulk` names no ticket, so the ticket's own
routes do not match it and `GET /tickets/bulk` is a 405 like any method the path does not serve.
"""

from __future__ import annotations

from starlette.convertors import StringConvertor, register_url_convertor

# The concrete paths among a ticket's references.
CONCRETE = ("bulk",)


class TicketRefConvertor(StringConvertor):
    regex = "(?!(?:" + "|".join(CONCRETE) + ")$)[^/]+"


register_url_convertor("ticket", TicketRefConvertor())
# `{ticket_id}` of a route whose path ends there (the OpenAPI document shows `{ticket_id}`).
TICKET = "/tickets/{ticket_id:ticket}"
