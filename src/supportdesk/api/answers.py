"""Answers built once: a ticket detail's encoded bytes, per process, while its version holds.

A detail answer depends on the ticket's own rows (moved together by `tickets.version`), on
names many tickets show (moved together by the render generation), on the viewer's side (a
client sees no notes, no drafts, no staff addresses) and on the door's shape. The cache is
keyed by (door, ticket's public id, viewer) and an entry holds only for the generation and
version it was built at; the public id (random, never reused) rather than the row id, so that
a deleted and re-created row can never meet an old entry. The viewer is `staff`, or the
client's own id: nothing one viewer was answered can be found under another's key.

Fields that change with every request (v1's `viewtime`, its envelope's `timestamp` and
`requestId`) are not in the entry: it holds the bytes around them, spliced at answer time.
The entity tag is computed once from the stable bytes (`conditional.entity_tag`, the same tag a
fresh build would give, on every process), so a 304 is decided by the version lookup alone when
the answer is cached.

The cache is bounded in bytes (least recently used out first); a process holds one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeAlias

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.tickets.reading import current_version
from supportdesk.tickets.repository import TicketVersion

# (door, ticket's public id, viewer: "staff" or the client's id)
AnswerKey: TypeAlias = tuple[str, str, str | int]

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# What an entry costs beyond its bytes (the key, the record, the dict slot), roughly.
_ENTRY_OVERHEAD = 400


@dataclass(frozen=True, slots=True)
class Answer:
    """An encoded answer: `head` + (the per-request part, if any) + `tail`, and its tag."""

    etag: str
    head: bytes
    tail: bytes = b""


@dataclass(frozen=True, slots=True)
class _Entry:
    generation: int
    version: int
    answer: Answer
    size: int


class AnswerCache:
    """Encoded answers, least recently used out first once `max_bytes` is reached."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[AnswerKey, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: AnswerKey, generation: int, version: int) -> Answer | None:
        entry = self._entries.get(key)
        if entry is None or entry.generation != generation or entry.version != version:
            return None
        self._entries.move_to_end(key)
        return entry.answer

    def put(self, key: AnswerKey, generation: int, version: int, answer: Answer) -> None:
        size = len(answer.head) + len(answer.tail) + len(answer.etag) + _ENTRY_OVERHEAD
        if size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
            if (old.generation, old.version) > (generation, version):
                # A slower build of an older state finished last: keep the newer one.
                self._entries[key] = old
                self.bytes += old.size
                return
        self._entries[key] = _Entry(generation, version, answer, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


def viewer(actor: Actor) -> str | int:
    """Whose answer it is: every staff member (and the system) sees the staff view; a client
    is keyed by its own id."""
    client_id = actor.client_id
    return "staff" if client_id is None else client_id


Build: TypeAlias = Callable[[DbSession, Actor, TicketVersion], Awaitable[Answer]]


async def detail_answer(
    cache: AnswerCache,
    door: str,
    session: DbSession,
    actor: Actor,
    ref: int | str,
    build: Build,
) -> Answer:
    """The ticket's answer for the actor through `door`: from the cache while the ticket's
    version and the generation hold, else built (after the version is read: what is built is
    then as new as its key, or newer) and kept. 404 (`TicketNotFound`) if not the actor's."""
    found = await current_version(session, actor, ref)
    key: AnswerKey = (door, found.public_id, viewer(actor))
    answer = cache.get(key, found.generation, found.version)
    if answer is None:
        # The build's statements read one state (SQLite), begun after the version was read:
        # what is built is as new as its key, or newer, never older.
        await session.snapshot()
        answer = await build(session, actor, found)
        cache.put(key, found.generation, found.version, answer)
    return answer
