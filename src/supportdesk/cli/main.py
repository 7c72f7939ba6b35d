"""`supportdesk`: init, demo, keys, serve, tickets, maintenance."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from supportdesk.core.columns import TICKET_NUMBER_MAX
from supportdesk.core.config import get_settings
from supportdesk.core.db import Database, DbSession
from supportdesk.core.errors import SupportdeskError

app = typer.Typer(help="supportdesk: a self-hosted support-ticket service.", no_args_is_help=True)
keys_app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)
tickets_app = typer.Typer(help="Read tickets from the terminal.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(tickets_app, name="tickets")

console = Console()
errors = Console(stderr=True)
T = TypeVar("T")


def in_transaction(work: Callable[[DbSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction, the same helper the server's requests use."""

    async def run() -> T:
        database = Database(get_settings())
        try:
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except SupportdeskError as error:
        errors.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None


@app.command()
def init() -> None:
    """Create the database named by SUPPORTDESK_DATABASE_URL, or migrate it to the latest schema."""
    from supportdesk.core.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    console.print(f"database ready: [bold]{_safe_url(settings.database_url)}[/bold]")


@app.command()
def demo(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print what was loaded as JSON.")
    ] = False,
) -> None:
    """Load the demo data set (idempotent: running it again changes nothing)."""
    import orjson

    from supportdesk.demo import load_demo

    summary = in_transaction(load_demo)
    if json_output:
        typer.echo(orjson.dumps(summary).decode())
        return
    table = Table("client", "name", "status", "tickets")
    for client in summary["clients"]:
        table.add_row(
            str(client["id"]), client["name"], client["status"], str(len(client["tickets"]))
        )
    console.print(table)
    console.print(f"staff: {', '.join(s['username'] for s in summary['staff'])}")


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        list[str], typer.Option("--scope", help="read:support, write:support, read:account")
    ],
    client: Annotated[int | None, typer.Option("--client", help="The client account's id.")] = None,
    staff: Annotated[int | None, typer.Option("--staff", help="The staff member's id.")] = None,
    expires_in_days: Annotated[int | None, typer.Option("--expires-in-days")] = None,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", help="Requests a minute.")
    ] = None,
) -> None:
    """Issue a key and print it alone on stdout: it is shown this once, and stored only hashed."""
    from supportdesk.keys.service import create_key

    async def work(session: DbSession) -> str:
        _, key = await create_key(
            session,
            client_id=client,
            staff_id=staff,
            scopes=scope,
            expires_in_days=expires_in_days,
            rate_limit_per_minute=rate_limit,
        )
        return key

    typer.echo(in_transaction(work))


@keys_app.command("list")
def keys_list() -> None:
    """List keys: id, owner, scopes, state (never the key itself)."""
    from supportdesk.core.clock import utcnow
    from supportdesk.keys.service import list_keys

    rows = in_transaction(list_keys)
    now = utcnow()
    table = Table("id", "key", "owner", "scopes", "limit/min", "created", "last used", "state")
    for row in rows:
        owner = f"client {row['client_id']}" if row["client_id"] else f"staff {row['staff_id']}"
        if row["revoked_at"]:
            state = "revoked"
        elif row["expires_at"] and row["expires_at"] <= now:
            state = "expired"
        else:
            state = "active"
        table.add_row(
            str(row["id"]),
            row["hint"] + "…",
            owner,
            row["scopes"],
            str(row["rate_limit_per_minute"] or "default"),
            f"{row['created_at']:%Y-%m-%d %H:%M}",
            f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never",
            state,
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="The key's id, or the key itself.")],
) -> None:
    """Revoke a key by its id or by the key itself."""
    from supportdesk.keys.service import revoke_key

    async def work(session: DbSession) -> bool:
        return await revoke_key(session, key)

    if not in_transaction(work):
        errors.print("[red]error:[/red] no such active key")
        raise typer.Exit(1)
    console.print("revoked")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
) -> None:
    """Serve the API."""
    import uvicorn

    uvicorn.run(
        "supportdesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )


@app.command()
def maintenance() -> None:
    """Delete uploads not attached within SUPPORTDESK_UPLOAD_TTL_HOURS, and unreferenced files.

    Safe to run from cron while the server runs: one short transaction, nothing recent touched.
    """
    from supportdesk.attachments.service import Purged, purge_stale_uploads

    async def work(session: DbSession) -> Purged:
        return await purge_stale_uploads(session, get_settings())

    purged = in_transaction(work)
    typer.echo(f"removed {purged.uploads} stale uploads and {purged.files} unreferenced files")


@tickets_app.command("show")
def tickets_show(
    number: Annotated[int, typer.Argument(min=1, max=TICKET_NUMBER_MAX)],
) -> None:
    """Show a ticket and its whole conversation (staff view: notes and drafts included)."""
    from supportdesk.cli.show import show_ticket

    show_ticket(number, console, in_transaction)


def _safe_url(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)
