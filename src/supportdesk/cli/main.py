"""`supportdesk`: init, demo, keys, serve, worker, jobs, tickets, maintenance; staff, clients,
departments, statuses (`cli.admin`).

A foreseeable failure ends a command with one `error: ...` line on stderr and exit status 1
(`cli.failures`); a usage error is typer's, with status 2.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from supportdesk.cli.failures import CliFailure, FailureReportingGroup, safe_url
from supportdesk.cli.terminal import plain
from supportdesk.core.columns import TICKET_NUMBER_MAX
from supportdesk.core.config import Settings, get_settings
from supportdesk.core.db import Database, DbSession
from supportdesk.core.migrate import schema_problem, schema_revision

app = typer.Typer(
    help="supportdesk: a self-hosted support-ticket service.",
    no_args_is_help=True,
    cls=FailureReportingGroup,
    # A bug's traceback must not print local variables: they may hold keys and passwords.
    pretty_exceptions_show_locals=False,
)
keys_app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)
tickets_app = typer.Typer(help="Read tickets from the terminal.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(tickets_app, name="tickets")
jobs_app = typer.Typer(help="Run the automation's jobs by hand.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _register_admin() -> None:
    from supportdesk.cli import admin, admin_organisation

    app.add_typer(admin.staff_app, name="staff")
    app.add_typer(admin.clients_app, name="clients")
    app.add_typer(admin_organisation.departments_app, name="departments")
    app.add_typer(admin_organisation.statuses_app, name="statuses")
    from supportdesk.mail.cli import mail_app

    app.add_typer(mail_app, name="mail")


_register_admin()

console = Console()
T = TypeVar("T")


def in_transaction(work: Callable[[DbSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction, the same helper the server's requests use, on a database
    whose schema is up to date (else a `CliFailure` that says what to do)."""
    settings = get_settings()
    _require_database_file(settings)

    async def run() -> T:
        database = Database(settings)
        try:
            async with database.transaction() as session:
                problem = schema_problem(await schema_revision(session))
                if problem is not None:
                    raise CliFailure(problem)
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _require_database_file(settings: Settings) -> None:
    """SQLite creates a missing file on open: only `init` may do that."""
    if not settings.is_sqlite:
        return
    from sqlalchemy import make_url

    name = make_url(settings.database_url).database or ""
    if name and name != ":memory:" and not name.startswith("file:") and not Path(name).exists():
        raise CliFailure(f"no database at {name}: run `supportdesk init` to create it")


@app.command()
def init() -> None:
    """Create the database named by SUPPORTDESK_DATABASE_URL, or migrate it to the latest schema;
    create the installation's secret key unless it exists (or SUPPORTDESK_SECRET_KEY is set)."""
    from supportdesk.core.migrate import upgrade
    from supportdesk.core.secret_key import create_secret_file, secret_path

    settings = get_settings()
    upgrade(settings.database_url)
    console.print(Text.assemble("database ready: ", plain(safe_url(settings.database_url), "bold")))
    if settings.secret_key is not None:
        console.print("secret key: from SUPPORTDESK_SECRET_KEY")
        return
    made = create_secret_file(settings)
    state = " (created)" if made else " (kept)"
    console.print(Text.assemble("secret key: ", plain(secret_path(settings), "bold"), state))


@app.command()
def demo(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print what was loaded as JSON.")
    ] = False,
) -> None:
    """Load the demo data set (idempotent: running it again changes nothing)."""
    import orjson

    from supportdesk.attachments.storage import FileStore
    from supportdesk.demo import load_demo

    files = FileStore.for_settings(get_settings())
    summary = in_transaction(lambda session: load_demo(session, files))
    if json_output:
        typer.echo(orjson.dumps(summary).decode())
        return
    table = Table("client", "name", "status", "tickets")
    for client in summary["clients"]:
        table.add_row(
            plain(client["id"]),
            plain(client["name"]),
            plain(client["status"]),
            plain(len(client["tickets"])),
        )
    console.print(table)
    console.print(plain(f"staff: {', '.join(s['username'] for s in summary['staff'])}"))
    desk = summary["desk"]
    console.print(
        plain(f"desk: sign in at {desk['path']} as {desk['username']}, password {desk['password']}")
    )


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
            *(
                plain(value)
                for value in (
                    row["id"],
                    row["hint"] + "…",
                    owner,
                    row["scopes"],
                    row["rate_limit_per_minute"] or "default",
                    f"{row['created_at']:%Y-%m-%d %H:%M}",
                    f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never",
                    state,
                )
            )
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
        raise CliFailure("no such active key")
    console.print("revoked")


@app.command("mcp")
def mcp_server(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Speak MCP on stdin/stdout (a desktop assistant).")
    ] = False,
) -> None:
    """MCP tools for an AI assistant, through the API of SUPPORTDESK_URL with
    SUPPORTDESK_API_KEY (the server itself serves them at /mcp)."""
    if not stdio:
        raise CliFailure("only --stdio is served here; the server answers MCP at /mcp")
    from supportdesk.mcp.stdio import serve_stdio

    try:
        asyncio.run(serve_stdio())
    except ValueError as error:  # the library's: no URL or no key
        raise CliFailure(str(error)) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
) -> None:
    """Serve the API."""
    import uvicorn

    settings = get_settings()
    # What would make every request fail, said once before the server starts.
    in_transaction(_nothing)
    _require_free_port(host, port)

    uvicorn.run(
        "supportdesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=10,
        # httptools with head/body deadlines and a head size limit (`core.serving`).
        http="supportdesk.core.serving:GuardedHttpToolsProtocol",
        ws="none",
        timeout_keep_alive=settings.keep_alive_seconds,
        # The app alone reads X-Forwarded-For, from SUPPORTDESK_TRUSTED_PROXIES only; uvicorn's
        # own handling (on by default, trusting 127.0.0.1 or $FORWARDED_ALLOW_IPS) would replace
        # the peer address before the app could tell a proxy from a caller.
        proxy_headers=False,
    )


@app.command()
def worker() -> None:
    """Run the jobs alone (auto-close, scheduled replies, ...), every
    SUPPORTDESK_JOBS_INTERVAL_SECONDS, until stopped; any number may run beside `serve`."""
    from supportdesk.core.logging import configure_logging
    from supportdesk.jobs.runner import run_worker

    settings = get_settings()
    configure_logging(settings.log_level)
    in_transaction(_nothing)
    asyncio.run(run_worker(settings))


@jobs_app.command("run-once")
def jobs_run_once() -> None:
    """Do what is due now, once, and print how many effects each job made."""
    from supportdesk.jobs.runner import run_once

    settings = get_settings()
    in_transaction(_nothing)
    made = asyncio.run(run_once(settings))
    for name, count in made.items():
        typer.echo(f"{name}: {count}")


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


@tickets_app.command("history")
def tickets_history(
    number: Annotated[int, typer.Argument(min=1)],
    json_output: Annotated[
        bool, typer.Option("--json", help="A JSON array of the events, oldest first.")
    ] = False,
) -> None:
    """Show a ticket's timeline: every change, who made it and through which door."""
    from supportdesk.cli.history import show_history

    show_history(number, console, in_transaction, json_output=json_output)


async def _nothing(session: DbSession) -> None:
    return None


def _require_free_port(host: str, port: int) -> None:
    """Bind as uvicorn will (SO_REUSEADDR), and let go: a port in use is reported here."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise CliFailure(f"cannot listen on {host}:{port}: {error.strerror}") from None
    family, kind, _, _, address = infos[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CliFailure(f"cannot listen on {host}:{port}: {error.strerror}") from None
