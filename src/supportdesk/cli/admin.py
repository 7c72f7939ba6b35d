"""`supportdesk staff | clients` (and `departments | statuses`, `cli.admin_organisation`): set
the organisation up from the server's terminal, through the same services as
`/api/v2/admin/...` (as the operator: the system actor, through the `cli` door).

`list` prints a table (`--json`: a JSON array of the records as v2 shows them), `add` prints
the new id (`--json`: the record), `edit` prints `updated` (`--json`: the record). Nothing
printed is secret: a key is made by `supportdesk keys create`, which prints it once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.table import Table

from supportdesk.admin import clients, staff
from supportdesk.admin.common import Fields, Page, wire
from supportdesk.cli.failures import CliFailure
from supportdesk.cli.terminal import plain
from supportdesk.core.actor import VIA_CLI, Actor
from supportdesk.core.db import DbSession

T = TypeVar("T")
OPERATOR = Actor.system(VIA_CLI)
console = Console()
InTransaction = Callable[[Callable[[DbSession], Awaitable[Any]]], Any]

staff_app = typer.Typer(help="List, add and edit staff members.", no_args_is_help=True)
clients_app = typer.Typer(help="List, add and edit clients.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _in_transaction() -> InTransaction:
    from supportdesk.cli.main import in_transaction

    return in_transaction


def _run(work: Callable[[DbSession], Awaitable[T]]) -> T:
    result: T = _in_transaction()(work)
    return result


def _given(**values: Any) -> Fields:
    """The options that were given (None = not given)."""
    return {name: value for name, value in values.items() if value is not None}


def _print_json(data: Any) -> None:
    typer.echo(orjson.dumps(data).decode())


def _table(columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    table = Table(*columns)
    for row in rows:
        table.add_row(*(plain(_cell(row[column])) for column in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _created(record: Any, json_output: bool) -> None:
    if json_output:
        _print_json(wire(record))
    else:
        typer.echo(record.id)


def _edited(record: Any, json_output: bool) -> None:
    if json_output:
        _print_json(wire(record))
    else:
        console.print(plain(f"updated {record.id}"))


async def _all(fetch: Callable[[int | None], Awaitable[Page[T]]]) -> list[T]:
    """Every page of a list, in order."""
    found: list[T] = []
    after: int | None = None
    while True:
        page = await fetch(after)
        found += page.items
        if not page.has_more or page.last_id is None:
            return found
        after = page.last_id


def _nothing_to_change(fields: Fields) -> None:
    if not fields:
        raise CliFailure("nothing to change: give at least one option")


# --- staff --------------------------------------------------------------------------------------

StaffStatus = Annotated[str | None, typer.Option("--status", help="Active or Inactive.")]
Departments = Annotated[
    list[int] | None, typer.Option("--department", help="A department's id (repeat for more).")
]


@staff_app.command("list")
def staff_list(
    status: StaffStatus = None,
    json_output: JsonOption = False,
) -> None:
    """List staff members."""

    async def work(session: DbSession) -> list[staff.StaffRecord]:
        return await _all(
            lambda after: staff.list_staff(
                session, OPERATOR, after_id=after, limit=100, status=status
            )
        )

    records = [wire(r) for r in _run(work)]
    if json_output:
        _print_json(records)
        return
    _table(("id", "username", "firstname", "lastname", "email", "status", "admin"), records)


@staff_app.command("add")
def staff_add(
    username: Annotated[str, typer.Option("--username")],
    firstname: Annotated[str, typer.Option("--firstname")],
    lastname: Annotated[str, typer.Option("--lastname")],
    email: Annotated[str, typer.Option("--email")],
    department: Departments = None,
    signature: Annotated[str | None, typer.Option("--signature")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="An administrator.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Add a staff member and print their id (then `keys create --staff ID` makes a key)."""
    fields = _given(
        username=username,
        firstname=firstname,
        lastname=lastname,
        email=email,
        department_ids=department,
        signature=signature,
        admin=admin,
    )
    _created(_run(lambda session: staff.create_staff(session, OPERATOR, fields)), json_output)


