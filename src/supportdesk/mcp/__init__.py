"""Tools for AI assistants (clients.md, MCP): `/mcp` on the server, `supportdesk mcp --stdio`.

Both doors serve the same tools (`tools`) over the library's `AsyncClient`, so every rule of
the API holds for an assistant as for any other caller: `/mcp` sends them to the same app
in-process, carrying the caller's key; the stdio door sends them to a server's URL.
"""
