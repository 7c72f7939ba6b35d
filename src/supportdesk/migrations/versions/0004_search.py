"""search: one full-text document per ticket, kept current by the database itself

Revision ID: 0004_search
Revises: 0003_desk
Create Date: 2026-12-02

Each ticket has one row in `ticket_search` with three parts: the subject, what the client
sees (opening message and sent messages) and what only staff see (notes, drafts and scheduled
messages). Triggers on tickets, replies and notes rebuild a ticket's row in the transaction
that changes it, so that no code path (a merge moving replies, a draft being sent, a bulk load
by SQL) can leave it stale. SQLite keeps it in an FTS5 table (`unicode61`, case folded,
diacritics kept); PostgreSQL in `tsvector` columns (the `simple` configuration over text whose
non-alphanumeric characters are first made spaces, so that both backends cut the same words)
with GIN indexes. `tickets/search.py` builds the queries.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_search"
down_revision: str | None = "0003_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- SQLite ------------------------------------------------------------------------------------

_SQLITE_ROW = """
SELECT t.id, t.subject,
       t.body || ' ' || coalesce((SELECT group_concat(r.body, ' ') FROM replies r
                                  WHERE r.ticket_id = t.id AND r.status = 'Sent'), ''),
       coalesce((SELECT group_concat(r.body, ' ') FROM replies r
                 WHERE r.ticket_id = t.id AND r.status <> 'Sent'), '') || ' ' ||
       coalesce((SELECT group_concat(n.body, ' ') FROM notes n WHERE n.ticket_id = t.id), '')
FROM tickets t
"""
_SQLITE_INSERT = "INSERT INTO ticket_search (rowid, subject, public, staff)"


def _sqlite_refresh(ticket: str) -> str:
    return (
        f"DELETE FROM ticket_search WHERE rowid = {ticket};\n"  # noqa: S608 (NEW.id, OLD.id)
        f"{_SQLITE_INSERT} {_SQLITE_ROW} WHERE t.id = {ticket};"
    )


_SQLITE_TRIGGERS = {
    "ticket_search_ticket_insert": ("AFTER INSERT ON tickets", ["NEW.id"]),
    "ticket_search_ticket_update": ("AFTER UPDATE OF subject, body ON tickets", ["NEW.id"]),
    "ticket_search_reply_insert": ("AFTER INSERT ON replies", ["NEW.ticket_id"]),
    "ticket_search_reply_update": (
        "AFTER UPDATE OF ticket_id, body, status ON replies",
        ["OLD.ticket_id", "NEW.ticket_id"],
    ),
    "ticket_search_reply_delete": ("AFTER DELETE ON replies", ["OLD.ticket_id"]),
    "ticket_search_note_insert": ("AFTER INSERT ON notes", ["NEW.ticket_id"]),
    "ticket_search_note_update": (
        "AFTER UPDATE OF ticket_id, body ON notes",
        ["OLD.ticket_id", "NEW.ticket_id"],
    ),
    "ticket_search_note_delete": ("AFTER DELETE ON notes", ["OLD.ticket_id"]),
}


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE ticket_search USING fts5("
        "subject, public, staff, tokenize = 'unicode61 remove_diacritics 0')"
    )
    for name, (when, tickets) in _SQLITE_TRIGGERS.items():
        body = "\n".join(_sqlite_refresh(ticket) for ticket in dict.fromkeys(tickets))
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW BEGIN\n{body}\nEND")
    op.execute(
        "CREATE TRIGGER ticket_search_ticket_delete AFTER DELETE ON tickets FOR EACH ROW BEGIN\n"
        "DELETE FROM ticket_search WHERE rowid = OLD.id;\nEND"
    )
    op.execute(f"{_SQLITE_INSERT} {_SQLITE_ROW}")


def _sqlite_downgrade() -> None:
    for name in [*_SQLITE_TRIGGERS, "ticket_search_ticket_delete"]:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS ticket_search")


# --- PostgreSQL --------------------------------------------------------------------------------

# Words of one text: lower case, every run of non-alphanumeric characters a separator (the
# `simple` parser alone would keep `vps1.example.com` or `e-mail` whole, FTS5 would not).
# Rebuilding a ticket's row takes the ticket's row lock first (NO KEY UPDATE: it does not wait
# on the key-share locks that inserting a reply takes), so two writers to one ticket rebuild it
# one after the other, the second seeing the first's rows.
# Positions are stripped: nothing ranks by them, and without them a ticket's vector is only
# its distinct words.
_PG_FUNCTIONS = [
    r"""