@staff_app.command("edit")
def staff_edit(
    staff_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)],
    username: Annotated[str | None, typer.Option("--username")] = None,
    firstname: Annotated[str | None, typer.Option("--firstname")] = None,
    lastname: Annotated[str | None, typer.Option("--lastname")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    status: StaffStatus = None,
    department: Departments = None,
    signature: Annotated[str | None, typer.Option("--signature")] = None,
    admin: Annotated[bool | None, typer.Option("--admin/--no-admin")] = None,
    json_output: JsonOption = False,
) -> None:
    """Change a staff member (`--status Inactive` deactivates: their keys stop working)."""
    fields = _given(
        username=username,
        firstname=firstname,
        lastname=lastname,
        email=email,
        status=status,
        department_ids=department,
        signature=signature,
        admin=admin,
    )
    _nothing_to_change(fields)
    record = _run(lambda session: staff.update_staff(session, OPERATOR, staff_id, fields))
    _edited(record, json_output)


@staff_app.command("password")
def staff_password(
    username: Annotated[str, typer.Argument(help="The staff member's username.")],
) -> None:
    """Set a staff member's desk password, read from standard input (its first line; asked for
    twice, unechoed, at a terminal). Their desk sessions end; the password is stored as an
    Argon2id hash and never printed."""
    from supportdesk.sessions.service import set_password

    password = _read_password()
    staff_id = _run(lambda session: set_password(session, username, password))
    console.print(plain(f"password set for {username} (staff {staff_id})"))


def _read_password() -> str:
    import getpass
    import sys

    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != first:
            raise CliFailure("the two passwords differ")
        return first
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise CliFailure("no password on standard input")
    return password


# --- clients ------------------------------------------------------------------------------------

ClientStatus = Annotated[str | None, typer.Option("--status", help="Active, Suspended or Closed.")]


@clients_app.command("list")
def clients_list(
    q: Annotated[
        str | None, typer.Option("--q", help="Text in the name, company or e-mail.")
    ] = None,
    status: ClientStatus = None,
    json_output: JsonOption = False,
) -> None:
    """List clients."""

    async def work(session: DbSession) -> list[clients.ClientRecord]:
        return await _all(
            lambda after: clients.list_clients(
                session, OPERATOR, q=q, status=status, after_id=after, limit=100
            )
        )

    records = [wire(r) for r in _run(work)]
    if json_output:
        _print_json(records)
        return
    _table(("id", "firstname", "lastname", "company", "email", "groupId", "status"), records)


@clients_app.command("add")
def clients_add(
    firstname: Annotated[str, typer.Option("--firstname")],
    lastname: Annotated[str, typer.Option("--lastname")],
    email: Annotated[str, typer.Option("--email")],
    company: Annotated[str | None, typer.Option("--company")] = None,
    group: Annotated[int | None, typer.Option("--group", help="A client group's id.")] = None,
    status: ClientStatus = None,
    json_output: JsonOption = False,
) -> None:
    """Add a client and print its id."""
    fields = _given(
        firstname=firstname,
        lastname=lastname,
        email=email,
        company=company,
        group_id=group,
        status=status,
    )
    _created(_run(lambda session: clients.create_client(session, OPERATOR, fields)), json_output)


@clients_app.command("edit")
def clients_edit(
    client_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)],
    firstname: Annotated[str | None, typer.Option("--firstname")] = None,
    lastname: Annotated[str | None, typer.Option("--lastname")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    group: Annotated[int | None, typer.Option("--group", help="A client group's id.")] = None,
    no_group: Annotated[bool, typer.Option("--no-group", help="In no group.")] = False,
    status: ClientStatus = None,
    json_output: JsonOption = False,
) -> None:
    """Change a client (`--status Suspended` or `Closed` stops its keys)."""
    fields = dict(
        _given(
            firstname=firstname,
            lastname=lastname,
            email=email,
            company=company,
            group_id=group,
            status=status,
        )
    )
    if no_group:
        fields["group_id"] = None
    _nothing_to_change(fields)
    record = _run(lambda session: clients.update_client(session, OPERATOR, client_id, fields))
    _edited(record, json_output)
