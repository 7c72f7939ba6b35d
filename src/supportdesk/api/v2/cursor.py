"""Opaque list cursors: the last ticket's (updated_at, id), with a tag that detects tampering.

A cursor grants nothing (it only says where a page of the caller's own tickets starts), so the
tag is a keyed checksum rather than a secret-bearing signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from supportdesk.core.columns import ROW_ID_MAX
from supportdesk.core.errors import InvalidCursor

_KEY = b"supportdesk.v2.cursor.1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _tag(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=_KEY, digest_size=10).digest()


def encode(updated_at: datetime, ticket_id: int) -> str:
    micros = (updated_at - _EPOCH) // _MICRO  # exact: no float rounding
    payload = f"{micros}:{ticket_id}".encode()
    return base64.urlsafe_b64encode(payload + _tag(payload)).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    if len(cursor) > 128:
        raise InvalidCursor(pointer="?cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, tag = raw[:-10], raw[-10:]
        if len(raw) <= 10 or not hmac.compare_digest(tag, _tag(payload)):
            raise ValueError("bad tag")
        micros, ticket_id = (int(part) for part in payload.decode().split(":"))
        moment = _EPOCH + micros * _MICRO
        # The tag is no secret: a forged cursor may name any id, but none past the column.
        if not 1 <= ticket_id <= ROW_ID_MAX:
            raise ValueError("no such ticket id")
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError, OSError):
        raise InvalidCursor(pointer="?cursor") from None
    return moment, ticket_id
