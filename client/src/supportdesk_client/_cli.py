"""`supportdesk-client`: the command line on the library (argparse; nothing beyond httpx).

    export SUPPORTDESK_URL=http://127.0.0.1:8080 SUPPORTDESK_API_KEY=sd_live_...
    supportdesk-client tickets list --status open
    supportdesk-client tickets open --department hosting --subject "Site down" --message "..."
    supportdesk-client tickets reply 616828 --message "More detail"      (or the text on stdin)
    supportdesk-client tickets close 616828
    supportdesk-client note 616828 "Checked the upstream"                (staff)
    supportdesk-client assign 616828 12 | none;  status 616828 On-Hold;  tag 616828 --add vip
    supportdesk-client export --full > tickets.jsonl                     (progress on stderr)

The key is read from SUPPORTDESK_API_KEY or `--key-file`, never from an argument (arguments are
visible to every user of the machine in `ps`). Human output by default, `--json` for scripts.
Text from the server is shown without terminal control characters. Exit status: 0 done, 1 the
server refused or could not be reached (the reason on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from supportdesk_client._core import __version__
from supportdesk_client._errors import SupportdeskError
from supportdesk_client._models import Attachment, Message, Model, Ticket
from supportdesk_client._sync import Client

# C0 and C1 controls but tab and newline, and DEL: what could move a cursor or retitle a window.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: object) -> str:
    return _CONTROLS.sub("", "" if text is None else str(text))


def _when(model: Model, field: str) -> str:
    value = getattr(model, field, None)
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


class Output:
    def __init__(self, as_json: bool, out: IO[str], err: IO[str]) -> None:
        self.as_json, self.out, self.err = as_json, out, err

    def json(self, value: Any) -> None:
        print(json.dumps(value, ensure_ascii=False), file=self.out)

    def line(self, text: str = "") -> None:
        print(text, file=self.out)

    def ticket_row(self, ticket: Ticket) -> None:
        owner = ""
        if ticket.desk is not None and ticket.desk.owner_id is not None:
            owner = f"  owner {ticket.desk.owner_id}"
        self.line(
            f"{_clean(ticket.number):>8}  {_clean(ticket.status):<9} {_clean(ticket.priority):<8} "
            f"{_when(ticket, 'last_message_at')}  {_clean(ticket.subject)}{owner}"
        )

    def ticket(self, ticket: Ticket) -> None:
        if self.as_json:
            return self.json(ticket.raw)
        self.line(f"#{_clean(ticket.number)}  {_clean(ticket.subject)}")
        self.line(
            f"  {_clean(ticket.status)}, {_clean(ticket.priority)} priority, "
            f"{_clean(ticket.department_name or ticket.department_slug)}; "
            f"opened {_when(ticket, 'created_at')} by {_clean(ticket.requester_name)}; "
            f"id {_clean(ticket.id)}"
        )
        desk = ticket.desk
        if desk is not None:
            owner = desk.owner.name if desk.owner else "nobody"
            tags = ", ".join(desk.tags) or "none"
            self.line(
                f"  desk: {_clean(desk.status_name)}, owner {_clean(owner)}, tags {_clean(tags)}"
            )
        if ticket.body is not None:
            self.line()
            self.line(_clean(ticket.body))
            self.attachments(ticket.attachments)
        for message in ticket.messages:
            self.message(message)
        if desk is not None:
            for note in desk.notes:
                author = note.author.name if note.author else "?"
                self.line(f"\n--- note by {_clean(author)} · {_when(note, 'created_at')}")
                self.line(_clean(note.body))
        return None

    def message(self, message: Message) -> None:
        self.line(
            f"\n--- {_clean(message.sender_name)} ({_clean(message.sender)}) · "
            f"{_when(message, 'sent_at')}"
        )
        self.line(_clean(message.body))
        self.attachments(message.attachments)

    def attachments(self, attachments: Iterable[Attachment]) -> None:
        for attachment in attachments:
            self.line(f"    [attachment {_clean(attachment.filename)}, {attachment.byte_length} B]")


class Progress:
    """A one-line bar on stderr: a count while the total is unknown, a bar once it is known."""

    def __init__(self, err: IO[str], enabled: bool, label: str) -> None:
        self.err, self.enabled, self.label = err, enabled, label
        self.done = 0

    def tick(self, total: int | None = None) -> None:
        self.done += 1
        self.show(self.done, total)

    def show(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        if total:
            filled = round(30 * done / total)
            bar = "#" * filled + "-" * (30 - filled)
            self.err.write(f"\r{self.label} [{bar}] {done}/{total}")
        else:
            self.err.write(f"\r{self.label} {done}")
        self.err.flush()

    def end(self) -> None:
        if self.enabled:
            self.err.write("\n")
            self.err.flush()


def _text(given: str | None, stdin: IO[str]) -> str:
    """The text of an argument, or of stdin when it is absent or `-`."""
    if given is not None and given != "-":
        return given
    text = stdin.read()
    if not text.strip():
        raise SystemExit("supportdesk-client: no text given (an argument, or stdin)")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportdesk-client", description="Work supportdesk tickets from a terminal."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--url", help="the server (default: $SUPPORTDESK_URL)")
    parser.add_argument("--key-file", type=Path, help="a file holding the API key")
    parser.add_argument("--json", action="store_true", help="JSON output for scripts")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tickets = commands.add_parser("tickets", help="list, show, open, reply, close, reopen")
    actions = tickets.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="tickets visible to the key, newest activity first")
    listing.add_argument("--status")
    listing.add_argument("-q", "--query", dest="q", help="full-text search")
    listing.add_argument("--department", dest="department_slug")
    listing.add_argument("--owner", dest="owner_id", help="staff: me, none or a staff id")
    listing.add_argument("--tag", help="staff: tickets with this tag")
    listing.add_argument("--max", type=int, default=50, help="at most this many (default 50)")
    show = actions.add_parser("show", help="one ticket with its conversation")
    show.add_argument("ticket")
    opening = actions.add_parser("open", help="open a ticket")
    opening.add_argument("--department", required=True, help="the department's slug")
    opening.add_argument("--subject", required=True)
    opening.add_argument("--message", help="the text (default: stdin)")
    opening.add_argument("--priority", choices=["low", "medium", "high", "critical"])
    opening.add_argument("--attach", action="append", type=Path, default=[], metavar="FILE")
    reply = actions.add_parser("reply", help="reply to a ticket")
    reply.add_argument("ticket")
    reply.add_argument("--message", help="the text (default: stdin)")
    reply.add_argument("--attach", action="append", type=Path, default=[], metavar="FILE")
    reply.add_argument("--status", help="staff: the status after the reply")
    for name in ("close", "reopen"):
        actions.add_parser(name, help=f"{name} a ticket").add_argument("ticket")

    note = commands.add_parser("note", help="staff: add an internal note")
    note.add_argument("ticket")
    note.add_argument("text", nargs="?", help="the note (default: stdin)")
    assign = commands.add_parser("assign", help="staff: set the owner (a staff id, or none)")
    assign.add_argument("ticket")
    assign.add_argument("owner")
    status = commands.add_parser("status", help="staff: set the status (On-Hold, Closed, ...)")
    status.add_argument("ticket")
    status.add_argument("status")
    tag = commands.add_parser("tag", help="staff: add or remove tags")
    tag.add_argument("ticket")
    tag.add_argument("tags", nargs="*", help="tags to add")
    tag.add_argument("--add", action="append", default=[], metavar="TAG")
    tag.add_argument("--remove", action="append", default=[], metavar="TAG")

    export = commands.add_parser("export", help="every ticket visible to the key, as JSON lines")
    export.add_argument("--status")
    export.add_argument(
        "--full", action="store_true", help="each ticket's detail (one request each)"
    )
    export.add_argument("--output", "-o", type=Path, help="a file instead of stdout")
    export.add_argument("--no-progress", action="store_true", help="no bar on stderr")
    return parser


def _upload_all(client: Client, files: Iterable[Path]) -> list[str]:
    return [client.attachments.upload(path).attachment_id for path in files]


def _owner(value: str | None) -> int | str | None:
    if value is None or value in ("me", "none"):
        return value
    if not value.isdigit():
        raise SystemExit("supportdesk-client: --owner is me, none or a staff id")
    return int(value)


def _list(client: Client, args: argparse.Namespace, out: Output) -> None:
    filters = {
        name: getattr(args, name)
        for name in ("status", "q", "department_slug", "tag")
        if getattr(args, name) is not None
    }
    owner = _owner(args.owner_id)
    if owner is not None:
        filters["owner_id"] = owner
    limit = max(1, min(100, args.max))
    shown: list[Ticket] = []
    for ticket in client.tickets.list(limit=limit, **filters):
        if len(shown) >= args.max:
            break
        shown.append(ticket)
    if out.as_json:
        out.json([ticket.raw for ticket in shown])
        return
    for ticket in shown:
        out.ticket_row(ticket)
    if not shown:
        out.line("no tickets")


def _export(client: Client, args: argparse.Namespace, out: Output) -> None:
    target = args.output.open("w", encoding="utf-8") if args.output else out.out
    progress = Progress(out.err, not args.no_progress, "tickets")
    filters = {"status": args.status} if args.status else {}
    try:
        # The list has no total: a running count while the pages come. With --full the ids are
        # gathered first, so the details get a bar with its total.
        summaries: list[Ticket] = []
        for ticket in client.tickets.list(limit=100, **filters):
            if args.full:
                summaries.append(ticket)
            else:
                print(json.dumps(ticket.raw, ensure_ascii=False), file=target)
            progress.tick()
        if args.full:
            progress.end()
            progress = Progress(out.err, not args.no_progress, "details")
            for summary in summaries:
                detail = client.tickets.get(summary.id)
                print(json.dumps(detail.raw, ensure_ascii=False), file=target)
                progress.tick(len(summaries))
        progress.end()
    finally:
        if args.output:
            target.close()


def _run(client: Client, args: argparse.Namespace, out: Output, stdin: IO[str]) -> None:
    command = args.command if args.command != "tickets" else f"tickets {args.action}"
    if command == "tickets list":
        return _list(client, args, out)
    if command == "tickets show":
        return out.ticket(client.tickets.get(args.ticket))
    if command == "tickets open":
        text = _text(args.message, stdin)
        extra: dict[str, Any] = {"attachment_ids": _upload_all(client, args.attach)}
        if args.priority:
            extra["priority"] = args.priority
        ticket = client.tickets.create(args.department, args.subject, text, **extra)
        return out.json(ticket.raw) if out.as_json else out.line(f"opened #{ticket.number}")
    if command == "tickets reply":
        text = _text(args.message, stdin)
        options: dict[str, Any] = {"attachment_ids": _upload_all(client, args.attach)}
        if args.status:
            options["status"] = args.status
        message = client.tickets.reply(args.ticket, text, **options)
        return out.json(message.raw) if out.as_json else out.line(f"replied to {args.ticket}")
    if command in ("tickets close", "tickets reopen"):
        act = client.tickets.close if args.action == "close" else client.tickets.reopen
        ticket = act(args.ticket)
        return out.ticket(ticket) if out.as_json else out.line(f"#{ticket.number} {ticket.status}")
    if command == "note":
        note = client.tickets.notes.add(args.ticket, _text(args.text, stdin))
        return out.json(note.raw) if out.as_json else out.line(f"noted {note.id}")
    if command == "export":
        return _export(client, args, out)
    if command == "assign":
        if args.owner != "none" and not args.owner.isdigit():
            raise SystemExit("supportdesk-client: assign takes a staff id or none")
        ticket = client.tickets.update(
            args.ticket, owner_id=None if args.owner == "none" else int(args.owner)
        )
    elif command == "status":
        ticket = client.tickets.update(args.ticket, status=args.status)
    else:  # tag
        add = [*args.tags, *args.add]
        if not add and not args.remove:
            raise SystemExit("supportdesk-client: name tags to add (or --remove TAG)")
        ticket = client.tickets.update(args.ticket, add_tags=add, remove_tags=args.remove)
    if out.as_json:
        return out.json(ticket.raw)
    desk = ticket.desk
    owner = desk.owner.name if desk and desk.owner else "nobody"
    tags = ", ".join(desk.tags) if desk else ""
    out.line(
        f"#{_clean(ticket.number)} {_clean(desk.status_name if desk else ticket.status)}, "
        f"owner {_clean(owner)}, tags {_clean(tags) or 'none'}"
    )
    return None


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    out = Output(False, stdout or sys.stdout, stderr or sys.stderr)
    args = _parser().parse_args(argv)
    out.as_json = args.json
    try:
        key = args.key_file.read_text(encoding="utf-8").strip() if args.key_file else None
        with Client(args.url, key, timeout=args.timeout) as client:
            _run(client, args, out, stdin or sys.stdin)
    except SupportdeskError as error:
        if out.as_json:
            failure = {"status": error.status, "code": error.code, "requestId": error.request_id}
            print(json.dumps({"error": {**failure, "message": error.message}}), file=out.err)
        else:
            print(f"supportdesk-client: {_clean(error.message)}", file=out.err)
            if error.request_id:
                print(f"  (request id {_clean(error.request_id)})", file=out.err)
        return 1
    except (ValueError, OSError) as error:
        print(f"supportdesk-client: {_clean(error)}", file=out.err)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
