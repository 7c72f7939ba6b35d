"""Bulk-load a realistic data set for the benchmark: `python -m bench.generate --tickets 10000`.

Replies per ticket follow a long-tailed spread from 0 to 200 (a typical ticket has about ten),
with about 2 notes, 1 attachment and 1 linked service. SQLite is filled with executemany in
large transactions, PostgreSQL with COPY; ids are assigned here so that rows can refer to each
other without round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.progress import Progress
from sqlalchemy import Table, create_engine, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from supportdesk.core.db import async_url
from supportdesk.core.migrate import upgrade
from supportdesk.models import (
    Attachment,
    Base,
    Client,
    ClientGroup,
    Department,
    Note,
    Reply,
    Service,
    Staff,
    Status,
    Ticket,
    TicketService,
)
from supportdesk.tickets.search import REBUILD

BASE = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 2_000
CLIENTS = 200
STAFF = 12
STATUSES = ("Open", "Answered", "Client-Reply", "In-Progress", "On-Hold", "Closed")
WORDS = [
    *("server", "dns", "ssl", "certificate", "mail", "bounce", "vps", "reboot", "backup"),
    *("invoice", "payment", "domain", "transfer", "nginx", "php", "mysql", "disk", "quota"),
    *("firewall", "port", "timeout", "latency", "upgrade", "kernel"),
]
# Rarer words (`zorvane`, `silquoden`, ...), a word in seven, Zipf-distributed: searches for one
# of them match hundreds of tickets, not all of them, as names, hosts and error codes do.
_SYLLABLES = ("zor", "va", "ne", "kel", "mi", "tra", "quo", "sil", "den", "pa")
RARE = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
RARE_WEIGHTS = list(itertools.accumulate(1 / rank for rank in range(1, len(RARE) + 1)))


def replies_for(rng: random.Random) -> int:
    """Long-tailed: median about 10, clipped to 0..200."""
    return max(0, min(200, round(math.exp(rng.gauss(math.log(10), 0.9))) - 1))


def _word(rng: random.Random) -> str:
    if rng.random() < 1 / 7:
        return rng.choices(RARE, cum_weights=RARE_WEIGHTS)[0]
    return rng.choice(WORDS)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(_word(rng) for _ in range(words)).capitalize() + "."


def rows(tickets: int, seed: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of the data set as (table, values), parents before children."""
    rng = random.Random(seed)
    yield "client_groups", {"id": 1, "name": "Business"}
    yield "client_groups", {"id": 2, "name": "Private"}
    for i in range(1, STAFF + 1):
        yield (
            "staff",
            {
                "id": i,
                "username": f"staff{i}",
                "firstname": "Staff",
                "lastname": str(i),
                "email": f"staff{i}@hostup.example",
                "status": "Active",
            },
        )
    for i, slug in enumerate(("technical-support", "billing", "sales"), start=1):
        yield (
            "departments",
            {
                "id": i,
                "brand_id": None,
                "slug": slug,
                "name": slug.replace("-", " ").title(),
                "description": "",
                "email": f"{slug}@hostup.example",
                "visible": True,
                "auto_close_hours": 72,
                "client_can_reopen": True,
                "resolve_within_hours": 48,
            },
        )
    for i in range(1, CLIENTS + 1):
        yield (
            "clients",
            {
                "id": i,
                "group_id": 1 + i % 2,
                "firstname": "Client",
                "lastname": str(i),
                "company": "",
                "email": f"client{i}@example.com",
                "status": "Active",
                "created_at": BASE,
            },
        )
        yield (
            "services",
            {
                "id": i,
                "client_id": i,
                "service_type": "vps",
                "name": f"vps{i}.example.com",
                "status": "Active",
                "next_due": date(2026, 12, 1),
                "hostname": f"vps{i}.example.com",
            },
        )
    numbers = rng.sample(range(100_000, 10_000_000), tickets)
    reply_id = note_id = attachment_id = link_id = 0
    for ticket_id in range(1, tickets + 1):
        client = rng.randint(1, CLIENTS)
        opened = BASE + timedelta(minutes=ticket_id * 7 + rng.randint(0, 6))
        count = replies_for(rng)
        last = opened + timedelta(minutes=30 * count)
        yield (
            "tickets",
            {
                "id": ticket_id,
                "public_id": f"tkt_{ticket_id:026d}",
                "ticket_number": numbers[ticket_id - 1],
                "parent_id": None,
                "acc_hash": hashlib.md5(str(ticket_id).encode()).hexdigest(),
                "dept_id": 1 + ticket_id % 3,
                "org_dept_id": 1 + ticket_id % 3,
                "brand_id": None,
                "client_id": client,
                "creator_id": client,
                "owner_id": 1 + ticket_id % STAFF,
                "status_id": STATUS_IDS[STATUSES[ticket_id % len(STATUSES)]],
                "sla_id": None,
                "name": f"Client {client}",
                "email": f"client{client}@example.com",
                "cc": "",
                "bcc": "",
                "from_address": "",
                "subject": sentence(rng, 6),
                "body": sentence(rng, 60),
                "critical_reason": "",
                "priority": ("low", "medium", "high", "urgent")[ticket_id % 4],
                "flags": 1,
                "admin_read": True,
                "client_read": True,
                "type": "Client",
                "request_type": "General",
                "senderip": "192.0.2.10",
                "escalated": 0,
                "created_at": opened,
                "last_reply_at": last,
                "updated_at": last,
                "edited_at": None,
                "edited_by": "",
                "start_date": opened,
                "resolve_date": opened + timedelta(hours=48),
                "deadline": None,
            },
        )
        for n in range(count):
            reply_id += 1
            staff_side = n % 2 == 0
            yield (
                "replies",
                {
                    "id": reply_id,
                    "public_id": f"tmsg_{reply_id:026d}",
                    "ticket_id": ticket_id,
                    "replier_id": 1 + n % STAFF if staff_side else client,
                    "name": "Staff" if staff_side else f"Client {client}",
                    "email": "staff1@hostup.example"
                    if staff_side
                    else f"client{client}@example.com",
                    "body": sentence(rng, 25),
                    "status": "Sent",
                    "type": "Admin" if staff_side else "Client",
                    "flags": 0,
                    "senderip": "",
                    "rating": 0,
                    "rated_at": None,
                    "from_address": "",
                    "created_at": opened + timedelta(minutes=30 * (n + 1)),
                    "edited_at": None,
                    "edited_by": "",
                },
            )
        for _ in range(2):
            note_id += 1
            yield (
                "notes",
                {
                    "id": note_id,
                    "ticket_id": ticket_id,
                    "staff_id": 1,
                    "public_id": f"tnote_{note_id:026d}",
                    "body": sentence(rng, 12),
                    "created_at": opened,
                    "updated_at": opened,
                },
            )
        attachment_id += 1
        digest = hashlib.sha256(str(attachment_id).encode()).hexdigest()
        yield (
            "attachments",
            {
                "id": attachment_id,
                "public_id": f"tatt_{attachment_id:026d}",
                "upload_id": f"satt_{attachment_id:026d}",
                "ticket_id": ticket_id,
                "reply_id": None,
                "uploader_client_id": client,
                "uploader_staff_id": None,
                "filename": "error.log",
                "content_type": "text/plain",
                "byte_length": 1200,
                "sha256": digest,
                "uploaded_at": opened,
            },
        )
        link_id += 1
        yield (
            "ticket_services",
            {
                "id": link_id,
                "ticket_id": ticket_id,
                "service_id": client,
                "ai_summary": sentence(rng, 15),
                "ai_helpful": True,
                "created_at": opened,
                "updated_at": opened,
            },
        )


