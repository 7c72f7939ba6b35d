"""Portable JSON aggregation, so that a ticket and its small collections load in one query.

`json_list(x)` is `json_group_array` on SQLite and `json_agg` on PostgreSQL; `json_row(...)` is
`json_object` / `json_build_object`. Both come back as JSON text (or NULL for no rows on
PostgreSQL), which `orjson` parses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class json_list(FunctionElement[str]):
    type = String()
    inherit_cache = True
    name = "json_list"


class json_row(FunctionElement[str]):
    type = String()
    inherit_cache = True
    name = "json_row"


@compiles(json_list, "sqlite")
def _json_list_sqlite(element: json_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(json_list, "postgresql")
def _json_list_postgresql(element: json_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(json_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


@compiles(json_row, "sqlite")
def _json_row_sqlite(element: json_row, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(json_row, "postgresql")
def _json_row_postgresql(element: json_row, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


def json_row_of(**columns: Any) -> json_row:
    """`json_row` from keyword arguments; the keys are code constants, inlined as literals."""
    arguments: list[Any] = []
    for key, column in columns.items():
        arguments.extend((literal_column(f"'{key}'"), column))
    return json_row(*arguments)
