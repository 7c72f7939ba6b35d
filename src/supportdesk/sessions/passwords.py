"""Staff passwords, stored as Argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommended profile); the password itself is never stored or logged."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from supportdesk.core.errors import InvalidField

MIN_LENGTH = 10
MAX_LENGTH = 1024
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so that a miss costs as long as a hit.
_DUMMY = _HASHER.hash("not the password of anybody")


def check_new_password(password: str) -> None:
    """Refuse a password that is too short, too long, or holds a NUL or a line break."""
    if len(password) < MIN_LENGTH:
        raise InvalidField("password", f"must be at least {MIN_LENGTH} characters.", code="short")
    if len(password) > MAX_LENGTH:
        raise InvalidField("password", f"must be at most {MAX_LENGTH} characters.", code="long")
    if any(character in password for character in "\x00\r\n"):
        raise InvalidField("password", "must not hold NUL or line breaks.", code="control")


def hash_password(password: str) -> str:
    check_new_password(password)
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` is the one `stored` was made from; a missing hash is never matched
    (but costs the same time)."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
