"""SMTP over TLS, as the URL says: STARTTLS when the server offers it, implicit TLS for
smtps://, authentication when a user is given; the password is never logged or stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from tests import builders
from tests.mail.conftest import open_ticket, outbox, run_sender, smtp_settings
from tests.mail.peer import HOST, Accounts, Inbox, make_certificates, smtp_server

PASSWORD = "s3cret p@ss/word"
QUOTED = "s3cret%20p%40ss%2Fword"


def _our_log(caplog: pytest.LogCaptureFixture) -> str:
    """What supportdesk and its SMTP client logged (not the test server's own log)."""
    return "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("mail.")
    )


async def _queued(db: Database) -> int:
    """A client's new ticket: two mails (the client's confirmation, the department's)."""
    world = await builders.world(db)
    await open_ticket(db, world)
    return len(await outbox(db))


async def _send_with_login(
    db: Database,
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    inbox: Inbox,
    accounts: Accounts,
) -> int:
    """One tick of the sender against a server that requires STARTTLS, then AUTH, with the
    password `PASSWORD` in the URL."""
    certificates = make_certificates(tmp_path)
    with smtp_server(
        inbox,
        tls_context=certificates.server_context(),
        require_starttls=True,
        authenticator=accounts,
        auth_require_tls=True,
        auth_required=True,
    ) as port:
        settings = smtp_settings(
            settings_for,
            f"smtp://desk:{QUOTED}@{HOST}:{port}",
            smtp_ca_file=certificates.ca_file,
        )
        return await run_sender(db, settings)


async def test_starttls_then_login_when_the_server_offers_it(
    db: Database,
    mail_env: Callable[..., None],
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queued = await _queued(db)
    inbox, accounts = Inbox(), Accounts("desk", PASSWORD)
    with caplog.at_level(logging.DEBUG):
        assert await _send_with_login(db, settings_for, tmp_path, inbox, accounts) == queued
    assert [(got.tls, got.login) for got in inbox.received] == [(True, "desk")] * queued
    assert PASSWORD not in _our_log(caplog)


async def test_a_wrong_password_is_retried_and_never_written_down(
    db: Database,
    mail_env: Callable[..., None],
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _queued(db)
    inbox, accounts = Inbox(), Accounts("desk", "another password")
    with caplog.at_level(logging.DEBUG):
        assert await _send_with_login(db, settings_for, tmp_path, inbox, accounts) == 0
    assert set(accounts.tried) == {"desk"}  # one try per mechanism the server offers
    assert inbox.received == []
    mails = await outbox(db)
    assert {(m.status, m.attempts) for m in mails} == {("pending", 1)}
    for mail in mails:
        assert mail.last_error.startswith("535"), mail.last_error
        assert PASSWORD not in mail.last_error
        assert QUOTED not in mail.last_error
    logged = _our_log(caplog)
    assert "535" in logged
    assert PASSWORD not in logged
    assert QUOTED not in logged


async def test_a_certificate_nobody_vouches_for_is_refused(
    db: Database,
    mail_env: Callable[..., None],
    settings_for: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    await _queued(db)
    certificates = make_certificates(tmp_path)
    inbox = Inbox()
    with smtp_server(
        inbox, tls_context=certificates.server_context(), require_starttls=True
    ) as port:
        # No CA file: the test CA is not the system's.
        settings = smtp_settings(settings_for, f"smtp://{HOST}:{port}")
        assert await run_sender(db, settings) == 0
    assert inbox.received == []
    assert {m.status for m in await outbox(db)} == {"pending"}


async def test_smtps_speaks_tls_from_the_first_byte(
    db: Database,
    mail_env: Callable[..., None],
    settings_for: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    queued = await _queued(db)
    certificates = make_certificates(tmp_path)
    inbox, accounts = Inbox(), Accounts("desk", PASSWORD)
    # aiosmtpd counts only STARTTLS as TLS for AUTH: this transport is TLS from its start.
    with smtp_server(
        inbox,
        ssl_context=certificates.server_context(),
        authenticator=accounts,
        auth_require_tls=False,
    ) as port:
        settings = smtp_settings(
            settings_for,
            f"smtps://desk:{QUOTED}@{HOST}:{port}",
            smtp_ca_file=certificates.ca_file,
        )
        assert await run_sender(db, settings) == queued
    assert [(got.tls, got.login) for got in inbox.received] == [(True, "desk")] * queued


async def test_plain_smtp_without_starttls_on_offer_still_delivers(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    queued = await _queued(db)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        assert await run_sender(db, smtp_settings(settings_for, f"smtp://{HOST}:{port}")) == queued
    assert [got.tls for got in inbox.received] == [False] * queued
