"""Where a webhook may go: http(s) URLs whose host resolves to public addresses only (no
server-side request forgery), checked when an endpoint is saved and again before each POST,
which then goes to the very address checked (a name that resolves elsewhere a second later,
DNS rebinding, changes nothing)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from supportdesk.webhooks.models import URL_LENGTH

RESOLVE_TIMEOUT_SECONDS = 5.0
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL is not one a webhook may be sent to; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A URL and the addresses the POST may connect to (its host as resolved and checked)."""

    url: httpx.URL
    addresses: tuple[IPAddress, ...]

    def pinned_url(self, address: IPAddress) -> httpx.URL:
        """The URL with a checked address for its host (`Host` and TLS keep the name)."""
        return self.url.copy_with(host=str(address))


def refusal(address: IPAddress) -> str | None:
    """Why a webhook may not go to `address` (None: a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for what, found in (
        ("a loopback", address.is_loopback),
        ("a private", address.is_private),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("an unspecified", address.is_unspecified),
    ):
        if found:
            return f"{address} is {what} address"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def parse(url: str) -> httpx.URL:
    """An http or https URL with a host, or TargetRefused."""
    if len(url) > URL_LENGTH:
        raise TargetRefused(f"is at most {URL_LENGTH} characters")
    if not url.isascii() or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise TargetRefused("is an http or https URL (ASCII, no spaces)")
    split = urlsplit(url)
    if split.scheme not in ("http", "https"):
        raise TargetRefused("is an http or https URL")
    if split.username is not None or split.password is not None:
        raise TargetRefused("may not carry a user name or password")
    try:
        _ = split.port  # a port out of range raises here
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise TargetRefused(f"is not a valid URL ({exc})") from None
    if not parsed.host:
        raise TargetRefused("names no host")
    return parsed


async def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        found = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError):
        raise TargetRefused(f"names a host that does not resolve ({host})") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(f"names a host that does not resolve ({host})")
    return addresses


async def resolve(url: str, *, allow_private: bool) -> Target:
    """The URL and the address to POST to; TargetRefused for a URL that is not http(s), a host
    that does not resolve, or (unless `allow_private`) one with any non-public address."""
    parsed = parse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await _addresses(parsed.host, port)
    if not allow_private:
        for address in addresses:
            why = refusal(address)
            if why is not None:
                raise TargetRefused(f"may not point at a private address: {why}")
    return Target(parsed, tuple(addresses))
