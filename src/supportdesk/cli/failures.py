"""What the CLI says when something foreseeable fails: one line on stderr and exit status 1.

Every command runs inside `FailureReportingGroup.invoke`, which turns the failures a user can
cause or meet (a setting that makes no sense, a database that cannot be reached, refuses, or
has no supportdesk schema yet, a data set that does not fit, a port in use) into one
`error: ...` line. A failure that is none of these is a bug, and keeps its traceback.
The lines name no password: URLs are shown without them, and a setting's value is not echoed.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from typer import _click  # typer ships its own click; its Context is this one's
from typer.core import TyperGroup
from typer.exceptions import TyperException

from supportdesk.cli.terminal import plain
from supportdesk.core.errors import SupportdeskError

_errors = Console(stderr=True, soft_wrap=True, highlight=False)
# asyncpg's errors arrive wrapped as "<class 'asyncpg.exceptions.X'>: message".
_WRAPPED_CLASS = re.compile(r"^<class '[\w.]+'>: ")


class CliFailure(Exception):
    """A failure to tell the user about in one line, as it is worded."""


def print_failure(message: str) -> None:
    # A failure may quote stored text (a name, a path): no escape sequence reaches the terminal.
    _errors.print(Text.assemble(("error:", "red"), " ", plain(message)))


def safe_url(url: str) -> str:
    """A database URL without its password, as it may be shown."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unparsable URL)"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return _WRAPPED_CLASS.sub("", lines[0]) if lines else ""


def _settings_problem(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in detail["loc"])
        text = str(detail["msg"]).removeprefix("Value error, ")
        problems.append(f"SUPPORTDESK_{field.upper()}: {text}" if field else text)
    return "invalid setting " + "; ".join(problems)


def _database_label() -> str:
    from supportdesk.core.config import get_settings

    try:
        return safe_url(get_settings().database_url)
    except ValidationError:
        return "the database"


def describe(error: BaseException) -> str | None:
    """One line for a foreseeable failure; None for anything else (a bug)."""
    if isinstance(error, CliFailure | SupportdeskError):
        return str(error)
    if isinstance(error, ValidationError) and error.title == "Settings":
        return _settings_problem(error)
    if isinstance(error, CommandError):  # Alembic's: a revision it cannot find or reach
        return f"cannot migrate the database {_database_label()}: {_first_line(str(error))}"
    if isinstance(error, DBAPIError):
        reason = _first_line(str(error.orig)) or type(error.orig).__name__
        return f"the database {_database_label()} failed: {reason}"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    if isinstance(error, OSError | TimeoutError):
        # Without a file name: a connection, and the CLI's only peer is the database.
        reason = error.strerror or str(error) or type(error).__name__
        return f"cannot reach the database {_database_label()}: {_first_line(reason)}"
    return None


class FailureReportingGroup(TyperGroup):
    """The root command: every subcommand runs inside its `invoke`."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort):
            raise  # usage errors and exits: typer words them
        except Exception as error:
            message = describe(error)
            if message is None:
                raise
            print_failure(message)
            sys.stderr.flush()
            raise typer.Exit(1) from None
