"""The scopes an API key can carry: one definition for keys, doors and services."""

from __future__ import annotations

READ_SUPPORT = "read:support"
WRITE_SUPPORT = "write:support"
READ_ACCOUNT = "read:account"

SCOPES = (READ_SUPPORT, WRITE_SUPPORT, READ_ACCOUNT)
