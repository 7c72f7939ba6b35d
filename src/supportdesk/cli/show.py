"""`supportdesk tickets show`: one ticket and its whole conversation, for a person at a terminal.

It reads through the same scoped query as the API, as a staff member who sees everything, and
changes nothing: showing a ticket here does not mark it read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, tzinfo
from typing import Protocol, TypeVar

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from supportdesk.attachments.urls import v1_download_path
from supportdesk.cli.terminal import plain, safe
from supportdesk.core.actor import VIA_CLI, Actor
from supportdesk.core.config import get_settings
from supportdesk.core.db import DbSession
from supportdesk.tickets.models import (
    FLAG_HAS_NOTES,
    FLAG_INTERNAL,
    FLAG_NO_CLIENT_REOPEN,
    FLAG_REPLIES_LOCKED,
    FLAG_SENSITIVE,
    SENT,
)
from supportdesk.tickets.records import (
    AttachmentRecord,
    LinkedServiceRecord,
    ReplyRecord,
    TicketRecord,
)
from supportdesk.tickets.repository import get_visible_ticket

T = TypeVar("T")

# The operator at the server reads as the system: it sees internal tickets, notes, drafts, bcc.
OPERATOR = Actor.system(VIA_CLI)

FLAG_NAMES = {
    FLAG_HAS_NOTES: "has notes",
    FLAG_INTERNAL: "internal",
    FLAG_REPLIES_LOCKED: "replies locked",
    FLAG_SENSITIVE: "opening message sensitive",
    FLAG_NO_CLIENT_REOPEN: "client may not reopen",
}
PRIORITY_STYLES = {
    "low": "dim",
    "medium": "",
    "high": "yellow",
    "urgent": "bold red",
    "critical": "bold white on red",
}
REPLY_STYLES = {"Admin": "blue", "System": "bright_black"}


class InTransaction(Protocol):
    """The CLI's helper that runs one unit of work in one transaction."""

    def __call__(self, work: Callable[[DbSession], Awaitable[T]], /) -> T: ...


def show_ticket(number: int, console: Console, in_transaction: InTransaction) -> None:
    """Print ticket `number` with its conversation, notes and files; exit 1 if there is none."""

    async def load(session: DbSession) -> TicketRecord | None:
        return await get_visible_ticket(session, OPERATOR, number)

    ticket = in_transaction(load)
    if ticket is None:
        Console(stderr=True).print(
            Text.assemble(("error:", "red"), f" no ticket with number {number}")
        )
        raise typer.Exit(1)
    zone = get_settings().zone
    console.print(_header(ticket, zone))
    console.print(_context(ticket))
    files_by_reply: dict[int | None, list[AttachmentRecord]] = {}
    for attachment in ticket.attachments:
        files_by_reply.setdefault(attachment.reply_id, []).append(attachment)
    console.print(_opening(ticket, zone, files_by_reply.get(None, [])))
    for reply in ticket.replies:
        console.print(_reply(reply, zone, files_by_reply.get(reply.id, [])))
    for note in ticket.notes:
        console.print(
            Panel(
                plain(note, multiline=True),
                title=Text("Internal note", style="bold yellow"),
                style="yellow",
            )
        )
    if ticket.attachments:
        console.print(_attachments(ticket, zone))


def _header(ticket: TicketRecord, zone: tzinfo) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    badge = plain("● " + ticket.status, _color(ticket.status_color))
    grid.add_row("Status", badge)
    grid.add_row("Priority", plain(ticket.priority, PRIORITY_STYLES.get(ticket.priority, "")))
    department = ticket.dept_name
    if ticket.org_dept_name != ticket.dept_name:
        department += f" (opened in {ticket.org_dept_name})"
    grid.add_row("Department", plain(department))
    grid.add_row("Client", plain(_client(ticket)))
    grid.add_row("Opened via", plain(f"{ticket.type} · {ticket.request_type}"))
    if ticket.from_address:
        grid.add_row("From", plain(ticket.from_address))
    if ticket.cc:
        grid.add_row("Cc", plain(ticket.cc))
    if ticket.bcc:
        grid.add_row("Bcc", plain(ticket.bcc))
    owner = ticket.owner
    grid.add_row(
        "Owner",
        plain(f"{owner.firstname} {owner.lastname} ({owner.username})") if owner else "unassigned",
    )
    grid.add_row("Opened", _when(ticket.created_at, zone))
    grid.add_row("Last reply", _when(ticket.last_reply_at, zone))
    grid.add_row("Last update", _when(ticket.updated_at, zone))
    if ticket.edited_at is not None:
        grid.add_row("Edited", plain(f"{_when(ticket.edited_at, zone)} by {ticket.edited_by}"))
    grid.add_row("Resolve by", _when(ticket.resolve_date, zone))
    if ticket.deadline is not None:
        grid.add_row("Deadline", _when(ticket.deadline, zone))
    if ticket.escalated:
        grid.add_row(
            "SLA", plain(f"escalated to level {ticket.escalated} (policy {ticket.sla_id})")
        )
    grid.add_row("Read", f"staff {_yes(ticket.admin_read)}, client {_yes(ticket.client_read)}")
    flags = [name for bit, name in FLAG_NAMES.items() if ticket.flags & bit]
    if flags:
        grid.add_row("Flags", Text(", ".join(flags), style="bold magenta"))
    if ticket.parent_id is not None:
        grid.add_row("Merged into", f"ticket id {ticket.parent_id}")
    if ticket.subscriptions:
        grid.add_row("Subscribers", ", ".join(f"staff {s}" for s in ticket.subscriptions))
    title = Text.assemble(
        (f"#{ticket.ticket_number}", "bold cyan"), "  ", plain(ticket.subject, "bold")
    )
    if ticket.flags & FLAG_INTERNAL:
        title.append("  INTERNAL", style="bold white on magenta")
    return Panel(grid, title=title, title_align="left", subtitle=plain(f"times in {zone}"))


