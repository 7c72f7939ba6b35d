"""Reading the v2 list the way a client program does: every page, following `nextCursor`."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.v2.assertions import key

URL = "/api/v2/support/tickets"


async def numbers(api: httpx.AsyncClient, api_key: str, **params: Any) -> list[int]:
    """The numbers of every ticket the list shows with `params`, in order, page by page."""
    found: list[int] = []
    cursor = None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await api.get(URL, params=query, headers=key(api_key))
        assert response.status_code == 200, response.text
        page = response.json()
        found += [int(ticket["number"]) for ticket in page["data"]]
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            return found
    raise AssertionError("more than 100 pages")
