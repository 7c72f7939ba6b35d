"""Stored text made safe to print in a terminal: no control characters, no escape sequences.

Subjects, bodies, names and file names are written by customers. Printed raw, an escape
sequence in one could retitle the operator's terminal (OSC 0), write their clipboard (OSC 52),
plant a link that shows one address and opens another (OSC 8), or rewrite what was printed
before it (CSI cursor moves, carriage returns, backspaces, bidi overrides). Every value the CLI
prints goes through `safe` (or `plain`, which also keeps rich from reading `[link=...]` markup
in it); only the CLI's own styling reaches the terminal as escapes.
"""

from __future__ import annotations

import re

from rich.text import Text

# Whole sequences, payload included, in their 7-bit (ESC ...) and 8-bit (C1) forms:
# CSI up to its final byte; OSC, DCS, SOS, PM and APC up to BEL or ST (or the end of the
# text when unterminated); any other escape with its intermediate and final bytes.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters) and the
# marks that steer them: they reorder what the operator reads.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_DROP = {code: None for code in [*_CONTROLS, *map(ord, _BIDI)]}
_ONE_LINE = {**_DROP, ord("\n"): " ", ord("\t"): " ", 0x2028: " ", 0x2029: " "}
_MULTILINE = {**_DROP, ord("\n"): "\n", ord("\t"): "\t", 0x2028: "\n", 0x2029: "\n"}


def safe(value: object, *, multiline: bool = False) -> str:
    """`value` as text without escape sequences or control characters; newlines and tabs stay
    when `multiline` (a message body), else they become spaces (a subject, a name)."""
    text = _SEQUENCE.sub("", str(value).replace("\r\n", "\n"))
    return text.translate(_MULTILINE if multiline else _ONE_LINE)


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """`safe(value)` as rich Text: printed as it is, never read as console markup."""
    return Text(safe(value, multiline=multiline), style=style)