def _context(ticket: TicketRecord) -> RenderableType:
    parts: list[RenderableType] = [
        Text.assemble(("Tags: ", "bold"), plain(", ".join(ticket.tags) or "none")),
        Text.assemble(("Labels: ", "bold"), plain(", ".join(ticket.labels) or "none")),
    ]
    if ticket.linked_services:
        parts.append(_services(ticket.linked_services))
    else:
        parts.append(Text.assemble(("Linked services: ", "bold"), "none"))
    return Group(*parts)


def _services(links: Iterable[LinkedServiceRecord]) -> RenderableType:
    table = Table("service", "type", "status", "next due", "hostname", title="Linked services")
    summaries: list[RenderableType] = []
    for link in links:
        name = f"{link.name} (#{link.service_id})"
        hostname = plain(link.hostname)
        hostname.overflow = "fold"
        table.add_row(
            plain(name),
            plain(link.service_type),
            plain(link.status),
            plain(link.next_due or ""),
            hostname,
        )
        if link.ai_summary:
            helpful = "" if link.ai_helpful is None else f", helpful: {_yes(link.ai_helpful)}"
            summaries.append(
                Text.assemble(
                    plain(f"AI summary of {name}{helpful}: ", "bold"),
                    plain(link.ai_summary, multiline=True),
                )
            )
    return Group(table, *summaries)


def _opening(ticket: TicketRecord, zone: tzinfo, files: list[AttachmentRecord]) -> Panel:
    if ticket.type == "Admin":
        # Staff opened it on the client's behalf: name and email are the client's.
        author = Text.assemble((f"staff {ticket.creator_id}", "bold"), plain(f" to {ticket.name}"))
    else:
        author = Text.assemble(plain(ticket.name, "bold"), plain(f" <{ticket.email}>"))
    title = Text.assemble(author, " · opening message · ", _when(ticket.created_at, zone))
    return Panel(
        plain(ticket.body, multiline=True),
        title=title,
        title_align="left",
        subtitle=_files_line(files) if files else None,
        border_style="green",
    )


def _reply(reply: ReplyRecord, zone: tzinfo, files: list[AttachmentRecord]) -> Panel:
    title = plain(reply.name, "bold")
    if reply.email:
        title.append(safe(f" <{reply.email}>"))
    title.append(safe(f" · {reply.type} · "))
    title.append(_when(reply.created_at, zone))
    if reply.status != SENT:
        title.append(safe(f"  {reply.status.upper()}"), style="bold black on yellow")
    extras = []
    if reply.edited_at is not None:
        extras.append(f"edited {_when(reply.edited_at, zone)} by {reply.edited_by}")
    if reply.rating:
        extras.append(f"rated {reply.rating}/5")
    if files:
        extras.append(_files_line(files).plain)
    return Panel(
        plain(reply.body, multiline=True),
        title=title,
        title_align="left",
        subtitle=plain(" · ".join(extras)) if extras else None,
        border_style=REPLY_STYLES.get(reply.type, "green"),
        style="dim" if reply.status != SENT else "",
    )


def _attachments(ticket: TicketRecord, zone: tzinfo) -> Table:
    table = Table("file", "type", "size", "on", "uploaded", "download", title="Attachments")
    for attachment in ticket.attachments:
        url = plain(v1_download_path(ticket.ticket_number, attachment.id))
        url.overflow = "fold"
        table.add_row(
            plain(attachment.filename),
            plain(attachment.content_type),
            _size(attachment.byte_length),
            "opening message" if attachment.reply_id is None else f"reply {attachment.reply_id}",
            _when(attachment.uploaded_at, zone),
            url,
        )
    return table


def _client(ticket: TicketRecord) -> str:
    who = f"{ticket.name} <{ticket.email}>"
    if ticket.client_id is None:
        return f"{who} (guest, no account)"
    group = f", group {ticket.client_group}" if ticket.client_group else ""
    return f"{who} (client {ticket.client_id}{group})"


def _files_line(files: list[AttachmentRecord]) -> Text:
    return plain(", ".join(f"attached: {f.filename}" for f in files))


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return "—" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _color(hex_color: str) -> str:
    # 000000 means "no colour": black would vanish on a dark terminal.
    return "bold" if hex_color.lower() in ("", "000000") else f"bold #{hex_color}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _size(byte_length: int) -> str:
    if byte_length < 1024:
        return f"{byte_length} B"
    if byte_length < 1024 * 1024:
        return f"{byte_length / 1024:.1f} KiB"
    return f"{byte_length / (1024 * 1024):.1f} MiB"
