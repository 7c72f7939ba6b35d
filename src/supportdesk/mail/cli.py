"""`supportdesk mail outbox [--failed] [--json]` and `supportdesk mail show ID`: the outbox as
the operator sees it (every mail, whoever it is for). Without `SUPPORTDESK_SMTP_URL` pending
mails are `kept`: nothing sends them, and this is where they are read."""

from __future__ import annotations

from email.utils import getaddresses
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from supportdesk.cli.failures import CliFailure
from supportdesk.cli.terminal import plain, safe
from supportdesk.core.columns import ROW_ID_MAX
from supportdesk.core.config import get_settings
from supportdesk.core.db import DbSession
from supportdesk.mail import repository
from supportdesk.mail.models import PENDING
from supportdesk.mail.repository import MailRow

mail_app = typer.Typer(help="The outbox of mails to clients and staff.", no_args_is_help=True)
console = Console()


def _state(mail: MailRow, kept: bool) -> str:
    return "kept" if kept and mail.status == PENDING else mail.status


def _as_json(mail: MailRow, kept: bool, *, bodies: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": mail.id,
        "messageId": mail.message_id,
        "kind": mail.kind,
        "to": mail.headers.get("To", ""),
        "cc": mail.headers.get("Cc", ""),
        "recipients": mail.recipients,
        "subject": mail.subject,
        "status": _state(mail, kept),
        "attempts": mail.attempts,
        "nextAttemptAt": mail.next_attempt_at.isoformat(),
        "lastError": mail.last_error,
        "createdAt": mail.created_at.isoformat(),
        "sentAt": mail.sent_at.isoformat() if mail.sent_at else None,
    }
    if bodies:
        shown.update(headers=mail.headers, text=mail.text_body, html=mail.html_body)
    return shown


@mail_app.command("outbox")
def outbox(
    failed: Annotated[bool, typer.Option("--failed", help="Only mails that gave up.")] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="A JSON array, newest first.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """List the outbox, newest first: who each mail is for, its subject and state."""
    from supportdesk.cli.main import in_transaction

    async def work(session: DbSession) -> list[MailRow]:
        return await repository.list_mails(session, failed_only=failed, limit=limit)

    mails = in_transaction(work)
    kept = get_settings().smtp_url is None
    if json_output:
        typer.echo(orjson.dumps([_as_json(m, kept, bodies=False) for m in mails]).decode())
        return
    table = Table("id", "to", "subject", "status", "attempts", "created")
    if failed:
        table.add_column("last error")
    for mail in mails:
        to = ", ".join(address for _, address in getaddresses([mail.headers.get("To", "")]))
        cells = [
            plain(mail.id),
            plain(to),
            plain(mail.subject),
            plain(_state(mail, kept)),
            plain(mail.attempts),
            plain(f"{mail.created_at:%Y-%m-%d %H:%M}"),
        ]
        table.add_row(*cells, *([plain(mail.last_error)] if failed else []))
    console.print(table)
    if kept:
        console.print("SUPPORTDESK_SMTP_URL is not set: mails are kept here, not sent.")


@mail_app.command("show")
def show(
    mail_id: Annotated[int, typer.Argument(min=1, max=ROW_ID_MAX)],
    json_output: Annotated[bool, typer.Option("--json", help="The mail as JSON.")] = False,
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part too.")] = False,
) -> None:
    """Show one mail: its headers, recipients and text."""
    from supportdesk.cli.main import in_transaction

    async def work(session: DbSession) -> MailRow | None:
        return await repository.find_mail(session, mail_id)

    mail = in_transaction(work)
    if mail is None:
        raise CliFailure(f"no mail with id {mail_id}")
    kept = get_settings().smtp_url is None
    if json_output:
        typer.echo(orjson.dumps(_as_json(mail, kept, bodies=True)).decode())
        return
    for name, value in mail.headers.items():
        console.print(Text.assemble(plain(name, "bold"), ": ", plain(value)))
    console.print(Text.assemble(plain("Subject", "bold"), ": ", plain(mail.subject)))
    console.print(Text.assemble(plain("Envelope", "bold"), ": ", plain(", ".join(mail.recipients))))
    state = f"{_state(mail, kept)}, {mail.attempts} attempts"
    console.print(Text.assemble(plain("Status", "bold"), ": ", plain(state)))
    if mail.last_error:
        console.print(Text.assemble(plain("Last error", "bold"), ": ", plain(mail.last_error)))
    # The bodies as they are (not wrapped to the terminal: a link stays one line).
    typer.echo("\n" + safe(mail.text_body, multiline=True))
    if html:
        typer.echo(safe(mail.html_body, multiline=True))
