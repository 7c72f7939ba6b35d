"""The desk's cases for `make bench`: the staff queue and search, on the loaded data set.

Each case is a v2 list request made in-process (httpx over ASGI, no network, so the figure is
the app and the database alone), sequentially, `REQUESTS` times after a warm-up; printed with
its p50/p95, the size of its answer and the SQL statements one request sends. Targets, printed
beside the figures and never asserted: the same statement count per page whatever the size of
the data, and search p50 under 50 ms at 100,000 tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx
from sqlalchemy import Engine, event

from supportdesk.api.deps import state_of
from supportdesk.app import create_app
from supportdesk.core.config import Settings
from supportdesk.keys.service import create_key

REQUESTS = 40
URL = "/api/v2/support/tickets"
# (label, query): staff's queue with filters, 20 a page, and search with one and three words.
CASES: list[tuple[str, dict[str, str]]] = [
    ("queue: mine, by priority", {"ownerId": "me", "sort": "-priority"}),
    ("queue: open, soonest due", {"status": "open", "sort": "resolveBy"}),
    ("queue: overdue, high", {"overdue": "true", "priority": "high"}),
    ("queue: page 2 (cursor)", {"ownerId": "me", "sort": "-priority", "page": "2"}),
    ("search: 1 common word", {"q": "certificate"}),
    ("search: 1 rarer word", {"q": "silquoden"}),
    ("search: 3 words", {"q": "dns timeout backup"}),
    ("search: 3 words, staff filter", {"q": "mail bounce quota", "ownerId": "me"}),
    ("search (client key): 1 word", {"q": "certificate", "client": "1"}),
]
TARGETS = "targets: SQL per request the same at every size; search p50 < 50 ms at 100,000 tickets"


async def _measure(url: str, only: list[str] | None = None) -> list[dict[str, Any]]:
    app = create_app(
        Settings(
            database_url=url,
            rate_limit_per_minute=1_000_000,
            key_cache_seconds=60,
            log_level="WARNING",
        )
    )
    database = state_of(app).db
    async with database.transaction() as session:
        _, staff_key = await create_key(
            session,
            client_id=None,
            staff_id=1,
            scopes=["read:support", "manage:support"],
            rate_limit_per_minute=100_000_000,
        )
        _, client_key = await create_key(
            session,
            client_id=1,
            staff_id=None,
            scopes=["read:support"],
            rate_limit_per_minute=100_000_000,
        )
    engine: Engine | None = database._sqlite_engine
    if engine is None:
        assert database._async_engine is not None
        engine = database._async_engine.sync_engine
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for label, query in CASES:
            if only and not any(part in label for part in only):
                continue
            params = {k: v for k, v in query.items() if k not in ("page", "client")}
            params["limit"] = "20"
            headers = {"X-API-Key": client_key if "client" in query else staff_key}
            if query.get("page") == "2":
                first = await client.get(URL, params=params, headers=headers)
                params["cursor"] = first.json()["nextCursor"] or ""
            for _ in range(3):  # warm-up: the key cache, the database's pages
                response = await client.get(URL, params=params, headers=headers)
                response.raise_for_status()
            seen: list[str] = []

            def listener(*args: Any, seen: list[str] = seen) -> None:
                seen.append(args[2])

            event.listen(engine, "before_cursor_execute", listener)
            await client.get(URL, params=params, headers=headers)
            event.remove(engine, "before_cursor_execute", listener)
            timings = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                response = await client.get(URL, params=params, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            page = response.json()
            ordered = sorted(timings)
            results.append(
                {
                    "case": label,
                    "query": params,
                    "p50_ms": statistics.median(timings),
                    "p95_ms": ordered[int(len(ordered) * 0.95) - 1],
                    "items": len(page["data"]),
                    "has_more": page["hasMore"],
                    "sql_statements": len(seen),
                }
            )
    await database.dispose()
    return results


def measure(url: str, only: list[str] | None = None) -> list[dict[str, Any]]:
    """Every desk case (or those whose label holds one of `only`) against the data set at `url`
    (already loaded)."""
    return asyncio.run(_measure(url, only))


def report(results: dict[str, Any]) -> str:
    """The desk cases of every backend as a Markdown table (printed, and returned)."""
    rows = [
        f"Desk cases ({results['tickets']} tickets, in-process, {REQUESTS} sequential requests "
        f"each; {TARGETS}):",
        "",
        "| backend | case | p50 ms | p95 ms | items | SQL per request |",
        "|---|---|---|---|---|---|",
    ]
    for backend, case in results["cases"].items():
        for run in case.get("desk", []):
            cells = [
                backend,
                run["case"],
                f"{run['p50_ms']:.1f}",
                f"{run['p95_ms']:.1f}",
                f"{run['items']}{'+' if run['has_more'] else ''}",
                str(run["sql_statements"]),
            ]
            rows.append("| " + " | ".join(cells) + " |")
    table = "\n".join(rows)
    print(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description="The desk cases alone, against a data set already loaded by bench.generate"
        " (so that one database serves many runs)"
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=0, help="the data set's size, for the title")
    parser.add_argument("--case", action="append", help="only cases whose label holds this")
    options = parser.parse_args()
    backend = "sqlite" if options.database_url.startswith("sqlite") else "postgres"
    runs = measure(options.database_url, options.case)
    report({"tickets": options.tickets, "cases": {backend: {"desk": runs}}})


if __name__ == "__main__":
    main()
