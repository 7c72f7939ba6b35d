"""What the columns hold: the one definition of their lengths and integer ranges.

The tables declare their columns with these sizes, and `supportdesk.api.inputs` builds every
input type from them (its `max_length`, `le` and the OpenAPI document's `maxLength`,
`maximum`), so that a value the database cannot hold is refused with a 400 before it reaches a
driver, the same way on every backend: PostgreSQL checks `varchar(n)` and 32/64-bit integers,
SQLite checks neither (it stores a longer text silently and raises `OverflowError` past 64 bits).
"""

from __future__ import annotations

# `Integer` is 32 bits on PostgreSQL (SQLite's INTEGER holds 64): every row id is an Integer.
INTEGER_MAX = 2**31 - 1
BIG_INTEGER_MAX = 2**63 - 1
ROW_ID_MAX = INTEGER_MAX
# tickets.ticket_number is a BigInteger; numbers stay below 10^18, a bound that a JSON Schema
# reader holding numbers as doubles reads back exactly (2^63 - 1 it would round up, past it).
TICKET_NUMBER_MAX = 10**18

# Lengths of String columns, in characters (what `varchar(n)` counts).
PUBLIC_ID_LENGTH = 40  # `tkt_`, `tmsg_`, `tatt_`, `satt_` + 26 ULID characters
SLUG_LENGTH = 64
SUBJECT_LENGTH = 255
PERSON_NAME_LENGTH = 255  # a display name on a ticket or a reply
EMAIL_LENGTH = 255
IP_ADDRESS_LENGTH = 45  # the longest IPv6 text (IPv4-mapped)
FILENAME_LENGTH = 255
CONTENT_TYPE_LENGTH = 127
SERVICE_NAME_LENGTH = 255
TAG_NAME_LENGTH = 64
STATUS_NAME_LENGTH = 64  # statuses.name, replies.status_after
IDEMPOTENCY_KEY_LENGTH = 255  # README: 1-255 visible ASCII characters
# Columns that hold one of a fixed set of names (their inputs are choices, not free text).
PRIORITY_LENGTH = 16
SERVICE_TYPE_LENGTH = 16
V2_STATUS_LENGTH = 32

# Text columns have no length in the database; these are the contract's limits (v1.md, v2.md).
MESSAGE_LENGTH = 65_535
AI_SUMMARY_LENGTH = 65_535
CRITICAL_REASON_LENGTH = 2_000
# Not stored: a search's text (`q`), and how many of its words are looked for.
SEARCH_QUERY_LENGTH = 200
SEARCH_TERMS = 10
CC_ADDRESSES = 20
ATTACHMENTS_PER_MESSAGE = 10
