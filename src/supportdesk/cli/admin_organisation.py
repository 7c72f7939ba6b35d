"""`supportdesk departments | statuses`: the organisation's departments and ticket statuses,
as `cli.admin` sets up its people (the same output rules)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from supportdesk.admin import departments, statuses
from supportdesk.admin.common import wire
from supportdesk.cli.admin import (
    OPERATOR,
    JsonOption,
    _created,
    _edited,
    _given,
    _nothing_to_change,
    _print_json,
    _run,
    _table,
)
from supportdesk.cli.failures import CliFailure

departments_app = typer.Typer(help="List, add and edit departments.", no_args_is_help=True)
statuses_app = typer.Typer(help="List, add and edit ticket statuses.", no_args_is_help=True)


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
