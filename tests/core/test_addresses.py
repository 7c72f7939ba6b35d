"""`core.addresses`: X-Forwarded-For counts only from trusted proxies, right to left."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from supportdesk.core.addresses import Network, client_address, parse_ip
from supportdesk.core.config import Settings

PROXIES: tuple[Network, ...] = (
    ipaddress.ip_network("10.0.0.0/8"),
    ipaddress.ip_network("2001:db8:1::/48"),
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:DB8::0:1", "2001:db8::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("198.51.100.7 ", None),
        ("198.51.100.7:443", None),
        ("[2001:db8::1]", None),
        ("fe80::1%eth0", None),
        ("010.1.1.1", None),
        ("unknown", None),
        ("x" * 100, None),
        ("", None),
        (None, None),
    ],
)
def test_only_ip_addresses_parse(text: str | None, parsed: str | None) -> None:
    address = parse_ip(text)
    assert (None if address is None else str(address)) == parsed


class TestClientAddress:
    def test_with_no_trusted_proxy_the_header_is_ignored(self) -> None:
        assert client_address("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"
        assert client_address("10.1.1.1", ["203.0.113.5"], ()) == "10.1.1.1"

    def test_an_untrusted_peer_is_the_caller_whatever_it_forwards(self) -> None:
        assert client_address("198.51.100.9", ["203.0.113.5"], PROXIES) == "198.51.100.9"

    def test_the_right_most_untrusted_entry_is_the_caller(self) -> None:
        forwarded = ["6.6.6.6, 203.0.113.5, 10.2.2.2"]
        assert client_address("10.1.1.1", forwarded, PROXIES) == "203.0.113.5"

    def test_several_header_lines_are_one_list_in_order(self) -> None:
        forwarded = ["6.6.6.6", "203.0.113.5", "10.2.2.2"]
        assert client_address("10.1.1.1", forwarded, PROXIES) == "203.0.113.5"

    def test_ipv6_proxies_and_callers(self) -> None:
        forwarded = ["2001:db8:2::7, 2001:db8:1::2"]
        assert client_address("2001:db8:1::1", forwarded, PROXIES) == "2001:db8:2::7"

    @pytest.mark.parametrize("junk", ["x" * 100, "unknown", "203.0.113.5:80", "", "1.2.3.4.5"])
    def test_an_entry_that_is_no_address_stops_at_the_proxy_that_sent_it(self, junk: str) -> None:
        assert client_address("10.1.1.1", [f"203.0.113.5, {junk}"], PROXIES) == "10.1.1.1"
        forwarded = [f"203.0.113.5, {junk}, 10.2.2.2"]
        assert client_address("10.1.1.1", forwarded, PROXIES) == "10.2.2.2"

    def test_when_every_hop_is_trusted_the_left_most_is_the_caller(self) -> None:
        assert client_address("10.1.1.1", ["10.3.3.3, 10.2.2.2"], PROXIES) == "10.3.3.3"

    def test_a_trusted_proxy_without_the_header_is_the_caller(self) -> None:
        assert client_address("10.1.1.1", [], PROXIES) == "10.1.1.1"

    def test_no_peer_address_is_empty(self) -> None:
        assert client_address(None, ["203.0.113.5"], PROXIES) == ""
        assert client_address("unix-socket", [], PROXIES) == ""

    def test_the_answer_always_fits_senderip(self) -> None:
        long_v6 = "1111:2222:3333:4444:5555:6666:7777:8888"
        shown = client_address("10.1.1.1", [f"{long_v6}, 10.2.2.2"], PROXIES)
        assert shown == long_v6
        assert len(shown) <= 45


class TestSetting:
    def test_a_comma_or_space_separated_list_of_addresses_and_networks(self) -> None:
        settings = Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8 ::1")
        assert [str(n) for n in settings.trusted_proxies] == [
            "127.0.0.1/32",
            "10.0.0.0/8",
            "::1/128",
        ]

    def test_the_default_trusts_nobody(self) -> None:
        assert Settings().trusted_proxies == ()

    @pytest.mark.parametrize("value", ["*", "10.0.0.1/8", "proxy.internal", "10.0.0.0/33"])
    def test_a_setting_that_names_no_network_refuses_to_start(self, value: str) -> None:
        with pytest.raises(ValidationError):
            Settings(trusted_proxies=value)

    def test_read_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SUPPORTDESK_TRUSTED_PROXIES", "192.168.0.0/16,fd00::/8")
        assert [str(n) for n in Settings().trusted_proxies] == ["192.168.0.0/16", "fd00::/8"]
