"""`supportdesk tickets history`: a ticket's timeline, for a person or (`--json`) a program."""

from __future__ import annotations

from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from supportdesk.cli.show import OPERATOR, InTransaction
from supportdesk.core.clock import iso_millis
from supportdesk.core.db import DbSession
from supportdesk.core.errors import TicketNotFound
from supportdesk.tickets import service
from supportdesk.tickets.repository import EventRecord


def event_json(event: EventRecord) -> dict[str, Any]:
    """An event as `--json` prints it (and as the desk's timeline will serve it)."""
    return {
        "at": iso_millis(event.at),
        "actor": {"type": event.actor_type, "id": event.actor_id, "name": event.actor_name},
        "via": event.via,
        "kind": event.kind,
        "changes": event.changes,
    }


def show_history(
    number: int, console: Console, in_transaction: InTransaction, *, json_output: bool
) -> None:
    """Print the events of ticket `number`, oldest first; exit 1 if there is no such ticket."""

    async def load(session: DbSession) -> list[EventRecord] | None:
        try:
            return await service.ticket_history(session, OPERATOR, number)
        except TicketNotFound:
            return None

    events = in_transaction(load)
    if events is None:
        Console(stderr=True).print(f"[red]error:[/red] no ticket with number {number}")
        raise typer.Exit(1)
    if json_output:
        typer.echo(orjson.dumps([event_json(event) for event in events]).decode())
        return
    table = Table("at (UTC)", "who", "via", "what", "changes", title=f"Ticket {number}")
    for event in events:
        who = (
            event.actor_name
            if event.actor_id is None
            else f"{event.actor_name} ({event.actor_type} {event.actor_id})"
        )
        table.add_row(
            Text(iso_millis(event.at)),
            Text(who),
            Text(event.via),
            Text(event.kind),
            Text("\n".join(_change(name, change) for name, change in event.changes.items())),
        )
    console.print(table)


def _change(name: str, change: dict[str, Any]) -> str:
    before, after = change.get("from"), change.get("to")
    if before is None:
        return f"{name}: {after}"
    return f"{name}: {before} → {after}"
