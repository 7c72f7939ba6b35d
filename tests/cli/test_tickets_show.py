"""`supportdesk tickets show` and `keys list` in a real terminal-mode process: what clients wrote
is printed as text, and the only escapes in the output are the CLI's own colours."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.builders import World

NUMBER = 737373
TITLE = "\x1b]0;rm -rf ~ is safe\x07"
CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveCB8IHNo\x1b\\"
LINK = "\x1b]8;;https://evil.example/\x1b\\https://hostup.se/login\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b1A"
RLO = "\u202e"
HOSTILE = (TITLE, CLIPBOARD, "evil.example", "rm -rf", "Y3VybC")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def cli(database_url: str, *args: str) -> str:
    """The CLI's stdout when it believes it writes to a colour terminal."""
    done = subprocess.run(
        [sys.executable, "-m", "supportdesk", *args],
        env={
            "SUPPORTDESK_DATABASE_URL": database_url,
            "FORCE_COLOR": "1",
            "TTY_COMPATIBLE": "1",
            "COLUMNS": "200",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def assert_only_own_colours(output: str) -> str:
    assert SGR.search(output), "the CLI did not print in terminal mode: this test proves nothing"
    text = SGR.sub("", output)
    assert "\x1b" not in text, repr(text)
    strays = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    assert not strays, strays
    assert not re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", text)
    for payload in HOSTILE:
        assert payload not in text
    return text


@pytest.fixture
async def hostile_ticket(db: Database, world: World) -> None:
    ticket = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject=f"Mail bounces{TITLE}",
        body=f"First line{CLIPBOARD}\nSecond{CLEAR} line\n\tindented {LINK}",
        name=f"Ada{C1_CSI} Lovelace",
        email=f"ada{CLEAR}@example.com",
        cc=f"boss@example.com{TITLE}",
        tags=[f"vps{RLO}"],
        from_address=f"ada@example.com{CLIPBOARD}",
    )
    reply = await builders.reply(
        db,
        ticket.id,
        type="Client",
        name=f"Ada{TITLE}",
        email="ada@example.com",
        body=f"Still broken {RLO}gnp.exe\nreally",
    )
    await builders.note(db, ticket.id, world.staff_id, f"Note{CLIPBOARD} here")
    await builders.attachment(db, ticket.id, reply_id=reply, filename=f"log{LINK}.txt")
    service = await builders.service(db, world.client_id, name=f"vps{CLEAR}-01")
    await builders.link_service(db, ticket.id, service, ai_summary=f"Summary{TITLE}")


@pytest.mark.usefixtures("hostile_ticket")
async def test_tickets_show_prints_client_text_without_escapes(database_url: str) -> None:
    output = await asyncio.to_thread(cli, database_url, "tickets", "show", str(NUMBER))
    text = assert_only_own_colours(output)
    assert "Mail bounces" in text
    assert "https://hostup.se/login" in text, "a link's text stays, its target goes"
    lines = text.splitlines()
    assert any("First line" in line and "Second" not in line for line in lines), (
        "a body keeps its line breaks"
    )
    assert any("Second line" in line for line in lines)
    assert any("Still broken gnp.exe" in line for line in lines)


async def test_keys_list_prints_stored_values_without_escapes(
    database_url: str, db: Database, world: World
) -> None:
    key_id, _ = await builders.api_key(db, client_id=world.client_id)
    await builders.update_key(db, key_id, scopes=f"read:support{CLIPBOARD}{TITLE}")
    output = await asyncio.to_thread(cli, database_url, "keys", "list")
    text = assert_only_own_colours(output)
    assert "read:support" in text