CREATE FUNCTION search_words(doc text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT strip(to_tsvector('simple'::regconfig,
                           regexp_replace(lower(doc), '[^[:alnum:]]+', ' ', 'g')))
$$
""",
    r"""
CREATE FUNCTION search_union(texts text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT lexeme)), ''::tsvector)
  FROM unnest(texts) AS part(doc), unnest(tsvector_to_array(search_words(part.doc))) AS lexeme
$$
""",
    r"""
CREATE FUNCTION ticket_search_refresh(ticket integer) RETURNS void
LANGUAGE sql AS $$
  SELECT 1 FROM tickets WHERE id = ticket FOR NO KEY UPDATE;
  DELETE FROM ticket_search WHERE ticket_id = ticket;
  INSERT INTO ticket_search (ticket_id, subject_words, public_words, all_words)
  SELECT t.id, search_words(t.subject),
         search_union(ARRAY[t.subject, t.body] || pub.bodies),
         search_union(ARRAY[t.subject, t.body] || pub.bodies || staff.bodies || notes.bodies)
  FROM tickets t,
       LATERAL (SELECT coalesce(array_agg(r.body), '{}') AS bodies FROM replies r
                WHERE r.ticket_id = t.id AND r.status = 'Sent') pub,
       LATERAL (SELECT coalesce(array_agg(r.body), '{}') AS bodies FROM replies r
                WHERE r.ticket_id = t.id AND r.status <> 'Sent') staff,
       LATERAL (SELECT coalesce(array_agg(n.body), '{}') AS bodies FROM notes n
                WHERE n.ticket_id = t.id) notes
  WHERE t.id = ticket;
$$
""",
    r"""
CREATE FUNCTION ticket_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'tickets' THEN
    IF TG_OP = 'DELETE' THEN
      DELETE FROM ticket_search WHERE ticket_id = OLD.id;
    ELSE
      PERFORM ticket_search_refresh(NEW.id);
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM ticket_search_refresh(OLD.ticket_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.ticket_id <> OLD.ticket_id) THEN
    PERFORM ticket_search_refresh(NEW.ticket_id);
  END IF;
  RETURN NULL;
END
$$
""",
]

_PG_TRIGGERS = {
    "ticket_search_tickets": "AFTER INSERT OR DELETE OR UPDATE OF subject, body ON tickets",
    "ticket_search_replies": "AFTER INSERT OR DELETE OR UPDATE OF ticket_id, body, status "
    "ON replies",
    "ticket_search_notes": "AFTER INSERT OR DELETE OR UPDATE OF ticket_id, body ON notes",
}


def _pg_upgrade() -> None:
    # ON DELETE CASCADE: the row goes with its ticket even where triggers are off (a bulk load).
    op.execute(
        "CREATE TABLE ticket_search ("
        "ticket_id integer PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE, "
        "subject_words tsvector NOT NULL, public_words tsvector NOT NULL, "
        "all_words tsvector NOT NULL)"
    )
    for function in _PG_FUNCTIONS:
        op.execute(function)
    for name, when in _PG_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION ticket_search_changed()"
        )
    op.execute("SELECT ticket_search_refresh(id) FROM tickets")
    op.execute("CREATE INDEX ix_ticket_search_public ON ticket_search USING gin (public_words)")
    op.execute("CREATE INDEX ix_ticket_search_all ON ticket_search USING gin (all_words)")
    op.execute("CREATE INDEX ix_ticket_search_subject ON ticket_search USING gin (subject_words)")


def _pg_downgrade() -> None:
    for name, when in _PG_TRIGGERS.items():
        table = when.rsplit(" ", 1)[1]
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP TABLE IF EXISTS ticket_search")
    for function in (
        "ticket_search_changed()",
        "ticket_search_refresh(integer)",
        "search_union(text[])",
        "search_words(text)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        _pg_downgrade()
