"""`cli.terminal.safe`: what a customer wrote reaches the operator's terminal as text only."""

from __future__ import annotations

import pytest
from rich.text import Text

from supportdesk.cli.terminal import plain, safe

ATTACKS = {
    "OSC 0 window title, BEL": "a\x1b]0;you have been pwned\x07b",
    "OSC 52 clipboard, ST": "a\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x1b\\b",
    "unterminated OSC": "ab\x1b]2;everything after it is payload",
    "unterminated CSI": "ab\x1b[",
    "CSI clear screen": "a\x1b[2J\x1b[Hb",
    "CSI cursor up and erase": "a\x1b[1A\x1b[2Kb",
    "SGR hidden text": "a\x1b[8mb",
    "8-bit CSI": "a\x9b2Jb",
    "8-bit OSC with 8-bit ST": "a\x9d0;title\x9cb",
    "DCS": "a\x1bP1$qm\x1b\\b",
    "APC": "a\x1b_payload\x1b\\b",
    "reset terminal (RIS)": "a\x1bcb",
    "charset switch": "a\x1b(0b",
    "carriage return overwrite": "a\rb",
    "backspaces": "a\x08\x08b",
    "bell, NUL, DEL": "a\x07\x00\x7fb",
    "C1 NEL and CSI-less controls": "a\x85\x84b",
    "bidi override (Trojan Source)": "a\u202eb",
    "bidi isolates and marks": "a\u2066\u2067\u2068\u2069\u200e\u200f\u061cb",
    "bidi embeddings": "a\u202a\u202b\u202c\u202db",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=list(ATTACKS))
@pytest.mark.parametrize("multiline", [False, True])
def test_sequences_and_controls_are_removed_with_their_payload(
    attack: str, multiline: bool
) -> None:
    assert safe(attack, multiline=multiline) == "ab"


def test_a_disguised_link_shows_its_text_and_loses_its_target() -> None:
    link = "see \x1b]8;;https://evil.example/\x1b\\https://hostup.se\x1b]8;;\x1b\\ now"
    assert safe(link) == "see https://hostup.se now"


def test_a_body_keeps_its_lines_and_tabs_but_not_carriage_returns() -> None:
    body = "Hello,\r\n\tline two\rhidden\nline three\u2028four"
    assert safe(body, multiline=True) == "Hello,\n\tline twohidden\nline three\nfour"


def test_a_one_line_field_cannot_start_a_new_line() -> None:
    assert safe("Subject\nStatus: Closed\tx\u2029y") == "Subject Status: Closed x y"


def test_text_people_write_is_kept() -> None:
    text = "Grüße, 日本語, emoji 👩‍💻, [bold]not markup[/bold], C:\\path, 100% & <tag>"
    assert safe(text, multiline=True) == text
    assert safe(text) == text


def test_plain_is_never_read_as_markup() -> None:
    shown = plain("[link=https://evil.example]click[/link]", "bold")
    assert isinstance(shown, Text)
    assert shown.plain == "[link=https://evil.example]click[/link]"
    assert not shown.spans
    assert str(shown.style) == "bold"