STATUS_IDS: dict[str, int] = {}
TABLES: dict[str, Table] = {
    model.__tablename__: Base.metadata.tables[model.__tablename__]
    for model in (
        ClientGroup,
        Staff,
        Department,
        Client,
        Service,
        Ticket,
        Reply,
        Note,
        Attachment,
        TicketService,
    )
}


def batches(tickets: int, seed: int) -> Iterator[tuple[str, list[dict[str, Any]], int]]:
    """Rows grouped by table in batches; the int is how many tickets the batch completes."""
    pending: dict[str, list[dict[str, Any]]] = {}
    for table, values in rows(tickets, seed):
        bucket = pending.setdefault(table, [])
        bucket.append(values)
        if len(bucket) >= BATCH:
            # Flush parents first so that foreign keys always point at existing rows.
            for name in TABLES:
                if pending.get(name):
                    yield name, pending.pop(name), len([v for v in pending.get("tickets", [])])
    for name in TABLES:
        if pending.get(name):
            yield name, pending.pop(name), 0


def load_sqlite(url: str, tickets: int, seed: int) -> None:
    engine = create_engine(async_url(url))
    with engine.begin() as connection:
        STATUS_IDS.update(dict(connection.execute(select(Status.name, Status.id)).all()))
    with Progress() as progress, engine.begin() as connection:
        task = progress.add_task("loading", total=tickets)
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        # The search index's triggers rebuild a ticket's row per reply: off for the load, the
        # index built once after it (tickets.search.REBUILD), the triggers put back.
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'ticket_search_%'"
        ).all()
        for name, _ in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        for table, values, _ in batches(tickets, seed):
            connection.execute(insert(TABLES[table]), values)
            if table == "tickets":
                progress.advance(task, len(values))
        for statement in REBUILD["sqlite"]:
            connection.exec_driver_sql(statement)
        for _, sql in triggers:
            connection.exec_driver_sql(sql)
    engine.dispose()


async def load_postgres(url: str, tickets: int, seed: int) -> None:
    engine = create_async_engine(async_url(url))
    async with engine.connect() as connection:
        STATUS_IDS.update(dict((await connection.execute(select(Status.name, Status.id))).all()))
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        # Triggers (the search index's, and the foreign keys') off for the load; the index is
        # built once after it (tickets.search.REBUILD).
        await raw.execute("SET session_replication_role = replica")
        with Progress() as progress:
            task = progress.add_task("loading", total=tickets)
            for table, values, _ in batches(tickets, seed):
                columns = list(values[0])
                await raw.copy_records_to_table(
                    table, records=[tuple(v[c] for c in columns) for v in values], columns=columns
                )
                if table == "tickets":
                    progress.advance(task, len(values))
        await raw.execute("SET session_replication_role = origin")
        for statement in REBUILD["postgresql"]:
            await connection.execute(text(statement))
        for table in TABLES:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            await connection.execute(
                text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
            )
        await connection.commit()
    await engine.dispose()


def generate(url: str, tickets: int, seed: int = 1) -> None:
    upgrade(url)
    if async_url(url).get_backend_name() == "sqlite":
        load_sqlite(url, tickets, seed)
    else:
        asyncio.run(load_postgres(url, tickets, seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    generate(options.database_url, options.tickets, options.seed)


if __name__ == "__main__":
    main()
