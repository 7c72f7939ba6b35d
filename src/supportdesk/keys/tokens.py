"""The key format: `sd_live_` + 43 base62 characters (32 random bytes) + a 6-character checksum.

The prefix lets secret scanners recognise a leaked key; the CRC-32 checksum rejects a mistyped
or made-up key before any database work. Only the SHA-256 digest is ever stored.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib

PREFIX = "sd_live_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(_ALPHABET)}
_BODY_LENGTH = 43  # 62**43 > 2**256
_CHECK_LENGTH = 6  # 62**6 > 2**32
KEY_LENGTH = len(PREFIX) + _BODY_LENGTH + _CHECK_LENGTH
HINT_LENGTH = len(PREFIX) + 6


def _base62(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, rest = divmod(value, 62)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32((PREFIX + body).encode("ascii")), _CHECK_LENGTH)


def generate() -> str:
    body = _base62(int.from_bytes(secrets.token_bytes(32), "big"), _BODY_LENGTH)
    return PREFIX + body + _checksum(body)


def is_well_formed(key: str) -> bool:
    """Prefix, length, alphabet and checksum: everything that needs no database."""
    if len(key) != KEY_LENGTH or not key.startswith(PREFIX):
        return False
    rest = key[len(PREFIX) :]
    if any(char not in _INDEX for char in rest):
        return False
    body, check = rest[:_BODY_LENGTH], rest[_BODY_LENGTH:]
    return secrets.compare_digest(_checksum(body), check)


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def hint(key: str) -> str:
    return key[:HINT_LENGTH]
