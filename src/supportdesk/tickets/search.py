"""Full-text search over tickets: the words of a query, and the SQL that finds them.

The index is one row per ticket in `ticket_search` (migration 0004), rebuilt by the database's
own triggers in the transaction of every write to a ticket, a message or a note. A word is a run
of letters and digits, compared case-folded, diacritics kept (`é` is not `e`: in Swedish `å`, `ä`
and `ö` are letters of their own). Every word of the query must occur somewhere in the ticket
(subject, messages, notes: in any part, not all in one), each as a word's start (`serv` finds
`server`). A client's search reads only what a client sees (subject, opening message, sent
messages); staff's reads notes, drafts and scheduled messages too.

The query is never handed to FTS5's or `tsquery`'s parser as the user wrote it: its words are
extracted here and each is quoted as a prefix term, so quotes, `NEAR`, `*`, `-`, `:` or
parentheses in `q` are separators like any other punctuation.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    ColumnElement,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from supportdesk.tickets.models import Ticket

# A word: letters and digits (what FTS5's unicode61 and PostgreSQL's [[:alnum:]] keep).
_WORD = re.compile(r"[^\W_]+")

_SIMPLE: ColumnElement[str] = literal_column("'simple'::regconfig")
_FTS5 = table("ticket_search", column("rowid"))
_PG = table(
    "ticket_search",
    column("ticket_id"),
    column("subject_words"),
    column("public_words"),
    column("all_words"),
)


def search_terms(query: str) -> tuple[str, ...]:
    """The distinct words of `query`, lower-cased, in their first order."""
    return tuple(dict.fromkeys(word.lower() for word in _WORD.findall(query)))


def _fts5_query(terms: tuple[str, ...], columns: str | None) -> str:
    expression = " AND ".join(f'"{term}"*' for term in terms)
    return f"{{{columns}}} : ({expression})" if columns else expression


def _tsquery(terms: tuple[str, ...]) -> str:
    return " & ".join(f"'{term}':*" for term in terms)


def matching(dialect: str, terms: tuple[str, ...], staff: bool) -> ColumnElement[bool]:
    """Tickets in which every term occurs, in what the searcher may read."""
    if dialect == "sqlite":
        found = select(_FTS5.c.rowid).where(
            text("ticket_search MATCH :search_all").bindparams(
                search_all=_fts5_query(terms, None if staff else "subject public")
            )
        )
        return Ticket.id.in_(found)
    words = _PG.c.all_words if staff else _PG.c.public_words
    query = func.to_tsquery(_SIMPLE, bindparam("search_all", _tsquery(terms)))
    return Ticket.id.in_(select(_PG.c.ticket_id).where(words.op("@@")(query)))


def in_subject(dialect: str, terms: tuple[str, ...]) -> ColumnElement[bool]:
    """Tickets whose subject holds every term (they rank first)."""
    if dialect == "sqlite":
        found = select(_FTS5.c.rowid).where(
            text("ticket_search MATCH :search_subject").bindparams(
                search_subject=_fts5_query(terms, "subject")
            )
        )
        return Ticket.id.in_(found)
    query = func.to_tsquery(_SIMPLE, bindparam("search_subject", _tsquery(terms)))
    return Ticket.id.in_(select(_PG.c.ticket_id).where(_PG.c.subject_words.op("@@")(query)))


# Rebuilding the whole index in one statement, for a bulk load that ran with the triggers off
# (the same rows the triggers of migration 0004 write, all at once).
REBUILD = {
    "sqlite": [
        "DELETE FROM ticket_search",
        """INSERT INTO ticket_search (rowid, subject, public, staff)
        SELECT t.id, t.subject,
               t.body || ' ' || coalesce((SELECT group_concat(r.body, ' ') FROM replies r
                                          WHERE r.ticket_id = t.id AND r.status = 'Sent'), ''),
               coalesce((SELECT group_concat(r.body, ' ') FROM replies r
                         WHERE r.ticket_id = t.id AND r.status <> 'Sent'), '') || ' ' ||
               coalesce((SELECT group_concat(n.body, ' ') FROM notes n
                         WHERE n.ticket_id = t.id), '')
        FROM tickets t""",
    ],
    "postgresql": [
        "DELETE FROM ticket_search",
        """INSERT INTO ticket_search (ticket_id, subject_words, public_words, all_words)
        SELECT t.id, search_words(t.subject),
               search_union(ARRAY[t.subject, t.body] || pub.bodies),
               search_union(ARRAY[t.subject, t.body] || pub.bodies || staff.bodies
                            || notes.bodies)
        FROM tickets t,
             LATERAL (SELECT coalesce(array_agg(r.body), '{}') AS bodies FROM replies r
                      WHERE r.ticket_id = t.id AND r.status = 'Sent') pub,
             LATERAL (SELECT coalesce(array_agg(r.body), '{}') AS bodies FROM replies r
                      WHERE r.ticket_id = t.id AND r.status <> 'Sent') staff,
             LATERAL (SELECT coalesce(array_agg(n.body), '{}') AS bodies FROM notes n
                      WHERE n.ticket_id = t.id) notes""",
    ],
}
