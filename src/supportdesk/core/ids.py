"""Identifiers: v1 request ids (UUID), v2 request and public ids (prefix + ULID)."""

from __future__ import annotations

import re
import secrets
import time
import uuid

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A ULID as public ids and v2 request ids spell it.
ULID_PATTERN = "[0-9a-hjkmnp-tv-z]{26}"
_ULID_REQ_RE = re.compile(rf"^req_{ULID_PATTERN}$")


def public_id_pattern(prefix: str) -> str:
    """The regular expression of a public id: `tkt_` + 26 ULID characters, say."""
    return f"{prefix}_{ULID_PATTERN}"


def is_public_id(prefix: str, value: str) -> bool:
    return re.fullmatch(public_id_pattern(prefix), value) is not None


def ulid() -> str:
    """26 lowercase Crockford base32 characters: 48 bits of milliseconds, 80 random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def public_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"


def v1_request_id(offered: str | None) -> str:
    """Echo a client's id only when it is a well-formed lowercase UUID (no log injection)."""
    if offered is not None and _UUID_RE.match(offered):
        return offered
    return str(uuid.uuid4())


def v2_request_id(offered: str | None) -> str:
    if offered is not None and _ULID_REQ_RE.match(offered):
        return offered
    return "req_" + ulid()
