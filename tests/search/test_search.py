"""`q` on the v2 list: the same answers on SQLite (FTS5) and PostgreSQL (tsvector).

One corpus, one table of queries and their answers, fixed here: the suite runs on each backend,
so each backend is held to the same answers. Words are runs of letters and digits, case-folded
(`ÖREBRO` finds `örebro`), diacritics kept (`cafe` does not find `café`), each a word's start
(`reboot` finds `Rebooted`, `boot` does not), every word somewhere in the ticket; tickets whose
subject holds every word come first, then newest activity first.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.builders import OPENED
from tests.conversation_builders import Cast
from tests.search.listing import URL, numbers

CORPUS = {
    # number: (subject, opening message, sent replies)
    1: ("DNS not resolving for example.com", "Since Monday the nameservers say SERVFAIL.",
        ["Have you checked the TTL?"]),
    2: ("Invoice question", "Why was I charged twice? Invoice #2026-114.",
        ["The DNS zone fee is separate."]),
    3: ("Café menu site down", "Our site café-örebro.se shows 502 Bad Gateway",
        ["nginx upstream timeout"]),
    4: ("E-mail bounces", "Mail to bob@example.org bounces with 550", []),
    5: ("Server reboot", "Please reboot vps-01.example.net",
        ["Rebooted. The kernel was upgraded."]),
}  # fmt: skip

ANSWERS = [
    ("dns", [1, 2]),
    ("DNS", [1, 2]),
    ("example", [1, 5, 4]),
    ("EXAMPLE COM", [1]),
    ("example.com", [1]),
    ("café", [3]),
    ("cafe", []),
    ("örebro", [3]),
    ("ÖREBRO", [3]),
    ("reboot", [5]),
    ("boot", []),
    ("invoice 2026", [2]),
    ("nginx timeout", [3]),
    ("dns servfail", [1]),
    ("550 bounces", [4]),
    ("e mail", [4]),
    ("s", [5, 3, 2, 1]),
    ("vps 01", [5]),
    ("bob@example.org", [4]),
    # Query syntax of either engine is punctuation here: only the words count.
    ("NEAR(dns invoice)", []),
    ('"dns', [1, 2]),
    ("dns*", [1, 2]),
    ("-dns", [1, 2]),
    ("subject:dns", []),
    ("{subject}: dns", []),
    ("(dns)", [1, 2]),
    ("dns & !invoice", [2]),
    ("dns:* | invoice", [2]),
    ("'dns' <-> 'zone'", [2]),
    ("dns AND zone", []),
    ("dns zone", [2]),
]


@pytest.fixture
async def corpus(db: Database, cast: Cast) -> Cast:
    for number, (subject, body, replies) in CORPUS.items():
        ticket = await builders.ticket(
            db,
            number=number,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            subject=subject,
            body=body,
            updated_at=OPENED + timedelta(hours=number),
        )
        for text in replies:
            await builders.reply(db, ticket.id, body=text)
    return cast


@pytest.mark.parametrize(("query", "expected"), ANSWERS, ids=[q for q, _ in ANSWERS])
async def test_both_backends_give_the_fixed_answer(
    api: httpx.AsyncClient, corpus: Cast, query: str, expected: list[int]
) -> None:
    assert await numbers(api, corpus.staff_key, q=query) == expected
    assert await numbers(api, corpus.client_key, q=query) == expected


async def test_a_search_is_paged_by_its_own_cursor_in_rank_order(
    api: httpx.AsyncClient, corpus: Cast
) -> None:
    assert await numbers(api, corpus.staff_key, q="s", limit=1) == [5, 3, 2, 1]
    assert await numbers(api, corpus.staff_key, q="e", limit=2) == [4, 1, 5]


async def test_a_cursor_of_a_search_is_not_one_of_the_plain_list(
    api: httpx.AsyncClient, corpus: Cast
) -> None:
    page = await api.get(URL, params={"q": "s", "limit": 1}, headers=key(corpus.staff_key))
    cursor = page.json()["nextCursor"]
    plain = await api.get(URL, params={"cursor": cursor}, headers=key(corpus.staff_key))
    assert_problem(plain, 400, "invalid_cursor")


@pytest.mark.parametrize("query", ["", "   ", "!!!", "'&|!:*<->", '""', "()", "*", "-", "_", "_-_"])
async def test_a_q_without_words_is_refused_naming_q(
    api: httpx.AsyncClient, corpus: Cast, query: str
) -> None:
    response = await api.get(URL, params={"q": query}, headers=key(corpus.client_key))
    body = assert_invalid(response, "?q")
    assert body["errors"][0]["code"] == "no_words"


async def test_more_than_ten_words_are_refused(api: httpx.AsyncClient, corpus: Cast) -> None:
    response = await api.get(
        URL, params={"q": " ".join(f"w{i}" for i in range(11))}, headers=key(corpus.client_key)
    )
    assert_invalid(response, "?q")
    ten = await api.get(
        URL, params={"q": " ".join(f"w{i}" for i in range(10))}, headers=key(corpus.client_key)
    )
    assert ten.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "ǅ²³ ſ ﬁ İstanbul ß ΣΑΣ",
        "日本語 テスト",
        "\u200b\u00a0dns\u2028",
        "e\u0301",
        "🙂 dns",
        "x" * 200,
        "a" * 199 + "'",
        "NOT NEAR AND OR",
        "'''",
        "\\'dns",
    ],
)
async def test_any_text_gets_an_answer_never_a_500(
    api: httpx.AsyncClient, corpus: Cast, query: str
) -> None:
    for api_key in (corpus.client_key, corpus.staff_key):
        response = await api.get(URL, params={"q": query}, headers=key(api_key))
        assert response.status_code in (200, 400), response.text
