"""Helpers for tests of the pages over HTTP: the forms' CSRF token, a portal link."""

from __future__ import annotations

import hashlib
import re

import httpx

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token the page's forms carry."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def hash_of(number: int) -> str:
    """The access hash `tests.builders.ticket` gives a ticket."""
    return hashlib.md5(str(number).encode(), usedforsecurity=False).hexdigest()


def portal_link(number: int, acc_hash: str) -> str:
    return f"/portal/tickets/{number}?hash={acc_hash}"


async def open_portal(client: httpx.AsyncClient, number: int, acc_hash: str) -> str:
    """Open the ticket's page (which sets the CSRF cookie): its CSRF token."""
    page = await client.get(portal_link(number, acc_hash))
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
