"""The seed page: the contract's authority, kept in the repository as `tests/data/`.

`SEED` is a byte-identical copy of `../shared/seed/get-support-ticket-details.txt`, so that the
suite needs nothing beside the repository; `tests/test_seed_copy.py` holds the copy to the
original wherever the original is there.

`seed_response()` is the JSON example after the page's `Response` line; `assert_seed_shape`
checks a rendered value against it: the same keys in the same order, the same JSON types.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SEED_NAME = "get-support-ticket-details.txt"
SEED = Path(__file__).resolve().parent / "data" / SEED_NAME
# Where the original lives: the shared/ folder beside the repository, when there is one.
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / SEED_NAME


@functools.cache
def seed_response() -> dict[str, Any]:
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("Response") + 1
    response: dict[str, Any] = json.loads("\n".join(lines[start:]))
    return response


def seed_ticket() -> dict[str, Any]:
    ticket: dict[str, Any] = seed_response()["data"]["ticket"]
    return ticket


def _type_name(value: Any) -> str:
    for python_type, name in ((bool, "boolean"), (int, "integer"), (str, "string")):
        if type(value) is python_type:
            return name
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def assert_seed_shape(actual: Any, seed: Any, path: str = "ticket") -> None:
    """Keys in the seed's order, recursively; every array item shaped like the seed's item."""
    assert _type_name(actual) == _type_name(seed), (
        f"{path}: {_type_name(actual)} where the seed has {_type_name(seed)}"
    )
    if isinstance(seed, dict):
        assert list(actual) == list(seed), f"{path}: keys differ from the seed's (or their order)"
        for key, value in seed.items():
            assert_seed_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(seed, list):
        for index, item in enumerate(actual):
            assert_seed_shape(item, seed[0], f"{path}[{index}]")
