"""The caller's IP address, behind proxies only where they are trusted.

`X-Forwarded-For` is a list anybody can write into; only the entries appended by proxies we
trust are true. So the peer's own address is the caller's unless the peer is a configured
proxy (`SUPPORTDESK_TRUSTED_PROXIES`); then the list is read from the right, past every trusted
proxy, and the first address that is not one is the caller. An entry that is not an IP address
stops the walk at the proxy that passed it on. The result is always a valid IP address (or ""
when the server has no peer address, as on a Unix socket), short enough for `senderip`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(text: str | None) -> Address | None:
    """An IP address in canonical form (IPv4-mapped IPv6 as IPv4), or None for anything else
    (names, ports, zone ids, padding)."""
    if not text or "%" in text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[Network]
) -> str:
    """The caller's address as text; `forwarded_for` is every `X-Forwarded-For` header value,
    in the order received."""
    address = parse_ip(peer)
    if address is None:
        return ""
    if not proxies or not _trusted(address, proxies):
        return str(address)
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    while hops and _trusted(address, proxies):
        forwarded = parse_ip(hops.pop())
        if forwarded is None:
            break
        address = forwarded
    return str(address)


def from_trusted_proxy(peer: str | None, proxies: Sequence[Network]) -> bool:
    """Whether the peer is one of the configured proxies (whose forwarded headers count)."""
    address = parse_ip(peer)
    return address is not None and _trusted(address, proxies)
