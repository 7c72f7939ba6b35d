"""`supportdesk mcp --stdio`: the tools for a desktop assistant, over a server's URL.

The key and the URL come from `SUPPORTDESK_API_KEY` and `SUPPORTDESK_URL` (the library reads
them); what the key may do is found once, at start, through the API (`profile.discover`).
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.stdio import stdio_server

from supportdesk.mcp.profile import discover
from supportdesk.mcp.server import Caller, build_server
from supportdesk_client import AsyncClient


async def serve_stdio(base_url: str | None = None, api_key: str | None = None) -> None:
    async with AsyncClient(base_url, api_key) as api:
        caller = Caller(api, await discover(api))

        async def resolve(_: ServerRequestContext[Any]) -> Caller:
            return caller

        server = build_server(resolve)
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
