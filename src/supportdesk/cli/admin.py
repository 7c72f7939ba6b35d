"""`supportdesk staff | clients | departments | statuses`: set the organisation up from the
server's terminal, through the same services as `/api/v2/admin/...` (as the operator: the
system actor, through the `cli` door).

`list` prints a table (`--json`: a JSON array of the records as v2 shows them), `add` prints
the new id (`--json`: the record), `edit` prints `updated` (`--json`: the record). Nothing
printed is secret: a key is made by `supportdesk keys create`, which prints it once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.table import Table

from supportdesk.admin import clients, departments, staff, statuses
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
departments_app = typer.Typer(help="List, add and edit departments.", no_args_is_help=True)
statuses_app = typer.Typer(help="List, add and edit ticket statuses.", no_args_is_help=True)

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


# --- departments --------------------------------------------------------------------------------


def _hours(text: str | None) -> Any:
    """`--business-hours` as JSON (`null` = around the clock); None when not given."""
    if text is None:
        return ...
    try:
        return json.loads(text)
    except ValueError:
        raise CliFailure("--business-hours must be JSON (or null for around the clock)") from None


BusinessHoursOption = Annotated[
    str | None,
    typer.Option(
        "--business-hours",
        help='JSON: {"timezone": ..., "week": {"mon": [["09:00", "17:00"]], ...}, '
        '"holidays": [...]}, or null.',
    ),
]
StaffIds = Annotated[
    list[int] | None, typer.Option("--staff", help="A staff member's id (repeat for more).")
]


def _department_fields(**values: Any) -> dict[str, Any]:
    hours = _hours(values.pop("business_hours"))
    fields = dict(_given(**values))
    if hours is not ...:
        fields["business_hours"] = hours
    return fields


@departments_app.command("list")
def departments_list(json_output: JsonOption = False) -> None:
    """List departments (hidden ones too)."""
    records = [
        wire(r) for r in _run(lambda session: departments.list_departments(session, OPERATOR))
    ]
    if json_output:
        _print_json(records)
        return
    _table(("id", "slug", "name", "email", "visible", "staffIds", "autoCloseHours"), records)


@departments_app.command("add")
def departments_add(
    slug: Annotated[str, typer.Option("--slug")],
    name: Annotated[str, typer.Option("--name")],
    description: Annotated[str | None, typer.Option("--description")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    visible: Annotated[bool | None, typer.Option("--visible/--hidden")] = None,
    staff_ids: StaffIds = None,
    auto_close_hours: Annotated[float | None, typer.Option("--auto-close-hours")] = None,
    client_may_reopen: Annotated[
        bool | None, typer.Option("--client-may-reopen/--client-may-not-reopen")
    ] = None,
    business_hours: BusinessHoursOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add a department and print its id."""
    fields = _department_fields(
        slug=slug,
        name=name,
        description=description,
        email=email,
        visible=visible,
        staff_ids=staff_ids,
        auto_close_hours=auto_close_hours,
        client_may_reopen=client_may_reopen,
        business_hours=business_hours,
    )
    record = _run(lambda session: departments.create_department(session, OPERATOR, fields))
    _created(record, json_output)


@departments_app.command("edit")
def departments_edit(
    department_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)],
    slug: Annotated[str | None, typer.Option("--slug")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    visible: Annotated[bool | None, typer.Option("--visible/--hidden")] = None,
    staff_ids: StaffIds = None,
    auto_close_hours: Annotated[float | None, typer.Option("--auto-close-hours")] = None,
    client_may_reopen: Annotated[
        bool | None, typer.Option("--client-may-reopen/--client-may-not-reopen")
    ] = None,
    business_hours: BusinessHoursOption = None,
    json_output: JsonOption = False,
) -> None:
    """Change a department."""
    fields = _department_fields(
        slug=slug,
        name=name,
        description=description,
        email=email,
        visible=visible,
        staff_ids=staff_ids,
        auto_close_hours=auto_close_hours,
        client_may_reopen=client_may_reopen,
        business_hours=business_hours,
    )
    _nothing_to_change(fields)
    record = _run(
        lambda session: departments.update_department(session, OPERATOR, department_id, fields)
    )
    _edited(record, json_output)


# --- statuses -----------------------------------------------------------------------------------

V2StatusOption = Annotated[
    str | None,
    typer.Option(
        "--v2-status",
        help="open, answered, customer_reply, in_progress, on_hold, closed or unknown.",
    ),
]


@statuses_app.command("list")
def statuses_list(json_output: JsonOption = False) -> None:
    """List statuses, the built-in ones first."""
    records = [wire(r) for r in _run(lambda session: statuses.list_statuses(session, OPERATOR))]
    if json_output:
        _print_json(records)
        return
    _table(("id", "name", "color", "autoClose", "pausesSla", "v2Status", "builtin"), records)


@statuses_app.command("add")
def statuses_add(
    name: Annotated[str, typer.Option("--name")],
    color: Annotated[str | None, typer.Option("--color", help="6 hex digits.")] = None,
    auto_close: Annotated[bool | None, typer.Option("--auto-close/--no-auto-close")] = None,
    pauses_sla: Annotated[bool | None, typer.Option("--pauses-sla/--no-pauses-sla")] = None,
    v2_status: V2StatusOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add a status and print its id."""
    fields = _given(
        name=name, color=color, auto_close=auto_close, pauses_sla=pauses_sla, v2_status=v2_status
    )
    _created(_run(lambda session: statuses.create_status(session, OPERATOR, fields)), json_output)


@statuses_app.command("edit")
def statuses_edit(
    status_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)],
    name: Annotated[str | None, typer.Option("--name")] = None,
    color: Annotated[str | None, typer.Option("--color", help="6 hex digits.")] = None,
    auto_close: Annotated[bool | None, typer.Option("--auto-close/--no-auto-close")] = None,
    pauses_sla: Annotated[bool | None, typer.Option("--pauses-sla/--no-pauses-sla")] = None,
    v2_status: V2StatusOption = None,
    json_output: JsonOption = False,
) -> None:
    """Change a status (a built-in one can be recoloured, not renamed)."""
    fields = _given(
        name=name, color=color, auto_close=auto_close, pauses_sla=pauses_sla, v2_status=v2_status
    )
    _nothing_to_change(fields)
    record = _run(lambda session: statuses.update_status(session, OPERATOR, status_id, fields))
    _edited(record, json_output)
