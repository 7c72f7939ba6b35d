"""The scopes an API key can carry: one definition for keys, doors and services."""

from __future__ import annotations

READ_SUPPORT = "read:support"
WRITE_SUPPORT = "write:support"
READ_ACCOUNT = "read:account"
# Staff keys only (desk.md): working tickets, and setting the organisation up.
MANAGE_SUPPORT = "manage:support"
ADMIN_SUPPORT = "admin:support"

SCOPES = (READ_SUPPORT, WRITE_SUPPORT, READ_ACCOUNT, MANAGE_SUPPORT, ADMIN_SUPPORT)
STAFF_ONLY_SCOPES = (MANAGE_SUPPORT, ADMIN_SUPPORT)
