"""The pages' templates: written text is escaped, links are made clickable and nothing else."""

from __future__ import annotations

import pytest

from supportdesk.core.errors import TicketNotFound
from supportdesk.web.templates import environment, linkify, render_error_page


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("", ""),
        ("plain <b>bold</b> & more", "plain &lt;b&gt;bold&lt;/b&gt; &amp; more"),
        (
            "see https://example.com/a?b=1&c=2.",
            'see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">'
            "https://example.com/a?b=1&amp;c=2</a>.",
        ),
        (
            "(http://example.com/x_(y)) ok",
            '(<a href="http://example.com/x_(y)" rel="nofollow noopener noreferrer">'
            "http://example.com/x_(y)</a>) ok",
        ),
        (
            'https://evil.example/"><script>alert(1)</script>',
            '<a href="https://evil.example/" rel="nofollow noopener noreferrer">'
            "https://evil.example/</a>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        ("javascript:alert(1) and ftp://x.example", "javascript:alert(1) and ftp://x.example"),
        ("line one\r\nline two", "line one\nline two"),
        ("https://", "https://"),
    ],
)
def test_linkify(text: str, html: str) -> None:
    assert str(linkify(text)) == html


def test_templates_escape_by_default() -> None:
    rendered = environment.from_string("{{ value }}").render(value="<img src=x onerror=alert(1)>")
    assert rendered == "&lt;img src=x onerror=alert(1)&gt;"


def test_the_error_page_is_accessible_html() -> None:
    page = render_error_page(TicketNotFound(), "req_x").decode()
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page
    assert 'href="#main"' in page
    assert '<main id="main"' in page
    assert "No ticket with that number" not in page  # one text for every 404
