"""Opaque list cursors: the last ticket's sort values, tagged with the installation's key.

The default order's cursor holds the last ticket's (updated_at, id): `1:<micros>:<id>`. Other
orders (a staff sort, a search's rank) name the order they were issued for and hold its values:
`2:<order>:<value>:...:<id>`; a cursor used with another order than its own is `invalid_cursor`
(its values would mean something else there).

A cursor grants nothing (it only says where a page of the caller's own tickets starts), but a
client must not be able to make one up: the tag is a keyed BLAKE2b under a key derived from
the installation's secret (`core.secret_key`), so every process of the installation accepts
the cursors any of them issued, and nobody else can issue one. Even a correctly tagged cursor
is read strictly: each value must be in the range of its column, or it is `invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from supportdesk.core.errors import InvalidCursor
from supportdesk.core.secret_key import derive_key

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_TAG_BYTES = 16
_MAX_LENGTH = 128
# tickets.id is a 32-bit column; times between the epoch and the end of year 9999.
MAX_TICKET_ID = 2**31 - 1
MAX_MICROS = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - _EPOCH) // _MICRO
DEFAULT_ORDER = "-updatedAt"
_PAYLOAD = re.compile(rb"1:(0|[1-9][0-9]{0,17}):([1-9][0-9]{0,9})")
_NUMBER = rb"(0|[1-9][0-9]{0,17})"
MAX_LEVEL = 9
# What a value of a position is: a small level (a rank, a priority), a time, a ticket id.
Kind = Literal["level", "time", "id"]


class CursorCodec:
    """Cursors keyed by the installation's secret (read on first use, then kept)."""

    def __init__(self, secret: Callable[[], bytes]) -> None:
        self._secret = secret

    @functools.cached_property
    def _key(self) -> bytes:
        return derive_key(self._secret(), "v2-cursor")

    def _tag(self, payload: bytes) -> bytes:
        return hashlib.blake2b(payload, key=self._key, digest_size=_TAG_BYTES).digest()

    def seal(self, payload: bytes) -> str:
        """`payload` with its tag, as the opaque text a client sees."""
        return base64.urlsafe_b64encode(payload + self._tag(payload)).decode().rstrip("=")

    def encode(self, updated_at: datetime, ticket_id: int) -> str:
        micros = (updated_at - _EPOCH) // _MICRO  # exact: no float rounding
        return self.seal(f"1:{micros}:{ticket_id}".encode())

    def decode(self, cursor: str) -> tuple[datetime, int]:
        """The (updated_at, id) a cursor names; InvalidCursor for anything not issued here."""
        match = _PAYLOAD.fullmatch(self._open(cursor))
        if match is None:
            raise InvalidCursor(pointer="?cursor")
        micros, ticket_id = int(match[1]), int(match[2])
        if micros > MAX_MICROS or ticket_id > MAX_TICKET_ID:
            raise InvalidCursor(pointer="?cursor")
        return _EPOCH + micros * _MICRO, ticket_id

    def _open(self, cursor: str) -> bytes:
        """The payload of a cursor whose tag is this installation's."""
        if len(cursor) > _MAX_LENGTH or not cursor.isascii():
            raise InvalidCursor(pointer="?cursor")
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor(pointer="?cursor") from None
        payload, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if len(raw) <= _TAG_BYTES or not hmac.compare_digest(tag, self._tag(payload)):
            raise InvalidCursor(pointer="?cursor")
        return payload

    def encode_position(self, order: str, kinds: Sequence[Kind], values: Sequence[Any]) -> str:
        """A cursor for `order` (a sort, and whether a search ranks it) at `values`."""
        if order == DEFAULT_ORDER and tuple(kinds) == ("time", "id"):
            return self.encode(values[0], values[1])
        numbers = [
            str((value - _EPOCH) // _MICRO if kind == "time" else int(value))
            for kind, value in zip(kinds, values, strict=True)
        ]
        return self.seal(":".join(["2", order, *numbers]).encode())

    def decode_position(self, cursor: str, order: str, kinds: Sequence[Kind]) -> tuple[Any, ...]:
        """The values a cursor for `order` names; InvalidCursor for a cursor of another order,
        or anything not issued here."""
        if order == DEFAULT_ORDER and tuple(kinds) == ("time", "id"):
            return self.decode(cursor)
        raw = self._open(cursor)
        pattern = re.escape(f"2:{order}".encode()) + b"".join(b":" + _NUMBER for _ in kinds)
        match = re.fullmatch(pattern, raw)
        if match is None:
            raise InvalidCursor(pointer="?cursor")
        values: list[Any] = []
        for kind, text in zip(kinds, match.groups(), strict=True):
            number = int(text)
            limit = {"level": MAX_LEVEL, "time": MAX_MICROS, "id": MAX_TICKET_ID}[kind]
            if number > limit or (kind == "id" and number == 0):
                raise InvalidCursor(pointer="?cursor")
            values.append(_EPOCH + number * _MICRO if kind == "time" else number)
        return tuple(values)
