"""What every admin service shares: who may act, pages by id, uniqueness checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, String, Table, func, select
from sqlalchemy.orm import InstrumentedAttribute

from supportdesk.core.actor import Actor
from supportdesk.core.clock import iso_millis
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, Forbidden, InvalidField
from supportdesk.core.scopes import ADMIN_SUPPORT
from supportdesk.core.text import text_problem

T = TypeVar("T")
Fields = Mapping[str, Any]

# The largest number of hours a department or a policy may name (ten years): beyond it a
# float's fraction no longer means anything a clock can keep.
MAX_HOURS = 87_600.0


def require_admin(actor: Actor) -> None:
    """Forbidden unless a staff key with `admin:support`, or the operator (the CLI)."""
    if actor.type == "system":
        return
    if actor.type != "staff" or ADMIN_SUPPORT not in actor.scopes:
        raise Forbidden(f"This needs a staff key with the {ADMIN_SUPPORT} scope.")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool

    @property
    def last_id(self) -> int | None:
        last = self.items[-1] if self.items else None
        found = getattr(last, "id", None)
        return found if isinstance(found, int) else None


def paged(rows: Sequence[T], limit: int) -> Page[T]:
    """A page from `limit + 1` fetched rows."""
    return Page(list(rows[:limit]), len(rows) > limit)


async def taken(
    session: DbSession,
    column: InstrumentedAttribute[Any] | Column[Any],
    value: Any,
    *,
    other_than: int | None = None,
    id_column: InstrumentedAttribute[Any] | None = None,
    case_insensitive: bool = False,
) -> bool:
    """Whether another row already holds `value` in a unique column."""
    # Both sides lowered by the database: SQLite's lower() folds ASCII only, and a value
    # lowered by Python would then miss a stored one that differs beyond ASCII.
    condition = func.lower(column) == func.lower(value) if case_insensitive else column == value
    statement = select(func.count()).where(condition)
    if other_than is not None and id_column is not None:
        statement = statement.where(id_column != other_than)
    return bool((await session.execute(statement)).scalar_one())


def refuse_duplicate(found: bool, what: str, field: str, value: str) -> None:
    if found:
        raise Conflict(f"Another {what} already has the {field} {value!r}.")


def known(fields: Fields, allowed: frozenset[str]) -> None:
    """The CLI and the routes name only fields the service knows (a bug otherwise)."""
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidField(sorted(unknown)[0], "is not a field of this resource", code="unknown")


def required(fields: Fields, *names: str) -> None:
    for name in names:
        if fields.get(name) is None:
            raise InvalidField(name, "is required", code="required")


async def existing_ids(
    session: DbSession, id_column: InstrumentedAttribute[int], wanted: Sequence[int]
) -> set[int]:
    if not wanted:
        return set()
    rows = await session.execute(select(id_column).where(id_column.in_(list(wanted))))
    return {int(row[0]) for row in rows}


async def require_ids(
    session: DbSession,
    id_column: InstrumentedAttribute[int],
    wanted: Sequence[int],
    field: str,
    what: str,
) -> list[int]:
    """The ids, each existing, without repeats (InvalidField naming the first unknown one)."""
    unique = sorted(set(wanted))
    missing = sorted(set(unique) - await existing_ids(session, id_column, unique))
    if missing:
        raise InvalidField(field, f"no {what} has the id {missing[0]}", code="unknown_reference")
    return unique


def check_text(table: Table, values: Fields, names: Mapping[str, str] | None = None) -> None:
    """Text that a column of `table` cannot hold is refused the same way on every backend (the
    routes' types refuse it first; the CLI reaches here). `names`: column → field, where the
    field is named otherwise."""
    for column_name, value in values.items():
        if not isinstance(value, str) or column_name not in table.c:
            continue
        field = (names or {}).get(column_name, column_name)
        problem = text_problem(value)
        if problem is not None:
            raise InvalidField(field, problem)
        column_type = table.c[column_name].type
        limit = column_type.length if isinstance(column_type, String) else None
        if limit is not None and len(value) > limit:
            raise InvalidField(field, f"is at most {limit} characters", code="too_long")


# --- the wire form, for the routes and the CLI's --json ----------------------------------------


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def wire(record: Any) -> dict[str, Any]:
    """A record in v2's terms: camelCase fields, ISO times, YYYY-MM-DD dates."""
    return {
        camel(field.name): _wire(getattr(record, field.name))
        for field in dataclasses.fields(record)
    }
