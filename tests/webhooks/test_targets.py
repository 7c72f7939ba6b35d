"""No server-side request forgery: private, loopback, link-local and other non-public targets
are refused when an endpoint is saved and again when a delivery goes out."""

from __future__ import annotations

import dataclasses
import ipaddress

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.webhooks.targets import Target, TargetRefused, refusal, resolve
from tests.api.v2.assertions import assert_problem
from tests.support import AppFactory, client_for
from tests.webhooks.conftest import HOOKS, Desk, context, register
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery import ok, open_ticket

PRIVATE = [
    "http://127.0.0.1:8080/hooks",
    "http://10.1.2.3/hooks",
    "http://[::1]:9000/hooks",
    "http://169.254.169.254/latest/meta-data/",
    "http://192.168.0.10/",
    "http://172.16.5.4/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://100.64.0.1/",
    "https://localhost/hooks",
]


@pytest.fixture
def strict_app(make_app: AppFactory) -> FastAPI:
    return make_app(webhooks_allow_private=False)


@pytest.mark.parametrize("url", PRIVATE)
async def test_a_private_target_is_refused_when_saved(
    strict_app: FastAPI, desk: Desk, url: str
) -> None:
    async with client_for(strict_app) as api:
        refused = await api.post(HOOKS, headers=desk.admin, json={"url": url})
        body = assert_problem(refused, 400, "invalid_request")
        [error] = body["errors"]
        assert error["pointer"] == "/url"
        assert "private address" in error["detail"], error
        listed = ok(await api.get(HOOKS, headers=desk.admin))
    assert listed["data"] == []


async def test_a_private_target_is_refused_when_changed_to(strict_app: FastAPI, desk: Desk) -> None:
    async with client_for(strict_app) as api:
        created = await api.post(HOOKS, headers=desk.admin, json={"url": "http://8.8.8.8/x"})
        hook = ok(created, 201)  # a public address literal: nothing to resolve
        patch = await api.patch(
            f"{HOOKS}/{hook['id']}", headers=desk.admin, json={"url": "http://127.0.0.1/"}
        )
        assert_problem(patch, 400, "invalid_request")
        assert ok(await api.get(f"{HOOKS}/{hook['id']}", headers=desk.admin))["url"] == (
            "http://8.8.8.8/x"
        )


async def test_a_target_that_became_private_is_refused_at_delivery_time(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    from supportdesk.webhooks.task import deliver_due

    hook = await register(api, desk, receiver)  # saved while loopback was allowed
    await open_ticket(api, desk)
    now = context(app)
    strict = dataclasses.replace(
        now, settings=now.settings.model_copy(update={"webhooks_allow_private": False})
    )
    assert await deliver_due(strict) == 1
    assert receiver.arrivals == []  # nothing was sent
    [delivery] = ok(await api.get(f"{HOOKS}/{hook['id']}/deliveries", headers=desk.admin))["data"]
    assert delivery["status"] == "pending"
    assert delivery["lastError"].startswith("target refused: the URL may not point at a private")


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("93.184.216.34", False),
        ("2606:2800:220:1:248:1893:25c8:1946", False),
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("::1", True),
        ("169.254.169.254", True),
        ("::ffff:10.0.0.1", True),
        ("fd00::1", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
    ],
)
def test_which_addresses_are_public(address: str, refused: bool) -> None:
    assert (refusal(ipaddress.ip_address(address)) is not None) is refused


@pytest.mark.parametrize(
    "url", ["ftp://x.example/", "http:///nohost", "http://a b/", "http://h:99999/", "//x/"]
)
async def test_what_is_not_an_http_url_is_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        await resolve(url, allow_private=True)


async def test_the_post_goes_to_the_address_checked() -> None:
    target = await resolve("http://localhost:8080/a?b=1", allow_private=True)
    assert all(address.is_loopback for address in target.addresses)
    pinned = target.pinned_url(target.addresses[0])
    assert pinned.host == str(target.addresses[0])
    assert str(pinned).endswith(":8080/a?b=1")
    six = ipaddress.ip_address("2001:db8::1")
    assert str(Target(httpx.URL("https://hooks.example/x"), (six,)).pinned_url(six)) == (
        "https://[2001:db8::1]/x"
    )


async def test_a_named_host_is_posted_to_its_checked_address_under_its_name(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    from tests.webhooks.conftest import deliver_everything

    named = receiver.url.replace("127.0.0.1", "localhost")
    created = await api.post(HOOKS, headers=desk.admin, json={"url": named})
    receiver.secret = ok(created, 201)["secret"]
    await open_ticket(api, desk)
    assert await deliver_everything(app) == 1
    [arrival] = receiver.verified()
    assert arrival.headers["host"] == f"localhost:{receiver.port}"
    assert arrival.path == "/hooks"
