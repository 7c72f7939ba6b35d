"""All SQL on tickets and their parts: replies, files' claims, read markers, the timeline.

Every read starts from a condition already scoped to the actor (`scope.visible_to`), so a
ticket the actor may not see and a ticket that does not exist are the same `None`. Modules:
`scope` (who sees what), `detail` (the ticket with its conversation, two statements),
`listing` (summaries, keyset pages), `state` (what the rules read, the row lock), `writes`
(inserts and updates, with typed rows), `events` (the timeline).
"""

from supportdesk.tickets.records import Position
from supportdesk.tickets.repository.detail import get_visible_ticket
from supportdesk.tickets.repository.events import (
    Changes,
    EventInsert,
    EventRecord,
    insert_event,
    list_events,
)
from supportdesk.tickets.repository.listing import (
    SORTS,
    ListFilter,
    Sort,
    list_visible_tickets,
    position_kinds,
)
from supportdesk.tickets.repository.scope import (
    by_reference,
    file_shown_to_clients,
    reply_shown_to_clients,
    visible_to,
)
from supportdesk.tickets.repository.state import (
    AccessLink,
    TicketState,
    TicketVersion,
    find_access_link,
    find_visible_state,
    find_visible_version,
    lock,
)
from supportdesk.tickets.repository.writes import (
    ReplyInsert,
    TicketInsert,
    claim_uploads,
    insert_reply,
    insert_ticket,
    mark_read,
    oldest_recent_critical,
    update_ticket,
)

__all__ = [
    "SORTS",
    "AccessLink",
    "Changes",
    "EventInsert",
    "EventRecord",
    "ListFilter",
    "Position",
    "ReplyInsert",
    "Sort",
    "TicketInsert",
    "TicketState",
    "TicketVersion",
    "by_reference",
    "claim_uploads",
    "file_shown_to_clients",
    "find_access_link",
    "find_visible_state",
    "find_visible_version",
    "get_visible_ticket",
    "insert_event",
    "insert_reply",
    "insert_ticket",
    "list_events",
    "list_visible_tickets",
    "lock",
    "mark_read",
    "oldest_recent_critical",
    "position_kinds",
    "reply_shown_to_clients",
    "update_ticket",
    "visible_to",
]
