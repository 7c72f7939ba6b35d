"""A validation error's JSON pointer names the part of the request that was sent, never the
labels pydantic gives a union's members (`function-before[...]`, `constrained-int`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from supportdesk.api.handlers import validation_failure
from supportdesk.api.v2.desk_schemas import V2Bulk


def _failure(body: Any) -> tuple[str | None, list[dict[str, Any]]]:
    """What the door answers for this body of a bulk change: the pointer and `errors[]`."""
    with pytest.raises(ValidationError) as raised:
        V2Bulk.model_validate(body)
    errors = [{**error, "loc": ("body", *error["loc"])} for error in raised.value.errors()]
    failure = validation_failure(RequestValidationError(errors, body=body))
    return failure.pointer, failure.details


def test_a_union_typed_list_item_is_pointed_at_by_its_index() -> None:
    # A ticket id is a `tkt_` id or number (text) or a ticket number (integer): 7312.0 is
    # neither, and each member of the union says so.
    pointer, details = _failure({"ticketIds": ["tkt_x", 7312.0]})
    assert pointer == "/ticketIds/1"
    assert [d["pointer"] for d in details] == ["/ticketIds/1", "/ticketIds/1"]
    for detail in details:
        assert detail["detail"].startswith("Field 'ticketIds.1': "), detail
        assert "constrained" not in detail["detail"]
        assert "function-" not in detail["detail"]


def test_object_fields_list_items_missing_and_unknown_fields_keep_their_places() -> None:
    pointer, details = _failure({"ticketIds": [1], "changes": {"tags": ["a b"], "foo": 1}})
    assert pointer == "/changes/tags/0"
    assert [d["pointer"] for d in details] == ["/changes/tags/0", "/changes/foo"]
    assert [d["code"] for d in details] == ["invalid_format", "unknown_field"]
    pointer, details = _failure({"changes": {}})
    assert (pointer, details[0]["code"]) == ("/ticketIds", "required")
    # A union member's label is dropped even where the body holds an object there.
    pointer, _ = _failure({"ticketIds": [{"constrained-int": 1}]})
    assert pointer == "/ticketIds/0"


def test_a_parameter_is_named_without_a_union_members_label() -> None:
    errors = [
        {"type": "int_type", "loc": ("query", "ownerId", "constrained-int"), "msg": "no"},
        {"type": "int_type", "loc": ("query", "tag", 1, "str"), "msg": "no"},
    ]
    failure = validation_failure(RequestValidationError(errors))
    assert [d["pointer"] for d in failure.details] == ["?ownerId", "?tag.1"]
    assert failure.message == "Parameter 'ownerId': no."
